#include "workflow/working_calendar.h"

#include <gtest/gtest.h>

namespace kaizen {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

date::year_month_day Day(const char* text) { return ParseCalendarDate(text).value(); }

WorkingCalendar Make(WorkingCalendarOptions options) {
  auto calendar = WorkingCalendar::Create(options);
  if (!calendar.ok()) ADD_FAILURE() << calendar.status().ToString();
  return std::move(calendar).value();
}

WorkingCalendarOptions Shanghai() {
  WorkingCalendarOptions options;
  options.time_zone = "Asia/Shanghai";
  return options;
}

const std::vector<date::weekday> kEveryDay = {date::Monday,   date::Tuesday, date::Wednesday,
                                              date::Thursday, date::Friday,  date::Saturday,
                                              date::Sunday};

// A calendar that works every day from `begin` to `end` local time, to put period edges right
// next to the DST changes.
WorkingCalendar EveryDay(const char* zone, minutes begin, minutes end) {
  WorkingCalendarOptions options;
  options.time_zone = zone;
  options.working_days = kEveryDay;
  options.hours = {{begin, end}};
  return Make(options);
}

TEST(WorkingCalendar, WorkingTimeIsIdentity) {
  const WorkingCalendar calendar = Make(Shanghai());
  const Instant t = At("2026-11-25T10:15:30.250+08:00");  // Wednesday
  EXPECT_TRUE(calendar.IsWorkingTime(t));
  EXPECT_EQ(calendar.NextWorkingInstant(t), t);
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-11-25T09:00:00+08:00")));
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-11-25T17:59:59.999+08:00")));
  EXPECT_FALSE(calendar.IsWorkingTime(At("2026-11-25T18:00:00+08:00")));
  EXPECT_FALSE(calendar.IsWorkingTime(At("2026-11-25T08:59:59.999+08:00")));
}

TEST(WorkingCalendar, EveningMovesToNextMorning) {
  const WorkingCalendar calendar = Make(Shanghai());
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-25T19:30:00+08:00")),
            At("2026-11-26T09:00:00+08:00"));
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-25T18:00:00+08:00")),
            At("2026-11-26T09:00:00+08:00"));
  // Early morning stays on the same day.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-26T07:00:00+08:00")),
            At("2026-11-26T09:00:00+08:00"));
  // The local day, not the UTC day, decides: 23:30 UTC Wednesday is Thursday 07:30 in Shanghai.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-25T23:30:00Z")),
            At("2026-11-26T09:00:00+08:00"));
}

TEST(WorkingCalendar, WeekendMovesToMonday) {
  const WorkingCalendar calendar = Make(Shanghai());
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-27T18:30:00+08:00")),  // Friday evening
            At("2026-11-30T09:00:00+08:00"));
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-28T10:00:00+08:00")),  // Saturday
            At("2026-11-30T09:00:00+08:00"));
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-29T23:59:00+08:00")),  // Sunday night
            At("2026-11-30T09:00:00+08:00"));
  EXPECT_FALSE(calendar.IsWorkingTime(At("2026-11-28T10:00:00+08:00")));
}

TEST(WorkingCalendar, LunchBreakMovesToAfternoon) {
  WorkingCalendarOptions options = Shanghai();
  options.hours = *ParseWorkingHours("13:30-18:00, 09:00-12:00");  // any order
  const WorkingCalendar calendar = Make(options);
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-11-25T11:59:00+08:00")));
  EXPECT_FALSE(calendar.IsWorkingTime(At("2026-11-25T12:00:00+08:00")));
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-25T12:15:00+08:00")),
            At("2026-11-25T13:30:00+08:00"));
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-25T13:30:00+08:00")),
            At("2026-11-25T13:30:00+08:00"));
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-25T08:00:00+08:00")),
            At("2026-11-25T09:00:00+08:00"));
  EXPECT_EQ(calendar.hours().front().begin, hours{9});
}

TEST(WorkingCalendar, HolidaysAreSkipped) {
  WorkingCalendarOptions options = Shanghai();
  for (const char* d : {"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"}) {
    options.holidays.push_back(Day(d));
  }
  const WorkingCalendar calendar = Make(options);
  EXPECT_FALSE(calendar.IsWorkingDay(date::local_days{Day("2026-10-01")}));  // a Thursday
  EXPECT_FALSE(calendar.IsWorkingTime(At("2026-10-02T10:00:00+08:00")));
  // From the last evening before the holidays straight to the first day back.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-09-30T18:30:00+08:00")),
            At("2026-10-08T09:00:00+08:00"));
}

