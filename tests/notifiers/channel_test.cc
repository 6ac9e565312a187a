// The channels of MakeChannel: the webhook channel against local HTTP and HTTPS servers (one
// io_context on the test's thread), and the log channel against a captured logger.
#include "notifiers/channel.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "notifiers/message_text.h"
#include "notifiers/provider_channel.h"
#include "notifiers/signature.h"
#include "tests/notifiers/local_http_server.h"
#include "tests/notifiers/test_pki.h"
#include "tests/support/fake_clock.h"

namespace kaizen::notifiers {
namespace {

namespace asio = boost::asio;
using testing::Always;
using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;
using namespace std::chrono_literals;

constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// A path token the logs must never show.
constexpr std::string_view kPathToken = "T00SECRET/abcdefghijklmnopqrstuvwx";

const Instant kNow = *ParseRfc3339("2026-11-27T01:00:05.750Z");

Notification Overdue(NotificationId id) {
  Notification n;
  n.id = id;
  n.idempotency_key = "rem-" + std::to_string(id) + "-overdue-ops";
  n.channel = "ops";
  n.event.kind = std::string(kNotifyOverdue);
  n.event.task_id = 42;
  n.event.task_title = "Ship v2";
  n.event.time_zone = "Asia/Shanghai";
  n.event.owner = "wangfang";
  n.event.owner_name = "Wang Fang";
  n.event.due_at = *ParseRfc3339("2026-11-26T01:00:00Z");
  n.event.recipient = "wangfang";
  n.event.recipient_name = "Wang Fang";
  return n;
}

DeliveryBatch Single() { return DeliveryBatch{"ops", "rem-17-overdue-ops", {Overdue(17)}, 1}; }

ServerReply Reply(int status, HttpHeaders headers = {}) {
  ServerReply reply;
  reply.status = status;
  reply.headers = std::move(headers);
  return reply;
}

class ChannelTest : public ::testing::Test {
 protected:
  ChannelTest() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text_);
    log_ = std::make_shared<spdlog::logger>("channel_test", sink);
    log_->set_pattern("%l %v");
  }

  ChannelOptions Webhook(std::string url) {
    ChannelOptions options;
    options.id = "ops";
    options.type = ChannelType::kWebhook;
    options.url = std::move(url);
    options.secret = std::string(kSecret);
    options.timeout = 10s;
    return options;
  }

  std::unique_ptr<Channel> Make(const ChannelOptions& options) {
    auto channel = MakeChannel(options, nullptr, clock_, io_.get_executor(), log_);
    EXPECT_TRUE(channel.ok()) << channel.status().ToString();
    return channel.ok() ? std::move(channel).value() : nullptr;
  }

  DeliveryOutcome Deliver(Channel& channel, DeliveryBatch batch) {
    std::optional<DeliveryOutcome> outcome;
    auto done = [&outcome](std::exception_ptr e, DeliveryOutcome o) {
      if (e) std::rethrow_exception(e);
      outcome = std::move(o);
    };
    // A loop that ran out of work (the log channel has none pending) stays stopped until reset.
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

TEST_F(ChannelTest, WebhookPostsTheSignedJsonEvent) {
  LocalHttpServer server(io_, Always(Reply(200)));
  auto channel = Make(Webhook(server.Url("/hooks/kaizen")));
  ASSERT_TRUE(channel);
  EXPECT_EQ(channel->options().id, "ops");

  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered);
  EXPECT_EQ(outcome.reason, "http_200");

  ASSERT_EQ(server.requests().size(), 1u);
  const ServerRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/hooks/kaizen");
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.Header("idempotency-key"), "rem-17-overdue-ops");
  EXPECT_EQ(seen.Header("webhook-id"), "rem-17-overdue-ops");
  EXPECT_EQ(seen.Header("webhook-timestamp"), "1795741205");  // kNow in whole seconds

  // What a receiver does: recompute over the exact bytes received.
  auto expected = StandardWebhookSignature(kSecret, seen.Header("webhook-id"),
                                           std::stoll(seen.Header("webhook-timestamp")), seen.body);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(seen.Header("webhook-signature"), *expected);
  EXPECT_TRUE(seen.Header("webhook-signature").starts_with("v1,"));

  auto body = nlohmann::json::parse(seen.body);
  EXPECT_EQ(body["type"], "kaizen.overdue");
  EXPECT_EQ(body["id"], "rem-17-overdue-ops");
  EXPECT_EQ(body["data"]["notification_id"], 17);
  EXPECT_EQ(body["data"]["message"], MessageText(Overdue(17).event, kNow));
}

