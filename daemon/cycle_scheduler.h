// CycleScheduler: starts the review cycles of the configured schedules on time, by itself.
//
// State lives in SQLite (schedules, cycles, schedule_events; workflow/cycle_service.h): the
// scheduler only keeps, per schedule, the start time of its next fire as last planned. At start
// it runs every schedule once (RunSchedule), which is the catch-up after downtime: at most one
// cycle per schedule, older misses recorded. Then it sleeps until the earliest next fire, but
// never longer than kMaxSleep, so that a wall-clock step cannot make it oversleep a fire, and
// runs every schedule whose next fire has come, each in its own write transaction on the
// storage writer (the HTTP threads never wait for it). A pause, resume or trigger through the
// API calls Wake() to plan again.
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
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "workflow/cycle_service.h"
#include "workflow/time.h"

namespace kaizen::storage {
class Storage;
}

namespace kaizen::daemon {

struct CycleSchedulerStats {
  std::int64_t started = 0;
  std::int64_t missed = 0;
  std::int64_t skipped_overlap = 0;
  std::int64_t failures = 0;
};

// The close and carry-over steps of workflow/plan_report.h and workflow/carry_over.h.
CycleSteps RealCycleSteps(std::shared_ptr<const FollowUpSettings> settings,
                          std::shared_ptr<const Directory> directory);

class CycleScheduler {
 public:
  static constexpr std::chrono::minutes kMaxSleep{1};

  // `on_written(reminders_changed, notifications)` is called after a cycle started, so the
  // reminder scheduler and the dispatcher look again.
  CycleScheduler(boost::asio::any_io_executor executor, storage::Storage& storage,
                 std::shared_ptr<const ScheduleSet> schedules, const Clock& clock,
                 std::function<void(bool reminders_changed, int notifications)> on_written);
  ~CycleScheduler();
  CycleScheduler(const CycleScheduler&) = delete;
  CycleScheduler& operator=(const CycleScheduler&) = delete;

  void Start();
  // A schedule was paused, resumed or triggered: plan every schedule again.
  void Wake();
  void Stop();

  // ---- Reload (area "svc") ----
  // The config was reloaded: plans these schedules from now on (at once; a schedule run under
  // way finishes with the set it began with). Starts the loop when the first schedules appear.
  void SetSchedules(std::shared_ptr<const ScheduleSet> schedules);

  const CycleSchedulerStats& stats() const { return stats_; }

  // Told when a cycle started by the schedule itself (on time or as a catch-up, not a trigger)
  // how late it started after its fire's start time. For metrics. Call before Start.
  void SetFireLagObserver(std::function<void(std::chrono::steady_clock::duration lag)> observer) {
    fire_lag_observer_ = std::move(observer);
  }

 private:
  boost::asio::awaitable<void> Run();
  // Runs one schedule (RunSchedule) and logs what it did.
  boost::asio::awaitable<void> RunOne(std::shared_ptr<const ScheduleSet> schedules,
                                      const ScheduleEntry& entry, bool at_start);
  void Spawn();

  boost::asio::any_io_executor executor_;
  storage::Storage& storage_;
  std::shared_ptr<const ScheduleSet> schedules_;
  const Clock& clock_;
  std::function<void(bool, int)> on_written_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<spdlog::logger> log_;
  CycleSchedulerStats stats_;
  std::function<void(std::chrono::steady_clock::duration)> fire_lag_observer_;
  // Per schedule id: the next fire's start as last planned; absent: plan it at the next round.
  std::map<std::string, std::optional<Instant>> next_wake_;
  bool woken_ = false;
  bool stopping_ = false;
  bool running_ = false;
  bool started_ = false;               // Start() was called
  std::uint64_t plan_generation_ = 0;  // counts Wake()s
};

}  // namespace kaizen::daemon
