// Every error status of docs/api.md, as a client meets it, and the promise that goes with
// them: a request that fails changes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;

std::set<std::string> AsSet(const json& array) {
  std::set<std::string> out;
  if (!array.is_array()) return out;
  for (const auto& item : array) out.insert(item.is_string() ? item.get<std::string>() : "?");
  return out;
}

// A plan with task A (han.meimei) and task B (zhang.wei) depending on A.
class ApiErrors : public DaemonTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(DaemonTest::SetUp());
    json body = PlanBody("Cut complaint rate below 1%");
    body["tasks"] = {TaskBody("a", "Collect complaints", "han.meimei", "2099-06-01T09:00:00Z"),
                     TaskBody("b", "Classify complaints", "zhang.wei", "2099-06-15T09:00:00Z")};
    body["tasks"][1]["depends_on_keys"] = {"a"};
    json plan = CreatePlan(body);
    ASSERT_FALSE(plan.is_null());
    plan_id_ = plan["id"].get<std::int64_t>();
    a_ = plan["tasks"][0]["id"].get<std::int64_t>();
    b_ = plan["tasks"][1]["id"].get<std::int64_t>();
    a_path_ = "/api/v1/tasks/" + std::to_string(a_);
    b_path_ = "/api/v1/tasks/" + std::to_string(b_);
    plan_path_ = "/api/v1/plans/" + std::to_string(plan_id_);
    before_a_ = GetTask(a_);
    before_b_ = GetTask(b_);
    before_plan_ = Get(plan_path_).json;
    before_plans_ = Get("/api/v1/plans?limit=500").json;
  }

  // What a failed request must leave as it was.
  void ExpectNothingChanged() {
    EXPECT_EQ(GetTask(a_), before_a_);
    EXPECT_EQ(GetTask(b_), before_b_);
    EXPECT_EQ(Get(plan_path_).json, before_plan_);
    EXPECT_EQ(Get("/api/v1/plans?limit=500").json, before_plans_);
    HttpResponse events = Get(a_path_ + "/events");
    EXPECT_EQ(events.json["items"].size(), 1u) << "only the created event: " << events.body;
  }

  std::int64_t plan_id_ = 0, a_ = 0, b_ = 0;
  std::string a_path_, b_path_, plan_path_;
  json before_a_, before_b_, before_plan_, before_plans_;
};

