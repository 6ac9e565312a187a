// Goals during a cycle (owner, check-ins, recorded values) and the schedule preview, through
// ApiHandlers on a real Storage with a FakeClock.
#include <gtest/gtest.h>

#include "daemon/api_json.h"
#include "tests/daemon/api_test_env.h"

namespace kaizen::daemon {
namespace {

using nlohmann::json;
using std::chrono::hours;

// FakeClock starts at 2026-11-25T01:00:00Z.
json PlanWithGoals() {
  return json::parse(R"({
    "title": "November operations review", "owner": "li.lei", "team": "ops",
    "goals": [{"metric": "customer satisfaction", "baseline": 80, "target": 85, "unit": "%",
               "owner": "han.meimei", "check_in": {"every": "P7D", "before_close": "P2D"}},
              {"metric": "tickets closed", "target": 120}]})");
}

class GoalRoutes : public ::testing::Test {
 protected:
  int CreatePlan(json body = PlanWithGoals()) {
    HttpResponse response = env_.Call("POST", "/api/v1/plans", body);
    EXPECT_EQ(response.status, 201) << response.body;
    return BodyOf(response)["id"].get<int>();
  }
  HttpResponse Record(int plan, std::string index, json body, ApiTestEnv::Headers headers = {}) {
    return env_.Call("PATCH", "/api/v1/plans/" + std::to_string(plan) + "/goals/" + index, body,
                     std::move(headers));
  }
  json Plan(int plan) { return BodyOf(env_.Call("GET", "/api/v1/plans/" + std::to_string(plan))); }

