#include "workflow/plan_template.h"

#include <gtest/gtest.h>

namespace kaizen {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

Instant At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  if (!t) ADD_FAILURE() << "bad test time " << rfc3339;
  return t.value_or(Instant{});
}

const date::time_zone& Zone(const char* name) { return *date::locate_zone(name); }

TemplateDeadline After(std::chrono::seconds d) {
  TemplateDeadline deadline;
  deadline.kind = TemplateDeadline::Kind::kAfter;
  deadline.after = d;
  return deadline;
}

TemplateDeadline WorkingDays(int n, minutes at) {
  TemplateDeadline deadline;
  deadline.kind = TemplateDeadline::Kind::kWorkingDays;
  deadline.working_days = n;
  deadline.time_of_day = at;
  return deadline;
}

TemplateDeadline DayOfMonth(int day, minutes at) {
  TemplateDeadline deadline;
  deadline.kind = TemplateDeadline::Kind::kDayOfMonth;
  deadline.day_of_month = day;
  deadline.time_of_day = at;
  return deadline;
}

constexpr minutes k1800 = hours{18};

// ---- after ----------------------------------------------------------------------------------

TEST(DeadlineFor, AfterIsElapsedTimeAcrossSpringForward) {
  // P1D is 24 hours of elapsed time: across the 2026-03-08 change in New York the wall clock
  // reads one hour later the next day (13:00 EDT for a start at 12:00 EST).
  const auto& ny = Zone("America/New_York");
  EXPECT_EQ(DeadlineFor(After(hours{24}), At("2026-03-07T12:00:00-05:00"), ny,
                        WeekdayCalendar("America/New_York")),
            At("2026-03-08T13:00:00-04:00"));
}

// ---- working_days ---------------------------------------------------------------------------

TEST(DeadlineFor, WorkingDaysSkipTheWeekendAndFollowTheWallClockAcrossDst) {
  const auto& ny = Zone("America/New_York");
  const WorkingCalendar weekdays = WeekdayCalendar("America/New_York");
  // Friday 10:00 EST + 1 working day at 18:00 = Monday 18:00 EDT (the clocks moved on Sunday).
  EXPECT_EQ(DeadlineFor(WorkingDays(1, k1800), At("2026-03-06T10:00:00-05:00"), ny, weekdays),
            At("2026-03-09T18:00:00-04:00"));
  // Day 0 is the start's own date.
  EXPECT_EQ(DeadlineFor(WorkingDays(0, k1800), At("2026-03-06T10:00:00-05:00"), ny, weekdays),
            At("2026-03-06T18:00:00-05:00"));
  // 3 working days from Friday: Monday, Tuesday, Wednesday.
  EXPECT_EQ(DeadlineFor(WorkingDays(3, k1800), At("2026-03-06T10:00:00-05:00"), ny, weekdays),
            At("2026-03-11T18:00:00-04:00"));
}

TEST(DeadlineFor, WorkingDaysCountTheStartDateInTheTeamsZoneNotUtc) {
  // 2026-03-05T23:30Z is already Friday 07:30 in Shanghai: one working day later is Monday.
  const auto& shanghai = Zone("Asia/Shanghai");
  EXPECT_EQ(DeadlineFor(WorkingDays(1, k1800), At("2026-03-05T23:30:00Z"), shanghai,
                        WeekdayCalendar("Asia/Shanghai")),
            At("2026-03-09T18:00:00+08:00"));
}

TEST(DeadlineFor, WorkingDaysHonourHolidaysAndAnExtraWorkingDay) {
  // The Chinese National Day week 2026: 1-7 October off, Saturday 10 October worked (调休).
  WorkingCalendarOptions options;
  options.time_zone = "Asia/Shanghai";
  for (const char* day : {"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"}) {
    options.holidays.push_back(*ParseCalendarDate(day));
  }
  options.extra_working_days.push_back(*ParseCalendarDate("2026-10-10"));
  const WorkingCalendar calendar = WorkingCalendar::Create(options).value();
  const auto& shanghai = Zone("Asia/Shanghai");
  const Instant start = At("2026-09-30T09:00:00+08:00");  // Wednesday
  // Thursday 8th, Friday 9th, Saturday 10th (worked).
  EXPECT_EQ(DeadlineFor(WorkingDays(1, k1800), start, shanghai, calendar),
            At("2026-10-08T18:00:00+08:00"));
  EXPECT_EQ(DeadlineFor(WorkingDays(3, k1800), start, shanghai, calendar),
            At("2026-10-10T18:00:00+08:00"));
  EXPECT_EQ(DeadlineFor(WorkingDays(4, k1800), start, shanghai, calendar),
            At("2026-10-12T18:00:00+08:00"));
}

