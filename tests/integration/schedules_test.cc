// Schedules that start review cycles by themselves, end to end: the real kaizend with a real
// SQLite file, a 6-field rule firing every few seconds, and a webhook sink as the team's
// channel. Every wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
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

// Two tasks: one owned by the team's "analyst" role, one by a person, due an hour and two
// hours after the cycle starts; the plan is owned by the "lead" role.
json DrillTemplate() {
  return {{"id", "drill"},
          {"title", "Drill {date}"},
          {"kind", "monthly_review"},
          {"owner", {{"role", "lead"}}},
          {"tasks",
           {{{"key", "stats"},
             {"title", "Data statistics"},
             {"owner", {{"role", "analyst"}}},
             {"criterion", "every metric has a source"},
             {"deadline", {{"after", "PT1H"}}}},
            {{"key", "analysis"},
             {"title", "Problem analysis"},
             {"owner", "wang.fang"},
             {"depends_on", {"stats"}},
             {"deadline", {{"after", "PT2H"}}}}}}};
}

std::vector<std::string> Kinds(const std::vector<SinkRequest>& requests) {
  std::vector<std::string> kinds;
  for (const SinkRequest& r : requests) {
    if (!r.body.is_object() || !r.body.contains("data")) continue;
    const json& data = r.body["data"];
    if (data.contains("items")) {
      for (const json& item : data["items"]) kinds.push_back(item.value("kind", ""));
    } else {
      kinds.push_back(data.value("kind", ""));
    }
  }
  return kinds;
}

std::size_t Count(const std::vector<std::string>& kinds, const std::string& kind) {
  return static_cast<std::size_t>(std::count(kinds.begin(), kinds.end(), kind));
}

