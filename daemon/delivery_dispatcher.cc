#include "daemon/delivery_dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>
#include <string_view>

#include "daemon/logging.h"
#include "notifiers/backoff.h"
#include "notifiers/grouping.h"
#include "notifiers/message_text.h"
#include "notifiers/provider_channel.h"
#include "notifiers/token_bucket.h"
#include "storage/storage.h"

namespace kaizen::daemon {

namespace asio = boost::asio;
using notifiers::DeliveryBatch;
using notifiers::DeliveryOutcome;
using notifiers::DeliveryVerdict;

namespace {

void LogEscaped(const std::shared_ptr<spdlog::logger>& log, std::exception_ptr e,
                const char* what) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log->critical("{} stopped by an exception: {}", what, ex.what());
  }
}

// Makes the messages of `channel` that wait for a later attempt (for a broken channel's probe,
// or a backoff) due now: the channel has just been seen to work.
void ReleaseWaitingMessages(PlanRepository& repo, const std::string& channel, Instant now) {
  for (NotificationState waiting : {NotificationState::kPending, NotificationState::kFailed}) {
    NotificationFilter filter;
    filter.channel = channel;
    filter.state = waiting;
    filter.limit = kMaxPageSize;
    for (;;) {
      Page<Notification> page = repo.ListNotifications(filter);
      for (Notification& n : page.items) {
        if (n.next_attempt_at <= now) continue;
        n.next_attempt_at = now;
        n.updated_at = now;
        repo.UpdateNotification(n);
      }
      if (!page.next_after) break;
      filter.after = page.next_after;
    }
  }
}

// Whether `channel` delivers its messages in the order they were written: the chat providers
// do, since people read a chat top to bottom; webhooks (whose receivers deduplicate and sort
// by the payload) and the log need not.
bool KeepsOrder(const notifiers::Channel& channel) {
  std::optional<notifiers::Provider> provider = notifiers::ProviderOf(channel.options().type);
  return provider && *provider != notifiers::Provider::kWebhook;
}

// When the oldest failed notification of `batch`'s channel is older than the batch (and so not
// in it), that message is waiting for its retry and the batch must wait behind it: returns
// until when. nullopt when nothing older of the channel is waiting.
std::optional<Instant> HeldBackUntil(PlanReader& repo, const DeliveryBatch& batch) {
  std::optional<Notification> oldest = repo.OldestFailedNotification(batch.channel);
  if (!oldest || oldest->id >= batch.items.front().id) return std::nullopt;
  return oldest->next_attempt_at;
}

// Makes `batch` wait until `until`, without using an attempt.
void Postpone(PlanRepository& repo, DeliveryBatch& batch, Instant until, Instant now) {
  for (Notification& item : batch.items) {
    if (item.next_attempt_at >= until) continue;
    item.next_attempt_at = until;
    item.updated_at = now;
    repo.UpdateNotification(item);
  }
}

}  // namespace

// A channel's rate limit as waits before each request: one token bucket per channel.
class DeliveryDispatcher::Pacer final : public notifiers::SendPacer {
 public:
  Pacer(asio::any_io_executor executor, std::string channel, RateLimit limit, const Clock& clock,
        std::shared_ptr<spdlog::logger> log)
      : executor_(std::move(executor)),
        channel_(std::move(channel)),
        limit_(limit),
        bucket_(limit, clock.MonotonicNow()),
        clock_(clock),
        log_(std::move(log)) {}

  asio::awaitable<std::chrono::milliseconds> BeforeSend() override {
    const std::chrono::milliseconds wait = bucket_.Reserve(clock_.MonotonicNow());
    if (wait > std::chrono::milliseconds::zero() && !cancelled_) {
      log_->debug("channel {} rate limit: the next request waits {} ms", channel_, wait.count());
      asio::steady_timer pause(executor_);
      pause.expires_after(wait);
      pauses_.insert(&pause);
      boost::system::error_code ec;
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      pauses_.erase(&pause);
    }
    co_return wait;
  }