// ---- day_of_month ---------------------------------------------------------------------------

TEST(DeadlineFor, DayOfMonthIsTheStartsMonth) {
  const auto& shanghai = Zone("Asia/Shanghai");
  const WorkingCalendar weekdays = WeekdayCalendar("Asia/Shanghai");
  EXPECT_EQ(DeadlineFor(DayOfMonth(5, k1800), At("2026-03-01T09:00:00+08:00"), shanghai, weekdays),
            At("2026-03-05T18:00:00+08:00"));
}

TEST(DeadlineFor, The31stInFebruaryIsItsLastDay) {
  const auto& shanghai = Zone("Asia/Shanghai");
  const WorkingCalendar weekdays = WeekdayCalendar("Asia/Shanghai");
  EXPECT_EQ(DeadlineFor(DayOfMonth(31, k1800), At("2026-02-01T09:00:00+08:00"), shanghai, weekdays),
            At("2026-02-28T18:00:00+08:00"));
  EXPECT_EQ(DeadlineFor(DayOfMonth(31, k1800), At("2028-02-01T09:00:00+08:00"), shanghai, weekdays),
            At("2028-02-29T18:00:00+08:00"));
  EXPECT_EQ(DeadlineFor(DayOfMonth(31, k1800), At("2026-04-01T09:00:00+08:00"), shanghai, weekdays),
            At("2026-04-30T18:00:00+08:00"));
}

TEST(DeadlineFor, AStartAfterTheDayMovesToTheNextMonth) {
  const auto& shanghai = Zone("Asia/Shanghai");
  const WorkingCalendar weekdays = WeekdayCalendar("Asia/Shanghai");
  EXPECT_EQ(DeadlineFor(DayOfMonth(5, k1800), At("2026-03-10T09:00:00+08:00"), shanghai, weekdays),
            At("2026-04-05T18:00:00+08:00"));
  // Exactly at the deadline is not before it: the next month's.
  EXPECT_EQ(DeadlineFor(DayOfMonth(5, k1800), At("2026-03-05T18:00:00+08:00"), shanghai, weekdays),
            At("2026-04-05T18:00:00+08:00"));
  // The 31st of January started late in the evening: February has no 31st, so its last day.
  EXPECT_EQ(DeadlineFor(DayOfMonth(31, k1800), At("2026-01-31T19:00:00+08:00"), shanghai, weekdays),
            At("2026-02-28T18:00:00+08:00"));
  // December rolls over into January of the next year.
  EXPECT_EQ(DeadlineFor(DayOfMonth(1, k1800), At("2026-12-02T09:00:00+08:00"), shanghai, weekdays),
            At("2027-01-01T18:00:00+08:00"));
}

TEST(DeadlineFor, ATimeInTheSpringForwardGapIsTheFirstInstantAfterIt) {
  // 2026-03-08 02:30 does not exist in New York: 02:00 EST jumps to 03:00 EDT.
  const auto& ny = Zone("America/New_York");
  EXPECT_EQ(DeadlineFor(DayOfMonth(8, hours{2} + minutes{30}), At("2026-03-01T09:00:00-05:00"), ny,
                        WeekdayCalendar("America/New_York")),
            At("2026-03-08T03:00:00-04:00"));
}

TEST(DeadlineFor, ATimeRepeatedByFallBackIsItsFirstOccurrence) {
  // 2026-11-01 01:30 happens twice in New York; the deadline is the first (EDT) one.
  const auto& ny = Zone("America/New_York");
  EXPECT_EQ(DeadlineFor(DayOfMonth(1, hours{1} + minutes{30}), At("2026-10-20T09:00:00-04:00"), ny,
                        WeekdayCalendar("America/New_York")),
            At("2026-11-01T01:30:00-04:00"));
}

// ---- owners ---------------------------------------------------------------------------------

Directory MakeDirectory() {
  Team ops{"ops",
           "Operations",
           "Asia/Shanghai",
           {{"analyst", "li.lei"}, {"service_lead", "han.meimei"}, {"team_lead", "wang.fang"}}};
  // A role may be held by someone of another team (here the analyst of ops is in "data").
  Team data{"data", "Data", "Asia/Shanghai", {}};
  return Directory({{"wang.fang", "Wang Fang", "ops", std::nullopt, {}},
                    {"han.meimei", "Han Meimei", "ops", "wang.fang", {}},
                    {"li.lei", "Li Lei", "data", std::nullopt, {}}},
                   {ops, data});
}

