// A whole plan, as its owner and the team members live it: create it with goals and tasks,
// find the tasks, work them in dependency order, review them, and read the history and the
// summary a manager would ask for.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/daemon_fixture.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;

class PlanLifecycle : public DaemonTest {
 protected:
  // Raise CSAT: survey (han.meimei) -> analyse (han.meimei) -> fix (zhang.wei, due in the past).
  void CreateCsatPlan() {
    json body = PlanBody("Raise CSAT to 85%");
    body["tasks"] = json::array(
        {TaskBody("survey", "Survey 200 customers", "han.meimei", "2099-12-05T18:00:00+08:00"),
         TaskBody("analyse", "Analyse the answers", "han.meimei", "2099-12-10T10:00:00Z"),
         TaskBody("fix", "Fix the top three complaints", "zhang.wei", "2020-01-01T00:00:00Z")});
    body["tasks"][1]["depends_on_keys"] = {"survey"};
    body["tasks"][2]["depends_on_keys"] = {"analyse"};
    HttpResponse response = Post("/api/v1/plans", body);
    ASSERT_TRUE(HasStatus(response, 201));
    plan_ = response.json;
    ASSERT_TRUE(plan_.contains("id")) << response.body;
    plan_id_ = plan_["id"].get<std::int64_t>();
    auto location = response.Header("Location");
    ASSERT_TRUE(location.has_value()) << "201 without Location";
    EXPECT_NE(location->find("/api/v1/plans/" + std::to_string(plan_id_)), std::string::npos)
        << *location;
    ASSERT_TRUE(plan_["tasks"].is_array()) << response.body;
    ASSERT_EQ(plan_["tasks"].size(), 3u) << response.body;
    for (const auto& task : plan_["tasks"]) {
      ids_[task["key"].get<std::string>()] = task["id"].get<std::int64_t>();
    }
    ASSERT_EQ(ids_.size(), 3u) << response.body;
  }

  std::string TaskPath(const std::string& key) {
    return "/api/v1/tasks/" + std::to_string(ids_.at(key));
  }

  std::set<std::int64_t> ListIds(const std::string& query) {
    HttpResponse response = Get("/api/v1/tasks?" + query);
    EXPECT_TRUE(HasStatus(response, 200)) << query;
    std::set<std::int64_t> ids;
    if (!response.json.is_object() || !response.json["items"].is_array()) return ids;
    for (const auto& item : response.json["items"]) ids.insert(item["id"].get<std::int64_t>());
    return ids;
  }

  json plan_;
  std::int64_t plan_id_ = 0;
  std::map<std::string, std::int64_t> ids_;
};

TEST_F(PlanLifecycle, CreatedPlanShowsGoalsTasksAndDependencies) {
  ASSERT_NO_FATAL_FAILURE(CreateCsatPlan());
  EXPECT_EQ(plan_["title"], "Raise CSAT to 85%");
  EXPECT_EQ(plan_["owner"], "li.lei");
  EXPECT_EQ(plan_["team"], "ops");
  EXPECT_EQ(plan_["state"], "active");
  EXPECT_EQ(plan_["kind"], "improvement");
  EXPECT_EQ(plan_["allow_self_verification"], false);
  ASSERT_EQ(plan_["goals"].size(), 1u);
  EXPECT_EQ(plan_["goals"][0]["metric"], "customer satisfaction");
  EXPECT_EQ(plan_["goals"][0]["baseline"], 80);
  EXPECT_EQ(plan_["goals"][0]["target"], 85);
  EXPECT_EQ(plan_["goals"][0]["unit"], "%");
  EXPECT_EQ(plan_["goals"][0]["target_date"], "2099-12-31");

  json survey = GetTask(ids_["survey"]);
  EXPECT_EQ(survey["plan_id"], plan_id_);
  EXPECT_EQ(survey["key"], "survey");
  EXPECT_EQ(survey["owner"], "han.meimei");
  EXPECT_EQ(survey["state"], "open");
  EXPECT_EQ(survey["version"], 1);
  EXPECT_EQ(survey["criterion"], "the reviewer can see it");
  // Input with an offset, output in UTC.
  EXPECT_EQ(survey["due_at"], "2099-12-05T10:00:00Z");
  EXPECT_EQ(survey["depends_on"], json::array());
  EXPECT_EQ(survey["overdue"], false);
  EXPECT_TRUE(survey["completed_at"].is_null());
  EXPECT_EQ(GetTask(ids_["analyse"])["depends_on"], json::array({ids_["survey"]}));
  EXPECT_EQ(GetTask(ids_["fix"])["depends_on"], json::array({ids_["analyse"]}));
  EXPECT_EQ(GetTask(ids_["fix"])["overdue"], true);

  HttpResponse etag_response = Get(TaskPath("survey"));
  EXPECT_EQ(etag_response.Header("ETag").value_or(""), "\"1\"");

  HttpResponse plan = Get("/api/v1/plans/" + std::to_string(plan_id_));
  ASSERT_TRUE(HasStatus(plan, 200));
  EXPECT_EQ(plan.json["tasks"].size(), 3u);
  EXPECT_EQ(plan.json["progress"]["total"], 3);
  EXPECT_EQ(plan.json["progress"]["tasks_by_state"]["open"], 3);
  EXPECT_EQ(plan.json["progress"]["tasks_by_state"]["verified"], 0);
  EXPECT_EQ(plan.json["progress"]["overdue"], 1);
}