  const RateLimit& limit() const { return limit_; }

  // The stop's grace period is over: ends the waits under way, and nothing waits from now on
  // (the channel is cancelled too, so what would have waited fails at once).
  void Cancel() {
    cancelled_ = true;
    for (asio::steady_timer* pause : pauses_) pause->cancel();
  }

 private:
  asio::any_io_executor executor_;
  std::string channel_;
  RateLimit limit_;
  notifiers::TokenBucket bucket_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::set<asio::steady_timer*> pauses_;
  bool cancelled_ = false;
};

DeliveryDispatcher::DeliveryDispatcher(
    asio::any_io_executor executor, storage::Storage& storage,
    std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels,
    DeliveryOptions options, const Clock& clock)
    : executor_(executor),
      storage_(storage),
      options_(options),
      clock_(clock),
      timer_(executor),
      grace_timer_(executor),
      log_(Logger("delivery")),
      random_(std::random_device{}()) {
  for (auto& [name, channel] : channels) {
    if (KeepsOrder(*channel)) in_order_.insert(name);
    channels_.emplace(name, std::move(channel));
  }
}

void DeliveryDispatcher::SetChannels(
    std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels) {
  std::erase_if(retired_,
                [](const Retired& r) { return r.channel.expired() && r.pacer.expired(); });
  for (auto& [id, old] : channels_) {
    // Kept alive by the deliveries still under way on it, if any; it takes no new one.
    old->CloseIdleConnections();
    retired_.push_back(Retired{old, {}});
  }
  channels_.clear();
  in_order_.clear();
  std::map<std::string, std::shared_ptr<Pacer>, std::less<>> pacers;
  for (auto& [id, channel] : channels) {
    if (KeepsOrder(*channel)) in_order_.insert(id);
    if (auto pacer = pacers_.find(id); pacer != pacers_.end() && pacer->second) {
      if (pacer->second->limit() == channel->options().rate_limit) {
        pacers.emplace(id, std::move(pacer->second));  // the bucket's tokens carry over
      }
    }
    channels_.emplace(id, std::move(channel));
  }
  for (auto& [id, pacer] : pacers_) {
    if (pacer) retired_.push_back(Retired{{}, pacer});  // a limit that changed starts afresh
  }
  pacers_ = std::move(pacers);
  std::erase_if(broken_, [this](const auto& entry) { return channels_.count(entry.first) == 0; });
  if (!broken_.empty() && !stopping_) {
    // As at a start: the config may have been fixed, so each broken channel is probed now,
    // led by the messages that wait for it.
    const Instant now = clock_.Now();
    std::vector<std::string> ids;
    for (auto& [id, state] : broken_) {
      state.probe_at = now;
      ids.push_back(id);
      log_->info("channel {} is broken ({}); probing it now with the reloaded config", id,
                 state.reason);
    }
    asio::co_spawn(executor_, ProbeNow(std::move(ids), now), [log = log_](std::exception_ptr e) {
      LogEscaped(log, e, "releasing broken channels' messages");
    });
  }
  if (!stopping_) Wake();
}

DeliveryDispatcher::~DeliveryDispatcher() = default;

void DeliveryDispatcher::Start() {
  asio::co_spawn(executor_, Run(),
                 [log = log_](std::exception_ptr e) { LogEscaped(log, e, "delivery dispatcher"); });
}

void DeliveryDispatcher::Wake() {
  woken_ = true;
  timer_.cancel();
}

