// Reloading the config end to end: the real kaizend, its config file edited and SIGHUP sent, as
// `systemctl reload kaizen` does. A valid file takes effect without a restart (people, teams,
// channels, policies) while every request keeps being answered; a broken one is refused with
// its problem in the log and the daemon goes on with the config it had. Every wait is bounded.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "tests/integration/daemon_fixture.h"
#include "tests/integration/webhook_sink.h"
#include "workflow/time.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Asks for GET /api/v1/people (read from the config's directory, which a reload replaces) over
// and over from its own thread and connection until finished, counting the answers that were
// not 200: a reload must not interrupt the service.
class ServiceProbe {
 public:
  explicit ServiceProbe(const DaemonProcess& daemon)
      : client_(daemon.Client()), thread_([this] { Loop(); }) {}
  ~ServiceProbe() { Finish(); }

  void Finish() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int answered() const { return answered_; }
  int failed() const { return failed_; }

 private:
  void Loop() {
    while (!done_) {
      auto response = client_->Request("GET", "/api/v1/people", "");
      if (response.ok() && response->status == 200) {
        ++answered_;
      } else {
        ++failed_;
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
  }

  std::unique_ptr<HttpClient> client_;
  std::atomic<bool> done_{false};
  std::atomic<int> answered_{0};
  std::atomic<int> failed_{0};
  std::thread thread_;
};

class ConfigReload : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
    if (daemon_ && daemon_->running()) {
      EXPECT_EQ(daemon_->Stop(), 0);
    }
  }

  // The directory of every integration test; ops' notifications go to the webhook ops-hook; the
  // default policy sends nothing at all, not even at the deadline.
  json InitialConfig() {
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["policies"] = {{"silent", {{"at_deadline", false}}}};
    config["reminders"] = {{"default_policy", "silent"}};
    config["channels"] = {{"ops-hook", {{"type", "webhook"}, {"url", hook_.Url("/hooks/ops")}}}};
    config["delivery"] = {{"group_window_ms", 0}};
    for (json& team : config["teams"]) {
      if (team["id"] == "ops") team["channels"] = {"ops-hook"};
    }
    return config;
  }

  void WriteConfig(const json& config) {
    std::ofstream(daemon_->config_path(), std::ios::trunc) << config.dump(2) << "\n";
  }
  void WriteConfigText(const std::string& text) {
    std::ofstream(daemon_->config_path(), std::ios::trunc) << text;
  }

  void StartDaemon() {
    daemon_ = std::make_unique<DaemonProcess>();
    std::filesystem::create_directories(daemon_->dir());
    WriteConfig(InitialConfig());
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "") {
    auto response = client_->Request(method, target, body);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  void SendSighup() { ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0); }

  // Waits (10 s at most) until the log holds `text` `count` times.
  bool LogSays(std::string_view text, int count = 1) {
    const auto deadline = Clock::now() + seconds(10);
    while (Clock::now() < deadline) {
      const std::string log = daemon_->StderrText();
      int found = 0;
      for (std::size_t at = log.find(text); at != std::string::npos;
           at = log.find(text, at + text.size())) {
        ++found;
      }
      if (found >= count) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  static bool ListHas(const json& items, std::string_view id) {
    return std::any_of(items.begin(), items.end(),
                       [&](const json& item) { return item.value("id", "") == id; });
  }

  json Teams() {
    HttpResponse r = Call("GET", "/api/v1/teams");
    EXPECT_TRUE(HasStatus(r, 200));
    return r.json.is_object() && r.json.contains("items") ? r.json["items"] : r.json;
  }
  json People() {
    HttpResponse r = Call("GET", "/api/v1/people");
    EXPECT_TRUE(HasStatus(r, 200));
    return r.json.is_object() && r.json.contains("items") ? r.json["items"] : r.json;
  }

  // A plan of `owner` in `team` with one task of theirs due `due_in` from now.
  void CreatePlanWithTaskDueIn(std::string team, std::string owner, milliseconds due_in) {
    json body = PlanBody("Reload drill " + team);
    body["team"] = team;
    body["owner"] = owner;
    body["actor"] = owner;
    const std::string due = FormatRfc3339(
        std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()) + due_in);
    body["tasks"] = {TaskBody("a", "Collect tickets", owner, due)};
    ASSERT_TRUE(HasStatus(Call("POST", "/api/v1/plans", body.dump()), 201));
  }

  bool HookGotOn(std::string_view path, milliseconds timeout) {
    return hook_.WaitFor(
        [path](const std::vector<SinkRequest>& requests) {
          return std::any_of(requests.begin(), requests.end(),
                             [path](const SinkRequest& r) { return r.request.target == path; });
        },
        timeout);
  }

  WebhookSink hook_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ConfigReload, AValidConfigAppliesWithoutARestartAndTheServiceNeverStops) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const pid_t pid = daemon_->pid();
  // Planned under the silent policy: nothing at its deadline.
  ASSERT_NO_FATAL_FAILURE(CreatePlanWithTaskDueIn("ops", "li.lei", seconds(6)));

