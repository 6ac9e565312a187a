#include "notifiers/provider_channel.h"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <utility>

#include "notifiers/provider_payload.h"
#include "notifiers/signature.h"
#include "notifiers/url.h"

namespace kaizen::notifiers {
namespace {

namespace asio = boost::asio;

constexpr ReplyCategory kAllCategories[] = {ReplyCategory::kDelivered, ReplyCategory::kRetryLater,
                                            ReplyCategory::kPermanent, ReplyCategory::kDeadChannel,
                                            ReplyCategory::kConfigError};

// DingTalk's signed URL: the stored URL (never one signed before, so it cannot grow) with the
// signed query appended. The fragment is never sent, so it is dropped rather than followed by
// the query.
std::string DingTalkSignedUrl(std::string_view url, std::string_view secret, Instant now) {
  if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
  const std::int64_t ms =
      std::chrono::floor<std::chrono::milliseconds>(now).time_since_epoch().count();
  std::string out(url);
  out += url.find('?') == std::string_view::npos ? '?' : '&';
  out += DingTalkSignedQuery(secret, ms);
  return out;
}

// Feishu/Lark's signed body: "timestamp" and "sign" (`signature`, for `now`) first at the top
// level, the rest of the body's bytes untouched. FormatForProvider leaves room for them and
// always writes a non-empty JSON object; Base64 and digits need no JSON escaping.
std::string FeishuSignedBody(std::string_view body, std::string_view signature, Instant now) {
  const std::int64_t s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  std::string out =
      "{\"timestamp\":\"" + std::to_string(s) + "\",\"sign\":\"" + std::string(signature) + "\",";
  out.append(body.substr(1));  // after the opening '{'
  return out;
}

std::string Reason(const ProviderVerdict& verdict) {
  std::string reason = std::string(ToString(verdict.category)) + ":" + verdict.reason;
  if (verdict.provider_code) reason += ":" + std::to_string(*verdict.provider_code);
  return reason;
}

}  // namespace

ReplyCategory CategoryOf(const DeliveryOutcome& outcome) {
  if (std::optional<ReplyCategory> category = ReplyCategoryOf(outcome.reason)) return *category;
  switch (outcome.verdict) {
    case DeliveryVerdict::kDelivered: return ReplyCategory::kDelivered;
    case DeliveryVerdict::kRetryLater: return ReplyCategory::kRetryLater;
    case DeliveryVerdict::kPermanent: return ReplyCategory::kPermanent;
  }
  return ReplyCategory::kPermanent;
}

std::optional<Provider> ProviderOf(ChannelType type) {
  switch (type) {
    case ChannelType::kWebhook: return Provider::kWebhook;
    case ChannelType::kLog: return std::nullopt;
    case ChannelType::kDingTalk: return Provider::kDingTalk;
    case ChannelType::kFeishu:
    case ChannelType::kLark: return Provider::kFeishu;
    case ChannelType::kWeCom: return Provider::kWeCom;
    case ChannelType::kSlack: return Provider::kSlack;
    case ChannelType::kTeams: return Provider::kTeams;
    case ChannelType::kDiscord: return Provider::kDiscord;
  }
  return std::nullopt;
}

std::optional<Provider> ProviderOf(const ChannelOptions& options) {
  if (options.type == ChannelType::kTeams && options.legacy_connector) {
    return Provider::kTeamsLegacy;
  }
  return ProviderOf(options.type);
}

std::optional<std::string> RetiredFormatWarning(const ChannelOptions& options) {
  if (ProviderOf(options) != Provider::kTeamsLegacy) return std::nullopt;
  // The opt-in is deliberate, but it is on borrowed time, and nobody is ever pinged.
  return "channel '" + options.id +
         "' posts to a Microsoft Teams Office 365 connector (legacy_connector): Microsoft has "
         "retired that format and may switch it off at any time, and its MessageCard cannot "
         "mention anyone; move the channel to a Workflows webhook";
}

std::optional<ReplyCategory> ReplyCategoryOf(std::string_view reason) {
  const auto colon = reason.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  for (ReplyCategory category : kAllCategories) {
    if (reason.substr(0, colon) == ToString(category)) return category;
  }
  return std::nullopt;
}

ProviderChannel::ProviderChannel(ChannelOptions options, Provider provider,
                                 std::shared_ptr<const Directory> directory, const Clock& clock,
                                 std::unique_ptr<WebhookHttpClient> client,
                                 std::shared_ptr<spdlog::logger> log,
                                 std::shared_ptr<const MessageCatalog> catalog)
    : options_(std::move(options)),
      provider_(provider),
      directory_(std::move(directory)),
      clock_(clock),
      client_(std::move(client)),
      log_(std::move(log)),
      catalog_(catalog ? std::move(catalog)
                       : std::shared_ptr<const MessageCatalog>(std::shared_ptr<void>(),
                                                               &DefaultMessageCatalog())) {}

ProviderChannel::SignedRequest ProviderChannel::Request(const std::string& body,
                                                        Instant now) const {
  SignedRequest request;
  HttpRequestSpec& spec = request.spec;
  spec.url = options_.url;
  spec.body = body;
  spec.headers = {{"Content-Type", "application/json"}};
  request.secrets = UrlSecrets(options_.url);
  if (!options_.secret) return request;
  request.secrets.push_back(*options_.secret);
  switch (provider_) {
    case Provider::kDingTalk:
      spec.url = DingTalkSignedUrl(options_.url, *options_.secret, now);
      // The signed query's "sign", as sent and decoded.
      for (std::string& secret : UrlSecrets(spec.url)) request.secrets.push_back(std::move(secret));
      break;
    case Provider::kFeishu: {
      const std::int64_t s =
          std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
      std::string signature = FeishuSignature(*options_.secret, s);
      spec.body = FeishuSignedBody(body, signature, now);
      request.secrets.push_back(std::move(signature));
      break;
    }
    case Provider::kWebhook:  // MakeChannel gives kWebhook to WebhookChannel, never here
    case Provider::kWeCom:
    case Provider::kSlack:
    case Provider::kTeams:
    case Provider::kTeamsLegacy:
    case Provider::kDiscord: break;  // no signature: the URL is the credential
  }
  return request;
}

void ProviderChannel::LogMissingHandles(const ProviderMessage& part) {
  for (const std::string& person : part.missing_handles) {
    if (!missing_logged_.insert(person).second) continue;
    log_->warn("[{}] '{}' has no {} handle: named in plain text, not mentioned", options_.id,
               person, ToString(provider_));
  }
}

asio::awaitable<std::chrono::milliseconds> ProviderChannel::WaitForProviderBucket() {
  const auto now = clock_.MonotonicNow();
  if (cancelled_ || quiet_until_ <= now) co_return std::chrono::milliseconds::zero();
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(quiet_until_ - now);
  log_->debug("[{}] {} said its rate-limit bucket is empty: the next request waits {} ms",
              options_.id, ToString(provider_), wait.count());
  asio::steady_timer pause(co_await asio::this_coro::executor);
  pause.expires_after(wait);
  pauses_.insert(&pause);
  boost::system::error_code ec;
  co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  pauses_.erase(&pause);
  co_return wait;
}

void ProviderChannel::Cancel() {
  cancelled_ = true;
  client_->Cancel();
  for (asio::steady_timer* pause : pauses_) pause->cancel();
}

void ProviderChannel::NotePause(const ProviderVerdict& verdict) {
  if (verdict.pause_next) quiet_until_ = clock_.MonotonicNow() + *verdict.pause_next;
}

asio::awaitable<ProviderChannel::Exchange> ProviderChannel::Send(const std::string& body,
                                                                 Instant& at, SendPacer& pacer) {
  // Each request is one message to the provider's rate limit; `at` moves on by the waits, so
  // the signature is dated by when the request really goes.
  at += co_await pacer.BeforeSend();
  at += co_await WaitForProviderBucket();
  SignedRequest request = Request(body, at);
  const auto started = clock_.MonotonicNow();
  HttpResult result = co_await client_->Send(std::move(request.spec));
  const auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.MonotonicNow() - started);
  Exchange exchange;
  exchange.verdict = ClassifyProviderReply(provider_, result, at);
  exchange.answer = DescribeReply(provider_, result, exchange.verdict, request.secrets);
  exchange.answer.latency = latency;
  // The provider's words go to the log too: hidden there as in the answer.
  exchange.verdict.message = HideSecrets(exchange.verdict.message, request.secrets);
  NotePause(exchange.verdict);
  co_return exchange;
}

