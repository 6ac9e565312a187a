// The "templates" section and teams[].roles: reading, every rule, errors naming the file, the
// field and the reason, and the shipped examples.
#include "config/plan_templates.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace kaizen::config {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;

EnvLookup NoEnv() {
  return [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
}

FileReader MapFiles(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return InvalidArgument("file_unreadable", "No such file or directory");
    return it->second;
  };
}

// A config with two teams mapping roles, three people and the given "templates" value.
std::string WithTemplates(std::string_view templates) {
  return std::string(R"({
  "policies": {"standard": {"before": ["P1D"]}},
  "teams": [{"id": "ops", "name": "Operations", "time_zone": "Asia/Shanghai",
             "roles": {"analyst": "li.lei", "team_lead": "wang.fang"}},
            {"id": "support", "name": "Support", "roles": {"service_lead": "han.meimei"}}],
  "people": [{"id": "wang.fang", "name": "Wang Fang", "team": "ops"},
             {"id": "li.lei", "name": "Li Lei", "team": "ops"},
             {"id": "han.meimei", "name": "Han Meimei", "team": "support"}],
  "templates": )") +
         std::string(templates) + "}";
}

Result<Config> Parse(std::string_view text, std::map<std::string, std::string> files = {}) {
  return ParseConfig(text, "/etc/kaizen/kaizen.json", NoEnv(), MapFiles(std::move(files)));
}

