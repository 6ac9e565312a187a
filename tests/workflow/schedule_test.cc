#include "workflow/schedule.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace kaizen {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

ScheduleSpec Spec(const char* rule, const char* zone = "Asia/Shanghai") {
  ScheduleSpec spec;
  spec.id = "monthly";
  spec.template_id = "monthly-review";
  spec.team = "ops";
  auto parsed = ParseCronRule(rule);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (parsed.ok()) spec.rule = std::move(parsed).value();
  spec.time_zone = zone;
  return spec;
}

// Shanghai, Monday to Friday, with the 2026 National Day holidays (October 1-7) and the
// adjusted working Saturday of October 10 (调休).
WorkingCalendar ShanghaiCalendar() {
  WorkingCalendarOptions options;
  options.time_zone = "Asia/Shanghai";
  for (int d = 1; d <= 7; ++d) {
    options.holidays.push_back(date::year{2026} / date::October / date::day(d));
  }
  options.extra_working_days.push_back(date::year{2026} / date::October / 10);
  return WorkingCalendar::Create(options).value();
}

TEST(PlanFires, NewScheduleCountsFromNowAndReplaysNothing) {
  const ScheduleSpec spec = Spec("0 9 1 * *");
  const Instant now = At("2026-11-25T10:00:00+08:00");
  FirePlan plan = PlanFires(spec, nullptr, ScheduleState{}, now);
  EXPECT_FALSE(plan.start);
  EXPECT_EQ(plan.missed, 0);
  EXPECT_EQ(plan.watermark, now);
  EXPECT_EQ(plan.next_wake, At("2026-12-01T09:00:00+08:00"));
}

TEST(PlanFires, OnTimeFireStartsWithCauseSchedule) {
  const ScheduleSpec spec = Spec("0 9 1 * *");
  ScheduleState state{At("2026-11-01T09:00:00+08:00"), false};
  FirePlan plan = PlanFires(spec, nullptr, state, At("2026-12-01T09:00:00.300+08:00"));
  ASSERT_TRUE(plan.start);
  EXPECT_EQ(plan.start->fire.at, At("2026-12-01T09:00:00+08:00"));
  EXPECT_EQ(plan.cause, CycleCause::kSchedule);
  EXPECT_EQ(plan.missed, 0);
  EXPECT_EQ(plan.watermark, At("2026-12-01T09:00:00+08:00"));
  EXPECT_EQ(plan.next_wake, At("2027-01-01T09:00:00+08:00"));
}

TEST(PlanFires, BeforeTheFireNothingStarts) {
  const ScheduleSpec spec = Spec("0 9 1 * *");
  ScheduleState state{At("2026-11-01T09:00:00+08:00"), false};
  FirePlan plan = PlanFires(spec, nullptr, state, At("2026-12-01T08:59:59+08:00"));
  EXPECT_FALSE(plan.start);
  EXPECT_EQ(plan.watermark, At("2026-11-01T09:00:00+08:00"));
  EXPECT_EQ(plan.next_wake, At("2026-12-01T09:00:00+08:00"));
}

TEST(PlanFires, CatchUpStartsTheLatestMissOnceAndCountsTheOlderOnes) {
  // Down from Friday evening to Monday 15:00: Saturday's, Sunday's and Monday's 09:00 were
  // missed. Only Monday's is within the one-day window; it starts once, the two before are
  // recorded as missed although Sunday's is barely older than a day.
  const ScheduleSpec spec = Spec("0 9 * * *");
  ScheduleState state{At("2026-11-27T09:00:00+08:00"), false};
  const Instant now = At("2026-11-30T15:00:00+08:00");
  FirePlan plan = PlanFires(spec, nullptr, state, now);
  ASSERT_TRUE(plan.start);
  EXPECT_EQ(plan.start->fire.at, At("2026-11-30T09:00:00+08:00"));
  EXPECT_EQ(plan.cause, CycleCause::kCatchUp);
  EXPECT_EQ(plan.missed, 2);
  EXPECT_EQ(plan.first_missed, At("2026-11-28T09:00:00+08:00"));
  EXPECT_EQ(plan.last_missed, At("2026-11-29T09:00:00+08:00"));
  EXPECT_FALSE(plan.missed_capped);
  EXPECT_EQ(plan.watermark, At("2026-11-30T09:00:00+08:00"));

  // At start-up even a fire a second old is a catch-up: kaizend was down at its time.
  FirePlan at_start =
      PlanFires(spec, nullptr, ScheduleState{At("2026-11-29T09:00:00+08:00"), false, true},
                At("2026-11-30T09:00:01+08:00"));
  ASSERT_TRUE(at_start.start);
  EXPECT_EQ(at_start.cause, CycleCause::kCatchUp);

  // Planning again with the watermark persisted starts nothing more: the catch-up was once.
  FirePlan again = PlanFires(spec, nullptr, ScheduleState{plan.watermark, false}, now);
  EXPECT_FALSE(again.start);
  EXPECT_EQ(again.missed, 0);
  EXPECT_EQ(again.next_wake, At("2026-12-01T09:00:00+08:00"));
}

