// DeliveryDispatcher: delivers the outbox.
//
// Event-driven like the scheduler: one timer armed for the earliest next_attempt_at of a
// pending or failed notification; Wake() when notifications were written. Each round claims
// ready notifications in one transaction (state delivering, attempts + 1, a batch id for
// groups), groups them per channel (notifiers/grouping.h), and starts one delivery per batch,
// at most DeliveryOptions::concurrency at once, so a slow or throttled channel cannot starve
// the others. The verdict is written back in one transaction: delivered; failed with the next
// attempt after exponential backoff with jitter (or the server's Retry-After); dead after a
// permanent error or max_attempts.
//
// Order. A chat provider's channel (dingtalk, feishu, lark, wecom, slack, teams, discord)
// shows its messages in the order they were written, which is the order they fell due: it
// delivers one batch at a time, its oldest first (by id, not by when a retry fell due), and a
// message waiting for a retry holds back the later messages of its channel (head of line:
// they are postponed to its retry, without using attempts) until it is delivered or dead; a
// dead one holds nothing back. Webhook and log channels keep at most kMaxInFlightPerChannel
// batches in flight and let later messages pass one that waits (a webhook's receiver
// deduplicates by key and can order by the payload).
//
// Rate limits. Each channel's token bucket (notifiers/token_bucket.h) delays, never drops: the
// channel awaits it before each request it sends (notifiers::SendPacer), so a digest split into
// parts spends one token per part, as the provider counts them. With one batch in flight, any
// n + 1 consecutive requests of a chat channel span at least n - burst bucket intervals, however
// slow or fast the network was for each: the providers' default limits (DefaultRateLimit) are
// set from that bound so that they never let the provider's window see one message too many.
//
// Broken channels. A provider that says the channel itself is gone or misconfigured
// (notifiers/provider_reply.h: dead_channel, config_error) marks the channel broken: its
// messages wait, their attempts refunded, and one batch (the oldest) probes the channel every
// broken_channel_probe until one gets through, when the waiting messages go at once. The
// broken mark lives in memory; at start, a channel whose messages still wait for a probe (a
// failed one whose last_error is dead_channel or config_error) is probed at once, since the
// config may have been fixed meanwhile. When a channel breaks, its
// owner (if the config names one) gets a channel_broken notification through another channel,
// written in the same transaction as the verdict.
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
// Stopping: Stop(grace) claims nothing more and has every channel close its idle kept-alive
// connections at once. Deliveries and channel tests in flight may finish within the grace
// period; what is still in flight then is cancelled (its channel's requests and rate-limit
// waits end at once) and abandoned: its notifications stay delivering, and the next start
// sends them again under the same keys, as after a crash. Once nothing is in flight, nothing of
// the dispatcher's is left on the io_context, so that the daemon's run() returns.
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
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/channel_admin.h"
#include "notifiers/channel.h"
#include "workflow/delivery_settings.h"
#include "workflow/model.h"
#include "workflow/notification.h"
#include "workflow/time.h"

namespace kaizen::storage {
class Storage;
}

namespace kaizen::daemon {

// What became of a delivery attempt (DeliveryDispatcher::SetAttemptObserver; the label
// `outcome` of kaizen_notification_delivery_attempts_total).
inline constexpr std::string_view kAttemptDelivered = "delivered";  // the receiver took it
inline constexpr std::string_view kAttemptFailed = "failed";        // tried again later (or broken)
inline constexpr std::string_view kAttemptDead = "dead";            // permanent error or gave up
inline constexpr std::string_view kAttemptAbandoned = "abandoned";  // cut short by a stop

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
  // Batches in flight at once for a webhook or log channel, and for a chat provider's channel,
  // which delivers in order and so one batch at a time.
  static constexpr int kMaxInFlightPerChannel = 2;
  static constexpr int kMaxInFlightPerOrderedChannel = 1;

  // `channels` by id; a notification for a channel missing here is dead ("unknown_channel").
  DeliveryDispatcher(
      boost::asio::any_io_executor executor, storage::Storage& storage,
      std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels,
      DeliveryOptions options, const Clock& clock);
  ~DeliveryDispatcher() override;
  DeliveryDispatcher(const DeliveryDispatcher&) = delete;
  DeliveryDispatcher& operator=(const DeliveryDispatcher&) = delete;

  // The words of channel test reports (the built-in English when never set).
  void SetMessageCatalog(std::shared_ptr<const notifiers::MessageCatalog> catalog) {
    catalog_ = std::move(catalog);
  }
  // By the broken channel's id; channels without an owner are not here.
  void SetBrokenChannelContacts(std::map<std::string, BrokenChannelContact, std::less<>> contacts) {
    contacts_ = std::move(contacts);
  }
  // Told after every delivery attempt of the outbox (channel tests are not): the channel, the
  // outcome (kAttempt*) and how long the attempt took, rate-limit wait included. For metrics.
  // Call before Start.
  using AttemptObserver = std::function<void(std::string_view channel, std::string_view outcome,
                                             std::chrono::steady_clock::duration duration)>;
  void SetAttemptObserver(AttemptObserver observer) { attempt_observer_ = std::move(observer); }