void DeliveryDispatcher::Stop(std::chrono::milliseconds grace) {
  if (stopping_) return;
  stopping_ = true;
  timer_.cancel();
  // A kept-alive connection waits on its idle timer, which would keep the io_context running
  // long after the stop.
  for (auto& [id, channel] : channels_) channel->CloseIdleConnections();
  for (const Retired& r : retired_) {
    if (auto channel = r.channel.lock()) channel->CloseIdleConnections();
  }
  grace_ends_ = std::chrono::steady_clock::now() + grace;
  if (InFlight() > 0) {
    log_->info("stopping: {} delivery(ies) and {} channel test(s) in flight may take {} ms",
               stats_.in_flight, tests_in_flight_, grace.count());
  }
  WatchGracePeriod();
}

void DeliveryDispatcher::WatchGracePeriod() {
  if (!stopping_ || abandoning_) return;
  if (InFlight() == 0) {
    grace_timer_.cancel();  // nothing is left to wait for
    return;
  }
  if (grace_timer_armed_) return;
  grace_timer_armed_ = true;
  grace_timer_.expires_at(grace_ends_);
  grace_timer_.async_wait([this](const boost::system::error_code& ec) {
    grace_timer_armed_ = false;
    if (ec) {
      // Ended when nothing was in flight; a channel test may have started since.
      WatchGracePeriod();
      return;
    }
    Abandon();
  });
}

void DeliveryDispatcher::Abandon() {
  if (InFlight() == 0) return;
  abandoning_ = true;
  log_->warn(
      "grace period over: abandoning {} delivery(ies) and {} channel test(s) in flight; their "
      "messages are sent again at the next start",
      stats_.in_flight, tests_in_flight_);
  for (auto& [id, pacer] : pacers_) pacer->Cancel();
  for (auto& [id, channel] : channels_) channel->Cancel();
  for (const Retired& r : retired_) {
    if (auto pacer = r.pacer.lock()) pacer->Cancel();
    if (auto channel = r.channel.lock()) channel->Cancel();
  }
}

namespace {
// "dead_channel:token_invalid:300001" said for the person who must fix it.
std::string BrokenReasonText(std::string_view reason) {
  const auto category = notifiers::ReplyCategoryOf(reason);
  std::string detail(reason.substr(
      reason.find(':') == std::string_view::npos ? reason.size() : reason.find(':') + 1));
  std::replace(detail.begin(), detail.end(), ':', ' ');
  std::string text = category == notifiers::ReplyCategory::kConfigError
                         ? "the provider refuses kaizen's settings (keyword, IP allow-list or "
                           "signature)"
                         : "the provider says the webhook or its token is no longer valid";
  if (!detail.empty()) text += " [" + detail + "]";
  return text;
}
}  // namespace

std::optional<Notification> DeliveryDispatcher::BrokenChannelNotice(const std::string& channel,
                                                                    const std::string& reason,
                                                                    Instant now) const {
  auto contact = contacts_.find(channel);
  if (contact == contacts_.end()) return std::nullopt;
  const BrokenChannelContact& c = contact->second;
  auto via = std::find_if(c.via.begin(), c.via.end(), [&](const std::string& id) {
    return id != channel && broken_.count(id) == 0 && channels_.count(id) > 0;
  });
  if (via == c.via.end()) {
    log_->warn("channel {} is broken and no other channel is left to tell its owner {}", channel,
               c.owner);
    return std::nullopt;
  }
  Notification n;
  std::string safe_channel = channel;
  std::replace(safe_channel.begin(), safe_channel.end(), '.', '_');
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  n.idempotency_key = "channel_broken-" + safe_channel + "-" + std::to_string(ms.count());
  n.channel = *via;
  n.created_at = now;
  n.next_attempt_at = now;
  n.updated_at = now;
  NotificationEvent& e = n.event;
  e.kind = std::string(kNotifyChannelBroken);
  e.team = c.team;
  e.time_zone = c.time_zone;
  e.owner = c.owner;
  e.owner_name = c.owner_name;
  e.recipient_kind = RecipientKind::kPerson;
  e.recipient = c.owner;
  e.recipient_name = c.owner_name;
  e.urgent = true;
  e.actor = "system";
  e.occurred_at = now;
  e.facts = {{"channel", channel}, {"reason", BrokenReasonText(reason)}};
  return n;
}

