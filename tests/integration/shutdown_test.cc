// Stopping end to end: the real kaizend with a webhook channel to a local receiver, stopped with
// SIGTERM. Once a message went out over a kept-alive connection, the daemon must still exit 0
// at once; a delivery in flight finishes before the exit, and one that outlasts the grace period
// (10 s) is abandoned, the exit is still 0, and it is sent again after a restart under the
// same key. Every wait is bounded.
#include <gtest/gtest.h>

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

// kaizend's shutdown grace period (DaemonOptions::shutdown_grace).
constexpr seconds kGrace{10};

class ShutdownWithChannels : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  // kaizend whose only route is the webhook channel ops-hook to the receiver; a reminder at
  // each task's deadline. `hook_timeout` is the channel's timeout of one attempt.
  void StartDaemon(std::string hook_timeout = "PT15S") {
    DaemonOptions options;
    options.stop_timeout = kGrace + seconds(10);
    daemon_ = std::make_unique<DaemonProcess>(options);
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["policies"] = {{"deadline", {{"at_deadline", true}}}};
    config["reminders"] = {{"default_policy", "deadline"}};
    config["channels"] = {
        {"ops-hook",
         {{"type", "webhook"}, {"url", hook_.Url("/hooks/kaizen")}, {"timeout", hook_timeout}}}};
    config["delivery"] = {{"group_window_ms", 0}};
    for (json& team : config["teams"]) team["channels"] = {"ops-hook"};
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    Connect();
  }

  void Connect() {
    HttpClientOptions options;
    options.timeout = seconds(30);
    client_ = daemon_->Client(options);
  }

  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "") {
    auto response = client_->Request(method, target, body);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  json Notifications(std::string_view query = "") {
    HttpResponse r = Call("GET", "/api/v1/notifications?limit=500" + std::string(query));
    EXPECT_TRUE(HasStatus(r, 200));
    return r.status == 200 ? r.json["items"] : json::array();
  }

  // The notifications in `state`, once there are `count` of them (15 s at most).
  json WaitForNotifications(std::string_view state, std::size_t count) {
    json found;
    const auto deadline = Clock::now() + seconds(15);
    while (Clock::now() < deadline) {
      found = Notifications("&state=" + std::string(state));
      if (found.size() >= count) break;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return found;
  }

  // A plan with one task of li.lei due in a second: its deadline reminder goes to ops-hook.
  void PlanTaskDueNow() {
    json body = PlanBody("Stop drill");
    const std::string due = FormatRfc3339(
        std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()) + seconds(1));
    body["tasks"] = {TaskBody("a", "Collect tickets", "li.lei", due)};
    ASSERT_TRUE(HasStatus(Call("POST", "/api/v1/plans", body.dump()), 201));
  }

  bool HookGot(std::size_t count, milliseconds timeout = seconds(15)) {
    return hook_.WaitFor([count](const auto& requests) { return requests.size() >= count; },
                         timeout);
  }

  // SIGTERM; expects exit code 0 within `limit`, and the log to say it stopped.
  void ExpectStopsWithin(Clock::duration limit) {
    const auto signalled = Clock::now();
    const int code = daemon_->Stop();
    const auto took = Clock::now() - signalled;
    EXPECT_EQ(code, 0) << "kaizend did not exit cleanly on SIGTERM (-1: still running after "
                       << std::chrono::duration_cast<seconds>(kGrace + seconds(10)).count()
                       << " s)";
    EXPECT_LT(took, limit) << "kaizend took "
                           << std::chrono::duration_cast<milliseconds>(took).count()
                           << " ms to stop";
    const std::string log = daemon_->StderrText();
    EXPECT_NE(log.find("received SIGTERM, stopping"), std::string::npos) << log;
    EXPECT_NE(log.find("daemon: stopped\n", log.rfind("received SIGTERM")), std::string::npos)
        << "no \"stopped\" line after the signal:\n"
        << log;
  }

  WebhookSink hook_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ShutdownWithChannels, ExitsAtOnceAfterAChannelTestLeftAConnectionAlive) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  HttpResponse tested = Call("POST", "/api/v1/channels/ops-hook/test");
  ASSERT_TRUE(HasStatus(tested, 200));
  ASSERT_EQ(tested.json["delivered"], true) << tested.body;
  ASSERT_EQ(hook_.Requests().size(), 1u);

  // Nothing is in flight: no grace period is needed.
  ExpectStopsWithin(seconds(3));
}