asio::awaitable<DeliveryOutcome> ProviderChannel::Deliver(DeliveryBatch batch, Instant now,
                                                          SendPacer& pacer) {
  const Locale locale = batch.items.empty()
                            ? catalog_->LocaleFor(options_.locale, "")
                            : catalog_->LocaleFor(options_.locale, batch.items.front().event.team);
  const std::vector<ProviderMessage> parts =
      FormatForProvider(provider_, batch, *directory_, now, *catalog_, locale);
  // Every part's verdict is the batch's until one fails. A failed part fails the batch, and its
  // retry resends the whole batch: parts already delivered are posted again (chat providers
  // take no idempotency key), so delivery is at least once, never lost.
  DeliveryOutcome outcome{DeliveryVerdict::kPermanent, std::nullopt, "permanent:empty_batch"};
  Instant at = now;
  int requests = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    LogMissingHandles(parts[i]);
    Exchange exchange = co_await Send(parts[i].body, at, pacer);
    ++requests;
    if (exchange.verdict.resign_and_retry_once) {
      // A refused signature timestamp: the page advises one fresh signature before calling it
      // a config error. Fresh means the clock's time now, and never the refused one again; the
      // request is rebuilt from the stored URL, so the signed URL never grows.
      at = std::max(clock_.Now(), at + std::chrono::milliseconds(1));
      log_->info(
          "[{}] {} refused the signature's timestamp; signing afresh and sending once "
          "more",
          options_.id, ToString(provider_));
      exchange = co_await Send(parts[i].body, at, pacer);
      ++requests;
    }
    const ProviderVerdict& verdict = exchange.verdict;
    outcome.verdict = verdict.verdict;
    outcome.retry_after = verdict.retry_after;
    outcome.reason = Reason(verdict);
    outcome.answer = std::move(exchange.answer);
    outcome.answer->parts = static_cast<int>(parts.size());
    outcome.answer->requests = requests;
    if (verdict.verdict != DeliveryVerdict::kDelivered) {
      log_->warn("[{}] {} delivery of {} (part {}/{}, {} item(s), attempt {}) to {} failed: {}{}",
                 options_.id, ToString(provider_), batch.idempotency_key, i + 1, parts.size(),
                 batch.items.size(), batch.attempt, RedactUrl(options_.url), outcome.reason,
                 verdict.message.empty() ? "" : " (" + verdict.message + ")");
      co_return outcome;
    }
  }
  co_return outcome;
}

}  // namespace kaizen::notifiers
