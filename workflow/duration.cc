#include "workflow/duration.h"

#include <cstdint>

namespace kaizen {
namespace {

using std::chrono::seconds;

Status Invalid(std::string_view text, std::string message) {
  return InvalidArgument("invalid_duration",
                         "'" + std::string(text) + "' is not an ISO 8601 duration: " + message,
                         {{"text", std::string(text)}});
}

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

}  // namespace

Result<seconds> DecodeIsoDuration(std::string_view text) {
  constexpr std::string_view kForm = "write it as PnDTnHnMnS or PnW, e.g. P3D, PT2H, P1DT12H, P2W";
  if (text.empty() || Upper(text[0]) != 'P') return Invalid(text, std::string(kForm));

  // Units in the only order ISO 8601 allows; each may appear once. A unit's rank must grow.
  constexpr std::string_view kDateUnits = "YMWD";
  constexpr std::string_view kTimeUnits = "HMS";
  constexpr std::int64_t kDateSeconds[] = {0, 0, 7 * 86400, 86400};
  constexpr std::int64_t kTimeSeconds[] = {3600, 60, 1};

  std::int64_t total = 0;
  bool in_time = false;
  bool any_component = false;
  bool time_component = false;
  bool weeks = false;
  int next_rank = 0;  // the lowest rank still allowed in the current part
  size_t pos = 1;
  while (pos < text.size()) {
    if (Upper(text[pos]) == 'T') {
      if (in_time) return Invalid(text, "'T' appears twice");
      in_time = true;
      next_rank = 0;
      ++pos;
      continue;
    }
    std::int64_t number = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      number = number * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return Invalid(text, std::string(kForm));
    if (digits > 9) return Invalid(text, "a number has more than 9 digits");
    if (pos == text.size()) return Invalid(text, "the last number has no unit");
    if (text[pos] == '.' || text[pos] == ',') {
      return Invalid(text, "fractions are not supported; use a smaller unit (PT90M, not PT1.5H)");
    }
    const char unit = Upper(text[pos]);
    ++pos;
    const std::string_view units = in_time ? kTimeUnits : kDateUnits;
    const size_t rank = units.find(unit);
    if (rank == std::string_view::npos) {
      return Invalid(text, "'" + std::string(1, text[pos - 1]) + "' is not a unit here; " +
                               std::string(kForm));
    }
    if (!in_time && (unit == 'Y' || unit == 'M')) {
      return InvalidArgument(
          "duration_calendar_unit",
          "'" + std::string(text) +
              "' uses years or months, which have no fixed length; write days or weeks instead "
              "(P30D, P4W)",
          {{"text", std::string(text)}});
    }
    if (static_cast<int>(rank) < next_rank) {
      return Invalid(text, "units are repeated or out of order; " + std::string(kForm));
    }
    next_rank = static_cast<int>(rank) + 1;
    if (!in_time && unit == 'W') weeks = true;
    if (in_time) time_component = true;
    any_component = true;
    total += number * (in_time ? kTimeSeconds[rank] : kDateSeconds[rank]);
  }
  if (!any_component) return Invalid(text, "it names no amount; " + std::string(kForm));
  if (in_time && !time_component)
    return Invalid(text, "'T' must be followed by hours, minutes or seconds");
  // ISO 8601-1 writes weeks alone; "P1W2D" is a common slip that would be read differently by
  // other tools, so it is refused rather than guessed.
  if (weeks && (next_rank != 3 || in_time)) {
    return Invalid(text, "weeks cannot be combined with other units; write days (P9D)");
  }
  return seconds{total};
}

std::optional<seconds> ParseIsoDuration(std::string_view text) {
  auto result = DecodeIsoDuration(text);
  if (!result.ok()) return std::nullopt;
  return *result;
}

std::string FormatIsoDuration(seconds d) {
  if (d < seconds{0}) return "-" + FormatIsoDuration(-d);
  if (d == seconds{0}) return "PT0S";
  std::int64_t rest = d.count();
  const std::int64_t days = rest / 86400;
  rest %= 86400;
  const std::int64_t hours = rest / 3600;
  rest %= 3600;
  const std::int64_t minutes = rest / 60;
  const std::int64_t secs = rest % 60;
  std::string out = "P";
  if (days > 0) out += std::to_string(days) + "D";
  if (hours > 0 || minutes > 0 || secs > 0) {
    out += "T";
    if (hours > 0) out += std::to_string(hours) + "H";
    if (minutes > 0) out += std::to_string(minutes) + "M";
    if (secs > 0) out += std::to_string(secs) + "S";
  }
  return out;
}

}  // namespace kaizen