TEST(WorkingCalendar, ChineseAdjustedWorkingWeekendsAreWorked) {
  // Spring Festival 2026: 02-15 (Sunday) to 02-23 off; Saturdays 02-14 and 02-28 worked. And a
  // worked Sunday, as the National Day arrangements have (2026-09-20).
  WorkingCalendarOptions options = Shanghai();
  for (int d = 15; d <= 23; ++d) {
    options.holidays.push_back(date::year{2026} / date::February / date::day(d));
  }
  options.extra_working_days = {Day("2026-02-14"), Day("2026-02-28"), Day("2026-09-20")};
  const WorkingCalendar calendar = Make(options);

  EXPECT_TRUE(calendar.IsWorkingDay(date::local_days{Day("2026-02-14")}));
  EXPECT_FALSE(calendar.IsWorkingDay(date::local_days{Day("2026-02-15")}));
  EXPECT_FALSE(calendar.IsWorkingDay(date::local_days{Day("2026-02-16")}));  // a Monday off
  EXPECT_TRUE(calendar.IsWorkingDay(date::local_days{Day("2026-09-20")}));   // a Sunday
  EXPECT_FALSE(calendar.IsWorkingDay(date::local_days{Day("2026-09-19")}));  // plain Saturday

  // Friday evening before the festival: the adjusted Saturday is next.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-02-13T19:00:00+08:00")),
            At("2026-02-14T09:00:00+08:00"));
  // Saturday evening: nine days off, back on Tuesday the 24th.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-02-14T18:30:00+08:00")),
            At("2026-02-24T09:00:00+08:00"));
  // A plain Saturday rolls into the worked Sunday.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-09-19T10:00:00+08:00")),
            At("2026-09-20T09:00:00+08:00"));
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-09-20T10:00:00+08:00")));
}

TEST(WorkingCalendar, PeriodStartingInsideTheSpringGapStartsAfterIt) {
  // Berlin: 2026-03-29 02:00 CET jumps to 03:00 CEST (01:00Z); 02:30 never happens that night.
  const WorkingCalendar berlin = EveryDay("Europe/Berlin", hours{2} + minutes{30}, hours{6});
  EXPECT_EQ(berlin.NextWorkingInstant(At("2026-03-29T00:00:00Z")),  // 01:00 CET
            At("2026-03-29T01:00:00Z"));                            // 03:00 CEST
  EXPECT_TRUE(berlin.IsWorkingTime(At("2026-03-29T01:00:00Z")));
  EXPECT_FALSE(berlin.IsWorkingTime(At("2026-03-29T00:59:59Z")));
  // The day before and after, 02:30 exists and is used.
  EXPECT_EQ(berlin.NextWorkingInstant(At("2026-03-28T00:00:00Z")), At("2026-03-28T01:30:00Z"));
  EXPECT_EQ(berlin.NextWorkingInstant(At("2026-03-29T05:00:00Z")), At("2026-03-30T00:30:00Z"));

  // New York: 2026-03-08 02:00 EST jumps to 03:00 EDT (07:00Z).
  const WorkingCalendar new_york = EveryDay("America/New_York", hours{2} + minutes{30}, hours{6});
  EXPECT_EQ(new_york.NextWorkingInstant(At("2026-03-08T06:00:00Z")),  // 01:00 EST
            At("2026-03-08T07:00:00Z"));                              // 03:00 EDT
  EXPECT_EQ(new_york.NextWorkingInstant(At("2026-03-07T12:00:00Z")), At("2026-03-08T07:00:00Z"));
}

