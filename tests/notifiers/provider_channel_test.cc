// ProviderChannel against local fakes of the chat providers' webhooks (one io_context on the
// test's thread). Each fake enforces its provider's contract the way the page describes it:
// DingTalk and Feishu check the signature and answer HTTP 200 with an error code when they
// refuse.
#include "notifiers/provider_channel.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "notifiers/provider_payload.h"
#include "notifiers/signature.h"
#include "tests/notifiers/local_http_server.h"
#include "tests/notifiers/stopwatch_clock.h"
#include "tests/support/fake_clock.h"

namespace kaizen::notifiers {
namespace {

namespace asio = boost::asio;
using testing::Always;
using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;
using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr std::string_view kDingTalkSecret =
    "SEC1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4";
constexpr std::string_view kFeishuSecret = "qwertyuiopasdfghjkl";
// A token in a URL that the logs must never show.
constexpr std::string_view kToken = "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e";

const Instant kNow = *ParseRfc3339("2026-11-27T01:00:05.750Z");
constexpr std::int64_t kNowMs = 1795741205750;
constexpr std::int64_t kNowSeconds = 1795741205;

Directory People() {
  Person wang;
  wang.id = "wangfang";
  wang.name = "Wang Fang";
  wang.team = "platform";
  wang.handles = {{"dingtalk", "13800000001"},
                  {"feishu", "ou_7d8a6e6df7621556ce0d21922b676706"},
                  {"wecom", "WangFang"},
                  {"slack", "U02ABCDEF"},
                  {"teams", "wangfang@contoso.com"}};
  Person li;
  li.id = "lilei";
  li.name = "Li Lei";
  li.team = "platform";
  Team team;
  team.id = "platform";
  team.name = "Platform";
  team.time_zone = "Asia/Shanghai";
  return Directory({wang, li}, {team});
}

Notification Overdue(NotificationId id, std::string recipient = "wangfang",
                     std::string recipient_name = "Wang Fang") {
  Notification n;
  n.id = id;
  n.idempotency_key = "rem-" + std::to_string(id) + "-overdue-chat";
  n.channel = "chat";
  n.event.kind = std::string(kNotifyOverdue);
  n.event.task_id = 42;
  n.event.task_title = "Ship v2";
  n.event.team = "platform";
  n.event.time_zone = "Asia/Shanghai";
  n.event.owner = recipient;
  n.event.owner_name = recipient_name;
  n.event.due_at = *ParseRfc3339("2026-11-26T01:00:00Z");
  n.event.recipient = recipient;
  n.event.recipient_name = recipient_name;
  return n;
}

DeliveryBatch Single(std::string recipient = "wangfang", std::string name = "Wang Fang") {
  return DeliveryBatch{"chat", "rem-17-overdue-chat", {Overdue(17, recipient, name)}, 1};
}

// 60 reminders with long titles: over every provider's size limit, so split into parts.
DeliveryBatch LongDigest() {
  DeliveryBatch batch{"chat", "batch-1-chat", {}, 1};
  for (int i = 1; i <= 60; ++i) {
    Notification n = Overdue(i);
    n.event.task_title = "Task #" + std::to_string(i) + "# " + std::string(300, 'x');
    batch.items.push_back(n);
  }
  return batch;
}

ServerReply Answer(int status, std::string body) {
  ServerReply reply;
  reply.status = status;
  reply.headers = {{"Content-Type", "application/json"}};
  reply.body = std::move(body);
  return reply;
}

// The value of `name` in the request target's query, percent-decoded; "" when absent.
std::string QueryValue(std::string_view target, std::string_view name) {
  auto query_at = target.find('?');
  if (query_at == std::string_view::npos) return "";
  std::string_view query = target.substr(query_at + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string out;
    std::string_view value = pair.substr(eq + 1);
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '%' && i + 2 < value.size()) {
        out += static_cast<char>(std::stoi(std::string(value.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += value[i];
      }
    }
    return out;
  }
  return "";
}

// DingTalk's robot: the access token in the query, and with 加签 a timestamp (ms) and the
// signature recomputed from it; a wrong one gets HTTP 200 and 310000, as DingTalk answers.
ServerReply DingTalkCheck(const ServerRequest& request) {
  const std::string timestamp = QueryValue(request.target, "timestamp");
  if (QueryValue(request.target, "access_token") != kToken || timestamp.empty() ||
      QueryValue(request.target, "sign") !=
          DingTalkSignature(kDingTalkSecret, std::stoll(timestamp)) ||
      request.Header("content-type") != "application/json") {
    return Answer(200, R"({"errcode":310000,"errmsg":"sign not match"})");
  }
  return Answer(200, R"({"errcode":0,"errmsg":"ok"})");
}

// Feishu's custom bot with signature verification: "timestamp" (seconds, a string) and "sign"
// at the body's top level; a wrong one gets HTTP 200 and 19021.
ServerReply FeishuCheck(const ServerRequest& request) {
  Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body["timestamp"].is_string() || !body["sign"].is_string() ||
      body["sign"] !=
          FeishuSignature(kFeishuSecret, std::stoll(body["timestamp"].get<std::string>()))) {
    return Answer(
        200,
        R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})");
  }
  return Answer(200, R"({"code":0,"msg":"success","data":{}})");
}

class ProviderChannelTest : public ::testing::Test {
 protected:
  ProviderChannelTest() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_);
    log_ = std::make_shared<spdlog::logger>("provider_channel_test", sink);
    log_->set_pattern("%l %v");
  }

  static ChannelOptions Options(ChannelType type, std::string url,
                                std::optional<std::string_view> secret = std::nullopt) {
    ChannelOptions options;
    options.id = "chat";
    options.type = type;
    options.url = std::move(url);
    if (secret) options.secret = std::string(*secret);
    options.timeout = 10s;
    return options;
  }

  std::unique_ptr<Channel> Make(const ChannelOptions& options) {
    auto channel = MakeChannel(options, std::make_shared<const Directory>(People()), clock_,
                               io_.get_executor(), log_);
    EXPECT_TRUE(channel.ok()) << channel.status().ToString();
    return channel.ok() ? std::move(channel).value() : nullptr;
  }

  DeliveryOutcome Deliver(Channel& channel, DeliveryBatch batch) {
    std::optional<DeliveryOutcome> outcome;
    auto done = [&outcome](std::exception_ptr e, DeliveryOutcome o) {
      if (e) std::rethrow_exception(e);
      outcome = std::move(o);
    };
    io_.restart();
    asio::co_spawn(io_, channel.Deliver(std::move(batch), kNow, NoPacing()), done);
    while (!outcome) {
      if (io_.run_one_for(10s) == 0) {
        ADD_FAILURE() << "the io_context stalled";
        return {};
      }
    }
    return *outcome;
  }

  std::string Logged() const { return log_text_.str(); }

  kaizen::testing::FakeClock clock_;
  asio::io_context io_;
  std::ostringstream log_text_;
  std::shared_ptr<spdlog::logger> log_;
};

