// Chat providers, and what one provider's reply to a delivery attempt means.
//
// ClassifyDelivery (delivery_outcome.h) reads an answer by its HTTP status; chat providers need
// more: DingTalk, Feishu/Lark and WeCom answer HTTP 200 to failures and put the result in a JSON
// code, Discord puts its wait in the body, and a revoked token or a refused keyword must not be
// retried like a server fault. ClassifyProviderReply sorts every reply into one of five
// categories, from the facts in docs/webhook-formats.md (sections 0 to 7) and nothing else.
//
// Pure functions: "now" is a value (for a Retry-After given as a date). Any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notifiers/delivery_outcome.h"
#include "notifiers/http_client.h"
#include "workflow/time.h"

namespace kaizen::notifiers {

// The wire format of a channel. Lark is Feishu on another host: same payload, same replies.
// kTeams is the Workflows webhook (Adaptive Card); kTeamsLegacy the retired Office 365
// connector (MessageCard), used only by a teams channel with "legacy_connector": true.
enum class Provider {
  kWebhook,
  kDingTalk,
  kFeishu,
  kWeCom,
  kSlack,
  kTeams,
  kTeamsLegacy,
  kDiscord,
};

// "webhook", "dingtalk", "feishu", "wecom", "slack", "teams", "teams_legacy", "discord".
std::string_view ToString(Provider provider);
// The names above, and "lark" for kFeishu; exact lower case. nullopt for anything else.
std::optional<Provider> ParseProvider(std::string_view name);

enum class ReplyCategory {
  kDelivered,    // the provider accepted the message
  kRetryLater,   // throttled, a server fault, the network, or a reply we cannot read
  kPermanent,    // this message will never be accepted (too long, malformed); others may be
  kDeadChannel,  // the token, key or hook is revoked or gone: no message can get through
  kConfigError,  // a security setting refused us (keyword, IP allow-list, signature)
};

// "delivered", "retry_later", "permanent", "dead_channel", "config_error".
std::string_view ToString(ReplyCategory category);

// DeliveryOutcome plus what the provider said. The base's verdict follows the category:
// kDelivered and kRetryLater map to themselves; kPermanent, kDeadChannel and kConfigError are
// all DeliveryVerdict::kPermanent for this attempt, and the category tells the dispatcher
// whether the channel (not just this message) is to be stopped. retry_after is set only for
// kRetryLater, when the provider gave or documents a wait. reason is stable and short:
// "http_503", "timeout" and the like from ClassifyDelivery when the HTTP status or the
// transport decided; otherwise a provider-independent name such as "rate_limited",
// "message_too_long", "token_invalid", "keyword_missing", "ip_not_allowed",
// "signature_refused", "timestamp_refused", "unreadable_reply", "error_code" (a code the page
// does not list).
struct ProviderVerdict : DeliveryOutcome {
  ReplyCategory category = ReplyCategory::kPermanent;
  // The provider's JSON result code (errcode, code) when the reply carried one.
  std::optional<std::int64_t> provider_code;
  // The signature or its timestamp was refused, which a skewed clock also causes: the page
  // advises one more attempt with a fresh signature before treating it as a config error.
  // Only ever set with kConfigError.
  bool resign_and_retry_once = false;
  // For an operator: which provider, what it said (its own error text, shortened, never the
  // URL) and what to do. Empty when delivered.
  std::string message;
  // The provider says its rate-limit bucket for this webhook is empty (Discord:
  // X-RateLimit-Remaining 0, with X-RateLimit-Reset-After): the channel's next request waits
  // this long, whatever this reply's verdict, or it would earn a 429. Unset otherwise.
  std::optional<std::chrono::milliseconds> pause_next;
};

// The verdict on `result`, a reply from `provider`'s webhook (see the .cc for the per-provider
// tables). Network errors, timeouts, 408, 429 and 5xx retry later (with Retry-After or the
// provider's own wait); an invalid URL is a configuration error. For DingTalk, Feishu and WeCom
// the JSON code decides whenever the body has one, whatever the status, and a 2xx without a
// readable code retries later (the message may not have been posted). For kTeamsLegacy only a
// 2xx whose body is "1" is delivered. For kWebhook this is ClassifyDelivery, with 410
// (Standard Webhooks: "disable the endpoint") a dead channel.
ProviderVerdict ClassifyProviderReply(Provider provider, const HttpResult& result, Instant now);

// What `result`, a reply from `provider` judged `verdict`, said, for an operator: the status or
// the network error, the body (cut to ProviderAnswer::kMaxBodyBytes), the provider's own code
// and message (errcode/errmsg, code/msg, Discord's code/message, Slack's and Teams' text), and
// verdict.message as the explanation ("<provider> accepted the message (HTTP 200)" when
// delivered). Every text has `secrets` hidden (HideSecrets) before it is cut. latency, parts
// and requests are left for the caller, which measured them.
ProviderAnswer DescribeReply(Provider provider, const HttpResult& result,
                             const ProviderVerdict& verdict,
                             const std::vector<std::string>& secrets);

// `text` cut to at most `max_bytes` at a character boundary, invalid UTF-8 replaced by U+FFFD;
// `truncated` (when given) says whether anything was cut.
std::string Utf8Prefix(std::string_view text, std::size_t max_bytes, bool* truncated = nullptr);

}  // namespace kaizen::notifiers