class Schedules : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 8000) text = "..." + text.substr(text.size() - 8000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  void StartDaemon(const WebhookSink& sink, json schedule) {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["channels"] = {{"sink", {{"type", "webhook"}, {"url", sink.Url("/hook")}}}};
    config["delivery"] = {
        {"backoff_initial", "PT1S"}, {"backoff_max", "PT2S"}, {"group_window_ms", 0}};
    for (json& team : config["teams"]) team["channels"] = {"sink"};
    config["teams"][0]["roles"] = {{"analyst", "han.meimei"}, {"lead", "li.lei"}};
    config["templates"] = {DrillTemplate()};
    config["schedules"] = {std::move(schedule)};
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  void Restart() {
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  HttpResponse Call(std::string_view method, std::string_view target, const json& body = nullptr) {
    auto response = client_->Request(method, target, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  json Schedule(const std::string& id) {
    HttpResponse r = Call("GET", "/api/v1/schedules/" + id);
    EXPECT_TRUE(HasStatus(r, 200));
    return r.status == 200 ? r.json : json::object();
  }

  // Polls the schedule (bounded) until it has `count` cycles; returns them, oldest first.
  json WaitForCycles(const std::string& id, std::size_t count, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      json s = Schedule(id);
      json cycles = s.value("recent_cycles", json::array());
      if (cycles.size() >= count || std::chrono::steady_clock::now() >= deadline) {
        std::reverse(cycles.begin(), cycles.end());
        return cycles;
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  json Plan(std::int64_t id) {
    HttpResponse r = Call("GET", "/api/v1/plans/" + std::to_string(id));
    EXPECT_TRUE(HasStatus(r, 200));
    return r.status == 200 ? r.json : json::object();
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

json EveryFourSeconds(std::string overlap = "carry_over") {
  return {{"id", "drill"},           {"template", "drill"}, {"team", "ops"},
          {"rule", "*/4 * * * * *"}, {"catch_up", "PT1M"},  {"overlap", std::move(overlap)}};
}

TEST_F(Schedules, CyclesStartByThemselvesWithTasksOwnersAndDeadlines) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, EveryFourSeconds("allow")));

  json listed = Call("GET", "/api/v1/schedules").json;
  ASSERT_EQ(listed["items"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["items"][0]["rule"], "*/4 * * * * *");
  EXPECT_EQ(listed["items"][0]["time_zone"], "Asia/Shanghai");  // the team's
  EXPECT_EQ(listed["items"][0]["overlap"], "allow");
  EXPECT_EQ(listed["items"][0]["next_fires"].size(), 3u);

  json cycles = WaitForCycles("drill", 2, seconds(20));
  ASSERT_GE(cycles.size(), 2u) << Schedule("drill").dump(1);
  for (const json& cycle : cycles) {
    EXPECT_EQ(cycle["cause"], "schedule");
    auto nominal = ParseRfc3339(cycle["nominal_fire"].get<std::string>());
    ASSERT_TRUE(nominal);
    EXPECT_EQ(nominal->time_since_epoch() % seconds(4), milliseconds(0));
    json plan = Plan(cycle["plan_id"].get<std::int64_t>());
    EXPECT_EQ(plan["owner"], "li.lei");  // role "lead"
    EXPECT_EQ(plan["team"], "ops");
    EXPECT_EQ(plan["kind"], "monthly_review");
    ASSERT_EQ(plan["tasks"].size(), 2u) << plan.dump(1);
    EXPECT_EQ(plan["tasks"][0]["title"], "Data statistics");
    EXPECT_EQ(plan["tasks"][0]["owner"], "han.meimei");  // role "analyst"
    EXPECT_EQ(ParseRfc3339(plan["tasks"][0]["due_at"].get<std::string>()),
              *nominal + std::chrono::hours(1));
    EXPECT_EQ(plan["tasks"][1]["owner"], "wang.fang");
    EXPECT_EQ(ParseRfc3339(plan["tasks"][1]["due_at"].get<std::string>()),
              *nominal + std::chrono::hours(2));
    EXPECT_EQ(plan["tasks"][1]["depends_on"], json::array({plan["tasks"][0]["id"]}));
  }
  // Consecutive fires, four seconds apart: none lost, none doubled.
  auto first = ParseRfc3339(cycles[0]["nominal_fire"].get<std::string>());
  auto second = ParseRfc3339(cycles[1]["nominal_fire"].get<std::string>());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*second - *first, seconds(4));
  EXPECT_EQ(cycles[1]["previous_cycle_id"], cycles[0]["id"]);

  // The team hears of each cycle, and the first cycle's summary is posted when the second
  // starts.
  ASSERT_TRUE(sink.WaitFor(
      [](const auto& r) {
        auto kinds = Kinds(r);
        return Count(kinds, "cycle_started") >= 2 && Count(kinds, "cycle_summary") >= 1;
      },
      seconds(15)))
      << json(Kinds(sink.Requests())).dump();
}

TEST_F(Schedules, PauseResumeAndTrigger) {
  WebhookSink sink;
  json schedule = EveryFourSeconds();
  schedule["rule"] = "0 0 9 1 * *";  // monthly: never fires during the test
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, schedule));

  EXPECT_TRUE(IsError(Call("POST", "/api/v1/schedules/drill/pause", json::object()), 400,
                      "reason_required"));
  HttpResponse paused =
      Call("POST", "/api/v1/schedules/drill/pause", json{{"reason", "quarter close"}});
  ASSERT_TRUE(HasStatus(paused, 200));
  EXPECT_EQ(paused.json["paused"], true);
  EXPECT_EQ(paused.json["pause_reason"], "quarter close");
  EXPECT_TRUE(paused.json["next_fires"].empty());
  HttpResponse resumed = Call("POST", "/api/v1/schedules/drill/resume");
  ASSERT_TRUE(HasStatus(resumed, 200));
  EXPECT_EQ(resumed.json["paused"], false);

  HttpResponse triggered = Call("POST", "/api/v1/schedules/drill/trigger");
  ASSERT_TRUE(HasStatus(triggered, 201));
  EXPECT_EQ(triggered.json["outcome"], "started");
  EXPECT_EQ(triggered.json["cycle"]["cause"], "trigger");
  EXPECT_EQ(triggered.json["tasks"], 2);
  json events = Schedule("drill")["recent_events"];
  ASSERT_EQ(events.size(), 3u) << events.dump(1);
  EXPECT_EQ(events[0]["kind"], "triggered");
  EXPECT_EQ(events[1]["kind"], "resumed");
  EXPECT_EQ(events[2]["kind"], "paused");
  EXPECT_EQ(events[2]["note"], "quarter close");

  HttpResponse preview = Call("GET", "/api/v1/schedules/drill/preview?count=3&from=" +
                                         UrlEncode("2026-12-15T00:00:00+08:00"));
  ASSERT_TRUE(HasStatus(preview, 200));
  ASSERT_EQ(preview.json["fires"].size(), 3u);
  EXPECT_EQ(preview.json["fires"][0]["at"], "2027-01-01T01:00:00Z");
  EXPECT_EQ(preview.json["fires"][0]["local"], "2027-01-01T09:00:00+08:00");
  EXPECT_TRUE(IsError(Call("GET", "/api/v1/schedules/nope"), 404, "schedule_not_found"));
}

TEST_F(Schedules, ADaemonStoppedAcrossFiresCatchesUpExactlyOnce) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, EveryFourSeconds("allow")));
  json before = WaitForCycles("drill", 1, seconds(15));
  ASSERT_GE(before.size(), 1u);

  // kaizend dies (as a crash would: the cycle and the schedule's watermark were committed
  // together) and stays down for ten seconds: two or three fires pass.
  daemon_->Kill();
  std::this_thread::sleep_for(seconds(10));
  ASSERT_NO_FATAL_FAILURE(Restart());

  // At start-up: one catch-up cycle, the older misses recorded as one event.
  auto catch_ups = [](const json& cycles) {
    int n = 0;
    for (const json& c : cycles) n += c["cause"] == "catch_up" ? 1 : 0;
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  json cycles = json::array();
  while (std::chrono::steady_clock::now() < deadline) {
    cycles = Schedule("drill").value("recent_cycles", json::array());
    if (catch_ups(cycles) > 0) break;
    std::this_thread::sleep_for(milliseconds(200));
  }
  ASSERT_EQ(catch_ups(cycles), 1) << cycles.dump(1);
  json events = Schedule("drill")["recent_events"];
  std::size_t missed = 0;
  for (const json& e : events) {
    if (e["kind"] == "missed") {
      ++missed;
      EXPECT_GE(e["count"].get<int>(), 1) << e.dump();
    }
  }
  EXPECT_EQ(missed, 1u) << events.dump(1);
  // Later fires start on time again; never a second catch-up.
  cycles = WaitForCycles("drill", cycles.size() + 2, seconds(15));
  EXPECT_EQ(catch_ups(cycles), 1) << cycles.dump(1);
  for (std::size_t i = 1; i < cycles.size(); ++i) {
    EXPECT_NE(cycles[i]["nominal_fire"], cycles[i - 1]["nominal_fire"]);
  }
}

TEST_F(Schedules, CarryOverMovesUnfinishedTasksWithLineage) {
  WebhookSink sink;
  json schedule = EveryFourSeconds("carry_over");
  schedule["rule"] = "*/6 * * * * *";
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, schedule));
  json cycles = WaitForCycles("drill", 1, seconds(15));
  ASSERT_GE(cycles.size(), 1u);
  const std::int64_t first_plan = cycles[0]["plan_id"].get<std::int64_t>();
  json plan = Plan(first_plan);
  ASSERT_EQ(plan["tasks"].size(), 2u);
  const std::int64_t stats = plan["tasks"][0]["id"].get<std::int64_t>();
  const std::int64_t analysis = plan["tasks"][1]["id"].get<std::int64_t>();
  // The statistics get done before the next fire; the analysis stays open.
  for (const char* to : {"in_progress", "done"}) {
    HttpResponse moved = Call("POST", "/api/v1/tasks/" + std::to_string(stats) + "/transitions",
                              json{{"to", to}, {"actor", "han.meimei"}});
    ASSERT_TRUE(HasStatus(moved, 200));
  }

  cycles = WaitForCycles("drill", 2, seconds(15));
  ASSERT_GE(cycles.size(), 2u);
  const std::int64_t second_plan = cycles[1]["plan_id"].get<std::int64_t>();
  json second = Plan(second_plan);
  ASSERT_EQ(second["tasks"].size(), 3u) << second.dump(1);  // two new, one carried
  HttpResponse carried = Call("GET", "/api/v1/tasks/" + std::to_string(analysis));
  ASSERT_TRUE(HasStatus(carried, 200));
  EXPECT_EQ(carried.json["plan_id"], second_plan);
  EXPECT_EQ(carried.json["owner"], "wang.fang");
  if (carried.json.contains("carried_from")) {  // shown once the task JSON has lineage
    EXPECT_EQ(carried.json["carried_from"], first_plan) << carried.json.dump();
    EXPECT_EQ(carried.json["carry_count"], 1);
  }
  HttpResponse done = Call("GET", "/api/v1/tasks/" + std::to_string(stats));
  EXPECT_EQ(done.json["plan_id"], first_plan);  // finished: stays in its cycle

  // The first cycle is closed and its summary reaches the channel.
  ASSERT_TRUE(sink.WaitFor([](const auto& r) { return Count(Kinds(r), "cycle_summary") >= 1; },
                           seconds(15)))
      << json(Kinds(sink.Requests())).dump();
}

}  // namespace
}  // namespace kaizen::testing