TEST(ResolveOwner, PersonAndRole) {
  const Directory directory = MakeDirectory();
  const Team& ops = *directory.FindTeam("ops");
  EXPECT_EQ(ResolveOwner({OwnerRef::Kind::kPerson, "wang.fang"}, ops, directory).value(),
            "wang.fang");
  EXPECT_EQ(ResolveOwner({OwnerRef::Kind::kRole, "analyst"}, ops, directory).value(), "li.lei");
}

TEST(ResolveOwner, UnknownRoleAndUnknownPerson) {
  const Directory directory = MakeDirectory();
  Result<PersonId> role =
      ResolveOwner({OwnerRef::Kind::kRole, "auditor"}, *directory.FindTeam("ops"), directory);
  ASSERT_FALSE(role.ok());
  EXPECT_EQ(role.status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(role.status().reason(), "unknown_role");
  EXPECT_NE(role.status().message().find("auditor"), std::string::npos);
  EXPECT_NE(role.status().message().find("analyst, service_lead, team_lead"), std::string::npos);

  Result<PersonId> person =
      ResolveOwner({OwnerRef::Kind::kPerson, "nobody"}, *directory.FindTeam("ops"), directory);
  ASSERT_FALSE(person.ok());
  EXPECT_EQ(person.status().reason(), "unknown_owner");
}

// ---- titles ---------------------------------------------------------------------------------

TEST(ExpandTitle, UsesTheCycleStartInTheTeamsZone) {
  const Directory directory = MakeDirectory();
  const Team& ops = *directory.FindTeam("ops");
  // 2026-03-31T17:00Z is 1 April 01:00 in Shanghai: April, second quarter.
  const Instant start = At("2026-03-31T17:00:00Z");
  EXPECT_EQ(ExpandTitle("{team} monthly operations review {year}-{month}", start, ops),
            "Operations monthly operations review 2026-04");
  EXPECT_EQ(ExpandTitle("{year} Q{quarter} 季度自查", start, ops), "2026 Q2 季度自查");
  EXPECT_EQ(ExpandTitle("{date} / {day} / {unknown} / {year", start, ops),
            "2026-04-01 / 01 / {unknown} / {year");
  Team utc = ops;
  utc.time_zone = "UTC";
  EXPECT_EQ(ExpandTitle("{year}-{month} Q{quarter}", start, utc), "2026-03 Q1");
}

// ---- a whole instantiation ------------------------------------------------------------------

PlanTemplate MonthlyReview() {
  PlanTemplate t;
  t.id = "monthly-review";
  t.title = "月度运营复盘 {year}-{month}";
  t.description = "Review of the month";
  t.kind = std::string(kPlanKindMonthlyReview);
  t.owner = {OwnerRef::Kind::kRole, "team_lead"};
  t.reminder_policy = "standard";
  TemplateGoal goal;
  goal.metric = "customer satisfaction";
  goal.baseline = 80;
  goal.target = 85;
  goal.unit = "%";
  goal.owner = OwnerRef{OwnerRef::Kind::kRole, "service_lead"};
  goal.check_in_every = hours{24 * 7};
  goal.check_in_before_close = hours{48};
  t.goals.push_back(goal);
  TemplateTask stats;
  stats.key = "stats";
  stats.title = "数据统计 {month}月";
  stats.description = "Collect the month's numbers";
  stats.criterion = "sheet filled";
  stats.owner = {OwnerRef::Kind::kRole, "analyst"};
  stats.deadline = WorkingDays(2, k1800);
  TemplateTask analysis;
  analysis.key = "analysis";
  analysis.title = "问题分析";
  analysis.owner = {OwnerRef::Kind::kPerson, "han.meimei"};
  analysis.depends_on = {"stats"};
  analysis.deadline = DayOfMonth(10, k1800);
  analysis.reminder_policy = "urgent";
  t.tasks = {stats, analysis};
  return t;
}

TEST(InstantiateTemplate, ResolvesOwnersDeadlinesAndTitles) {
  const Directory directory = MakeDirectory();
  const Team& ops = *directory.FindTeam("ops");
  const Instant start = At("2026-03-02T09:00:00+08:00");  // Monday
  Result<NewPlan> plan =
      InstantiateTemplate(MonthlyReview(), ops, directory, WeekdayCalendar("Asia/Shanghai"), start);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->title, "月度运营复盘 2026-03");
  EXPECT_EQ(plan->description, "Review of the month");
  EXPECT_EQ(plan->kind, "monthly_review");
  EXPECT_EQ(plan->owner, "wang.fang");
  EXPECT_EQ(plan->team, "ops");
  EXPECT_EQ(plan->template_id, "monthly-review");
  EXPECT_EQ(plan->reminder_policy, "standard");
  ASSERT_EQ(plan->goals.size(), 1u);
  EXPECT_EQ(plan->goals[0].metric, "customer satisfaction");
  EXPECT_EQ(plan->goals[0].baseline, 80);
  EXPECT_EQ(plan->goals[0].target, 85);
  EXPECT_EQ(plan->goals[0].owner, "han.meimei");
  EXPECT_EQ(plan->goals[0].check_in_every, hours{24 * 7});
  EXPECT_EQ(plan->goals[0].check_in_before_close, hours{48});
  ASSERT_EQ(plan->tasks.size(), 2u);
  EXPECT_EQ(plan->tasks[0].key, "stats");
  EXPECT_EQ(plan->tasks[0].title, "数据统计 03月");
  EXPECT_EQ(plan->tasks[0].owner, "li.lei");  // the analyst, from another team
  EXPECT_EQ(plan->tasks[0].criterion, "sheet filled");
  EXPECT_EQ(plan->tasks[0].due_at, At("2026-03-04T18:00:00+08:00"));
  EXPECT_TRUE(plan->tasks[0].depends_on_keys.empty());
  EXPECT_EQ(plan->tasks[1].owner, "han.meimei");
  EXPECT_EQ(plan->tasks[1].due_at, At("2026-03-10T18:00:00+08:00"));
  EXPECT_EQ(plan->tasks[1].depends_on_keys, std::vector<std::string>{"stats"});
  EXPECT_EQ(plan->tasks[1].reminder_policy, "urgent");
  // Closes at the latest deadline, unless the caller (a schedule) says when.
  EXPECT_EQ(plan->closes_at, At("2026-03-10T18:00:00+08:00"));
  Result<NewPlan> scheduled =
      InstantiateTemplate(MonthlyReview(), ops, directory, WeekdayCalendar("Asia/Shanghai"), start,
                          At("2026-04-01T09:00:00+08:00"));
  ASSERT_TRUE(scheduled.ok());
  EXPECT_EQ(scheduled->closes_at, At("2026-04-01T09:00:00+08:00"));
}