// "file: field: reason" lines of a failed parse.
std::vector<std::string> Lines(const Result<Config>& result) {
  std::vector<std::string> out;
  if (result.ok()) return out;
  const std::string& message = result.status().message();
  std::size_t start = 0;
  while (start <= message.size()) {
    std::size_t end = message.find('\n', start);
    out.push_back(message.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

constexpr std::string_view kReview = R"({
  "id": "monthly-review", "title": "Monthly review {year}-{month}", "kind": "monthly_review",
  "description": "The month in numbers", "owner": {"role": "team_lead"},
  "allow_self_verification": true, "reminder_policy": "standard",
  "goals": [{"metric": "customer satisfaction", "baseline": 80, "target": 85, "unit": "%",
             "owner": {"role": "analyst"}, "check_in": {"every": "P7D", "before_close": "P2D"}}],
  "tasks": [
    {"key": "stats", "title": "Data statistics", "owner": {"role": "analyst"},
     "criterion": "every number sourced", "deadline": {"working_days": 3, "at": "18:00"}},
    {"key": "analysis", "title": "Problem analysis", "owner": "wang.fang",
     "depends_on": ["stats"], "deadline": {"day_of_month": 10, "at": "12:30"},
     "reminder_policy": "default"},
    {"key": "outlook", "title": "Summary", "owner": {"role": "service_lead"},
     "depends_on": ["stats", "analysis"], "deadline": {"after": "P14D"}}]
})";

TEST(ConfigTemplates, ReadsAnInlineTemplateAndTheTeamsRoles) {
  Result<Config> config = Parse(WithTemplates("[" + std::string(kReview) + "]"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->directory->FindTeam("ops")->roles,
            (std::map<std::string, PersonId>{{"analyst", "li.lei"}, {"team_lead", "wang.fang"}}));
  ASSERT_EQ(config->templates.size(), 1u);
  const PlanTemplate& t = config->templates[0];
  EXPECT_EQ(t.id, "monthly-review");
  EXPECT_EQ(t.title, "Monthly review {year}-{month}");
  EXPECT_EQ(t.kind, "monthly_review");
  EXPECT_EQ(t.source, "/etc/kaizen/kaizen.json");
  EXPECT_EQ(t.owner, (OwnerRef{OwnerRef::Kind::kRole, "team_lead"}));
  EXPECT_TRUE(t.allow_self_verification);
  EXPECT_EQ(t.reminder_policy, "standard");
  ASSERT_EQ(t.goals.size(), 1u);
  EXPECT_EQ(t.goals[0].baseline, 80);
  EXPECT_EQ(t.goals[0].target, 85);
  EXPECT_EQ(t.goals[0].check_in_every, hours{24 * 7});
  EXPECT_EQ(t.goals[0].check_in_before_close, hours{48});
  ASSERT_EQ(t.tasks.size(), 3u);
  EXPECT_EQ(t.tasks[0].deadline.kind, TemplateDeadline::Kind::kWorkingDays);
  EXPECT_EQ(t.tasks[0].deadline.working_days, 3);
  EXPECT_EQ(t.tasks[0].deadline.time_of_day, hours{18});
  EXPECT_EQ(t.tasks[1].owner, (OwnerRef{OwnerRef::Kind::kPerson, "wang.fang"}));
  EXPECT_EQ(t.tasks[1].deadline.kind, TemplateDeadline::Kind::kDayOfMonth);
  EXPECT_EQ(t.tasks[1].deadline.day_of_month, 10);
  EXPECT_EQ(t.tasks[1].deadline.time_of_day, hours{12} + minutes{30});
  EXPECT_EQ(t.tasks[1].reminder_policy, "default");
  EXPECT_EQ(t.tasks[2].deadline.kind, TemplateDeadline::Kind::kAfter);
  EXPECT_EQ(t.tasks[2].deadline.after, hours{14 * 24});
  EXPECT_EQ(t.tasks[2].depends_on, (std::vector<std::string>{"stats", "analysis"}));
}

TEST(ConfigTemplates, JsonRoundTrip) {
  Result<Config> config = Parse(WithTemplates("[" + std::string(kReview) + "]"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  const json written = PlanTemplateToJson(config->templates[0]);
  EXPECT_EQ(written["owner"], json({{"role", "team_lead"}}));
  EXPECT_EQ(written["tasks"][1]["deadline"], json({{"day_of_month", 10}, {"at", "12:30"}}));
  EXPECT_EQ(written["tasks"][2]["deadline"], json({{"after", "P14D"}}));
  EXPECT_EQ(written["goals"][0]["check_in"], json({{"every", "P7D"}, {"before_close", "P2D"}}));
  Result<Config> again = Parse(WithTemplates("[" + written.dump() + "]"));
  ASSERT_TRUE(again.ok()) << again.status().message();
  PlanTemplate expected = config->templates[0];
  EXPECT_EQ(again->templates[0], expected);
}

TEST(ConfigTemplates, TemplateFilesAreRelativeToTheConfigFile) {
  Result<Config> config =
      Parse(WithTemplates(R"([{"file": "templates/review.json"}, {"file": "/srv/other.json"}])"),
            {{"/etc/kaizen/templates/review.json", "// comments allowed\n" + std::string(kReview)},
             {"/srv/other.json", R"({"id": "other", "title": "Other", "owner": "li.lei",
                "tasks": [{"key": "a", "title": "A", "owner": "li.lei",
                           "deadline": {"after": "PT4H"}}]})"}});
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_EQ(config->templates.size(), 2u);
  EXPECT_EQ(config->templates[0].id, "monthly-review");
  EXPECT_EQ(config->templates[0].source, "/etc/kaizen/templates/review.json");
  EXPECT_EQ(config->templates[1].source, "/srv/other.json");
  EXPECT_EQ(config->templates[1].kind, "improvement");
}

TEST(ConfigTemplates, AProblemInATemplateFileNamesThatFile) {
  Result<Config> config =
      Parse(WithTemplates(R"([{"file": "t/review.json"}, {"file": "t/missing.json"}])"),
            {{"/etc/kaizen/t/review.json",
              R"({"id": "r", "title": "R", "owner": {"role": "auditor"},
            "tasks": [{"key": "a", "title": "A", "owner": "nobody", "deadline": {"after": "P1M"}}]})"}});
  EXPECT_EQ(Lines(config),
            (std::vector<std::string>{
                "/etc/kaizen/t/review.json: owner.role: no team maps the role 'auditor' "
                "(teams[].roles); mapped roles: analyst, service_lead, team_lead",
                "/etc/kaizen/t/review.json: tasks[0].owner: unknown person 'nobody'; known: "
                "han.meimei, li.lei, wang.fang",
                "/etc/kaizen/t/review.json: tasks[0].deadline.after: 'P1M' uses years or months, "
                "which have no fixed length; write days or weeks instead (P30D, P4W)",
                "/etc/kaizen/kaizen.json: templates[1].file: cannot read "
                "/etc/kaizen/t/missing.json: No such file or directory"}))
      << config.status().message();
  const json& errors = config.status().details()["errors"];
  EXPECT_EQ(errors[0]["file"], "/etc/kaizen/t/review.json");
  EXPECT_EQ(errors[0]["field"], "owner.role");
  EXPECT_FALSE(errors[3].contains("file"));
}

TEST(ConfigTemplates, EveryRuleIsChecked) {
  Result<Config> config = Parse(WithTemplates(R"([
    {"id": "Bad Id", "title": "", "owner": "li.lei", "color": "red", "reminder_policy": "loud",
     "goals": [{"unit": "%", "check_in": {"every": "P0D"}}],
     "tasks": [
       {"key": "a", "title": "A", "owner": "li.lei", "depends_on": ["b", "a", "zzz"],
        "deadline": {"working_days": 3}},
       {"key": "a", "title": "A2", "owner": "li.lei", "deadline": {"day_of_month": 32, "at": "24:00"}},
       {"key": "b", "title": "B", "owner": "li.lei",
        "deadline": {"after": "P1D", "working_days": 2}},
       {"key": "c", "title": "C", "owner": "li.lei"}]},
    {"id": "cycle", "title": "T", "owner": "li.lei", "tasks": [
       {"key": "x", "title": "X", "owner": "li.lei", "depends_on": ["z"], "deadline": {"after": "P1D"}},
       {"key": "y", "title": "Y", "owner": "li.lei", "depends_on": ["x"], "deadline": {"after": "P1D"}},
       {"key": "z", "title": "Z", "owner": "li.lei", "depends_on": ["y"], "deadline": {"after": "P1D"}}]},
    {"id": "cycle", "title": "again", "owner": "li.lei", "tasks": []}])"));
  const std::string p = "/etc/kaizen/kaizen.json: templates";
  EXPECT_EQ(
      Lines(config),
      (std::vector<std::string>{
          p + "[0].color: unknown field; known: allow_self_verification, description, goals, id, "
              "kind, owner, reminder_policy, tasks, title",
          p + "[0].id: must use only a-z, 0-9, '.', '_' and '-'",
          p + "[0].title: must not be empty",
          p + "[0].reminder_policy: unknown policy 'loud'; known: default, standard",
          p + "[0].goals[0].metric: required", p + "[0].goals[0].target: required",
          p + "[0].goals[0].check_in.every: must be longer than zero",
          p + "[0].tasks[0].depends_on[1]: a task cannot depend on itself",
          p + "[0].tasks[0].deadline.at: required",
          p + "[0].tasks[1].key: duplicate key 'a'; first used at templates[0].tasks[0]",
          p + "[0].tasks[1].deadline.day_of_month: must be between 1 and 31, got 32",
          p + "[0].tasks[1].deadline.at: expected a local time HH:MM from 00:00 to 23:59, got "
              "'24:00'",
          p + "[0].tasks[2].deadline: give only one of after, working_days and day_of_month",
          p + "[0].tasks[3].deadline: required: {\"after\": \"P3D\"}, {\"working_days\": 3, "
              "\"at\": \"18:00\"} or {\"day_of_month\": 5, \"at\": \"18:00\"}",
          p + "[0].tasks[0].depends_on[2]: no task has the key 'zzz'; keys: a, b, c",
          p + "[1].tasks[0].depends_on: dependency cycle: x -> z -> y -> x",
          p + "[2].tasks: a template needs at least one task",
          p + "[2].id: duplicate template id 'cycle'; first defined at templates[1]"}))
      << config.status().message();
}

TEST(ConfigTemplates, RolesMustNameKnownPeople) {
  Result<Config> config = ParseConfig(R"({
    "teams": [{"id": "ops", "name": "Ops", "roles": {"analyst": "ghost", "Bad Role": "a", "x": 3}}],
    "people": [{"id": "a", "name": "A", "team": "ops"}]})",
                                      "kaizen.json", NoEnv());
  EXPECT_EQ(Lines(config),
            (std::vector<std::string>{
                "kaizen.json: teams[0].roles.Bad Role: a role name must use only a-z, 0-9, '.', "
                "'_' and '-'",
                "kaizen.json: teams[0].roles.x: expected a person id, got the number 3",
                "kaizen.json: teams[0].roles.analyst: unknown person 'ghost'; known: a"}))
      << config.status().message();
}

TEST(ConfigTemplates, WithoutAFileReaderAFileIsAProblem) {
  Result<Config> config =
      ParseConfig(WithTemplates(R"([{"file": "t.json"}])"), "kaizen.json", NoEnv());
  EXPECT_EQ(Lines(config),
            (std::vector<std::string>{
                "kaizen.json: templates[0].file: template files cannot be read here"}));
}

// The shipped examples: every template loads, in both languages, with roles every example team
// that uses them maps.
TEST(ConfigTemplates, ExampleConfigLoadsItsTemplates) {
  Result<Config> config = LoadConfigFile(KAIZEN_EXAMPLE_CONFIG, NoEnv());
  ASSERT_TRUE(config.ok()) << config.status().message();
  std::map<std::string, const PlanTemplate*> by_id;
  for (const PlanTemplate& t : config->templates) by_id[t.id] = &t;
  for (const char* id : {"monthly-review-zh", "monthly-review-en", "quarterly-self-check-zh",
                         "quarterly-self-check-en"}) {
    ASSERT_EQ(by_id.count(id), 1u) << id;
    EXPECT_NE(by_id[id]->source.find("examples/templates/"), std::string::npos);
  }
  EXPECT_EQ(by_id["monthly-review-zh"]->tasks.size(), 7u);
  EXPECT_EQ(by_id["monthly-review-en"]->tasks.size(), 7u);
  EXPECT_EQ(by_id["quarterly-self-check-zh"]->tasks.size(), 5u);
  EXPECT_EQ(by_id["quarterly-self-check-en"]->tasks.size(), 5u);
  // Each example instantiates for the team it is written for.
  const Directory& directory = *config->directory;
  for (const auto& [id, team] :
       std::map<std::string, std::string>{{"monthly-review-zh", "ops"},
                                          {"quarterly-self-check-zh", "ops"},
                                          {"monthly-review-en", "support"},
                                          {"quarterly-self-check-en", "support"}}) {
    const Team& t = *directory.FindTeam(team);
    Result<NewPlan> plan =
        InstantiateTemplate(*by_id[id], t, directory, WeekdayCalendar(t.time_zone),
                            *ParseRfc3339("2026-04-01T01:00:00Z"));
    ASSERT_TRUE(plan.ok()) << id << ": " << plan.status().ToString();
    for (const NewTask& task : plan->tasks) {
      EXPECT_FALSE(task.criterion.empty()) << id << " " << *task.key;
      EXPECT_FALSE(task.description.empty()) << id << " " << *task.key;
    }
    EXPECT_FALSE(plan->goals.empty()) << id;
  }
  // And the schedules that start them: ops on its first working day of each month and quarter.
  std::map<std::string, const ScheduleSpec*> schedules;
  for (const ScheduleSpec& s : config->schedules) schedules[s.id] = &s;
  ASSERT_EQ(schedules.size(), 3u);
  const ScheduleSpec& monthly = *schedules.at("ops-monthly-review");
  EXPECT_EQ(monthly.template_id, "monthly-review-zh");
  EXPECT_EQ(monthly.time_zone, "Asia/Shanghai");
  EXPECT_EQ(monthly.on_non_working_day, NonWorkingDayPolicy::kNextWorkingDay);
  EXPECT_EQ(monthly.overlap, OverlapPolicy::kCarryOver);
  EXPECT_EQ(schedules.at("support-monthly-review")->time_zone, "Europe/Berlin");
}

}  // namespace
}  // namespace kaizen::config