TEST_F(ProviderChannelTest, DingTalkSendsTheSignedQueryAndIsDeliveredOnErrcodeZero) {
  LocalHttpServer server(io_, DingTalkCheck);
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);

  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;
  EXPECT_EQ(ReplyCategoryOf(outcome.reason), ReplyCategory::kDelivered);

  ASSERT_EQ(server.requests().size(), 1u);
  const ServerRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/robot/send?access_token=" + std::string(kToken) + "&" +
                             DingTalkSignedQuery(kDingTalkSecret, kNowMs));
  // The body is exactly FormatForProvider's: the signature travels in the URL only.
  auto expected = FormatForProvider(Provider::kDingTalk, Single(), People(), kNow);
  ASSERT_EQ(expected.size(), 1u);
  EXPECT_EQ(seen.body, expected[0].body);
  EXPECT_EQ(Json::parse(seen.body)["at"]["atMobiles"][0], "13800000001");
}

TEST_F(ProviderChannelTest, DingTalkUrlWithoutQueryGetsTheSignatureAfterAQuestionMark) {
  LocalHttpServer server(io_, Always(Answer(200, R"({"errcode":0,"errmsg":"ok"})")));
  auto channel = Make(Options(ChannelType::kDingTalk, server.Url("/robot/send"), kDingTalkSecret));
  ASSERT_TRUE(channel);
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  // A second delivery signs the stored URL afresh: the query does not grow.
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  ASSERT_EQ(server.requests().size(), 2u);
  for (const ServerRequest& seen : server.requests()) {
    EXPECT_EQ(seen.target, "/robot/send?" + DingTalkSignedQuery(kDingTalkSecret, kNowMs));
  }
}

TEST_F(ProviderChannelTest, DingTalkThrottleRetriesAfterTheTenMinuteBlock) {
  LocalHttpServer server(
      io_, Always(Answer(
               200, R"({"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"})")));
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.retry_after, std::chrono::seconds(600));
  EXPECT_EQ(outcome.reason, "retry_later:rate_limited:130101");
  EXPECT_EQ(ReplyCategoryOf(outcome.reason), ReplyCategory::kRetryLater);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_NE(Logged().find("warning [chat]"), std::string::npos) << Logged();
  EXPECT_EQ(Logged().find(kToken), std::string::npos) << Logged();
  EXPECT_EQ(Logged().find(kDingTalkSecret), std::string::npos) << Logged();
}

