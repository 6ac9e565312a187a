#include "workflow/cron_rule.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "workflow/internal/text.h"

namespace kaizen {
namespace {

using std::chrono::days;
using std::chrono::seconds;
using LocalSeconds = date::local_seconds;
using SysSeconds = date::sys_seconds;

constexpr std::string_view kMonthAbbreviations[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                    "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::string_view kWeekdayAbbreviations[] = {"SUN", "MON", "TUE", "WED",
                                                      "THU", "FRI", "SAT"};
constexpr std::string_view kMonthNames[] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

// The longest each month can be; February counts its leap day, which does occur.
constexpr unsigned kLongestMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// One field of the rule: its name in messages, its range, and the names its values may have.
struct FieldSpec {
  std::string_view name;
  int min;
  int max;
  // What a valid item looks like, for "'x' is not <what>".
  std::string_view what;
  const std::string_view* value_names = nullptr;  // value_names[i] stands for min_name + i
  int value_name_count = 0;
  int min_name = 0;
  bool day_field = false;  // accepts `?`
};

constexpr FieldSpec kSecond{"second", 0, 59, "a second (0-59)"};
constexpr FieldSpec kMinute{"minute", 0, 59, "a minute (0-59)"};
constexpr FieldSpec kHour{"hour", 0, 23, "an hour (0-23)"};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, "a day of the month (1-31, L, LW or nW)",
                                nullptr,        0, 0,  true};
constexpr FieldSpec kMonth{"month", 1, 12, "a month (1-12 or JAN-DEC)", kMonthAbbreviations, 12, 1};
// 7 is Sunday as well as 0; it is folded onto 0 once parsed.
constexpr FieldSpec kDayOfWeek{
    "day-of-week",         0, 7, "a day of the week (0-7 or SUN-SAT, d#n or dL)",
    kWeekdayAbbreviations, 7, 0, true};

using Values = std::bitset<64>;  // bit v set: value v is in the field

Status RuleError(std::string_view field, std::string message) {
  return InvalidArgument("invalid_schedule_rule", std::string(field) + ": " + message,
                         {{"field", std::string(field)}});
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A run of digits; values too large for the counter saturate, which is out of any range anyway.
int64_t DigitsValue(std::string_view digits) {
  int64_t v = 0;
  for (char c : digits) {
    v = std::min<int64_t>(v * 10 + (c - '0'), 1'000'000'000);
  }
  return v;
}

std::string RangeText(const FieldSpec& spec) {
  return std::to_string(spec.min) + "-" + std::to_string(spec.max);
}

// A single value: a number in the field's range or one of its names, in any case.
Result<int> ParseValue(const FieldSpec& spec, std::string_view token) {
  if (AllDigits(token)) {
    const int64_t v = DigitsValue(token);
    if (v < spec.min || v > spec.max) {
      return RuleError(spec.name, std::string(token) + " is out of range " + RangeText(spec));
    }
    return static_cast<int>(v);
  }
  const std::string upper = Upper(token);
  for (int i = 0; i < spec.value_name_count; ++i) {
    if (upper == spec.value_names[i]) return spec.min_name + i;
  }
  return RuleError(spec.name, "'" + std::string(token) + "' is not " + std::string(spec.what));
}

Result<int> ParseStep(const FieldSpec& spec, std::string_view item, std::string_view step) {
  if (!AllDigits(step)) {
    return RuleError(spec.name, "'" + std::string(item) + "': the step after / must be a number");
  }
  const int64_t v = DigitsValue(step);
  if (v == 0) {
    return RuleError(spec.name, "'" + std::string(item) + "': the step must be at least 1");
  }
  return static_cast<int>(std::min<int64_t>(v, spec.max + 1));
}

// "17-23,0-9" for a backwards "17-9", in the words the user wrote (names stay names; a
// day-of-week range ends on 6 rather than on 7, the Sunday that the second range starts with).
std::string SplitRangeSuggestion(const FieldSpec& spec, std::string_view low,
                                 std::string_view high) {
  const bool named = !AllDigits(low);
  const int top = &spec == &kDayOfWeek ? 6 : spec.max;
  const std::string top_text =
      named ? std::string(spec.value_names[top - spec.min_name]) : std::to_string(top);
  const std::string bottom_text =
      named ? std::string(spec.value_names[spec.min - spec.min_name]) : std::to_string(spec.min);
  return std::string(low) + "-" + top_text + "," + bottom_text + "-" + std::string(high);
}

// `*`, `?`, `a`, `a-b`, each optionally followed by `/step`.
Result<Values> ParseStandardItem(const FieldSpec& spec, std::string_view item) {
  std::string_view base = item;
  int step = 1;
  bool stepped = false;
  if (const size_t slash = item.find('/'); slash != std::string_view::npos) {
    auto parsed = ParseStep(spec, item, item.substr(slash + 1));
    if (!parsed.ok()) return parsed.status();
    step = *parsed;
    stepped = true;
    base = item.substr(0, slash);
  }
  int first = spec.min;
  int last = spec.max;
  if (base == "?") {
    if (!spec.day_field) {
      return RuleError(spec.name, "? is only allowed in day-of-month and day-of-week");
    }
    if (stepped) return RuleError(spec.name, "'" + std::string(item) + "': ? takes no step");
  } else if (base != "*") {
    if (base.empty()) {
      return RuleError(spec.name, "'" + std::string(item) + "' has no value before /");
    }
    const size_t dash = base.find('-');
    if (dash == 0 || dash + 1 == base.size()) {
      return RuleError(spec.name, "'" + std::string(item) + "' is not " + std::string(spec.what));
    }
    auto low = ParseValue(spec, base.substr(0, dash));
    if (!low.ok()) return low.status();
    first = *low;
    if (dash != std::string_view::npos) {
      const std::string_view high_text = base.substr(dash + 1);
      auto high = ParseValue(spec, high_text);
      if (!high.ok()) return high.status();
      last = *high;
      // SUN is 0, but at the end of a range it means the Sunday that ends the week: FRI-SUN.
      if (&spec == &kDayOfWeek && Upper(high_text) == "SUN") last = 7;
      if (last < first) {
        return RuleError(spec.name,
                         "range " + std::string(base) + " runs backwards; write " +
                             SplitRangeSuggestion(spec, base.substr(0, dash), high_text));
      }
    } else if (!stepped) {
      last = first;
    }
  }
  Values values;
  for (int v = first; v <= last; v += step) values.set(static_cast<size_t>(v));
  return values;
}

// Splits a field on commas; an empty item is an error (a stray comma is a typo, not "nothing").
Result<std::vector<std::string_view>> SplitItems(const FieldSpec& spec, std::string_view field) {
  std::vector<std::string_view> items;
  std::string_view rest = field;
  for (;;) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    if (item.empty()) {
      return RuleError(spec.name, "empty item in '" + std::string(field) + "'");
    }
    items.push_back(item);
    if (comma == std::string_view::npos) return items;
    rest.remove_prefix(comma + 1);
  }
}

// A plain field (second, minute, hour, month): the union of its items.
Result<Values> ParsePlainField(const FieldSpec& spec, std::string_view text) {
  auto items = SplitItems(spec, text);
  if (!items.ok()) return items.status();
  Values values;
  for (std::string_view item : *items) {
    auto parsed = ParseStandardItem(spec, item);
    if (!parsed.ok()) return parsed.status();
    values |= *parsed;
  }
  return values;
}

bool StartsUnrestricted(std::string_view field) {
  return !field.empty() && (field.front() == '*' || field.front() == '?');
}

std::vector<std::string_view> SplitBlanks(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const size_t begin = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > begin) words.push_back(text.substr(begin, i - begin));
  }
  return words;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The 5-field form each macro stands for.
std::optional<std::string_view> ExpandMacro(std::string_view macro) {
  const std::string upper = Upper(macro);
  if (upper == "@YEARLY" || upper == "@ANNUALLY") return "0 0 1 1 *";
  if (upper == "@MONTHLY") return "0 0 1 * *";
  if (upper == "@WEEKLY") return "0 0 * * 0";
  if (upper == "@DAILY" || upper == "@MIDNIGHT") return "0 0 * * *";
  if (upper == "@HOURLY") return "0 * * * *";
  return std::nullopt;
}

date::weekday WeekdayOf(date::year_month_day date) { return date::weekday{date::sys_days{date}}; }

// The day of the month that `nW` means in a month whose day n exists (see the header).
unsigned NearestWeekday(date::year_month_day nth_day, unsigned last_day) {
  const unsigned n = static_cast<unsigned>(nth_day.day());
  const date::weekday weekday = WeekdayOf(nth_day);
  if (weekday == date::Saturday) return n == 1 ? 3 : n - 1;
  if (weekday == date::Sunday) return n == last_day ? n - 2 : n + 1;
  return n;
}

unsigned LastWeekdayOfMonth(date::year_month ym, unsigned last_day) {
  const date::weekday weekday = WeekdayOf(ym / date::day{last_day});
  if (weekday == date::Saturday) return last_day - 1;
  if (weekday == date::Sunday) return last_day - 2;
  return last_day;
}

LocalSeconds ToLocal(SysSeconds t, seconds offset) {
  return LocalSeconds{t.time_since_epoch() + offset};
}

}  // namespace