TEST_F(ChannelTest, WebhookWithoutSecretSendsNoSignature) {
  LocalHttpServer server(io_, Always(Reply(204)));
  ChannelOptions options = Webhook(server.Url("/hooks/kaizen"));
  options.secret.reset();
  auto channel = Make(options);
  ASSERT_TRUE(channel);
  DeliveryBatch digest{"ops", "batch-17-ops", {Overdue(17), Overdue(18)}, 2};
  EXPECT_EQ(Deliver(*channel, digest).verdict, DeliveryVerdict::kDelivered);
  ASSERT_EQ(server.requests().size(), 1u);
  const ServerRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.Header("webhook-signature"), "");
  EXPECT_EQ(seen.Header("webhook-id"), "batch-17-ops");
  EXPECT_EQ(seen.Header("idempotency-key"), "batch-17-ops");
  auto body = nlohmann::json::parse(seen.body);
  EXPECT_EQ(body["type"], "kaizen.digest");
  EXPECT_EQ(body["data"]["count"], 2);
  EXPECT_EQ(body["data"]["items"][1]["attempt"], 2);
}

TEST_F(ChannelTest, TooManyRequestsRetriesAfterWhatTheServerAsked) {
  LocalHttpServer server(io_, Always(Reply(429, {{"Retry-After", "30"}})));
  auto channel = Make(Webhook(server.Url("/hooks/kaizen")));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.retry_after, std::chrono::seconds(30));
  EXPECT_EQ(outcome.reason, "http_429");
}

TEST_F(ChannelTest, ServerErrorRetriesLaterAndLogsTheUrlRedacted) {
  LocalHttpServer server(io_, Always(Reply(500)));
  const std::string url = server.Url("/services/" + std::string(kPathToken));
  auto channel = Make(Webhook(url));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_FALSE(outcome.retry_after.has_value());
  EXPECT_EQ(outcome.reason, "http_500");
  EXPECT_NE(Logged().find("warning [ops]"), std::string::npos) << Logged();
  EXPECT_NE(Logged().find("http_500"), std::string::npos) << Logged();
  EXPECT_NE(Logged().find("/services/***"), std::string::npos) << Logged();
  EXPECT_EQ(Logged().find("abcdefghijklmnopqrstuvwx"), std::string::npos) << Logged();
}

TEST_F(ChannelTest, BadRequestIsPermanent) {
  LocalHttpServer server(io_, Always(Reply(400)));
  auto channel = Make(Webhook(server.Url("/hooks/kaizen")));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kPermanent);
  EXPECT_EQ(outcome.reason, "http_400");
}

TEST_F(ChannelTest, HttpsTrustsTheConfiguredCaFile) {
  testing::TestPki pki = testing::MakeTestPki();
  LocalHttpServer server(io_, Always(Reply(202)), pki.server);
  ChannelOptions options = Webhook(server.Url("/hooks/kaizen"));
  options.ca_file = testing::WriteTempFile("channel-ca.pem", pki.ca_certificate_pem);
  auto channel = Make(options);
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered);
  EXPECT_EQ(outcome.reason, "http_202");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].Header("webhook-id"), "rem-17-overdue-ops");
}

TEST_F(ChannelTest, HttpsWithAnUntrustedCertificateRetriesLater) {
  testing::TestPki pki = testing::MakeTestPki();
  testing::TestPki other = testing::MakeTestPki();
  LocalHttpServer server(io_, Always(Reply(200)), pki.server);
  ChannelOptions options = Webhook(server.Url("/hooks/kaizen"));
  options.ca_file = testing::WriteTempFile("other-ca.pem", other.ca_certificate_pem);
  auto channel = Make(options);
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.reason, "certificate_verify_failed");
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(ChannelTest, MakeChannelRefusesBadWebhookSettingsWithoutShowingSecrets) {
  ChannelOptions options = Webhook("ftp://hooks.example.test/services/" + std::string(kPathToken));
  auto bad_url = MakeChannel(options, nullptr, clock_, io_.get_executor(), log_);
  ASSERT_FALSE(bad_url.ok());
  EXPECT_EQ(bad_url.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_url.status().reason(), "invalid_channel");
  EXPECT_NE(bad_url.status().message().find("'ops'"), std::string::npos);
  EXPECT_EQ(bad_url.status().message().find("abcdefghijklmnopqrstuvwx"), std::string::npos);

  options = Webhook("https://hooks.example.test/x");
  options.secret = "whsec_not base64!";
  auto bad_secret = MakeChannel(options, nullptr, clock_, io_.get_executor(), log_);
  ASSERT_FALSE(bad_secret.ok());
  EXPECT_EQ(bad_secret.status().reason(), "invalid_channel");
  EXPECT_EQ(bad_secret.status().message().find("not base64"), std::string::npos);

  options = Webhook("https://hooks.example.test/x");
  options.ca_file = testing::WriteTempFile("not-a-ca.pem", "hello");
  auto bad_ca = MakeChannel(options, nullptr, clock_, io_.get_executor(), log_);
  ASSERT_FALSE(bad_ca.ok());
  EXPECT_EQ(bad_ca.status().reason(), "invalid_channel");
}

