#include "daemon/http_message.h"

#include <algorithm>
#include <cctype>

namespace kaizen::daemon {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

template <typename Headers>
std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

std::optional<std::string_view> HttpResponse::Header(std::string_view name) const {
  return FindHeader(headers, name);
}

Status SplitTarget(std::string_view target, std::string& path, QueryParams& query) {
  query.clear();
  std::size_t question = target.find('?');
  path = std::string(target.substr(0, question));
  if (question == std::string_view::npos) return Status::Ok();
  std::string_view rest = target.substr(question + 1);
  // A fragment is never sent by a conforming client; ignore it if one is.
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    std::string_view raw_name = pair.substr(0, eq);
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto name = PercentDecode(raw_name);
    auto value = PercentDecode(raw_value);
    if (!name || !value) {
      return InvalidArgument(
          "invalid_query",
          "malformed percent escape in query parameter '" + std::string(raw_name) + "'",
          {{"parameter", std::string(raw_name)}});
    }
    query.emplace_back(std::move(*name), std::move(*value));
  }
  return Status::Ok();
}

}  // namespace kaizen::daemon