Result<CronRule> ParseCronRule(std::string_view text) {
  CronRule rule;
  const std::string_view trimmed = Trim(text);
  rule.text_ = std::string(trimmed);
  if (trimmed.empty()) return RuleError("rule", "the rule is empty");

  std::string_view expanded = trimmed;
  if (trimmed.front() == '@') {
    const auto macro = ExpandMacro(trimmed);
    if (!macro) {
      return RuleError("rule", "'" + std::string(trimmed) +
                                   "' is not a macro; use @yearly, @annually, @monthly, @weekly, "
                                   "@daily, @midnight or @hourly");
    }
    expanded = *macro;
  }

  std::vector<std::string_view> fields = SplitBlanks(expanded);
  if (fields.size() != 5 && fields.size() != 6) {
    return RuleError("rule", "'" + std::string(trimmed) + "' has " + std::to_string(fields.size()) +
                                 " fields; a rule has 5 (minute hour day-of-month month "
                                 "day-of-week) or 6 with seconds first");
  }
  if (fields.size() == 5) fields.insert(fields.begin(), "0");
  const std::string_view dom_text = fields[3];
  const std::string_view month_text = fields[4];
  const std::string_view dow_text = fields[5];

  auto seconds_values = ParsePlainField(kSecond, fields[0]);
  if (!seconds_values.ok()) return seconds_values.status();
  auto minutes_values = ParsePlainField(kMinute, fields[1]);
  if (!minutes_values.ok()) return minutes_values.status();
  auto hours_values = ParsePlainField(kHour, fields[2]);
  if (!hours_values.ok()) return hours_values.status();
  auto months_values = ParsePlainField(kMonth, month_text);
  if (!months_values.ok()) return months_values.status();
  for (size_t v = 0; v < 60; ++v) {
    rule.seconds_[v] = (*seconds_values)[v];
    rule.minutes_[v] = (*minutes_values)[v];
  }
  for (size_t v = 0; v < 24; ++v) rule.hours_[v] = (*hours_values)[v];
  for (size_t v = 1; v <= 12; ++v) rule.months_[v] = (*months_values)[v];

  // Day-of-month: L, LW and nW besides the standard items.
  {
    auto items = SplitItems(kDayOfMonth, dom_text);
    if (!items.ok()) return items.status();
    for (std::string_view item : *items) {
      const std::string upper = Upper(item);
      if (upper == "L") {
        rule.last_day_of_month_ = true;
      } else if (upper == "LW") {
        rule.last_weekday_of_month_ = true;
      } else if (item.size() > 1 && upper.back() == 'W' &&
                 AllDigits(item.substr(0, item.size() - 1))) {
        auto day = ParseValue(kDayOfMonth, item.substr(0, item.size() - 1));
        if (!day.ok()) return day.status();
        rule.nearest_weekday_to_.push_back(static_cast<unsigned>(*day));
      } else if (upper.find('W') != std::string::npos) {
        return RuleError(kDayOfMonth.name,
                         "'" + std::string(item) + "': W needs one day before it, as in 15W");
      } else if (upper.find('L') != std::string::npos) {
        return RuleError(kDayOfMonth.name, "'" + std::string(item) + "': L stands alone or as LW");
      } else {
        auto parsed = ParseStandardItem(kDayOfMonth, item);
        if (!parsed.ok()) return parsed.status();
        for (size_t v = 1; v <= 31; ++v) {
          if ((*parsed)[v]) rule.days_of_month_.set(v);
        }
      }
    }
  }

  // Day-of-week: d#n and dL besides the standard items; 7 is Sunday.
  {
    auto items = SplitItems(kDayOfWeek, dow_text);
    if (!items.ok()) return items.status();
    for (std::string_view item : *items) {
      const std::string upper = Upper(item);
      if (const size_t hash = item.find('#'); hash != std::string_view::npos) {
        const std::string_view weekday_text = item.substr(0, hash);
        const std::string_view nth_text = item.substr(hash + 1);
        if (weekday_text.empty()) {
          return RuleError(kDayOfWeek.name, "'" + std::string(item) +
                                                "': # needs a weekday before it, as in 1#2 "
                                                "(the second Monday)");
        }
        auto weekday = ParseValue(kDayOfWeek, weekday_text);
        if (!weekday.ok()) return weekday.status();
        if (!AllDigits(nth_text) || DigitsValue(nth_text) < 1 || DigitsValue(nth_text) > 5) {
          return RuleError(kDayOfWeek.name, "'" + std::string(item) +
                                                "': the number after # must be 1-5 (a month "
                                                "has at most five of each weekday)");
        }
        rule.weekday_occurrences_[static_cast<size_t>(*weekday % 7)].set(
            static_cast<size_t>(DigitsValue(nth_text)));
      } else if (item.size() > 1 && upper.back() == 'L') {
        auto weekday = ParseValue(kDayOfWeek, item.substr(0, item.size() - 1));
        if (!weekday.ok()) return weekday.status();
        rule.last_weekday_in_month_.set(static_cast<size_t>(*weekday % 7));
      } else if (upper == "L") {
        return RuleError(kDayOfWeek.name,
                         "L needs a weekday before it, as in 5L (the last Friday of the month)");
      } else {
        auto parsed = ParseStandardItem(kDayOfWeek, item);
        if (!parsed.ok()) return parsed.status();
        for (size_t v = 0; v <= 7; ++v) {
          if ((*parsed)[v]) rule.weekdays_.set(v % 7);
        }
      }
    }
  }
  rule.day_of_month_restricts_ = !StartsUnrestricted(dom_text);
  rule.day_of_week_restricts_ = !StartsUnrestricted(dow_text);

  bool adjacent_hours = false;
  for (size_t h = 0; h < 24; ++h) {
    adjacent_hours = adjacent_hours || (rule.hours_[h] && rule.hours_[(h + 1) % 24]);
  }
  rule.repeats_hourly_or_faster_ =
      rule.seconds_.count() > 1 || rule.minutes_.count() > 1 || adjacent_hours;

  // Refuse a rule that never fires. First the common mistake, a day that no month of the rule
  // has, named plainly; it only matters when day-of-month must match (see the OR rule).
  const bool day_of_month_required = !(rule.day_of_month_restricts_ && rule.day_of_week_restricts_);
  if (day_of_month_required) {
    std::vector<std::string> months_without_day;
    bool some_month_has_day = false;
    for (unsigned m = 1; m <= 12; ++m) {
      if (!rule.months_[m]) continue;
      const unsigned longest = kLongestMonth[m - 1];
      bool has_day = rule.last_day_of_month_ || rule.last_weekday_of_month_;
      for (unsigned d = 1; d <= longest; ++d) has_day = has_day || rule.days_of_month_[d];
      for (unsigned n : rule.nearest_weekday_to_) has_day = has_day || n <= longest;
      if (has_day) {
        some_month_has_day = true;
      } else {
        months_without_day.emplace_back(kMonthNames[m - 1]);
      }
    }
    if (!some_month_has_day) {
      std::string message = std::string(dom_text) + " never occurs in " +
                            internal::JoinAlternatives(months_without_day);
      if (months_without_day.size() == 1) {
        unsigned m = 1;
        while (!rule.months_[m]) ++m;
        message += m == 2 ? ", which has at most 29 days"
                          : ", which has " + std::to_string(kLongestMonth[m - 1]) + " days";
      }
      return RuleError(kDayOfMonth.name, message + ", so the rule would never fire");
    }
  }
  // Then any other combination (`0 0 */31 * 6#5`, AND by the star rule, asks for a fifth
  // Saturday on the 1st): the Gregorian calendar repeats every 400 years, so a date that
  // matches exists in every 400 years or never.
  bool some_date_matches = false;
  for (date::year_month ym = date::year{2000} / 1; ym < date::year{2400} / 1 && !some_date_matches;
       ym += date::months{1}) {
    if (!rule.months_[static_cast<unsigned>(ym.month())]) continue;
    const unsigned last_day = static_cast<unsigned>((ym / date::last).day());
    for (unsigned d = 1; d <= last_day && !some_date_matches; ++d) {
      some_date_matches = rule.MatchesDate(ym / date::day{d});
    }
  }
  if (!some_date_matches) {
    return RuleError("rule", "no date matches day-of-month " + std::string(dom_text) + ", month " +
                                 std::string(month_text) + " and day-of-week " +
                                 std::string(dow_text) + " together, so the rule would never fire");
  }
  return rule;
}