TEST_F(ChannelTest, LogChannelWritesTheMessageAndIsDelivered) {
  ChannelOptions options;
  options.id = "log-main";
  options.type = ChannelType::kLog;
  auto channel = Make(options);
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, Single());
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered);
  EXPECT_EQ(outcome.reason, "logged");
  EXPECT_EQ(Logged(), "info [log-main] " + MessageText(Overdue(17).event, kNow) + "\n");

  log_text_.str("");
  DeliveryBatch digest{"log-main", "batch-17-log-main", {Overdue(17), Overdue(18)}, 1};
  EXPECT_EQ(Deliver(*channel, digest).verdict, DeliveryVerdict::kDelivered);
  EXPECT_EQ(Logged(), "info [log-main] " + DigestText(digest.items, kNow) + "\n");
}

// ---- Channel tests and what the receiver answered ---------------------------------------

TEST_F(ChannelTest, WebhookOutcomeCarriesTheAnswerWithSecretsHidden) {
  // A receiver that echoes the signature it got and the URL's token in its error.
  LocalHttpServer server(io_, [this](const ServerRequest& request) {
    clock_.Advance(45ms);
    ServerReply reply = Reply(503, {{"Retry-After", "12"}});
    reply.body =
        "maintenance; you sent " + request.Header("webhook-signature") + " to " + request.target;
    return reply;
  });
  auto channel = Make(Webhook(server.Url("/services/" + std::string(kPathToken))));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, ChannelTestBatch("ops", kNow));
  EXPECT_EQ(outcome.reason, "http_503");
  EXPECT_EQ(ToString(CategoryOf(outcome)), "retry_later");
  EXPECT_EQ(outcome.retry_after, std::chrono::seconds(12));
  ASSERT_TRUE(outcome.answer);
  const ProviderAnswer& answer = *outcome.answer;
  EXPECT_EQ(answer.http_status, 503);
  EXPECT_EQ(answer.latency, 45ms);
  EXPECT_EQ(answer.parts, 1);
  EXPECT_EQ(answer.requests, 1);
  EXPECT_EQ(answer.provider_code, std::nullopt);
  EXPECT_NE(answer.explanation.find("HTTP 503"), std::string::npos) << answer.explanation;
  const std::string signature = server.requests().at(0).Header("webhook-signature");
  ASSERT_FALSE(signature.empty());
  EXPECT_EQ(answer.body, "maintenance; you sent *** to /services/***/***");
  for (const std::string& text : {answer.body, answer.explanation, Logged()}) {
    EXPECT_EQ(text.find(signature.substr(3)), std::string::npos) << text;
    EXPECT_EQ(text.find("abcdefghijklmnopqrstuvwx"), std::string::npos) << text;
    EXPECT_EQ(text.find(kSecret.substr(6)), std::string::npos) << text;
  }
}

TEST_F(ChannelTest, ChannelTestBatchIsOneMessageToTheWholeChatUnderATestKey) {
  DeliveryBatch batch = ChannelTestBatch("ops.eu", kNow);
  EXPECT_EQ(batch.channel, "ops.eu");
  EXPECT_EQ(batch.idempotency_key, "test-ops_eu-1795741205750");
  EXPECT_EQ(batch.attempt, 1);
  ASSERT_EQ(batch.items.size(), 1u);
  const Notification& n = batch.items[0];
  EXPECT_EQ(n.id, 0);
  EXPECT_EQ(n.idempotency_key, batch.idempotency_key);
  EXPECT_EQ(n.event.kind, kNotifyChannelTest);
  EXPECT_EQ(n.event.recipient_kind, RecipientKind::kTeam);
  EXPECT_FALSE(n.event.mention_all);
  EXPECT_EQ(MessageText(n.event, kNow),
            "Test message from kaizen for channel \"ops.eu\": if you can read this, it works.");

  // A webhook receives it as its own event type, under the test key.
  LocalHttpServer server(io_, Always(Reply(200)));
  auto channel = Make(Webhook(server.Url("/hooks/kaizen")));
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, batch);
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered);
  ASSERT_TRUE(outcome.answer);
  EXPECT_EQ(outcome.answer->http_status, 200);
  EXPECT_EQ(outcome.answer->explanation, "the webhook accepted the message (HTTP 200)");
  auto body = nlohmann::json::parse(server.requests().at(0).body);
  EXPECT_EQ(body["type"], "kaizen.channel_test");
  EXPECT_EQ(body["id"], "test-ops_eu-1795741205750");
  EXPECT_EQ(server.requests().at(0).Header("idempotency-key"), "test-ops_eu-1795741205750");
  EXPECT_EQ(body["data"]["message"],
            "Test message from kaizen for channel \"ops.eu\": if you can read this, it works.");
}

TEST_F(ChannelTest, LogChannelHasNoAnswer) {
  ChannelOptions options;
  options.id = "log";
  options.type = ChannelType::kLog;
  auto channel = Make(options);
  ASSERT_TRUE(channel);
  DeliveryOutcome outcome = Deliver(*channel, ChannelTestBatch("log", kNow));
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered);
  EXPECT_FALSE(outcome.answer.has_value());
  EXPECT_EQ(ToString(CategoryOf(outcome)), "delivered");
  EXPECT_EQ(
      Logged(),
      "info [log] Test message from kaizen for channel \"log\": if you can read this, it works.\n");
}

}  // namespace
}  // namespace kaizen::notifiers
