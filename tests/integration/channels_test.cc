// Channel tests end to end: the real kaizend with a DingTalk-like robot that refuses the
// message for a missing keyword (errcode 310000) and a webhook receiver that answers 200,
// driven over HTTP and with kaizenctl. What the API and kaizenctl report must be exactly what
// those two answered, and no token or secret of a channel may appear in an answer, in
// kaizenctl's output or in kaizend's log. Every wait is bounded.
#include <gtest/gtest.h>

#include <atomic>
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

#ifndef KAIZENCTL_PATH
#error "KAIZENCTL_PATH must name the kaizenctl executable"
#endif

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Credentials of the two channels: none of them may ever be shown.
constexpr char kDingTalkToken[] = "dt0ken5ecret0123456789abcdef";
constexpr char kDingTalkSecret[] = "SECkaizen-channel-test-signing-secret";
constexpr char kHookToken[] = "h00k5ecret9876543210";
constexpr char kHookSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

constexpr char kKeywordRefused[] = R"({"errcode":310000,"errmsg":"keywords not in content"})";
constexpr char kHookAnswer[] = R"({"received":true})";

// The value of `name` in a request target's query, as sent (not decoded); "" when absent.
std::string RawQueryValue(const std::string& target, const std::string& name) {
  const std::string key = name + "=";
  std::size_t at = target.find('?');
  while (at != std::string::npos) {
    ++at;
    if (target.compare(at, key.size(), key) == 0) {
      const std::size_t end = target.find('&', at);
      return target.substr(at + key.size(),
                           end == std::string::npos ? std::string::npos : end - at - key.size());
    }
    at = target.find('&', at);
  }
  return "";
}

// The value kaizenctl's report shows for `label` ("  http status   200" gives "200"); "" when
// the report has no such line.
std::string ReportField(const std::string& report, const std::string& label) {
  const std::string opening = "\n  " + label + "  ";
  std::size_t at = report.find(opening);
  if (at == std::string::npos) return "";
  at += opening.size();
  while (at < report.size() && report[at] == ' ') ++at;
  return report.substr(at, report.find('\n', at) - at);
}

