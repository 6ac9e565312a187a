// The routes of docs/api.md end to end through ApiHandlers: a real Storage on a temporary file,
// the sample directory and a FakeClock, no sockets.
#include <gtest/gtest.h>

#include "daemon/api_json.h"
#include "tests/daemon/api_test_env.h"
#include "tests/support/sample_directory.h"

namespace kaizen::daemon {
namespace {

using nlohmann::json;

// FakeClock starts at 2026-11-25T01:00:00Z.
json PlanBody() {
  return json::parse(R"({
    "title": "Raise CSAT to 85%", "owner": "li.lei", "team": "ops",
    "goals": [{"metric": "customer satisfaction", "baseline": 80, "target": 85, "unit": "%"}],
    "tasks": [{"key": "survey", "title": "Survey 200 customers", "owner": "han.meimei",
               "due_at": "2026-11-26T18:00:00+08:00", "criterion": "200 answers"},
              {"key": "analyse", "title": "Analyse the answers", "owner": "han.meimei",
               "due_at": "2026-12-10T10:00:00Z", "depends_on_keys": ["survey"]}]})");
}

class ApiHandlersTest : public ::testing::Test {
 protected:
  // Creates the sample plan; returns its JSON.
  json CreatePlan() {
    HttpResponse response = env_.Call("POST", "/api/v1/plans", PlanBody());
    EXPECT_EQ(response.status, 201) << response.body;
    return BodyOf(response);
  }
  HttpResponse Move(int task, std::string to, std::string actor, std::string note = "",
                    ApiTestEnv::Headers headers = {}) {
    json body = {{"to", to}, {"actor", actor}};
    if (!note.empty()) body["note"] = note;
    return env_.Call("POST", "/api/v1/tasks/" + std::to_string(task) + "/transitions", body,
                     std::move(headers));
  }