  ApiTestEnv env_;
};

TEST_F(GoalRoutes, APlanShowsEachGoalsOwnerCadenceAndWhetherItIsStale) {
  int id = CreatePlan();
  json goal = Plan(id)["goals"][0];
  EXPECT_EQ(goal["owner"], "han.meimei");
  EXPECT_EQ(goal["check_in"], json::parse(R"({"every": "P7D", "before_close": "P2D"})"));
  EXPECT_TRUE(goal["actual"].is_null());
  EXPECT_TRUE(goal["actual_at"].is_null());
  EXPECT_EQ(goal["stale"], false) << "no check-in has come yet";
  json plain = Plan(id)["goals"][1];
  EXPECT_TRUE(plain["owner"].is_null());
  EXPECT_TRUE(plain["check_in"].is_null());
  EXPECT_EQ(plain["stale"], false);

  env_.clock().Advance(hours{7 * 24});
  EXPECT_EQ(Plan(id)["goals"][0]["stale"], true) << "the first weekly check-in passed";
  ASSERT_EQ(Record(id, "0", {{"actual", 82}}).status, 200);
  EXPECT_EQ(Plan(id)["goals"][0]["stale"], false);
}

TEST_F(GoalRoutes, GoalOwnersAndCadencesAreChecked) {
  json unknown = PlanWithGoals();
  unknown["goals"][1]["owner"] = "nobody";
  HttpResponse response = env_.Call("POST", "/api/v1/plans", unknown);
  EXPECT_EQ(response.status, 422) << response.body;
  EXPECT_EQ(ErrorCodeOf(response), "unknown_owner");
  EXPECT_EQ(BodyOf(response)["error"]["details"]["field"], "goals[1].owner");

  json bad = PlanWithGoals();
  bad["goals"][0]["check_in"]["every"] = "weekly";
  response = env_.Call("POST", "/api/v1/plans", bad);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(ErrorCodeOf(response), "invalid_duration");
  EXPECT_EQ(BodyOf(response)["error"]["details"]["field"], "goals[0].check_in.every");

  bad["goals"][0]["check_in"] = {{"before_close", "P1M"}};
  response = env_.Call("POST", "/api/v1/plans", bad);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(ErrorCodeOf(response), "duration_calendar_unit");
  EXPECT_EQ(BodyOf(response)["error"]["details"]["field"], "goals[0].check_in.before_close");

  bad["goals"][0]["check_in"] = {{"every", "PT0S"}};
  response = env_.Call("POST", "/api/v1/plans", bad);
  EXPECT_EQ(response.status, 400) << response.body;
  EXPECT_EQ(BodyOf(response)["error"]["details"]["field"], "goals[0].check_in.every");

  bad["goals"][0]["check_in"] = {{"evry", "P7D"}};
  response = env_.Call("POST", "/api/v1/plans", bad);
  EXPECT_EQ(ErrorCodeOf(response), "unknown_field");
  EXPECT_EQ(BodyOf(response)["error"]["details"]["field"], "goals[0].check_in.evry");
  EXPECT_TRUE(BodyOf(env_.Call("GET", "/api/v1/plans"))["items"].empty());
}

TEST_F(GoalRoutes, RecordingAValueSetsActualBumpsTheVersionAndKeepsAHistory) {
  int id = CreatePlan();
  env_.clock().Advance(hours{24});
  HttpResponse first =
      Record(id, "0", {{"actual", 82}, {"note", "survey week 1"}, {"actor", "han.meimei"}});
  ASSERT_EQ(first.status, 200) << first.body;
  json plan = BodyOf(first);
  EXPECT_EQ(plan["version"], 2);
  EXPECT_EQ(first.Header("ETag"), "\"2\"");
  EXPECT_EQ(plan["goals"][0]["actual"], 82);
  EXPECT_EQ(plan["goals"][0]["actual_at"], "2026-11-26T01:00:00Z");
  EXPECT_EQ(plan["updated_at"], "2026-11-26T01:00:00Z");

  env_.clock().Advance(hours{24});
  HttpResponse second = Record(id, "0", {{"actual", 83.5}}, {{"If-Match", "\"2\""}});
  ASSERT_EQ(second.status, 200) << second.body;
  HttpResponse stale = Record(id, "0", {{"actual", 84}}, {{"If-Match", "\"2\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;

  HttpResponse history =
      env_.Call("GET", "/api/v1/plans/" + std::to_string(id) + "/goals/0/history");
  ASSERT_EQ(history.status, 200) << history.body;
  json items = BodyOf(history)["items"];
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["value"], 82);
  EXPECT_EQ(items[0]["at"], "2026-11-26T01:00:00Z");
  EXPECT_EQ(items[0]["actor"], "han.meimei");
  EXPECT_EQ(items[0]["note"], "survey week 1");
  EXPECT_EQ(items[1]["value"], 83.5);
  EXPECT_EQ(items[1]["actor"], "api");
  EXPECT_TRUE(
      BodyOf(env_.Call("GET", "/api/v1/plans/" + std::to_string(id) + "/goals/1/history"))["items"]
          .empty());
}

TEST_F(GoalRoutes, RecordingRefusesWhatNamesNothingOrIsNoNumber) {
  int id = CreatePlan();
  const std::string plan = std::to_string(id);
  EXPECT_EQ(ErrorCodeOf(Record(id, "2", {{"actual", 1}})), "goal_not_found");
  EXPECT_EQ(Record(id, "2", {{"actual", 1}}).status, 404);
  EXPECT_EQ(ErrorCodeOf(Record(id, "01", {{"actual", 1}})), "goal_not_found");
  EXPECT_EQ(ErrorCodeOf(Record(id, "-1", {{"actual", 1}})), "goal_not_found");
  EXPECT_EQ(ErrorCodeOf(Record(id + 1, "0", {{"actual", 1}})), "plan_not_found");
  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/plans/" + plan + "/goals/9/history")),
            "goal_not_found");
  HttpResponse missing = Record(id, "0", {{"note", "forgot the number"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(ErrorCodeOf(missing), "missing_field");
  HttpResponse text = Record(id, "0", {{"actual", "82"}});
  EXPECT_EQ(text.status, 400);
  EXPECT_EQ(BodyOf(text)["error"]["details"]["field"], "actual");
  HttpResponse huge =
      env_.Call("PATCH", "/api/v1/plans/" + plan + "/goals/0", std::string("{\"actual\": 1e999}"));
  EXPECT_EQ(huge.status, 400) << huge.body;
  EXPECT_EQ(Plan(id)["version"], 1) << "nothing was recorded";

  ASSERT_EQ(
      env_.Call("POST", "/api/v1/plans/" + plan + "/cancel", json{{"note", "dropped"}}).status,
      200);
  HttpResponse cancelled = Record(id, "0", {{"actual", 1}});
  EXPECT_EQ(cancelled.status, 409);
  EXPECT_EQ(ErrorCodeOf(cancelled), "plan_not_active");
}

// ---- Schedule preview -------------------------------------------------------------------------

TEST_F(GoalRoutes, PreviewListsFiresInUtcAndLocalTime) {
  HttpResponse response =
      env_.Call("POST", "/api/v1/schedules/preview",
                json{{"rule", "0 9 1 * *"}, {"time_zone", "Asia/Shanghai"}, {"count", 2}});
  ASSERT_EQ(response.status, 200) << response.body;
  json body = BodyOf(response);
  EXPECT_EQ(body["rule"], "0 9 1 * *");
  EXPECT_EQ(body["time_zone"], "Asia/Shanghai");
  EXPECT_EQ(body["dst"], "fire_after_gap");
  EXPECT_EQ(body["fires"], json::parse(R"([
    {"utc": "2026-12-01T01:00:00Z", "local": "2026-12-01T09:00:00+08:00", "weekday": "Tue",
     "abbreviation": "CST", "moved_from": null},
    {"utc": "2027-01-01T01:00:00Z", "local": "2027-01-01T09:00:00+08:00", "weekday": "Fri",
     "abbreviation": "CST", "moved_from": null}])"));

  // Ten by default, from now.
  json defaults = BodyOf(env_.Call("POST", "/api/v1/schedules/preview", json{{"rule", "@daily"}}));
  ASSERT_EQ(defaults["fires"].size(), 10u);
  EXPECT_EQ(defaults["time_zone"], "UTC");
  EXPECT_EQ(defaults["fires"][0]["utc"], "2026-11-26T00:00:00Z");
}

TEST_F(GoalRoutes, PreviewShowsADstGapMovingOrSkippingAFire) {
  json request = {{"rule", "30 2 * * *"},
                  {"time_zone", "America/New_York"},
                  {"from", "2026-03-07T12:00:00Z"},
                  {"count", 2}};
  json moved = BodyOf(env_.Call("POST", "/api/v1/schedules/preview", request));
  ASSERT_EQ(moved["fires"].size(), 2u) << moved.dump();
  EXPECT_EQ(moved["fires"][0]["local"], "2026-03-08T03:00:00-04:00");
  EXPECT_EQ(moved["fires"][0]["utc"], "2026-03-08T07:00:00Z");
  EXPECT_EQ(moved["fires"][0]["moved_from"], "2026-03-08T02:30:00");
  EXPECT_EQ(moved["fires"][0]["abbreviation"], "EDT");
  EXPECT_EQ(moved["fires"][1]["local"], "2026-03-09T02:30:00-04:00");

  request["dst"] = "skip";
  json skipped = BodyOf(env_.Call("POST", "/api/v1/schedules/preview", request));
  EXPECT_EQ(skipped["dst"], "skip");
  EXPECT_EQ(skipped["fires"][0]["local"], "2026-03-09T02:30:00-04:00");
}

TEST_F(GoalRoutes, PreviewRefusesBadRulesZonesAndCounts) {
  auto refuse = [this](json body) {
    HttpResponse response = env_.Call("POST", "/api/v1/schedules/preview", body);
    EXPECT_EQ(response.status, 400) << response.body;
    return BodyOf(response)["error"];
  };
  json rule = refuse({{"rule", "0 9 32 * *"}});
  EXPECT_EQ(rule["code"], "invalid_schedule_rule");
  EXPECT_EQ(rule["details"]["field"], "rule");
  EXPECT_EQ(rule["details"]["part"], "day-of-month");
  EXPECT_NE(rule["message"].get<std::string>().find("32"), std::string::npos) << rule.dump();
  EXPECT_EQ(refuse({{"rule", "0 0 30 2 *"}})["code"], "invalid_schedule_rule");
  json zone = refuse({{"rule", "@daily"}, {"time_zone", "Mars/Olympus"}});
  EXPECT_EQ(zone["code"], "unknown_time_zone");
  EXPECT_EQ(zone["details"]["field"], "time_zone");
  EXPECT_EQ(refuse({{"rule", "@daily"}, {"count", 1001}})["details"]["field"], "count");
  EXPECT_EQ(refuse({{"rule", "@daily"}, {"count", 0}})["details"]["field"], "count");
  EXPECT_EQ(refuse({{"rule", "@daily"}, {"dst", "later"}})["details"]["field"], "dst");
  EXPECT_EQ(refuse({{"time_zone", "UTC"}})["code"], "missing_field");
  HttpResponse max =
      env_.Call("POST", "/api/v1/schedules/preview", json{{"rule", "* * * * *"}, {"count", 1000}});
  ASSERT_EQ(max.status, 200);
  EXPECT_EQ(BodyOf(max)["fires"].size(), 1000u);
}

TEST(PreviewQuery, CountAndFromWithDefaults) {
  const Instant now = *ParseRfc3339("2026-11-25T01:00:00Z");
  auto defaults = ParsePreviewQuery({}, now);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->count, 10);
  EXPECT_EQ(defaults->from, now);
  auto given = ParsePreviewQuery({{"count", "12"}, {"from", "2027-01-01T00:00:00+08:00"}}, now);
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ(given->count, 12);
  EXPECT_EQ(FormatRfc3339(given->from), "2026-12-31T16:00:00Z");
  EXPECT_FALSE(ParsePreviewQuery({{"count", "1001"}}, now).ok());
  EXPECT_FALSE(ParsePreviewQuery({{"count", "x"}}, now).ok());
  EXPECT_FALSE(ParsePreviewQuery({{"limit", "3"}}, now).ok());
}

}  // namespace
}  // namespace kaizen::daemon
