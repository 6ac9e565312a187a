// Delivery settings: the channels notifications go to and how the dispatcher delivers them.
// Plain values, filled in by config/ and read by notifiers/ and daemon/; kept in workflow/ so
// that neither of those depends on the other.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kaizen {

// A destination of notifications (section "channels", keyed by id).
enum class ChannelType { kWebhook, kLog };
std::string_view ToString(ChannelType type);  // "webhook", "log"
std::optional<ChannelType> ParseChannelType(std::string_view text);

struct RateLimit {
  double per_minute = 0;  // sustained rate; 0: unlimited
  int burst = 1;          // messages that may go at once after a quiet period (>= 1)
  bool operator==(const RateLimit&) const = default;
};

struct ChannelOptions {
  std::string id;
  ChannelType type = ChannelType::kLog;
  // webhook: absolute http(s) URL; secret-bearing, only ever shown through RedactUrl.
  std::string url;
  // webhook: Standard Webhooks signing secret "whsec_<base64 of 24..64 bytes>"; when set every
  // request carries webhook-id, webhook-timestamp and webhook-signature.
  std::optional<std::string> secret;
  std::optional<std::string> ca_file;  // webhook: PEM CA file trusted instead of the system's
  std::chrono::milliseconds timeout{15'000};  // webhook: total timeout of one attempt
  RateLimit rate_limit;                       // per channel; delays, never drops
};

// How the dispatcher delivers (section "delivery").
struct DeliveryOptions {
  int max_attempts = 12;                        // then the notification is dead
  std::chrono::seconds backoff_initial{5};      // wait after the first failure
  std::chrono::seconds backoff_max{3600};       // the wait doubles up to this
  int concurrency = 8;                          // deliveries in flight over all channels
  std::chrono::milliseconds group_window{500};  // notifications are held this long to be grouped
  int max_group_size = 20;                      // items in one grouped message
};

}  // namespace kaizen
