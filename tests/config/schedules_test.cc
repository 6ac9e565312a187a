#include "config/schedules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/sample_directory.h"

namespace kaizen::config {
namespace {

using nlohmann::json;

PlanTemplate Review() {
  PlanTemplate t;
  t.id = "monthly-review";
  t.title = "Monthly review {year}-{month}";
  t.owner = {OwnerRef::Kind::kRole, "lead"};
  TemplateTask task;
  task.key = "stats";
  task.title = "Data statistics";
  task.owner = {OwnerRef::Kind::kRole, "analyst"};
  t.tasks = {task};
  return t;
}

struct Read {
  std::vector<ScheduleSpec> specs;
  std::vector<ConfigProblem> problems;
};

Read ReadText(const char* text) {
  Read out;
  const Directory directory = kaizen::testing::SampleDirectory();
  FollowUpSettings follow_up;
  out.specs = ReadSchedules(json::parse(text), directory, follow_up, {Review()}, out.problems);
  return out;
}

std::vector<std::string> Problems(const Read& read) {
  std::vector<std::string> out;
  for (const ConfigProblem& p : read.problems) out.push_back(p.field + ": " + p.reason);
  return out;
}

TEST(ReadSchedules, DefaultsAndTheTeamsZone) {
  Read read = ReadText(R"({"schedules": [{"id": "ops-monthly", "template": "monthly-review",
                           "team": "ops", "rule": "0 9 1 * *"}]})");
  ASSERT_TRUE(read.problems.empty()) << ::testing::PrintToString(Problems(read));
  ASSERT_EQ(read.specs.size(), 1u);
  const ScheduleSpec& spec = read.specs[0];
  EXPECT_EQ(spec.time_zone, "Asia/Shanghai");
  EXPECT_EQ(spec.rule_text(), "0 9 1 * *");
  EXPECT_EQ(spec.overlap, OverlapPolicy::kCarryOver);
  EXPECT_EQ(spec.catch_up, std::chrono::hours(24));
  EXPECT_EQ(spec.dst, DstGapPolicy::kFireAfterGap);
  EXPECT_EQ(spec.on_non_working_day, NonWorkingDayPolicy::kRun);
}

TEST(ReadSchedules, EveryFieldGiven) {
  Read read = ReadText(R"({"schedules": [{"id": "q", "template": "monthly-review",
      "team": "ops", "rule": "0 0 9 1 1,4,7,10 *", "time_zone": "UTC", "dst": "skip",
      "catch_up": "PT0S", "overlap": "skip", "on_non_working_day": "next_working_day"}]})");
  ASSERT_TRUE(read.problems.empty()) << ::testing::PrintToString(Problems(read));
  const ScheduleSpec& spec = read.specs.at(0);
  EXPECT_EQ(spec.time_zone, "UTC");
  EXPECT_EQ(spec.dst, DstGapPolicy::kSkip);
  EXPECT_EQ(spec.catch_up, std::chrono::seconds(0));
  EXPECT_EQ(spec.overlap, OverlapPolicy::kSkip);
  EXPECT_EQ(spec.on_non_working_day, NonWorkingDayPolicy::kNextWorkingDay);
}

TEST(ReadSchedules, ProblemsNameTheFieldAndTheReason) {
  Read read = ReadText(R"({"schedules": [
      {"id": "a", "template": "nope", "team": "ops", "rule": "0 9 32 * *"},
      {"id": "a", "template": "monthly-review", "team": "sales", "rule": "0 0 30 2 *",
       "time_zone": "Mars/Olympus", "overlap": "queue", "catch_up": "P1M", "color": "red"}]})");
  EXPECT_TRUE(read.specs.empty());
  const std::vector<std::string> problems = Problems(read);
  auto has = [&](const std::string& prefix) {
    for (const std::string& p : problems) {
      if (p.rfind(prefix, 0) == 0) return true;
    }
    ADD_FAILURE() << "no problem starting with '" << prefix << "' in "
                  << ::testing::PrintToString(problems);
    return false;
  };
  has("schedules[0].template: unknown template 'nope'; known: monthly-review");
  has("schedules[0].rule: day-of-month: 32");
  has("schedules[1].color: unknown field");
  has("schedules[1].id: duplicate id 'a' (also schedules[0])");
  has("schedules[1].team: unknown team 'sales'; known: cs, ops");
  has("schedules[1].rule: ");
  has("schedules[1].time_zone: unknown time zone 'Mars/Olympus'");
  has("schedules[1].overlap: must be one of: allow, skip, carry_over; got 'queue'");
  has("schedules[1].catch_up: ");
}

TEST(ReadSchedules, ATemplateRoleTheTeamDoesNotMapIsRefusedAtLoad) {
  // Team "cs" maps no roles: the template's "lead" owner has nobody.
  Read read = ReadText(R"({"schedules": [{"id": "cs-monthly", "template": "monthly-review",
                           "team": "cs", "rule": "@monthly"}]})");
  EXPECT_TRUE(read.specs.empty());
  ASSERT_EQ(read.problems.size(), 1u);
  EXPECT_EQ(read.problems[0].field, "schedules[0].template");
  EXPECT_NE(read.problems[0].reason.find("cannot be used for team 'cs' (owner)"), std::string::npos)
      << read.problems[0].reason;
}

}  // namespace
}  // namespace kaizen::config
