// kaizenctl against a running kaizend, as a team member and a manager use it from a shell:
// list, show, move, snooze, plans from templates, the outbox, machine-readable output, the
// config file, and exit codes a script can rely on (0 ok, 1 the API refused, 2 usage or an
// invalid config, 3 no server, 5 not allowed).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.h"

#ifndef KAIZENCTL_PATH
#error "KAIZENCTL_PATH must name the kaizenctl executable"
#endif

namespace kaizen::testing {
namespace {

using nlohmann::json;

class Kaizenctl : public DaemonTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(DaemonTest::SetUp());
    json body = PlanBody("Shorten first response time");
    body["tasks"] = {
        TaskBody("measure", "Measure response times", "han.meimei", "2099-03-01T09:00:00Z"),
        TaskBody("staff", "Add a second shift", "zhang.wei", "2020-03-01T09:00:00Z")};
    json plan = CreatePlan(body);
    ASSERT_FALSE(plan.is_null());
    measure_ = plan["tasks"][0]["id"].get<std::int64_t>();
    staff_ = plan["tasks"][1]["id"].get<std::int64_t>();
  }

  std::string Server() const { return "http://127.0.0.1:" + std::to_string(daemon_.port()); }

  ProgramResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {KAIZENCTL_PATH, "--server", Server()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCtl(argv);
  }

  // The config folder kaizenctl reads in these tests ($XDG_CONFIG_HOME): the user's own
  // settings and environment must not leak in.
  std::filesystem::path ConfigHome() const { return daemon_.dir() / "ctl-config"; }

  ProgramResult RunCtl(const std::vector<std::string>& command) {
    std::vector<std::string> argv = {"/usr/bin/env",  "-u",
                                     "KAIZEN_SERVER", "-u",
                                     "KAIZEN_TOKEN",  "-u",
                                     "KAIZEN_ACTOR",  "-u",
                                     "KAIZEN_CONFIG", "XDG_CONFIG_HOME=" + ConfigHome().string()};
    argv.insert(argv.end(), command.begin(), command.end());
    auto result = RunProgram(argv, daemon_.dir(), std::chrono::seconds(20));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    EXPECT_FALSE(result->timed_out) << "kaizenctl did not finish";
    return *result;
  }

  std::int64_t measure_ = 0;
  std::int64_t staff_ = 0;
};

