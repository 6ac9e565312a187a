#include "daemon/cycle_scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "daemon/logging.h"
#include "storage/storage.h"

namespace kaizen::daemon {

namespace asio = boost::asio;

CycleScheduler::CycleScheduler(asio::any_io_executor executor, storage::Storage& storage,
                               std::shared_ptr<const ScheduleSet> schedules, const Clock& clock,
                               std::function<void(bool, int)> on_written)
    : executor_(executor),
      storage_(storage),
      schedules_(std::move(schedules)),
      clock_(clock),
      on_written_(std::move(on_written)),
      timer_(executor),
      log_(Logger("cycles")) {}

CycleScheduler::~CycleScheduler() = default;

void CycleScheduler::Start() {
  started_ = true;
  if (running_ || !schedules_ || schedules_->entries.empty()) return;
  Spawn();
}

void CycleScheduler::SetSchedules(std::shared_ptr<const ScheduleSet> schedules) {
  schedules_ = std::move(schedules);
  if (running_) {
    Wake();
  } else if (started_ && !stopping_ && schedules_ && !schedules_->entries.empty()) {
    Spawn();
  }
}

void CycleScheduler::Spawn() {
  running_ = true;
  asio::co_spawn(executor_, Run(), [log = log_](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log->critical("cycle scheduler stopped by an exception: {}", ex.what());
    }
  });
}

void CycleScheduler::Wake() {
  woken_ = true;
  ++plan_generation_;
  next_wake_.clear();
  timer_.cancel();
}

void CycleScheduler::Stop() {
  stopping_ = true;
  timer_.cancel();
}

asio::awaitable<void> CycleScheduler::RunOne(std::shared_ptr<const ScheduleSet> schedules,
                                             const ScheduleEntry& entry, bool at_start) {
  const Instant now = clock_.Now();
  // A Wake() while this runs planned everything again: this run's next fire is not to be kept.
  const std::uint64_t generation = plan_generation_;
  auto remember = [&](std::optional<Instant> wake) {
    if (generation == plan_generation_) next_wake_[entry.spec.id] = wake;
  };
  auto command = [schedules, &entry, now, at_start](PlanRepository& repo) -> Result<ScheduleRun> {
    return RunSchedule(repo, schedules->ContextFor(entry), now, at_start);
  };
  Result<ScheduleRun> run = co_await storage_.Write(std::move(command));
  const std::string& id = entry.spec.id;
  if (!run.ok()) {
    ++stats_.failures;
    // Nothing was written: the fire stays due and is tried again at the next round.
    log_->error("schedule {}: starting its cycle failed: {}; trying again in {} s", id,
                run.status().ToString(),
                std::chrono::duration_cast<std::chrono::seconds>(kMaxSleep).count());
    remember(now + kMaxSleep);
    co_return;
  }
  remember(run->next_wake);
  if (run->missed > 0) {
    stats_.missed += run->missed;
    log_->warn("schedule {}: {}{} fire(s) missed{}, recorded as an event", id,
               run->missed_capped ? "at least " : "", run->missed,
               at_start ? " while kaizend was down" : "");
  }
  if (run->outcome) {
    const CycleOutcome& o = *run->outcome;
    switch (o.kind) {
      case CycleOutcome::Kind::kStarted:
        ++stats_.started;
        log_->info(
            "schedule {}: cycle {} started ({}) for fire {}: plan {} with {} task(s), {} carried "
            "over{}{}",
            id, o.cycle.id, o.cycle.cause, FormatRfc3339(o.cycle.nominal_fire), o.cycle.plan_id,
            o.tasks, o.carried,
            o.closed_plan ? ", previous plan " + std::to_string(*o.closed_plan) + " closed" : "",
            run->merged > 0 ? ", " + std::to_string(run->merged) + " moved fire(s) merged" : "");
        if (on_written_) on_written_(true, o.notifications);
        if (fire_lag_observer_ && run->cause != CycleCause::kTrigger) {
          const std::chrono::steady_clock::duration lag = o.cycle.started_at - o.starts_at;
          fire_lag_observer_(std::max(lag, std::chrono::steady_clock::duration::zero()));
        }
        break;
      case CycleOutcome::Kind::kSkippedOverlap:
        ++stats_.skipped_overlap;
        log_->info("schedule {}: fire skipped, the previous cycle is still active (overlap skip)",
                   id);
        break;
      case CycleOutcome::Kind::kAlreadyExists: break;
    }
  }
}

asio::awaitable<void> CycleScheduler::Run() {
  bool at_start = true;
  while (!stopping_) {
    woken_ = false;
    const Instant now = clock_.Now();
    // This round's set: a reload may replace schedules_ while a schedule runs.
    const std::shared_ptr<const ScheduleSet> schedules = schedules_;
    for (const ScheduleEntry& entry : schedules->entries) {
      if (stopping_) break;
      auto known = next_wake_.find(entry.spec.id);
      const bool due = known == next_wake_.end() || (known->second && *known->second <= now);
      if (due) co_await RunOne(schedules, entry, at_start);
    }
    if (at_start) {
      log_->info("{} schedule(s) planned; {} cycle(s) started at start-up",
                 schedules->entries.size(), stats_.started);
      at_start = false;
    }
    if (stopping_ || woken_) continue;
    std::optional<Instant> earliest;
    for (const auto& [id, wake] : next_wake_) {
      if (wake && (!earliest || *wake < *earliest)) earliest = wake;
    }
    std::chrono::steady_clock::duration wait = kMaxSleep;
    if (earliest) {
      wait = std::min<std::chrono::steady_clock::duration>(
          std::max<std::chrono::steady_clock::duration>(*earliest - clock_.Now(),
                                                        std::chrono::milliseconds(0)),
          kMaxSleep);
    }
    if (wait > std::chrono::steady_clock::duration::zero()) {
      timer_.expires_after(wait);
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  running_ = false;
}

}  // namespace kaizen::daemon
