// DeliveryDispatcher: delivers the outbox.
//
// Event-driven like the scheduler: one timer armed for the earliest next_attempt_at of a
// pending or failed notification; Wake() when notifications were written. Each round claims
// ready notifications in one transaction (state delivering, attempts + 1, a batch id for
// groups), groups them per channel (notifiers/grouping.h), and starts one delivery per batch,
// at most DeliveryOptions::concurrency at once and at most kMaxInFlightPerChannel per channel, so
// a slow or throttled channel cannot starve the others. A channel's token bucket delays a
// batch, never drops it. The verdict is written back in one transaction: delivered; failed with
// the next attempt after exponential backoff with jitter (or the server's Retry-After); dead
// after a permanent error or max_attempts. A provider that says the channel itself is gone or
// misconfigured (notifiers/provider_reply.h: dead_channel, config_error) marks the channel
// broken: its messages wait, their attempts refunded, and one batch probes the channel every
// broken_channel_probe until one gets through, when the waiting messages go at once. The
// broken mark lives in memory: a restart (after fixing the config) probes at once. When a
// channel breaks, its owner (if the config names one) gets a channel_broken notification
// through another channel, written in the same transaction as the verdict.
//
// Crash safety: the outbox is the truth. At start every notification left delivering by a
// crash is made pending again (Storage: ResetInFlightNotifications) and sent again under the
// same idempotency key, so delivery is at least once and the receiver can make it exactly once.
//
// As the API's ChannelAdmin (channel_admin.h) it lists the channels with their broken marks and
// sends test messages: directly through the channel, after the channel's token bucket like
// any message (so a test never makes a provider throttle the reminders), outside the outbox,
// the concurrency limits and the retries. A test that gets through a broken channel ends the
// mark at once, as a successful probe would, and the messages that waited go.
//
// Executor: the daemon's io_context (one thread); Start, Wake, Stop and the ChannelAdmin
// methods are called on it.
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon/channel_admin.h"
#include "notifiers/channel.h"
#include "notifiers/token_bucket.h"
#include "workflow/delivery_settings.h"
#include "workflow/model.h"
#include "workflow/notification.h"
#include "workflow/time.h"

namespace kaizen::storage {
class Storage;
}

namespace kaizen::daemon {

struct DeliveryStats {
  std::int64_t delivered = 0;  // notifications, not batches
  std::int64_t failed_attempts = 0;
  std::int64_t dead = 0;
  std::int64_t batches = 0;
  int in_flight = 0;
};

// Whom to tell when a channel breaks, and through which channels (the first that is not
// broken itself): the channel's owner (ChannelOptions::owner), through their team's channels,
// else the default channels, else "log" (daemon.cc decides).
struct BrokenChannelContact {
  PersonId owner;
  std::string owner_name;
  std::string team;
  std::string time_zone = "UTC";
  std::vector<std::string> via;
};

class DeliveryDispatcher final : public ChannelAdmin {
 public:
  static constexpr int kMaxInFlightPerChannel = 2;

  // `channels` by id; a notification for a channel missing here is dead ("unknown_channel").
  DeliveryDispatcher(
      boost::asio::any_io_executor executor, storage::Storage& storage,
      std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels,
      DeliveryOptions options, const Clock& clock);
  ~DeliveryDispatcher() override;
  DeliveryDispatcher(const DeliveryDispatcher&) = delete;
  DeliveryDispatcher& operator=(const DeliveryDispatcher&) = delete;

  // By the broken channel's id; channels without an owner are not here. Call before Start.
  void SetBrokenChannelContacts(std::map<std::string, BrokenChannelContact, std::less<>> contacts) {
    contacts_ = std::move(contacts);
  }

  void Start();
  void Wake();
  // Stops claiming; deliveries in flight finish (each within its channel's timeout).
  void Stop();

  const DeliveryStats& stats() const { return stats_; }

  std::vector<ChannelStatus> Channels() const override;
  boost::asio::awaitable<Result<ChannelTestReport>> TestChannel(std::string id) override;

 private:
  // Takes a slot of the channel's token bucket and waits for it; returns how long it waited.
  boost::asio::awaitable<std::chrono::milliseconds> WaitForRateLimit(
      const std::string& channel_id, const notifiers::Channel& channel, const std::string& key);
  boost::asio::awaitable<void> Run();
  // Claims what may start now; returns the batches to deliver.
  boost::asio::awaitable<std::vector<notifiers::DeliveryBatch>> Claim();
  boost::asio::awaitable<void> Deliver(notifiers::DeliveryBatch batch);
  std::chrono::milliseconds RetryWait(const notifiers::DeliveryOutcome& outcome, int attempts);
  // The notification that tells the owner of `channel` it broke, or nullopt when the channel
  // has no owner or no other channel is left to tell them through.
  std::optional<Notification> BrokenChannelNotice(const std::string& channel,
                                                  const std::string& reason, Instant now) const;

  boost::asio::any_io_executor executor_;
  storage::Storage& storage_;
  std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels_;
  std::map<std::string, notifiers::TokenBucket, std::less<>> buckets_;
  std::map<std::string, int, std::less<>> in_flight_per_channel_;
  // Channels whose provider said they are gone or misconfigured, until a probe gets through.
  struct BrokenChannel {
    Instant probe_at{};
    std::string reason;
  };
  std::map<std::string, BrokenChannel, std::less<>> broken_;
  std::map<std::string, BrokenChannelContact, std::less<>> contacts_;
  DeliveryOptions options_;
  const Clock& clock_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<spdlog::logger> log_;
  std::mt19937_64 random_;
  DeliveryStats stats_;
  bool woken_ = false;
  bool stopping_ = false;
};

}  // namespace kaizen::daemon