bool CronRule::MatchesDayOfMonth(date::year_month_day date, unsigned last_day) const {
  const unsigned d = static_cast<unsigned>(date.day());
  if (days_of_month_[d]) return true;
  if (last_day_of_month_ && d == last_day) return true;
  const date::year_month ym = date.year() / date.month();
  if (last_weekday_of_month_ && d == LastWeekdayOfMonth(ym, last_day)) return true;
  for (unsigned n : nearest_weekday_to_) {
    if (n <= last_day && NearestWeekday(ym / date::day{n}, last_day) == d) return true;
  }
  return false;
}

bool CronRule::MatchesDayOfWeek(date::year_month_day date, date::weekday weekday,
                                unsigned last_day) const {
  const size_t w = weekday.c_encoding();
  const unsigned d = static_cast<unsigned>(date.day());
  if (weekdays_[w]) return true;
  if (weekday_occurrences_[w][(d - 1) / 7 + 1]) return true;
  return last_weekday_in_month_[w] && d + 7 > last_day;
}

bool CronRule::MatchesDate(date::year_month_day date) const {
  if (!date.ok() || !months_[static_cast<unsigned>(date.month())]) return false;
  const unsigned last_day = static_cast<unsigned>((date.year() / date.month() / date::last).day());
  const bool day_of_month = MatchesDayOfMonth(date, last_day);
  const bool day_of_week = MatchesDayOfWeek(date, WeekdayOf(date), last_day);
  if (day_of_month_restricts_ && day_of_week_restricts_) return day_of_month || day_of_week;
  return day_of_month && day_of_week;
}

