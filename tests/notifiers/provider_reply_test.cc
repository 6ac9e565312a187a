#include "notifiers/provider_reply.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace kaizen::notifiers {
namespace {

using std::chrono::seconds;

const Instant kNow = *ParseRfc3339("2026-03-01T12:00:00Z");

HttpResult Reply(int status, std::string body, HttpHeaders headers = {}) {
  HttpResult result;
  result.status = status;
  result.body = std::move(body);
  result.headers = std::move(headers);
  return result;
}

HttpResult Failure(Status error) {
  HttpResult result;
  result.error = std::move(error);
  return result;
}

struct Case {
  std::string name;
  HttpResult reply;
  ReplyCategory category;
  std::string reason;
  std::optional<seconds> retry_after = std::nullopt;
  std::optional<std::int64_t> provider_code = std::nullopt;
  bool resign_and_retry_once = false;
};

DeliveryVerdict VerdictOf(ReplyCategory category) {
  switch (category) {
    case ReplyCategory::kDelivered: return DeliveryVerdict::kDelivered;
    case ReplyCategory::kRetryLater: return DeliveryVerdict::kRetryLater;
    default: return DeliveryVerdict::kPermanent;
  }
}

void ExpectCases(Provider provider, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(ToString(provider)) + ": " + c.name);
    ProviderVerdict verdict = ClassifyProviderReply(provider, c.reply, kNow);
    EXPECT_EQ(ToString(verdict.category), ToString(c.category));
    EXPECT_EQ(verdict.verdict, VerdictOf(c.category));
    EXPECT_EQ(verdict.reason, c.reason);
    EXPECT_EQ(verdict.retry_after, c.retry_after);
    EXPECT_EQ(verdict.provider_code, c.provider_code);
    EXPECT_EQ(verdict.resign_and_retry_once, c.resign_and_retry_once);
    if (c.category == ReplyCategory::kDelivered) {
      EXPECT_EQ(verdict.message, "");
    } else {
      EXPECT_NE(verdict.message, "");
    }
  }
}

// Failures every provider shares: the transport's, and 5xx/429 without a body that says more.
std::vector<Case> TransportCases() {
  return {
      {"network error", Failure(Unavailable("connect_failed", "no address accepted")),
       ReplyCategory::kRetryLater, "connect_failed"},
      {"timeout", Failure(Unavailable("timeout", "total timeout expired")),
       ReplyCategory::kRetryLater, "timeout"},
      {"invalid url", Failure(InvalidArgument("invalid_url", "not an https URL")),
       ReplyCategory::kConfigError, "invalid_url"},
      {"no answer", HttpResult{}, ReplyCategory::kRetryLater, "no_answer"},
      {"500", Reply(500, ""), ReplyCategory::kRetryLater, "http_500"},
      {"503 with Retry-After", Reply(503, "busy", {{"retry-after", "30"}}),
       ReplyCategory::kRetryLater, "http_503", seconds(30)},
      {"429 with Retry-After", Reply(429, "", {{"retry-after", "7"}}), ReplyCategory::kRetryLater,
       "http_429", seconds(7)},
  };
}

TEST(ParseProvider, ReadsEveryNameAndLarkAsFeishu) {
  for (Provider provider :
       {Provider::kWebhook, Provider::kDingTalk, Provider::kFeishu, Provider::kWeCom,
        Provider::kSlack, Provider::kTeams, Provider::kTeamsLegacy, Provider::kDiscord}) {
    EXPECT_EQ(ParseProvider(ToString(provider)), provider) << ToString(provider);
  }
  EXPECT_EQ(ToString(Provider::kDingTalk), "dingtalk");
  EXPECT_EQ(ToString(Provider::kTeams), "teams");
  EXPECT_EQ(ToString(Provider::kTeamsLegacy), "teams_legacy");
  EXPECT_EQ(ParseProvider("lark"), Provider::kFeishu);
  EXPECT_EQ(ToString(*ParseProvider("lark")), "feishu");
  for (std::string_view name : {"", "log", "DingTalk", "msteams", "feishu "}) {
    EXPECT_EQ(ParseProvider(name), std::nullopt) << name;
  }
}

