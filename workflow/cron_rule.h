// CronRule: the calendar rule of a schedule, and the instants at which it fires in a time zone.
//
// Syntax. A rule is 5 fields, "minute hour day-of-month month day-of-week", with the meaning of
// the classic (Vixie) crontab, or 6 fields with seconds first, "second minute hour day-of-month
// month day-of-week" as in Spring and Quartz (not Temporal's year-last form). Fields are
// separated by blanks. The macros are @yearly and @annually (0 0 1 1 *), @monthly (0 0 1 * *),
// @weekly (0 0 * * 0), @daily and @midnight (0 0 * * *) and @hourly (0 * * * *).
//   second 0-59, minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC,
//   day-of-week 0-7 or SUN-SAT, where 0 and 7 are both Sunday (Vixie and Spring numbering:
//   6 is Saturday, unlike Quartz where 6 is Friday).
// Each field is a comma-separated list of items: `*`, a value, a range `a-b`, or either with a
// step: `*/15`, `10-50/20`, `10/20` (= 10-max/20). A step restarts at every larger unit, so
// `*/45` in minutes means :00 and :45 of each hour. Names are case-insensitive. `?` is `*`; as
// in Quartz it belongs only to the two day fields, where it says "this field does not restrict".
// A range must run forwards (`FRI-MON` is refused: write `FRI-SAT,SUN-MON`).
// Day-of-month items may also be `L` (last day of the month), `LW` (last weekday, Monday to
// Friday, of the month) and `nW` (the weekday nearest to day n within the same month: a
// Saturday moves back to Friday and a Sunday forward to Monday, except that `1W` on a Saturday
// is Monday the 3rd and a last day on a Sunday is the Friday before; a month without day n has
// no `nW` day). Day-of-week items may also be `d#n` (the n-th weekday d of the month, n 1-5)
// and `dL` (the last weekday d of the month); d is a number or a name (`FRI#1`, `5L`).
//
// Day-of-month versus day-of-week, exactly as Vixie cron decides it (robfig/cron, cronie): when
// both fields are restricted a day matches if EITHER matches (`0 9 13 * 5` is every 13th and
// every Friday, and `0 9 1-7 * 1` is the 1st to the 7th plus every Monday, not "the first
// Monday": write `0 9 * * 1#1`). A field is unrestricted when its text starts with `*` or `?`,
// and then a day must match BOTH fields; for a plain `*` that simply means only the other field
// restricts. The classic quirk follows: `*/7` in day-of-week starts with `*`, so
// `0 0 1-7 * */7` means "the first Sunday".
//
// A rule that can never fire (`0 0 30 2 *`, `0 0 31 4,6 *`) is refused when parsed, so that a
// search for its next fire never has to give up: February 29 is allowed, since leap years
// exist, and `0 0 30 2 1` is allowed, since by the OR above it fires on Mondays in February.
//
// Time zone. Fires are computed on the wall clock of an IANA zone and returned as UTC instants.
// A rule is one of two kinds, and daylight saving time treats them differently:
//   - A FIXED-TIME rule names times of day more than an hour apart: it has one second value,
//     one minute value, and no two adjacent hours (23 and 0 count as adjacent).
//     `30 2 * * *`, `@daily`, `0 9 1 * *`, `0 9,17 * * *`, `0 */2 * * *` are fixed-time.
//   - Every other rule REPEATS HOURLY OR FASTER: two of its times of day are at most an hour
//     apart. `0 * * * *`, `*/15 9-17 * * *`, `0 9-17 * * *`, `0,30 9 * * *`, and any 6-field
//     rule with more than one second value.
// For a fixed-time rule, a time skipped by a spring-forward gap follows the DstGapPolicy
// (default: fire at the first instant after the gap, as cronie does, because a monthly review
// that silently does not start is worse than one that starts an hour late), and a time
// repeated by a fall-back change fires once, at its first occurrence (cronie, systemd, RFC 5545):
// "01:30" is one moment to the person who wrote it. A repeating rule fires in both copies of a
// repeated hour, because its fires are meant to be an hour or less apart in elapsed time, and
// its times inside a gap simply do not exist (every tool agrees): its next time comes within the
// hour anyway, and firing at the gap's end as well would squeeze two fires closer than the rule
// asks (03:00 and 03:30 for `30 * * * *`).
//
// Thread-safe as values; no I/O.
#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <bitset>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/status.h"
#include "workflow/time.h"