TEST_F(ProviderChannelTest, DingTalkRefusedTimestampIsSignedAfreshAndSentOnceMore) {
  int calls = 0;
  LocalHttpServer server(io_, [&calls](const ServerRequest& request) {
    if (++calls == 1) return Answer(200, R"({"errcode":310000,"errmsg":"invalid timestamp"})");
    return DingTalkCheck(request);
  });
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;
  ASSERT_EQ(server.requests().size(), 2u);
  const std::string first = QueryValue(server.requests()[0].target, "timestamp");
  const std::string second = QueryValue(server.requests()[1].target, "timestamp");
  EXPECT_EQ(first, std::to_string(kNowMs));
  EXPECT_GT(std::stoll(second), std::stoll(first));  // a new signature, not the same request
  EXPECT_EQ(server.requests()[1].target.find("timestamp"),
            server.requests()[1].target.rfind("timestamp"));  // signed once, not appended to
}

TEST_F(ProviderChannelTest, DingTalkTimestampRefusedTwiceIsAConfigError) {
  LocalHttpServer server(io_,
                         Always(Answer(200, R"({"errcode":310000,"errmsg":"invalid timestamp"})")));
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kPermanent);
  EXPECT_EQ(outcome.reason, "config_error:timestamp_refused:310000");
  EXPECT_EQ(server.requests().size(), 2u);  // once more, never a third time
}

TEST_F(ProviderChannelTest, FeishuSignsTheBodyTopLevelAndIsDeliveredOnCodeZero) {
  LocalHttpServer server(io_, FeishuCheck);
  auto channel =
      Make(Options(ChannelType::kFeishu,
                   server.Url("/open-apis/bot/v2/hook/" + std::string(kToken)), kFeishuSecret));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;

  ASSERT_EQ(server.requests().size(), 1u);
  const ServerRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.target, "/open-apis/bot/v2/hook/" + std::string(kToken));
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  Json body = Json::parse(seen.body);
  EXPECT_EQ(body["timestamp"], std::to_string(kNowSeconds));
  EXPECT_EQ(body["sign"], FeishuSignature(kFeishuSecret, kNowSeconds));
  // Everything else is FormatForProvider's body, unchanged.
  auto expected = FormatForProvider(Provider::kFeishu, Single(), People(), kNow);
  ASSERT_EQ(expected.size(), 1u);
  body.erase("timestamp");
  body.erase("sign");
  EXPECT_EQ(body, Json::parse(expected[0].body));
  EXPECT_NE(body["content"]["text"].get<std::string>().find(
                "<at user_id=\"ou_7d8a6e6df7621556ce0d21922b676706\">"),
            std::string::npos);
}

TEST_F(ProviderChannelTest, LarkIsFeishuOnTheGivenUrl) {
  LocalHttpServer server(io_, FeishuCheck);
  auto channel =
      Make(Options(ChannelType::kLark, server.Url("/open-apis/bot/v2/hook/lark"), kFeishuSecret));
  ASSERT_TRUE(channel);
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].target, "/open-apis/bot/v2/hook/lark");
  EXPECT_EQ(Json::parse(server.requests()[0].body)["msg_type"], "text");
}

TEST_F(ProviderChannelTest, FeishuWithAWrongSecretIsAConfigError) {
  LocalHttpServer server(io_, FeishuCheck);
  auto channel =
      Make(Options(ChannelType::kFeishu, server.Url("/open-apis/bot/v2/hook/x"), "not-the-secret"));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kPermanent);
  EXPECT_EQ(ReplyCategoryOf(outcome.reason), ReplyCategory::kConfigError) << outcome.reason;
}

TEST_F(ProviderChannelTest, WeComRevokedKeyIsADeadChannel) {
  LocalHttpServer server(
      io_, Always(Answer(200, R"({"errcode":93000,"errmsg":"invalid webhook url, hint: [1]"})")));
  auto channel = Make(
      Options(ChannelType::kWeCom, server.Url("/cgi-bin/webhook/send?key=" + std::string(kToken))));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kPermanent);
  EXPECT_TRUE(outcome.reason.starts_with("dead_channel")) << outcome.reason;
  EXPECT_EQ(ReplyCategoryOf(outcome.reason), ReplyCategory::kDeadChannel);
  EXPECT_FALSE(outcome.retry_after.has_value());
  EXPECT_NE(Logged().find("key=***"), std::string::npos) << Logged();
  EXPECT_EQ(Logged().find(kToken), std::string::npos) << Logged();
}