TEST(ClassifyProviderReply, DingTalk) {
  std::vector<Case> cases = {
      {"errcode 0", Reply(200, R"({"errcode":0,"errmsg":"ok"})"), ReplyCategory::kDelivered,
       "http_200", std::nullopt, 0},
      {"310000 keyword", Reply(200, R"({"errcode":310000,"errmsg":"keywords not in content"})"),
       ReplyCategory::kConfigError, "keyword_missing", std::nullopt, 310000},
      {"310000 signature",
       Reply(200, R"({"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc]"})"),
       ReplyCategory::kConfigError, "signature_refused", std::nullopt, 310000},
      {"310000 signature in Chinese",
       Reply(200, R"({"errcode":310000,"errmsg":"机器人发送签名不匹配"})"),
       ReplyCategory::kConfigError, "signature_refused", std::nullopt, 310000},
      {"310000 timestamp", Reply(200, R"({"errcode":310000,"errmsg":"invalid timestamp"})"),
       ReplyCategory::kConfigError, "timestamp_refused", std::nullopt, 310000, true},
      {"310000 ip", Reply(200, R"({"errcode":310000,"errmsg":"ip X.X.X.X not in whitelist"})"),
       ReplyCategory::kConfigError, "ip_not_allowed", std::nullopt, 310000},
      {"310000 other", Reply(200, R"({"errcode":310000,"errmsg":"description mismatch"})"),
       ReplyCategory::kConfigError, "security_check_failed", std::nullopt, 310000},
      {"300001", Reply(200, R"({"errcode":300001,"errmsg":"token is not exist"})"),
       ReplyCategory::kDeadChannel, "token_invalid", std::nullopt, 300001},
      {"300005", Reply(200, R"({"errcode":300005,"errmsg":"token is not exist"})"),
       ReplyCategory::kDeadChannel, "token_invalid", std::nullopt, 300005},
      {"130101",
       Reply(200, R"({"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"})"),
       ReplyCategory::kRetryLater, "rate_limited", seconds(600), 130101},
      {"460101",
       Reply(200, R"({"errcode":460101,"errmsg":"message too long, exceed 20000 bytes"})"),
       ReplyCategory::kPermanent, "message_too_long", std::nullopt, 460101},
      {"90030 (unverified: waits)",
       Reply(200, R"({"errcode":90030,"errmsg":"webhook over limit"})"), ReplyCategory::kRetryLater,
       "quota_exceeded", std::nullopt, 90030},
      {"unlisted code", Reply(200, R"({"errcode":12345,"errmsg":"something new"})"),
       ReplyCategory::kRetryLater, "error_code", std::nullopt, 12345},
      {"malformed JSON", Reply(200, "<html>ok</html>"), ReplyCategory::kRetryLater,
       "unreadable_reply"},
      {"JSON without errcode", Reply(200, R"({"errmsg":"ok"})"), ReplyCategory::kRetryLater,
       "unreadable_reply"},
      {"errcode as a string", Reply(200, R"({"errcode":"0"})"), ReplyCategory::kRetryLater,
       "unreadable_reply"},
      {"errcode 0 with a 502", Reply(502, R"({"errcode":0})"), ReplyCategory::kRetryLater,
       "http_502", std::nullopt, 0},
      {"404 without a body", Reply(404, ""), ReplyCategory::kPermanent, "http_404"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kDingTalk, cases);
}