  // ---- Reload (area "svc") ----
  // The config was reloaded: these channels replace the old ones from the next claim on.
  // Deliveries and channel tests in flight finish on the old channel objects (kept alive until
  // then, their idle connections closed at once, cancelled with the rest at the end of a stop's
  // grace period). A channel keeps its rate limit's state when its limit is unchanged. A broken
  // channel that is still configured is probed at once, as after a restart, since its settings
  // may have been fixed; a removed channel's messages are dead ("unknown_channel") when they
  // fall due. Wakes the dispatcher.
  void SetChannels(
      std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels);
  // Attempts, backoff, concurrency, grouping and probing from the next claim on.
  void SetOptions(const DeliveryOptions& options) { options_ = options; }

  void Start();
  void Wake();
  // Stops claiming and closes the channels' idle connections; deliveries and channel tests in
  // flight may finish within `grace`, and are cancelled and abandoned after it.
  void Stop(std::chrono::milliseconds grace);

  const DeliveryStats& stats() const { return stats_; }

  std::vector<ChannelStatus> Channels() const override;
  boost::asio::awaitable<Result<ChannelTestReport>> TestChannel(std::string id) override;

 private:
  boost::asio::awaitable<void> Run();
  // Claims what may start now; returns the batches to deliver.
  boost::asio::awaitable<std::vector<notifiers::DeliveryBatch>> Claim();
  boost::asio::awaitable<void> Deliver(notifiers::DeliveryBatch batch);
  std::chrono::milliseconds RetryWait(const notifiers::DeliveryOutcome& outcome, int attempts);
  // The notification that tells the owner of `channel` it broke, or nullopt when the channel
  // has no owner or no other channel is left to tell them through.
  std::optional<Notification> BrokenChannelNotice(const std::string& channel,
                                                  const std::string& reason, Instant now) const;
  // Deliveries and channel tests under way.
  int InFlight() const { return stats_.in_flight + tests_in_flight_; }
  // After a reload: makes the messages that wait for the broken `channels` due now, so that
  // one probes each at once.
  boost::asio::awaitable<void> ProbeNow(std::vector<std::string> channels, Instant now);
  // While stopping: keeps the grace timer armed while anything is in flight and ends it when
  // nothing is (call whenever InFlight() changed).
  void WatchGracePeriod();
  // The grace period is over: cancels what is still in flight.
  void Abandon();

  boost::asio::any_io_executor executor_;
  storage::Storage& storage_;
  // Shared with the deliveries in flight on each channel: a reload may replace a channel while
  // one is under way.
  std::map<std::string, std::shared_ptr<notifiers::Channel>, std::less<>> channels_;
  class Pacer;
  // The channel's rate limit, spent by every request it sends (made on first use).
  std::shared_ptr<Pacer> PacerFor(const std::string& channel_id, const notifiers::Channel& channel);
  std::map<std::string, std::shared_ptr<Pacer>, std::less<>> pacers_;
  // Channels and pacers a reload replaced, while deliveries on them may still be in flight: a
  // stop closes and cancels them too.
  struct Retired {
    std::weak_ptr<notifiers::Channel> channel;
    std::weak_ptr<Pacer> pacer;
  };
  std::vector<Retired> retired_;
  // The channels that deliver in the order their messages were written (the chat providers).
  std::set<std::string, std::less<>> in_order_;
  std::map<std::string, int, std::less<>> in_flight_per_channel_;
  // Channels whose provider said they are gone or misconfigured, until a probe gets through.
  struct BrokenChannel {
    Instant probe_at{};
    std::string reason;
  };
  std::map<std::string, BrokenChannel, std::less<>> broken_;
  std::map<std::string, BrokenChannelContact, std::less<>> contacts_;
  std::shared_ptr<const notifiers::MessageCatalog> catalog_;
  DeliveryOptions options_;
  const Clock& clock_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer grace_timer_;
  bool grace_timer_armed_ = false;
  std::chrono::steady_clock::time_point grace_ends_{};
  bool abandoning_ = false;  // the grace period is over
  int tests_in_flight_ = 0;
  std::shared_ptr<spdlog::logger> log_;
  std::mt19937_64 random_;
  DeliveryStats stats_;
  AttemptObserver attempt_observer_;
  bool woken_ = false;
  bool stopping_ = false;
};

}  // namespace kaizen::daemon
