// /metrics and /readyz end to end: the real kaizend with a real SQLite file and a local webhook
// sink. A plan is created, a reminder delivered, the API used; then the scrape must say what a
// person watching a dashboard would check, and pass `promtool check metrics` when promtool is
// installed (scripts/install-deps.sh installs it). Every wait is bounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.h"
#include "tests/integration/webhook_sink.h"
#include "workflow/time.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string InSeconds(int s) {
  auto now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  return FormatRfc3339(now + seconds(s));
}

// The value of the sample written exactly as `series`, or -1 when the scrape has none.
double Sample(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

// The directory on PATH that has `program`, or "".
std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::stringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::filesystem::path candidate = std::filesystem::path(dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

class Metrics : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  // kaizend with the sink as every team's channel and a reminder at each deadline.
  void StartDaemon(const WebhookSink& sink) {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["policies"] = {{"deadline", {{"at_deadline", true}}}};
    config["reminders"] = {{"default_policy", "deadline"}};
    config["channels"] = {{"sink", {{"type", "webhook"}, {"url", sink.Url("/hook")}}}};
    config["delivery"] = {{"group_window_ms", 0}};
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

  // Scrapes until `done(body)` holds or `timeout` passes; returns the last body.
  std::string ScrapeUntil(const std::function<bool(const std::string&)>& done,
                          milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      HttpResponse r = Call("GET", "/metrics");
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200 || done(r.body) || std::chrono::steady_clock::now() >= deadline) {
        return r.body;
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Metrics, AScrapeShowsTasksRequestsAndDeliveriesAndPassesPromtool) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink));

  // Two open tasks: one due in a second (its deadline reminder is delivered), one next month.
  json body = PlanBody("Metrics drill");
  body["tasks"] = {TaskBody("soon", "Due soon", "han.meimei", InSeconds(1)),
                   TaskBody("later", "Due later", "han.meimei", InSeconds(30 * 86400))};
  HttpResponse created = Call("POST", "/api/v1/plans", body);
  ASSERT_TRUE(HasStatus(created, 201));
  const std::int64_t task = created.json["tasks"][1]["id"].get<std::int64_t>();
  ASSERT_TRUE(sink.WaitFor([](const auto& requests) { return !requests.empty(); }, seconds(20)))
      << "the deadline reminder never reached the sink";

  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(HasStatus(Call("GET", "/api/v1/tasks/" + std::to_string(task)), 200));
  }
  EXPECT_EQ(Call("GET", "/no/such/page-4711").status, 404);

  const std::string delivered =
      "kaizen_notification_delivery_attempts_total{channel=\"sink\",outcome=\"delivered\"}";
  const std::string metrics = ScrapeUntil(
      [&](const std::string& text) {
        return Sample(text, delivered) >= 1 &&
               Sample(text, "kaizen_notifications{channel=\"sink\",state=\"delivered\"}") >= 1;
      },
      seconds(10));

  EXPECT_EQ(Sample(metrics, "kaizen_tasks{state=\"open\"}"), 2) << metrics;
  EXPECT_EQ(Sample(metrics, "kaizen_tasks{state=\"done\"}"), 0);
  EXPECT_EQ(Sample(metrics, "kaizen_tasks_overdue"), 1) << "the first task's deadline passed";
  EXPECT_EQ(Sample(metrics,
                   "kaizen_http_requests_total{route=\"/api/v1/tasks/{id}\","
                   "method=\"GET\",status=\"200\"}"),
            3);
  EXPECT_EQ(Sample(metrics,
                   "kaizen_http_requests_total{route=\"/api/v1/plans\","
                   "method=\"POST\",status=\"201\"}"),
            1);
  EXPECT_EQ(Sample(metrics,
                   "kaizen_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"),
            1);
  EXPECT_EQ(metrics.find("page-4711"), std::string::npos) << "a raw path became a label";
  EXPECT_EQ(metrics.find("/api/v1/tasks/" + std::to_string(task) + "\""), std::string::npos);
  EXPECT_GE(Sample(metrics, delivered), 1);
  EXPECT_GE(Sample(metrics,
                   "kaizen_notification_delivery_duration_seconds_count{channel="
                   "\"sink\"}"),
            1);
  EXPECT_GE(Sample(metrics, "kaizen_notifications{channel=\"sink\",state=\"delivered\"}"), 1);
  EXPECT_EQ(Sample(metrics, "kaizen_outbox_depth"), 0);
  EXPECT_GT(Sample(metrics, "kaizen_database_size_bytes"), 0);
  EXPECT_GT(Sample(metrics, "process_start_time_seconds"), 1.7e9);
  EXPECT_NE(metrics.find("kaizen_build_info{version=\""), std::string::npos);
  // The scrape counts itself from the next one on.
  HttpResponse again = Call("GET", "/metrics");
  EXPECT_EQ(again.Header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_GE(Sample(again.body,
                   "kaizen_http_requests_total{route=\"/metrics\",method=\"GET\","
                   "status=\"200\"}"),
            1);

  const std::string promtool = FindOnPath("promtool");
  if (promtool.empty()) {
    GTEST_SKIP() << "promtool is not on PATH (scripts/install-deps.sh installs the Debian "
                    "package prometheus): the exposition was not linted";
  }
  const std::filesystem::path scrape = daemon_->dir() / "scrape.txt";
  std::ofstream(scrape) << again.body;
  auto checked =
      RunProgram({"/bin/sh", "-c", "exec \"$0\" check metrics < \"$1\"", promtool, scrape.string()},
                 daemon_->dir(), seconds(30));
  ASSERT_TRUE(checked.ok()) << checked.status().ToString();
  EXPECT_FALSE(checked->timed_out);
  EXPECT_EQ(checked->exit_code, 0) << checked->out << checked->err;
  EXPECT_EQ(checked->out + checked->err, "") << "promtool found problems";
}

TEST_F(Metrics, ReadyzIsServiceUnavailableOnceTheDatabaseCannotBeRead) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink));
  ASSERT_TRUE(HasStatus(Call("GET", "/readyz"), 200));
  EXPECT_TRUE(HasStatus(Call("GET", "/healthz"), 200));

  // A disk fault under the running daemon: the file, its log and its shared-memory index
  // overwritten with garbage (with the index intact a reader could answer from its cache).
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    const std::string file = daemon_->db_path().string() + suffix;
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) continue;
    std::ofstream(file, std::ios::binary | std::ios::in | std::ios::out) << std::string(size, 'x');
  }
  HttpResponse ready = Call("GET", "/readyz");
  EXPECT_TRUE(IsError(ready, 503, "storage_unavailable"));
  EXPECT_EQ(ready.json["error"]["details"]["check"], "database") << ready.body;
  // Alive all the same: a supervisor should not restart a daemon for a broken disk.
  EXPECT_TRUE(HasStatus(Call("GET", "/healthz"), 200));
  daemon_->Kill();
}

}  // namespace
}  // namespace kaizen::testing