TEST_F(PlanLifecycle, ListsAndFiltersTasks) {
  ASSERT_NO_FATAL_FAILURE(CreateCsatPlan());
  json other = CreatePlan(PlanBody("Another plan"));
  ASSERT_FALSE(other.is_null());
  HttpResponse extra = Post("/api/v1/plans/" + other["id"].dump() + "/tasks",
                            TaskBody("x", "Unrelated", "han.meimei", "2099-01-01T00:00:00Z"));
  ASSERT_TRUE(HasStatus(extra, 201));
  EXPECT_TRUE(extra.Header("Location").has_value());
  const std::int64_t extra_id = extra.json["id"].get<std::int64_t>();

  const std::string plan = "plan=" + std::to_string(plan_id_);
  EXPECT_EQ(ListIds(plan), (std::set{ids_["survey"], ids_["analyse"], ids_["fix"]}));
  EXPECT_EQ(ListIds("owner=han.meimei"), (std::set{ids_["survey"], ids_["analyse"], extra_id}));
  EXPECT_EQ(ListIds(plan + "&owner=han.meimei"), (std::set{ids_["survey"], ids_["analyse"]}));
  EXPECT_EQ(ListIds("owner=zhang.wei"), (std::set{ids_["fix"]}));
  EXPECT_EQ(ListIds("overdue=true"), (std::set{ids_["fix"]}));
  EXPECT_EQ(ListIds("due_before=2030-01-01T00:00:00Z"), (std::set{ids_["fix"]}));
  EXPECT_EQ(ListIds(plan + "&due_after=2030-01-01T00:00:00Z"),
            (std::set{ids_["survey"], ids_["analyse"]}));
  EXPECT_EQ(ListIds("state=in_progress"), std::set<std::int64_t>{});

  ASSERT_TRUE(HasStatus(Transition(ids_["survey"], "in_progress", "han.meimei"), 200));
  EXPECT_EQ(ListIds("state=in_progress"), (std::set{ids_["survey"]}));
  EXPECT_EQ(ListIds(plan + "&state=open"), (std::set{ids_["analyse"], ids_["fix"]}));

  HttpResponse plans = Get("/api/v1/plans?owner=li.lei&state=active");
  ASSERT_TRUE(HasStatus(plans, 200));
  EXPECT_EQ(plans.json["items"].size(), 2u);
  EXPECT_TRUE(plans.json["next_cursor"].is_null());
  ASSERT_FALSE(plans.json["items"].empty());
  EXPECT_TRUE(plans.json["items"][0].contains("progress")) << plans.body;
  EXPECT_EQ(Get("/api/v1/plans?owner=zhang.wei").json["items"].size(), 0u);
}

