// ChannelAdmin: what the HTTP API may see and do of the delivery channels: list them with
// what the dispatcher knows of them, and send one test message through one of them and report
// what its receiver answered (GET /api/v1/channels, POST /api/v1/channels/{id}/test).
//
// The DeliveryDispatcher implements it in kaizend: it owns the channels, their rate limits and
// the broken marks. Called on the daemon's io executor (the HTTP handlers' own).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "notifiers/delivery_outcome.h"
#include "workflow/delivery_settings.h"
#include "workflow/status.h"
#include "workflow/time.h"

namespace kaizen::daemon {

struct ChannelStatus {
  ChannelOptions options;  // its url and secret are credentials: show RedactUrl(url) only
  // The channel's provider said the channel itself cannot work (dead_channel, config_error):
  // its messages wait for a probe.
  bool broken = false;
  std::string broken_reason;             // the outcome that said so, as in last_error
  std::optional<Instant> next_probe_at;  // when broken
};

struct ChannelTestReport {
  ChannelOptions options;       // the channel's; show RedactUrl(url) only
  std::string idempotency_key;  // "test-<channel>-<unix ms>"
  std::string message;          // the text of the test message, in the channel's language
  Instant sent_at{};
  // How long the test waited for the channel's rate limit before it went out.
  std::chrono::milliseconds rate_limit_wait{0};
  // The whole delivery: every request, a re-signed repeat included.
  std::chrono::milliseconds duration{0};
  notifiers::DeliveryOutcome outcome;  // outcome.answer: what the receiver said (unset: log)
};

class ChannelAdmin {
 public:
  virtual ~ChannelAdmin() = default;
  // Every configured channel (and the built-in "log"), ascending by id.
  virtual std::vector<ChannelStatus> Channels() const = 0;
  // Sends one test message (notifiers::ChannelTestBatch) through channel `id`, once: never
  // retried and never in the outbox. It waits for the channel's rate limit like any message;
  // it goes also to a channel marked broken, and one that gets through ends the mark.
  // Errors: kNotFound "channel_not_found".
  virtual boost::asio::awaitable<Result<ChannelTestReport>> TestChannel(std::string id) = 0;
};

// kNotFound "channel_not_found" naming `id`.
inline Status ChannelNotFound(std::string_view id) {
  return NotFound("channel_not_found", "no channel with id '" + std::string(id) + "'");
}

}  // namespace kaizen::daemon
