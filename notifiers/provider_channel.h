// ProviderChannel: the channel of a chat provider's webhook (DingTalk, Feishu/Lark, WeCom,
// Slack, Teams Workflows or Teams' legacy connector, Discord), built by MakeChannel (channel.h)
// for those channel types.
//
// One Deliver() turns the batch into the provider's request bodies (FormatForProvider, which
// may split a long digest into parts), and for each part in order: awaits the pacer (each part
// is one message to the provider's rate limit) and, when the provider said its own bucket is
// empty (Discord's X-RateLimit-Remaining 0), the bucket's reset; signs it where the channel
// has a secret (DingTalk: "timestamp" and "sign" in the query; Feishu/Lark: "timestamp" and
// "sign" at the body's top level; the others have no signature), dated by when it goes; POSTs
// it as application/json, and reads the reply with ClassifyProviderReply. It stops at the
// first part that is not delivered. A signature or timestamp refused by the provider (the
// verdict's resign_and_retry_once) gets one more send of that part, signed afresh.
//
// The outcome's answer (delivery_outcome.h) is what the provider said to the last request
// sent: status, body, its own code and message, the explanation and the latency, with the
// URL's tokens, the secret and the signatures hidden in case the provider echoed them.
//
// The outcome's reason is "<category>:<reason>", with ":<provider code>" appended when the
// reply carried one: "delivered:http_200", "retry_later:rate_limited:130101",
// "dead_channel:token_invalid:93000", "config_error:keyword_missing:310000",
// "permanent:message_too_long:460101" (categories as ToString(ReplyCategory)). The dispatcher
// reads the category from the text before the first ':' to stop a dead or misconfigured
// channel rather than just drop the message; see ReplyCategoryOf().
//
// Executor: Deliver() runs on the executor of its WebhookHttpClient (the daemon's io executor)
// and may be awaited concurrently for different batches (the dispatcher sends one at a time per
// chat channel); all state it keeps (the people whose missing handle was already logged, the
// provider's bucket) is touched only on that one thread.
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "notifiers/channel.h"
#include "notifiers/http_client.h"
#include "notifiers/provider_payload.h"
#include "notifiers/provider_reply.h"
#include "workflow/delivery_settings.h"
#include "workflow/model.h"

namespace kaizen::notifiers {

// The wire format of a channel type: kLark gives kFeishu; kWebhook gives kWebhook; kLog has
// none (nullopt).
std::optional<Provider> ProviderOf(ChannelType type);
// The wire format of a channel: its type's, except that a teams channel with
// legacy_connector posts to the retired Office 365 connector (kTeamsLegacy).
std::optional<Provider> ProviderOf(const ChannelOptions& options);

// What to tell the operator when kaizend starts (and --check-config) about a channel that
// uses a retired format: Teams' Office 365 connector. nullopt for every other channel.
std::optional<std::string> RetiredFormatWarning(const ChannelOptions& options);

// The category at the front of a DeliveryOutcome::reason written by ProviderChannel, or
// nullopt for a reason without one (the webhook and log channels).
std::optional<ReplyCategory> ReplyCategoryOf(std::string_view reason);

// The category of any channel's outcome: the one in front of its reason (ProviderChannel), else
// the verdict's own (kDelivered, kRetryLater, kPermanent) for the webhook and log channels.
ReplyCategory CategoryOf(const DeliveryOutcome& outcome);

class ProviderChannel final : public Channel {
 public:
  // `options.url` must already be a valid URL (MakeChannel checks it); `options.secret`, when
  // set, is the provider's signing secret as the product shows it (DingTalk "SEC...").
  // `directory` supplies the handles that mentions use; never null. `catalog` gives the words
  // (null: the built-in English). `clock` (which must
  // outlive the channel) gives the time of a fresh signature when a provider refuses one.
  ProviderChannel(ChannelOptions options, Provider provider,
                  std::shared_ptr<const Directory> directory, const Clock& clock,
                  std::unique_ptr<WebhookHttpClient> client, std::shared_ptr<spdlog::logger> log,
                  std::shared_ptr<const MessageCatalog> catalog = nullptr);

  const ChannelOptions& options() const override { return options_; }
  boost::asio::awaitable<DeliveryOutcome> Deliver(DeliveryBatch batch, Instant now,
                                                  SendPacer& pacer) override;
  void CloseIdleConnections() override { client_->CloseIdleConnections(); }
  // Also ends a wait for the provider's bucket.
  void Cancel() override;

 private:
  // The request of one part, signed for `now`, and the secrets it carries (the URL's tokens,
  // the secret, the signature) for hiding them from what the provider answers.
  struct SignedRequest {
    HttpRequestSpec spec;
    std::vector<std::string> secrets;
  };
  SignedRequest Request(const std::string& body, Instant now) const;
  // One request of one part, signed for `at`: the provider's verdict (its message with the
  // secrets hidden, for the log) and what it answered.
  struct Exchange {
    ProviderVerdict verdict;
    ProviderAnswer answer;
  };
  // Paces, then sends one part signed for `at`, which moves on by the time waited.
  boost::asio::awaitable<Exchange> Send(const std::string& body, Instant& at, SendPacer& pacer);
  // Waits while the provider's bucket is empty (quiet_until_); returns how long it waited.
  boost::asio::awaitable<std::chrono::milliseconds> WaitForProviderBucket();
  void NotePause(const ProviderVerdict& verdict);
  void LogMissingHandles(const ProviderMessage& part);

  ChannelOptions options_;
  Provider provider_;
  std::shared_ptr<const Directory> directory_;
  const Clock& clock_;
  std::unique_ptr<WebhookHttpClient> client_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const MessageCatalog> catalog_;  // never null
  // People already logged as lacking a handle for this provider: once per person per channel.
  std::set<std::string> missing_logged_;
  // Until then the provider's own bucket is empty (ProviderVerdict::pause_next; Discord's
  // X-RateLimit headers), on clock_'s monotonic time.
  std::chrono::steady_clock::time_point quiet_until_{};
  // The waits for the provider's bucket under way, for Cancel(); after it, nothing waits.
  std::set<boost::asio::steady_timer*> pauses_;
  bool cancelled_ = false;
};

}  // namespace kaizen::notifiers