class Channels : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  // kaizend with the robot as channel ops-dingtalk (team ops's channel) and the receiver as
  // ops-hook (one message a second).
  void StartDaemon(json delivery = json::object()) {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["policies"] = {{"deadline", {{"at_deadline", true}}}};
    config["reminders"] = {{"default_policy", "deadline"}};
    config["channels"] = {
        {"ops-dingtalk",
         {{"type", "dingtalk"},
          {"url", robot_.Url(std::string("/robot/send?access_token=") + kDingTalkToken)},
          {"secret", kDingTalkSecret}}},
        {"ops-hook",
         {{"type", "webhook"},
          {"url", hook_.Url(std::string("/hooks/kaizen?token=") + kHookToken)},
          {"secret", kHookSecret},
          {"rate_limit", {{"per_minute", 60}, {"burst", 1}}}}}};
    json base_delivery = {{"group_window_ms", 0}};
    base_delivery.update(delivery);
    config["delivery"] = base_delivery;
    for (json& team : config["teams"]) team["channels"] = {"ops-dingtalk"};
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    HttpClientOptions options;
    options.timeout = seconds(30);
    client_ = daemon_->Client(options);
  }

  HttpResponse Call(std::string_view method, std::string_view target, std::string body = "") {
    auto response = client_->Request(method, target, body);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  ProgramResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {KAIZENCTL_PATH, "--server",
                                     "http://127.0.0.1:" + std::to_string(daemon_->port())};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = RunProgram(argv, daemon_->dir(), seconds(30));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    EXPECT_FALSE(result->timed_out) << "kaizenctl did not finish";
    return *result;
  }

  json Notifications(std::string_view query = "") {
    HttpResponse r = Call("GET", "/api/v1/notifications?limit=500" + std::string(query));
    EXPECT_TRUE(HasStatus(r, 200));
    return r.status == 200 ? r.json["items"] : json::array();
  }

  // Fails the test where `text` shows a credential of either channel.
  static void ExpectNoSecret(const std::string& text, std::string_view where) {
    for (std::string_view secret :
         {std::string_view(kDingTalkToken), std::string_view(kDingTalkSecret),
          std::string_view(kHookToken), std::string_view(kHookSecret).substr(6)}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << where << " shows " << secret << ":\n"
                                                      << text;
    }
  }

  WebhookSink robot_;
  WebhookSink hook_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Channels, TheApiReportsExactlyWhatTheRobotAndTheReceiverAnswered) {
  robot_.SetReply([](const ServerRequest&) {
    ServerReply reply;
    reply.headers = {{"Content-Type", "application/json"}};
    reply.body = kKeywordRefused;
    return reply;
  });
  hook_.SetReply([](const ServerRequest&) {
    ServerReply reply;
    reply.headers = {{"Content-Type", "application/json"}};
    reply.body = kHookAnswer;
    return reply;
  });
  ASSERT_NO_FATAL_FAILURE(StartDaemon());

  // The robot refuses: still 200, the API call worked.
  HttpResponse refused = Call("POST", "/api/v1/channels/ops-dingtalk/test");
  ASSERT_TRUE(HasStatus(refused, 200));
  const json& r = refused.json;
  EXPECT_EQ(r["channel"], "ops-dingtalk");
  EXPECT_EQ(r["type"], "dingtalk");
  EXPECT_EQ(r["url"], robot_.Url("/robot/send?access_token=***"));
  EXPECT_EQ(r["delivered"], false);
  EXPECT_EQ(r["category"], "config_error");
  EXPECT_EQ(r["outcome"], "config_error:keyword_missing:310000");
  EXPECT_EQ(r["http_status"], 200);
  EXPECT_EQ(r["network_error"], nullptr);
  EXPECT_EQ(r["provider_code"], 310000);
  EXPECT_EQ(r["provider_message"], "keywords not in content");
  EXPECT_EQ(r["reply_body"], kKeywordRefused);
  EXPECT_EQ(r["reply_truncated"], false);
  EXPECT_EQ(r["parts"], 1);
  EXPECT_EQ(r["requests"], 1);
  EXPECT_TRUE(r["latency_ms"].is_number_integer()) << r.dump();
  EXPECT_NE(r["reason"].get<std::string>().find("keyword"), std::string::npos) << r.dump();
  EXPECT_EQ(
      r["message"],
      "Test message from kaizen for channel \"ops-dingtalk\": if you can read this, it works.");
  // The robot got one signed message saying what it is, mentioning nobody.
  std::vector<SinkRequest> robot_requests = robot_.Requests();
  ASSERT_EQ(robot_requests.size(), 1u);
  EXPECT_FALSE(RawQueryValue(robot_requests[0].request.target, "sign").empty());
  EXPECT_NE(
      robot_requests[0].request.body.find(
          R"(Test message from kaizen for channel \"ops-dingtalk\": if you can read this, it works.)"),
      std::string::npos)
      << robot_requests[0].request.body;
  EXPECT_NE(robot_requests[0].body["at"]["isAtAll"], true);

  // The receiver takes it: delivered, under the test's key, signed.
  HttpResponse accepted = Call("POST", "/api/v1/channels/ops-hook/test", "{}");
  ASSERT_TRUE(HasStatus(accepted, 200));
  const json& a = accepted.json;
  EXPECT_EQ(a["delivered"], true);
  EXPECT_EQ(a["category"], "delivered");
  EXPECT_EQ(a["outcome"], "http_200");
  EXPECT_EQ(a["http_status"], 200);
  EXPECT_EQ(a["reply_body"], kHookAnswer);
  EXPECT_EQ(a["provider_code"], nullptr);
  EXPECT_EQ(a["url"], hook_.Url("/hooks/kaizen?token=***"));
  std::vector<SinkRequest> hook_requests = hook_.Requests();
  ASSERT_EQ(hook_requests.size(), 1u);
  EXPECT_EQ(hook_requests[0].body["type"], "kaizen.channel_test");
  EXPECT_EQ(hook_requests[0].body["id"], a["idempotency_key"]);
  EXPECT_EQ(hook_requests[0].request.Header("idempotency-key"), a["idempotency_key"]);
  EXPECT_FALSE(hook_requests[0].request.Header("webhook-signature").empty());

  // A second test straight after waits for the channel's rate limit (60 a minute, burst 1).
  HttpResponse again = Call("POST", "/api/v1/channels/ops-hook/test");
  ASSERT_TRUE(HasStatus(again, 200));
  EXPECT_GE(again.json["rate_limit_wait_ms"].get<int>(), 500) << again.json.dump();
  EXPECT_NE(again.json["idempotency_key"], a["idempotency_key"]);
  EXPECT_EQ(hook_.Requests().size(), 2u);

  // The list shows both (and the built-in log channel) without a secret.
  HttpResponse list = Call("GET", "/api/v1/channels");
  ASSERT_TRUE(HasStatus(list, 200));
  ASSERT_EQ(list.json["items"].size(), 3u) << list.body;
  EXPECT_EQ(list.json["items"][0]["id"], "log");
  EXPECT_EQ(list.json["items"][1]["id"], "ops-dingtalk");
  EXPECT_EQ(list.json["items"][1]["signed"], true);
  EXPECT_EQ(list.json["items"][1]["rate_limit"], json({{"per_minute", 18}, {"burst", 1}}));
  EXPECT_EQ(list.json["items"][1]["broken"], false) << "a test marks nothing broken";
  EXPECT_EQ(list.json["items"][2]["rate_limit"], json({{"per_minute", 60}, {"burst", 1}}));

  EXPECT_TRUE(IsError(Call("POST", "/api/v1/channels/nope/test"), 404, "channel_not_found"));
  EXPECT_TRUE(Notifications().empty()) << "tests are not written to the outbox";

  for (const HttpResponse* response : {&refused, &accepted, &again, &list}) {
    ExpectNoSecret(response->body, "an API answer");
  }
  ExpectNoSecret(daemon_->StderrText(), "kaizend's log");
  EXPECT_NE(daemon_->StderrText().find("config_error:keyword_missing:310000"), std::string::npos);
}