TEST(PlanFires, MissesBeyondTheWindowStartNothing) {
  ScheduleSpec spec = Spec("0 9 * * *");
  spec.catch_up = hours(1);
  ScheduleState state{At("2026-11-27T09:00:00+08:00"), false};
  FirePlan plan = PlanFires(spec, nullptr, state, At("2026-11-30T11:00:00+08:00"));
  EXPECT_FALSE(plan.start);
  EXPECT_EQ(plan.missed, 3);
  EXPECT_EQ(plan.last_missed, At("2026-11-30T09:00:00+08:00"));
  EXPECT_EQ(plan.watermark, At("2026-11-30T09:00:00+08:00"));
  EXPECT_EQ(plan.next_wake, At("2026-12-01T09:00:00+08:00"));
}

TEST(PlanFires, NoCatchUpWindowStillStartsFiresOnTime) {
  ScheduleSpec spec = Spec("0 9 * * *");
  spec.catch_up = seconds(0);
  ScheduleState state{At("2026-11-29T09:00:00+08:00"), false};
  // A second late: on time (kOnTimeTolerance), not a catch-up.
  FirePlan on_time = PlanFires(spec, nullptr, state, At("2026-11-30T09:00:01+08:00"));
  ASSERT_TRUE(on_time.start);
  EXPECT_EQ(on_time.cause, CycleCause::kSchedule);
  // Ten minutes late, after a restart: PT0S means no catch-up.
  FirePlan late = PlanFires(spec, nullptr, state, At("2026-11-30T09:10:00+08:00"));
  EXPECT_FALSE(late.start);
  EXPECT_EQ(late.missed, 1);
}

TEST(PlanFires, PausedStartsAndCountsNothingAndResumeDoesNotReplay) {
  const ScheduleSpec spec = Spec("0 9 * * *");
  const Instant watermark = At("2026-11-20T09:00:00+08:00");
  FirePlan paused =
      PlanFires(spec, nullptr, ScheduleState{watermark, true}, At("2026-11-25T10:00:00+08:00"));
  EXPECT_FALSE(paused.start);
  EXPECT_EQ(paused.missed, 0);
  EXPECT_FALSE(paused.next_wake);
  EXPECT_EQ(paused.watermark, watermark);

  // Resuming at 10:00 on the 25th moves the watermark there (the repository does): nothing of
  // the five paused days, not even the 25th's 09:00 an hour ago, starts or counts as missed.
  const Instant resumed_at = At("2026-11-25T10:00:00+08:00");
  FirePlan resumed = PlanFires(spec, nullptr, ScheduleState{resumed_at, false}, resumed_at);
  EXPECT_FALSE(resumed.start);
  EXPECT_EQ(resumed.missed, 0);
  EXPECT_EQ(resumed.next_wake, At("2026-11-26T09:00:00+08:00"));
}

TEST(PlanFires, ClockStepBackwardsStartsNothingTwice) {
  const ScheduleSpec spec = Spec("0 9 * * *");
  const Instant fired = At("2026-11-25T09:00:00+08:00");
  // The cycle of 09:00 started and the watermark moved there; then the clock steps back an hour.
  FirePlan plan =
      PlanFires(spec, nullptr, ScheduleState{fired, false}, At("2026-11-25T08:05:00+08:00"));
  EXPECT_FALSE(plan.start);
  EXPECT_EQ(plan.missed, 0);
  EXPECT_EQ(plan.watermark, fired);
  EXPECT_EQ(plan.next_wake, At("2026-11-26T09:00:00+08:00"));
  // And when the clock reaches 09:00 again, still nothing.
  FirePlan again =
      PlanFires(spec, nullptr, ScheduleState{fired, false}, At("2026-11-25T09:00:30+08:00"));
  EXPECT_FALSE(again.start);
}

