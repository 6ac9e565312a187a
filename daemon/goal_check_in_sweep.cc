#include "daemon/goal_check_in_sweep.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "daemon/logging.h"
#include "storage/storage.h"
#include "workflow/goal_check_in.h"

namespace kaizen::daemon {

namespace asio = boost::asio;

GoalCheckInSweep::GoalCheckInSweep(asio::any_io_executor executor, storage::Storage& storage,
                                   std::shared_ptr<const FollowUpSettings> settings,
                                   std::shared_ptr<const Directory> directory, const Clock& clock,
                                   std::function<void()> on_notifications)
    : executor_(executor),
      storage_(storage),
      settings_(std::move(settings)),
      directory_(std::move(directory)),
      clock_(clock),
      on_notifications_(std::move(on_notifications)),
      timer_(executor),
      log_(Logger("goals")) {}

GoalCheckInSweep::~GoalCheckInSweep() = default;

void GoalCheckInSweep::Start() {
  if (running_) return;
  running_ = true;
  asio::co_spawn(executor_, Run(), [log = log_](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log->critical("goal check-in sweep stopped by an exception: {}", ex.what());
    }
  });
}

void GoalCheckInSweep::Wake() {
  woken_ = true;
  timer_.cancel();
}

void GoalCheckInSweep::Reconfigure(std::shared_ptr<const FollowUpSettings> settings,
                                   std::shared_ptr<const Directory> directory) {
  settings_ = std::move(settings);
  directory_ = std::move(directory);
  if (running_) Wake();
}

void GoalCheckInSweep::Stop() {
  stopping_ = true;
  timer_.cancel();
}

asio::awaitable<void> GoalCheckInSweep::Run() {
  while (!stopping_) {
    woken_ = false;
    const Instant now = clock_.Now();
    // Named before the co_await: g++ 12 destroys the captures of a lambda written inside it twice.
    auto sweep = [settings = settings_, directory = directory_,
                  now](PlanRepository& repo) -> Result<CheckInSweepReport> {
      return SweepGoalCheckIns(repo, *settings, *directory, now);
    };
    Result<CheckInSweepReport> report = co_await storage_.Write(std::move(sweep));
    if (stopping_) break;
    std::chrono::steady_clock::duration wait = kMaxSleep;
    if (!report.ok()) {
      log_->error("goal check-in sweep failed: {}; trying again in a minute",
                  report.status().ToString());
    } else {
      if (report->notifications > 0) {
        notifications_ += report->notifications;
        log_->info("asked goal owners for {} check-in(s), {} notification(s)", report->due,
                   report->notifications);
        if (on_notifications_) on_notifications_();
      }
      if (report->next_check_in) {
        // A few milliseconds late rather than early: a pass just before the instant finds
        // nothing due yet and would sleep again for the rest.
        auto until = *report->next_check_in - clock_.Now() + std::chrono::milliseconds(5);
        wait = std::clamp<std::chrono::steady_clock::duration>(until, std::chrono::milliseconds(5),
                                                               kMaxSleep);
      }
    }
    if (woken_) continue;  // a write landed during the pass: sweep again
    boost::system::error_code ec;
    timer_.expires_after(wait);
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  running_ = false;
}

}  // namespace kaizen::daemon