TEST(ClassifyProviderReply, Feishu) {
  std::vector<Case> cases = {
      {"code 0", Reply(200, R"({"code":0,"msg":"success","data":{}})"), ReplyCategory::kDelivered,
       "http_200", std::nullopt, 0},
      {"code 0 beside legacy fields",
       Reply(200, R"({"StatusCode":0,"StatusMessage":"success","code":0,"msg":"success"})"),
       ReplyCategory::kDelivered, "http_200", std::nullopt, 0},
      {"9499 with 200", Reply(200, R"({"code":9499,"msg":"Bad Request"})"),
       ReplyCategory::kPermanent, "bad_request", std::nullopt, 9499},
      {"9499 with 400", Reply(400, R"({"code":9499,"msg":"Bad Request"})"),
       ReplyCategory::kPermanent, "bad_request", std::nullopt, 9499},
      {"19021",
       Reply(200, R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour"})"),
       ReplyCategory::kConfigError, "signature_refused", std::nullopt, 19021, true},
      {"19022", Reply(200, R"({"code":19022,"msg":"Ip Not Allowed"})"), ReplyCategory::kConfigError,
       "ip_not_allowed", std::nullopt, 19022},
      {"19024", Reply(200, R"({"code":19024,"msg":"Key Words Not Found"})"),
       ReplyCategory::kConfigError, "keyword_missing", std::nullopt, 19024},
      {"11232", Reply(200, R"({"code":11232,"msg":"frequency limited"})"),
       ReplyCategory::kRetryLater, "rate_limited", std::nullopt, 11232},
      {"11232 with Retry-After",
       Reply(200, R"({"code":11232,"msg":"frequency limited"})", {{"retry-after", "5"}}),
       ReplyCategory::kRetryLater, "rate_limited", seconds(5), 11232},
      {"19036", Reply(200, R"({"code":19036,"msg":"request too large"})"),
       ReplyCategory::kPermanent, "message_too_long", std::nullopt, 19036},
      {"unlisted code", Reply(200, R"({"code":99991663,"msg":"?"})"), ReplyCategory::kRetryLater,
       "error_code", std::nullopt, 99991663},
      {"unlisted code with 400", Reply(400, R"({"code":99991663,"msg":"?"})"),
       ReplyCategory::kPermanent, "http_400", std::nullopt, 99991663},
      {"malformed JSON", Reply(200, R"({"code":0,)"), ReplyCategory::kRetryLater,
       "unreadable_reply"},
      {"only the legacy StatusCode", Reply(200, R"({"StatusCode":0})"), ReplyCategory::kRetryLater,
       "unreadable_reply"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kFeishu, cases);
}

TEST(ClassifyProviderReply, WeCom) {
  std::vector<Case> cases = {
      {"errcode 0", Reply(200, R"({"errcode":0,"errmsg":"ok"})"), ReplyCategory::kDelivered,
       "http_200", std::nullopt, 0},
      {"45009", Reply(200, R"({"errcode":45009,"errmsg":"api freq out of limit"})"),
       ReplyCategory::kRetryLater, "rate_limited", seconds(60), 45009},
      {"93000",
       Reply(
           200,
           R"({"errcode":93000,"errmsg":"invalid webhook url, hint: [1717171717_1], more info at https://open.work.weixin.qq.com/devtool/query?e=93000"})"),
       ReplyCategory::kDeadChannel, "token_invalid", std::nullopt, 93000},
      {"40058",
       Reply(200, R"({"errcode":40058,"errmsg":"markdown.content exceed max length 4096"})"),
       ReplyCategory::kPermanent, "message_too_long", std::nullopt, 40058},
      {"-1", Reply(200, R"({"errcode":-1,"errmsg":"system busy"})"), ReplyCategory::kRetryLater,
       "system_busy", std::nullopt, -1},
      {"unlisted code", Reply(200, R"({"errcode":40001,"errmsg":"?"})"), ReplyCategory::kRetryLater,
       "error_code", std::nullopt, 40001},
      {"malformed JSON", Reply(200, "errcode=0"), ReplyCategory::kRetryLater, "unreadable_reply"},
      {"empty 200", Reply(200, ""), ReplyCategory::kRetryLater, "unreadable_reply"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kWeCom, cases);
}

TEST(ClassifyProviderReply, Slack) {
  std::vector<Case> cases = {
      {"200 ok", Reply(200, "ok"), ReplyCategory::kDelivered, "http_200"},
      // The status carries the class: a body we cannot read on a 200 is still a delivery.
      {"200 malformed", Reply(200, "{not json"), ReplyCategory::kDelivered, "http_200"},
      {"400 invalid_payload", Reply(400, "invalid_payload"), ReplyCategory::kPermanent,
       "bad_request"},
      {"400 user_not_found", Reply(400, "user_not_found"), ReplyCategory::kPermanent,
       "bad_request"},
      {"400 invalid_blocks", Reply(400, "invalid_blocks"), ReplyCategory::kPermanent,
       "bad_request"},
      {"400 invalid_token", Reply(400, "invalid_token\n"), ReplyCategory::kDeadChannel,
       "token_invalid"},
      {"403 action_prohibited", Reply(403, "action_prohibited"), ReplyCategory::kPermanent,
       "action_prohibited"},
      {"404 channel_not_found", Reply(404, "channel_not_found"), ReplyCategory::kDeadChannel,
       "channel_gone"},
      {"404 no_service", Reply(404, "no_service"), ReplyCategory::kDeadChannel, "token_invalid"},
      {"410 channel_is_archived", Reply(410, "channel_is_archived"), ReplyCategory::kDeadChannel,
       "channel_gone"},
      {"500 rollup_error", Reply(500, "rollup_error"), ReplyCategory::kRetryLater, "http_500"},
      {"405", Reply(405, ""), ReplyCategory::kPermanent, "http_405"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kSlack, cases);
}

TEST(ClassifyProviderReply, Teams) {
  std::vector<Case> cases = {
      {"202 Workflows", Reply(202, ""), ReplyCategory::kDelivered, "http_202"},
      {"200 legacy 1", Reply(200, "1"), ReplyCategory::kDelivered, "http_200"},
      {"200 legacy with 429 text",
       Reply(200, "Microsoft Teams endpoint returned HTTP error 429 with ContextId ..."),
       ReplyCategory::kRetryLater, "rate_limited"},
      {"200 with other text", Reply(200, R"({"error":"malformed)"), ReplyCategory::kRetryLater,
       "unexpected_reply"},
      {"400 schema", Reply(400, R"({"error":{"code":"InvalidRequestContent"}})"),
       ReplyCategory::kPermanent, "bad_request"},
      {"413", Reply(413, "request entity too large"), ReplyCategory::kPermanent,
       "message_too_long"},
      {"401 bad sig", Reply(401, ""), ReplyCategory::kPermanent, "http_401"},
      {"403", Reply(403, ""), ReplyCategory::kPermanent, "http_403"},
      {"404 deleted flow", Reply(404, ""), ReplyCategory::kDeadChannel, "channel_gone"},
      {"410", Reply(410, ""), ReplyCategory::kDeadChannel, "channel_gone"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kTeams, cases);
}

// Section 2b: only 200 "1" is delivered; the connector puts retryable errors in a 200's text.
TEST(ClassifyProviderReply, TeamsLegacyConnector) {
  std::vector<Case> cases = {
      {"200 1", Reply(200, "1"), ReplyCategory::kDelivered, "http_200"},
      {"200 1 with a newline", Reply(200, "1\r\n"), ReplyCategory::kDelivered, "http_200"},
      {"200 with 429 text",
       Reply(200,
             "Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=x"),
       ReplyCategory::kRetryLater, "rate_limited"},
      {"200 with 429 text and Retry-After",
       Reply(200, "Microsoft Teams endpoint returned HTTP error 429", {{"retry-after", "30"}}),
       ReplyCategory::kRetryLater, "rate_limited", seconds(30)},
      {"200 with other error text",
       Reply(200,
             "Webhook message delivery failed with error: Microsoft Teams endpoint returned "
             "HTTP error 500"),
       ReplyCategory::kRetryLater, "unexpected_reply"},
      // Not the connector's "1": the card may not have been posted.
      {"200 empty", Reply(200, ""), ReplyCategory::kRetryLater, "unexpected_reply"},
      {"200 ok", Reply(200, "ok"), ReplyCategory::kRetryLater, "unexpected_reply"},
      // A Workflows URL behind legacy_connector: the flow takes the request, posts nothing.
      {"202 empty", Reply(202, ""), ReplyCategory::kConfigError, "not_a_connector"},
      {"400", Reply(400, "Summary or Text is required."), ReplyCategory::kPermanent, "http_400"},
      {"413", Reply(413, "request entity too large"), ReplyCategory::kPermanent,
       "message_too_long"},
      {"403", Reply(403, ""), ReplyCategory::kPermanent, "http_403"},
      {"404 removed", Reply(404, ""), ReplyCategory::kDeadChannel, "channel_gone"},
      {"410 gone", Reply(410, ""), ReplyCategory::kDeadChannel, "channel_gone"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kTeamsLegacy, cases);
}

TEST(ClassifyProviderReply, TeamsLegacyMessagesSayWhatToDo) {
  ProviderVerdict gone = ClassifyProviderReply(Provider::kTeamsLegacy, Reply(410, ""), kNow);
  EXPECT_NE(gone.message.find("Workflows webhook"), std::string::npos) << gone.message;
  ProviderVerdict throttled = ClassifyProviderReply(
      Provider::kTeamsLegacy,
      Reply(200, "Microsoft Teams endpoint returned HTTP error 429\nat line 2"), kNow);
  // The provider's words are quoted on one line, never the URL.
  EXPECT_NE(
      throttled.message.find("\"Microsoft Teams endpoint returned HTTP error 429 at line 2\""),
      std::string::npos)
      << throttled.message;
  ProviderVerdict workflow = ClassifyProviderReply(Provider::kTeamsLegacy, Reply(202, ""), kNow);
  EXPECT_NE(workflow.message.find("remove \"legacy_connector\""), std::string::npos)
      << workflow.message;
}

TEST(ClassifyProviderReply, Discord) {
  std::vector<Case> cases = {
      {"204", Reply(204, ""), ReplyCategory::kDelivered, "http_204"},
      {"200 wait=true", Reply(200, R"({"id":"1234","content":"Reminder"})"),
       ReplyCategory::kDelivered, "http_200"},
      {"200 malformed", Reply(200, "{"), ReplyCategory::kDelivered, "http_200"},
      {"400 50035", Reply(400, R"({"code":50035,"message":"Invalid Form Body"})"),
       ReplyCategory::kPermanent, "bad_request", std::nullopt, 50035},
      {"400 without JSON", Reply(400, "bad"), ReplyCategory::kPermanent, "bad_request"},
      {"404 unknown webhook", Reply(404, R"({"message":"Unknown Webhook","code":10015})"),
       ReplyCategory::kDeadChannel, "channel_gone"},
      {"429 body wins over header",
       Reply(429, R"({"message":"You are being rate limited.","retry_after":1.2,"global":false})",
             {{"retry-after", "1"}}),
       ReplyCategory::kRetryLater, "http_429", seconds(2)},
      {"429 global", Reply(429, R"({"retry_after":64.57,"global":true})"),
       ReplyCategory::kRetryLater, "http_429", seconds(65)},
      {"429 malformed body, header", Reply(429, "{", {{"retry-after", "3"}}),
       ReplyCategory::kRetryLater, "http_429", seconds(3)},
      {"429 negative retry_after", Reply(429, R"({"retry_after":-1})"), ReplyCategory::kRetryLater,
       "http_429"},
      {"401", Reply(401, ""), ReplyCategory::kPermanent, "http_401"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kDiscord, cases);
}

TEST(ClassifyProviderReply, DiscordSaysWhenItsBucketIsEmpty) {
  auto pause = [](HttpHeaders headers, int status = 200) {
    return ClassifyProviderReply(Provider::kDiscord, Reply(status, R"({"id":"1"})", headers),
                                 Instant{})
        .pause_next;
  };
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "1.2341"}}),
            std::chrono::milliseconds(1235));  // rounded up: early earns a 429
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "0.5"}}, 429),
            std::chrono::milliseconds(500));
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "0"}}),
            std::chrono::milliseconds(0));
  // Requests left, or nothing readable: no pause.
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "3"}, {"x-ratelimit-reset-after", "1.5"}}),
            std::nullopt);
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "0"}}), std::nullopt);
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "soon"}}),
            std::nullopt);
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "-1"}}),
            std::nullopt);
  EXPECT_EQ(pause({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "1e3"}}),
            std::nullopt);
  EXPECT_EQ(pause({}), std::nullopt);
  // Only Discord documents these headers.
  EXPECT_EQ(
      ClassifyProviderReply(
          Provider::kSlack,
          Reply(200, "ok", {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset-after", "1"}}),
          Instant{})
          .pause_next,
      std::nullopt);
}

TEST(ClassifyProviderReply, WebhookIsClassifyDeliveryWith410Dead) {
  std::vector<Case> cases = {
      {"204", Reply(204, ""), ReplyCategory::kDelivered, "http_204"},
      // A generic receiver's 200 body means nothing to us.
      {"200 malformed", Reply(200, "{"), ReplyCategory::kDelivered, "http_200"},
      {"410", Reply(410, ""), ReplyCategory::kDeadChannel, "http_410"},
      {"404", Reply(404, ""), ReplyCategory::kPermanent, "http_404"},
      {"301", Reply(301, "", {{"location", "https://elsewhere"}}), ReplyCategory::kPermanent,
       "http_301"},
      {"502", Reply(502, ""), ReplyCategory::kRetryLater, "http_502"},
  };
  for (Case& c : TransportCases()) cases.push_back(std::move(c));
  ExpectCases(Provider::kWebhook, cases);
}

TEST(ClassifyProviderReply, MessagesNameTheProviderAndQuoteItShortly) {
  ProviderVerdict verdict = ClassifyProviderReply(
      Provider::kDingTalk, Reply(200, R"({"errcode":310000,"errmsg":"keywords not in content"})"),
      kNow);
  EXPECT_NE(verdict.message.find("DingTalk"), std::string::npos) << verdict.message;
  EXPECT_NE(verdict.message.find("310000"), std::string::npos) << verdict.message;
  EXPECT_NE(verdict.message.find("keywords not in content"), std::string::npos) << verdict.message;

  // A long error text with a newline is cut and flattened, and the cut does not split a
  // UTF-8 character.
  std::string long_text(197, 'x');
  long_text += "\\n错误";  // a JSON escape: the parsed errmsg holds a newline
  verdict = ClassifyProviderReply(
      Provider::kWeCom, Reply(200, R"({"errcode":12,"errmsg":")" + long_text + R"("})"), kNow);
  EXPECT_EQ(verdict.message.find('\n'), std::string::npos);
  EXPECT_NE(verdict.message.find(std::string(197, 'x') + " ..."), std::string::npos)
      << verdict.message;
  EXPECT_EQ(verdict.message.find("错"), std::string::npos) << verdict.message;
}

TEST(ReplyCategory, HasStableNames) {
  EXPECT_EQ(ToString(ReplyCategory::kDelivered), "delivered");
  EXPECT_EQ(ToString(ReplyCategory::kRetryLater), "retry_later");
  EXPECT_EQ(ToString(ReplyCategory::kPermanent), "permanent");
  EXPECT_EQ(ToString(ReplyCategory::kDeadChannel), "dead_channel");
  EXPECT_EQ(ToString(ReplyCategory::kConfigError), "config_error");
}

// What an operator sees of a reply (POST /api/v1/channels/{id}/test): DescribeReply on the
// verdict ClassifyProviderReply gave.
ProviderAnswer Describe(Provider provider, const HttpResult& reply,
                        const std::vector<std::string>& secrets = {}) {
  return DescribeReply(provider, reply, ClassifyProviderReply(provider, reply, kNow), secrets);
}

TEST(DescribeReply, DingTalkErrcodeAndErrmsg) {
  const std::string body = R"({"errcode":310000,"errmsg":"keywords not in content"})";
  ProviderAnswer answer = Describe(Provider::kDingTalk, Reply(200, body));
  EXPECT_EQ(answer.http_status, 200);
  EXPECT_EQ(answer.body, body);
  EXPECT_FALSE(answer.body_truncated);
  EXPECT_EQ(answer.provider_code, 310000);
  EXPECT_EQ(answer.provider_message, "keywords not in content");
  EXPECT_EQ(answer.network_error, "");
  EXPECT_EQ(answer.explanation,
            "DingTalk refused the message (errcode 310000: keywords not in content); the robot's "
            "keyword setting requires one of its keywords in every message: add it to the "
            "message template");

  answer = Describe(Provider::kDingTalk, Reply(200, R"({"errcode":0,"errmsg":"ok"})"));
  EXPECT_EQ(answer.provider_code, 0);
  EXPECT_EQ(answer.provider_message, "ok");
  EXPECT_EQ(answer.explanation, "DingTalk accepted the message (HTTP 200)");
}

TEST(DescribeReply, FeishuCodeAndMsg) {
  ProviderAnswer answer =
      Describe(Provider::kFeishu, Reply(200, R"({"code":19024,"msg":"Key Words Not Found"})"));
  EXPECT_EQ(answer.provider_code, 19024);
  EXPECT_EQ(answer.provider_message, "Key Words Not Found");
  EXPECT_NE(answer.explanation.find("keyword"), std::string::npos) << answer.explanation;

  answer = Describe(Provider::kFeishu, Reply(200, R"({"code":0,"msg":"success","data":{}})"));
  EXPECT_EQ(answer.provider_code, 0);
  EXPECT_EQ(answer.provider_message, "success");
  EXPECT_EQ(answer.explanation, "Feishu/Lark accepted the message (HTTP 200)");
}

TEST(DescribeReply, WeComErrcodeAndErrmsg) {
  ProviderAnswer answer = Describe(
      Provider::kWeCom,
      Reply(
          200,
          R"({"errcode":93000,"errmsg":"invalid webhook url, hint: [1717000000_1], from ip: 1.2.3.4"})"));
  EXPECT_EQ(answer.provider_code, 93000);
  EXPECT_EQ(answer.provider_message, "invalid webhook url, hint: [1717000000_1], from ip: 1.2.3.4");
  EXPECT_NE(answer.explanation.find("key is wrong or was deleted"), std::string::npos)
      << answer.explanation;
}

TEST(DescribeReply, SlackAndTeamsTextBodies) {
  ProviderAnswer answer = Describe(Provider::kSlack, Reply(404, "no_service"));
  EXPECT_EQ(answer.http_status, 404);
  EXPECT_EQ(answer.provider_code, std::nullopt);
  EXPECT_EQ(answer.provider_message, "no_service");
  EXPECT_EQ(answer.body, "no_service");

  answer = Describe(Provider::kSlack, Reply(200, "ok"));
  EXPECT_EQ(answer.provider_message, "ok");
  EXPECT_EQ(answer.explanation, "Slack accepted the message (HTTP 200)");

  answer = Describe(Provider::kTeams, Reply(202, ""));
  EXPECT_EQ(answer.provider_message, "");
  EXPECT_EQ(answer.explanation, "Microsoft Teams accepted the message (HTTP 202)");

  answer = Describe(
      Provider::kTeams,
      Reply(
          400,
          R"({"error":{"code":"InvalidRequestContent","message":"The input body for trigger 'manual' of type 'Request' did not match its schema definition."}})"));
  EXPECT_EQ(answer.provider_message,
            "The input body for trigger 'manual' of type 'Request' did not match its schema "
            "definition.");
}

TEST(DescribeReply, DiscordJsonCodeAndMessage) {
  ProviderAnswer answer = Describe(
      Provider::kDiscord,
      Reply(
          400,
          R"({"code":50035,"errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH"}]}},"message":"Invalid Form Body"})"));
  EXPECT_EQ(answer.provider_code, 50035);
  EXPECT_EQ(answer.provider_message, "Invalid Form Body");

  answer = Describe(
      Provider::kDiscord,
      Reply(429, R"({"message":"You are being rate limited.","retry_after":1.5,"global":false})"));
  EXPECT_EQ(answer.provider_code, std::nullopt);
  EXPECT_EQ(answer.provider_message, "You are being rate limited.");
}

TEST(DescribeReply, WebhookShowsTheBodyOnly) {
  ProviderAnswer answer = Describe(Provider::kWebhook, Reply(503, R"({"message":"down"})"));
  EXPECT_EQ(answer.http_status, 503);
  EXPECT_EQ(answer.body, R"({"message":"down"})");
  EXPECT_EQ(answer.provider_code, std::nullopt);
  EXPECT_EQ(answer.provider_message, "");
  EXPECT_NE(answer.explanation.find("HTTP 503"), std::string::npos) << answer.explanation;
}

TEST(DescribeReply, NoAnswerGivesTheNetworkError) {
  ProviderAnswer answer = Describe(
      Provider::kDingTalk,
      Failure(Unavailable("connect_failed", "cannot connect to 127.0.0.1:9: Connection refused")));
  EXPECT_EQ(answer.http_status, 0);
  EXPECT_EQ(answer.network_error, "connect_failed");
  EXPECT_EQ(answer.network_error_message, "cannot connect to 127.0.0.1:9: Connection refused");
  EXPECT_EQ(answer.body, "");
  EXPECT_EQ(answer.provider_code, std::nullopt);
  EXPECT_NE(answer.explanation.find("could not reach DingTalk"), std::string::npos)
      << answer.explanation;
}

TEST(DescribeReply, LongBodiesAreCutAtACharacterBoundary) {
  // 4095 ASCII bytes, then a three-byte character that does not fit whole.
  std::string body(4095, 'a');
  body += "错误";
  ProviderAnswer answer = Describe(Provider::kWebhook, Reply(500, body));
  EXPECT_TRUE(answer.body_truncated);
  EXPECT_EQ(answer.body, std::string(4095, 'a'));

  answer = Describe(Provider::kWebhook, Reply(500, std::string(4096, 'b')));
  EXPECT_FALSE(answer.body_truncated);
  EXPECT_EQ(answer.body.size(), 4096u);
}

TEST(DescribeReply, HidesSecretsTheReceiverEchoed) {
  const std::string token = "0123456789abcdef0123456789abcdef";
  ProviderAnswer answer = Describe(
      Provider::kDingTalk,
      Reply(200, R"({"errcode":300001,"errmsg":"token )" + token + R"( is not exist"})"), {token});
  EXPECT_EQ(answer.body.find(token), std::string::npos) << answer.body;
  EXPECT_EQ(answer.provider_message, "token *** is not exist");
  EXPECT_EQ(answer.explanation.find(token), std::string::npos) << answer.explanation;
}

TEST(Utf8Prefix, ReplacesInvalidBytesAndCutsWholeCharacters) {
  bool truncated = true;
  EXPECT_EQ(Utf8Prefix("ok \xFF\xC3( done", 100, &truncated), "ok \uFFFD\uFFFD( done");
  EXPECT_FALSE(truncated);
  EXPECT_EQ(Utf8Prefix("\xED\xA0\x80", 100), "\uFFFD\uFFFD\uFFFD") << "a surrogate";
  EXPECT_EQ(Utf8Prefix("\xC0\xAF", 100), "\uFFFD\uFFFD") << "an overlong '/'";
  EXPECT_EQ(Utf8Prefix("错误", 5, &truncated), "错");
  EXPECT_TRUE(truncated);
  EXPECT_EQ(Utf8Prefix("", 0, &truncated), "");
  EXPECT_FALSE(truncated);
}

}  // namespace
}  // namespace kaizen::notifiers