TEST_F(ProviderChannelTest, SlackOkIsDelivered) {
  LocalHttpServer server(io_, [](const ServerRequest&) {
    ServerReply reply;
    reply.headers = {{"Content-Type", "text/html"}};
    reply.body = "ok";
    return reply;
  });
  auto channel =
      Make(Options(ChannelType::kSlack, server.Url("/services/T000/B000/" + std::string(kToken))));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;
  EXPECT_TRUE(outcome.reason.starts_with("delivered:")) << outcome.reason;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_NE(Json::parse(server.requests()[0].body)["text"].get<std::string>().find("<@U02ABCDEF>"),
            std::string::npos);
}

TEST_F(ProviderChannelTest, LongDigestSendsItsPartsInOrder) {
  LocalHttpServer server(io_, [](const ServerRequest& request) {
    // Slack refuses a section over 3,000 characters; the fake refuses any oversize body.
    if (request.body.size() > MaxBodyBytes(Provider::kSlack)) return Answer(400, "invalid_blocks");
    ServerReply reply;
    reply.body = "ok";
    return reply;
  });
  auto channel = Make(Options(ChannelType::kSlack, server.Url("/services/T000/B000/x")));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, LongDigest());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;

  const auto& seen = server.requests();
  ASSERT_GE(seen.size(), 2u);
  const std::string of = "/" + std::to_string(seen.size()) + ")";
  int next = 1;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const std::string text = Json::parse(seen[i].body)["text"];
    EXPECT_EQ(text.rfind("60 reminders (" + std::to_string(i + 1) + of, 0), 0u)
        << text.substr(0, 40);
    for (auto at = text.find("Task #"); at != std::string::npos; at = text.find("Task #", at + 1)) {
      auto end = text.find('#', at + 6);
      EXPECT_EQ(std::stoi(text.substr(at + 6, end - at - 6)), next);
      ++next;
    }
  }
  EXPECT_EQ(next, 61);  // every item once, in order
}

TEST_F(ProviderChannelTest, DigestStopsAtTheFirstPartNotDelivered) {
  int calls = 0;
  LocalHttpServer server(io_, [&calls](const ServerRequest&) {
    ServerReply reply;
    if (++calls == 2) {
      reply.status = 429;
      reply.headers = {{"Retry-After", "7"}};
      return reply;
    }
    reply.body = "ok";
    return reply;
  });
  auto channel = Make(Options(ChannelType::kSlack, server.Url("/services/T000/B000/x")));
  ASSERT_TRUE(channel);
  ASSERT_GE(FormatForProvider(Provider::kSlack, LongDigest(), People(), kNow).size(), 3u);
  DeliveryOutcome outcome = Deliver(*channel, LongDigest());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.retry_after, std::chrono::seconds(7));
  EXPECT_TRUE(outcome.reason.starts_with("retry_later:")) << outcome.reason;
  EXPECT_EQ(server.requests().size(), 2u);  // the third part is not sent
  EXPECT_NE(Logged().find("part 2/"), std::string::npos) << Logged();
}

// A pacer that pretends to wait 2 s each time, and notes how many requests the server had
// seen when it was asked.
class RecordingPacer final : public SendPacer {
 public:
  explicit RecordingPacer(const LocalHttpServer& server) : server_(server) {}
  asio::awaitable<std::chrono::milliseconds> BeforeSend() override {
    seen_before_.push_back(server_.requests().size());
    co_return std::chrono::milliseconds(2000);
  }
  const std::vector<std::size_t>& seen_before() const { return seen_before_; }

 private:
  const LocalHttpServer& server_;
  std::vector<std::size_t> seen_before_;
};

TEST_F(ProviderChannelTest, EveryPartWaitsForThePacerAndIsSignedWhenItGoes) {
  LocalHttpServer server(io_, DingTalkCheck);
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);
  RecordingPacer pacer(server);
  std::optional<DeliveryOutcome> outcome;
  asio::co_spawn(io_, channel->Deliver(LongDigest(), kNow, pacer),
                 [&outcome](std::exception_ptr e, DeliveryOutcome o) {
                   if (e) std::rethrow_exception(e);
                   outcome = std::move(o);
                 });
  while (!outcome && io_.run_one_for(10s) > 0) {
  }
  ASSERT_TRUE(outcome);
  EXPECT_EQ(outcome->verdict, DeliveryVerdict::kDelivered) << outcome->reason;

  // One pacer turn per part, each before its part went: each part is a message to DingTalk's
  // 20 a minute.
  const auto& seen = server.requests();
  ASSERT_GE(seen.size(), 2u);
  std::vector<std::size_t> expected;
  for (std::size_t i = 0; i < seen.size(); ++i) expected.push_back(i);
  EXPECT_EQ(pacer.seen_before(), expected);
  // Each part is signed for when it went: 2 s of pacing later than the one before.
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(QueryValue(seen[i].target, "timestamp"),
              std::to_string(kNowMs + 2000 * static_cast<std::int64_t>(i + 1)));
  }
}

