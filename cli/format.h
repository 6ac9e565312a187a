// Text layout for kaizenctl: aligned tables that stay aligned with Chinese names, and deadlines
// told relative to now ("in 2d", "overdue 3h"). Pure; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/time.h"

namespace kaizen::cli {

// Columns a terminal uses for UTF-8 `text`: CJK and other wide characters take two, combining
// marks none. Invalid bytes count as one column each.
std::size_t DisplayWidth(std::string_view text);

// Rows of cells printed in columns two spaces apart, each as wide as its widest cell. The last
// column is not padded, so lines carry no trailing blanks. Control characters in cells (a
// newline in a title) become spaces so that one row stays one line.
class Table {
 public:
  Table() = default;
  explicit Table(std::vector<std::string> header);
  void AddRow(std::vector<std::string> cells);
  void AlignRight(std::size_t column);  // for numbers
  bool empty() const { return rows_.empty(); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
};

// The length of a span in its largest whole unit: "3d", "5h", "12m", "40s".
std::string FormatSpan(std::chrono::milliseconds span);

// A deadline as people read it at `now`: "in 2d" ahead, "overdue 3h" past for an unfinished
// task, "3h ago" past for a finished one, "now" within a minute either way.
std::string FormatDue(Instant due, Instant now, bool unfinished);

}  // namespace kaizen::cli