  json next = InitialConfig();
  next["teams"].push_back(
      {{"id", "qa"}, {"name", "Quality"}, {"time_zone", "UTC"}, {"channels", {"qa-hook"}}});
  next["people"].push_back({{"id", "chen.jie"}, {"name", "Chen Jie"}, {"team", "qa"}});
  next["channels"]["qa-hook"] = {{"type", "webhook"}, {"url", hook_.Url("/hooks/qa")}};
  next["policies"]["loud"] = {{"at_deadline", true}};
  next["reminders"]["default_policy"] = "loud";
  WriteConfig(next);

  ServiceProbe probe(*daemon_);
  std::this_thread::sleep_for(milliseconds(50));  // the probe is under way before the signal
  ASSERT_NO_FATAL_FAILURE(SendSighup());
  ASSERT_TRUE(LogSays("config reloaded from")) << "no reload in the log";
  std::this_thread::sleep_for(milliseconds(50));
  probe.Finish();
  EXPECT_EQ(probe.failed(), 0) << "requests failed around the reload";
  EXPECT_GT(probe.answered(), 0);
  EXPECT_TRUE(daemon_->running());
  EXPECT_EQ(daemon_->pid(), pid);

  EXPECT_TRUE(ListHas(Teams(), "qa")) << Teams().dump();
  EXPECT_TRUE(ListHas(People(), "chen.jie")) << People().dump();

  // A plan of the new team reminds on the new channel.
  ASSERT_NO_FATAL_FAILURE(CreatePlanWithTaskDueIn("qa", "chen.jie", seconds(1)));
  EXPECT_TRUE(HookGotOn("/hooks/qa", seconds(15))) << "no reminder reached the new channel";
  // The task planned before the reload follows the new default policy too: the reload planned
  // every task's reminders again.
  EXPECT_TRUE(HookGotOn("/hooks/ops", seconds(15)))
      << "the task planned before the reload got no reminder at its deadline";
  const std::string log = daemon_->StderrText();
  EXPECT_NE(log.find("planned the reminders of"), std::string::npos) << log;
  EXPECT_EQ(log.find("needs a restart"), std::string::npos) << log;
}

TEST_F(ConfigReload, ABrokenConfigIsRefusedWithItsReasonAndTheOldOneKeepsRunning) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  const pid_t pid = daemon_->pid();

  // A person in a team that does not exist.
  json broken = InitialConfig();
  broken["people"].push_back({{"id", "chen.jie"}, {"name", "Chen Jie"}, {"team", "qa"}});
  WriteConfig(broken);
  ASSERT_NO_FATAL_FAILURE(SendSighup());
  ASSERT_TRUE(LogSays("config reload refused")) << "the refusal is not in the log";
  std::string log = daemon_->StderrText();
  const std::string source = daemon_->config_path().string();
  EXPECT_NE(log.find(source + ": people[4].team: "), std::string::npos)
      << "the log does not name the file and the field:\n"
      << log;
  EXPECT_NE(log.find("error daemon: config reload: " + source), std::string::npos)
      << "the problem is not logged at error level:\n"
      << log;

  // Still serving, with the old people.
  EXPECT_TRUE(daemon_->running());
  EXPECT_EQ(daemon_->pid(), pid);
  EXPECT_FALSE(ListHas(People(), "chen.jie"));
  EXPECT_TRUE(ListHas(People(), "li.lei"));

  // Not even JSON: refused the same way.
  WriteConfigText("{\"teams\": [");
  ASSERT_NO_FATAL_FAILURE(SendSighup());
  ASSERT_TRUE(LogSays("config reload refused", 2));
  EXPECT_TRUE(HasStatus(Call("GET", "/healthz"), 200));

  // Fixed: the next reload applies it.
  json fixed = broken;
  fixed["teams"].push_back({{"id", "qa"}, {"name", "Quality"}, {"time_zone", "UTC"}});
  WriteConfig(fixed);
  ASSERT_NO_FATAL_FAILURE(SendSighup());
  ASSERT_TRUE(LogSays("config reloaded from"));
  EXPECT_TRUE(ListHas(People(), "chen.jie")) << People().dump();
  EXPECT_TRUE(ListHas(Teams(), "qa")) << Teams().dump();
}

TEST_F(ConfigReload, SettingsThatNeedARestartAreLoggedAndTheRestApplies) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  json next = InitialConfig();
  next["storage"]["path"] = (daemon_->dir() / "elsewhere.db").string();
  next["log"]["format"] = "json";
  next["people"].push_back({{"id", "chen.jie"}, {"name", "Chen Jie"}, {"team", "ops"}});
  WriteConfig(next);
  ASSERT_NO_FATAL_FAILURE(SendSighup());
  ASSERT_TRUE(LogSays("config reloaded from"));
  const std::string log = daemon_->StderrText();
  EXPECT_NE(log.find("storage.path changed from " + daemon_->db_path().string()), std::string::npos)
      << log;
  EXPECT_NE(log.find("log.format changed from text to json: that needs a restart"),
            std::string::npos)
      << log;
  EXPECT_FALSE(std::filesystem::exists(daemon_->dir() / "elsewhere.db"));
  EXPECT_TRUE(ListHas(People(), "chen.jie"));
}

}  // namespace
}  // namespace kaizen::testing
