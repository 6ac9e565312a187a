// Delivery settings: the channels notifications go to and how the dispatcher delivers them.
// Plain values, filled in by config/ and read by notifiers/ and daemon/; kept in workflow/ so
// that neither of those depends on the other.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "workflow/messages.h"

namespace kaizen {

// A destination of notifications (section "channels", keyed by id).
enum class ChannelType {
  kWebhook,
  kLog,
  kDingTalk,
  kFeishu,
  kLark,  // Feishu's format on the Lark host
  kWeCom,
  kSlack,
  kTeams,
  kDiscord,
};
// "webhook", "log", "dingtalk", "feishu", "lark", "wecom", "slack", "teams", "discord".
std::string_view ToString(ChannelType type);
std::optional<ChannelType> ParseChannelType(std::string_view text);

struct RateLimit {
  double per_minute = 0;  // sustained rate; 0: unlimited
  int burst = 1;          // messages that may go at once after a quiet period (>= 1)
  bool operator==(const RateLimit&) const = default;
};

struct ChannelOptions {
  std::string id;
  ChannelType type = ChannelType::kLog;
  // Every type but log: the provider's absolute http(s) URL. It carries secrets (tokens, keys):
  // only ever shown through RedactUrl.
  std::string url;
  // webhook: a Standard Webhooks secret "whsec_<base64 of 24..64 bytes>", and every request
  // carries webhook-id, webhook-timestamp and webhook-signature; dingtalk: the robot's signing
  // secret "SEC..." (signed query); feishu, lark: the bot's signing secret (signed body). The
  // other providers have no signing.
  std::optional<std::string> secret;
  std::optional<std::string> ca_file;  // every type but log: PEM CA file instead of the system's
  std::chrono::milliseconds timeout{15'000};  // every type but log: total timeout of one attempt
  // Per channel; delays, never drops. Without "rate_limit" in the config: the provider's
  // documented limit (DefaultRateLimit); a given one replaces it as a whole.
  RateLimit rate_limit;
  // The language of this channel's messages; unset: the team's, else messages.locale.
  std::optional<Locale> locale;
  // The person who looks after the channel (set up the robot, holds its token): when the
  // provider refuses the channel for good, they are told through another channel.
  std::optional<std::string> owner;
  // teams only: post to a retired Office 365 connector (webhook.office.com) as a MessageCard,
  // which cannot mention anyone, instead of to a Workflows webhook. An explicit opt-in.
  bool legacy_connector = false;
};

// The limit a provider documents for one webhook (webhook-formats.md), or unlimited.
// `legacy_connector` picks the Office 365 connector's limits for a teams channel.
RateLimit DefaultRateLimit(ChannelType type, bool legacy_connector = false);

// How the dispatcher delivers (section "delivery").
struct DeliveryOptions {
  int max_attempts = 12;                        // then the notification is dead
  std::chrono::seconds backoff_initial{5};      // wait after the first failure
  std::chrono::seconds backoff_max{3600};       // the wait doubles up to this
  int concurrency = 8;                          // deliveries in flight over all channels
  std::chrono::milliseconds group_window{500};  // notifications are held this long to be grouped
  int max_group_size = 20;                      // items in one grouped message
  // A channel whose provider says it is gone (revoked token) or refuses our settings (keyword,
  // IP allow-list, signature) is broken: its messages wait, without using up attempts, and one
  // message probes it again this often.
  std::chrono::seconds broken_channel_probe{600};
};

}  // namespace kaizen
