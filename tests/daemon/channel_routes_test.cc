// GET /api/v1/channels and POST /api/v1/channels/{id}/test through ApiHandlers, against a
// scripted ChannelAdmin: what the answers show of a channel and of what its provider said, the
// errors, and that no secret of a channel ever appears. The dispatcher's side (rate limit,
// broken marks) runs end to end in tests/integration/channels_test.cc.
#include <gtest/gtest.h>

#include <set>

#include "daemon/channel_admin.h"
#include "daemon/openapi_document.h"
#include "tests/daemon/api_test_env.h"

namespace kaizen::daemon {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr char kToken[] = "0123456789abcdef0123456789abcdef";
constexpr char kSecret[] = "SEC0f1e2d3c4b5a69788796a5b4c3d2e1f0";

ChannelOptions DingTalk() {
  ChannelOptions o;
  o.id = "ops-dingtalk";
  o.type = ChannelType::kDingTalk;
  o.url = std::string("https://oapi.dingtalk.com/robot/send?access_token=") + kToken;
  o.secret = kSecret;
  o.rate_limit = {20, 1};
  return o;
}

ChannelOptions Log() {
  ChannelOptions o;
  o.id = "log";
  o.type = ChannelType::kLog;
  return o;
}

// Answers what the test scripts; counts the tests it was asked for.
class ScriptedChannels final : public ChannelAdmin {
 public:
  std::vector<ChannelStatus> Channels() const override { return channels; }

  boost::asio::awaitable<Result<ChannelTestReport>> TestChannel(std::string id) override {
    tested.push_back(id);
    for (const ChannelStatus& c : channels) {
      if (c.options.id != id) continue;
      ChannelTestReport report = next;
      report.options = c.options;
      co_return report;
    }
    co_return ChannelNotFound(id);
  }

  std::vector<ChannelStatus> channels;
  ChannelTestReport next;
  std::vector<std::string> tested;
};

// A DingTalk robot whose keyword setting refused the message.
ChannelTestReport KeywordRefused() {
  ChannelTestReport report;
  report.idempotency_key = "test-ops-dingtalk-1795568400000";
  report.message = "Test message from kaizen for channel ops-dingtalk";
  report.sent_at = testing::FakeClock::kDefaultStart;
  report.rate_limit_wait = 1500ms;
  report.duration = 130ms;
  report.outcome.verdict = notifiers::DeliveryVerdict::kPermanent;
  report.outcome.reason = "config_error:keyword_missing:310000";
  notifiers::ProviderAnswer answer;
  answer.http_status = 200;
  answer.body = R"({"errcode":310000,"errmsg":"keywords not in content"})";
  answer.provider_code = 310000;
  answer.provider_message = "keywords not in content";
  answer.explanation = "DingTalk refused the message (errcode 310000: keywords not in content)";
  answer.latency = 120ms;
  answer.parts = 1;
  answer.requests = 1;
  report.outcome.answer = answer;
  return report;
}

class ChannelRoutes : public ::testing::Test {
 protected:
  ChannelRoutes() : env_(&channels_) {
    ChannelStatus dingtalk;
    dingtalk.options = DingTalk();
    dingtalk.options.locale = Locale::kZhCn;
    dingtalk.options.owner = "wang.fang";
    dingtalk.broken = true;
    dingtalk.broken_reason = "config_error:keyword_missing:310000";
    dingtalk.next_probe_at = *ParseRfc3339("2026-11-25T01:10:00Z");
    ChannelStatus log;
    log.options = Log();
    channels_.channels = {dingtalk, log};
    channels_.next = KeywordRefused();
  }

  ScriptedChannels channels_;
  ApiTestEnv env_;
};

TEST_F(ChannelRoutes, ListShowsEveryChannelWithItsUrlRedactedAndNoSecret) {
  HttpResponse response = env_.Call("GET", "/api/v1/channels");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(BodyOf(response), json::parse(R"({"items": [
    {"id": "ops-dingtalk", "type": "dingtalk",
     "url": "https://oapi.dingtalk.com/robot/send?access_token=***", "signed": true,
     "timeout_ms": 15000, "rate_limit": {"per_minute": 20, "burst": 1},
     "broken": true, "broken_reason": "config_error:keyword_missing:310000",
     "next_probe_at": "2026-11-25T01:10:00Z", "locale": "zh-CN", "owner": "wang.fang"},
    {"id": "log", "type": "log", "url": null, "signed": false, "timeout_ms": null,
     "rate_limit": null, "broken": false, "broken_reason": null, "next_probe_at": null,
     "locale": null, "owner": null}]})"));
  EXPECT_EQ(response.body.find(kToken), std::string::npos);
  EXPECT_EQ(response.body.find(kSecret), std::string::npos);

  EXPECT_EQ(ErrorCodeOf(env_.Call("GET", "/api/v1/channels?type=dingtalk")), "invalid_query");
}

TEST_F(ChannelRoutes, TestAnswersExactlyWhatTheProviderSaid) {
  HttpResponse response = env_.Call("POST", "/api/v1/channels/ops-dingtalk/test");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(channels_.tested, std::vector<std::string>{"ops-dingtalk"});
  EXPECT_EQ(BodyOf(response), json::parse(R"json({
    "channel": "ops-dingtalk", "type": "dingtalk",
    "url": "https://oapi.dingtalk.com/robot/send?access_token=***",
    "idempotency_key": "test-ops-dingtalk-1795568400000",
    "message": "Test message from kaizen for channel ops-dingtalk",
    "sent_at": "2026-11-25T01:00:00Z",
    "delivered": false, "category": "config_error",
    "outcome": "config_error:keyword_missing:310000",
    "reason": "DingTalk refused the message (errcode 310000: keywords not in content)",
    "http_status": 200, "network_error": null,
    "provider_code": 310000, "provider_message": "keywords not in content",
    "reply_body": "{\"errcode\":310000,\"errmsg\":\"keywords not in content\"}",
    "reply_truncated": false, "latency_ms": 120, "parts": 1, "requests": 1,
    "retry_after_seconds": null, "rate_limit_wait_ms": 1500, "duration_ms": 130
})json"));
  EXPECT_EQ(response.body.find(kToken), std::string::npos);
  EXPECT_EQ(response.body.find(kSecret), std::string::npos);

  // An empty object is an empty request too.
  EXPECT_EQ(env_.Call("POST", "/api/v1/channels/ops-dingtalk/test", std::string("{}")).status, 200);
}

