// Plan templates with the real kaizend: a config whose teams map roles and which names a
// template file; the templates listed over the API, and a plan made from one with its titles
// expanded, owners resolved from the team's roles and deadlines on the team's calendar and zone.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/integration/daemon_fixture.h"
#include "workflow/time.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;

// Shanghai office calendar with the 2026 National Day week: 1, 2, 5, 6, 7 October off and
// Saturday 10 October worked.
json TemplatesConfig() {
  json config = DefaultDirectoryConfig();
  config["storage"] = {{"path", "kaizen.db"}};  // relative to kaizend's working directory
  config["calendars"] = {
      {"cn-office",
       {{"time_zone", "Asia/Shanghai"},
        {"holidays", {"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"}},
        {"extra_working_days", {"2026-10-10"}}}}};
  config["teams"][0]["calendar"] = "cn-office";
  config["teams"][0]["roles"] = {{"analyst", "han.meimei"}, {"team_lead", "li.lei"}};
  // support maps a team lead but no analyst.
  config["teams"][1]["roles"] = {{"team_lead", "zhang.wei"}};
  config["templates"] = json::array({{{"file", "templates/review.json"}},
                                     {{"id", "inline-check"},
                                      {"title", "Self-check {year} Q{quarter}"},
                                      {"kind", "self_check"},
                                      {"owner", "wang.fang"},
                                      {"tasks",
                                       {{{"key", "goals"},
                                         {"title", "Goals"},
                                         {"owner", {{"role", "team_lead"}}},
                                         {"deadline", {{"after", "P3D"}}}}}}}});
  return config;
}

constexpr const char* kReviewTemplate = R"({
  // The monthly review as a team would write it, shortened.
  "id": "review", "title": "{team} monthly review {year}-{month}", "kind": "monthly_review",
  "description": "Last month in numbers", "owner": {"role": "team_lead"},
  "goals": [{"metric": "CSAT", "baseline": 80, "target": 85, "unit": "%",
             "owner": {"role": "analyst"}, "check_in": {"every": "P7D", "before_close": "P2D"}}],
  "tasks": [
    {"key": "stats", "title": "Data statistics {month}", "owner": {"role": "analyst"},
     "description": "Compile the numbers", "criterion": "every number sourced",
     "deadline": {"working_days": 2, "at": "18:00"}},
    {"key": "analysis", "title": "Problem analysis", "owner": "wang.fang",
     "depends_on": ["stats"], "deadline": {"day_of_month": 10, "at": "12:00"}},
    {"key": "wrap", "title": "Summary", "owner": {"role": "team_lead"},
     "depends_on": ["analysis"], "deadline": {"after": "P14D"}}]
})";

class Templates : public ::testing::Test {
 protected:
  Templates() : daemon_(DaemonOptions{TemplatesConfig(), {}}) {}

  void SetUp() override {
    std::filesystem::create_directories(daemon_.dir() / "templates");
    std::ofstream(daemon_.dir() / "templates" / "review.json") << kReviewTemplate;
    const Status started = daemon_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_.Client();
  }

