#include "workflow/message_template.h"

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <optional>
#include <utility>

namespace kaizen {
namespace {

namespace mustache = kainjow::mustache;

std::string Trim(std::string_view text) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  return std::string(text);
}

// "line 2, column 14" of a byte offset; columns count characters, not bytes, so that a
// position after Chinese text points where an editor shows it.
std::string Where(std::string_view source, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset && i < source.size(); ++i) {
    const auto c = static_cast<unsigned char>(source[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

std::string KnownNames(const TemplateScope& scope, const std::vector<std::string>& open_lists) {
  std::set<std::string, std::less<>> known(scope.names.begin(), scope.names.end());
  for (const auto& [list, item_names] : scope.lists) known.insert(list);
  for (const std::string& list : open_lists) {
    const auto& item_names = scope.lists.find(list)->second;
    known.insert(item_names.begin(), item_names.end());
  }
  std::string out;
  for (const std::string& name : known) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

Status TemplateError(std::string_view source, std::size_t offset, const std::string& what) {
  return InvalidArgument("invalid_template", Where(source, offset) + ": " + what);
}

// Walks the tags once: names against the scope, sections properly nested. kainjow parses the
// same text afterwards, but its messages give byte offsets and know nothing of our names.
Status Check(std::string_view source, const TemplateScope& scope) {
  struct Open {
    std::string name;
    std::size_t offset;
    bool list;  // a section over a list: the items' names are known inside
  };
  std::vector<Open> open;
  std::size_t pos = 0;
  while ((pos = source.find("{{", pos)) != std::string_view::npos) {
    const std::size_t start = pos;
    const bool triple = source.compare(pos, 3, "{{{") == 0;
    const std::string_view closing = triple ? "}}}" : "}}";
    const std::size_t body = pos + (triple ? 3 : 2);
    const std::size_t end = source.find(closing, body);
    if (end == std::string_view::npos) return TemplateError(source, start, "unclosed tag '{{'");
    std::string_view tag = source.substr(body, end - body);
    pos = end + closing.size();

    char sigil = '\0';
    if (!triple && !tag.empty() &&
        std::string_view("#^/&!>=").find(tag.front()) != std::string_view::npos) {
      sigil = tag.front();
      tag.remove_prefix(1);
    }
    if (sigil == '!') continue;
    if (sigil == '>') return TemplateError(source, start, "partials ({{>name}}) are not supported");
    if (sigil == '=') {
      return TemplateError(source, start, "changing the delimiters ({{=...=}}) is not supported");
    }
    const std::string name = Trim(tag);
    if (name.empty()) return TemplateError(source, start, "empty tag");
    if (sigil == '/') {
      if (open.empty()) {
        return TemplateError(source, start,
                             "'{{/" + name + "}}' closes a section that is not open");
      }
      if (open.back().name != name) {
        return TemplateError(source, start,
                             "'{{/" + name + "}}' closes '" + open.back().name + "', opened at " +
                                 Where(source, open.back().offset));
      }
      open.pop_back();
      continue;
    }
    std::vector<std::string> open_lists;
    for (const Open& o : open) {
      if (o.list) open_lists.push_back(o.name);
    }
    bool known = scope.names.count(name) > 0 || scope.lists.count(name) > 0;
    for (const std::string& list : open_lists) {
      known = known || scope.lists.find(list)->second.count(name) > 0;
    }
    if (!known) {
      return TemplateError(source, start,
                           "unknown name '" + name + "'; known: " + KnownNames(scope, open_lists));
    }
    const bool is_list = scope.lists.count(name) > 0;
    if (sigil == '#' || sigil == '^') {
      open.push_back({name, start, sigil == '#' && is_list});
    } else if (is_list) {
      return TemplateError(
          source, start,
          "'" + name + "' is a list: use it as a section, {{#" + name + "}}...{{/" + name + "}}");
    }
  }
  if (!open.empty()) {
    return TemplateError(source, open.back().offset,
                         "section '" + open.back().name + "' is never closed ('{{/" +
                             open.back().name + "}}' is missing)");
  }
  return Status::Ok();
}

mustache::data ToData(const TemplateValues& values) {
  mustache::data data;
  for (const auto& [name, value] : values.values) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      // kainjow counts an empty string as true; a section over a text is meant to show only
      // when there is something to show, so empty is false (and still renders as nothing).
      data.set(name, text->empty() ? mustache::data(false) : mustache::data(*text));
    } else {
      data.set(name, mustache::data(std::get<bool>(value)));
    }
  }
  for (const auto& [name, items] : values.lists) {
    mustache::data list{mustache::data::type::list};
    for (const TemplateValues& item : items) list.push_back(ToData(item));
    data.set(name, list);
  }
  return data;
}

}  // namespace

Result<MessageTemplate> MessageTemplate::Parse(std::string_view source,
                                               const TemplateScope& scope) {
  if (Status checked = Check(source, scope); !checked.ok()) return checked;
  mustache::mustache parsed{std::string(source)};
  if (!parsed.is_valid()) {
    return InvalidArgument("invalid_template", parsed.error_message());
  }
  return MessageTemplate(std::string(source));
}

std::string MessageTemplate::Render(const TemplateValues& values) const {
  // Parsed again for each rendering: kainjow's render is not const, and a parse of a chat
  // message's template costs microseconds.
  mustache::mustache parsed{source_};
  parsed.set_custom_escape([](const std::string& text) { return text; });
  return parsed.render(ToData(values));
}

}  // namespace kaizen
