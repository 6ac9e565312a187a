#include "daemon/reminder_scheduler.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "daemon/logging.h"
#include "storage/storage.h"

namespace kaizen::daemon {

namespace asio = boost::asio;

ReminderScheduler::ReminderScheduler(asio::any_io_executor executor, storage::Storage& storage,
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
      log_(Logger("scheduler")) {}

ReminderScheduler::~ReminderScheduler() = default;

void ReminderScheduler::Start() {
  if (running_) return;
  running_ = true;
  asio::co_spawn(executor_, Run(), [log = log_](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log->critical("reminder scheduler stopped by an exception: {}", ex.what());
    }
  });
}

void ReminderScheduler::Wake() {
  woken_ = true;
  timer_.cancel();
}

void ReminderScheduler::Stop() {
  stopping_ = true;
  timer_.cancel();
}

void ReminderScheduler::Reconfigure(std::shared_ptr<const FollowUpSettings> settings,
                                    std::shared_ptr<const Directory> directory) {
  settings_ = std::move(settings);
  directory_ = std::move(directory);
  // Before Start the start's own check covers it.
  if (!running_) return;
  replan_check_due_ = true;
  Wake();
}

asio::awaitable<void> ReminderScheduler::FireDue(bool catch_up) {
  for (;;) {
    if (stopping_) co_return;
    const Instant now = clock_.Now();
    auto command = [settings = settings_, directory = directory_, now,
                    catch_up](PlanRepository& repo) -> Result<FireReport> {
      return FireDueReminders(repo, *settings, *directory, now, kBatchSize, catch_up);
    };
    Result<FireReport> report = co_await storage_.Write(std::move(command));
    if (!report.ok()) {
      // The store is failing (disk full, I/O error): try again later rather than spin.
      log_->error("firing reminders failed: {}; retrying in 5 s", report.status().ToString());
      timer_.expires_after(std::chrono::seconds(5));
      boost::system::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    stats_.fired += report->fired;
    stats_.skipped += report->skipped;
    stats_.notifications += report->notifications;
    if (report->fired > 0 || report->skipped > 0) {
      if (stats_.next_fire_at) {
        stats_.last_lag = std::chrono::duration_cast<std::chrono::milliseconds>(
            clock_.Now() - *stats_.next_fire_at);
      }
      if (catch_up) {
        log_->info(
            "catch-up after downtime: {} missed reminder(s) sent, {} left out as no longer "
            "true, {} notification(s)",
            report->fired, report->skipped, report->notifications);
      } else {
        log_->info("fired {} reminder(s), skipped {}, {} notification(s)", report->fired,
                   report->skipped, report->notifications);
      }
    }
    if (report->notifications > 0 && on_notifications_) on_notifications_();
    if (!report->more) co_return;
  }
}

asio::awaitable<void> ReminderScheduler::ReplanIfSettingsChanged() {
  // One pass plans every batch with the same settings, even when a reload replaces them
  // meanwhile: the fingerprint stored at its end must describe all the tasks.
  const std::shared_ptr<const FollowUpSettings> settings = settings_;
  const std::shared_ptr<const Directory> directory = directory_;
  auto check = [settings](PlanReader& reader) -> Result<bool> {
    return NeedsReplanning(reader, *settings);
  };
  Result<bool> needed = co_await storage_.Read(std::move(check));
  if (!needed.ok()) {
    log_->error("reading the planning fingerprint failed: {}", needed.status().ToString());
    co_return;
  }
  if (!*needed) co_return;
  log_->info(
      "the reminder settings (policies, calendars, teams, people) differ from those the "
      "stored reminders were planned with, or none were planned yet: planning every task "
      "again");
  const auto started = clock_.MonotonicNow();
  std::optional<TaskId> after;
  int tasks = 0;
  int batches = 0;
  do {
    if (stopping_) co_return;  // the fingerprint stays old: the next start finishes the job
    const Instant now = clock_.Now();
    auto command = [settings, directory, after, now](PlanRepository& repo) -> Result<ReplanReport> {
      return ReplanAllReminders(repo, *settings, *directory, after, kBatchSize, now);
    };
    Result<ReplanReport> report = co_await storage_.Write(std::move(command));
    if (!report.ok()) {
      log_->error("planning reminders again failed: {}; the next start tries again",
                  report.status().ToString());
      co_return;
    }
    tasks += report->tasks;
    after = report->next_after;
    if (++batches % 20 == 0) log_->info("planned {} tasks again so far", tasks);
  } while (after);
  log_->info("planned the reminders of {} task(s) again in {} ms", tasks,
             std::chrono::duration_cast<std::chrono::milliseconds>(clock_.MonotonicNow() - started)
                 .count());
}

asio::awaitable<void> ReminderScheduler::Run() {
  co_await ReplanIfSettingsChanged();
  co_await FireDue(/*catch_up=*/true);
  while (!stopping_) {
    woken_ = false;
    if (replan_check_due_) {
      replan_check_due_ = false;
      co_await ReplanIfSettingsChanged();
      continue;
    }
    auto query = [](PlanReader& reader) -> Result<std::optional<Instant>> {
      return reader.NextReminderAt();
    };
    Result<std::optional<Instant>> next = co_await storage_.Read(std::move(query));
    if (stopping_) break;
    boost::system::error_code ec;
    if (!next.ok()) {
      log_->error("reading the next reminder failed: {}; retrying in 5 s",
                  next.status().ToString());
      timer_.expires_after(std::chrono::seconds(5));
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    stats_.next_fire_at = *next;
    if (woken_) continue;  // a write landed while we read: read again
    if (!*next) {
      // Nothing pending: sleep until a write wakes us.
      timer_.expires_at(asio::steady_timer::time_point::max());
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    auto wait = **next - clock_.Now();
    if (wait > std::chrono::milliseconds::zero()) {
      timer_.expires_after(std::min<std::chrono::steady_clock::duration>(wait, kMaxSleep));
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;  // woken, cut short by kMaxSleep, or due: the next round decides
    }
    co_await FireDue(/*catch_up=*/false);
  }
  running_ = false;
}

}  // namespace kaizen::daemon