TEST_F(ProviderChannelTest, DiscordsEmptyBucketHoldsTheNextRequestUntilItResets) {
  std::string reset_after = "0.2";
  LocalHttpServer server(io_, [&reset_after](const ServerRequest&) {
    ServerReply reply = Answer(200, R"({"id":"1","content":"Reminder"})");
    reply.headers.emplace_back("X-RateLimit-Limit", "5");
    reply.headers.emplace_back("X-RateLimit-Remaining", "0");
    reply.headers.emplace_back("X-RateLimit-Reset-After", reset_after);
    return reply;
  });
  auto channel = Make(Options(ChannelType::kDiscord, server.Url("/api/webhooks/1/x?wait=true")));
  ASSERT_TRUE(channel);
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  testing::StopwatchClock held;
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  EXPECT_GE(held.Elapsed(), std::chrono::milliseconds(200));

  // Once the reset has passed (by the channel's clock), the next one goes at once.
  reset_after = "5";
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  clock_.Advance(std::chrono::seconds(6));
  testing::StopwatchClock free;
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  EXPECT_LT(free.Elapsed(), std::chrono::seconds(5));
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST_F(ProviderChannelTest, MissingHandleIsLoggedOncePerPerson) {
  LocalHttpServer server(io_, [](const ServerRequest&) {
    ServerReply reply;
    reply.body = "ok";
    return reply;
  });
  auto channel = Make(Options(ChannelType::kSlack, server.Url("/services/T000/B000/x")));
  ASSERT_TRUE(channel);
  EXPECT_EQ(Deliver(*channel, Single("lilei", "Li Lei")).verdict, DeliveryVerdict::kDelivered);
  EXPECT_EQ(Deliver(*channel, Single("lilei", "Li Lei")).verdict, DeliveryVerdict::kDelivered);
  EXPECT_EQ(Deliver(*channel, Single()).verdict, DeliveryVerdict::kDelivered);
  const std::string logged = Logged();
  const std::string line = "'lilei' has no slack handle";
  ASSERT_NE(logged.find(line), std::string::npos) << logged;
  EXPECT_EQ(logged.find(line), logged.rfind(line)) << logged;
  EXPECT_EQ(logged.find("wangfang"), std::string::npos) << logged;
  EXPECT_NE(Json::parse(server.requests()[0].body)["text"].get<std::string>().find("@Li Lei"),
            std::string::npos);
}

TEST_F(ProviderChannelTest, MakeChannelRefusesASecretForAProviderThatDoesNotSign) {
  ChannelOptions options =
      Options(ChannelType::kSlack, "https://hooks.slack.com/services/T0/B0/" + std::string(kToken),
              "whatever");
  auto made = MakeChannel(options, nullptr, clock_, io_.get_executor(), log_);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().reason(), "invalid_channel");
  EXPECT_EQ(made.status().message().find(kToken), std::string::npos);

  options = Options(ChannelType::kDingTalk,
                    "ftp://oapi.dingtalk.com/robot/send?access_token=" + std::string(kToken));
  auto bad_url = MakeChannel(options, nullptr, clock_, io_.get_executor(), log_);
  ASSERT_FALSE(bad_url.ok());
  EXPECT_EQ(bad_url.status().reason(), "invalid_channel");
  EXPECT_EQ(bad_url.status().message().find(kToken), std::string::npos);
}

// ---- What the provider answered (DeliveryOutcome::answer) ---------------------------------

TEST_F(ProviderChannelTest, ChannelTestThroughDingTalkReportsTheKeywordRefusalExactly) {
  const std::string reply = R"({"errcode":310000,"errmsg":"keywords not in content"})";
  LocalHttpServer server(io_, [this, &reply](const ServerRequest&) {
    clock_.Advance(120ms);  // the provider takes its time
    return Answer(200, reply);
  });
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);

  DeliveryOutcome outcome = Deliver(*channel, ChannelTestBatch("chat", kNow));
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kPermanent);
  EXPECT_EQ(outcome.reason, "config_error:keyword_missing:310000");
  EXPECT_EQ(CategoryOf(outcome), ReplyCategory::kConfigError);
  ASSERT_TRUE(outcome.answer);
  const ProviderAnswer& answer = *outcome.answer;
  EXPECT_EQ(answer.http_status, 200);
  EXPECT_EQ(answer.network_error, "");
  EXPECT_EQ(answer.body, reply);
  EXPECT_EQ(answer.provider_code, 310000);
  EXPECT_EQ(answer.provider_message, "keywords not in content");
  EXPECT_NE(answer.explanation.find("add it to the message template"), std::string::npos)
      << answer.explanation;
  EXPECT_EQ(answer.latency, 120ms);
  EXPECT_EQ(answer.parts, 1);
  EXPECT_EQ(answer.requests, 1);

  // The test message mentions nobody and says what it is.
  ASSERT_EQ(server.requests().size(), 1u);
  Json sent = Json::parse(server.requests()[0].body);
  EXPECT_EQ(
      sent["markdown"]["text"],
      "### Test message\nTest message from kaizen for channel \"chat\": if you can read this, "
      "it works.")
      << sent.dump();
  EXPECT_NE(sent["at"]["isAtAll"], true) << sent.dump();
  EXPECT_TRUE(sent["at"].value("atMobiles", Json::array()).empty()) << sent.dump();
}

