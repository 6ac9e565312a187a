// ReminderScheduler: fires due reminders, event-driven.
//
// State lives in SQLite (the reminders table, indexed by fire time), not in memory: the
// scheduler keeps one timer armed for the earliest pending fire time and sleeps until then, so
// an idle daemon with a million pending reminders does no periodic work. A write that changes
// reminders calls Wake(), which re-reads the earliest time and re-arms. When the timer fires,
// FireDueReminders (workflow/follow_up.h) marks each due reminder fired and writes its
// notifications in one transaction, a batch at a time until nothing is due, then the dispatcher
// is woken. At start the same runs once as the catch-up after downtime (see the README's rule),
// after every task's reminders were planned again if the config's policies, calendars, teams or
// people changed since they were last planned (FollowUpSettings::fingerprint).
//
// A wall-clock step is noticed within kMaxSleep: the timer measures monotonic time, so a long
// sleep is cut into pieces that each re-read the wall clock.
//
// Executor: the daemon's io_context (one thread); Start, Wake and Stop are called on it.
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "workflow/follow_up.h"
#include "workflow/model.h"
#include "workflow/time.h"

namespace kaizen::storage {
class Storage;
}

namespace kaizen::daemon {

struct ReminderSchedulerStats {
  std::int64_t fired = 0;
  std::int64_t skipped = 0;
  std::int64_t notifications = 0;
  std::optional<Instant> next_fire_at;    // as last read
  std::chrono::milliseconds last_lag{0};  // how late the last batch ran after its fire time
};

class ReminderScheduler {
 public:
  // How many reminders one transaction fires: large enough to keep up with thousands due in
  // the same second, small enough that a write request waits at most a few milliseconds.
  static constexpr int kBatchSize = 500;
  static constexpr std::chrono::minutes kMaxSleep{5};

  ReminderScheduler(boost::asio::any_io_executor executor, storage::Storage& storage,
                    std::shared_ptr<const FollowUpSettings> settings,
                    std::shared_ptr<const Directory> directory, const Clock& clock,
                    std::function<void()> on_notifications);
  ~ReminderScheduler();
  ReminderScheduler(const ReminderScheduler&) = delete;
  ReminderScheduler& operator=(const ReminderScheduler&) = delete;

  // Runs the catch-up, then the loop, until Stop().
  void Start();
  // Something changed the pending reminders: re-read the earliest fire time.
  void Wake();
  // Ends the loop; a batch in progress finishes its transaction.
  void Stop();

  // ---- Reload (area "svc") ----
  // The config was reloaded: fires with these settings from the next batch on, and plans every
  // task again first when they differ from those the stored reminders were planned with (the
  // same check as at start). A planning pass under way finishes with the settings it began
  // with, then the check runs again.
  void Reconfigure(std::shared_ptr<const FollowUpSettings> settings,
                   std::shared_ptr<const Directory> directory);

  const ReminderSchedulerStats& stats() const { return stats_; }

 private:
  boost::asio::awaitable<void> Run();
  // Plans every task again when the config's reminder settings changed since the last planning.
  boost::asio::awaitable<void> ReplanIfSettingsChanged();
  // Fires everything due at `now`, batch by batch.
  boost::asio::awaitable<void> FireDue(bool catch_up);

  boost::asio::any_io_executor executor_;
  storage::Storage& storage_;
  std::shared_ptr<const FollowUpSettings> settings_;
  std::shared_ptr<const Directory> directory_;
  const Clock& clock_;
  std::function<void()> on_notifications_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<spdlog::logger> log_;
  ReminderSchedulerStats stats_;
  bool woken_ = false;
  bool stopping_ = false;
  bool running_ = false;
  bool replan_check_due_ = false;  // a reload asked for ReplanIfSettingsChanged
};

}  // namespace kaizen::daemon