  HttpResponse Get(const std::string& target) {
    auto response = client_->Request("GET", target);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }
  HttpResponse Post(const std::string& target, const json& body) {
    auto response =
        client_->Request("POST", target, body.dump(), {{"Content-Type", "application/json"}});
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  DaemonProcess daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Templates, ListedAndShownInTheConfigsShape) {
  HttpResponse list = Get("/api/v1/templates");
  ASSERT_TRUE(HasStatus(list, 200));
  ASSERT_EQ(list.json["items"].size(), 2u) << list.body;
  const json& review = list.json["items"][0];
  EXPECT_EQ(review["id"], "review");
  EXPECT_EQ(review["title"], "{team} monthly review {year}-{month}");
  EXPECT_EQ(review["kind"], "monthly_review");
  EXPECT_EQ(review["tasks"], 3);
  EXPECT_EQ(review["goals"], 1);
  EXPECT_EQ(review["source"], (daemon_.dir() / "templates" / "review.json").string());
  EXPECT_EQ(list.json["items"][1]["source"], daemon_.config_path().string());

  HttpResponse one = Get("/api/v1/templates/review");
  ASSERT_TRUE(HasStatus(one, 200));
  EXPECT_EQ(one.json["owner"], json({{"role", "team_lead"}}));
  EXPECT_EQ(one.json["tasks"][0]["deadline"], json({{"working_days", 2}, {"at", "18:00"}}));
  EXPECT_EQ(one.json["tasks"][1]["owner"], "wang.fang");
  EXPECT_EQ(one.json["tasks"][2]["depends_on"], json({"analysis"}));
  EXPECT_EQ(one.json["goals"][0]["check_in"], json({{"every", "P7D"}, {"before_close", "P2D"}}));

  EXPECT_TRUE(IsError(Get("/api/v1/templates/nope"), 404, "template_not_found"));
}

TEST_F(Templates, PlanFromTemplateResolvesRolesAndDeadlinesInTheTeamsZone) {
  // Wednesday 30 September 2026, 09:00 in Shanghai, on the eve of the National Day week.
  HttpResponse created = Post("/api/v1/plans", {{"template", "review"},
                                                {"team", "ops"},
                                                {"start", "2026-09-30T09:00:00+08:00"},
                                                {"actor", "li.lei"}});
  ASSERT_TRUE(HasStatus(created, 201));
  const json& plan = created.json;
  ASSERT_TRUE(created.Header("Location").has_value());
  EXPECT_EQ(plan["title"], "Operations monthly review 2026-09");
  EXPECT_EQ(plan["kind"], "monthly_review");
  EXPECT_EQ(plan["description"], "Last month in numbers");
  EXPECT_EQ(plan["owner"], "li.lei");  // the team lead of ops
  EXPECT_EQ(plan["team"], "ops");
  ASSERT_EQ(plan["goals"].size(), 1u);
  EXPECT_EQ(plan["goals"][0]["metric"], "CSAT");
  EXPECT_EQ(plan["goals"][0]["target"], 85);

  ASSERT_EQ(plan["tasks"].size(), 3u) << created.body;
  const json& stats = plan["tasks"][0];
  const json& analysis = plan["tasks"][1];
  const json& wrap = plan["tasks"][2];
  EXPECT_EQ(stats["key"], "stats");
  EXPECT_EQ(stats["title"], "Data statistics 09");
  EXPECT_EQ(stats["owner"], "han.meimei");  // the analyst of ops
  EXPECT_EQ(stats["criterion"], "every number sourced");
  // Two working days after 30 September on the office calendar: 8 and 9 October, 18:00 local.
  EXPECT_EQ(stats["due_at"], "2026-10-09T10:00:00Z");
  EXPECT_EQ(analysis["owner"], "wang.fang");
  // The 10th of September is before the start: the 10th of October, 12:00 local.
  EXPECT_EQ(analysis["due_at"], "2026-10-10T04:00:00Z");
  EXPECT_EQ(analysis["depends_on"], json({stats["id"]}));
  EXPECT_EQ(wrap["owner"], "li.lei");
  EXPECT_EQ(wrap["due_at"], "2026-10-14T01:00:00Z");  // 14 days of elapsed time
  EXPECT_EQ(wrap["depends_on"], json({analysis["id"]}));

  // The plan is stored like any other.
  HttpResponse stored = Get("/api/v1/plans/" + std::to_string(plan["id"].get<std::int64_t>()));
  ASSERT_TRUE(HasStatus(stored, 200));
  EXPECT_EQ(stored.json["tasks"], plan["tasks"]);
}

TEST_F(Templates, OwnerOverrideAndDefaultStart) {
  HttpResponse created = Post(
      "/api/v1/plans", {{"template", "inline-check"}, {"team", "support"}, {"owner", "zhang.wei"}});
  ASSERT_TRUE(HasStatus(created, 201));
  EXPECT_EQ(created.json["owner"], "zhang.wei");
  EXPECT_EQ(created.json["kind"], "self_check");
  EXPECT_EQ(created.json["tasks"][0]["owner"], "zhang.wei");  // team lead of support
  // Without "start" the cycle starts now: the task is due three days after the plan's creation.
  const auto created_at = ParseRfc3339(created.json["created_at"].get<std::string>());
  const auto due_at = ParseRfc3339(created.json["tasks"][0]["due_at"].get<std::string>());
  ASSERT_TRUE(created_at && due_at) << created.body;
  EXPECT_LE(*due_at - *created_at, std::chrono::hours{72} + std::chrono::seconds{5});
  EXPECT_GE(*due_at - *created_at, std::chrono::hours{72} - std::chrono::seconds{5});
}

TEST_F(Templates, Errors) {
  HttpResponse unknown = Post("/api/v1/plans", {{"template", "monthly"}, {"team", "ops"}});
  EXPECT_TRUE(IsError(unknown, 422, "unknown_template"));
  EXPECT_EQ(unknown.json["error"]["details"]["field"], "template");

  // support maps no analyst: the first field that needs one (the goal's owner) is named.
  HttpResponse role = Post("/api/v1/plans", {{"template", "review"}, {"team", "support"}});
  EXPECT_TRUE(IsError(role, 422, "unknown_role"));
  EXPECT_EQ(role.json["error"]["details"]["field"], "goals[0].owner");
  EXPECT_EQ(role.json["error"]["details"]["role"], "analyst");

  HttpResponse mixed =
      Post("/api/v1/plans", {{"template", "review"}, {"team", "ops"}, {"tasks", json::array()}});
  EXPECT_TRUE(IsError(mixed, 400, "template_with_inline_fields"));
  EXPECT_EQ(mixed.json["error"]["details"]["field"], "tasks");

  EXPECT_TRUE(IsError(Post("/api/v1/plans", {{"template", "review"}, {"team", "nowhere"}}), 422,
                      "unknown_team"));
  EXPECT_TRUE(IsError(Post("/api/v1/plans", {{"template", "review"}, {"title", "x"}}), 400,
                      "unknown_field"));
  EXPECT_TRUE(IsError(
      Post("/api/v1/plans", {{"template", "review"}, {"team", "ops"}, {"start", "tomorrow"}}), 422,
      "invalid_time"));
  // Nothing was created by the refused requests.
  HttpResponse plans = Get("/api/v1/plans");
  ASSERT_TRUE(HasStatus(plans, 200));
  EXPECT_TRUE(plans.json["items"].empty()) << plans.body;
}

}  // namespace
}  // namespace kaizen::testing