TEST_F(ShutdownWithChannels, ExitsAtOnceAfterAReminderWasDelivered) {
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_NO_FATAL_FAILURE(PlanTaskDueNow());
  ASSERT_TRUE(HookGot(1)) << "the reminder was not sent";
  ASSERT_EQ(WaitForNotifications("delivered", 1).size(), 1u) << Notifications().dump(1);

  ExpectStopsWithin(seconds(3));
}

TEST_F(ShutdownWithChannels, ADeliveryInFlightFinishesBeforeTheExit) {
  hook_.SetReply([](const ServerRequest&) {
    // Runs on the receiver's thread: holds the answer while kaizend is told to stop.
    std::this_thread::sleep_for(milliseconds(1500));
    return ServerReply{};
  });
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  ASSERT_NO_FATAL_FAILURE(PlanTaskDueNow());
  ASSERT_TRUE(HookGot(1)) << "the reminder was not sent";

  ExpectStopsWithin(kGrace);
  const std::string log = daemon_->StderrText();
  EXPECT_EQ(log.find("abandon"), std::string::npos) << log;

  // The answer was recorded before the exit: after a restart the reminder is delivered and is
  // not sent again.
  hook_.SetReply(nullptr);
  ASSERT_TRUE(daemon_->Start().ok());
  Connect();
  json delivered = Notifications("&state=delivered");
  EXPECT_EQ(delivered.size(), 1u) << Notifications().dump(1);
  EXPECT_FALSE(HookGot(2, seconds(2))) << "the delivered reminder was sent again";
  ExpectStopsWithin(seconds(3));
}

TEST_F(ShutdownWithChannels, ADeliveryThatOutlastsTheGracePeriodIsAbandonedAndSentAfterARestart) {
  hook_.SetReply([](const ServerRequest&) {
    ServerReply reply;
    reply.never_answer = true;
    return reply;
  });
  // The attempt's own timeout is far beyond the grace period.
  ASSERT_NO_FATAL_FAILURE(StartDaemon("PT60S"));
  ASSERT_NO_FATAL_FAILURE(PlanTaskDueNow());
  ASSERT_TRUE(HookGot(1)) << "the reminder was not sent";
  const std::string key = hook_.Requests()[0].request.Header("idempotency-key");
  ASSERT_FALSE(key.empty());

  ExpectStopsWithin(kGrace + seconds(3));
  EXPECT_NE(daemon_->StderrText().find("abandon"), std::string::npos);

  // Left in flight, as after a crash: sent again at start, under the same key.
  hook_.SetReply(nullptr);
  ASSERT_TRUE(daemon_->Start().ok());
  Connect();
  ASSERT_TRUE(HookGot(2)) << "the abandoned reminder was not sent again";
  EXPECT_EQ(hook_.Requests()[1].request.Header("idempotency-key"), key);
  EXPECT_EQ(WaitForNotifications("delivered", 1).size(), 1u) << Notifications().dump(1);
  ExpectStopsWithin(seconds(3));
}

// A clean stop copies the WAL into the database file: the file alone is then the whole state.
TEST_F(DaemonTest, SigtermCheckpointsTheWalIntoTheDatabaseFile) {
  json body = PlanBody("Checkpoint drill");
  body["tasks"] = {TaskBody("a", "Collect tickets", "li.lei", "2099-01-01T00:00:00Z")};
  ASSERT_NE(CreatePlan(body), nullptr);
  const std::filesystem::path wal = daemon_.db_path().string() + "-wal";
  std::error_code ec;
  ASSERT_GT(std::filesystem::file_size(wal, ec), 0u) << "the write is not in the WAL: " << ec;

  ASSERT_EQ(daemon_.Stop(), 0);
  const bool gone = !std::filesystem::exists(wal);
  EXPECT_TRUE(gone || std::filesystem::file_size(wal) == 0)
      << wal << " still holds " << std::filesystem::file_size(wal) << " bytes";
  EXPECT_NE(daemon_.StderrText().find("WAL emptied"), std::string::npos) << daemon_.StderrText();

  // Everything is in the file: the plan is there after a restart.
  ASSERT_TRUE(daemon_.Start().ok());
  Reconnect();
  HttpResponse plans = Get("/api/v1/plans");
  ASSERT_TRUE(HasStatus(plans, 200));
  EXPECT_EQ(plans.json["items"].size(), 1u) << plans.body;
}

}  // namespace
}  // namespace kaizen::testing