std::chrono::milliseconds DeliveryDispatcher::RetryWait(const DeliveryOutcome& outcome,
                                                        int attempts) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  return notifiers::NextDelay(outcome, attempts, options_.backoff_initial, options_.backoff_max,
                              unit(random_));
}

asio::awaitable<std::vector<DeliveryBatch>> DeliveryDispatcher::Claim() {
  const Instant now = clock_.Now();
  const int free_slots = options_.concurrency - stats_.in_flight;
  const int row_limit = std::max(200, free_slots * options_.max_group_size);
  std::map<std::string, Instant, std::less<>> broken;
  for (const auto& [name, state] : broken_) broken.emplace(name, state.probe_at);
  const Instant next_probe = now + options_.broken_channel_probe;
  auto command =
      [now, free_slots, row_limit, max_group = options_.max_group_size,
       busy = in_flight_per_channel_, broken = std::move(broken), next_probe,
       in_order = in_order_](PlanRepository& repo) mutable -> Result<std::vector<DeliveryBatch>> {
    std::vector<DeliveryBatch> chosen;
    std::vector<Notification> ready = repo.ReadyNotifications(now, row_limit);
    if (ready.empty()) return chosen;
    auto keeps_order = [&in_order](std::string_view channel) {
      return in_order.find(channel) != in_order.end();
    };
    std::vector<DeliveryBatch> batches = notifiers::InWrittenOrder(
        notifiers::GroupForDelivery(std::move(ready), max_group), keeps_order);
    // Per channel that keeps order: until when it waits for an older message's retry (nullopt:
    // it does not). Decided at the channel's oldest ready batch, its first in `batches`.
    std::map<std::string, std::optional<Instant>, std::less<>> held_back;
    int slots = free_slots;
    for (DeliveryBatch& batch : batches) {
      const bool ordered = keeps_order(batch.channel);
      if (ordered) {
        // Head of line: a message waiting for its retry keeps the later ones of its channel
        // waiting too, so the chat shows them in order. A dead one does not (it is not failed).
        auto [held, first] = held_back.try_emplace(batch.channel);
        if (first) held->second = HeldBackUntil(repo, batch);
        if (held->second) {
          Postpone(repo, batch, *held->second, now);
          continue;
        }
      }
      if (auto it = broken.find(batch.channel); it != broken.end()) {
        // A broken channel: its messages wait for the probe, one batch probes, and waiting
        // costs them no attempt.
        if (it->second > now) {
          for (Notification& item : batch.items) {
            item.next_attempt_at = it->second;
            item.updated_at = now;
            repo.UpdateNotification(item);
          }
          continue;
        }
        if (slots <= 0 || busy[batch.channel] > 0) continue;  // the probe is under way
        it->second = next_probe;  // this batch is the probe; the others wait for its answer
      }
      if (slots <= 0) break;
      int& busy_here = busy[batch.channel];
      if (busy_here >= (ordered ? kMaxInFlightPerOrderedChannel : kMaxInFlightPerChannel)) {
        continue;
      }
      ++busy_here;
      --slots;
      int attempt = 0;
      for (Notification& item : batch.items) {
        // GroupForDelivery decided the batch id; stored, it keeps the batch (and its key)
        // together across retries and restarts.
        item.state = NotificationState::kDelivering;
        item.attempts += 1;
        item.updated_at = now;
        repo.UpdateNotification(item);
        attempt = std::max(attempt, item.attempts);
      }
      batch.attempt = attempt;
      chosen.push_back(std::move(batch));
    }
    return chosen;
  };
  Result<std::vector<DeliveryBatch>> claimed = co_await storage_.Write(std::move(command));
  if (!claimed.ok()) {
    log_->error("claiming notifications failed: {}", claimed.status().ToString());
    co_return std::vector<DeliveryBatch>{};
  }
  for (const DeliveryBatch& batch : *claimed) {
    if (auto it = broken_.find(batch.channel); it != broken_.end()) {
      it->second.probe_at = next_probe;
      log_->info("probing broken channel {} with {}", batch.channel, batch.idempotency_key);
    }
  }
  co_return std::move(*claimed);
}