TEST(InstantiateTemplate, ErrorsNameTheField) {
  const Directory directory = MakeDirectory();
  const Team& data = *directory.FindTeam("data");  // maps no roles
  Result<NewPlan> plan = InstantiateTemplate(MonthlyReview(), data, directory,
                                             WeekdayCalendar("Asia/Shanghai"), Instant{});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().reason(), "unknown_role");
  EXPECT_EQ(plan.status().details()["field"], "owner");
  EXPECT_EQ(plan.status().details()["role"], "team_lead");

  PlanTemplate t = MonthlyReview();
  t.tasks[1].owner = {OwnerRef::Kind::kRole, "auditor"};
  plan = InstantiateTemplate(t, *directory.FindTeam("ops"), directory,
                             WeekdayCalendar("Asia/Shanghai"), Instant{});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kUnprocessable);
  EXPECT_EQ(plan.status().reason(), "unknown_role");
  EXPECT_EQ(plan.status().details()["field"], "tasks[1].owner");

  t = MonthlyReview();
  t.goals[0].owner = OwnerRef{OwnerRef::Kind::kPerson, "nobody"};
  plan = InstantiateTemplate(t, *directory.FindTeam("ops"), directory,
                             WeekdayCalendar("Asia/Shanghai"), Instant{});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().reason(), "unknown_owner");
  EXPECT_EQ(plan.status().details()["field"], "goals[0].owner");
}

TEST(WeekdayCalendar, MondayToFridayInTheZone) {
  const WorkingCalendar calendar = WeekdayCalendar("Asia/Shanghai");
  EXPECT_EQ(calendar.zone().name(), "Asia/Shanghai");
  EXPECT_TRUE(calendar.IsWorkingDay(date::local_days{date::year{2026} / 3 / 6}));   // Friday
  EXPECT_FALSE(calendar.IsWorkingDay(date::local_days{date::year{2026} / 3 / 7}));  // Saturday
  EXPECT_TRUE(calendar.IsWorkingDay(date::local_days{date::year{2026} / 10 / 1}));  // no holidays
}

}  // namespace
}  // namespace kaizen