TEST(WorkingCalendar, OfficeHoursFollowTheLocalClockAcrossDst) {
  WorkingCalendarOptions berlin_options;
  berlin_options.time_zone = "Europe/Berlin";
  const WorkingCalendar berlin = Make(berlin_options);
  // Friday evening in CET, Monday 09:00 in CEST.
  EXPECT_EQ(berlin.NextWorkingInstant(At("2026-03-27T18:30:00+01:00")), At("2026-03-30T07:00:00Z"));
  // Friday evening in CEST, Monday 09:00 in CET (fall back on Sunday 2026-10-25).
  EXPECT_EQ(berlin.NextWorkingInstant(At("2026-10-23T19:00:00+02:00")), At("2026-10-26T08:00:00Z"));

  WorkingCalendarOptions ny_options;
  ny_options.time_zone = "America/New_York";
  const WorkingCalendar new_york = Make(ny_options);
  // Fall back on Sunday 2026-11-01: Monday 09:00 EST is 14:00Z, not 13:00Z.
  EXPECT_EQ(new_york.NextWorkingInstant(At("2026-10-30T19:00:00-04:00")),
            At("2026-11-02T14:00:00Z"));
  EXPECT_TRUE(new_york.IsWorkingTime(At("2026-11-02T14:00:00Z")));
  EXPECT_FALSE(new_york.IsWorkingTime(At("2026-11-02T13:30:00Z")));
}

TEST(WorkingCalendar, RepeatedHourAtFallBackIsWorkedInBothPasses) {
  // Berlin: 2026-10-25 03:00 CEST goes back to 02:00 CET at 01:00Z; 02:00-03:00 happens twice.
  const WorkingCalendar calendar = EveryDay("Europe/Berlin", hours{1}, hours{2} + minutes{30});
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-10-25T00:15:00Z")));   // 02:15 CEST
  EXPECT_FALSE(calendar.IsWorkingTime(At("2026-10-25T00:45:00Z")));  // 02:45 CEST
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-10-25T01:15:00Z")));   // 02:15 CET
  // After the first pass ends, working time resumes when the clock turns back, not tomorrow.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-10-25T00:45:00Z")), At("2026-10-25T01:00:00Z"));
  // After the second pass, tomorrow 01:00 CET.
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-10-25T01:30:00Z")), At("2026-10-26T00:00:00Z"));
}

TEST(WorkingCalendar, NextWorkingInstantIsTheFirstWorkingInstant) {
  // Every answer is working time and nothing earlier (on a 5-minute grid) is, across both DST
  // changes of 2026 in three zones, with a lunch break and a holiday.
  for (const char* zone : {"Europe/Berlin", "America/New_York", "Asia/Shanghai"}) {
    WorkingCalendarOptions options;
    options.time_zone = zone;
    options.hours = *ParseWorkingHours("00:30-02:45,09:00-12:00,13:30-18:00");
    options.holidays = {Day("2026-03-30"), Day("2026-10-26")};
    const WorkingCalendar calendar = Make(options);
    for (const char* start : {"2026-03-05T00:00:00Z", "2026-03-26T00:00:00Z",
                              "2026-10-22T00:00:00Z", "2026-10-29T00:00:00Z"}) {
      for (Instant t = At(start); t < At(start) + hours{24 * 7}; t += minutes{97}) {
        const Instant next = calendar.NextWorkingInstant(t);
        ASSERT_GE(next, t);
        ASSERT_TRUE(calendar.IsWorkingTime(next)) << zone << " " << FormatRfc3339(t);
        if (next == t) continue;
        for (Instant probe = t; probe < next; probe += minutes{5}) {
          ASSERT_FALSE(calendar.IsWorkingTime(probe))
              << zone << " from " << FormatRfc3339(t) << " next " << FormatRfc3339(next)
              << " but working at " << FormatRfc3339(probe);
        }
        ASSERT_FALSE(calendar.IsWorkingTime(next - milliseconds{1})) << zone;
      }
    }
  }
}

TEST(WorkingCalendar, AlwaysWorkingNeverShifts) {
  const WorkingCalendar calendar = WorkingCalendar::AlwaysWorking();
  for (const char* t :
       {"2026-11-28T03:00:00Z", "2026-11-29T23:59:59.999Z", "2026-03-08T07:00:00Z"}) {
    EXPECT_TRUE(calendar.IsWorkingTime(At(t)));
    EXPECT_EQ(calendar.NextWorkingInstant(At(t)), At(t));
  }
}

TEST(WorkingCalendar, UtcCalendarWorksWithoutZoneTransitions) {
  WorkingCalendarOptions options;  // UTC, Monday to Friday, 09:00-18:00
  const WorkingCalendar calendar = Make(options);
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-28T10:00:00Z")), At("2026-11-30T09:00:00Z"));
}