std::optional<seconds> CronRule::FirstTimeOfDayAtOrAfter(seconds from) const {
  const auto from_hour = static_cast<size_t>(from.count() / 3600);
  const auto from_minute = static_cast<size_t>(from.count() / 60 % 60);
  const auto from_second = static_cast<size_t>(from.count() % 60);
  for (size_t h = from_hour; h < 24; ++h) {
    if (!hours_[h]) continue;
    const bool same_hour = h == from_hour;
    for (size_t m = same_hour ? from_minute : 0; m < 60; ++m) {
      if (!minutes_[m]) continue;
      const bool same_minute = same_hour && m == from_minute;
      for (size_t s = same_minute ? from_second : 0; s < 60; ++s) {
        if (seconds_[s]) return seconds{static_cast<int64_t>(h * 3600 + m * 60 + s)};
      }
    }
  }
  return std::nullopt;
}

std::optional<LocalSeconds> CronRule::FirstMatchAtOrAfter(LocalSeconds from,
                                                          LocalSeconds limit) const {
  date::local_days day = date::floor<days>(from);
  seconds time_of_day = from - day;
  while (day < limit) {
    const date::year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      // Whole months the rule leaves out are stepped over at once.
      day = date::local_days{(ymd.year() / ymd.month() + date::months{1}) / 1};
      time_of_day = seconds{0};
      continue;
    }
    if (MatchesDate(ymd)) {
      if (const auto t = FirstTimeOfDayAtOrAfter(time_of_day)) {
        const LocalSeconds candidate = day + *t;
        if (candidate < limit) return candidate;
        return std::nullopt;
      }
    }
    day += days{1};
    time_of_day = seconds{0};
  }
  return std::nullopt;
}

