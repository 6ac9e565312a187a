// GET /plans/{id}/report and POST /plans/{id}/close through ApiHandlers: a real Storage, the
// sample directory and a FakeClock (2026-11-25T01:00:00Z at start), no sockets.
#include <gtest/gtest.h>

#include "tests/daemon/api_test_env.h"

namespace kaizen::daemon {
namespace {

using nlohmann::json;

class ReportRoutesTest : public ::testing::Test {
 protected:
  // A plan of ops with two tasks of han.meimei, due on the 26th and on 10 December.
  std::string CreatePlan() {
    json body = json::parse(R"({
      "title": "Monthly operations review", "owner": "li.lei", "team": "ops",
      "tasks": [{"key": "stats", "title": "Data statistics", "owner": "han.meimei",
                 "due_at": "2026-11-26T10:00:00Z"},
                {"key": "analysis", "title": "Problem analysis", "owner": "han.meimei",
                 "due_at": "2026-12-10T10:00:00Z"}]})");
    HttpResponse response = env_.Call("POST", "/api/v1/plans", body);
    EXPECT_EQ(response.status, 201) << response.body;
    json plan = BodyOf(response);
    first_task_ = plan["tasks"][0]["id"].get<std::int64_t>();
    return "/api/v1/plans/" + std::to_string(plan["id"].get<std::int64_t>());
  }

  ApiTestEnv env_;
  std::int64_t first_task_ = 0;
};

TEST_F(ReportRoutesTest, ALiveReportUntilClosedThenTheFrozenOneEveryTime) {
  const std::string plan = CreatePlan();
  env_.clock().Advance(std::chrono::hours(48));  // the 27th: the first task is a day late
  HttpResponse live = env_.Call("GET", plan + "/report");
  ASSERT_EQ(live.status, 200) << live.body;
  EXPECT_EQ(live.content_type, "application/json");
  json report = BodyOf(live);
  EXPECT_TRUE(report["closed_at"].is_null());
  EXPECT_EQ(report["generated_at"], "2026-11-27T01:00:00Z");
  EXPECT_EQ(report["overdue"][0]["id"], first_task_);
  EXPECT_EQ(report["overdue"][0]["days_late"], 0);  // 15 hours late: not a whole day yet
  EXPECT_EQ(report["on_time_percent"], 0.0);

  HttpResponse closed = env_.Call("POST", plan + "/close");
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(BodyOf(closed)["closed_at"], "2026-11-27T01:00:00Z");
  json plan_after = BodyOf(env_.Call("GET", plan));
  EXPECT_EQ(plan_after["version"], 2);

  env_.clock().Advance(std::chrono::hours(24));
  HttpResponse again = env_.Call("POST", plan + "/close", json::object());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, closed.body);
  EXPECT_EQ(BodyOf(env_.Call("GET", plan))["version"], 2);
  EXPECT_EQ(env_.Call("GET", plan + "/report").body, closed.body);

  // Exactly one summary in the outbox.
  json outbox = BodyOf(env_.Call("GET", "/api/v1/notifications"));
  int summaries = 0;
  for (const json& n : outbox["items"]) summaries += n["kind"] == "cycle_summary" ? 1 : 0;
  EXPECT_GE(summaries, 1);
  const int per_close = summaries;
  env_.Call("POST", plan + "/close");
  outbox = BodyOf(env_.Call("GET", "/api/v1/notifications"));
  summaries = 0;
  for (const json& n : outbox["items"]) summaries += n["kind"] == "cycle_summary" ? 1 : 0;
  EXPECT_EQ(summaries, per_close);
}

TEST_F(ReportRoutesTest, MarkdownWhenAskedInTheLocaleAskedFor) {
  const std::string plan = CreatePlan();
  HttpResponse en = env_.Call("GET", plan + "/report", std::string(),
                              ApiTestEnv::Headers{{"Accept", "text/markdown"}});
  ASSERT_EQ(en.status, 200) << en.body;
  EXPECT_EQ(en.content_type, "text/markdown; charset=utf-8");
  EXPECT_EQ(en.body.rfind("# Report: Monthly operations review\n", 0), 0u) << en.body;
  HttpResponse zh = env_.Call("GET", plan + "/report?locale=zh-CN", std::string(),
                              ApiTestEnv::Headers{{"Accept", "text/markdown, */*"}});
  ASSERT_EQ(zh.status, 200) << zh.body;
  EXPECT_EQ(zh.body.rfind("# 报告：Monthly operations review\n", 0), 0u) << zh.body;
  HttpResponse closed = env_.Call("POST", plan + "/close", std::string(),
                                  ApiTestEnv::Headers{{"Accept", "text/markdown"}});
  EXPECT_EQ(closed.content_type, "text/markdown; charset=utf-8");
}

TEST_F(ReportRoutesTest, RefusesWhatItCannotAnswer) {
  const std::string plan = CreatePlan();
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/plans/99/report")), "plan_not_found");
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/plans/x/report")), "plan_not_found");
  EXPECT_EQ(ErrorCodeOf(env_.Call("POST", "/api/v1/plans/99/close")), "plan_not_found");
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", plan + "/report?locale=fr")), "invalid_query");
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", plan + "/report?lang=en")), "invalid_query");
  EXPECT_EQ(ErrorCodeOf(env_.Call("POST", plan + "/close", json{{"actor", "li.lei"}})),
            "unknown_field");
  EXPECT_TRUE(BodyOf(env_.Call("GET", plan + "/report"))["closed_at"].is_null());
}

}  // namespace
}  // namespace kaizen::daemon