void ExpectRejected(const WorkingCalendarOptions& options, const std::string& reason,
                    const std::string& field) {
  auto calendar = WorkingCalendar::Create(options);
  ASSERT_FALSE(calendar.ok()) << reason;
  EXPECT_EQ(calendar.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(calendar.status().reason(), reason);
  EXPECT_EQ(calendar.status().details()["field"], field);
}

TEST(WorkingCalendar, RejectsUnknownTimeZone) {
  WorkingCalendarOptions options;
  options.time_zone = "Mars/Olympus_Mons";
  ExpectRejected(options, "unknown_time_zone", "time_zone");
  options.time_zone = "";
  ExpectRejected(options, "unknown_time_zone", "time_zone");
}

TEST(WorkingCalendar, RejectsCalendarWithoutWorkingTime) {
  WorkingCalendarOptions no_days = Shanghai();
  no_days.working_days.clear();
  no_days.extra_working_days = {Day("2026-02-14")};  // runs out after one day
  ExpectRejected(no_days, "calendar_without_working_time", "working_days");
  WorkingCalendarOptions no_hours = Shanghai();
  no_hours.hours.clear();
  ExpectRejected(no_hours, "calendar_without_working_time", "hours");
}

TEST(WorkingCalendar, RejectsBadHoursAndDates) {
  WorkingCalendarOptions options = Shanghai();
  options.hours = {{hours{18}, hours{9}}};
  ExpectRejected(options, "invalid_working_hours", "hours");
  options.hours = {{hours{9}, hours{9}}};
  ExpectRejected(options, "invalid_working_hours", "hours");
  options.hours = {{hours{9}, hours{25}}};
  ExpectRejected(options, "invalid_working_hours", "hours");
  options.hours = {{hours{9}, hours{13}}, {hours{12}, hours{18}}};
  ExpectRejected(options, "invalid_working_hours", "hours");

  options = Shanghai();
  options.holidays = {date::year{2026} / date::February / date::day{30}};
  ExpectRejected(options, "invalid_calendar_date", "holidays[0]");
  options = Shanghai();
  options.holidays = {Day("2026-02-14")};
  options.extra_working_days = {Day("2026-02-14")};
  ExpectRejected(options, "calendar_date_conflict", "extra_working_days");
}

TEST(WorkingCalendar, AcceptsWholeDayAndAdjacentPeriods) {
  WorkingCalendarOptions options = Shanghai();
  options.hours = *ParseWorkingHours("00:00-12:00,12:00-24:00");
  const WorkingCalendar calendar = Make(options);
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-11-25T23:59:00+08:00")));
  EXPECT_TRUE(calendar.IsWorkingTime(At("2026-11-25T12:00:00+08:00")));
  EXPECT_EQ(calendar.NextWorkingInstant(At("2026-11-28T12:00:00+08:00")),
            At("2026-11-30T00:00:00+08:00"));
}

TEST(WorkingCalendarParsing, ParsesWorkingHours) {
  auto one = ParseWorkingHours("09:00-18:00");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, (std::vector<WorkingPeriod>{{hours{9}, hours{18}}}));
  auto two = ParseWorkingHours("09:00-12:00, 13:30-18:00");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, (std::vector<WorkingPeriod>{{hours{9}, hours{12}},
                                              {hours{13} + minutes{30}, hours{18}}}));
  EXPECT_TRUE(ParseWorkingHours("00:00-24:00").ok());
  for (const char* bad :
       {"", " ", "9:00-18:00", "09:00", "09:00-", "18:00-09:00", "09:00-24:30", "09:60-10:00",
        "25:00-26:00", "09:00-12:00,", "09:00-12:00;13:00-14:00"}) {
    auto result = ParseWorkingHours(bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.status().reason(), "invalid_working_hours");
  }
}

TEST(WorkingCalendarParsing, ParsesWeekdaysAndDates) {
  EXPECT_EQ(ParseWeekday("mon"), date::Monday);
  EXPECT_EQ(ParseWeekday("Sunday"), date::Sunday);
  EXPECT_EQ(ParseWeekday("SAT"), date::Saturday);
  EXPECT_FALSE(ParseWeekday("mo").has_value());
  EXPECT_FALSE(ParseWeekday("").has_value());
  EXPECT_EQ(ParseCalendarDate("2026-02-15"), date::year{2026} / date::February / date::day{15});
  EXPECT_FALSE(ParseCalendarDate("2026-02-30").has_value());
  EXPECT_FALSE(ParseCalendarDate("2026-2-15").has_value());
}

}  // namespace
}  // namespace kaizen