std::vector<CronFire> NextFireTimes(const CronRule& rule, const date::time_zone* zone,
                                    Instant after, size_t count, DstGapPolicy gap_policy) {
  std::vector<CronFire> fires;
  if (zone == nullptr || count == 0) return fires;

  // 400 Gregorian years and a margin for the zone's offset.
  constexpr days kSearchSpan{146097 + 2};
  const SysSeconds end_of_9999{date::sys_days{date::year{10000} / 1 / 1}};
  const SysSeconds beginning_of_time{date::sys_days{date::year{1} / 1 / 1}};

  // Fires fall on whole seconds and `after` is excluded.
  SysSeconds from = date::floor<seconds>(after) + seconds{1};
  if (from >= end_of_9999 || from < beginning_of_time) return fires;
  const SysSeconds horizon = std::min(from + kSearchSpan, end_of_9999);
  const bool fixed_time = !rule.RepeatsHourlyOrFaster();
  const bool fire_after_gap = fixed_time && gap_policy == DstGapPolicy::kFireAfterGap;

  const auto emit = [&](SysSeconds at, LocalSeconds scheduled) {
    const date::sys_info info = zone->get_info(at);
    fires.push_back(
        CronFire{Instant{at}, ToLocal(at, info.offset), info.offset, info.abbrev, scheduled});
  };

  // Walk the zone's stretches of constant UTC offset. Within one stretch local time runs
  // alongside UTC, so a local match maps back exactly; the local times between two stretches
  // are a gap (spring forward) or are lived twice (fall back), and are handled at the boundary.
  while (fires.size() < count && from < horizon) {
    const date::sys_info info = zone->get_info(from);
    const bool has_previous = info.begin > beginning_of_time;
    const date::sys_info previous = has_previous ? zone->get_info(info.begin - seconds{1}) : info;

    // Entering a stretch just after a gap: a fixed time the gap swallowed fires now.
    if (fire_after_gap && has_previous && from == info.begin && previous.offset < info.offset) {
      if (const auto skipped = rule.FirstMatchAtOrAfter(ToLocal(info.begin, previous.offset),
                                                        ToLocal(info.begin, info.offset))) {
        emit(from, *skipped);
        from += seconds{1};
        continue;
      }
    }

    LocalSeconds local_from = ToLocal(from, info.offset);
    // Compared this way round because info.end may be the largest representable time.
    const bool last_stretch = info.end >= horizon;
    const LocalSeconds local_limit = ToLocal(last_stretch ? horizon : info.end, info.offset);
    // After fall back, a fixed time already had its first occurrence in the previous stretch.
    if (fixed_time && has_previous && previous.offset > info.offset) {
      local_from = std::max(local_from, ToLocal(info.begin, previous.offset));
    }
    if (const auto local = rule.FirstMatchAtOrAfter(local_from, local_limit)) {
      const SysSeconds at{local->time_since_epoch() - info.offset};
      emit(at, *local);
      from = at + seconds{1};
      continue;
    }
    if (last_stretch) break;
    from = info.end;
  }
  return fires;
}

std::string_view ToString(DstGapPolicy policy) {
  switch (policy) {
    case DstGapPolicy::kFireAfterGap: return "fire_after_gap";
    case DstGapPolicy::kSkip: return "skip";
  }
  return "fire_after_gap";
}

}  // namespace kaizen
