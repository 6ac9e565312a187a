// The channel types of channel.h: LogChannel and WebhookChannel here, ProviderChannel in
// provider_channel.cc; MakeChannel picks one.
#include "notifiers/channel.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "notifiers/http_client.h"
#include "notifiers/message_text.h"
#include "notifiers/provider_channel.h"
#include "notifiers/provider_reply.h"
#include "notifiers/signature.h"
#include "notifiers/url.h"
#include "notifiers/webhook_payload.h"

namespace kaizen::notifiers {
namespace {

namespace asio = boost::asio;

// A new connection gets at most this of an attempt's time; the rest is for the answer.
constexpr std::chrono::milliseconds kMaxConnectTimeout{10'000};

std::string Text(const DeliveryBatch& batch, Instant now, const MessageCatalog& catalog,
                 std::optional<Locale> channel_locale) {
  if (batch.items.empty()) return "";
  const Locale locale = catalog.LocaleFor(channel_locale, batch.items.front().event.team);
  if (batch.items.size() == 1) return catalog.Text(batch.items.front().event, locale, now);
  return catalog.DigestText(batch.items, locale, now);
}

// Writes each message to the log; for setups without a chat and for trying kaizen out.
class LogChannel final : public Channel {
 public:
  LogChannel(ChannelOptions options, std::shared_ptr<spdlog::logger> log,
             std::shared_ptr<const MessageCatalog> catalog)
      : options_(std::move(options)), log_(std::move(log)), catalog_(std::move(catalog)) {}

  const ChannelOptions& options() const override { return options_; }

  asio::awaitable<DeliveryOutcome> Deliver(DeliveryBatch batch, Instant now,
                                           SendPacer& pacer) override {
    now += co_await pacer.BeforeSend();
    log_->info("[{}] {}", options_.id, Text(batch, now, *catalog_, options_.locale));
    DeliveryOutcome outcome;
    outcome.verdict = DeliveryVerdict::kDelivered;
    outcome.reason = "logged";
    co_return outcome;
  }

 private:
  ChannelOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const MessageCatalog> catalog_;
};

// POSTs the Standard Webhooks JSON event, signed when the channel has a secret.
class WebhookChannel final : public Channel {
 public:
  WebhookChannel(ChannelOptions options, const Clock& clock,
                 std::unique_ptr<WebhookHttpClient> client, std::shared_ptr<spdlog::logger> log,
                 std::shared_ptr<const MessageCatalog> catalog)
      : options_(std::move(options)),
        clock_(clock),
        client_(std::move(client)),
        log_(std::move(log)),
        catalog_(std::move(catalog)) {}

  const ChannelOptions& options() const override { return options_; }

  asio::awaitable<DeliveryOutcome> Deliver(DeliveryBatch batch, Instant now,
                                           SendPacer& pacer) override {
    // The body's timestamp and the signature are of the moment the request goes.
    now += co_await pacer.BeforeSend();
    HttpRequestSpec spec;
    spec.url = options_.url;
    const Locale locale =
        batch.items.empty() ? catalog_->LocaleFor(options_.locale, "")
                            : catalog_->LocaleFor(options_.locale, batch.items.front().event.team);
    spec.body = WebhookBody(batch, now, *catalog_, locale);
    // The timestamp is the attempt's, so every retry is signed afresh (the id stays).
    const std::int64_t unix_seconds =
        std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
    spec.headers = {{"Content-Type", "application/json"},
                    {"Idempotency-Key", batch.idempotency_key},
                    {"webhook-id", batch.idempotency_key},
                    {"webhook-timestamp", std::to_string(unix_seconds)}};
    // Hidden from what the receiver answers, should it echo them.
    std::vector<std::string> secrets = UrlSecrets(options_.url);
    if (options_.secret) {
      auto signature = StandardWebhookSignature(*options_.secret, batch.idempotency_key,
                                                unix_seconds, spec.body);
      if (!signature.ok()) {
        // MakeChannel checked the secret; an unusable one now is a bug, not a network matter.
        log_->error("[{}] cannot sign the webhook: {}", options_.id, signature.status().message());
        co_return DeliveryOutcome{DeliveryVerdict::kPermanent, std::nullopt, "invalid_secret"};
      }
      secrets.push_back(*options_.secret);
      secrets.push_back(*signature);
      spec.headers.emplace_back("webhook-signature", std::move(signature).value());
    }

    const auto started = clock_.MonotonicNow();
    HttpResult result = co_await client_->Send(std::move(spec));
    const auto latency =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.MonotonicNow() - started);
    DeliveryOutcome outcome = ClassifyDelivery(result, now);
    // 410 is Standard Webhooks' "disable this endpoint": the channel, not the message, is gone,
    // and the dispatcher holds its messages when the reason says so.
    if (ProviderVerdict verdict = ClassifyProviderReply(Provider::kWebhook, result, now);
        verdict.category == ReplyCategory::kDeadChannel) {
      outcome.reason = std::string(ToString(verdict.category)) + ":" + verdict.reason;
    }
    // The verdict stays ClassifyDelivery's; the provider reading only words the answer.
    outcome.answer = DescribeReply(Provider::kWebhook, result,
                                   ClassifyProviderReply(Provider::kWebhook, result, now), secrets);
    outcome.answer->latency = latency;
    outcome.answer->parts = 1;
    outcome.answer->requests = 1;
    if (outcome.verdict != DeliveryVerdict::kDelivered) {
      log_->warn(
          "[{}] webhook {} of {} ({} item(s), attempt {}) to {} failed: {}{}", options_.id,
          outcome.verdict == DeliveryVerdict::kRetryLater ? "delivery" : "delivery refused",
          batch.idempotency_key, batch.items.size(), batch.attempt, RedactUrl(options_.url),
          outcome.reason,
          result.error.ok() ? "" : " (" + HideSecrets(result.error.message(), secrets) + ")");
    }
    co_return outcome;
  }

  void CloseIdleConnections() override { client_->CloseIdleConnections(); }
  void Cancel() override { client_->Cancel(); }

 private:
  ChannelOptions options_;
  const Clock& clock_;
  std::unique_ptr<WebhookHttpClient> client_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const MessageCatalog> catalog_;
};

class Unpaced final : public SendPacer {
 public:
  asio::awaitable<std::chrono::milliseconds> BeforeSend() override {
    co_return std::chrono::milliseconds::zero();
  }
};

Status InvalidChannel(const ChannelOptions& options, std::string_view why) {
  return InvalidArgument("invalid_channel", "channel '" + options.id + "': " + std::string(why));
}

// The HTTP client of a webhook or chat channel, after checking its URL.
Result<std::unique_ptr<WebhookHttpClient>> MakeClient(const ChannelOptions& options,
                                                      asio::any_io_executor executor) {
  // ParseUrl's message shows the URL redacted already.
  if (auto url = ParseUrl(options.url); !url.ok()) {
    return InvalidChannel(options, url.status().message());
  }
  WebhookHttpClientOptions client_options;
  client_options.ca_file = options.ca_file;
  client_options.total_timeout = options.timeout;
  client_options.connect_timeout = std::min(options.timeout, kMaxConnectTimeout);
  auto client = WebhookHttpClient::Create(std::move(executor), std::move(client_options));
  if (!client.ok()) return InvalidChannel(options, client.status().message());
  return client;
}

}  // namespace

DeliveryBatch ChannelTestBatch(std::string_view channel, Instant now) {
  // '.' is kept out of keys, as in BatchKey: Standard Webhooks ids must not contain it.
  std::string key = "test-";
  for (char c : channel) key += c == '.' ? '_' : c;
  key += "-" + std::to_string(
                   std::chrono::floor<std::chrono::milliseconds>(now).time_since_epoch().count());
  Notification n;
  n.idempotency_key = key;
  n.channel = std::string(channel);
  n.event.kind = std::string(kNotifyChannelTest);
  n.event.recipient_kind = RecipientKind::kTeam;
  n.event.recipient = std::string(channel);
  n.event.facts = {{"channel", std::string(channel)}};
  n.event.actor = "api";
  n.event.occurred_at = now;
  n.state = NotificationState::kDelivering;
  n.attempts = 1;
  n.created_at = now;
  n.next_attempt_at = now;
  n.updated_at = now;
  return DeliveryBatch{std::string(channel), std::move(key), {std::move(n)}, 1};
}

SendPacer& NoPacing() {
  static Unpaced unpaced;
  return unpaced;
}

Result<std::unique_ptr<Channel>> MakeChannel(const ChannelOptions& options,
                                             std::shared_ptr<const Directory> directory,
                                             const Clock& clock, asio::any_io_executor executor,
                                             std::shared_ptr<spdlog::logger> log,
                                             std::shared_ptr<const MessageCatalog> catalog) {
  if (!log) log = spdlog::default_logger();
  // The built-in catalog lives as long as the process: a pointer that owns nothing.
  if (!catalog)
    catalog =
        std::shared_ptr<const MessageCatalog>(std::shared_ptr<void>(), &DefaultMessageCatalog());
  if (!directory) directory = std::make_shared<const Directory>();
  if (options.legacy_connector && options.type != ChannelType::kTeams) {
    return InvalidChannel(options, "only a teams channel takes legacy_connector");
  }
  switch (options.type) {
    case ChannelType::kLog:
      return std::unique_ptr<Channel>(
          std::make_unique<LogChannel>(options, std::move(log), std::move(catalog)));
    case ChannelType::kWebhook: {
      auto client = MakeClient(options, std::move(executor));
      if (!client.ok()) return client.status();
      if (options.secret && !IsValidStandardWebhookSecret(*options.secret)) {
        return InvalidChannel(options,
                              "the secret must be \"whsec_\" and the base64 of 24 to 64 bytes");
      }
      return std::unique_ptr<Channel>(std::make_unique<WebhookChannel>(
          options, clock, std::move(client).value(), std::move(log), std::move(catalog)));
    }
    case ChannelType::kWeCom:
    case ChannelType::kSlack:
    case ChannelType::kTeams:
    case ChannelType::kDiscord:
      // These providers have no signature; a secret configured here would give a false sense
      // of protection (their URL is the credential).
      if (options.secret) {
        return InvalidChannel(options, std::string(ToString(options.type)) +
                                           " webhooks are not signed: remove the secret");
      }
      [[fallthrough]];
    case ChannelType::kDingTalk:
    case ChannelType::kFeishu:
    case ChannelType::kLark: {
      auto client = MakeClient(options, std::move(executor));
      if (!client.ok()) return client.status();
      if (options.secret && options.secret->empty()) {
        return InvalidChannel(options, "the signing secret is empty");
      }
      return std::unique_ptr<Channel>(std::make_unique<ProviderChannel>(
          options, *ProviderOf(options), std::move(directory), clock, std::move(client).value(),
          std::move(log), std::move(catalog)));
    }
  }
  return InvalidChannel(options, "unknown channel type");
}

}  // namespace kaizen::notifiers
