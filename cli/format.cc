#include "cli/format.h"

#include <algorithm>
#include <charconv>

#include "workflow/duration.h"

namespace kaizen::cli {
namespace {

struct Range {
  char32_t first;
  char32_t last;
};

// East Asian Wide and Fullwidth blocks, plus the emoji blocks terminals draw two columns wide.
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
    {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

constexpr Range kZeroWidth[] = {
    {0x0300, 0x036F}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
};

bool In(const Range* begin, const Range* end, char32_t c) {
  return std::any_of(begin, end, [c](const Range& r) { return c >= r.first && c <= r.last; });
}

// Decodes the UTF-8 sequence at `i`; advances `i`. Returns U+FFFD (width 1) for a bad byte.
char32_t Decode(std::string_view s, std::size_t& i) {
  auto byte = [&s](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t c = extra == 0 ? b : b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char next = byte(i + static_cast<std::size_t>(k));
    if ((next & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    c = (c << 6) | (next & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return c;
}

std::string Sanitize(std::string cell) {
  for (char& c : cell) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return cell;
}

}  // namespace

std::size_t DisplayWidth(std::string_view text) {
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    char32_t c = Decode(text, i);
    if (In(std::begin(kZeroWidth), std::end(kZeroWidth), c)) continue;
    width += In(std::begin(kWide), std::end(kWide), c) ? 2 : 1;
  }
  return width;
}

std::string Truncate(std::string_view text, std::size_t columns) {
  if (DisplayWidth(text) <= columns) return std::string(text);
  const std::size_t room = columns < 3 ? 0 : columns - 3;
  std::size_t width = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t next = i;
    char32_t c = Decode(text, next);
    std::size_t w = In(std::begin(kZeroWidth), std::end(kZeroWidth), c) ? 0
                    : In(std::begin(kWide), std::end(kWide), c)         ? 2
                                                                        : 1;
    if (width + w > room) break;
    width += w;
    i = next;
  }
  return std::string(text.substr(0, i)) + "...";
}

Table::Table(std::vector<std::string> header) : header_(std::move(header)) {}

std::string Paint(std::string_view text, Color color) {
  const char* code = color == Color::kRed      ? "31"
                     : color == Color::kYellow ? "33"
                     : color == Color::kGreen  ? "32"
                                               : nullptr;
  if (code == nullptr) return std::string(text);
  return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
}

void Table::AddRow(std::vector<std::string> cells, std::vector<Color> colors) {
  for (std::string& cell : cells) cell = Sanitize(std::move(cell));
  rows_.push_back(std::move(cells));
  colors_.push_back(std::move(colors));
}

void Table::AlignRight(std::size_t column) {
  if (right_.size() <= column) right_.resize(column + 1, false);
  right_[column] = true;
}

std::string Table::Render() const {
  std::vector<const std::vector<std::string>*> lines;
  std::vector<const std::vector<Color>*> line_colors;
  static const std::vector<Color> kPlain;
  if (!header_.empty()) {
    lines.push_back(&header_);
    line_colors.push_back(&kPlain);
  }
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    lines.push_back(&rows_[r]);
    line_colors.push_back(&colors_[r]);
  }
  std::vector<std::size_t> widths;
  for (const auto* line : lines) {
    if (widths.size() < line->size()) widths.resize(line->size(), 0);
    for (std::size_t c = 0; c < line->size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth((*line)[c]));
    }
  }
  std::string out;
  for (std::size_t l = 0; l < lines.size(); ++l) {
    const auto* line = lines[l];
    const auto* colors = line_colors[l];
    std::string text;
    // Blanks after the last non-blank cell: trimmed, so that lines carry no trailing blanks
    // even when that cell is painted.
    std::size_t pending = 0;
    for (std::size_t c = 0; c < line->size(); ++c) {
      const std::string& cell = (*line)[c];
      std::size_t pad = widths[c] - DisplayWidth(cell);
      bool right = c < right_.size() && right_[c];
      bool last = c + 1 == line->size();
      if (c > 0) pending += 2;
      if (right) pending += pad;
      std::string_view trimmed = cell;
      while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
      if (!trimmed.empty()) {
        text.append(pending, ' ');
        pending = 0;
        Color color = color_ && c < colors->size() ? (*colors)[c] : Color::kNone;
        text += Paint(trimmed, color);
      }
      pending += cell.size() - trimmed.size();
      if (!right && !last) pending += pad;
    }
    out += text + "\n";
  }
  return out;
}

std::string FormatSpan(std::chrono::milliseconds span) {
  using std::chrono::duration_cast;
  auto seconds = duration_cast<std::chrono::seconds>(span).count();
  if (seconds >= 86400) return std::to_string(seconds / 86400) + "d";
  if (seconds >= 3600) return std::to_string(seconds / 3600) + "h";
  if (seconds >= 60) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

std::string FormatDue(Instant due, Instant now, bool unfinished) {
  auto diff = due - now;
  auto magnitude = diff < diff.zero() ? -diff : diff;
  if (magnitude < std::chrono::minutes(1)) return "now";
  if (diff > diff.zero()) return "in " + FormatSpan(magnitude);
  if (unfinished) return "overdue " + FormatSpan(magnitude);
  return FormatSpan(magnitude) + " ago";
}

std::string FormatAgo(Instant at, Instant now) {
  auto diff = at - now;
  auto magnitude = diff < diff.zero() ? -diff : diff;
  if (magnitude < std::chrono::seconds(1)) return "now";
  if (diff > diff.zero()) return "in " + FormatSpan(magnitude);
  return FormatSpan(magnitude) + " ago";
}

Color DueColor(Instant due, Instant now) {
  if (due < now) return Color::kRed;
  if (due - now < kDueSoon) return Color::kYellow;
  return Color::kNone;
}

std::optional<std::chrono::seconds> ParseShortDuration(std::string_view text) {
  // Beyond a century no deadline makes sense, and the sum stays far from overflowing.
  constexpr std::int64_t kMaxSeconds = 100LL * 366 * 86400;
  if (!text.empty() && (text.front() == 'P' || text.front() == 'p')) {
    std::optional<std::chrono::seconds> iso = ParseIsoDuration(text);
    if (!iso || *iso <= std::chrono::seconds::zero()) return std::nullopt;
    return iso;
  }
  std::chrono::seconds total{0};
  std::size_t i = 0;
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + text.size(), number);
    if (ec != std::errc() || end == text.data() + i || end == text.data() + text.size()) {
      return std::nullopt;
    }
    if (number > kMaxSeconds) return std::nullopt;
    i = static_cast<std::size_t>(end - text.data());
    switch (text[i]) {
      case 'w': total += std::chrono::weeks(number); break;
      case 'd': total += std::chrono::days(number); break;
      case 'h': total += std::chrono::hours(number); break;
      case 'm': total += std::chrono::minutes(number); break;
      case 's': total += std::chrono::seconds(number); break;
      default: return std::nullopt;
    }
    ++i;
    if (total.count() > kMaxSeconds) return std::nullopt;
  }
  if (total <= std::chrono::seconds::zero()) return std::nullopt;
  return total;
}

}  // namespace kaizen::cli
