// Reports and closing, end to end: the real kaizend with a SQLite file and a local webhook sink.
// A plan with work done, work overdue and work ahead; its live report as JSON and as Markdown in
// the team's language and another; closing it twice (one answer, one summary in the channel).
// Every wait is bounded.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/daemon_fixture.h"
#include "tests/integration/webhook_sink.h"
#include "workflow/time.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::milliseconds;

std::string FromNow(std::chrono::milliseconds offset) {
  auto now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  return FormatRfc3339(now + offset);
}

int CycleSummaries(const std::vector<SinkRequest>& requests) {
  int count = 0;
  for (const SinkRequest& r : requests) {
    if (r.body.is_object() && r.body.contains("data") &&
        r.body["data"].value("kind", "") == "cycle_summary") {
      ++count;
    }
  }
  return count;
}

class Reports : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  // kaizend with the sink as the teams' channel; team ops writes Chinese.
  void StartDaemon(const WebhookSink& sink) {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["channels"] = {{"sink", {{"type", "webhook"}, {"url", sink.Url("/hook")}}}};
    config["delivery"] = {{"backoff_initial", "PT1S"}, {"group_window_ms", 0}};
    for (json& team : config["teams"]) team["channels"] = {"sink"};
    config["teams"][0]["locale"] = "zh-CN";
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  HttpResponse Call(std::string_view method, std::string_view target, const json& body = nullptr,
                    const HttpClient::Headers& headers = {}) {
    auto response = client_->Request(method, target, body.is_null() ? "" : body.dump(), headers);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Reports, LiveReportThenClosingTwiceGivesOneFrozenReportAndOneSummary) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink));
  json body = PlanBody("Monthly operations review");
  body["tasks"] = {TaskBody("stats", "Data statistics", "han.meimei", FromNow(hours(48))),
                   TaskBody("analysis", "Problem analysis", "han.meimei", FromNow(-hours(25))),
                   TaskBody("outlook", "Summary and outlook", "li.lei", FromNow(hours(72)))};
  HttpResponse created = Call("POST", "/api/v1/plans", body);
  ASSERT_TRUE(HasStatus(created, 201));
  const std::string plan = std::to_string(created.json["id"].get<std::int64_t>());
  const std::int64_t stats = created.json["tasks"][0]["id"];
  const std::int64_t analysis = created.json["tasks"][1]["id"];
  ASSERT_TRUE(HasStatus(Call("POST", "/api/v1/tasks/" + std::to_string(stats) + "/transitions",
                             {{"to", "done"}, {"actor", "han.meimei"}}),
                        200));

  // The live report: one done on time, one overdue by a day, one ahead.
  HttpResponse live = Call("GET", "/api/v1/plans/" + plan + "/report");
  ASSERT_TRUE(HasStatus(live, 200));
  EXPECT_TRUE(live.json["closed_at"].is_null());
  EXPECT_EQ(live.json["tasks_total"], 3);
  EXPECT_EQ(live.json["tasks_by_state"]["done"], 1);
  EXPECT_EQ(live.json["tasks_by_state"]["open"], 2);
  EXPECT_EQ(live.json["on_time_percent"], 50.0);  // 1 on time of 2 finished or due
  ASSERT_EQ(live.json["overdue"].size(), 1u);
  EXPECT_EQ(live.json["overdue"][0]["id"], analysis);
  EXPECT_EQ(live.json["overdue"][0]["owner_name"], "Han Meimei");
  EXPECT_EQ(live.json["overdue"][0]["days_late"], 1);
  EXPECT_EQ(live.json["snapshot"]["scope_at_start"], 3);
  EXPECT_EQ(live.json["goals"][0]["metric"], body["goals"][0]["metric"]);

  // As Markdown: in the team's language by default, or the one asked for.
  HttpResponse zh =
      Call("GET", "/api/v1/plans/" + plan + "/report", nullptr, {{"Accept", "text/markdown"}});
  ASSERT_TRUE(HasStatus(zh, 200));
  EXPECT_EQ(zh.Header("Content-Type"), std::optional<std::string>("text/markdown; charset=utf-8"));
  EXPECT_EQ(zh.body.rfind("# 报告：Monthly operations review", 0), 0u) << zh.body;
  EXPECT_NE(zh.body.find("Han Meimei"), std::string::npos) << zh.body;
  HttpResponse en = Call("GET", "/api/v1/plans/" + plan + "/report?locale=en", nullptr,
                         {{"Accept", "text/markdown"}});
  ASSERT_TRUE(HasStatus(en, 200));
  EXPECT_EQ(en.body.rfind("# Report: Monthly operations review", 0), 0u) << en.body;
  EXPECT_NE(en.body.find("**On time: 50%**"), std::string::npos) << en.body;
  EXPECT_TRUE(
      IsError(Call("GET", "/api/v1/plans/" + plan + "/report?locale=fr"), 400, "invalid_query"));

  // Closing: frozen once; the second call answers the same and writes nothing.
  HttpResponse closed = Call("POST", "/api/v1/plans/" + plan + "/close");
  ASSERT_TRUE(HasStatus(closed, 200));
  EXPECT_TRUE(closed.json["closed_at"].is_string());
  HttpResponse plan_after = Call("GET", "/api/v1/plans/" + plan);
  const auto version = plan_after.json["version"];
  HttpResponse again = Call("POST", "/api/v1/plans/" + plan + "/close", json::object());
  ASSERT_TRUE(HasStatus(again, 200));
  EXPECT_EQ(again.json, closed.json);
  EXPECT_EQ(Call("GET", "/api/v1/plans/" + plan).json["version"], version);
  HttpResponse frozen = Call("GET", "/api/v1/plans/" + plan + "/report");
  EXPECT_EQ(frozen.json, closed.json);

  // Work after closing does not change the frozen report.
  ASSERT_TRUE(HasStatus(Call("POST", "/api/v1/tasks/" + std::to_string(analysis) + "/transitions",
                             {{"to", "done"}, {"actor", "han.meimei"}}),
                        200));
  EXPECT_EQ(Call("GET", "/api/v1/plans/" + plan + "/report").json, closed.json);

  // One summary reaches the channel, with the figures; none more comes.
  ASSERT_TRUE(
      sink.WaitFor([](const auto& r) { return CycleSummaries(r) >= 1; }, std::chrono::seconds(15)));
  // The outbox holds exactly one, so no second one can come.
  int in_outbox = 0;
  const HttpResponse outbox = Call("GET", "/api/v1/notifications?limit=500");
  for (const json& n : outbox.json["items"]) {
    if (n["kind"] == "cycle_summary") ++in_outbox;
  }
  EXPECT_EQ(in_outbox, 1);
  std::vector<SinkRequest> requests = sink.Requests();
  EXPECT_EQ(CycleSummaries(requests), 1);
  for (const SinkRequest& r : requests) {
    if (r.body["data"].value("kind", "") != "cycle_summary") continue;
    EXPECT_EQ(r.body["data"]["facts"]["tasks_total"], "3") << r.body.dump();
    EXPECT_EQ(r.body["data"]["facts"]["tasks_overdue"], "1") << r.body.dump();
    EXPECT_EQ(r.body["data"]["facts"]["on_time_percent"], "50") << r.body.dump();
  }
}

TEST_F(Reports, AnUnknownPlanIsNotFound) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink));
  EXPECT_TRUE(IsError(Call("GET", "/api/v1/plans/999/report"), 404, "plan_not_found"));
  EXPECT_TRUE(IsError(Call("POST", "/api/v1/plans/999/close"), 404, "plan_not_found"));
  EXPECT_TRUE(IsError(Call("GET", "/api/v1/plans/abc/report"), 404, "plan_not_found"));
}

}  // namespace
}  // namespace kaizen::testing