asio::awaitable<void> DeliveryDispatcher::ProbeNow(std::vector<std::string> channels, Instant now) {
  auto command = [channels, now](PlanRepository& repo) -> Result<bool> {
    for (const std::string& id : channels) ReleaseWaitingMessages(repo, id, now);
    return true;
  };
  Result<bool> released = co_await storage_.Write(std::move(command));
  if (!released.ok()) {
    // They still go at their next attempt.
    log_->error("releasing the messages of broken channels failed: {}",
                released.status().ToString());
  }
  if (!stopping_) Wake();
}

std::shared_ptr<DeliveryDispatcher::Pacer> DeliveryDispatcher::PacerFor(
    const std::string& channel_id, const notifiers::Channel& channel) {
  std::shared_ptr<Pacer>& pacer = pacers_[channel_id];
  if (!pacer) {
    pacer =
        std::make_shared<Pacer>(executor_, channel_id, channel.options().rate_limit, clock_, log_);
  }
  return pacer;
}

namespace {
// Forwards to a channel's pacer and adds up its waits, for a channel test's report.
class CountingPacer final : public notifiers::SendPacer {
 public:
  explicit CountingPacer(notifiers::SendPacer& inner) : inner_(inner) {}
  asio::awaitable<std::chrono::milliseconds> BeforeSend() override {
    const std::chrono::milliseconds wait = co_await inner_.BeforeSend();
    total_ += wait;
    co_return wait;
  }
  std::chrono::milliseconds total() const { return total_; }

 private:
  notifiers::SendPacer& inner_;
  std::chrono::milliseconds total_{0};
};
}  // namespace

std::vector<ChannelStatus> DeliveryDispatcher::Channels() const {
  std::vector<ChannelStatus> out;
  for (const auto& [id, channel] : channels_) {
    ChannelStatus status;
    status.options = channel->options();
    if (auto it = broken_.find(id); it != broken_.end()) {
      status.broken = true;
      status.broken_reason = it->second.reason;
      status.next_probe_at = it->second.probe_at;
    }
    out.push_back(std::move(status));
  }
  return out;
}

asio::awaitable<Result<ChannelTestReport>> DeliveryDispatcher::TestChannel(std::string id) {
  auto found = channels_.find(id);
  if (found == channels_.end()) co_return ChannelNotFound(id);
  // Held for the test's duration: a reload may replace the channel meanwhile.
  const std::shared_ptr<notifiers::Channel> channel = found->second;
  ++tests_in_flight_;
  WatchGracePeriod();
  struct Finished {
    DeliveryDispatcher& dispatcher;
    ~Finished() {
      --dispatcher.tests_in_flight_;
      dispatcher.WatchGracePeriod();
    }
  } finished{*this};
  ChannelTestReport report;
  report.options = channel->options();
  notifiers::DeliveryBatch batch = notifiers::ChannelTestBatch(id, clock_.Now());
  report.idempotency_key = batch.idempotency_key;
  // The test takes its turn in the channel's rate limit like any message, so that testing
  // cannot get a channel throttled.
  const std::shared_ptr<Pacer> channel_pacer = PacerFor(id, *channel);
  CountingPacer pacer(*channel_pacer);
  report.sent_at = clock_.Now();
  const notifiers::MessageCatalog& catalog =
      catalog_ ? *catalog_ : notifiers::DefaultMessageCatalog();
  report.message = catalog.Text(batch.items.front().event,
                                catalog.LocaleFor(report.options.locale, ""), report.sent_at);
  const auto started = clock_.MonotonicNow();
  report.outcome = co_await channel->Deliver(std::move(batch), report.sent_at, pacer);
  report.rate_limit_wait = pacer.total();
  report.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.MonotonicNow() - started);
  const bool delivered = report.outcome.verdict == DeliveryVerdict::kDelivered;
  log_->info("test message {} to channel {}: {}", report.idempotency_key, id,
             delivered ? "delivered" : report.outcome.reason);

  auto broken = broken_.find(id);
  if (delivered && broken != broken_.end()) {
    // The channel works: what a successful probe would find, without waiting for one.
    broken_.erase(broken);
    log_->info(
        "channel {} works again (a test message got through); sending the messages that "
        "waited",
        id);
    const Instant now = clock_.Now();
    auto command = [id, now](PlanRepository& repo) -> Result<bool> {
      ReleaseWaitingMessages(repo, id, now);
      return true;
    };
    Result<bool> released = co_await storage_.Write(std::move(command));
    if (!released.ok()) {
      // They still go at their probe time.
      log_->error("releasing the messages of channel {} failed: {}", id,
                  released.status().ToString());
    }
    if (!stopping_) Wake();
  }
  co_return report;
}

