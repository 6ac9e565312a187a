// WorkingCalendar: when a team works, so that reminders reach people during working time.
//
// A calendar is a named IANA time zone, the working weekdays (Monday to Friday unless told),
// one or more working periods a day in local wall-clock time (09:00-18:00, or 09:00-12:00 and
// 13:30-18:00 with a lunch break), holidays (dates that are not worked although their weekday
// is) and extra working days (dates that are worked although their weekday is not, as in the
// Chinese adjusted working weekends: 调休). A date that is both is refused.
//
// All answers are computed from UTC instants in the calendar's zone with date/tz, never in the
// machine's zone. Across DST changes the calendar follows the local wall clock: after spring
// forward a period that starts inside the skipped hour starts at the first instant after the
// gap; after fall back a period that covers the repeated hour is worked in both passes.
//
// Immutable after Create(); copyable; any thread may call its const methods.
#pragma once

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/status.h"
#include "workflow/time.h"

namespace kaizen {

// A working period of one day in local wall-clock time: [begin, end), minutes since midnight;
// end may be 24:00.
struct WorkingPeriod {
  std::chrono::minutes begin{0};
  std::chrono::minutes end{0};
  bool operator==(const WorkingPeriod&) const = default;
};

struct WorkingCalendarOptions {
  std::string time_zone = "UTC";  // IANA name
  std::vector<date::weekday> working_days = {date::Monday, date::Tuesday, date::Wednesday,
                                             date::Thursday, date::Friday};
  std::vector<WorkingPeriod> hours = {{std::chrono::hours{9}, std::chrono::hours{18}}};
  std::vector<date::year_month_day> holidays;
  std::vector<date::year_month_day> extra_working_days;
};

class WorkingCalendar {
 public:
  // Validates the options. Fails with kInvalidArgument and details {"field": name}:
  //   "unknown_time_zone"             time_zone is not an IANA zone known to the tz database
  //   "invalid_working_hours"         a period is empty, reversed, beyond 24:00, or overlaps
  //   another "invalid_calendar_date"         a holiday or extra working day is not a valid date
  //   "calendar_date_conflict"        a date is both a holiday and an extra working day
  //   "calendar_without_working_time" no working weekday or no working period: reminders would
  //                                   have nowhere to go (extra working days alone run out)
  // Repeated weekdays or dates are accepted and count once; periods may be given in any order.
  static Result<WorkingCalendar> Create(const WorkingCalendarOptions& options);

  // Every instant is working time (UTC, every day, 00:00-24:00): nothing is ever shifted.
  static WorkingCalendar AlwaysWorking();

  // Whether `t` falls in a working period of a working day, in the calendar's local time.
  bool IsWorkingTime(Instant t) const;

  // `t` itself when it is working time; otherwise the first later instant that is: the start of
  // the next working period, or the first instant after a DST gap that swallowed a period's
  // start. Always exists for a calendar built by Create().
  Instant NextWorkingInstant(Instant t) const;

  // A holiday is never a working day, an extra working day always is, any other date is one
  // when its weekday is a working day.
  bool IsWorkingDay(date::local_days day) const;

  const date::time_zone& zone() const { return *zone_; }
  // Sorted by begin.
  const std::vector<WorkingPeriod>& hours() const { return hours_; }

 private:
  WorkingCalendar() = default;

  // The first local instant at or after `from` and before `limit` that is working time.
  std::optional<date::local_time<std::chrono::milliseconds>> FirstWorkingLocal(
      date::local_time<std::chrono::milliseconds> from,
      date::local_time<std::chrono::milliseconds> limit) const;

  const date::time_zone* zone_ = nullptr;   // owned by the process-wide tz database
  std::array<bool, 7> working_weekdays_{};  // indexed by weekday::c_encoding() (Sunday = 0)
  std::vector<WorkingPeriod> hours_;
  std::vector<date::local_days> holidays_;            // sorted, unique
  std::vector<date::local_days> extra_working_days_;  // sorted, unique
};

// "09:00-18:00" or "09:00-12:00,13:30-18:00" (blanks around the commas allowed; "24:00" allowed
// as an end). Fails with kInvalidArgument "invalid_working_hours". Overlaps are left for
// WorkingCalendar::Create to judge.
Result<std::vector<WorkingPeriod>> ParseWorkingHours(std::string_view text);

// "mon" or "monday", any case.
std::optional<date::weekday> ParseWeekday(std::string_view text);

// "2026-02-15" (valid dates only).
std::optional<date::year_month_day> ParseCalendarDate(std::string_view text);

}  // namespace kaizen