TEST_F(ProviderChannelTest, TheAnswerIsTheLastRequestsAfterAFreshSignature) {
  int calls = 0;
  LocalHttpServer server(io_, [&calls](const ServerRequest& request) {
    if (++calls == 1) return Answer(200, R"({"errcode":310000,"errmsg":"invalid timestamp"})");
    return DingTalkCheck(request);
  });
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;
  ASSERT_TRUE(outcome.answer);
  EXPECT_EQ(outcome.answer->provider_code, 0);
  EXPECT_EQ(outcome.answer->provider_message, "ok");
  EXPECT_EQ(outcome.answer->explanation, "DingTalk accepted the message (HTTP 200)");
  EXPECT_EQ(outcome.answer->requests, 2);
  EXPECT_EQ(outcome.answer->parts, 1);
}

TEST_F(ProviderChannelTest, AnEchoedTokenOrSignatureIsHiddenFromTheAnswerAndTheLog) {
  // A robot that quotes the whole request line back, token and signature included.
  LocalHttpServer server(io_, [](const ServerRequest& request) {
    Json reply = {{"errcode", 300001}, {"errmsg", "token is not exist: " + request.target}};
    return Answer(200, reply.dump());
  });
  auto channel =
      Make(Options(ChannelType::kDingTalk,
                   server.Url("/robot/send?access_token=" + std::string(kToken)), kDingTalkSecret));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, ChannelTestBatch("chat", kNow));
  EXPECT_EQ(CategoryOf(outcome), ReplyCategory::kDeadChannel);
  ASSERT_TRUE(outcome.answer);
  const std::string sign = QueryValue(server.requests().at(0).target, "sign");
  ASSERT_FALSE(sign.empty());
  for (const std::string& text : {outcome.answer->body, outcome.answer->provider_message,
                                  outcome.answer->explanation, Logged()}) {
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
    EXPECT_EQ(text.find(sign), std::string::npos) << text;
    EXPECT_EQ(text.find(kDingTalkSecret), std::string::npos) << text;
  }
  EXPECT_NE(outcome.answer->provider_message.find("access_token=***"), std::string::npos)
      << outcome.answer->provider_message;
}

TEST_F(ProviderChannelTest, EveryProviderReportsItsOwnCodeAndWords) {
  struct Case {
    ChannelType type;
    int status;
    std::string body;
    ReplyCategory category;
    std::optional<std::int64_t> code;
    std::string words;
  };
  const std::vector<Case> cases = {
      {ChannelType::kFeishu, 200, R"({"code":19024,"msg":"Key Words Not Found"})",
       ReplyCategory::kConfigError, 19024, "Key Words Not Found"},
      {ChannelType::kLark, 200, R"({"code":0,"msg":"success","data":{}})",
       ReplyCategory::kDelivered, 0, "success"},
      {ChannelType::kWeCom, 200, R"({"errcode":93000,"errmsg":"invalid webhook url"})",
       ReplyCategory::kDeadChannel, 93000, "invalid webhook url"},
      {ChannelType::kSlack, 404, "no_service", ReplyCategory::kDeadChannel, std::nullopt,
       "no_service"},
      {ChannelType::kSlack, 200, "ok", ReplyCategory::kDelivered, std::nullopt, "ok"},
      {ChannelType::kDiscord, 400, R"({"code":50035,"message":"Invalid Form Body"})",
       ReplyCategory::kPermanent, 50035, "Invalid Form Body"},
      {ChannelType::kTeams, 202, "", ReplyCategory::kDelivered, std::nullopt, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(ToString(c.type)) + " " + std::to_string(c.status) + " " + c.body);
    LocalHttpServer server(io_, Always(Answer(c.status, c.body)));
    auto channel = Make(Options(c.type, server.Url("/hook/" + std::string(kToken))));
    ASSERT_TRUE(channel);
    DeliveryOutcome outcome = Deliver(*channel, ChannelTestBatch("chat", kNow));
    EXPECT_EQ(ToString(CategoryOf(outcome)), ToString(c.category)) << outcome.reason;
    ASSERT_TRUE(outcome.answer);
    EXPECT_EQ(outcome.answer->http_status, c.status);
    EXPECT_EQ(outcome.answer->body, c.body);
    EXPECT_EQ(outcome.answer->provider_code, c.code);
    EXPECT_EQ(outcome.answer->provider_message, c.words);
    EXPECT_FALSE(outcome.answer->explanation.empty());
  }
}

