// GoalCheckInSweep: nudges goal owners when a check-in falls due (workflow/goal_check_in.h).
//
// Stateless: every pass recomputes, from the active plans alone, which check-ins are due and
// writes their notifications on the storage writer with an idempotency cause per check-in, so
// passes repeated every minute, or after a restart, never ask twice for the same check-in. A
// pass runs at start, then whenever the earliest coming check-in is reached, at least every
// kMaxSleep (which also notices a wall-clock step), and soon after Wake() (a plan with goals was
// created or a goal value recorded). HTTP threads never wait for it: it only queues work on
// the storage writer like any request.
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

#include "workflow/follow_up.h"
#include "workflow/model.h"
#include "workflow/time.h"

namespace kaizen::storage {
class Storage;
}

namespace kaizen::daemon {

class GoalCheckInSweep {
 public:
  static constexpr std::chrono::minutes kMaxSleep{1};

  GoalCheckInSweep(boost::asio::any_io_executor executor, storage::Storage& storage,
                   std::shared_ptr<const FollowUpSettings> settings,
                   std::shared_ptr<const Directory> directory, const Clock& clock,
                   std::function<void()> on_notifications);
  ~GoalCheckInSweep();
  GoalCheckInSweep(const GoalCheckInSweep&) = delete;
  GoalCheckInSweep& operator=(const GoalCheckInSweep&) = delete;

  void Start();
  // Plans or goal values changed: sweep again now.
  void Wake();
  void Stop();

  // ---- Reload (area "svc") ----
  // The config was reloaded: the next pass (at once) uses these.
  void Reconfigure(std::shared_ptr<const FollowUpSettings> settings,
                   std::shared_ptr<const Directory> directory);

  std::int64_t notifications() const { return notifications_; }

 private:
  boost::asio::awaitable<void> Run();

  boost::asio::any_io_executor executor_;
  storage::Storage& storage_;
  std::shared_ptr<const FollowUpSettings> settings_;
  std::shared_ptr<const Directory> directory_;
  const Clock& clock_;
  std::function<void()> on_notifications_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<spdlog::logger> log_;
  bool running_ = false;
  bool stopping_ = false;
  bool woken_ = false;
  std::int64_t notifications_ = 0;
};

}  // namespace kaizen::daemon
