#include "cli/commands.h"

#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace kaizen::cli {
namespace {

TEST_F(CliCommands, TasksPrintsATableWithRelativeDeadlines) {
  Answer(200, {{"items",
                {Task(7, "open", "2026-12-03T08:00:00Z", "Survey 200 customers"),
                 Task(12, "in_progress", "2026-12-01T05:00:00Z", "数据统计")}},
               {"next_cursor", nullptr}});
  EXPECT_EQ(Run({"tasks"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "ID  STATE        OWNER   DUE         TITLE\n"
            " 7  open         li.lei  in 2d       Survey 200 customers\n"
            "12  in_progress  li.lei  overdue 3h  数据统计\n");
  EXPECT_EQ(err_.str(), "");
  EXPECT_EQ(Targets(), std::vector<std::string>{"GET /api/v1/tasks?limit=500"});
}

TEST_F(CliCommands, TasksPassesFiltersEncoded) {
  Answer(200, {{"items", json::array()}, {"next_cursor", nullptr}});
  EXPECT_EQ(Run({"tasks", "--plan", "3", "--owner", "wang fang", "--state", "blocked", "--team",
                 "ops", "--overdue", "--limit", "20"}),
            kExitOk);
  EXPECT_EQ(Targets(), std::vector<std::string>{"GET /api/v1/tasks?plan=3&owner=wang%20fang&"
                                                "state=blocked&team=ops&overdue=true&limit=20"});
  EXPECT_EQ(out_.str(), "no tasks\n");
}

TEST_F(CliCommands, TasksFollowsCursorsUpToTheLimit) {
  json page1 = {{"items",
                 {Task(1, "open", "2026-12-03T08:00:00Z", "a"),
                  Task(2, "open", "2026-12-03T08:00:00Z", "b")}},
                {"next_cursor", "c1+/="}};
  json page2 = {{"items",
                 {Task(3, "open", "2026-12-03T08:00:00Z", "c"),
                  Task(4, "open", "2026-12-03T08:00:00Z", "d")}},
                {"next_cursor", "c2"}};
  Answer(200, page1);
  Answer(200, page2);
  EXPECT_EQ(Run({"tasks", "--limit", "3", "-o", "json"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(), (std::vector<std::string>{"GET /api/v1/tasks?limit=3",
                                                 "GET /api/v1/tasks?limit=1&cursor=c1%2B%2F%3D"}));
  json printed = json::parse(out_.str());
  ASSERT_EQ(printed["items"].size(), 3u);
  EXPECT_EQ(printed["items"][2]["id"], 3);
  EXPECT_EQ(printed["next_cursor"], "c2");
}

TEST_F(CliCommands, TasksStopsOnTheLastPageAndNotesTruncation) {
  Answer(200, {{"items", {Task(1, "open", "2026-12-03T08:00:00Z", "a")}}, {"next_cursor", "c1"}});
  Answer(200,
         {{"items", {Task(2, "open", "2026-12-03T08:00:00Z", "b")}}, {"next_cursor", nullptr}});
  EXPECT_EQ(Run({"tasks"}), kExitOk);
  EXPECT_EQ(log_.requests.size(), 2u);
  EXPECT_EQ(err_.str(), "");

  log_.requests.clear();
  Answer(200, {{"items", {Task(1, "open", "2026-12-03T08:00:00Z", "a")}}, {"next_cursor", "c1"}});
  EXPECT_EQ(Run({"tasks", "--limit", "1"}), kExitOk);
  EXPECT_EQ(log_.requests.size(), 1u);
  EXPECT_EQ(err_.str(), "kaizenctl: showing the first 1 tasks; --limit N shows more\n");
}

TEST_F(CliCommands, BadFilterValuesAreUsageErrorsAndSendNothing) {
  EXPECT_EQ(Run({"tasks", "--state", "finished"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "kaizenctl: unknown task state 'finished'; one of: open, in_progress, blocked, done, "
            "verified, cancelled\nRun 'kaizenctl tasks --help' for usage.\n");
  EXPECT_EQ(Run({"tasks", "--plan", "x1"}), kExitUsage);
  EXPECT_EQ(Run({"tasks", "--limit", "0"}), kExitUsage);
  EXPECT_EQ(Run({"plans", "--state", "open"}), kExitUsage);
  EXPECT_EQ(Run({"task", "show", "abc"}), kExitUsage);
  EXPECT_TRUE(log_.requests.empty());
}

TEST_F(CliCommands, ApiErrorPrintsMessageAndCodeAndExitsOne) {
  Answer(409, {{"error",
                {{"code", "transition_not_allowed"},
                 {"message", "a done task can move to verified or in_progress, not to blocked"},
                 {"details", {{"allowed", {"verified", "in_progress"}}}}}}});
  EXPECT_EQ(Run({"task", "block", "7", "--actor", "li.lei"}), kExitApiError);
  EXPECT_EQ(err_.str(),
            "kaizenctl: a done task can move to verified or in_progress, not to blocked "
            "(transition_not_allowed)\n  details: {\"allowed\":[\"verified\",\"in_progress\"]}\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliCommands, NotFoundExitsOne) {
  Answer(404, {{"error", {{"code", "task_not_found"}, {"message", "no task 99"}}}});
  EXPECT_EQ(Run({"task", "show", "99"}), kExitApiError);
  EXPECT_EQ(err_.str(), "kaizenctl: no task 99 (task_not_found)\n");
}

TEST_F(CliCommands, ErrorWithoutJsonBodyNamesTheStatus) {
  log_.answers.push_back(HttpResponse{502, "<html>Bad Gateway</html>"});
  EXPECT_EQ(Run({"summary"}), kExitApiError);
  EXPECT_EQ(err_.str(), "kaizenctl: kaizend answered HTTP 502 to GET /api/v1/summary (http_502)\n");
}

TEST_F(CliCommands, SuccessWithoutJsonIsAnError) {
  log_.answers.push_back(HttpResponse{200, "not json"});
  EXPECT_EQ(Run({"summary"}), kExitApiError);
  EXPECT_EQ(err_.str(),
            "kaizenctl: kaizend answered HTTP 200 with a body that is not JSON (bad_answer)\n");
}

TEST_F(CliCommands, CannotConnectExitsThree) {
  log_.answers.push_back(
      Unavailable("cannot_connect", "cannot connect to http://127.0.0.1:8080: Connection refused"));
  EXPECT_EQ(Run({"tasks"}), kExitCannotConnect);
  EXPECT_EQ(err_.str(), "kaizenctl: cannot connect to http://127.0.0.1:8080: Connection refused\n");
}

TEST_F(CliCommands, ServerComesFromFlagThenEnvironmentThenDefault) {
  Answer(200, json::object());
  EXPECT_EQ(Run({"summary"}), kExitOk);
  EXPECT_EQ(log_.server->text, "http://127.0.0.1:8080");

  env_["KAIZEN_SERVER"] = "http://kaizen.internal:9000/base";
  Answer(200, json::object());
  EXPECT_EQ(Run({"summary"}), kExitOk);
  EXPECT_EQ(log_.server->host, "kaizen.internal");
  EXPECT_EQ(log_.server->port, "9000");
  EXPECT_EQ(log_.requests.back().target, "/base/api/v1/summary");

  Answer(200, json::object());
  EXPECT_EQ(Run({"summary", "--server", "http://10.1.2.3:8081"}), kExitOk);
  EXPECT_EQ(log_.server->host, "10.1.2.3");

  EXPECT_EQ(Run({"summary", "--server", "https://kaizen"}), kExitUsage);
  EXPECT_EQ(log_.requests.size(), 3u);
}

TEST_F(CliCommands, MoveSendsTheTransition) {
  Answer(200, Task(7, "blocked", "2026-12-03T08:00:00Z", "Survey"));
  EXPECT_EQ(Run({"task", "move", "7", "blocked", "--note", "waiting for IT", "--actor", "li.lei"}),
            kExitOk)
      << err_.str();
  ASSERT_EQ(log_.requests.size(), 1u);
  EXPECT_EQ(log_.requests[0].method, "POST");
  EXPECT_EQ(log_.requests[0].target, "/api/v1/tasks/7/transitions");
  EXPECT_EQ(json::parse(log_.requests[0].body),
            (json{{"to", "blocked"}, {"note", "waiting for IT"}, {"actor", "li.lei"}}));
  EXPECT_EQ(out_.str(), "task 7 is now blocked (due in 2d): Survey\n");
}

TEST_F(CliCommands, ShortcutsMoveToTheirStates) {
  std::map<std::string, std::string> expected = {
      {"start", "in_progress"},  {"block", "blocked"},    {"done", "done"},  {"verify", "verified"},
      {"reject", "in_progress"}, {"cancel", "cancelled"}, {"reopen", "open"}};
  for (const auto& [verb, state] : expected) {
    log_.requests.clear();
    Answer(200, Task(3, state, "2026-11-30T08:00:00Z", "t"));
    EXPECT_EQ(Run({"task", verb, "3", "--actor", "han.meimei", "--note", "n"}), kExitOk) << verb;
    ASSERT_EQ(log_.requests.size(), 1u) << verb;
    json body = json::parse(log_.requests[0].body);
    EXPECT_EQ(body["to"], state) << verb;
    EXPECT_EQ(body["actor"], "han.meimei") << verb;
    if (verb == "reopen") {
      EXPECT_EQ(out_.str(), "task 3 is now open (overdue 1d): t\n");
    }
  }
}

TEST_F(CliCommands, NoteIsLeftOutWhenNotGiven) {
  Answer(200, Task(3, "done", "2026-11-30T08:00:00Z", "t"));
  EXPECT_EQ(Run({"task", "done", "3", "--actor", "li.lei"}), kExitOk);
  EXPECT_EQ(json::parse(log_.requests[0].body), (json{{"to", "done"}, {"actor", "li.lei"}}));
  EXPECT_EQ(out_.str(), "task 3 is now done: t\n");
}

TEST_F(CliCommands, RejectNeedsANote) {
  EXPECT_EQ(Run({"task", "reject", "3", "--actor", "wang.fang"}), kExitUsage);
  EXPECT_NE(err_.str().find("task reject needs --note TEXT"), std::string::npos) << err_.str();
  EXPECT_TRUE(log_.requests.empty());
}

TEST_F(CliCommands, ActorComesFromFlagOrEnvironment) {
  EXPECT_EQ(Run({"task", "start", "3"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "kaizenctl: --actor ID is required: who makes this move (or set KAIZEN_ACTOR, or "
            "\"actor\" in the config file, or use a token that names you)\n"
            "Run 'kaizenctl task start --help' for usage.\n");
  env_["KAIZEN_ACTOR"] = "li.lei";
  Answer(200, Task(3, "in_progress", "2026-12-03T08:00:00Z", "t"));
  EXPECT_EQ(Run({"task", "start", "3"}), kExitOk);
  EXPECT_EQ(json::parse(log_.requests[0].body)["actor"], "li.lei");
}

// With a token and no actor, kaizend takes the actor from the token: none is sent.
TEST_F(CliCommands, WithATokenTheMoveNamesNoActor) {
  env_["KAIZEN_TOKEN"] = "member-token-0123456789";
  Answer(200, Task(3, "in_progress", "2026-12-03T08:00:00Z", "t"));
  EXPECT_EQ(Run({"task", "start", "3"}), kExitOk);
  ASSERT_EQ(log_.requests.size(), 1u);
  EXPECT_FALSE(json::parse(log_.requests[0].body).contains("actor"));
}

TEST_F(CliCommands, MoveRejectsUnknownState) {
  EXPECT_EQ(Run({"task", "move", "3", "finished", "--actor", "a"}), kExitUsage);
  EXPECT_TRUE(log_.requests.empty());
}

TEST_F(CliCommands, TaskShowPrintsFieldsAndHistory) {
  Answer(200, Task(7, "in_progress", "2026-12-03T08:00:00Z", "Survey 200 customers"));
  Answer(200, {{"items",
                {{{"id", 1},
                  {"task_id", 7},
                  {"plan_id", 1},
                  {"at", "2026-11-20T01:00:00Z"},
                  {"actor", "wang.fang"},
                  {"kind", "created"},
                  {"from", nullptr},
                  {"to", "open"},
                  {"note", ""}},
                 {{"id", 2},
                  {"task_id", 7},
                  {"plan_id", 1},
                  {"at", "2026-11-21T01:00:00Z"},
                  {"actor", "li.lei"},
                  {"kind", "transition"},
                  {"from", "open"},
                  {"to", "in_progress"},
                  {"note", "starting"}}}}});
  EXPECT_EQ(Run({"task", "show", "7"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(),
            (std::vector<std::string>{"GET /api/v1/tasks/7", "GET /api/v1/tasks/7/events"}));
  EXPECT_EQ(out_.str(),
            "Task 7: Survey 200 customers\n"
            "  plan        1\n"
            "  state       in_progress\n"
            "  owner       li.lei\n"
            "  due         2026-12-03T08:00:00Z (in 2d)\n"
            "  criterion   200 answers\n"
            "  depends on  -\n"
            "  version     2\n"
            "  created     2026-11-20T01:00:00Z\n"
            "  updated     2026-11-21T01:00:00Z\n"
            "\n"
            "History\n"
            "AT                    ACTOR      EVENT       CHANGE               NOTE\n"
            "2026-11-20T01:00:00Z  wang.fang  created     -> open              -\n"
            "2026-11-21T01:00:00Z  li.lei     transition  open -> in_progress  starting\n");
}

TEST_F(CliCommands, TaskShowJsonJoinsTaskAndEvents) {
  Answer(200, Task(7, "open", "2026-12-03T08:00:00Z", "t"));
  Answer(200, {{"items", json::array()}});
  EXPECT_EQ(Run({"-o", "json", "task", "show", "7"}), kExitOk);
  json printed = json::parse(out_.str());
  EXPECT_EQ(printed["task"]["id"], 7);
  EXPECT_EQ(printed["events"], json::array());
}

json Plan() {
  return {{"id", 1},
          {"title", "提高客户满意度 Raise CSAT to 85%"},
          {"kind", "improvement"},
          {"owner", "wang.fang"},
          {"team", "ops"},
          {"state", "active"},
          {"allow_self_verification", false},
          {"goals",
           {{{"metric", "customer satisfaction"},
             {"baseline", 80},
             {"target", 85.5},
             {"unit", "%"},
             {"target_date", "2026-12-31"},
             {"actual", nullptr}}}},
          {"version", 1},
          {"created_at", "2026-11-20T01:00:00Z"},
          {"updated_at", "2026-11-20T01:00:00Z"},
          {"progress",
           {{"total", 4},
            {"tasks_by_state",
             {{"open", 1},
              {"in_progress", 1},
              {"blocked", 0},
              {"done", 1},
              {"verified", 0},
              {"cancelled", 1}}},
            {"overdue", 1}}}};
}

TEST_F(CliCommands, PlansCountsFinishedTasksOfThoseNotCancelled) {
  Answer(200, {{"items", {Plan()}}, {"next_cursor", nullptr}});
  EXPECT_EQ(Run({"plans", "--state", "active", "--team", "ops"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(),
            std::vector<std::string>{"GET /api/v1/plans?state=active&team=ops&limit=500"});
  EXPECT_EQ(out_.str(),
            "ID  STATE   OWNER      TEAM  DONE  OVERDUE  TITLE\n"
            " 1  active  wang.fang  ops    1/3        1  提高客户满意度 Raise CSAT to 85%\n");
}

TEST_F(CliCommands, PlanShowPrintsGoalsAndTasks) {
  json plan = Plan();
  plan["tasks"] = {Task(7, "open", "2026-12-01T07:00:00Z", "Survey")};
  Answer(200, plan);
  EXPECT_EQ(Run({"plan", "show", "1"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "Plan 1: 提高客户满意度 Raise CSAT to 85%\n"
            "  kind          improvement\n"
            "  state         active\n"
            "  owner         wang.fang\n"
            "  team          ops\n"
            "  progress      1 of 3 tasks finished, 1 overdue\n"
            "  tasks         open 1, in_progress 1, blocked 0, done 1, verified 0, cancelled 1\n"
            "  verification  by the plan owner or the task owner's manager\n"
            "  version       1\n"
            "  created       2026-11-20T01:00:00Z\n"
            "  updated       2026-11-20T01:00:00Z\n"
            "\n"
            "Goals\n"
            "METRIC                 BASELINE  TARGET  ACTUAL  UNIT  BY\n"
            "customer satisfaction        80    85.5       -  %     2026-12-31\n"
            "\n"
            "Tasks\n"
            "ID  STATE  OWNER   DUE         TITLE\n"
            " 7  open   li.lei  overdue 1h  Survey\n");
}

TEST_F(CliCommands, SummaryShowsCountsOverdueAndDueSoon) {
  Answer(200, {{"tasks_by_state",
                {{"open", 3},
                 {"in_progress", 1},
                 {"blocked", 0},
                 {"done", 2},
                 {"verified", 1},
                 {"cancelled", 0}}},
               {"plans_by_state", {{"active", 2}, {"completed", 0}, {"cancelled", 0}}},
               {"overdue", 1},
               {"overdue_by_owner",
                {{{"owner", "li.lei"},
                  {"name", "李雷 Li Lei"},
                  {"count", 1},
                  {"tasks",
                   {{{"id", 3},
                     {"plan_id", 1},
                     {"title", "数据统计"},
                     {"due_at", "2026-11-29T08:00:00Z"},
                     {"state", "open"}}}}}}},
               {"due_soon",
                {{{"id", 4},
                  {"plan_id", 1},
                  {"title", "Survey"},
                  {"due_at", "2026-12-01T20:00:00Z"},
                  {"state", "in_progress"}}}},
               {"generated_at", "2026-12-01T08:00:00Z"}});
  EXPECT_EQ(Run({"summary", "--team", "ops"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{"GET /api/v1/summary?team=ops"});
  EXPECT_EQ(out_.str(),
            "Tasks    open 3, in_progress 1, blocked 0, done 2, verified 1, cancelled 0\n"
            "Plans    active 2, completed 0, cancelled 0\n"
            "Overdue  1\n"
            "\n"
            "Overdue, by owner\n"
            "ID  PLAN  STATE  OWNER   DUE         TITLE\n"
            " 3     1  open   li.lei  overdue 2d  数据统计\n"
            "\n"
            "Due soon\n"
            "ID  PLAN  STATE        DUE     TITLE\n"
            " 4     1  in_progress  in 12h  Survey\n");
}

TEST_F(CliCommands, RenderingToleratesMissingFields) {
  Answer(200, {{"items", {{{"id", 5}}}}, {"next_cursor", nullptr}});
  EXPECT_EQ(Run({"tasks"}), kExitOk);
  EXPECT_EQ(out_.str(), "ID  STATE  OWNER  DUE  TITLE\n 5  -      -      -    -\n");
}

TEST_F(CliCommands, HelpGoesToStdoutAndExitsZero) {
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_NE(out_.str().find("Commands:"), std::string::npos);
  EXPECT_EQ(Run({"task", "move", "--help"}), kExitOk);
  EXPECT_EQ(out_.str().rfind("Usage: kaizenctl task move ID STATE", 0), 0u);
  EXPECT_TRUE(log_.requests.empty());
}

TEST_F(CliCommands, NoArgumentsPrintsHelpToStderr) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find("Commands:"), std::string::npos);
}

TEST_F(CliCommands, UsageErrorPointsToHelp) {
  EXPECT_EQ(Run({"tasks", "--colour"}), kExitUsage);
  EXPECT_EQ(err_.str(),
            "kaizenctl: unknown option '--colour'\nRun 'kaizenctl --help' for usage.\n");
}

// ---- channels ---------------------------------------------------------------------------

json KeywordRefusedReport() {
  return json::parse(R"json({
    "channel": "ops-dingtalk", "type": "dingtalk",
    "url": "https://oapi.dingtalk.com/robot/send?access_token=***",
    "idempotency_key": "test-ops-dingtalk-1795568400000",
    "message": "Test message from kaizen for channel ops-dingtalk",
    "sent_at": "2026-12-01T08:00:00Z",
    "delivered": false, "category": "config_error",
    "outcome": "config_error:keyword_missing:310000",
    "reason": "DingTalk refused the message (errcode 310000: keywords not in content)",
    "http_status": 200, "network_error": null,
    "provider_code": 310000, "provider_message": "keywords not in content",
    "reply_body": "{\"errcode\":310000,\"errmsg\":\"keywords not in content\"}",
    "reply_truncated": false, "latency_ms": 120, "parts": 1, "requests": 1,
    "retry_after_seconds": null, "rate_limit_wait_ms": 0, "duration_ms": 121})json");
}

TEST_F(CliCommands, ChannelsTestShowsWhatTheProviderAnsweredAndExitsFourWhenNotDelivered) {
  Answer(200, KeywordRefusedReport());
  EXPECT_EQ(Run({"channels", "test", "ops-dingtalk"}), kExitNotDelivered);
  EXPECT_EQ(Targets(), std::vector<std::string>{"POST /api/v1/channels/ops-dingtalk/test"});
  EXPECT_EQ(log_.requests[0].body, "{}");
  ASSERT_TRUE(log_.requests[0].timeout.has_value()) << "waits as long as a delivery can take";
  EXPECT_GE(*log_.requests[0].timeout, std::chrono::minutes(20));
  EXPECT_EQ(out_.str(),
            "Channel ops-dingtalk (dingtalk): NOT delivered\n"
            "  reason            DingTalk refused the message (errcode 310000: keywords not in "
            "content)\n"
            "  category          config_error\n"
            "  outcome           config_error:keyword_missing:310000\n"
            "  http status       200\n"
            "  provider code     310000\n"
            "  provider message  keywords not in content\n"
            "  reply             {\"errcode\":310000,\"errmsg\":\"keywords not in content\"}\n"
            "  latency           120 ms\n"
            "  url               https://oapi.dingtalk.com/robot/send?access_token=***\n"
            "  message           Test message from kaizen for channel ops-dingtalk\n"
            "  key               test-ops-dingtalk-1795568400000\n"
            "  sent at           2026-12-01T08:00:00Z\n");
  EXPECT_EQ(err_.str(),
            "kaizenctl: channel ops-dingtalk did not deliver the test message: "
            "config_error:keyword_missing:310000 (not_delivered)\n");
}

TEST_F(CliCommands, ChannelsTestExitsZeroWhenDeliveredAndPrintsJsonOnRequest) {
  json report = KeywordRefusedReport();
  report["delivered"] = true;
  report["category"] = "delivered";
  report["outcome"] = "delivered:http_200:0";
  Answer(200, report);
  EXPECT_EQ(Run({"-o", "json", "channels", "test", "ops-dingtalk"}), kExitOk);
  EXPECT_EQ(json::parse(out_.str()), report);
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CliCommands, ChannelsTestShowsANetworkError) {
  json report = KeywordRefusedReport();
  report["category"] = "retry_later";
  report["outcome"] = "retry_later:timeout";
  report["http_status"] = nullptr;
  report["provider_code"] = nullptr;
  report["provider_message"] = nullptr;
  report["reply_body"] = nullptr;
  report["network_error"] = {{"code", "timeout"}, {"message", "no answer within 15 s"}};
  Answer(200, report);
  EXPECT_EQ(Run({"channels", "test", "ops-dingtalk"}), kExitNotDelivered);
  EXPECT_NE(out_.str().find("  network error  timeout: no answer within 15 s\n"), std::string::npos)
      << out_.str();
  EXPECT_EQ(out_.str().find("http status"), std::string::npos) << out_.str();
  EXPECT_EQ(out_.str().find("reply "), std::string::npos) << out_.str();
}

TEST_F(CliCommands, ChannelsTestOfAnUnknownChannelExitsOne) {
  Answer(404, {{"error", {{"code", "channel_not_found"}, {"message", "no channel with id 'x'"}}}});
  EXPECT_EQ(Run({"channels", "test", "x"}), kExitApiError);
  EXPECT_EQ(err_.str(), "kaizenctl: no channel with id 'x' (channel_not_found)\n");
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliCommands, ChannelsListsTypeRateStateAndRedactedUrl) {
  Answer(200, json::parse(R"({"items": [
    {"id": "ops-dingtalk", "type": "dingtalk",
     "url": "https://oapi.dingtalk.com/robot/send?access_token=***", "signed": true,
     "timeout_ms": 15000, "rate_limit": {"per_minute": 20, "burst": 1},
     "broken": true, "broken_reason": "config_error:keyword_missing:310000",
     "next_probe_at": "2026-12-01T08:10:00Z"},
    {"id": "log", "type": "log", "url": null, "signed": false, "timeout_ms": null,
     "rate_limit": null, "broken": false, "broken_reason": null, "next_probe_at": null}]})"));
  EXPECT_EQ(Run({"channels"}), kExitOk);
  EXPECT_EQ(Targets(), std::vector<std::string>{"GET /api/v1/channels"});
  EXPECT_EQ(out_.str(),
            "ID            TYPE      RATE             STATE                                        "
            "URL\n"
            "ops-dingtalk  dingtalk  20/min, burst 1  broken: config_error:keyword_missing:310000  "
            "https://oapi.dingtalk.com/robot/send?access_token=***\n"
            "log           log       unlimited        ok                                           "
            "-\n");
}

// ---- templates ------------------------------------------------------------------------

TEST_F(CliCommands, TemplatesListAsATableAndAsJson) {
  const json list = {{"items",
                      {{{"id", "monthly-review-zh"},
                        {"title", "{team} 月度运营复盘 {year}年{month}月"},
                        {"kind", "monthly_review"},
                        {"tasks", 7},
                        {"goals", 3},
                        {"source", "examples/templates/monthly-review.zh.json"}},
                       {{"id", "quarterly-self-check-en"},
                        {"title", "{team} self-check {year} Q{quarter}"},
                        {"kind", "self_check"},
                        {"tasks", 5},
                        {"goals", 2},
                        {"source", "examples/templates/quarterly-self-check.en.json"}}}}};
  Answer(200, list);
  EXPECT_EQ(Run({"templates"}), kExitOk);
  EXPECT_EQ(Targets(), std::vector<std::string>{"GET /api/v1/templates"});
  const std::string table = out_.str();
  EXPECT_NE(table.find("ID"), std::string::npos) << table;
  EXPECT_NE(table.find("SOURCE"), std::string::npos) << table;
  EXPECT_NE(table.find("monthly-review-zh"), std::string::npos) << table;
  EXPECT_NE(table.find("{team} self-check {year} Q{quarter}"), std::string::npos) << table;
  EXPECT_NE(table.find("examples/templates/quarterly-self-check.en.json"), std::string::npos);

  Answer(200, list);
  EXPECT_EQ(Run({"templates", "-o", "json"}), kExitOk);
  EXPECT_EQ(json::parse(out_.str()), list);

  Answer(200, {{"items", json::array()}});
  EXPECT_EQ(Run({"templates"}), kExitOk);
  EXPECT_EQ(out_.str(), "no templates\n");
}

TEST_F(CliCommands, PlanReportAsMarkdownAsksForItAndPrintsItAsItCame) {
  log_.answers.push_back(HttpResponse{200, "# 报告：Review\n\n- 团队：ops\n"});
  EXPECT_EQ(Run({"plan", "report", "3", "--markdown", "--locale", "zh-CN"}), kExitOk) << err_.str();
  ASSERT_EQ(log_.requests.size(), 1u);
  EXPECT_EQ(log_.requests[0].target, "/api/v1/plans/3/report?locale=zh-CN");
  EXPECT_EQ(log_.requests[0].accept, "text/markdown");
  EXPECT_EQ(out_.str(), "# 报告：Review\n\n- 团队：ops\n");

  EXPECT_EQ(Run({"plan", "report", "3", "--locale", "en"}), kExitUsage);
}

TEST_F(CliCommands, PlanCloseShowsTheFrozenReport) {
  Answer(200, {{"plan_id", 3},
               {"title", "Review"},
               {"team", "ops"},
               {"plan_state", "active"},
               {"generated_at", "2026-11-30T01:00:00Z"},
               {"closed_at", "2026-11-30T01:00:00Z"},
               {"tasks_by_state",
                {{"open", 1},
                 {"in_progress", 0},
                 {"blocked", 0},
                 {"done", 1},
                 {"verified", 0},
                 {"cancelled", 0}}},
               {"tasks_total", 2},
               {"finished", 1},
               {"finished_on_time", 1},
               {"on_time_percent", 50.0},
               {"overdue",
                {{{"id", 8},
                  {"title", "Problem analysis"},
                  {"owner", "han.meimei"},
                  {"owner_name", "Han Meimei"},
                  {"due_at", "2026-11-27T01:00:00Z"},
                  {"state", "open"},
                  {"days_late", 3},
                  {"carry_count", 0},
                  {"carried_from", nullptr}}}},
               {"carried_twice", json::array()},
               {"goals", json::array()},
               {"snapshot",
                {{"scope_at_start", 2},
                 {"added", 0},
                 {"done", 1},
                 {"verified", 0},
                 {"cancelled", 0},
                 {"carried", 0}}},
               {"previous", nullptr}});
  EXPECT_EQ(Run({"plan", "close", "3"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{"POST /api/v1/plans/3/close"});
  const std::string out = out_.str();
  EXPECT_NE(out.find("Report of plan 3: Review\n"), std::string::npos) << out;
  EXPECT_NE(out.find("frozen, closed 2026-11-30T01:00:00Z"), std::string::npos) << out;
  EXPECT_NE(out.find("on time"), std::string::npos) << out;
  EXPECT_NE(out.find("1 of 1 finished on time"), std::string::npos) << out;
  EXPECT_NE(out.find("Han Meimei"), std::string::npos) << out;
}

// ---- schedules preview ------------------------------------------------------------------------

TEST_F(CliCommands, SchedulesPreviewSendsRuleZoneAndCountAndPrintsAnAlignedTable) {
  Answer(200, json::parse(R"({"rule": "0 9 1 * *", "time_zone": "Asia/Shanghai",
    "dst": "fire_after_gap", "fires": [
    {"utc": "2026-12-01T01:00:00Z", "local": "2026-12-01T09:00:00+08:00", "weekday": "Tue",
     "abbreviation": "CST", "moved_from": null},
    {"utc": "2027-01-01T01:00:00Z", "local": "2027-01-01T09:00:00+08:00", "weekday": "Fri",
     "abbreviation": "CST", "moved_from": null}]})"));
  EXPECT_EQ(Run({"schedules", "preview", "0 9 1 * *", "--tz", "Asia/Shanghai", "-n", "2"}), kExitOk)
      << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{"POST /api/v1/schedules/preview"});
  EXPECT_EQ(json::parse(log_.requests[0].body),
            json::parse(R"({"rule": "0 9 1 * *", "time_zone": "Asia/Shanghai", "count": 2})"));
  EXPECT_EQ(out_.str(),
            "Rule 0 9 1 * * in Asia/Shanghai\n"
            "#  LOCAL                               UTC\n"
            "1  Tue 2026-12-01 09:00:00 +08:00 CST  2026-12-01 01:00:00 UTC\n"
            "2  Fri 2027-01-01 09:00:00 +08:00 CST  2027-01-01 01:00:00 UTC\n");
}

TEST_F(CliCommands, SchedulesPreviewNotesAFireMovedByADstGap) {
  Answer(200, json::parse(R"({"rule": "30 2 * * *", "time_zone": "America/New_York",
    "dst": "fire_after_gap", "fires": [
    {"utc": "2026-03-08T07:00:00Z", "local": "2026-03-08T03:00:00-04:00", "weekday": "Sun",
     "abbreviation": "EDT", "moved_from": "2026-03-08T02:30:00"}]})"));
  EXPECT_EQ(Run({"schedules", "preview", "30 2 * * *", "--tz", "America/New_York", "--from",
                 "2026-03-07T12:00:00Z", "--dst", "fire_after_gap", "--count=1"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(json::parse(log_.requests[0].body),
            json::parse(R"({"rule": "30 2 * * *", "time_zone": "America/New_York", "count": 1,
                            "from": "2026-03-07T12:00:00Z", "dst": "fire_after_gap"})"));
  EXPECT_NE(out_.str().find("Sun 2026-03-08 03:00:00 -04:00 EDT  2026-03-08 07:00:00 UTC  (02:30 "
                            "does not exist that day: moved past the DST gap)"),
            std::string::npos)
      << out_.str();
}

TEST_F(CliCommands, SchedulesPreviewChecksTheCountAndShowsTheRulesError) {
  EXPECT_EQ(Run({"schedules", "preview", "@daily", "-n", "zero"}), kExitUsage);
  EXPECT_TRUE(log_.requests.empty());
  Answer(400, json::parse(R"({"error": {"code": "invalid_schedule_rule",
    "message": "day-of-month: 32 is out of range 1-31",
    "details": {"field": "rule", "part": "day-of-month"}}})"));
  EXPECT_EQ(Run({"schedules", "preview", "0 9 32 * *"}), kExitApiError);
  EXPECT_NE(err_.str().find("day-of-month: 32 is out of range 1-31 (invalid_schedule_rule)"),
            std::string::npos)
      << err_.str();
}

}  // namespace
}  // namespace kaizen::cli