namespace kaizen {

class CronRule;

// Fails with kInvalidArgument, reason "invalid_schedule_rule", a message that names the field
// and what is wrong ("day-of-month: 32 is out of range 1-31") and details {"field": name}, the
// name being one of second, minute, hour, day-of-month, month, day-of-week, or "rule" for the
// rule as a whole (empty, wrong number of fields, unknown macro).
Result<CronRule> ParseCronRule(std::string_view text);

class CronRule {
 public:
  // The text the rule was parsed from, blanks at both ends removed.
  const std::string& text() const { return text_; }

  // False for a fixed-time rule, true for a rule that repeats hourly or faster (see above).
  bool RepeatsHourlyOrFaster() const { return repeats_hourly_or_faster_; }

  // Whether the rule's day fields and month accept this date (calendar only, no time of day).
  bool MatchesDate(date::year_month_day date) const;

  // The first local time in [from, limit) whose date and time of day match, if any.
  std::optional<date::local_seconds> FirstMatchAtOrAfter(date::local_seconds from,
                                                         date::local_seconds limit) const;

 private:
  friend Result<CronRule> ParseCronRule(std::string_view text);
  CronRule() = default;

  bool MatchesDayOfMonth(date::year_month_day date, unsigned last_day) const;
  bool MatchesDayOfWeek(date::year_month_day date, date::weekday weekday, unsigned last_day) const;
  // The first matching time of day at or after `from` (seconds since midnight), if any.
  std::optional<std::chrono::seconds> FirstTimeOfDayAtOrAfter(std::chrono::seconds from) const;

  std::string text_;
  std::bitset<60> seconds_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<13> months_;  // 1-12
  // Day-of-month: plain days (1-31), L, LW, and the n of each nW.
  std::bitset<32> days_of_month_;
  bool last_day_of_month_ = false;
  bool last_weekday_of_month_ = false;
  std::vector<unsigned> nearest_weekday_to_;
  // Day-of-week, indexed by weekday::c_encoding() (Sunday = 0): plain weekdays, d#n (bit n of
  // weekday_occurrences_[d]) and dL.
  std::bitset<7> weekdays_;
  std::array<std::bitset<6>, 7> weekday_occurrences_{};
  std::bitset<7> last_weekday_in_month_;
  // Vixie's rule: a day field whose text starts with `*` or `?` does not restrict.
  bool day_of_month_restricts_ = false;
  bool day_of_week_restricts_ = false;
  bool repeats_hourly_or_faster_ = false;
};

// What a fixed-time rule does with a local time that a spring-forward gap skips.
enum class DstGapPolicy {
  kFireAfterGap,  // fire at the first instant after the gap (the default; cronie)
  kSkip,          // do not fire that day (systemd, Quartz, Temporal)
};

// One fire of a rule.
struct CronFire {
  // When to fire, in UTC: strictly increasing over a search, and unique even across the
  // repeated hour, so a cycle can be keyed by it.
  Instant at;
  // The wall-clock time at `at` in the zone, its offset from UTC and the zone's abbreviation
  // ("EDT", "+08"): what a person is shown.
  date::local_seconds local_time;
  std::chrono::seconds utc_offset{0};
  std::string zone_abbreviation;
  // The local time the rule named. It differs from local_time only when a DST gap moved the
  // fire (the rule said 02:30, the clock jumped from 02:00 to 03:00, the fire is at 03:00).
  date::local_seconds scheduled_local_time;

  bool operator==(const CronFire&) const = default;
};

// The first `count` fires of `rule` in `zone` (must not be null) strictly after `after`.
//
// The search is bounded: it looks 400 years past `after` (the Gregorian calendar repeats every
// 400 years, so a rule that parsed has a matching date in any such window) and never past the
// end of year 9999. With kFireAfterGap a fixed-time rule therefore always yields `count` fires
// before 9999; fewer come back only when the remaining times all fall into DST gaps (kSkip, or
// a repeating rule whose only times lie inside a gap). `count` is not capped here: a caller
// that takes it from a request caps it.
//
// Zone rules are date/tz's. Built with the system's tz database (USE_OS_TZDB, as kaizen is),
// date/tz knows only the transitions the TZif files list, up to 2037 for Debian's "fat" files,
// and keeps the last offset after that (HowardHinnant/date#794): fires after 2037 ignore DST.
std::vector<CronFire> NextFireTimes(const CronRule& rule, const date::time_zone* zone,
                                    Instant after, size_t count,
                                    DstGapPolicy gap_policy = DstGapPolicy::kFireAfterGap);

std::string_view ToString(DstGapPolicy policy);

}  // namespace kaizen