TEST_F(Channels, KaizenctlReportsTheAnswersAndExitsByWhetherTheChannelDelivered) {
  robot_.SetReply([](const ServerRequest&) {
    ServerReply reply;
    reply.body = kKeywordRefused;
    return reply;
  });
  hook_.SetReply([](const ServerRequest&) {
    ServerReply reply;
    reply.body = kHookAnswer;
    return reply;
  });
  ASSERT_NO_FATAL_FAILURE(StartDaemon());

  ProgramResult refused = Ctl({"channels", "test", "ops-dingtalk"});
  EXPECT_EQ(refused.exit_code, 4) << refused.out << refused.err;
  EXPECT_EQ(refused.out.rfind("Channel ops-dingtalk (dingtalk): NOT delivered\n", 0), 0u)
      << refused.out;
  EXPECT_EQ(ReportField(refused.out, "category"), "config_error") << refused.out;
  EXPECT_EQ(ReportField(refused.out, "outcome"), "config_error:keyword_missing:310000");
  EXPECT_EQ(ReportField(refused.out, "http status"), "200");
  EXPECT_EQ(ReportField(refused.out, "provider code"), "310000");
  EXPECT_EQ(ReportField(refused.out, "provider message"), "keywords not in content");
  EXPECT_EQ(ReportField(refused.out, "reply"), kKeywordRefused);
  EXPECT_EQ(ReportField(refused.out, "url"), robot_.Url("/robot/send?access_token=***"));
  EXPECT_NE(refused.err.find("did not deliver the test message"), std::string::npos) << refused.err;

  ProgramResult as_json = Ctl({"-o", "json", "channels", "test", "ops-dingtalk"});
  EXPECT_EQ(as_json.exit_code, 4) << as_json.err;
  json parsed = json::parse(as_json.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << as_json.out;
  EXPECT_EQ(parsed["provider_code"], 310000);
  EXPECT_EQ(parsed["provider_message"], "keywords not in content");
  EXPECT_EQ(parsed["reply_body"], kKeywordRefused);

  ProgramResult accepted = Ctl({"channels", "test", "ops-hook"});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.out << accepted.err;
  EXPECT_EQ(accepted.out.rfind("Channel ops-hook (webhook): delivered\n", 0), 0u) << accepted.out;
  EXPECT_EQ(ReportField(accepted.out, "http status"), "200") << accepted.out;
  EXPECT_EQ(ReportField(accepted.out, "reply"), kHookAnswer);

  ProgramResult unknown = Ctl({"channels", "test", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("channel_not_found"), std::string::npos) << unknown.err;

  ProgramResult list = Ctl({"channels"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("ops-dingtalk  dingtalk"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("access_token=***"), std::string::npos) << list.out;

  for (const ProgramResult* run : {&refused, &as_json, &accepted, &list}) {
    ExpectNoSecret(run->out, "kaizenctl's output");
    ExpectNoSecret(run->err, "kaizenctl's errors");
  }
  ExpectNoSecret(daemon_->StderrText(), "kaizend's log");
}

TEST_F(Channels, ATestThatGetsThroughABrokenChannelSendsWhatWaitedAtOnce) {
  std::atomic<bool> keyword_added{false};
  robot_.SetReply([&keyword_added](const ServerRequest&) {
    ServerReply reply;
    reply.body = keyword_added ? R"({"errcode":0,"errmsg":"ok"})" : kKeywordRefused;
    return reply;
  });
  // Without the test, the reminder would wait an hour for the next probe.
  ASSERT_NO_FATAL_FAILURE(StartDaemon(json{{"broken_channel_probe", "PT1H"}}));
  json body = PlanBody("Keyword drill");
  const std::string due = FormatRfc3339(
      std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now()) + seconds(1));
  body["tasks"] = {TaskBody("a", "Collect tickets", "li.lei", due)};
  ASSERT_TRUE(HasStatus(Call("POST", "/api/v1/plans", body.dump()), 201));

  // The reminder meets the refusal: the channel is broken and the reminder waits.
  json waiting;
  const auto deadline = std::chrono::steady_clock::now() + seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    waiting = Notifications("&state=failed");
    if (!waiting.empty()) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(waiting.size(), 1u) << Notifications().dump(1);
  EXPECT_EQ(waiting[0]["last_error"], "config_error:keyword_missing:310000");
  HttpResponse list = Call("GET", "/api/v1/channels");
  ASSERT_TRUE(HasStatus(list, 200));
  EXPECT_EQ(list.json["items"][1]["broken"], true) << list.body;
  EXPECT_EQ(list.json["items"][1]["broken_reason"], "config_error:keyword_missing:310000");

  // Somebody adds the keyword; a test gets through and the reminder goes at once.
  keyword_added = true;
  HttpResponse tested = Call("POST", "/api/v1/channels/ops-dingtalk/test");
  ASSERT_TRUE(HasStatus(tested, 200));
  EXPECT_EQ(tested.json["delivered"], true) << tested.body;
  EXPECT_EQ(tested.json["provider_code"], 0);
  EXPECT_EQ(tested.json["provider_message"], "ok");
  ASSERT_TRUE(
      robot_.WaitFor([](const auto& requests) { return requests.size() >= 3; }, seconds(10)))
      << "the reminder was not sent again after the test";
  json delivered;
  for (int i = 0; i < 50 && delivered.empty(); ++i) {
    delivered = Notifications("&state=delivered");
    if (delivered.empty()) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(delivered.size(), 1u) << Notifications().dump(1);
  list = Call("GET", "/api/v1/channels");
  EXPECT_EQ(list.json["items"][1]["broken"], false) << list.body;
  EXPECT_NE(daemon_->StderrText().find("works again (a test message got through)"),
            std::string::npos);
}

}  // namespace
}  // namespace kaizen::testing
