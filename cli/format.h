// Text layout for kaizenctl: aligned tables that stay aligned with Chinese names, and deadlines
// told relative to now ("in 2d", "overdue 3h"). Pure; any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/time.h"

namespace kaizen::cli {

// Columns a terminal uses for UTF-8 `text`: CJK and other wide characters take two, combining
// marks none. Invalid bytes count as one column each.
std::size_t DisplayWidth(std::string_view text);

// `text` cut to at most `columns` terminal columns, ending in "..." when cut; never splits a
// UTF-8 character.
std::string Truncate(std::string_view text, std::size_t columns);

// Terminal colours for a cell; kNone prints the text as it is.
enum class Color { kNone, kRed, kYellow, kGreen };

// `text` wrapped in the ANSI escape sequences of `color` (SGR 31/33/32, then 0).
std::string Paint(std::string_view text, Color color);

// Rows of cells printed in columns two spaces apart, each as wide as its widest cell. The last
// column is not padded, so lines carry no trailing blanks. Control characters in cells (a
// newline in a title) become spaces so that one row stays one line. Colours are painted after
// the padding is computed, so coloured and plain tables line up the same.
class Table {
 public:
  Table() = default;
  explicit Table(std::vector<std::string> header);
  // `colors` may be shorter than `cells`; missing ones are kNone.
  void AddRow(std::vector<std::string> cells, std::vector<Color> colors = {});
  void AlignRight(std::size_t column);  // for numbers
  void EnableColor(bool enabled) { color_ = enabled; }
  bool empty() const { return rows_.empty(); }
  std::string Render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::vector<Color>> colors_;
  std::vector<bool> right_;
  bool color_ = false;
};

// The length of a span in its largest whole unit: "3d", "5h", "12m", "40s".
std::string FormatSpan(std::chrono::milliseconds span);

// A deadline as people read it at `now`: "in 2d" ahead, "overdue 3h" past for an unfinished
// task, "3h ago" past for a finished one, "now" within a minute either way.
std::string FormatDue(Instant due, Instant now, bool unfinished);

// A moment told relative to `now`: "5m ago" past, "in 30s" ahead, "now" within a second.
std::string FormatAgo(Instant at, Instant now);

// The colour of an unfinished task's deadline: red when passed, yellow when within kDueSoon,
// none otherwise.
inline constexpr std::chrono::hours kDueSoon{48};
Color DueColor(Instant due, Instant now);

// A span as people type it: "2d", "6h", "90m", "30s", "1w", or several ("1d12h"); also an
// ISO 8601 duration ("P2D", "PT6H"). nullopt for anything else, zero and negative included.
std::optional<std::chrono::seconds> ParseShortDuration(std::string_view text);

}  // namespace kaizen::cli