TEST_F(ProviderChannelTest, NoAnswerReportsTheNetworkError) {
  std::string url;
  {
    LocalHttpServer gone(io_, Always(Answer(200, "ok")));
    url = gone.Url("/services/T0/B0/" + std::string(kToken));
  }  // closed: nothing listens on its port any more
  auto channel = Make(Options(ChannelType::kSlack, url));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, ChannelTestBatch("chat", kNow));
  EXPECT_EQ(CategoryOf(outcome), ReplyCategory::kRetryLater);
  ASSERT_TRUE(outcome.answer);
  EXPECT_EQ(outcome.answer->http_status, 0);
  EXPECT_EQ(outcome.answer->network_error, "connect_failed");
  EXPECT_FALSE(outcome.answer->network_error_message.empty());
  EXPECT_EQ(outcome.answer->network_error_message.find(kToken), std::string::npos);
  EXPECT_EQ(outcome.answer->body, "");
  EXPECT_NE(outcome.answer->explanation.find("could not reach Slack"), std::string::npos)
      << outcome.answer->explanation;
}

TEST_F(ProviderChannelTest, ALongDigestCountsItsPartsAndRequests) {
  LocalHttpServer server(io_, Always(Answer(200, "ok")));
  auto channel = Make(Options(ChannelType::kSlack, server.Url("/services/T0/B0/hook")));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, LongDigest());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;
  ASSERT_TRUE(outcome.answer);
  EXPECT_GT(outcome.answer->parts, 1);
  EXPECT_EQ(outcome.answer->requests, outcome.answer->parts);
  EXPECT_EQ(static_cast<int>(server.requests().size()), outcome.answer->parts);
}

// The retired Office 365 connector: answers 200 "1" to a MessageCard, and puts its errors,
// even a throttle, in the text of a 200 (webhook-formats.md section 2b).
ServerReply ConnectorAnswer(std::string body) {
  ServerReply reply;
  reply.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
  reply.body = std::move(body);
  return reply;
}

ChannelOptions LegacyConnector(std::string url) {
  ChannelOptions options;
  options.id = "chat";
  options.type = ChannelType::kTeams;
  options.url = std::move(url);
  options.timeout = 10s;
  options.legacy_connector = true;
  return options;
}

TEST_F(ProviderChannelTest, TeamsLegacyConnectorPostsAMessageCardAndOneIsDelivered) {
  LocalHttpServer server(io_, [](const ServerRequest&) { return ConnectorAnswer("1"); });
  auto channel = Make(LegacyConnector(
      server.Url("/webhookb2/group-tenant/IncomingWebhook/" + std::string(kToken) + "/u")));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << outcome.reason;
  EXPECT_EQ(outcome.reason, "delivered:http_200");
  ASSERT_EQ(server.requests().size(), 1u);
  const ServerRequest& request = server.requests()[0];
  EXPECT_EQ(request.Header("content-type"), "application/json");
  Json card = Json::parse(request.body);
  EXPECT_EQ(card["@type"], "MessageCard");
  EXPECT_EQ(card["@context"], "http://schema.org/extensions");
  EXPECT_EQ(card["summary"], "Reminder");
  EXPECT_EQ(card["title"], "Reminder");
  // Named in plain text although she has a teams handle: a MessageCard cannot mention.
  const std::string text = card["text"];
  EXPECT_EQ(text.rfind("@Wang Fang: Reminder: \"Ship v2\"", 0), 0u) << text;
  EXPECT_EQ(text.find("<at>"), std::string::npos) << text;
  EXPECT_FALSE(card.contains("attachments"));
  // Nobody is logged as lacking a handle: no handle would help.
  EXPECT_EQ(Deliver(*channel, Single("lilei", "Li Lei")).verdict, DeliveryVerdict::kDelivered);
  EXPECT_EQ(Logged().find("handle"), std::string::npos) << Logged();
}