TEST_F(PlanLifecycle, UnfinishedDependencyBlocksStart) {
  ASSERT_NO_FATAL_FAILURE(CreateCsatPlan());
  HttpResponse blocked = Transition(ids_["analyse"], "in_progress", "han.meimei");
  ASSERT_TRUE(IsError(blocked, 409, "dependencies_unfinished"));
  const json& deps = blocked.json["error"]["details"]["dependencies"];
  ASSERT_TRUE(deps.is_array()) << blocked.body;
  ASSERT_EQ(deps.size(), 1u) << blocked.body;
  EXPECT_EQ(deps[0]["id"], ids_["survey"]);
  EXPECT_EQ(deps[0]["title"], "Survey 200 customers");
  EXPECT_EQ(deps[0]["state"], "open");
  EXPECT_EQ(GetTask(ids_["analyse"])["state"], "open");
  EXPECT_EQ(GetTask(ids_["analyse"])["version"], 1);

  // done satisfies a dependency.
  ASSERT_TRUE(HasStatus(Transition(ids_["survey"], "in_progress", "han.meimei"), 200));
  ASSERT_TRUE(HasStatus(Transition(ids_["survey"], "done", "han.meimei"), 200));
  EXPECT_TRUE(HasStatus(Transition(ids_["analyse"], "in_progress", "han.meimei"), 200));
}

TEST_F(PlanLifecycle, RunsFromOpenToCompletedWithReviewAndHistory) {
  ASSERT_NO_FATAL_FAILURE(CreateCsatPlan());
  const std::int64_t survey = ids_["survey"];
  const std::int64_t analyse = ids_["analyse"];
  const std::int64_t fix = ids_["fix"];

  // The owner works the survey; they may not verify it themselves.
  HttpResponse started = Transition(survey, "in_progress", "han.meimei");
  ASSERT_TRUE(HasStatus(started, 200));
  EXPECT_EQ(started.json["state"], "in_progress");
  EXPECT_EQ(started.json["version"], 2);
  HttpResponse done = Transition(survey, "done", "han.meimei");
  ASSERT_TRUE(HasStatus(done, 200));
  EXPECT_EQ(done.json["state"], "done");
  EXPECT_TRUE(done.json["completed_at"].is_string()) << done.body;
  HttpResponse self_verify = Transition(survey, "verified", "han.meimei");
  ASSERT_TRUE(IsError(self_verify, 403, "not_a_reviewer"));
  EXPECT_EQ(GetTask(survey)["state"], "done");
  HttpResponse verified = Transition(survey, "verified", "li.lei");
  ASSERT_TRUE(HasStatus(verified, 200));
  EXPECT_EQ(verified.json["state"], "verified");

  // The analysis is rejected once: a rejection needs a note and sends the task back.
  ASSERT_TRUE(HasStatus(Transition(analyse, "in_progress", "han.meimei"), 200));
  ASSERT_TRUE(HasStatus(Transition(analyse, "done", "han.meimei"), 200));
  HttpResponse no_note = Transition(analyse, "in_progress", "li.lei");
  ASSERT_TRUE(IsError(no_note, 400, "note_required"));
  EXPECT_EQ(GetTask(analyse)["state"], "done");
  HttpResponse rejected = Transition(analyse, "in_progress", "li.lei", "segment by channel");
  ASSERT_TRUE(HasStatus(rejected, 200));
  EXPECT_EQ(rejected.json["state"], "in_progress");
  ASSERT_TRUE(HasStatus(Transition(analyse, "done", "han.meimei"), 200));
  ASSERT_TRUE(HasStatus(Transition(analyse, "verified", "li.lei"), 200));

  // The plan owner starts, finishes and verifies the last task himself.
  ASSERT_TRUE(HasStatus(Transition(fix, "in_progress", "li.lei"), 200));
  ASSERT_TRUE(HasStatus(Transition(fix, "done", "li.lei"), 200));
  HttpResponse last = Transition(fix, "verified", "li.lei");
  ASSERT_TRUE(HasStatus(last, 200));
  EXPECT_EQ(last.json["overdue"], false) << "a verified task is not overdue";

  HttpResponse plan = Get("/api/v1/plans/" + std::to_string(plan_id_));
  ASSERT_TRUE(HasStatus(plan, 200));
  EXPECT_EQ(plan.json["state"], "completed");
  EXPECT_EQ(plan.json["progress"]["tasks_by_state"]["verified"], 3);
  EXPECT_EQ(plan.json["progress"]["overdue"], 0);
  HttpResponse final_move = Transition(survey, "in_progress", "li.lei", "again");
  EXPECT_EQ(final_move.status, 409) << final_move.body;

  // The analysis's history, oldest first, with who did what and why.
  HttpResponse events = Get("/api/v1/tasks/" + std::to_string(analyse) + "/events");
  ASSERT_TRUE(HasStatus(events, 200));
  const json& items = events.json["items"];
  ASSERT_TRUE(items.is_array()) << events.body;
  struct Expected {
    std::string kind, actor, from, to, note;
  };
  const std::vector<Expected> expected = {
      {"created", "li.lei", "", "", ""},
      {"transition", "han.meimei", "open", "in_progress", ""},
      {"transition", "han.meimei", "in_progress", "done", ""},
      {"rejected", "li.lei", "done", "in_progress", "segment by channel"},
      {"transition", "han.meimei", "in_progress", "done", ""},
      {"transition", "li.lei", "done", "verified", ""},
  };
  ASSERT_EQ(items.size(), expected.size()) << events.body;
  std::int64_t previous_id = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i) + ": " + items[i].dump());
    EXPECT_GT(items[i]["id"].get<std::int64_t>(), previous_id);
    previous_id = items[i]["id"].get<std::int64_t>();
    EXPECT_EQ(items[i]["task_id"], analyse);
    EXPECT_EQ(items[i]["plan_id"], plan_id_);
    EXPECT_TRUE(items[i]["at"].is_string());
    EXPECT_EQ(items[i]["kind"], expected[i].kind);
    EXPECT_EQ(items[i]["actor"], expected[i].actor);
    if (expected[i].kind != "created") {
      EXPECT_EQ(items[i]["from"], expected[i].from);
      EXPECT_EQ(items[i]["to"], expected[i].to);
    }
    if (!expected[i].note.empty()) {
      EXPECT_EQ(items[i]["note"], expected[i].note);
    }
  }
}