asio::awaitable<void> DeliveryDispatcher::Deliver(DeliveryBatch batch) {
  DeliveryOutcome outcome;
  const auto attempt_started = clock_.MonotonicNow();
  auto found = channels_.find(batch.channel);
  if (found == channels_.end()) {
    outcome.verdict = DeliveryVerdict::kPermanent;
    outcome.reason = "unknown_channel";
  } else {
    // Held until the answer: a reload may replace the channel and its pacer meanwhile.
    const std::shared_ptr<notifiers::Channel> channel = found->second;
    const std::shared_ptr<Pacer> pacer = PacerFor(batch.channel, *channel);
    outcome = co_await channel->Deliver(batch, clock_.Now(), *pacer);
  }
  const auto attempt_duration = clock_.MonotonicNow() - attempt_started;
  if (abandoning_ && outcome.verdict != DeliveryVerdict::kDelivered) {
    if (attempt_observer_) attempt_observer_(batch.channel, kAttemptAbandoned, attempt_duration);
    // Cancelled at the end of the stop's grace period: left delivering, as a crash would leave
    // it, so that the next start sends it again under the same key without using an attempt.
    log_->warn("abandoned the delivery of {} to {} ({}): it is sent again at the next start",
               batch.idempotency_key, batch.channel, outcome.reason);
    --stats_.in_flight;
    --in_flight_per_channel_[batch.channel];
    WatchGracePeriod();
    co_return;
  }

  const Instant now = clock_.Now();
  const int attempts = batch.attempt;
  NotificationState state = NotificationState::kDelivered;
  Instant next_attempt = now;
  bool refund_attempt = false;
  std::optional<Notification> broken_notice;
  const auto category = notifiers::ReplyCategoryOf(outcome.reason);
  const bool channel_broken = category == notifiers::ReplyCategory::kDeadChannel ||
                              category == notifiers::ReplyCategory::kConfigError;
  if (channel_broken) {
    // Not this message's fault: it waits for the channel to be fixed, without using up its
    // attempts, and the channel is probed again later.
    state = NotificationState::kFailed;
    refund_attempt = true;
    next_attempt = now + options_.broken_channel_probe;
    auto [it, inserted] = broken_.try_emplace(batch.channel);
    it->second.probe_at = next_attempt;
    if (inserted) broken_notice = BrokenChannelNotice(batch.channel, outcome.reason, now);
    if (inserted || it->second.reason != outcome.reason) {
      log_->error(
          "channel {} is broken ({}): its messages wait and it is probed every {} s; fix "
          "the robot or the config (a restart probes at once)",
          batch.channel, outcome.reason, options_.broken_channel_probe.count());
    }
    it->second.reason = outcome.reason;
  } else if (outcome.verdict == DeliveryVerdict::kRetryLater) {
    if (attempts >= options_.max_attempts) {
      state = NotificationState::kDead;
      outcome.reason += " (gave up after " + std::to_string(attempts) + " attempts)";
    } else {
      state = NotificationState::kFailed;
      next_attempt = now + RetryWait(outcome, attempts);
    }
  } else if (outcome.verdict == DeliveryVerdict::kPermanent) {
    state = NotificationState::kDead;
  }

  std::vector<NotificationId> ids;
  for (const Notification& item : batch.items) ids.push_back(item.id);
  bool recovered = false;
  if (state == NotificationState::kDelivered) {
    if (auto it = broken_.find(batch.channel); it != broken_.end()) {
      log_->info("channel {} works again; sending the messages that waited", batch.channel);
      broken_.erase(it);
      recovered = true;
    }
  }
  auto command = [ids, state, next_attempt, now, refund_attempt, recovered,
                  channel_name = batch.channel, reason = outcome.reason,
                  broken_notice](PlanRepository& repo) -> Result<int> {
    int updated = 0;
    // Told once per breakage: the key names the channel and the instant it broke.
    if (broken_notice) repo.InsertNotification(*broken_notice);
    for (NotificationId id : ids) {
      std::optional<Notification> n = repo.FindNotification(id);
      // Only the attempt we claimed is ours to settle.
      if (!n || n->state != NotificationState::kDelivering) continue;
      n->state = state;
      n->updated_at = now;
      if (state == NotificationState::kDelivered) {
        n->delivered_at = now;
        n->last_error.clear();
      } else {
        n->last_error = reason;
      }
      n->next_attempt_at = next_attempt;
      if (refund_attempt && n->attempts > 0) n->attempts -= 1;
      repo.UpdateNotification(*n);
      ++updated;
    }
    // The messages that waited for the channel go now rather than at their probe time.
    if (recovered) ReleaseWaitingMessages(repo, channel_name, now);
    return updated;
  };
  Result<int> settled = co_await storage_.Write(std::move(command));
  if (!settled.ok()) {
    // Left delivering: the next start sends it again under the same key.
    log_->error("recording the delivery of {} failed: {}", batch.idempotency_key,
                settled.status().ToString());
  }

  if (attempt_observer_) {
    const std::string_view attempt_outcome = state == NotificationState::kDelivered
                                                 ? kAttemptDelivered
                                             : state == NotificationState::kFailed ? kAttemptFailed
                                                                                   : kAttemptDead;
    attempt_observer_(batch.channel, attempt_outcome, attempt_duration);
  }
  const auto count = static_cast<std::int64_t>(batch.items.size());
  ++stats_.batches;
  switch (state) {
    case NotificationState::kDelivered:
      stats_.delivered += count;
      log_->debug("delivered {} to {} ({} item(s), attempt {})", batch.idempotency_key,
                  batch.channel, count, attempts);
      break;
    case NotificationState::kFailed:
      stats_.failed_attempts += count;
      log_->warn("delivery of {} to {} failed ({}), attempt {} of {}; next in {} s",
                 batch.idempotency_key, batch.channel, outcome.reason, attempts,
                 options_.max_attempts,
                 std::chrono::duration_cast<std::chrono::seconds>(next_attempt - now).count());
      break;
    default:
      stats_.dead += count;
      log_->error("delivery of {} to {} failed for good: {}", batch.idempotency_key, batch.channel,
                  outcome.reason);
      break;
  }
  --stats_.in_flight;
  --in_flight_per_channel_[batch.channel];
  if (stopping_) {
    WatchGracePeriod();
  } else {
    Wake();
  }
}