  ApiTestEnv env_;
};

TEST_F(ApiHandlersTest, CreatesAPlanWithInlineTasksAndPointsToIt) {
  HttpResponse response = env_.Call("POST", "/api/v1/plans", PlanBody());
  ASSERT_EQ(response.status, 201) << response.body;
  json plan = BodyOf(response);
  EXPECT_EQ(response.Header("Location"), "/api/v1/plans/" + std::to_string(plan["id"].get<int>()));
  EXPECT_EQ(plan["state"], "active");
  EXPECT_EQ(plan["created_at"], "2026-11-25T01:00:00Z");
  ASSERT_EQ(plan["tasks"].size(), 2u);
  EXPECT_EQ(plan["tasks"][0]["due_at"], "2026-11-26T10:00:00Z");
  EXPECT_EQ(plan["tasks"][1]["depends_on"], json::array({plan["tasks"][0]["id"]}));
  EXPECT_EQ(plan["progress"]["total"], 2);
  EXPECT_EQ(plan["progress"]["tasks_by_state"]["open"], 2);

  HttpResponse fetched = env_.Call("GET", "/api/v1/plans/" + std::to_string(plan["id"].get<int>()));
  ASSERT_EQ(fetched.status, 200) << fetched.body;
  EXPECT_EQ(BodyOf(fetched), plan) << "GET answers what POST answered";
}

TEST_F(ApiHandlersTest, ARefusedCommandChangesNothing) {
  json body = PlanBody();
  body["tasks"][0]["depends_on_keys"] = json::array({"analyse"});  // a cycle
  HttpResponse response = env_.Call("POST", "/api/v1/plans", body);
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(ErrorCodeOf(response), "dependency_cycle");
  json list = BodyOf(env_.Call("GET", "/api/v1/plans"));
  EXPECT_TRUE(list["items"].empty()) << list.dump();
  EXPECT_TRUE(list["next_cursor"].is_null());
}

TEST_F(ApiHandlersTest, TaskAnswersCarryTheirVersionAsETag) {
  json plan = CreatePlan();
  int task = plan["tasks"][0]["id"];
  HttpResponse fetched = env_.Call("GET", "/api/v1/tasks/" + std::to_string(task));
  ASSERT_EQ(fetched.status, 200);
  EXPECT_EQ(fetched.Header("ETag"), "\"1\"");
  HttpResponse moved = Move(task, "in_progress", "han.meimei", "", {{"If-Match", "\"1\""}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.Header("ETag"), "\"2\"");
  EXPECT_EQ(BodyOf(moved)["state"], "in_progress");
}

TEST_F(ApiHandlersTest, StaleIfMatchIsRefusedWith412) {
  json plan = CreatePlan();
  int task = plan["tasks"][0]["id"];
  ASSERT_EQ(Move(task, "in_progress", "han.meimei").status, 200);
  HttpResponse stale = Move(task, "done", "han.meimei", "", {{"If-Match", "1"}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(ErrorCodeOf(stale), "version_mismatch");
  EXPECT_EQ(BodyOf(stale)["error"]["details"]["current_version"], 2);
  HttpResponse patch = env_.Call("PATCH", "/api/v1/tasks/" + std::to_string(task),
                                 json{{"title", "New"}}, {{"If-Match", "\"1\""}});
  EXPECT_EQ(patch.status, 412) << patch.body;
  HttpResponse bad = env_.Call("PATCH", "/api/v1/tasks/" + std::to_string(task),
                               json{{"title", "New"}}, {{"If-Match", "soon"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
}

TEST_F(ApiHandlersTest, OverdueFollowsTheClock) {
  json plan = CreatePlan();
  std::string task = "/api/v1/tasks/" + std::to_string(plan["tasks"][0]["id"].get<int>());
  EXPECT_FALSE(BodyOf(env_.Call("GET", task))["overdue"]);
  env_.clock().Advance(std::chrono::hours(34));  // 2026-11-26T11:00Z, an hour past due
  EXPECT_TRUE(BodyOf(env_.Call("GET", task))["overdue"]);
  json overdue = BodyOf(env_.Call("GET", "/api/v1/tasks?overdue=true"));
  ASSERT_EQ(overdue["items"].size(), 1u) << overdue.dump();
  EXPECT_EQ(overdue["items"][0]["key"], "survey");
  json summary = BodyOf(env_.Call("GET", "/api/v1/summary?team=ops"));
  EXPECT_EQ(summary["overdue"], 1);
  ASSERT_EQ(summary["overdue_by_owner"].size(), 1u);
  EXPECT_EQ(summary["overdue_by_owner"][0]["owner"], "han.meimei");
  EXPECT_EQ(summary["overdue_by_owner"][0]["name"], "Han Meimei");
  EXPECT_EQ(summary["generated_at"], "2026-11-26T11:00:00Z");
}

TEST_F(ApiHandlersTest, TransitionsFollowTheRulesOfTheWorkflow) {
  json plan = CreatePlan();
  int survey = plan["tasks"][0]["id"];
  int analyse = plan["tasks"][1]["id"];
  HttpResponse early = Move(analyse, "done", "han.meimei");
  EXPECT_EQ(early.status, 409);
  EXPECT_EQ(ErrorCodeOf(early), "dependencies_unfinished");
  ASSERT_EQ(Move(survey, "done", "han.meimei").status, 200);
  HttpResponse own = Move(survey, "verified", "han.meimei");
  EXPECT_EQ(own.status, 403);
  EXPECT_EQ(ErrorCodeOf(own), "not_a_reviewer");
  HttpResponse verified = Move(survey, "verified", testing::kManager);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(BodyOf(verified)["state"], "verified");
  HttpResponse stranger = Move(analyse, "in_progress", "nobody");
  EXPECT_EQ(stranger.status, 422);
  EXPECT_EQ(ErrorCodeOf(stranger), "unknown_actor");
  HttpResponse no_actor =
      env_.Call("POST", "/api/v1/tasks/" + std::to_string(analyse) + "/transitions",
                json{{"to", "in_progress"}});
  EXPECT_EQ(ErrorCodeOf(no_actor), "missing_field");

  json events = BodyOf(env_.Call("GET", "/api/v1/tasks/" + std::to_string(survey) + "/events"));
  ASSERT_EQ(events["items"].size(), 3u) << events.dump();
  EXPECT_EQ(events["items"][0]["kind"], "created");
  EXPECT_EQ(events["items"][2]["actor"], testing::kManager);
  EXPECT_EQ(events["items"][2]["to"], "verified");
}

TEST_F(ApiHandlersTest, AddsATaskAndCancelsThePlan) {
  json plan = CreatePlan();
  std::string base = "/api/v1/plans/" + std::to_string(plan["id"].get<int>());
  HttpResponse added = env_.Call("POST", base + "/tasks",
                                 json{{"title", "Report"},
                                      {"owner", "li.lei"},
                                      {"due_at", "2026-12-20T10:00:00Z"},
                                      {"depends_on_keys", {"analyse"}},
                                      {"actor", "li.lei"}});
  ASSERT_EQ(added.status, 201) << added.body;
  json task = BodyOf(added);
  EXPECT_EQ(added.Header("Location"), "/api/v1/tasks/" + std::to_string(task["id"].get<int>()));
  EXPECT_EQ(added.Header("ETag"), "\"1\"");

  HttpResponse cancelled = env_.Call("POST", base + "/cancel", json{{"note", "budget cut"}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  json body = BodyOf(cancelled);
  EXPECT_EQ(body["state"], "cancelled");
  EXPECT_EQ(body["progress"]["tasks_by_state"]["cancelled"], 3);
  HttpResponse again = env_.Call("POST", base + "/cancel", json{{"note", "again"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(ErrorCodeOf(again), "plan_not_active");
  HttpResponse frozen = env_.Call("PATCH", "/api/v1/tasks/" + std::to_string(task["id"].get<int>()),
                                  json{{"title", "x"}});
  EXPECT_EQ(ErrorCodeOf(frozen), "task_final");
}

TEST_F(ApiHandlersTest, ListsPageWithOpaqueCursors) {
  CreatePlan();
  CreatePlan();
  json first = BodyOf(env_.Call("GET", "/api/v1/tasks?limit=3"));
  ASSERT_EQ(first["items"].size(), 3u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  json second = BodyOf(
      env_.Call("GET", "/api/v1/tasks?limit=3&cursor=" + first["next_cursor"].get<std::string>()));
  ASSERT_EQ(second["items"].size(), 1u) << second.dump();
  EXPECT_GT(second["items"][0]["id"], first["items"][2]["id"]);
  EXPECT_TRUE(second["next_cursor"].is_null());

  json plans = BodyOf(env_.Call("GET", "/api/v1/plans?limit=1"));
  ASSERT_EQ(plans["items"].size(), 1u);
  EXPECT_EQ(plans["items"][0]["progress"]["total"], 2) << "list items carry their progress";
  EXPECT_FALSE(plans["items"][0].contains("tasks"));
  HttpResponse foreign =
      env_.Call("GET", "/api/v1/plans?cursor=" + first["next_cursor"].get<std::string>());
  EXPECT_EQ(ErrorCodeOf(foreign), "invalid_cursor");
}

TEST_F(ApiHandlersTest, UnknownResourcesAre404) {
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/plans/99")), "plan_not_found");
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/plans/abc")), "plan_not_found");
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/tasks/99")), "task_not_found");
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/tasks/99/events")), "task_not_found");
  HttpResponse route = env_.Call("GET", "/api/v2/plans");
  EXPECT_EQ(route.status, 404);
  EXPECT_EQ(ErrorCodeOf(route), "route_not_found");
}

TEST_F(ApiHandlersTest, WrongMethodIs405WithAllow) {
  HttpResponse response = env_.Call("DELETE", "/api/v1/tasks/1");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(ErrorCodeOf(response), "method_not_allowed");
  EXPECT_EQ(response.Header("Allow"), "GET, PATCH");
  EXPECT_EQ(env_.Call("PUT", "/api/v1/plans").Header("Allow"), "GET, POST");
}

TEST_F(ApiHandlersTest, BodiesMustBeJsonObjects) {
  HttpResponse csv = env_.Call("POST", "/api/v1/plans", std::string("title,owner"),
                               {{"Content-Type", "text/csv"}});
  EXPECT_EQ(csv.status, 415) << csv.body;
  EXPECT_EQ(ErrorCodeOf(csv), "unsupported_media_type");
  HttpResponse empty = env_.Call("POST", "/api/v1/plans");
  EXPECT_EQ(empty.status, 400);
  EXPECT_EQ(ErrorCodeOf(empty), "malformed_json");
  HttpResponse unknown = env_.Call("POST", "/api/v1/plans", json{{"titel", "x"}});
  EXPECT_EQ(ErrorCodeOf(unknown), "unknown_field");
  HttpResponse query = env_.Call("POST", "/api/v1/plans?dry_run=1", PlanBody());
  EXPECT_EQ(ErrorCodeOf(query), "invalid_query");
}

TEST_F(ApiHandlersTest, DirectoryRoutesNeverShowHandles) {
  HttpResponse people = env_.Call("GET", "/api/v1/people");
  ASSERT_EQ(people.status, 200);
  EXPECT_EQ(BodyOf(people)["items"].size(), 5u);
  EXPECT_EQ(people.body.find("handles"), std::string::npos);
  EXPECT_EQ(people.body.find("13800000001"), std::string::npos);
  json teams = BodyOf(env_.Call("GET", "/api/v1/teams"));
  ASSERT_EQ(teams["items"].size(), 2u);
  EXPECT_EQ(teams["items"][1]["time_zone"], "Asia/Shanghai");
}

TEST_F(ApiHandlersTest, ProbesReportHealthAndSchema) {
  HttpResponse health = env_.Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(BodyOf(health), json({{"status", "ok"}}));
  HttpResponse ready = env_.Call("GET", "/readyz");
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(BodyOf(ready)["schema_version"], env_.storage().schema_version());
  HttpResponse openapi = env_.Call("GET", "/openapi.json");
  EXPECT_EQ(openapi.status, 200);
  EXPECT_EQ(BodyOf(openapi)["openapi"], "3.0.3");
}

}  // namespace
}  // namespace kaizen::daemon
