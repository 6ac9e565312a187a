#include "workflow/cron_rule.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kaizen {
namespace {

using std::chrono::milliseconds;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

CronRule Rule(const char* text) {
  auto rule = ParseCronRule(text);
  if (!rule.ok()) {
    ADD_FAILURE() << text << ": " << rule.status().ToString();
    return ParseCronRule("* * * * *").value();
  }
  return std::move(rule).value();
}

// A fire as a person checks it, like systemd-analyze calendar: the UTC instant, the local wall
// clock with the zone's abbreviation, and the time the rule named when a DST gap moved it.
std::string Show(const CronFire& fire) {
  std::string out = FormatRfc3339(fire.at) + " " + date::format("%F %T", fire.local_time) + " " +
                    fire.zone_abbreviation;
  if (fire.scheduled_local_time != fire.local_time) {
    out += " (for " + date::format("%T", fire.scheduled_local_time) + ")";
  }
  return out;
}

std::vector<std::string> Fires(const char* rule, const char* zone, const char* after, size_t count,
                               DstGapPolicy policy = DstGapPolicy::kFireAfterGap) {
  std::vector<std::string> out;
  for (const CronFire& fire :
       NextFireTimes(Rule(rule), date::locate_zone(zone), At(after), count, policy)) {
    out.push_back(Show(fire));
  }
  return out;
}

// Only the UTC instants, for the cases where the zone is UTC and the day is what matters.
std::vector<std::string> Utc(const char* rule, const char* after, size_t count) {
  std::vector<std::string> out;
  for (const CronFire& fire :
       NextFireTimes(Rule(rule), date::locate_zone("UTC"), At(after), count)) {
    out.push_back(FormatRfc3339(fire.at));
  }
  return out;
}

using Strings = std::vector<std::string>;

// --- Fields -----------------------------------------------------------------------------------

TEST(CronRule, FiveFieldsAreMinuteHourDayMonthWeekday) {
  EXPECT_EQ(Utc("30 9 * * *", "2026-01-01T00:00:00Z", 2),
            (Strings{"2026-01-01T09:30:00Z", "2026-01-02T09:30:00Z"}));
  EXPECT_EQ(Utc("0 12 15 6 *", "2026-01-01T00:00:00Z", 2),
            (Strings{"2026-06-15T12:00:00Z", "2027-06-15T12:00:00Z"}));
  // Blanks and tabs of any length separate fields.
  EXPECT_EQ(Utc("  30\t9   * *  * ", "2026-01-01T00:00:00Z", 1), (Strings{"2026-01-01T09:30:00Z"}));
}

TEST(CronRule, SixFieldsStartWithSeconds) {
  // Spring/Quartz order, not Temporal's year-last form: the first field is the second.
  EXPECT_EQ(Utc("15 30 9 * * *", "2026-01-01T00:00:00Z", 2),
            (Strings{"2026-01-01T09:30:15Z", "2026-01-02T09:30:15Z"}));
  EXPECT_EQ(Utc("*/20 * * * * *", "2026-01-01T10:00:00Z", 4),
            (Strings{"2026-01-01T10:00:20Z", "2026-01-01T10:00:40Z", "2026-01-01T10:01:00Z",
                     "2026-01-01T10:01:20Z"}));
  EXPECT_EQ(Utc("0 0 9 ? * MON", "2026-01-01T00:00:00Z", 2),
            (Strings{"2026-01-05T09:00:00Z", "2026-01-12T09:00:00Z"}));
}

TEST(CronRule, MacrosMeanTheirFiveFields) {
  const char* from = "2026-05-20T10:00:00Z";  // a Wednesday
  EXPECT_EQ(Utc("@yearly", from, 2), (Strings{"2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"}));
  EXPECT_EQ(Utc("@annually", from, 2), Utc("0 0 1 1 *", from, 2));
  EXPECT_EQ(Utc("@monthly", from, 2), (Strings{"2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z"}));
  EXPECT_EQ(Utc("@weekly", from, 2), (Strings{"2026-05-24T00:00:00Z", "2026-05-31T00:00:00Z"}));
  EXPECT_EQ(Utc("@daily", from, 2), (Strings{"2026-05-21T00:00:00Z", "2026-05-22T00:00:00Z"}));
  EXPECT_EQ(Utc("@midnight", from, 2), Utc("0 0 * * *", from, 2));
  EXPECT_EQ(Utc("@hourly", from, 2), (Strings{"2026-05-20T11:00:00Z", "2026-05-20T12:00:00Z"}));
  EXPECT_EQ(Utc("@DAILY", from, 1), Utc("@daily", from, 1));
}

TEST(CronRule, ListsRangesAndSteps) {
  EXPECT_EQ(Utc("0 9-17/4 * * *", "2026-01-01T00:00:00Z", 4),
            (Strings{"2026-01-01T09:00:00Z", "2026-01-01T13:00:00Z", "2026-01-01T17:00:00Z",
                     "2026-01-02T09:00:00Z"}));
  // `a/step` runs from a to the end of the range.
  EXPECT_EQ(Utc("10/20 9 * * *", "2026-01-01T00:00:00Z", 4),
            (Strings{"2026-01-01T09:10:00Z", "2026-01-01T09:30:00Z", "2026-01-01T09:50:00Z",
                     "2026-01-02T09:10:00Z"}));
  EXPECT_EQ(Utc("5,0-1 9 * * *", "2026-01-01T00:00:00Z", 3),
            (Strings{"2026-01-01T09:00:00Z", "2026-01-01T09:01:00Z", "2026-01-01T09:05:00Z"}));
}

TEST(CronRule, StepRestartsEachHour) {
  // `*/45` is :00 and :45, not every 45 minutes (systemd `*:00/45` agrees).
  EXPECT_EQ(Utc("*/45 * * * *", "2026-01-01T10:10:00Z", 4),
            (Strings{"2026-01-01T10:45:00Z", "2026-01-01T11:00:00Z", "2026-01-01T11:45:00Z",
                     "2026-01-01T12:00:00Z"}));
}

TEST(CronRule, NamesInAnyCaseAndSundayIsZeroOrSeven) {
  const char* from = "2026-01-01T00:00:00Z";
  EXPECT_EQ(Utc("0 9 * jan,Mar mon-FRI", from, 3),
            (Strings{"2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z", "2026-01-05T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 * * 0", from, 3), Utc("0 9 * * 7", from, 3));
  EXPECT_EQ(Utc("0 9 * * sun", from, 3), Utc("0 9 * * 7", from, 3));
  EXPECT_EQ(Utc("0 9 * * 0", from, 1), (Strings{"2026-01-04T09:00:00Z"}));
  // SUN ends a range as the last day of the week: Friday to Sunday.
  EXPECT_EQ(Utc("0 9 * * FRI-SUN", from, 4),
            (Strings{"2026-01-02T09:00:00Z", "2026-01-03T09:00:00Z", "2026-01-04T09:00:00Z",
                     "2026-01-09T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 * * 5-7", from, 4), Utc("0 9 * * FRI-SUN", from, 4));
  EXPECT_EQ(Utc("0 9 * JUL *", from, 1), (Strings{"2026-07-01T09:00:00Z"}));
}

// --- Day-of-month versus day-of-week (convention: Vixie cron, see the header) -----------------

TEST(CronRule, EitherDayFieldMatchesWhenBothRestrict) {
  // Vixie/cronie/robfig OR: every 13th and every Friday. 2026-01-13 is a Tuesday.
  EXPECT_EQ(Utc("0 9 13 * 5", "2026-01-01T00:00:00Z", 6),
            (Strings{"2026-01-02T09:00:00Z", "2026-01-09T09:00:00Z", "2026-01-13T09:00:00Z",
                     "2026-01-16T09:00:00Z", "2026-01-23T09:00:00Z", "2026-01-30T09:00:00Z"}));
}

TEST(CronRule, FirstSevenDaysOrMondaysIsNotTheFirstMonday) {
  // The classic trap: the 1st to the 7th, plus every Monday.
  EXPECT_EQ(Utc("0 9 1-7 * 1", "2026-01-01T00:00:00Z", 11),
            (Strings{"2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z", "2026-01-03T09:00:00Z",
                     "2026-01-04T09:00:00Z", "2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z",
                     "2026-01-07T09:00:00Z", "2026-01-12T09:00:00Z", "2026-01-19T09:00:00Z",
                     "2026-01-26T09:00:00Z", "2026-02-01T09:00:00Z"}));
  // What was meant.
  EXPECT_EQ(Utc("0 9 * * 1#1", "2026-01-01T00:00:00Z", 5),
            (Strings{"2026-01-05T09:00:00Z", "2026-02-02T09:00:00Z", "2026-03-02T09:00:00Z",
                     "2026-04-06T09:00:00Z", "2026-05-04T09:00:00Z"}));
}

TEST(CronRule, StarOrQuestionMarkLeavesOnlyTheOtherDayField) {
  const char* from = "2026-01-01T00:00:00Z";
  EXPECT_EQ(Utc("0 9 13 * *", from, 2), (Strings{"2026-01-13T09:00:00Z", "2026-02-13T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 13 * ?", from, 2), Utc("0 9 13 * *", from, 2));
  EXPECT_EQ(Utc("0 9 ? * 5", from, 2), (Strings{"2026-01-02T09:00:00Z", "2026-01-09T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 ? * ?", from, 2), Utc("0 9 * * *", from, 2));
}

TEST(CronRule, StarWithStepCountsAsStarSoBothDayFieldsMustMatch) {
  // Vixie's quirk: `*/7` starts with `*`, so day-of-month AND day-of-week: the first Sunday.
  EXPECT_EQ(Utc("0 0 1-7 * */7", "2026-01-01T00:00:00Z", 4),
            (Strings{"2026-01-04T00:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z",
                     "2026-04-05T00:00:00Z"}));
}

// --- L, W and # -------------------------------------------------------------------------------

TEST(CronRule, LastDayOfTheMonth) {
  EXPECT_EQ(Utc("0 9 L * *", "2026-01-01T00:00:00Z", 4),
            (Strings{"2026-01-31T09:00:00Z", "2026-02-28T09:00:00Z", "2026-03-31T09:00:00Z",
                     "2026-04-30T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 L 2 *", "2027-03-01T00:00:00Z", 2),
            (Strings{"2028-02-29T09:00:00Z", "2029-02-28T09:00:00Z"}));
}

TEST(CronRule, LastWeekdayOfTheMonthUsesVixieNumbering) {
  // Convention: 6 is Saturday (Vixie, Spring), so `6L` is the last Saturday. In Quartz 6 is
  // Friday; the Quartz `6L` is written `5L` or `FRIL` here and gives systemd's answer.
  EXPECT_EQ(Utc("0 9 ? * 6L", "2026-01-01T00:00:00Z", 5),
            (Strings{"2026-01-31T09:00:00Z", "2026-02-28T09:00:00Z", "2026-03-28T09:00:00Z",
                     "2026-04-25T09:00:00Z", "2026-05-30T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 ? * 5L", "2026-01-01T00:00:00Z", 5),
            (Strings{"2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z", "2026-03-27T09:00:00Z",
                     "2026-04-24T09:00:00Z", "2026-05-29T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 * * fril", "2026-01-01T00:00:00Z", 5),
            Utc("0 9 ? * 5L", "2026-01-01T00:00:00Z", 5));
}

TEST(CronRule, NearestWeekdayStaysInTheMonth) {
  // Quartz W: the 15th of February 2026 is a Sunday (-> Monday 16th), of August a Saturday
  // (-> Friday 14th), of November a Sunday (-> Monday 16th).
  const auto fires = Utc("0 9 15W * ?", "2026-01-01T00:00:00Z", 12);
  ASSERT_EQ(fires.size(), 12u);
  EXPECT_EQ(fires[0], "2026-01-15T09:00:00Z");
  EXPECT_EQ(fires[1], "2026-02-16T09:00:00Z");
  EXPECT_EQ(fires[7], "2026-08-14T09:00:00Z");
  EXPECT_EQ(fires[10], "2026-11-16T09:00:00Z");
  // 1 August 2026 is a Saturday: Monday the 3rd, never back into July.
  EXPECT_EQ(Utc("0 9 1W * *", "2026-07-15T00:00:00Z", 1), (Strings{"2026-08-03T09:00:00Z"}));
  // 31 May 2026 is a Sunday: Friday the 29th, never forward into June. Months without a 31st
  // have no 31W day.
  EXPECT_EQ(Utc("0 9 31W * *", "2026-02-01T00:00:00Z", 3),
            (Strings{"2026-03-31T09:00:00Z", "2026-05-29T09:00:00Z", "2026-07-31T09:00:00Z"}));
}

TEST(CronRule, LastWorkingDayOfTheMonth) {
  EXPECT_EQ(Utc("0 9 LW * *", "2026-01-01T00:00:00Z", 5),
            (Strings{"2026-01-30T09:00:00Z", "2026-02-27T09:00:00Z", "2026-03-31T09:00:00Z",
                     "2026-04-30T09:00:00Z", "2026-05-29T09:00:00Z"}));
}

TEST(CronRule, NthWeekdayOfTheMonth) {
  // Convention as for L: `6#5` is the fifth Saturday; Quartz's `6#5` (fifth Friday) is `5#5`.
  EXPECT_EQ(Utc("0 9 ? * 6#5", "2026-02-01T00:00:00Z", 3),
            (Strings{"2026-05-30T09:00:00Z", "2026-08-29T09:00:00Z", "2026-10-31T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 ? * 5#5", "2026-02-01T00:00:00Z", 3),
            (Strings{"2026-05-29T09:00:00Z", "2026-07-31T09:00:00Z", "2026-10-30T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 * * TUE#2,fri#1", "2026-01-01T00:00:00Z", 3),
            (Strings{"2026-01-02T09:00:00Z", "2026-01-13T09:00:00Z", "2026-02-06T09:00:00Z"}));
}

// --- Dates that are not in every month or year ------------------------------------------------

TEST(CronRule, TheThirtyFirstIsSkippedNotClamped) {
  EXPECT_EQ(Utc("0 0 31 * *", "2026-01-01T00:00:00Z", 5),
            (Strings{"2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z",
                     "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z"}));
}

TEST(CronRule, TwentyNinthOfFebruaryWaitsForLeapYears) {
  EXPECT_EQ(Utc("0 0 29 2 *", "2026-01-01T00:00:00Z", 3),
            (Strings{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z"}));
  // 2100 is not a leap year.
  EXPECT_EQ(Utc("0 0 29 2 *", "2097-01-01T00:00:00Z", 1), (Strings{"2104-02-29T00:00:00Z"}));
  // A 29 February that is also a Sunday (AND by the star rule) comes every 28 years; the
  // bounded search still finds it.
  EXPECT_EQ(Utc("0 0 29 2 */7", "2026-01-01T00:00:00Z", 3),
            (Strings{"2032-02-29T00:00:00Z", "2060-02-29T00:00:00Z", "2088-02-29T00:00:00Z"}));
  // By the OR rule, `0 0 29 2 1` is every Monday of February plus the 29th.
  EXPECT_EQ(Utc("0 0 29 2 1", "2026-01-01T00:00:00Z", 2),
            (Strings{"2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z"}));
}

// --- Time zones and daylight saving time ------------------------------------------------------

TEST(CronRule, ShanghaiHasNoDaylightSavingTime) {
  EXPECT_EQ(Fires("0 9 1 * *", "Asia/Shanghai", "2026-01-01T00:00:00Z", 4),
            (Strings{"2026-01-01T01:00:00Z 2026-01-01 09:00:00 CST",
                     "2026-02-01T01:00:00Z 2026-02-01 09:00:00 CST",
                     "2026-03-01T01:00:00Z 2026-03-01 09:00:00 CST",
                     "2026-04-01T01:00:00Z 2026-04-01 09:00:00 CST"}));
  // Across the dates when other zones change, nothing moves.
  EXPECT_EQ(Fires("30 2 * * *", "Asia/Shanghai", "2026-03-07T00:00:00Z", 2),
            (Strings{"2026-03-07T18:30:00Z 2026-03-08 02:30:00 CST",
                     "2026-03-08T18:30:00Z 2026-03-09 02:30:00 CST"}));
  // The local day decides: 23:30 UTC on the 31st is already the 1st in Shanghai.
  EXPECT_EQ(Fires("30 7 1 * *", "Asia/Shanghai", "2026-01-15T00:00:00Z", 1),
            (Strings{"2026-01-31T23:30:00Z 2026-02-01 07:30:00 CST"}));
}

TEST(CronRule, SpringForwardFiresAfterTheGapByDefault) {
  // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT; 02:30 does not exist. Convention
  // (default, cronie): fire at the first instant after the gap.
  EXPECT_EQ(Fires("30 2 * * *", "America/New_York", "2026-03-06T17:00:00Z", 3),
            (Strings{"2026-03-07T07:30:00Z 2026-03-07 02:30:00 EST",
                     "2026-03-08T07:00:00Z 2026-03-08 03:00:00 EDT (for 02:30:00)",
                     "2026-03-09T06:30:00Z 2026-03-09 02:30:00 EDT"}));
  EXPECT_EQ(Fires("0 30 2 * * *", "America/New_York", "2026-03-06T17:00:00Z", 3),
            Fires("30 2 * * *", "America/New_York", "2026-03-06T17:00:00Z", 3));
}

TEST(CronRule, SpringForwardSkipPolicyDropsTheDay) {
  // Convention with DstGapPolicy::kSkip (systemd, Quartz, Temporal): no fire on 2026-03-08.
  EXPECT_EQ(Fires("30 2 * * *", "America/New_York", "2026-03-07T17:00:00Z", 2, DstGapPolicy::kSkip),
            (Strings{"2026-03-09T06:30:00Z 2026-03-09 02:30:00 EDT",
                     "2026-03-10T06:30:00Z 2026-03-10 02:30:00 EDT"}));
}

TEST(CronRule, FallBackFiresAFixedTimeOnceAtItsFirstOccurrence) {
  // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens twice. Convention
  // (cronie, systemd, RFC 5545): a fixed time fires once, in EDT.
  EXPECT_EQ(Fires("30 1 * * *", "America/New_York", "2026-10-31T16:00:00Z", 2),
            (Strings{"2026-11-01T05:30:00Z 2026-11-01 01:30:00 EDT",
                     "2026-11-02T06:30:00Z 2026-11-02 01:30:00 EST"}));
  // Starting inside the second 01:00-02:00, the repeat of 01:30 is not a fire either.
  EXPECT_EQ(Fires("30 1 * * *", "America/New_York", "2026-11-01T06:10:00Z", 1),
            (Strings{"2026-11-02T06:30:00Z 2026-11-02 01:30:00 EST"}));
  // The skip policy is about gaps only.
  EXPECT_EQ(Fires("30 1 * * *", "America/New_York", "2026-10-31T16:00:00Z", 2, DstGapPolicy::kSkip),
            Fires("30 1 * * *", "America/New_York", "2026-10-31T16:00:00Z", 2));
}

TEST(CronRule, HourlyRuleFiresInBothCopiesOfTheRepeatedHour) {
  EXPECT_EQ(Fires("30 * * * *", "America/New_York", "2026-11-01T04:00:00Z", 4),
            (Strings{"2026-11-01T04:30:00Z 2026-11-01 00:30:00 EDT",
                     "2026-11-01T05:30:00Z 2026-11-01 01:30:00 EDT",
                     "2026-11-01T06:30:00Z 2026-11-01 01:30:00 EST",
                     "2026-11-01T07:30:00Z 2026-11-01 02:30:00 EST"}));
  // Minutely: no jump from 05:59Z to 07:00Z (systemd bug #8647).
  EXPECT_EQ(Fires("* * * * *", "America/New_York", "2026-11-01T05:58:00Z", 3),
            (Strings{"2026-11-01T05:59:00Z 2026-11-01 01:59:00 EDT",
                     "2026-11-01T06:00:00Z 2026-11-01 01:00:00 EST",
                     "2026-11-01T06:01:00Z 2026-11-01 01:01:00 EST"}));
  // 25 fires on the long day.
  const auto day = NextFireTimes(Rule("@hourly"), date::locate_zone("America/New_York"),
                                 At("2026-11-01T03:59:59Z"), 26);
  ASSERT_EQ(day.size(), 26u);
  EXPECT_EQ(FormatRfc3339(day[24].at), "2026-11-02T04:00:00Z");  // 23:00 EST
  EXPECT_EQ(FormatRfc3339(day[25].at), "2026-11-02T05:00:00Z");  // midnight of the 2nd
}

TEST(CronRule, HourlyRuleLosesTheSlotInsideTheGap) {
  // Convention: a repeating rule's times inside the gap do not exist, whatever the policy;
  // 23 fires on the short day, and no extra fire at 03:00 EDT.
  for (DstGapPolicy policy : {DstGapPolicy::kFireAfterGap, DstGapPolicy::kSkip}) {
    EXPECT_EQ(Fires("30 * * * *", "America/New_York", "2026-03-08T05:00:00Z", 3, policy),
              (Strings{"2026-03-08T05:30:00Z 2026-03-08 00:30:00 EST",
                       "2026-03-08T06:30:00Z 2026-03-08 01:30:00 EST",
                       "2026-03-08T07:30:00Z 2026-03-08 03:30:00 EDT"}))
        << ToString(policy);
    const auto day = NextFireTimes(Rule("0 * * * *"), date::locate_zone("America/New_York"),
                                   At("2026-03-08T04:59:59Z"), 24, policy);
    ASSERT_EQ(day.size(), 24u);
    EXPECT_EQ(FormatRfc3339(day[22].at), "2026-03-09T03:00:00Z");  // 23:00 EDT
    EXPECT_EQ(FormatRfc3339(day[23].at), "2026-03-09T04:00:00Z");  // midnight of the 9th
  }
}

TEST(CronRule, SantiagoMidnightThatDoesNotExist) {
  // America/Santiago, 2026-09-06: 00:00 -04 becomes 01:00 -03.
  EXPECT_EQ(Fires("0 0 * * *", "America/Santiago", "2026-09-05T12:00:00Z", 2),
            (Strings{"2026-09-06T04:00:00Z 2026-09-06 01:00:00 -03 (for 00:00:00)",
                     "2026-09-07T03:00:00Z 2026-09-07 00:00:00 -03"}));
  EXPECT_EQ(Fires("@daily", "America/Santiago", "2026-09-05T12:00:00Z", 1, DstGapPolicy::kSkip),
            (Strings{"2026-09-07T03:00:00Z 2026-09-07 00:00:00 -03"}));
  // The fall back of 2026-04-05 (00:00 -03 becomes 23:00 -04 on the 4th) repeats 23:30 once.
  EXPECT_EQ(Fires("30 23 * * *", "America/Santiago", "2026-04-04T12:00:00Z", 2),
            (Strings{"2026-04-05T02:30:00Z 2026-04-04 23:30:00 -03",
                     "2026-04-06T03:30:00Z 2026-04-05 23:30:00 -04"}));
}

TEST(CronRule, LordHoweHalfHourGap) {
  // Australia/Lord_Howe, 2026-10-04: 02:00 +1030 becomes 02:30 +11.
  EXPECT_EQ(Fires("0 15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", 2),
            (Strings{"2026-10-03T15:30:00Z 2026-10-04 02:30:00 +11 (for 02:15:00)",
                     "2026-10-04T15:15:00Z 2026-10-05 02:15:00 +11"}));
  EXPECT_EQ(
      Fires("0 15 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z", 1, DstGapPolicy::kSkip),
      (Strings{"2026-10-04T15:15:00Z 2026-10-05 02:15:00 +11"}));
  // A repeating rule just loses 02:00, 02:10 and 02:20.
  EXPECT_EQ(Fires("*/10 * * * *", "Australia/Lord_Howe", "2026-10-03T15:15:00Z", 2),
            (Strings{"2026-10-03T15:20:00Z 2026-10-04 01:50:00 +1030",
                     "2026-10-03T15:30:00Z 2026-10-04 02:30:00 +11"}));
}

TEST(CronRule, HourlyOrFasterIsDefinedByTheTimesOfDay) {
  // Fixed-time: one second, one minute, no two adjacent hours.
  for (const char* fixed : {"30 2 * * *", "@daily", "@weekly", "0 9 1 * *", "0 9,17 * * *",
                            "0 */2 * * *", "0 30 1 * * *", "0 0,12 * * *", "0 0 L * *"}) {
    EXPECT_FALSE(Rule(fixed).RepeatsHourlyOrFaster()) << fixed;
  }
  for (const char* repeating :
       {"@hourly", "* * * * *", "*/15 9-17 * * *", "0 9-17 * * *", "0,30 9 * * *", "0 1,2 * * *",
        "0 0,23 * * *", "*/10 30 2 * * *", "0,1 0 9 * * *"}) {
    EXPECT_TRUE(Rule(repeating).RepeatsHourlyOrFaster()) << repeating;
  }
}

TEST(CronRule, FixedTimeListsAndHourRangesBehaveDifferentlyAcrossDst) {
  // `0 1,13` names two fixed times twelve hours apart: 01:00 fires once on 2026-11-01.
  EXPECT_EQ(Fires("0 1,13 * * *", "America/New_York", "2026-11-01T04:00:00Z", 2),
            (Strings{"2026-11-01T05:00:00Z 2026-11-01 01:00:00 EDT",
                     "2026-11-01T18:00:00Z 2026-11-01 13:00:00 EST"}));
  // `0 1-2` is hourly between 01:00 and 02:00: both copies of 01:00, then 02:00.
  EXPECT_EQ(Fires("0 1-2 * * *", "America/New_York", "2026-11-01T04:00:00Z", 3),
            (Strings{"2026-11-01T05:00:00Z 2026-11-01 01:00:00 EDT",
                     "2026-11-01T06:00:00Z 2026-11-01 01:00:00 EST",
                     "2026-11-01T07:00:00Z 2026-11-01 02:00:00 EST"}));
  // `0 2,14` is fixed-time, so its 02:00 moves after the gap on 2026-03-08.
  EXPECT_EQ(Fires("0 2,14 * * *", "America/New_York", "2026-03-08T05:00:00Z", 2),
            (Strings{"2026-03-08T07:00:00Z 2026-03-08 03:00:00 EDT (for 02:00:00)",
                     "2026-03-08T18:00:00Z 2026-03-08 14:00:00 EDT"}));
}

// --- The search -------------------------------------------------------------------------------

TEST(CronRule, StartIsExclusiveAndFiresAreWholeSeconds) {
  EXPECT_EQ(Utc("0 9 * * *", "2026-01-01T09:00:00Z", 1), (Strings{"2026-01-02T09:00:00Z"}));
  EXPECT_EQ(Utc("0 9 * * *", "2026-01-01T08:59:59.999Z", 1), (Strings{"2026-01-01T09:00:00Z"}));
  EXPECT_EQ(Utc("* * * * * *", "2026-01-01T09:00:00.250Z", 1), (Strings{"2026-01-01T09:00:01Z"}));
  // A fire moved to the end of a gap is found from just before it, and not again from it.
  EXPECT_EQ(Fires("30 2 * * *", "America/New_York", "2026-03-08T06:59:59.999Z", 1),
            (Strings{"2026-03-08T07:00:00Z 2026-03-08 03:00:00 EDT (for 02:30:00)"}));
  EXPECT_EQ(Fires("30 2 * * *", "America/New_York", "2026-03-08T07:00:00Z", 1),
            (Strings{"2026-03-09T06:30:00Z 2026-03-09 02:30:00 EDT"}));
  EXPECT_TRUE(NextFireTimes(Rule("@daily"), date::locate_zone("UTC"), At("2026-01-01T00:00:00Z"), 0)
                  .empty());
}

TEST(CronRule, OneFireAtATimeGivesTheSameAnswerAsManyAtOnce) {
  // The daemon computes the next fire from the last one it persisted; that must agree with a
  // preview of many.
  struct Case {
    const char* rule;
    const char* zone;
    const char* after;
  };
  for (const Case& c : {Case{"30 2 * * *", "America/New_York", "2026-03-01T00:00:00Z"},
                        Case{"30 1 * * *", "America/New_York", "2026-10-25T00:00:00Z"},
                        Case{"*/20 * * * *", "America/New_York", "2026-11-01T04:00:00Z"},
                        Case{"*/20 * * * *", "America/New_York", "2026-03-08T05:00:00Z"},
                        Case{"0 0 * * *", "America/Santiago", "2026-09-01T00:00:00Z"},
                        Case{"15 2 * * *", "Australia/Lord_Howe", "2026-09-30T00:00:00Z"},
                        Case{"0 9 LW * *", "Asia/Shanghai", "2026-01-01T00:00:00Z"}}) {
    const CronRule rule = Rule(c.rule);
    const date::time_zone* zone = date::locate_zone(c.zone);
    const auto all = NextFireTimes(rule, zone, At(c.after), 40);
    ASSERT_EQ(all.size(), 40u) << c.rule;
    Instant after = At(c.after);
    for (size_t i = 0; i < all.size(); ++i) {
      const auto one = NextFireTimes(rule, zone, after, 1);
      ASSERT_EQ(one.size(), 1u) << c.rule;
      EXPECT_EQ(one[0], all[i]) << c.rule << " #" << i;
      if (i > 0) {
        EXPECT_LT(all[i - 1].at, all[i].at) << c.rule;
      }
      after = one[0].at;
    }
  }
}

TEST(CronRule, SearchEndsForRulesThatOnlyEverHitTheGap) {
  // The second Sunday of March at 02:00 and 02:30 is inside New York's gap every year, for as
  // long as the tz database knows the US rules. date/tz reading the system's TZif files knows
  // transitions only up to 2037 (it ignores the files' closing POSIX rule, HowardHinnant/date
  // #794), so from 2038 New York stays on EST here and 02:00 exists again. Either way the
  // search ends, and no fire comes before 2038.
  const date::time_zone* new_york = date::locate_zone("America/New_York");
  const Instant end_of_known_rules = At("2038-01-01T00:00:00Z");
  // As a repeating rule (two minutes) its times in the gap do not exist.
  for (const CronFire& fire :
       NextFireTimes(Rule("0,30 2 * 3 0#2"), new_york, At("2026-01-01T00:00:00Z"), 3)) {
    EXPECT_GE(fire.at, end_of_known_rules) << Show(fire);
  }
  // As a fixed time with the skip policy, the same.
  for (const CronFire& fire : NextFireTimes(Rule("30 2 * 3 0#2"), new_york,
                                            At("2026-01-01T00:00:00Z"), 3, DstGapPolicy::kSkip)) {
    EXPECT_GE(fire.at, end_of_known_rules) << Show(fire);
  }
  // With the default policy it fires after the gap every year.
  EXPECT_EQ(Fires("30 2 * 3 0#2", "America/New_York", "2026-01-01T00:00:00Z", 2),
            (Strings{"2026-03-08T07:00:00Z 2026-03-08 03:00:00 EDT (for 02:30:00)",
                     "2027-03-14T07:00:00Z 2027-03-14 03:00:00 EDT (for 02:30:00)"}));
}

TEST(CronRule, SearchStopsAtTheEndOfYear9999) {
  EXPECT_EQ(Utc("0 0 1 1 *", "9998-06-01T00:00:00Z", 5), (Strings{"9999-01-01T00:00:00Z"}));
}

// --- Parse errors -----------------------------------------------------------------------------

void ExpectRefused(const char* text, const std::string& message, const std::string& field) {
  const auto rule = ParseCronRule(text);
  ASSERT_FALSE(rule.ok()) << text;
  EXPECT_EQ(rule.status().code(), StatusCode::kInvalidArgument) << text;
  EXPECT_EQ(rule.status().reason(), "invalid_schedule_rule") << text;
  EXPECT_EQ(rule.status().message(), message) << text;
  EXPECT_EQ(rule.status().details(), nlohmann::json({{"field", field}})) << text;
}

TEST(CronRuleParse, RefusesMalformedRules) {
  ExpectRefused("", "rule: the rule is empty", "rule");
  ExpectRefused("   ", "rule: the rule is empty", "rule");
  ExpectRefused("* * * *",
                "rule: '* * * *' has 4 fields; a rule has 5 (minute hour day-of-month month "
                "day-of-week) or 6 with seconds first",
                "rule");
  ExpectRefused("0 0 9 * * ? 2026",
                "rule: '0 0 9 * * ? 2026' has 7 fields; a rule has 5 (minute hour day-of-month "
                "month day-of-week) or 6 with seconds first",
                "rule");
  ExpectRefused("@fortnightly",
                "rule: '@fortnightly' is not a macro; use @yearly, @annually, @monthly, "
                "@weekly, @daily, @midnight or @hourly",
                "rule");
  ExpectRefused("@reboot",
                "rule: '@reboot' is not a macro; use @yearly, @annually, @monthly, @weekly, "
                "@daily, @midnight or @hourly",
                "rule");
}

TEST(CronRuleParse, RefusesValuesOutOfRange) {
  ExpectRefused("60 0 9 * * *", "second: 60 is out of range 0-59", "second");
  ExpectRefused("60 * * * *", "minute: 60 is out of range 0-59", "minute");
  ExpectRefused("0 24 * * *", "hour: 24 is out of range 0-23", "hour");
  ExpectRefused("0 0 32 * *", "day-of-month: 32 is out of range 1-31", "day-of-month");
  ExpectRefused("0 0 0 * *", "day-of-month: 0 is out of range 1-31", "day-of-month");
  ExpectRefused("0 0 1 13 *", "month: 13 is out of range 1-12", "month");
  ExpectRefused("0 0 1 0 *", "month: 0 is out of range 1-12", "month");
  ExpectRefused("0 0 * * 8", "day-of-week: 8 is out of range 0-7", "day-of-week");
  ExpectRefused("0 0-99999999999 * * *", "hour: 99999999999 is out of range 0-23", "hour");
  ExpectRefused("0 0 32W * *", "day-of-month: 32 is out of range 1-31", "day-of-month");
  ExpectRefused("0 0 * * 8L", "day-of-week: 8 is out of range 0-7", "day-of-week");
  ExpectRefused("0 0 * * 9#1", "day-of-week: 9 is out of range 0-7", "day-of-week");
}

TEST(CronRuleParse, RefusesWordsThatAreNotValues) {
  ExpectRefused("0 x * * *", "hour: 'x' is not an hour (0-23)", "hour");
  ExpectRefused("x * * * *", "minute: 'x' is not a minute (0-59)", "minute");
  ExpectRefused("x 0 9 * * *", "second: 'x' is not a second (0-59)", "second");
  ExpectRefused("0 9 1 Foo *", "month: 'Foo' is not a month (1-12 or JAN-DEC)", "month");
  ExpectRefused("0 9 * * Monday",
                "day-of-week: 'Monday' is not a day of the week (0-7 or SUN-SAT, d#n or dL)",
                "day-of-week");
  ExpectRefused("0 9 1st * *", "day-of-month: '1st' is not a day of the month (1-31, L, LW or nW)",
                "day-of-month");
  ExpectRefused("0 9 * * -1",
                "day-of-week: '-1' is not a day of the week (0-7 or SUN-SAT, d#n or dL)",
                "day-of-week");
}

TEST(CronRuleParse, RefusesBadRangesStepsAndLists) {
  ExpectRefused("0 17-9 * * *", "hour: range 17-9 runs backwards; write 17-23,0-9", "hour");
  ExpectRefused("0 9 * * FRI-MON",
                "day-of-week: range FRI-MON runs backwards; write FRI-SAT,SUN-MON", "day-of-week");
  ExpectRefused("0 9 * NOV-FEB *", "month: range NOV-FEB runs backwards; write NOV-DEC,JAN-FEB",
                "month");
  ExpectRefused("*/0 * * * *", "minute: '*/0': the step must be at least 1", "minute");
  ExpectRefused("*/x * * * *", "minute: '*/x': the step after / must be a number", "minute");
  ExpectRefused("*/ * * * *", "minute: '*/': the step after / must be a number", "minute");
  ExpectRefused("/5 * * * *", "minute: '/5' has no value before /", "minute");
  ExpectRefused("1,,2 * * * *", "minute: empty item in '1,,2'", "minute");
  ExpectRefused("0 9, * * *", "hour: empty item in '9,'", "hour");
}

TEST(CronRuleParse, RefusesSpecialCharactersWhereTheyDoNotBelong) {
  ExpectRefused("0 ? * * *", "hour: ? is only allowed in day-of-month and day-of-week", "hour");
  ExpectRefused("0 0 ?/2 * *", "day-of-month: '?/2': ? takes no step", "day-of-month");
  ExpectRefused("0 0 1-5W * *", "day-of-month: '1-5W': W needs one day before it, as in 15W",
                "day-of-month");
  ExpectRefused("0 0 W * *", "day-of-month: 'W': W needs one day before it, as in 15W",
                "day-of-month");
  ExpectRefused("0 0 L-2 * *", "day-of-month: 'L-2': L stands alone or as LW", "day-of-month");
  ExpectRefused("0 0 * * L",
                "day-of-week: L needs a weekday before it, as in 5L (the last Friday of the month)",
                "day-of-week");
  ExpectRefused("0 0 * * 5#6",
                "day-of-week: '5#6': the number after # must be 1-5 (a month has at most five "
                "of each weekday)",
                "day-of-week");
  ExpectRefused("0 0 * * 5#",
                "day-of-week: '5#': the number after # must be 1-5 (a month has at most five "
                "of each weekday)",
                "day-of-week");
  ExpectRefused("0 0 * * #2",
                "day-of-week: '#2': # needs a weekday before it, as in 1#2 (the second Monday)",
                "day-of-week");
  ExpectRefused("0 L * * *", "hour: 'L' is not an hour (0-23)", "hour");
}

TEST(CronRuleParse, RefusesRulesThatNeverFire) {
  ExpectRefused("0 0 30 2 *",
                "day-of-month: 30 never occurs in February, which has at most 29 days, so the "
                "rule would never fire",
                "day-of-month");
  ExpectRefused("0 0 30 2 ?",
                "day-of-month: 30 never occurs in February, which has at most 29 days, so the "
                "rule would never fire",
                "day-of-month");
  ExpectRefused("0 0 31 4 *",
                "day-of-month: 31 never occurs in April, which has 30 days, so the rule would "
                "never fire",
                "day-of-month");
  ExpectRefused("0 0 31 4,6,9,11 *",
                "day-of-month: 31 never occurs in April, June, September or November, so the "
                "rule would never fire",
                "day-of-month");
  ExpectRefused("0 0 0 30W 2 ?",
                "day-of-month: 30W never occurs in February, which has at most 29 days, so the "
                "rule would never fire",
                "day-of-month");
  // AND by the star rule: a fifth Saturday is never the 1st.
  ExpectRefused("0 0 */31 * 6#5",
                "rule: no date matches day-of-month */31, month * and day-of-week 6#5 together, "
                "so the rule would never fire",
                "rule");
}

TEST(CronRuleParse, AcceptsRulesThatFireRarely) {
  for (const char* text : {"0 0 29 2 *", "0 0 30 2 1", "0 0 29 2 ?", "0 0 L 2 *", "0 0 29W 2 *",
                           "0 0 * 2 6#5", "0 0 31 1-12 *", "0 0 31 4,5 *"}) {
    EXPECT_TRUE(ParseCronRule(text).ok()) << text;
  }
  EXPECT_EQ(Rule("  @monthly ").text(), "@monthly");
}

}  // namespace
}  // namespace kaizen
