// What people read, end to end: the real kaizend writes a team's reminders in its language
// with links, an operator's template is what the chat receives, a bad template stops the
// daemon before it starts, and a channel that breaks is reported to its owner through another
// channel. Webhook sinks stand in for the chats; every wait is bounded.
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
#include "tests/support/daemon_process.h"
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

// The data of every single-event request of `kind` the sink received.
std::vector<json> EventsOf(const std::vector<SinkRequest>& requests, std::string_view kind) {
  std::vector<json> out;
  for (const SinkRequest& r : requests) {
    if (r.body.is_object() && r.body.value("type", "") == "kaizen." + std::string(kind)) {
      out.push_back(r.body["data"]);
    }
  }
  return out;
}

class Messages : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  // The default people and teams; one reminder at the deadline; `config` merged on top.
  json BaseConfig() {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["policies"] = {{"at_deadline_only", {{"at_deadline", true}}}};
    config["reminders"] = {{"default_policy", "at_deadline_only"}};
    config["delivery"] = {{"backoff_initial", "PT1S"},
                          {"backoff_max", "PT2S"},
                          {"group_window_ms", 0},
                          {"broken_channel_probe", "PT1H"}};
    return config;
  }

  void Start(const json& config) {
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  // A plan of li.lei in `team` with one task for han.meimei due at `due`; returns the task id.
  std::int64_t CreateTask(std::string title, const std::string& due, std::string team = "ops") {
    json body = PlanBody("Monthly review");
    body["team"] = team;
    body["tasks"] = {TaskBody("t1", std::move(title), "han.meimei", due)};
    auto response = client_->Request("POST", "/api/v1/plans", body.dump());
    EXPECT_TRUE(response.ok() && response->status == 201)
        << (response.ok() ? response->body : response.status().ToString());
    if (!response.ok() || response->status != 201) return 0;
    return response->json["tasks"][0]["id"].get<std::int64_t>();
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Messages, AChineseTeamReadsItsReminderInChineseWithALinkToTheTask) {
  WebhookSink sink;
  json config = BaseConfig();
  config["channels"] = {{"ops-chat", {{"type", "webhook"}, {"url", sink.Url("/ops")}}}};
  config["teams"][0]["channels"] = {"ops-chat"};
  config["teams"][0]["locale"] = "zh-CN";
  config["messages"] = {{"base_url", "https://kaizen.example.com/"}};
  Start(config);
  const std::int64_t task = CreateTask("整理十月客诉数据", InSeconds(2));
  ASSERT_NE(task, 0);

  ASSERT_TRUE(sink.WaitFor(
      [](const auto& requests) { return !EventsOf(requests, "at_due").empty(); }, seconds(15)));
  const json data = EventsOf(sink.Requests(), "at_due").front();
  const std::string url = "https://kaizen.example.com/tasks/" + std::to_string(task);
  EXPECT_EQ(data["url"], url);
  const std::string message = data["message"].get<std::string>();
  EXPECT_EQ(message.rfind("@Han Meimei 提醒：「整理十月客诉数据」（负责人：Han Meimei）现在到期，"
                          "截止时间 ",
                          0),
            0u)
      << message;
  EXPECT_NE(message.find("（Asia/Shanghai） " + url), std::string::npos) << message;
}

TEST_F(Messages, AnOperatorsTemplateIsWhatTheChannelSends) {
  WebhookSink sink;
  json config = BaseConfig();
  config["channels"] = {{"ops-chat", {{"type", "webhook"}, {"url", sink.Url("/ops")}}}};
  config["teams"][0]["channels"] = {"ops-chat"};
  config["messages"] = {
      {"templates",
       {{"en",
         {{"at_due",
           {"{{owner}}: time is up for \"{{task}}\"{{#urgent}} (urgent){{/urgent}}",
            "{{^link}}no link configured{{/link}}"}}}}}}};
  Start(config);
  ASSERT_NE(CreateTask("Close the books", InSeconds(2)), 0);

  ASSERT_TRUE(sink.WaitFor(
      [](const auto& requests) { return !EventsOf(requests, "at_due").empty(); }, seconds(15)));
  EXPECT_EQ(EventsOf(sink.Requests(), "at_due").front()["message"],
            "@Han Meimei: Han Meimei: time is up for \"Close the books\"\nno link configured");
}

TEST_F(Messages, ABadTemplateStopsTheDaemonBeforeItStartsAndSaysWhere) {
  json config = BaseConfig();
  config["messages"] = {
      {"templates", {{"zh-CN", {{"overdue", "「{{task}}」已逾期 {{overdue_for}}"}}}}}};
  std::filesystem::create_directories(daemon_->dir());
  const std::filesystem::path path = daemon_->dir() / "bad-template.json";
  std::ofstream(path) << config.dump(2) << "\n";

  auto run = RunProgram({KaizendPath(), "--config", path.string(), "--listen", "127.0.0.1:0"},
                        daemon_->dir(), seconds(10));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_FALSE(run->timed_out) << "kaizend started despite a bad template";
  EXPECT_EQ(run->exit_code, 2) << run->err;
  EXPECT_NE(run->err.find(path.string() +
                          ": messages.templates.zh-CN.overdue: line 1, column 15: unknown name "
                          "'overdue_for'"),
            std::string::npos)
      << run->err;
}

TEST_F(Messages, ABrokenChannelsOwnerIsToldThroughTheirOwnTeamsChannel) {
  WebhookSink ops_chat;    // revoked: Standard Webhooks' 410 "disable the endpoint"
  WebhookSink admin_chat;  // where the owner, zhang.wei of support, reads
  ops_chat.SetReply([](const ServerRequest&) {
    ServerReply reply;
    reply.status = 410;
    reply.body = "gone";
    return reply;
  });
  json config = BaseConfig();
  config["channels"] = {
      {"ops-chat", {{"type", "webhook"}, {"url", ops_chat.Url("/ops")}, {"owner", "zhang.wei"}}},
      {"support-chat", {{"type", "webhook"}, {"url", admin_chat.Url("/support")}}}};
  config["teams"][0]["channels"] = {"ops-chat"};
  config["teams"][1]["channels"] = {"support-chat"};
  Start(config);
  ASSERT_NE(CreateTask("Fix the dashboard", InSeconds(1)), 0);

  ASSERT_TRUE(admin_chat.WaitFor(
      [](const auto& requests) { return !EventsOf(requests, "channel_broken").empty(); },
      seconds(15)));
  const std::vector<json> notices = EventsOf(admin_chat.Requests(), "channel_broken");
  ASSERT_EQ(notices.size(), 1u);
  const json& notice = notices.front();
  EXPECT_EQ(notice["recipient"]["id"], "zhang.wei");
  EXPECT_EQ(notice["facts"]["channel"], "ops-chat");
  const std::string message = notice["message"].get<std::string>();
  EXPECT_EQ(message.rfind("@Zhang Wei: Channel \"ops-chat\" cannot deliver: the provider says the "
                          "webhook or its token is no longer valid",
                          0),
            0u)
      << message;
  // The reminder itself waits for the channel instead of being given up.
  auto waiting = client_->Request("GET", "/api/v1/notifications?channel=ops-chat");
  ASSERT_TRUE(waiting.ok());
  ASSERT_EQ(waiting->json["items"].size(), 1u) << waiting->body;
  EXPECT_EQ(waiting->json["items"][0]["state"], "failed");
  // Told once per breakage, however many messages wait.
  EXPECT_EQ(EventsOf(admin_chat.Requests(), "channel_broken").size(), 1u);
}

TEST_F(Messages, AChannelTestIsWrittenInTheChannelsLanguage) {
  WebhookSink sink;
  json config = BaseConfig();
  config["channels"] = {
      {"ops-chat", {{"type", "webhook"}, {"url", sink.Url("/ops")}, {"locale", "zh-CN"}}}};
  Start(config);
  auto response = client_->Request("POST", "/api/v1/channels/ops-chat/test", "");
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  ASSERT_EQ(response->status, 200) << response->body;
  const std::string expected = "kaizen 测试消息：频道「ops-chat」可以正常收到消息。";
  EXPECT_EQ(response->json["message"], expected);
  EXPECT_EQ(response->json["delivered"], true);
  ASSERT_EQ(sink.Requests().size(), 1u);
  EXPECT_EQ(sink.Requests()[0].body["data"]["message"], expected);
}

}  // namespace
}  // namespace kaizen::testing
