// kaizenctl's settings (flag > environment > config file > default), the token, exit status 5,
// colours, and the verbs of issue 6: tasks --mine/--due-within, task snooze, plan create and
// cancel, notifications, check-config, completion. Each runs the real command against a
// scripted transport and checks the request sent and what the user sees.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "tests/cli/cli_fixture.h"

#ifndef KAIZEN_SOURCE_DIR
#error "KAIZEN_SOURCE_DIR must name the source tree"
#endif

namespace kaizen::cli {
namespace {

namespace fs = std::filesystem;

// A fresh folder under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "kaizenctl-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? pattern : "";
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  // Writes `text` to `name` with `mode`; returns the path.
  std::string Write(const std::string& name, const std::string& text, mode_t mode = 0600) const {
    fs::path file = fs::path(path_) / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
    ::chmod(file.c_str(), mode);
    return file.string();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class CliVerbs : public CliCommands {
 protected:
  void EmptyList() { Answer(200, {{"items", json::array()}, {"next_cursor", nullptr}}); }

  std::optional<std::string> Header(std::size_t request, std::string_view name) const {
    for (const auto& [key, value] : log_.requests.at(request).headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }

  TempDir dir_;
};

// ---- Settings: flag > environment > config file > default ------------------------------------

TEST_F(CliVerbs, ServerTokenAndActorComeFromFlagThenEnvironmentThenFileThenDefault) {
  env_["HOME"] = dir_.path();
  dir_.Write(
      ".config/kaizen/kaizenctl.json",
      R"({"server": "http://from-file:7000", "token": "file-token", "actor": "file.actor"})");

  EmptyList();
  ASSERT_EQ(Run({"tasks", "--mine"}), kExitOk) << err_.str();
  EXPECT_EQ(log_.server->host, "from-file");
  EXPECT_EQ(Header(0, "Authorization"), "Bearer file-token");
  EXPECT_EQ(log_.requests[0].target, "/api/v1/tasks?owner=file.actor&limit=500");

  env_["KAIZEN_SERVER"] = "http://from-env:7001";
  env_["KAIZEN_TOKEN"] = "env-token";
  env_["KAIZEN_ACTOR"] = "env.actor";
  EmptyList();
  ASSERT_EQ(Run({"tasks", "--mine"}), kExitOk) << err_.str();
  EXPECT_EQ(log_.server->host, "from-env");
  EXPECT_EQ(Header(1, "Authorization"), "Bearer env-token");
  EXPECT_EQ(log_.requests[1].target, "/api/v1/tasks?owner=env.actor&limit=500");

  EmptyList();
  ASSERT_EQ(Run({"tasks", "--mine", "--server", "http://from-flag:7002", "--token", "flag-token",
                 "--actor", "flag.actor"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(log_.server->host, "from-flag");
  EXPECT_EQ(Header(2, "Authorization"), "Bearer flag-token");
  EXPECT_EQ(log_.requests[2].target, "/api/v1/tasks?owner=flag.actor&limit=500");
}

TEST_F(CliVerbs, WithoutSettingsTheDefaultServerGetsNoToken) {
  env_["HOME"] = dir_.path();  // no config file there
  EmptyList();
  ASSERT_EQ(Run({"tasks"}), kExitOk) << err_.str();
  EXPECT_EQ(log_.server->text, "http://127.0.0.1:8080");
  EXPECT_EQ(Header(0, "Authorization"), std::nullopt);
}

TEST_F(CliVerbs, ConfigFileIsKaizenConfigElseXdgElseHome) {
  env_["HOME"] = dir_.path();
  dir_.Write(".config/kaizen/kaizenctl.json", R"({"server": "http://home:1"})");
  env_["XDG_CONFIG_HOME"] = dir_.path() + "/xdg";
  dir_.Write("xdg/kaizen/kaizenctl.json", R"({"server": "http://xdg:1"})");
  EXPECT_EQ(ConfigFilePath([this](std::string_view n) -> std::optional<std::string> {
              auto it = env_.find(std::string(n));
              return it == env_.end() ? std::nullopt : std::optional(it->second);
            }),
            dir_.path() + "/xdg/kaizen/kaizenctl.json");
  EmptyList();
  ASSERT_EQ(Run({"tasks"}), kExitOk) << err_.str();
  EXPECT_EQ(log_.server->host, "xdg");

  env_["KAIZEN_CONFIG"] = dir_.Write("elsewhere.json", R"({"server": "http://explicit:1"})");
  EmptyList();
  ASSERT_EQ(Run({"tasks"}), kExitOk) << err_.str();
  EXPECT_EQ(log_.server->host, "explicit");

  env_["KAIZEN_CONFIG"] = dir_.path() + "/missing.json";
  EXPECT_EQ(Run({"tasks"}), kExitUsage);
  EXPECT_NE(err_.str().find("missing.json, which does not exist"), std::string::npos) << err_.str();
}

TEST_F(CliVerbs, ABadConfigFileIsAUsageErrorNamingIt) {
  env_["KAIZEN_CONFIG"] = dir_.Write("bad.json", R"({"server": "http://x:1", "tokn": "t"})");
  EXPECT_EQ(Run({"tasks"}), kExitUsage);
  EXPECT_NE(err_.str().find("bad.json: unknown field 'tokn'"), std::string::npos) << err_.str();

  env_["KAIZEN_CONFIG"] = dir_.Write("both.json", R"({"token": "a", "token_file": "b"})");
  EXPECT_EQ(Run({"tasks"}), kExitUsage);
  EXPECT_NE(err_.str().find("either token or token_file"), std::string::npos) << err_.str();

  env_["KAIZEN_CONFIG"] = dir_.Write("broken.json", "{");
  EXPECT_EQ(Run({"tasks"}), kExitUsage);
  EXPECT_NE(err_.str().find("broken.json: not a JSON object"), std::string::npos) << err_.str();
  EXPECT_TRUE(log_.requests.empty());
}

TEST_F(CliVerbs, TokenFileIsReadBesideTheConfigAndTrimmed) {
  dir_.Write("secret/token", "  s3cret-token\n", 0600);
  env_["KAIZEN_CONFIG"] = dir_.Write("kaizenctl.json", R"({"token_file": "secret/token"})");
  EmptyList();
  ASSERT_EQ(Run({"tasks"}), kExitOk) << err_.str();
  EXPECT_EQ(Header(0, "Authorization"), "Bearer s3cret-token");
  EXPECT_EQ(err_.str(), "") << "a private token file earns no warning";
}

TEST_F(CliVerbs, AConfigFileOthersMayReadWarnsWhenItHoldsAToken) {
  env_["KAIZEN_CONFIG"] = dir_.Write("open.json", R"({"token": "t0ken"})", 0644);
  EmptyList();
  ASSERT_EQ(Run({"tasks"}), kExitOk);
  EXPECT_NE(err_.str().find("warning: " + dir_.path() +
                            "/open.json holds a token and others may read it (mode 0644)"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(err_.str().find("t0ken"), std::string::npos) << "the token is never printed";

  env_["KAIZEN_CONFIG"] = dir_.Write("open-no-token.json", R"({"actor": "li.lei"})", 0644);
  EmptyList();
  ASSERT_EQ(Run({"tasks"}), kExitOk);
  EXPECT_EQ(err_.str(), "") << "nothing secret, nothing to warn about";

  env_["KAIZEN_CONFIG"] = dir_.Write("private.json", R"({"token": "t0ken"})", 0600);
  EmptyList();
  ASSERT_EQ(Run({"tasks"}), kExitOk);
  EXPECT_EQ(err_.str(), "");
}

// ---- 401 and 403: exit 5 -----------------------------------------------------------------------

TEST_F(CliVerbs, UnauthenticatedExitsFiveAndSaysHowToGiveAToken) {
  Answer(401, {{"error", {{"code", "unauthenticated"}, {"message", "an API token is required"}}}});
  EXPECT_EQ(Run({"tasks"}), kExitNotAllowed);
  EXPECT_EQ(err_.str(),
            "kaizenctl: an API token is required (unauthenticated)\n"
            "  kaizend wants an API token: give --token, set KAIZEN_TOKEN, or put \"token\" or "
            "\"token_file\" in ~/.config/kaizen/kaizenctl.json\n");

  env_["KAIZEN_TOKEN"] = "wrong-token";
  Answer(401, {{"error", {{"code", "unauthenticated"}, {"message", "unknown token"}}}});
  EXPECT_EQ(Run({"tasks"}), kExitNotAllowed);
  EXPECT_EQ(err_.str(),
            "kaizenctl: unknown token (unauthenticated)\n"
            "  kaizend did not accept the token from KAIZEN_TOKEN (unknown, revoked or "
            "mistyped)\n");
  EXPECT_EQ(err_.str().find("wrong-token"), std::string::npos);
}

TEST_F(CliVerbs, ForbiddenExitsFive) {
  env_["KAIZEN_TOKEN"] = "viewer-token";
  Answer(403, {{"error", {{"code", "forbidden"}, {"message", "role viewer may not write"}}}});
  EXPECT_EQ(Run({"task", "start", "3", "--actor", "li.lei"}), kExitNotAllowed);
  EXPECT_EQ(err_.str(),
            "kaizenctl: role viewer may not write (forbidden)\n"
            "  the token's role does not allow this; ask for a token with a role that does\n");

  Answer(403, {{"error", {{"code", "not_a_reviewer"}, {"message", "li.lei may not verify"}}}});
  EXPECT_EQ(Run({"task", "verify", "3", "--actor", "li.lei"}), kExitNotAllowed);
  EXPECT_EQ(err_.str(), "kaizenctl: li.lei may not verify (not_a_reviewer)\n");
}

// ---- Colours -----------------------------------------------------------------------------------

json ThreeTasks() {
  return {{"items",
           {Task(1, "open", "2026-11-30T08:00:00Z", "late"),
            Task(2, "open", "2026-12-02T08:00:00Z", "soon"),
            Task(3, "done", "2026-12-20T08:00:00Z", "finished")}},
          {"next_cursor", nullptr}};
}

TEST_F(CliVerbs, ColoursOnATerminalOnly) {
  tty_ = true;
  Answer(200, ThreeTasks());
  ASSERT_EQ(Run({"tasks"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "ID  STATE  OWNER   DUE         TITLE\n"
            " 1  open   li.lei  \x1b[31moverdue 1d\x1b[0m  late\n"
            " 2  open   li.lei  \x1b[33min 1d\x1b[0m       soon\n"
            " 3  \x1b[32mdone\x1b[0m   li.lei  in 19d      finished\n");

  tty_ = false;  // a pipe
  Answer(200, ThreeTasks());
  ASSERT_EQ(Run({"tasks"}), kExitOk);
  EXPECT_EQ(out_.str().find('\x1b'), std::string::npos) << out_.str();
}

TEST_F(CliVerbs, NoColorAndTheFlagTurnColoursOff) {
  tty_ = true;
  env_["NO_COLOR"] = "1";
  Answer(200, ThreeTasks());
  ASSERT_EQ(Run({"tasks"}), kExitOk);
  EXPECT_EQ(out_.str().find('\x1b'), std::string::npos) << out_.str();

  env_.erase("NO_COLOR");
  Answer(200, ThreeTasks());
  ASSERT_EQ(Run({"tasks", "--no-color"}), kExitOk);
  EXPECT_EQ(out_.str().find('\x1b'), std::string::npos) << out_.str();

  Answer(200, ThreeTasks());
  ASSERT_EQ(Run({"tasks", "-o", "json"}), kExitOk);
  EXPECT_EQ(out_.str().find('\x1b'), std::string::npos) << "JSON is for scripts";
}

TEST_F(CliVerbs, WideAddsPlanExactDeadlineAndLastChange) {
  Answer(200, ThreeTasks());
  ASSERT_EQ(Run({"tasks", "-o", "wide"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(),
            "ID  PLAN  STATE  OWNER   DUE         DUE AT                UPDATED  TITLE\n"
            " 1     1  open   li.lei  overdue 1d  2026-11-30T08:00:00Z  10d ago  late\n"
            " 2     1  open   li.lei  in 1d       2026-12-02T08:00:00Z  10d ago  soon\n"
            " 3     1  done   li.lei  in 19d      2026-12-20T08:00:00Z  10d ago  finished\n");
}

// ---- tasks --mine / --due-within ---------------------------------------------------------------

TEST_F(CliVerbs, MineAsksForTheActorsTasks) {
  env_["KAIZEN_ACTOR"] = "han.meimei";
  EmptyList();
  ASSERT_EQ(Run({"tasks", "--mine", "--state", "open"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(),
            std::vector<std::string>{"GET /api/v1/tasks?owner=han.meimei&state=open&limit=500"});

  EXPECT_EQ(Run({"tasks", "--mine", "--owner", "li.lei"}), kExitUsage);
  env_.erase("KAIZEN_ACTOR");
  EXPECT_EQ(Run({"tasks", "--mine"}), kExitUsage);
  EXPECT_NE(err_.str().find("--mine needs to know who you are"), std::string::npos) << err_.str();
  EXPECT_EQ(log_.requests.size(), 1u);
}

TEST_F(CliVerbs, DueWithinAsksForDeadlinesBetweenNowAndTheSpan) {
  EmptyList();
  ASSERT_EQ(Run({"tasks", "--due-within", "2d"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{
                           "GET /api/v1/tasks?due_after=2026-12-01T08%3A00%3A00Z&due_before="
                           "2026-12-03T08%3A00%3A00Z&limit=500"});
  EmptyList();
  ASSERT_EQ(Run({"tasks", "--due-within", "1d12h"}), kExitOk) << err_.str();
  EXPECT_NE(log_.requests.back().target.find("due_before=2026-12-02T20%3A00%3A00Z"),
            std::string::npos)
      << log_.requests.back().target;

  EXPECT_EQ(Run({"tasks", "--due-within", "soon"}), kExitUsage);
  EXPECT_NE(err_.str().find("not 'soon'"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"tasks", "--due-within", "2d", "--overdue"}), kExitUsage);
  EXPECT_EQ(log_.requests.size(), 2u);
}

// ---- task snooze -------------------------------------------------------------------------------

json Patched(json task, std::string due, json next_reminder) {
  task["due_at"] = std::move(due);
  task["version"] = task["version"].get<int>() + 1;
  task["next_reminder_at"] = std::move(next_reminder);
  return task;
}

TEST_F(CliVerbs, SnoozeForMovesAFutureDeadlineLaterWithIfMatch) {
  json task = Task(7, "open", "2026-12-03T08:00:00Z", "Survey");
  Answer(200, task);
  Answer(200, Patched(task, "2026-12-05T08:00:00Z", "2026-12-04T08:00:00Z"));
  ASSERT_EQ(Run({"task", "snooze", "7", "--for", "2d", "--actor", "li.lei"}), kExitOk)
      << err_.str();
  EXPECT_EQ(Targets(), (std::vector<std::string>{"GET /api/v1/tasks/7", "PATCH /api/v1/tasks/7"}));
  EXPECT_EQ(json::parse(log_.requests[1].body),
            (json{{"due_at", "2026-12-05T08:00:00Z"}, {"actor", "li.lei"}}));
  EXPECT_EQ(Header(1, "If-Match"), "\"2\"");
  EXPECT_EQ(out_.str(),
            "task 7 snoozed: due 2026-12-05T08:00:00Z (in 4d), was 2026-12-03T08:00:00Z (in 2d)\n"
            "next reminder in 3d (2026-12-04T08:00:00Z)\n");
}

TEST_F(CliVerbs, SnoozeForAnOverdueTaskCountsFromNow) {
  json task = Task(7, "in_progress", "2026-11-28T08:00:00Z", "Survey");
  Answer(200, task);
  Answer(200, Patched(task, "2026-12-01T14:00:00Z", nullptr));
  ASSERT_EQ(Run({"task", "snooze", "7", "--for", "6h"}), kExitOk) << err_.str();
  EXPECT_EQ(json::parse(log_.requests[1].body), (json{{"due_at", "2026-12-01T14:00:00Z"}}))
      << "no actor known: none sent";
  EXPECT_EQ(out_.str(),
            "task 7 snoozed: due 2026-12-01T14:00:00Z (in 6h), was 2026-11-28T08:00:00Z (overdue "
            "3d)\n"
            "no reminder pending\n");
}

TEST_F(CliVerbs, SnoozeForFromNowRoundsUpToTheSecondAndShowsTheWholeSpan) {
  clock_ = FixedClock(*ParseRfc3339("2026-12-01T08:00:00.406Z"));
  json task = Task(7, "open", "2026-11-28T08:00:00Z", "Survey");
  Answer(200, task);
  Answer(200, Patched(task, "2026-12-02T08:00:01Z", nullptr));
  ASSERT_EQ(Run({"task", "snooze", "7", "--for", "1d"}), kExitOk) << err_.str();
  EXPECT_EQ(json::parse(log_.requests[1].body)["due_at"], "2026-12-02T08:00:01Z");
  EXPECT_EQ(out_.str().rfind("task 7 snoozed: due 2026-12-02T08:00:01Z (in 1d)", 0), 0u)
      << out_.str();
}

TEST_F(CliVerbs, SnoozeUntilSetsTheDeadlineAndPrintsJsonOnRequest) {
  json task = Task(7, "open", "2026-12-03T08:00:00Z", "Survey");
  Answer(200, task);
  Answer(200, Patched(task, "2026-12-10T10:00:00Z", nullptr));
  ASSERT_EQ(Run({"task", "snooze", "7", "--until", "2026-12-10T18:00:00+08:00", "-o", "json"}),
            kExitOk);
  EXPECT_EQ(json::parse(log_.requests[1].body)["due_at"], "2026-12-10T10:00:00Z");
  EXPECT_EQ(json::parse(out_.str())["due_at"], "2026-12-10T10:00:00Z");
}

TEST_F(CliVerbs, SnoozeNeedsExactlyOneOfUntilAndFor) {
  EXPECT_EQ(Run({"task", "snooze", "7"}), kExitUsage);
  EXPECT_EQ(Run({"task", "snooze", "7", "--for", "2d", "--until", "2026-12-10T10:00:00Z"}),
            kExitUsage);
  EXPECT_EQ(Run({"task", "snooze", "7", "--until", "tomorrow"}), kExitUsage);
  EXPECT_EQ(Run({"task", "snooze", "7", "--for", "-2d"}), kExitUsage);
  EXPECT_TRUE(log_.requests.empty());
}

TEST_F(CliVerbs, SnoozeOfAStaleTaskShowsTheConflict) {
  Answer(200, Task(7, "open", "2026-12-03T08:00:00Z", "Survey"));
  Answer(412,
         {{"error", {{"code", "version_mismatch"}, {"message", "task 7 is at version 3, not 2"}}}});
  EXPECT_EQ(Run({"task", "snooze", "7", "--for", "1d"}), kExitApiError);
  EXPECT_EQ(err_.str(), "kaizenctl: task 7 is at version 3, not 2 (version_mismatch)\n");
}

// ---- plan create / cancel ----------------------------------------------------------------------

json NewPlan() {
  return {{"id", 9},
          {"title", "Ops review 2026-12"},
          {"kind", "review"},
          {"state", "active"},
          {"owner", "wang.fang"},
          {"team", "ops"},
          {"tasks", {Task(31, "open", "2026-12-03T08:00:00Z", "Collect the numbers")}}};
}

TEST_F(CliVerbs, PlanCreateFromATemplate) {
  env_["KAIZEN_ACTOR"] = "wang.fang";
  Answer(201, NewPlan());
  ASSERT_EQ(Run({"plan", "create", "--template", "monthly-ops", "--team", "ops", "--start",
                 "2026-12-01T01:00:00Z", "--owner", "li.lei"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{"POST /api/v1/plans"});
  EXPECT_EQ(json::parse(log_.requests[0].body), (json{{"template", "monthly-ops"},
                                                      {"team", "ops"},
                                                      {"start", "2026-12-01T01:00:00Z"},
                                                      {"owner", "li.lei"},
                                                      {"actor", "wang.fang"}}));
  EXPECT_EQ(out_.str().rfind("plan 9 created\n\nPlan 9: Ops review 2026-12\n", 0), 0u)
      << out_.str();
  EXPECT_NE(out_.str().find("Collect the numbers"), std::string::npos);
}

TEST_F(CliVerbs, PlanCreateStartDateIsMidnightInTheTeamsZone) {
  Answer(200, {{"items",
                {{{"id", "support"}, {"name", "Support"}, {"time_zone", "Europe/Berlin"}},
                 {{"id", "ops"}, {"name", "Ops"}, {"time_zone", "Asia/Shanghai"}}}}});
  Answer(201, NewPlan());
  ASSERT_EQ(Run({"plan", "create", "--template", "monthly-ops", "--team", "ops", "--start",
                 "2026-12-01"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(Targets(), (std::vector<std::string>{"GET /api/v1/teams", "POST /api/v1/plans"}));
  EXPECT_EQ(json::parse(log_.requests[1].body)["start"], "2026-11-30T16:00:00Z");

  Answer(200, {{"items", json::array()}});
  EXPECT_EQ(Run({"plan", "create", "--template", "t", "--team", "nobody", "--start", "2026-12-01"}),
            kExitApiError);
  EXPECT_EQ(Run({"plan", "create", "--template", "t", "--team", "ops", "--start", "12/01"}),
            kExitUsage);
}

TEST_F(CliVerbs, PlanCreateFromAFileSendsItsBody) {
  json plan = {{"title", "Raise satisfaction"},
               {"owner", "wang.fang"},
               {"team", "ops"},
               {"tasks", json::array()}};
  std::string file = dir_.Write("plan.json", plan.dump());
  Answer(201, NewPlan());
  ASSERT_EQ(Run({"plan", "create", "-f", file, "-o", "json"}), kExitOk) << err_.str();
  EXPECT_EQ(json::parse(log_.requests[0].body), plan);
  EXPECT_EQ(json::parse(out_.str())["id"], 9);

  EXPECT_EQ(Run({"plan", "create", "-f", dir_.Write("list.json", "[1]")}), kExitUsage);
  EXPECT_EQ(Run({"plan", "create", "-f", file, "--team", "ops"}), kExitUsage);
  EXPECT_EQ(Run({"plan", "create", "--template", "monthly-ops"}), kExitUsage);
  EXPECT_NE(err_.str().find("needs --team"), std::string::npos) << err_.str();
  EXPECT_EQ(Run({"plan", "create"}), kExitUsage);
  EXPECT_EQ(log_.requests.size(), 1u);
}

TEST_F(CliVerbs, PlanCancelNeedsANoteAndSaysWhatItCancelled) {
  EXPECT_EQ(Run({"plan", "cancel", "9"}), kExitUsage);
  json cancelled = NewPlan();
  cancelled["state"] = "cancelled";
  cancelled["tasks"] = {Task(31, "cancelled", "2026-12-03T08:00:00Z", "a"),
                        Task(32, "done", "2026-11-03T08:00:00Z", "b")};
  Answer(200, cancelled);
  ASSERT_EQ(Run({"plan", "cancel", "9", "--note", "merged into plan 10", "--actor", "wang.fang"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{"POST /api/v1/plans/9/cancel"});
  EXPECT_EQ(json::parse(log_.requests[0].body),
            (json{{"note", "merged into plan 10"}, {"actor", "wang.fang"}}));
  EXPECT_EQ(out_.str(), "plan 9 is now cancelled (1 task(s) cancelled): Ops review 2026-12\n");
}

// ---- notifications -----------------------------------------------------------------------------

json Notification(int id, std::string state, json last_error, json next_attempt) {
  return {{"id", id},
          {"idempotency_key", "k" + std::to_string(id)},
          {"channel", "ops-chat"},
          {"kind", "reminder"},
          {"state", state},
          {"task_id", 7},
          {"plan_id", 1},
          {"recipient", {{"kind", "person"}, {"id", "li.lei"}, {"name", "Li Lei"}}},
          {"attempts", 3},
          {"created_at", "2026-12-01T07:55:00Z"},
          {"updated_at", "2026-12-01T07:59:00Z"},
          {"next_attempt_at", next_attempt},
          {"delivered_at", state == "delivered" ? json("2026-12-01T07:56:00Z") : json()},
          {"last_error", last_error}};
}

TEST_F(CliVerbs, NotificationsListFiltersAndShowsWhatWaitsAndWhatFailed) {
  Answer(200, {{"items",
                {Notification(1, "delivered", nullptr, nullptr),
                 Notification(2, "failed", "HTTP 502", "2026-12-01T08:00:30Z"),
                 Notification(3, "dead", "HTTP 404 from the provider", nullptr)}},
               {"next_cursor", nullptr}});
  ASSERT_EQ(Run({"notifications", "--state", "failed", "--channel", "ops-chat", "--task", "7"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{"GET /api/v1/notifications?state=failed&task=7&"
                                                "channel=ops-chat&limit=500"});
  EXPECT_EQ(out_.str(),
            "ID  STATE      CHANNEL   KIND      TO      TASK  TRIES  CREATED  NEXT / ERROR\n"
            " 1  delivered  ops-chat  reminder  Li Lei     7      3  5m ago   delivered 4m ago\n"
            " 2  failed     ops-chat  reminder  Li Lei     7      3  5m ago   retry in 30s: HTTP "
            "502\n"
            " 3  dead       ops-chat  reminder  Li Lei     7      3  5m ago   HTTP 404 from the "
            "provider\n");

  EmptyList();
  ASSERT_EQ(Run({"notifications", "list", "-o", "json"}), kExitOk);
  EXPECT_EQ(json::parse(out_.str())["items"], json::array());
  EXPECT_EQ(Run({"notifications", "--state", "lost"}), kExitUsage);
}

TEST_F(CliVerbs, NotificationsRetrySendsAnEmptyPost) {
  Answer(200, Notification(3, "pending", nullptr, "2026-12-01T08:00:00Z"));
  ASSERT_EQ(Run({"notifications", "retry", "3"}), kExitOk) << err_.str();
  EXPECT_EQ(Targets(), std::vector<std::string>{"POST /api/v1/notifications/3/retry"});
  EXPECT_EQ(log_.requests[0].body, "");
  EXPECT_EQ(out_.str(),
            "notification 3 is pending again: channel ops-chat, attempts counted from 0\n");

  Answer(409, {{"error",
                {{"code", "notification_not_retryable"},
                 {"message",
                  "notification 1 is delivered; only dead or failed notifications "
                  "can be retried"}}}});
  EXPECT_EQ(Run({"notifications", "retry", "1"}), kExitApiError);
}

// ---- Local commands ----------------------------------------------------------------------------

TEST_F(CliVerbs, CheckConfigValidatesLocallyAndExitsTwoWhenInvalid) {
  const std::string example = std::string(KAIZEN_SOURCE_DIR) + "/examples/kaizen.json";
  ASSERT_EQ(Run({"check-config", example}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), example + ": ok\n");

  std::string bad = dir_.Write("kaizen.json", R"({"server": {"port": "eighty"}, "colour": 1})");
  EXPECT_EQ(Run({"check-config", bad}), kExitUsage);
  EXPECT_EQ(out_.str(), "");
  EXPECT_NE(err_.str().find(bad + ": colour: unknown field"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find(bad + ": server.port"), std::string::npos) << err_.str();

  EXPECT_EQ(Run({"check-config", dir_.path() + "/none.json"}), kExitUsage);
  EXPECT_TRUE(log_.requests.empty()) << "nothing goes to kaizend";
}

TEST_F(CliVerbs, CompletionMentionsEveryVerbSubverbAndOption) {
  ASSERT_EQ(Run({"completion", "bash"}), kExitOk);
  const std::string script = out_.str();
  EXPECT_NE(script.find("complete -F _kaizenctl kaizenctl"), std::string::npos);
  for (const CommandSpec& c : Commands()) {
    std::string name(c.name);
    std::size_t space = name.find(' ');
    EXPECT_NE(script.find(name.substr(0, space)), std::string::npos) << name;
    if (space != std::string::npos) {
      EXPECT_NE(script.find(name.substr(space + 1)), std::string::npos) << name;
    }
    for (const OptionSpec& o : c.options) {
      EXPECT_NE(script.find("--" + std::string(o.name)), std::string::npos) << name;
    }
  }
  for (const OptionSpec& o : GlobalOptions()) {
    EXPECT_NE(script.find("--" + std::string(o.name)), std::string::npos) << o.name;
  }
  EXPECT_EQ(Run({"completion", "zsh"}), kExitUsage);
}

TEST_F(CliVerbs, ShippedCompletionFileMatchesTheCommandTable) {
  std::ifstream in(std::string(KAIZEN_SOURCE_DIR) + "/cli/completion/kaizenctl.bash");
  ASSERT_TRUE(in) << "cli/completion/kaizenctl.bash is missing";
  std::stringstream shipped;
  shipped << in.rdbuf();
  EXPECT_EQ(shipped.str(), BashCompletion())
      << "regenerate it: build/release/cli/kaizenctl completion bash > "
         "cli/completion/kaizenctl.bash";
}

TEST_F(CliVerbs, AGroupsHelpListsItsSubcommands) {
  ASSERT_EQ(Run({"plan", "--help"}), kExitOk);
  EXPECT_EQ(out_.str(),
            "Usage: kaizenctl plan SUBCOMMAND [ARGS] [OPTIONS]\n"
            "\n"
            "  plan show ID    a plan with its goals and tasks\n"
            "  plan create     make a plan from a template, or from a JSON file\n"
            "  plan cancel ID  cancel a plan and its unfinished tasks\n"
            "  plan report ID  a plan's report: tasks by state, on time, overdue, goals\n"
            "  plan close ID   close a plan: freeze its report and post the summary\n"
            "\n"
            "'kaizenctl plan SUBCOMMAND --help' tells more about one.\n");
  ASSERT_EQ(Run({"help", "notifications"}), kExitOk);
  EXPECT_EQ(out_.str().rfind("Usage: kaizenctl notifications list", 0), 0u)
      << "a group with a list: its help is the list's";
}

TEST_F(CliVerbs, EveryCommandHasItsOwnHelp) {
  for (const CommandSpec& c : Commands()) {
    std::vector<std::string> args;
    std::string name(c.name);
    std::size_t space = name.find(' ');
    args.push_back(name.substr(0, space));
    if (space != std::string::npos) args.push_back(name.substr(space + 1));
    args.push_back("--help");
    EXPECT_EQ(Run(args), kExitOk) << name;
    EXPECT_EQ(out_.str().rfind("Usage: kaizenctl " + name, 0), 0u) << out_.str();
  }
  EXPECT_TRUE(log_.requests.empty());
}

}  // namespace
}  // namespace kaizen::cli
