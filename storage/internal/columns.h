// Conversions between SQLite columns and domain values shared by the repository's .cc files,
// private to storage/. A value the domain cannot parse is a corrupt database: StorageError.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "storage/internal/sqlite.h"
#include "workflow/repository.h"
#include "workflow/time.h"

namespace kaizen::storage::internal {

[[noreturn]] inline void ThrowCorrupt(std::string_view what, std::string_view value) {
  throw StorageError("corrupt database: " + std::string(what) + " '" + std::string(value) + "'");
}

inline std::string TimeText(Instant t) { return FormatStorageTime(t); }

inline Instant ColumnInstant(const Statement& s, int column) {
  std::string text = s.ColumnText(column);
  std::optional<Instant> t = ParseStorageTime(text);
  if (!t) ThrowCorrupt("instant", text);
  return *t;
}

inline std::optional<Instant> ColumnOptionalInstant(const Statement& s, int column) {
  if (s.IsNull(column)) return std::nullopt;
  return ColumnInstant(s, column);
}

inline void BindOptionalInstant(Statement& s, int index, const std::optional<Instant>& t) {
  if (t) {
    s.BindText(index, TimeText(*t));
  } else {
    s.BindNull(index);
  }
}

inline int PageLimit(int limit) { return std::clamp(limit, 1, kMaxPageSize); }

// Reads up to limit + 1 rows: the extra row only tells that another page exists.
template <typename T, typename ReadRow>
Page<T> ReadPage(Statement& s, int limit, ReadRow read_row) {
  Page<T> page;
  bool more = false;
  while (s.Step()) {
    if (static_cast<int>(page.items.size()) == limit) {
      more = true;
      break;
    }
    page.items.push_back(read_row(s));
  }
  if (more) page.next_after = page.items.back().id;
  return page;
}

}  // namespace kaizen::storage::internal
