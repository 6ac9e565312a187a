// Message templates: the words of a chat message, written by an operator in Mustache
// (https://mustache.github.io/mustache.5.html) and rendered by kainjow's Mustache library.
//
//   {{name}}                    a placeholder's value
//   {{#name}}…{{/name}}         shown when the value is true or a non-empty text; for a list, once
//                               per item, with the item's own names inside
//   {{^name}}…{{/name}}         shown when the value is false, empty or an empty list
//   {{! comment }}
//
// Values are inserted as they are: the caller has already made them safe for the chat they go
// to (mentions, escaping), so there is no HTML escaping and {{{name}}} means the same as
// {{name}}. Partials ({{>name}}) and delimiter changes are refused: a template is one
// self-contained piece of text.
//
// Every name a template uses must be one the message offers (TemplateScope); a misspelt name
// is an error when the template is parsed, which happens when the config is loaded, so a bad
// template stops the daemon from starting rather than sending empty words later.
//
// Pure; a parsed MessageTemplate is immutable and may be rendered from any thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "workflow/status.h"

namespace kaizen {

// The names a template may use: plain ones, and lists whose items have names of their own
// (inside a list's section both the item's names and the outer ones are known).
struct TemplateScope {
  std::set<std::string, std::less<>> names;
  std::map<std::string, std::set<std::string, std::less<>>, std::less<>> lists;
};

// The values one rendering sees. A bool decides sections only; a text is shown (and decides a
// section by being non-empty).
struct TemplateValues {
  using Value = std::variant<std::string, bool>;
  std::map<std::string, Value, std::less<>> values;
  std::map<std::string, std::vector<TemplateValues>, std::less<>> lists;

  void Set(std::string name, std::string text) { values[std::move(name)] = std::move(text); }
  void Set(std::string name, const char* text) { values[std::move(name)] = std::string(text); }
  void Set(std::string name, bool flag) { values[std::move(name)] = flag; }
};

class MessageTemplate {
 public:
  // Errors: kInvalidArgument "invalid_template", the message saying where ("line 2, column 14")
  // and what: an unknown name (listing the known ones), an unclosed or unopened section, a
  // section closed by another name, an unclosed tag, a partial or a delimiter change.
  static Result<MessageTemplate> Parse(std::string_view source, const TemplateScope& scope);

  // Missing values render as empty text and false.
  std::string Render(const TemplateValues& values) const;

  const std::string& source() const { return source_; }

 private:
  explicit MessageTemplate(std::string source) : source_(std::move(source)) {}
  std::string source_;
};

}  // namespace kaizen