TEST(PlanFires, WeekendFireMovesToMonday) {
  ScheduleSpec spec = Spec("0 9 1 * *");
  spec.on_non_working_day = NonWorkingDayPolicy::kNextWorkingDay;
  const WorkingCalendar calendar = ShanghaiCalendar();
  // 2026-08-01 is a Saturday: the review starts Monday the 3rd at 09:00, keyed by the 1st.
  auto fires = NextScheduledFires(spec, &calendar, At("2026-07-15T00:00:00+08:00"), 3);
  ASSERT_EQ(fires.size(), 3u);
  EXPECT_EQ(fires[0].fire.at, At("2026-08-01T09:00:00+08:00"));
  EXPECT_EQ(fires[0].starts_at, At("2026-08-03T09:00:00+08:00"));
  EXPECT_TRUE(fires[0].moved);
  // September 1 is a Tuesday: not moved.
  EXPECT_EQ(fires[1].starts_at, At("2026-09-01T09:00:00+08:00"));
  EXPECT_FALSE(fires[1].moved);
  // October 1-7 are holidays (Thursday to Wednesday): the first working day is Thursday the 8th.
  EXPECT_EQ(fires[2].starts_at, At("2026-10-08T09:00:00+08:00"));

  // Planned on the Saturday, nothing starts; the wake-up is Monday.
  ScheduleState state{At("2026-07-01T09:00:00+08:00"), false};
  FirePlan saturday = PlanFires(spec, &calendar, state, At("2026-08-01T09:00:30+08:00"));
  EXPECT_FALSE(saturday.start);
  EXPECT_EQ(saturday.next_wake, At("2026-08-03T09:00:00+08:00"));
  FirePlan monday = PlanFires(spec, &calendar, state, At("2026-08-03T09:00:05+08:00"));
  ASSERT_TRUE(monday.start);
  EXPECT_EQ(monday.start->fire.at, At("2026-08-01T09:00:00+08:00"));
  EXPECT_EQ(monday.cause, CycleCause::kSchedule);
}

TEST(PlanFires, ExtraWorkingSaturdayIsNotMoved) {
  ScheduleSpec spec = Spec("0 9 10 * *");
  spec.on_non_working_day = NonWorkingDayPolicy::kNextWorkingDay;
  const WorkingCalendar calendar = ShanghaiCalendar();
  // 2026-10-10 is a Saturday worked in place of a holiday; 2027-01-10 is a plain Sunday.
  auto fires = NextScheduledFires(spec, &calendar, At("2026-10-01T00:00:00+08:00"), 4);
  ASSERT_EQ(fires.size(), 4u);
  EXPECT_EQ(fires[0].starts_at, At("2026-10-10T09:00:00+08:00"));
  EXPECT_FALSE(fires[0].moved);
  EXPECT_EQ(fires[3].fire.at, At("2027-01-10T09:00:00+08:00"));
  EXPECT_EQ(fires[3].starts_at, At("2027-01-11T09:00:00+08:00"));
}

TEST(PlanFires, MovedFiresThatCollideMakeOneCycleKeyedByTheLatest) {
  // A daily rule moved off the weekend: Saturday's, Sunday's and Monday's 09:00 all start on
  // Monday at 09:00. One cycle, keyed by Monday's own fire; the two others are merged, not
  // missed.
  ScheduleSpec spec = Spec("0 9 * * *");
  spec.on_non_working_day = NonWorkingDayPolicy::kNextWorkingDay;
  const WorkingCalendar calendar = ShanghaiCalendar();
  ScheduleState state{At("2026-11-27T09:00:00+08:00"), false};  // Friday's cycle ran
  FirePlan plan = PlanFires(spec, &calendar, state, At("2026-11-30T09:00:02+08:00"));
  ASSERT_TRUE(plan.start);
  EXPECT_EQ(plan.start->fire.at, At("2026-11-30T09:00:00+08:00"));
  EXPECT_EQ(plan.cause, CycleCause::kSchedule);
  EXPECT_EQ(plan.merged, 2);
  EXPECT_EQ(plan.missed, 0);
  EXPECT_EQ(plan.watermark, At("2026-11-30T09:00:00+08:00"));
}