TEST_F(PlanLifecycle, SummaryCountsStatesAndOverdueByOwner) {
  ASSERT_NO_FATAL_FAILURE(CreateCsatPlan());
  ASSERT_TRUE(HasStatus(Transition(ids_["survey"], "in_progress", "han.meimei"), 200));

  HttpResponse summary = Get("/api/v1/summary");
  ASSERT_TRUE(HasStatus(summary, 200));
  const json& s = summary.json;
  EXPECT_EQ(s["tasks_by_state"]["open"], 2) << summary.body;
  EXPECT_EQ(s["tasks_by_state"]["in_progress"], 1) << summary.body;
  EXPECT_EQ(s["tasks_by_state"]["verified"], 0) << summary.body;
  EXPECT_EQ(s["plans_by_state"]["active"], 1) << summary.body;
  EXPECT_EQ(s["plans_by_state"]["completed"], 0) << summary.body;
  EXPECT_EQ(s["overdue"], 1) << summary.body;
  ASSERT_TRUE(s["overdue_by_owner"].is_array()) << summary.body;
  ASSERT_EQ(s["overdue_by_owner"].size(), 1u) << summary.body;
  const json& late = s["overdue_by_owner"][0];
  EXPECT_EQ(late["owner"], "zhang.wei");
  EXPECT_EQ(late["name"], "Zhang Wei");
  EXPECT_EQ(late["count"], 1);
  ASSERT_EQ(late["tasks"].size(), 1u) << summary.body;
  EXPECT_EQ(late["tasks"][0]["id"], ids_["fix"]);
  EXPECT_EQ(late["tasks"][0]["plan_id"], plan_id_);
  EXPECT_EQ(late["tasks"][0]["due_at"], "2020-01-01T00:00:00Z");
  EXPECT_EQ(late["tasks"][0]["state"], "open");
  EXPECT_TRUE(s["due_soon"].is_array()) << summary.body;
  EXPECT_TRUE(s["generated_at"].is_string()) << summary.body;

  HttpResponse for_owner = Get("/api/v1/summary?owner=han.meimei");
  ASSERT_TRUE(HasStatus(for_owner, 200));
  EXPECT_EQ(for_owner.json["overdue"], 0) << for_owner.body;
  EXPECT_EQ(for_owner.json["tasks_by_state"]["in_progress"], 1) << for_owner.body;
  EXPECT_EQ(for_owner.json["tasks_by_state"]["open"], 1) << for_owner.body;

  HttpResponse for_team = Get("/api/v1/summary?team=ops");
  ASSERT_TRUE(HasStatus(for_team, 200));
}