TEST_F(Kaizenctl, TasksListsTitlesOwnersAndStates) {
  ProgramResult run = Ctl({"tasks"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Measure response times"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Add a second shift"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("han.meimei"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("open"), std::string::npos) << run.out;

  ProgramResult mine = Ctl({"tasks", "--owner", "zhang.wei"});
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_NE(mine.out.find("Add a second shift"), std::string::npos) << mine.out;
  EXPECT_EQ(mine.out.find("Measure response times"), std::string::npos) << mine.out;

  ProgramResult late = Ctl({"tasks", "--overdue"});
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_NE(late.out.find("Add a second shift"), std::string::npos) << late.out;
  EXPECT_EQ(late.out.find("Measure response times"), std::string::npos) << late.out;
}

TEST_F(Kaizenctl, JsonOutputIsMachineReadable) {
  ProgramResult run = Ctl({"-o", "json", "tasks"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json parsed = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << "not JSON: " << run.out;
  const json& items = parsed.is_array() ? parsed : parsed["items"];
  ASSERT_TRUE(items.is_array()) << run.out;
  std::set<std::int64_t> ids;
  for (const auto& item : items) ids.insert(item["id"].get<std::int64_t>());
  EXPECT_EQ(ids, (std::set{measure_, staff_}));

  ProgramResult show = Ctl({"task", "show", std::to_string(measure_), "-o", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json task = json::parse(show.out, nullptr, false);
  ASSERT_FALSE(task.is_discarded()) << "not JSON: " << show.out;
  EXPECT_NE(show.out.find("\"Measure response times\""), std::string::npos) << show.out;
}

TEST_F(Kaizenctl, TaskShowPrintsFieldsAndHistory) {
  ProgramResult run = Ctl({"task", "show", std::to_string(measure_)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Measure response times"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("han.meimei"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("the reviewer can see it"), std::string::npos) << "criterion: " << run.out;
  EXPECT_NE(run.out.find("created"), std::string::npos) << "history: " << run.out;
}

TEST_F(Kaizenctl, TaskStartMovesTheTaskAsTheActor) {
  ProgramResult run = Ctl({"task", "start", std::to_string(measure_), "--actor", "han.meimei"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json task = GetTask(measure_);
  EXPECT_EQ(task["state"], "in_progress");
  HttpResponse events = Get("/api/v1/tasks/" + std::to_string(measure_) + "/events");
  ASSERT_EQ(events.json["items"].size(), 2u) << events.body;
  EXPECT_EQ(events.json["items"][1]["actor"], "han.meimei");

  ProgramResult done =
      Ctl({"task", "done", std::to_string(measure_), "--actor", "han.meimei", "--note", "p90 4h"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(GetTask(measure_)["state"], "done");
}

TEST_F(Kaizenctl, ApiRefusalExitsWith1AndSaysWhy) {
  ProgramResult verify = Ctl({"task", "verify", std::to_string(measure_), "--actor", "li.lei"});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_FALSE(verify.err.empty()) << "a refusal explains itself on stderr";
  EXPECT_EQ(GetTask(measure_)["state"], "open");

  ProgramResult missing = Ctl({"task", "show", "999999"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_FALSE(missing.err.empty());
}

TEST_F(Kaizenctl, NoServerExitsWith3) {
  // A port nobody listens on: bound, then released.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  const std::string server = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  ProgramResult run = RunCtl({KAIZENCTL_PATH, "--server", server, "tasks"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find("127.0.0.1"), std::string::npos) << "names the server: " << run.err;
}

json ParseJson(const ProgramResult& run) {
  json parsed = json::parse(run.out, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << "not JSON: " << run.out;
  return parsed;
}

TEST_F(Kaizenctl, TasksJsonHoldsTheCommittedValuesAndFiltersByOwnerAndDeadline) {
  json all = ParseJson(Ctl({"tasks", "-o", "json"}));
  ASSERT_EQ(all["items"].size(), 2u) << all.dump();
  const json& measure = all["items"][0];
  EXPECT_EQ(measure["id"], measure_);
  EXPECT_EQ(measure["title"], "Measure response times");
  EXPECT_EQ(measure["owner"], "han.meimei");
  EXPECT_EQ(measure["due_at"], "2099-03-01T09:00:00Z");
  EXPECT_EQ(measure["state"], "open");
  EXPECT_EQ(all["items"][1]["overdue"], true);

  json mine = ParseJson(Ctl({"tasks", "--mine", "--actor", "zhang.wei", "-o", "json"}));
  ASSERT_EQ(mine["items"].size(), 1u) << mine.dump();
  EXPECT_EQ(mine["items"][0]["id"], staff_);

  // Nothing is due within a week: one deadline is long past, the other far ahead.
  ProgramResult soon = Ctl({"tasks", "--due-within", "7d"});
  ASSERT_EQ(soon.exit_code, 0) << soon.err;
  EXPECT_EQ(soon.out, "no tasks\n");

  ProgramResult wide = Ctl({"tasks", "-o", "wide", "--owner", "zhang.wei"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_NE(wide.out.find("DUE AT"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("2020-03-01T09:00:00Z"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("overdue"), std::string::npos) << wide.out;
  EXPECT_EQ(wide.out.find('\x1b'), std::string::npos) << "no colours into a pipe";
}

TEST_F(Kaizenctl, PlansAsATableAndAsJson) {
  ProgramResult table = Ctl({"plans"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("ID  STATE   OWNER   TEAM  DONE  OVERDUE  TITLE\n", 0), 0u)
      << table.out;
  EXPECT_NE(table.out.find("active  li.lei  ops    0/2        1  Shorten first response time"),
            std::string::npos)
      << table.out;

  json plans = ParseJson(Ctl({"plans", "-o", "json"}));
  ASSERT_EQ(plans["items"].size(), 1u) << plans.dump();
  EXPECT_EQ(plans["items"][0]["title"], "Shorten first response time");
  EXPECT_EQ(plans["items"][0]["progress"]["total"], 2);
  EXPECT_EQ(plans["items"][0]["progress"]["overdue"], 1);
}

TEST_F(Kaizenctl, TaskSnoozeMovesTheDeadline) {
  json snoozed = ParseJson(Ctl({"task", "snooze", std::to_string(measure_), "--for", "2d",
                                "--actor", "han.meimei", "-o", "json"}));
  EXPECT_EQ(snoozed["due_at"], "2099-03-03T09:00:00Z");
  EXPECT_EQ(GetTask(measure_)["due_at"], "2099-03-03T09:00:00Z");
  HttpResponse events = Get("/api/v1/tasks/" + std::to_string(measure_) + "/events");
  ASSERT_EQ(events.json["items"].size(), 2u) << events.body;
  EXPECT_EQ(events.json["items"][1]["actor"], "han.meimei");

  ProgramResult until = Ctl({"task", "snooze", std::to_string(staff_), "--until",
                             "2099-06-01T18:00:00+08:00", "--actor", "zhang.wei"});
  ASSERT_EQ(until.exit_code, 0) << until.err;
  EXPECT_EQ(until.out.rfind(
                "task " + std::to_string(staff_) + " snoozed: due 2099-06-01T10:00:00Z (in ", 0),
            0u)
      << until.out;
  EXPECT_NE(until.out.find("was 2020-03-01T09:00:00Z (overdue "), std::string::npos) << until.out;
  json staff = GetTask(staff_);
  EXPECT_EQ(staff["due_at"], "2099-06-01T10:00:00Z");
  EXPECT_EQ(staff["overdue"], false);

  ProgramResult finished =
      Ctl({"task", "cancel", std::to_string(staff_), "--actor", "li.lei", "--note", "no budget"});
  ASSERT_EQ(finished.exit_code, 0) << finished.err;
  ProgramResult refused = Ctl({"task", "snooze", std::to_string(staff_), "--for", "1d"});
  EXPECT_EQ(refused.exit_code, 1) << "a cancelled task keeps its deadline: " << refused.out;
}

TEST_F(Kaizenctl, PlanCancelAndPlanCreateFromAFile) {
  const std::filesystem::path file = daemon_.dir() / "plan.json";
  json body = PlanBody("Cut escalations by half");
  body["tasks"] = {
      TaskBody("audit", "Audit last month's escalations", "li.lei", "2099-01-15T09:00:00Z")};
  std::ofstream(file) << body.dump();
  json created = ParseJson(Ctl({"plan", "create", "-f", file.string(), "-o", "json"}));
  ASSERT_TRUE(created["id"].is_number_integer()) << created.dump();
  const std::string id = std::to_string(created["id"].get<std::int64_t>());
  HttpResponse stored = Get("/api/v1/plans/" + id);
  EXPECT_EQ(stored.json["title"], "Cut escalations by half");
  EXPECT_EQ(stored.json["tasks"][0]["title"], "Audit last month's escalations");

  ProgramResult cancel =
      Ctl({"plan", "cancel", id, "--note", "merged into the next quarter", "--actor", "li.lei"});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_EQ(cancel.out,
            "plan " + id + " is now cancelled (1 task(s) cancelled): Cut escalations by half\n");
  EXPECT_EQ(Get("/api/v1/plans/" + id).json["state"], "cancelled");
}

TEST_F(Kaizenctl, NotificationsListTheOutboxAsATableAndAsJson) {
  // Done asks the reviewer to verify: one notification in the outbox.
  ASSERT_TRUE(HasStatus(Transition(measure_, "in_progress", "han.meimei"), 200));
  ASSERT_TRUE(HasStatus(Transition(measure_, "done", "han.meimei"), 200));
  json outbox;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    outbox = Get("/api/v1/notifications?task=" + std::to_string(measure_)).json["items"];
    if (outbox.is_array() && !outbox.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(outbox.is_array() && !outbox.empty()) << "no notification for the done task";
  const std::string id = outbox[0]["id"].dump();

  json listed =
      ParseJson(Ctl({"notifications", "list", "--task", std::to_string(measure_), "-o", "json"}));
  ASSERT_FALSE(listed["items"].empty()) << listed.dump();
  EXPECT_EQ(listed["items"][0]["id"], outbox[0]["id"]);
  EXPECT_EQ(listed["items"][0]["kind"], outbox[0]["kind"]);
  EXPECT_EQ(listed["items"][0]["channel"], outbox[0]["channel"]);

  ProgramResult table = Ctl({"notifications", "--task", std::to_string(measure_)});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out.rfind("ID  STATE", 0), 0u) << table.out;
  EXPECT_NE(table.out.find(outbox[0]["kind"].get<std::string>()), std::string::npos) << table.out;
  EXPECT_NE(table.out.find(outbox[0]["channel"].get<std::string>()), std::string::npos)
      << table.out;

  ProgramResult bad_state = Ctl({"notifications", "--state", "lost"});
  EXPECT_EQ(bad_state.exit_code, 2);
  ProgramResult missing = Ctl({"notifications", "retry", "999999"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
}

TEST_F(Kaizenctl, ConfigFileGivesServerAndActor) {
  std::filesystem::create_directories(ConfigHome() / "kaizen");
  const std::filesystem::path file = ConfigHome() / "kaizen" / "kaizenctl.json";
  std::ofstream(file) << json{
      {"server", Server()},
      {"actor", "zhang.wei"},
      {"token", "t0ken"}}.dump();
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // No --server and no --actor: both from the file.
  ProgramResult mine = RunCtl({KAIZENCTL_PATH, "tasks", "--mine", "-o", "json"});
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_EQ(mine.err, "") << "a private file holding a token earns no warning";
  json parsed = ParseJson(mine);
  ASSERT_EQ(parsed["items"].size(), 1u) << mine.out;
  EXPECT_EQ(parsed["items"][0]["id"], staff_);

  std::filesystem::permissions(
      file, std::filesystem::perms::group_read | std::filesystem::perms::others_read,
      std::filesystem::perm_options::add);
  ProgramResult open = RunCtl({KAIZENCTL_PATH, "tasks", "--mine"});
  ASSERT_EQ(open.exit_code, 0) << open.err;
  EXPECT_NE(open.err.find("holds a token and others may read it (mode 0644)"), std::string::npos)
      << open.err;
  EXPECT_EQ(open.err.find("t0ken"), std::string::npos) << "the token is never printed";
}

TEST_F(Kaizenctl, CheckConfigValidatesTheDaemonsConfigLocally) {
  ProgramResult ok = RunCtl({KAIZENCTL_PATH, "check-config", daemon_.config_path().string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, daemon_.config_path().string() + ": ok\n");

  const std::filesystem::path bad = daemon_.dir() / "bad.json";
  std::ofstream(bad) << R"({"teams": [{"id": "ops", "name": "Ops", "time_zone": "Mars/Olympus"}]})";
  ProgramResult invalid = RunCtl({KAIZENCTL_PATH, "check-config", bad.string()});
  EXPECT_EQ(invalid.exit_code, 2) << invalid.out << invalid.err;
  EXPECT_NE(invalid.err.find("Mars/Olympus"), std::string::npos) << invalid.err;
}

// A config with a plan template, for plan create --template.
json TemplateConfig() {
  json config = DefaultDirectoryConfig();
  config["storage"] = {{"path", "kaizen.db"}};
  config["teams"][0]["roles"] = {{"team_lead", "li.lei"}};
  config["templates"] = json::array({{{"id", "quarterly-check"},
                                      {"title", "Self-check {year} Q{quarter}"},
                                      {"kind", "self_check"},
                                      {"owner", "wang.fang"},
                                      {"tasks",
                                       {{{"key", "goals"},
                                         {"title", "Review the goals"},
                                         {"owner", {{"role", "team_lead"}}},
                                         {"deadline", {{"after", "P3D"}}}}}}}});
  return config;
}

class KaizenctlTemplates : public ::testing::Test {
 protected:
  KaizenctlTemplates() : daemon_(DaemonOptions{TemplateConfig(), {}}) {}

  void SetUp() override {
    const Status started = daemon_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  ProgramResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "-u",
                                     "KAIZEN_TOKEN",
                                     "-u",
                                     "KAIZEN_CONFIG",
                                     "-u",
                                     "KAIZEN_ACTOR",
                                     "XDG_CONFIG_HOME=" + daemon_.dir().string(),
                                     KAIZENCTL_PATH,
                                     "--server",
                                     "http://127.0.0.1:" + std::to_string(daemon_.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = RunProgram(argv, daemon_.dir(), std::chrono::seconds(20));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    EXPECT_FALSE(result->timed_out) << "kaizenctl did not finish";
    return *result;
  }

  DaemonProcess daemon_;
};

TEST_F(KaizenctlTemplates, PlanCreateFromATemplateAsJsonAndAsATable) {
  // A date starts at midnight in the team's zone: ops works in Asia/Shanghai.
  ProgramResult run = Ctl({"plan", "create", "--template", "quarterly-check", "--team", "ops",
                           "--start", "2026-10-01", "--actor", "wang.fang", "-o", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json plan = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << run.out;
  EXPECT_EQ(plan["title"], "Self-check 2026 Q4");
  EXPECT_EQ(plan["team"], "ops");
  EXPECT_EQ(plan["owner"], "wang.fang");
  ASSERT_EQ(plan["tasks"].size(), 1u);
  EXPECT_EQ(plan["tasks"][0]["owner"], "li.lei");
  EXPECT_EQ(plan["tasks"][0]["due_at"], "2026-10-03T16:00:00Z") << "3 days after Shanghai midnight";

  ProgramResult table = Ctl({"plan", "create", "--template", "quarterly-check", "--team", "ops",
                             "--start", "2027-01-01T09:00:00+08:00", "--owner", "li.lei"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find(" created\n\nPlan "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Self-check 2027 Q1"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("Review the goals"), std::string::npos) << table.out;

  ProgramResult unknown = Ctl({"plan", "create", "--template", "nope", "--team", "ops"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.out;
  EXPECT_NE(unknown.err.find("unknown_template"), std::string::npos) << unknown.err;
}

}  // namespace
}  // namespace kaizen::testing