TEST(PlanFires, HolidayMoveNeverGoesBeforeAnEarlierFire) {
  // Two times a day: Saturday's 20:00 would move to Monday 20:00, after Monday's 08:00; it
  // starts with Monday's 08:00 instead, as every weekend fire does: start times never go
  // backwards, and a moved fire never delays a later one.
  ScheduleSpec spec = Spec("0 8,20 * * *");
  spec.on_non_working_day = NonWorkingDayPolicy::kNextWorkingDay;
  const WorkingCalendar calendar = ShanghaiCalendar();
  auto fires = NextScheduledFires(spec, &calendar, At("2026-11-28T00:00:00+08:00"), 6);
  ASSERT_EQ(fires.size(), 6u);
  for (size_t i = 1; i < fires.size(); ++i) EXPECT_GE(fires[i].starts_at, fires[i - 1].starts_at);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(fires[i].starts_at, At("2026-11-30T08:00:00+08:00"));
  EXPECT_EQ(fires[4].fire.at, At("2026-11-30T08:00:00+08:00"));
  EXPECT_EQ(fires[4].starts_at, At("2026-11-30T08:00:00+08:00"));
  EXPECT_FALSE(fires[4].moved);
  EXPECT_EQ(fires[5].starts_at, At("2026-11-30T20:00:00+08:00"));
}

TEST(PlanFires, ManyMissesOfAFastRuleAreCountedWithABound) {
  // A rule every five seconds, down for a month: the count stops being exact, and the latest
  // fire still starts as a catch-up once.
  ScheduleSpec spec = Spec("*/5 * * * * *", "UTC");
  ScheduleState state{At("2026-10-25T00:00:00Z"), false};
  const Instant now = At("2026-11-25T00:00:02Z");
  FirePlan plan = PlanFires(spec, nullptr, state, now);
  ASSERT_TRUE(plan.start);
  EXPECT_EQ(plan.start->fire.at, At("2026-11-25T00:00:00Z"));
  EXPECT_EQ(plan.cause, CycleCause::kSchedule);
  EXPECT_TRUE(plan.missed_capped);
  EXPECT_GE(plan.missed, kMaxCountedMisses);
  EXPECT_EQ(plan.watermark, At("2026-11-25T00:00:00Z"));
}

TEST(PlanFires, DstGapFireUsesTheRulesPolicy) {
  // 02:30 does not exist in New York on 2026-03-08: the default starts at 03:00 EDT.
  ScheduleSpec spec = Spec("30 2 * * *", "America/New_York");
  auto fires = NextScheduledFires(spec, nullptr, At("2026-03-07T12:00:00Z"), 1);
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].starts_at, At("2026-03-08T03:00:00-04:00"));
  spec.dst = DstGapPolicy::kSkip;
  fires = NextScheduledFires(spec, nullptr, At("2026-03-07T12:00:00Z"), 1);
  ASSERT_EQ(fires.size(), 1u);
  EXPECT_EQ(fires[0].starts_at, At("2026-03-09T02:30:00-04:00"));
}

TEST(ScheduleNames, RoundTrip) {
  for (auto p : {OverlapPolicy::kAllow, OverlapPolicy::kSkip, OverlapPolicy::kCarryOver}) {
    EXPECT_EQ(ParseOverlapPolicy(ToString(p)), p);
  }
  EXPECT_EQ(ToString(kDefaultOverlap), "carry_over");
  EXPECT_EQ(ParseNonWorkingDayPolicy("next_working_day"), NonWorkingDayPolicy::kNextWorkingDay);
  EXPECT_EQ(ParseDstGapPolicy("skip"), DstGapPolicy::kSkip);
  EXPECT_EQ(ParseCycleCause("catch_up"), CycleCause::kCatchUp);
  EXPECT_FALSE(ParseOverlapPolicy("carry-over"));
}

TEST(LocalToInstant, RepeatedTimeIsItsFirstOccurrence) {
  const date::time_zone* ny = date::locate_zone("America/New_York");
  using namespace date::literals;
  EXPECT_EQ(
      LocalToInstant(*ny, date::local_days{2026_y / date::November / 1} + hours(1) + minutes(30)),
      At("2026-11-01T01:30:00-04:00"));
}

}  // namespace
}  // namespace kaizen