TEST_F(PlanLifecycle, CancellingAPlanCancelsItsUnfinishedTasks) {
  ASSERT_NO_FATAL_FAILURE(CreateCsatPlan());
  ASSERT_TRUE(HasStatus(Transition(ids_["survey"], "in_progress", "han.meimei"), 200));
  ASSERT_TRUE(HasStatus(Transition(ids_["survey"], "done", "han.meimei"), 200));
  const std::string cancel = "/api/v1/plans/" + std::to_string(plan_id_) + "/cancel";
  // The note is a required field; an empty one is refused as well.
  HttpResponse no_note = Post(cancel, json{{"actor", "li.lei"}});
  EXPECT_EQ(no_note.status, 400) << no_note.body;
  EXPECT_TRUE(no_note.ErrorCode() == "missing_field" || no_note.ErrorCode() == "note_required")
      << no_note.body;
  EXPECT_TRUE(IsError(Post(cancel, json{{"note", ""}, {"actor", "li.lei"}}), 400, "note_required"));
  EXPECT_EQ(Get("/api/v1/plans/" + std::to_string(plan_id_)).json["state"], "active");
  HttpResponse cancelled = Post(cancel, json{{"note", "merged into Q3"}, {"actor", "li.lei"}});
  ASSERT_TRUE(HasStatus(cancelled, 200));
  EXPECT_EQ(cancelled.json["state"], "cancelled");
  EXPECT_EQ(GetTask(ids_["survey"])["state"], "done");
  EXPECT_EQ(GetTask(ids_["analyse"])["state"], "cancelled");
  EXPECT_EQ(GetTask(ids_["fix"])["state"], "cancelled");
  EXPECT_EQ(GetTask(ids_["fix"])["overdue"], false);
  EXPECT_TRUE(
      IsError(Post(cancel, json{{"note", "twice"}, {"actor", "li.lei"}}), 409, "plan_not_active"));
}

TEST_F(PlanLifecycle, PeopleAndTeamsComeFromTheConfig) {
  HttpResponse people = Get("/api/v1/people");
  ASSERT_TRUE(HasStatus(people, 200));
  ASSERT_EQ(people.json["items"].size(), 4u) << people.body;
  bool found = false;
  for (const auto& person : people.json["items"]) {
    EXPECT_FALSE(person.contains("handles")) << "handles must not be shown: " << person;
    if (person["id"] == "li.lei") {
      found = true;
      EXPECT_EQ(person["name"], "Li Lei");
      EXPECT_EQ(person["team"], "ops");
      EXPECT_EQ(person["manager"], "wang.fang");
    }
  }
  EXPECT_TRUE(found) << people.body;
  HttpResponse teams = Get("/api/v1/teams");
  ASSERT_TRUE(HasStatus(teams, 200));
  ASSERT_EQ(teams.json["items"].size(), 2u) << teams.body;
  EXPECT_EQ(teams.json["items"][0]["id"], "ops");
  EXPECT_EQ(teams.json["items"][0]["time_zone"], "Asia/Shanghai");
}

}  // namespace
}  // namespace kaizen::testing