TEST_F(ProviderChannelTest, TeamsLegacyErrorTextInA200RetriesLater) {
  LocalHttpServer server(io_, [](const ServerRequest&) {
    return ConnectorAnswer(
        "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP "
        "error 429 with ContextId tcid=0,server=msgapi-production-eus-azsc2-4-170,cv=deadbeef");
  });
  auto channel = Make(LegacyConnector(
      server.Url("/webhookb2/group-tenant/IncomingWebhook/" + std::string(kToken) + "/u")));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater) << outcome.reason;
  EXPECT_EQ(outcome.reason, "retry_later:rate_limited");
  EXPECT_EQ(ReplyCategoryOf(outcome.reason), ReplyCategory::kRetryLater);
  EXPECT_EQ(server.requests().size(), 1u);
  const std::string logged = Logged();
  EXPECT_NE(logged.find("teams_legacy delivery of rem-17-overdue-chat"), std::string::npos)
      << logged;
  EXPECT_NE(logged.find("HTTP error 429"), std::string::npos) << logged;
  EXPECT_EQ(logged.find(kToken), std::string::npos) << logged;
}

TEST_F(ProviderChannelTest, TeamsWithoutLegacyConnectorPostsTheAdaptiveCard) {
  LocalHttpServer server(io_, [](const ServerRequest&) {
    ServerReply reply;
    reply.status = 202;
    return reply;
  });
  auto channel = Make(Options(ChannelType::kTeams, server.Url("/workflows/1/invoke?sig=x")));
  ASSERT_TRUE(channel);
  EXPECT_EQ(Deliver(*channel, Single()).reason, "delivered:http_202");
  ASSERT_EQ(server.requests().size(), 1u);
  Json body = Json::parse(server.requests()[0].body);
  EXPECT_EQ(body["type"], "message");
  EXPECT_FALSE(body.contains("@type"));
}

TEST_F(ProviderChannelTest, MakeChannelTakesLegacyConnectorOnTeamsOnly) {
  ChannelOptions options = LegacyConnector("https://contoso.webhook.office.com/webhookb2/x");
  options.type = ChannelType::kSlack;
  auto made = MakeChannel(options, nullptr, clock_, io_.get_executor(), log_);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().reason(), "invalid_channel");
  EXPECT_NE(made.status().message().find("only a teams channel takes legacy_connector"),
            std::string::npos)
      << made.status().message();
}

TEST(ProviderOf, EveryChannelTypeHasItsWireFormat) {
  EXPECT_EQ(ProviderOf(ChannelType::kWebhook), Provider::kWebhook);
  EXPECT_EQ(ProviderOf(ChannelType::kLog), std::nullopt);
  EXPECT_EQ(ProviderOf(ChannelType::kDingTalk), Provider::kDingTalk);
  EXPECT_EQ(ProviderOf(ChannelType::kFeishu), Provider::kFeishu);
  EXPECT_EQ(ProviderOf(ChannelType::kLark), Provider::kFeishu);
  EXPECT_EQ(ProviderOf(ChannelType::kWeCom), Provider::kWeCom);
  EXPECT_EQ(ProviderOf(ChannelType::kSlack), Provider::kSlack);
  EXPECT_EQ(ProviderOf(ChannelType::kTeams), Provider::kTeams);
  EXPECT_EQ(ProviderOf(ChannelType::kDiscord), Provider::kDiscord);
}

TEST(ProviderOf, LegacyConnectorPicksTheMessageCardForTeamsOnly) {
  ChannelOptions options;
  options.type = ChannelType::kTeams;
  EXPECT_EQ(ProviderOf(options), Provider::kTeams);
  options.legacy_connector = true;
  EXPECT_EQ(ProviderOf(options), Provider::kTeamsLegacy);
  options.type = ChannelType::kDiscord;
  EXPECT_EQ(ProviderOf(options), Provider::kDiscord);
}

TEST(RetiredFormatWarning, OnlyForTheLegacyConnector) {
  ChannelOptions options;
  options.id = "ops-teams";
  options.type = ChannelType::kTeams;
  options.url = "https://contoso.webhook.office.com/webhookb2/x";
  EXPECT_EQ(RetiredFormatWarning(options), std::nullopt);
  options.legacy_connector = true;
  const std::optional<std::string> warning = RetiredFormatWarning(options);
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("channel 'ops-teams'"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("retired"), std::string::npos) << *warning;
  EXPECT_NE(warning->find("cannot mention anyone"), std::string::npos) << *warning;
  EXPECT_EQ(warning->find("webhook.office.com"), std::string::npos) << "never the URL";
}

TEST(ReplyCategoryOf, ReadsTheCategoryInFrontOfTheReason) {
  EXPECT_EQ(ReplyCategoryOf("dead_channel:token_invalid:300001"), ReplyCategory::kDeadChannel);
  EXPECT_EQ(ReplyCategoryOf("config_error:keyword_missing"), ReplyCategory::kConfigError);
  EXPECT_EQ(ReplyCategoryOf("http_503"), std::nullopt);
  EXPECT_EQ(ReplyCategoryOf("bogus:x"), std::nullopt);
}

}  // namespace
}  // namespace kaizen::notifiers