TEST_F(ChannelRoutes, TheAnswerHasExactlyTheDocumentedFields) {
  const json doc = json::parse(OpenApiDocument());
  std::set<std::string> documented;
  for (const json& name : doc["components"]["schemas"]["ChannelTest"]["required"]) {
    documented.insert(name.get<std::string>());
  }
  std::set<std::string> properties;
  for (const auto& [name, schema] :
       doc["components"]["schemas"]["ChannelTest"]["properties"].items()) {
    properties.insert(name);
  }
  EXPECT_EQ(documented, properties);
  for (const ChannelTestReport& report : {KeywordRefused(), ChannelTestReport{}}) {
    channels_.next = report;
    std::set<std::string> answered;
    const json body = BodyOf(env_.Call("POST", "/api/v1/channels/ops-dingtalk/test"));
    for (const auto& [name, value] : body.items()) answered.insert(name);
    EXPECT_EQ(answered, documented);
  }
  std::set<std::string> channel_fields;
  const json list = BodyOf(env_.Call("GET", "/api/v1/channels"));
  for (const auto& [name, value] : list["items"][0].items()) channel_fields.insert(name);
  std::set<std::string> channel_documented;
  for (const json& name : doc["components"]["schemas"]["Channel"]["required"]) {
    channel_documented.insert(name.get<std::string>());
  }
  EXPECT_EQ(channel_fields, channel_documented);
}

TEST_F(ChannelRoutes, ANetworkFailureIsStill200WithTheError) {
  ChannelTestReport report;
  report.idempotency_key = "test-ops-dingtalk-1795568400000";
  report.outcome.verdict = notifiers::DeliveryVerdict::kRetryLater;
  report.outcome.reason = "retry_later:connect_failed";
  notifiers::ProviderAnswer answer;
  answer.network_error = "connect_failed";
  answer.network_error_message = "no address accepted a TCP connection";
  answer.explanation = "could not reach DingTalk (no address accepted a TCP connection)";
  answer.parts = 1;
  answer.requests = 1;
  report.outcome.answer = answer;
  channels_.next = report;

  HttpResponse response = env_.Call("POST", "/api/v1/channels/ops-dingtalk/test");
  ASSERT_EQ(response.status, 200) << response.body;
  json body = BodyOf(response);
  EXPECT_EQ(body["delivered"], false);
  EXPECT_EQ(body["category"], "retry_later");
  EXPECT_EQ(body["http_status"], nullptr);
  EXPECT_EQ(body["reply_body"], nullptr);
  EXPECT_EQ(body["network_error"], json({{"code", "connect_failed"},
                                         {"message", "no address accepted a TCP connection"}}));
}

TEST_F(ChannelRoutes, ALogChannelIsDeliveredWithoutAnAnswer) {
  ChannelTestReport report;
  report.outcome.verdict = notifiers::DeliveryVerdict::kDelivered;
  report.outcome.reason = "logged";
  channels_.next = report;
  json body = BodyOf(env_.Call("POST", "/api/v1/channels/log/test"));
  EXPECT_EQ(body["delivered"], true);
  EXPECT_EQ(body["category"], "delivered");
  EXPECT_EQ(body["url"], nullptr);
  EXPECT_EQ(body["http_status"], nullptr);
  EXPECT_EQ(body["reason"], "the message was written to kaizend's log");
}

TEST_F(ChannelRoutes, UnknownChannelIs404AndBadRequestsSendNothing) {
  HttpResponse unknown = env_.Call("POST", "/api/v1/channels/nope/test");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "channel_not_found");
  EXPECT_EQ(BodyOf(unknown)["error"]["message"], "no channel with id 'nope'");

  channels_.tested.clear();
  HttpResponse field =
      env_.Call("POST", "/api/v1/channels/ops-dingtalk/test", std::string(R"({"text":"hi"})"));
  EXPECT_EQ(field.status, 400);
  EXPECT_EQ(ErrorCodeOf(field), "unknown_field");
  EXPECT_EQ(ErrorCodeOf(env_.Call("POST", "/api/v1/channels/ops-dingtalk/test?dry_run=1")),
            "invalid_query");
  EXPECT_EQ(ErrorCodeOf(env_.Call("POST", "/api/v1/channels/ops-dingtalk/test", std::string("["))),
            "malformed_json");
  EXPECT_EQ(env_.Call("GET", "/api/v1/channels/ops-dingtalk/test").status, 405);
  EXPECT_TRUE(channels_.tested.empty()) << "a refused request sends no test message";
}

TEST(ChannelRoutesWithoutChannels, ListIsEmptyAndEveryTestIs404) {
  ApiTestEnv env;
  HttpResponse list = env.Call("GET", "/api/v1/channels");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(BodyOf(list), json::parse(R"({"items": []})"));
  EXPECT_EQ(ErrorCodeOf(env.Call("POST", "/api/v1/channels/log/test")), "channel_not_found");
}

}  // namespace
}  // namespace kaizen::daemon
