// Goals during a cycle, end to end: the real kaizend nudges a goal's owner through a webhook
// sink at every check-in (every 2 s here), once per check-in even across a restart, and a
// recorded value shows in the plan and its history. Every wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.h"
#include "tests/integration/webhook_sink.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// The goal_check_in items the sink received, in order.
std::vector<json> CheckIns(const std::vector<SinkRequest>& requests) {
  std::vector<json> out;
  for (const SinkRequest& r : requests) {
    if (!r.body.is_object() || !r.body.contains("data")) continue;
    const json& data = r.body["data"];
    if (data.value("kind", "") == "goal_check_in") out.push_back(data);
  }
  return out;
}

class Goals : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  void StartDaemon(const WebhookSink& sink) {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["channels"] = {{"sink", {{"type", "webhook"}, {"url", sink.Url("/hook")}}}};
    config["delivery"] = {
        {"backoff_initial", "PT1S"}, {"backoff_max", "PT2S"}, {"group_window_ms", 0}};
    for (json& team : config["teams"]) team["channels"] = {"sink"};
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  HttpResponse Call(std::string_view method, std::string_view target, const json& body = nullptr) {
    auto response = client_->Request(method, target, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Goals, TheOwnerIsAskedAtEachCheckInOnceAndARecordedValueIsKept) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink));
  json body = PlanBody("Goal drill");
  body["goals"] = json::parse(R"([{"metric": "customer satisfaction", "baseline": 80,
    "target": 85, "unit": "%", "owner": "han.meimei", "check_in": {"every": "PT2S"}}])");
  HttpResponse created = Call("POST", "/api/v1/plans", body);
  ASSERT_TRUE(HasStatus(created, 201));
  const std::int64_t plan = created.json["id"];
  const std::string plan_path = "/api/v1/plans/" + std::to_string(plan);
  EXPECT_EQ(created.json["goals"][0]["check_in"]["every"], "PT2S");

  // The first check-in comes 2 s after creation, the next 2 s later.
  ASSERT_TRUE(sink.WaitFor([](const auto& r) { return CheckIns(r).size() >= 2; }, seconds(20)))
      << CheckIns(sink.Requests()).size() << " check-in(s) so far";
  json first = CheckIns(sink.Requests())[0];
  EXPECT_EQ(first["recipient"]["id"], "han.meimei");
  EXPECT_EQ(first["plan"]["id"], plan);
  EXPECT_EQ(first["facts"]["goal_metric"], "customer satisfaction");
  EXPECT_EQ(first["facts"]["goal_target"], "85");
  const std::string prefix = "p" + std::to_string(plan) + "-g0-checkin-";
  EXPECT_EQ(first["idempotency_key"].get<std::string>().rfind(prefix, 0), 0u)
      << first["idempotency_key"];

  // A value recorded now answers the current check-in and shows in the plan and its history.
  HttpResponse recorded =
      Call("PATCH", plan_path + "/goals/0", {{"actual", 82.5}, {"actor", "han.meimei"}});
  ASSERT_TRUE(HasStatus(recorded, 200));
  EXPECT_EQ(recorded.json["goals"][0]["actual"], 82.5);
  EXPECT_EQ(recorded.json["goals"][0]["stale"], false);
  HttpResponse history = Call("GET", plan_path + "/goals/0/history");
  ASSERT_TRUE(HasStatus(history, 200));
  ASSERT_EQ(history.json["items"].size(), 1u);
  EXPECT_EQ(history.json["items"][0]["value"], 82.5);
  EXPECT_EQ(history.json["items"][0]["actor"], "han.meimei");

  // Check-ins go on; a restart asks about none of them a second time.
  // Stopped just after a nudge arrived, between two check-ins.
  const std::size_t seen = CheckIns(sink.Requests()).size();
  ASSERT_TRUE(
      sink.WaitFor([seen](const auto& r) { return CheckIns(r).size() > seen; }, seconds(20)));
  const std::size_t before_restart = CheckIns(sink.Requests()).size();
  // Killed, not stopped: a crash must not make kaizend ask again either. (A graceful stop after
  // a webhook delivery currently hangs until the stop timeout, apparently on the channel's idle
  // keep-alive connection, with or without goals: see the report of this change.)
  daemon_->Kill();
  const Status restarted = daemon_->Start();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  client_ = daemon_->Client();
  ASSERT_TRUE(sink.WaitFor(
      [before_restart](const auto& r) { return CheckIns(r).size() >= before_restart + 2; },
      seconds(20)));
  std::map<std::string, int> times_asked;
  std::vector<json> check_ins = CheckIns(sink.Requests());
  // A delivery cut by the kill may be sent again with the same key (attempt 2): that is the
  // at-least-once delivery of docs, not a second question. Each key is asked once, first time.
  for (const json& c : check_ins) {
    if (c.value("attempt", 0) == 1) ++times_asked[c["idempotency_key"].get<std::string>()];
  }
  for (const auto& [key, n] : times_asked) EXPECT_EQ(n, 1) << key << " was asked " << n << " times";
  check_ins.erase(std::remove_if(check_ins.begin(), check_ins.end(),
                                 [](const json& c) { return c.value("attempt", 0) != 1; }),
                  check_ins.end());
  // Each nudge is a different check-in instant, 2 s apart on the cadence.
  for (std::size_t i = 1; i < check_ins.size(); ++i) {
    const std::string a = check_ins[i - 1]["idempotency_key"], b = check_ins[i]["idempotency_key"];
    const long long sa = std::stoll(a.substr(prefix.size())),
                    sb = std::stoll(b.substr(prefix.size()));
    EXPECT_EQ((sb - sa) % 2, 0) << a << " then " << b;
    EXPECT_GT(sb, sa);
  }
  // The last recorded value is what the nudges report.
  EXPECT_EQ(check_ins.back()["facts"]["goal_actual"], "82.5");
}

}  // namespace
}  // namespace kaizen::testing