TEST_F(ApiErrors, MalformedJsonIs400) {
  EXPECT_TRUE(IsError(Call("POST", "/api/v1/plans", "{\"title\": "), 400, "malformed_json"));
  EXPECT_TRUE(IsError(Call("PATCH", a_path_, "{not json}"), 400, "malformed_json"));
  EXPECT_TRUE(IsError(Call("POST", a_path_ + "/transitions", "[1,"), 400, "malformed_json"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, UnknownFieldIs400) {
  HttpResponse typo = Patch(a_path_, json{{"titel", "Collect all complaints"}});
  ASSERT_TRUE(IsError(typo, 400, "unknown_field"));
  EXPECT_NE(typo.body.find("titel"), std::string::npos) << "the error names the field";
  json plan = PlanBody("typo");
  plan["ownr"] = "li.lei";
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 400, "unknown_field"));
  json task = TaskBody("c", "c", "han.meimei", "2099-01-01T00:00:00Z");
  task["due"] = "tomorrow";
  EXPECT_TRUE(IsError(Post(plan_path_ + "/tasks", task), 400, "unknown_field"));
  EXPECT_TRUE(IsError(Post(a_path_ + "/transitions",
                           json{{"to", "in_progress"}, {"actor", "han.meimei"}, {"why", "x"}}),
                      400, "unknown_field"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, WrongTypeIs400) {
  EXPECT_TRUE(IsError(Patch(a_path_, json{{"title", 5}}), 400, "invalid_field"));
  EXPECT_TRUE(IsError(Patch(a_path_, json{{"depends_on", "b"}}), 400, "invalid_field"));
  json plan = PlanBody("types");
  plan["allow_self_verification"] = "yes";
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 400, "invalid_field"));
  EXPECT_TRUE(IsError(Post("/api/v1/plans", json::array()), 400, "invalid_field"));
  EXPECT_TRUE(IsError(Post(a_path_ + "/transitions", json{{"to", 3}, {"actor", "han.meimei"}}), 400,
                      "invalid_field"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, MissingFieldIs400) {
  json plan = PlanBody("no owner");
  plan.erase("owner");
  HttpResponse missing = Post("/api/v1/plans", plan);
  ASSERT_TRUE(IsError(missing, 400, "missing_field"));
  EXPECT_NE(missing.body.find("owner"), std::string::npos) << "the error names the field";
  json task = TaskBody("c", "c", "han.meimei", "2099-01-01T00:00:00Z");
  task.erase("title");
  EXPECT_TRUE(IsError(Post(plan_path_ + "/tasks", task), 400, "missing_field"));
  EXPECT_TRUE(
      IsError(Post(a_path_ + "/transitions", json{{"to", "in_progress"}}), 400, "missing_field"));
  EXPECT_TRUE(
      IsError(Post(a_path_ + "/transitions", json{{"actor", "han.meimei"}}), 400, "missing_field"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, BadQueryIs400) {
  for (const char* query : {"limit=0", "limit=501", "limit=ten", "state=finished", "plan=abc",
                            "overdue=maybe", "due_before=yesterday"}) {
    EXPECT_TRUE(IsError(Get(std::string("/api/v1/tasks?") + query), 400, "invalid_query")) << query;
  }
  EXPECT_TRUE(IsError(Get("/api/v1/plans?state=paused"), 400, "invalid_query"));
  EXPECT_TRUE(IsError(Get("/api/v1/tasks?cursor=not-a-cursor"), 400, "invalid_cursor"));
  EXPECT_TRUE(IsError(Get("/api/v1/plans?cursor=%00%01"), 400, "invalid_cursor"));
}

TEST_F(ApiErrors, UnknownRouteOrResourceIs404) {
  EXPECT_TRUE(IsError(Get("/api/v1/nothing"), 404, "route_not_found"));
  EXPECT_TRUE(IsError(Get("/api/v2/tasks"), 404, "route_not_found"));
  EXPECT_TRUE(IsError(Get("/api/v1/plans/999999"), 404, "plan_not_found"));
  EXPECT_TRUE(IsError(Get("/api/v1/tasks/999999"), 404, "task_not_found"));
  EXPECT_TRUE(IsError(Get("/api/v1/tasks/999999/events"), 404, "task_not_found"));
  EXPECT_TRUE(IsError(Patch("/api/v1/tasks/999999", json{{"title", "x"}}), 404, "task_not_found"));
  EXPECT_TRUE(IsError(Post("/api/v1/tasks/999999/transitions",
                           json{{"to", "in_progress"}, {"actor", "han.meimei"}}),
                      404, "task_not_found"));
  EXPECT_TRUE(IsError(
      Post("/api/v1/plans/999999/tasks", TaskBody("c", "c", "han.meimei", "2099-01-01T00:00:00Z")),
      404, "plan_not_found"));
  EXPECT_TRUE(
      IsError(Post("/api/v1/plans/999999/cancel", json{{"note", "x"}}), 404, "plan_not_found"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, WrongMethodIs405WithAllow) {
  HttpResponse on_task = Call("DELETE", a_path_);
  ASSERT_TRUE(IsError(on_task, 405, "method_not_allowed"));
  auto allow = on_task.Header("Allow");
  ASSERT_TRUE(allow.has_value()) << "405 without Allow";
  EXPECT_NE(allow->find("GET"), std::string::npos) << *allow;
  EXPECT_NE(allow->find("PATCH"), std::string::npos) << *allow;
  EXPECT_EQ(allow->find("DELETE"), std::string::npos) << *allow;

  HttpResponse on_plans = Call("PUT", "/api/v1/plans", "{}");
  ASSERT_TRUE(IsError(on_plans, 405, "method_not_allowed"));
  allow = on_plans.Header("Allow");
  ASSERT_TRUE(allow.has_value()) << "405 without Allow";
  EXPECT_NE(allow->find("GET"), std::string::npos) << *allow;
  EXPECT_NE(allow->find("POST"), std::string::npos) << *allow;

  HttpResponse get_transitions = Get(a_path_ + "/transitions");
  ASSERT_TRUE(IsError(get_transitions, 405, "method_not_allowed"));
  EXPECT_EQ(get_transitions.Header("Allow").value_or(""), "POST");
  ExpectNothingChanged();
}

TEST_F(ApiErrors, TransitionNotAllowedIs409WithAllowedList) {
  HttpResponse response =
      Post(a_path_ + "/transitions", json{{"to", "verified"}, {"actor", "li.lei"}});
  ASSERT_TRUE(IsError(response, 409, "transition_not_allowed"));
  const json& details = response.json["error"]["details"];
  EXPECT_EQ(details["from"], "open") << response.body;
  EXPECT_EQ(details["to"], "verified") << response.body;
  EXPECT_EQ(AsSet(details["allowed"]),
            (std::set<std::string>{"in_progress", "blocked", "done", "cancelled"}))
      << response.body;
  EXPECT_TRUE(IsError(Post(a_path_ + "/transitions", json{{"to", "open"}, {"actor", "li.lei"}}),
                      409, "transition_not_allowed"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, StaleIfMatchIs412ThenCurrentVersionSucceeds) {
  HttpResponse current = Get(a_path_);
  ASSERT_EQ(current.Header("ETag").value_or(""), "\"1\"");
  HttpResponse renamed = Patch(a_path_, json{{"title", "Collect all complaints"}}, IfMatch(1));
  ASSERT_TRUE(HasStatus(renamed, 200));
  EXPECT_EQ(renamed.json["version"], 2);
  EXPECT_EQ(renamed.json["title"], "Collect all complaints");
  const json after_rename = GetTask(a_);

  HttpResponse stale_patch = Patch(a_path_, json{{"title", "Lost update"}}, IfMatch(1));
  ASSERT_TRUE(IsError(stale_patch, 412, "version_mismatch"));
  EXPECT_EQ(stale_patch.json["error"]["details"]["current_version"], 2) << stale_patch.body;
  EXPECT_EQ(GetTask(a_), after_rename);

  HttpResponse stale_move = Post(a_path_ + "/transitions",
                                 json{{"to", "in_progress"}, {"actor", "han.meimei"}}, IfMatch(1));
  ASSERT_TRUE(IsError(stale_move, 412, "version_mismatch"));
  EXPECT_EQ(stale_move.json["error"]["details"]["current_version"], 2) << stale_move.body;
  EXPECT_EQ(GetTask(a_), after_rename);

  HttpResponse moved = Post(a_path_ + "/transitions",
                            json{{"to", "in_progress"}, {"actor", "han.meimei"}}, IfMatch(2));
  ASSERT_TRUE(HasStatus(moved, 200));
  EXPECT_EQ(moved.json["version"], 3);
  HttpResponse patched = Patch(a_path_, json{{"criterion", "all channels"}}, IfMatch(3));
  ASSERT_TRUE(HasStatus(patched, 200));
  EXPECT_EQ(patched.json["version"], 4);
  EXPECT_EQ(Get(a_path_).Header("ETag").value_or(""), "\"4\"");
}

TEST_F(ApiErrors, ConcurrentMovesOfTheSameVersionHaveOneWinner) {
  constexpr int kClients = 6;
  std::vector<int> statuses(kClients, 0);
  std::vector<std::thread> clients;
  const std::uint16_t port = daemon_.port();
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      HttpClient client("127.0.0.1", port);
      auto response = client.Post(a_path_ + "/transitions",
                                  json{{"to", "in_progress"}, {"actor", "han.meimei"}}, IfMatch(1));
      statuses[i] = response.ok() ? response->status : -1;
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 1);
  EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 412), kClients - 1);
  json task = GetTask(a_);
  EXPECT_EQ(task["state"], "in_progress");
  EXPECT_EQ(task["version"], 2);
  HttpResponse events = Get(a_path_ + "/events");
  EXPECT_EQ(events.json["items"].size(), 2u) << "one created, one transition: " << events.body;
}

TEST_F(ApiErrors, BodyOverOneMebibyteIs413) {
  json plan = PlanBody("Huge");
  plan["description"] = std::string(1024 * 1024 + 100, 'x');
  HttpResponse response = Post("/api/v1/plans", plan);
  EXPECT_TRUE(IsError(response, 413, "body_too_large"));
  // Also when the client announces the size and the daemon must refuse before reading it.
  const std::string body = plan.dump();
  auto raw = client_->SendRaw(
      "POST /api/v1/plans HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  EXPECT_TRUE(IsError(*raw, 413, "body_too_large"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, NonJsonBodyIs415) {
  json plan = PlanBody("As text");
  HttpResponse response =
      Call("POST", "/api/v1/plans", plan.dump(), {{"Content-Type", "text/plain"}});
  EXPECT_TRUE(IsError(response, 415, "unsupported_media_type"));
  EXPECT_TRUE(IsError(Call("PATCH", a_path_, "{\"title\":\"t\"}",
                           {{"Content-Type", "application/x-www-form-urlencoded"}}),
                      415, "unsupported_media_type"));
  ExpectNothingChanged();
  // A charset parameter is still JSON.
  json ok_plan = PlanBody("With charset");
  HttpResponse with_charset = Call("POST", "/api/v1/plans", ok_plan.dump(),
                                   {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_TRUE(HasStatus(with_charset, 201));
}

TEST_F(ApiErrors, UnknownReferencesAreRefusedWith422) {
  json plan = PlanBody("Unknown owner");
  plan["owner"] = "nobody";
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 422, "unknown_owner"));
  plan = PlanBody("Unknown team");
  plan["team"] = "marketing";
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 422, "unknown_team"));
  plan = PlanBody("Task with unknown owner");
  plan["tasks"] = {TaskBody("x", "x", "nobody", "2099-01-01T00:00:00Z")};
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 422, "unknown_owner"));
  plan = PlanBody("Duplicate keys");
  plan["tasks"] = {TaskBody("x", "x", "han.meimei", "2099-01-01T00:00:00Z"),
                   TaskBody("x", "y", "han.meimei", "2099-01-01T00:00:00Z")};
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 422, "duplicate_key"));
  plan = PlanBody("Unknown key");
  plan["tasks"] = {TaskBody("x", "x", "han.meimei", "2099-01-01T00:00:00Z")};
  plan["tasks"][0]["depends_on_keys"] = {"nope"};
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 422, "unknown_dependency"));

  EXPECT_TRUE(IsError(Patch(a_path_, json{{"owner", "nobody"}}), 422, "unknown_owner"));
  EXPECT_TRUE(IsError(Patch(a_path_, json{{"depends_on", {999999}}}), 422, "unknown_dependency"));
  EXPECT_TRUE(
      IsError(Post(a_path_ + "/transitions", json{{"to", "in_progress"}, {"actor", "nobody"}}), 422,
              "unknown_actor"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, DependencyCycleIs422WithTheCycle) {
  HttpResponse response = Patch(a_path_, json{{"depends_on", {b_}}});
  ASSERT_TRUE(IsError(response, 422, "dependency_cycle"));
  const json& cycle = response.json["error"]["details"]["cycle"];
  ASSERT_TRUE(cycle.is_array()) << response.body;
  std::set<std::int64_t> members;
  for (const auto& id : cycle) members.insert(id.get<std::int64_t>());
  EXPECT_EQ(members, (std::set{a_, b_})) << response.body;
  EXPECT_TRUE(IsError(Patch(a_path_, json{{"depends_on", {a_}}}), 422, "dependency_cycle"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, BadTimeIs422) {
  EXPECT_TRUE(IsError(Patch(a_path_, json{{"due_at", "next friday"}}), 422, "invalid_time"));
  EXPECT_TRUE(
      IsError(Patch(a_path_, json{{"due_at", "2099-13-01T00:00:00Z"}}), 422, "invalid_time"));
  EXPECT_TRUE(
      IsError(Patch(a_path_, json{{"due_at", "2099-02-30T00:00:00Z"}}), 422, "invalid_time"));
  json plan = PlanBody("Bad time");
  plan["tasks"] = {TaskBody("x", "x", "han.meimei", "someday")};
  EXPECT_TRUE(IsError(Post("/api/v1/plans", plan), 422, "invalid_time"));
  ExpectNothingChanged();
}

TEST_F(ApiErrors, ErrorsAreJsonWithCodeAndMessage) {
  HttpResponse response = Get("/api/v1/tasks/999999");
  EXPECT_NE(response.Header("Content-Type").value_or("").find("application/json"),
            std::string::npos);
  ASSERT_TRUE(response.json.is_object()) << response.body;
  EXPECT_EQ(response.json.size(), 1u) << "only the error object: " << response.body;
}

TEST_F(ApiErrors, MalformedHttpIsRefusedAndTheDaemonKeepsServing) {
  auto garbage = client_->SendRaw("THIS IS NOT HTTP\r\n\r\n");
  if (garbage.ok()) {
    EXPECT_EQ(garbage->status, 400) << garbage->body;
  }
  EXPECT_TRUE(HasStatus(Get("/healthz"), 200));
  ExpectNothingChanged();
}

}  // namespace
}  // namespace kaizen::testing