asio::awaitable<void> DeliveryDispatcher::Run() {
  {
    const Instant now = clock_.Now();
    auto command = [now](PlanRepository& repo) -> Result<int> {
      return repo.ResetInFlightNotifications(now);
    };
    Result<int> reset = co_await storage_.Write(std::move(command));
    if (!reset.ok()) {
      log_->error("resetting in-flight notifications failed: {}", reset.status().ToString());
    } else if (*reset > 0) {
      log_->warn(
          "{} notification(s) were in flight when kaizend stopped; sending them again "
          "under the same idempotency keys",
          *reset);
    }
  }
  {
    // A channel found broken before the stop has its messages waiting for a probe, led by the
    // ones that failed: probe it at once, since the config may have been fixed meanwhile (the
    // broken mark lived in memory). The failed ones become due now; when the probe gets
    // through, the others go at once too.
    const Instant now = clock_.Now();
    auto command = [now](PlanRepository& repo) -> Result<std::map<std::string, std::string>> {
      std::map<std::string, std::string> broken;
      NotificationFilter filter;
      filter.state = NotificationState::kFailed;
      filter.limit = kMaxPageSize;
      for (;;) {
        Page<Notification> page = repo.ListNotifications(filter);
        for (Notification& n : page.items) {
          const auto category = notifiers::ReplyCategoryOf(n.last_error);
          if (category != notifiers::ReplyCategory::kDeadChannel &&
              category != notifiers::ReplyCategory::kConfigError) {
            continue;
          }
          broken.try_emplace(n.channel, n.last_error);
          if (n.next_attempt_at > now) {
            n.next_attempt_at = now;
            n.updated_at = now;
            repo.UpdateNotification(n);
          }
        }
        if (!page.next_after) break;
        filter.after = page.next_after;
      }
      return broken;
    };
    Result<std::map<std::string, std::string>> found = co_await storage_.Write(std::move(command));
    if (!found.ok()) {
      log_->error("reading the outbox failed: {}", found.status().ToString());
    } else {
      for (const auto& [channel, reason] : *found) {
        if (channels_.find(channel) == channels_.end()) continue;  // dead at once instead
        // An empty reason: the probe's answer is logged whatever it is.
        broken_[channel] = BrokenChannel{now, ""};
        log_->info("channel {} was broken ({}) when kaizend stopped: probing it now", channel,
                   reason);
      }
    }
  }
  while (!stopping_) {
    woken_ = false;
    bool claimed_any = false;
    if (stats_.in_flight < options_.concurrency) {
      std::vector<DeliveryBatch> batches = co_await Claim();
      for (DeliveryBatch& batch : batches) {
        ++stats_.in_flight;
        ++in_flight_per_channel_[batch.channel];
        asio::co_spawn(executor_, Deliver(std::move(batch)),
                       [log = log_](std::exception_ptr e) { LogEscaped(log, e, "a delivery"); });
        claimed_any = true;
      }
    }
    if (stopping_) {
      WatchGracePeriod();  // for batches claimed while the stop came
      break;
    }
    if (claimed_any) continue;

    auto query = [](PlanReader& reader) -> Result<std::optional<Instant>> {
      return reader.NextNotificationAt();
    };
    Result<std::optional<Instant>> next = co_await storage_.Read(std::move(query));
    if (stopping_) break;
    if (woken_) continue;
    boost::system::error_code ec;
    if (!next.ok() || !*next) {
      if (!next.ok()) log_->error("reading the outbox failed: {}", next.status().ToString());
      if (next.ok()) {
        timer_.expires_at(asio::steady_timer::time_point::max());  // until a Wake()
      } else {
        timer_.expires_after(std::chrono::seconds(5));
      }
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    auto wait = **next - clock_.Now();
    if (wait <= std::chrono::milliseconds::zero()) {
      // Ready work that could not be claimed: every slot or its channel is busy. A finishing
      // delivery wakes us; the cap guards against a missed wake.
      wait = std::chrono::seconds(1);
    }
    timer_.expires_after(
        std::min<std::chrono::steady_clock::duration>(wait, std::chrono::minutes(5)));
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace kaizen::daemon
