// Small text helpers shared by workflow/*.cc; not for other folders.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace kaizen::internal {

// True when the text holds nothing but blanks: such a title or note says nothing.
inline bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  });
}

// "a", "a or b", "a, b or c": how a person lists alternatives.
inline std::string JoinAlternatives(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? " or " : ", ";
    out += words[i];
  }
  return out;
}

// "a, b, c".
inline std::string JoinList(const std::vector<std::string>& items, std::string_view sep = ", ") {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace kaizen::internal
