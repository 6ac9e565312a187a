#include "daemon/service_manager.h"

#include <time.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "daemon/logging.h"

#ifdef KAIZEN_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

namespace kaizen::daemon {

namespace asio = boost::asio;

namespace {

// A status line must stay one line: a newline would start a new assignment.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::uint64_t MonotonicMicroseconds() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(now.tv_nsec) / 1'000u;
}

}  // namespace

ServiceManager::ServiceManager(asio::any_io_executor executor)
    : executor_(executor),
      log_(Logger("daemon")),
      watchdog_timer_(executor),
      refresh_timer_(executor) {
#ifdef KAIZEN_HAVE_SYSTEMD
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket != nullptr && socket[0] != '\0';
  std::uint64_t usec = 0;
  // > 0: systemd expects keep-alives from this process. A WATCHDOG_PID naming another process
  // (a forked child inherited the environment) is 0; an absent WATCHDOG_PID counts as ours.
  if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::microseconds(usec);
  }
#endif
}

ServiceManager::~ServiceManager() = default;

void ServiceManager::Notify(const std::string& state) {
  if (!enabled_) return;
#ifdef KAIZEN_HAVE_SYSTEMD
  const int rc = sd_notify(0, state.c_str());
  if (rc < 0 && !notify_failed_logged_) {
    // Once: a manager that went away would otherwise fill the log every keep-alive.
    notify_failed_logged_ = true;
    log_->warn("telling systemd '{}' failed: {}", state.substr(0, state.find('\n')),
               std::strerror(-rc));
  }
#else
  (void)state;
#endif
}

void ServiceManager::Ready(std::string status) {
  status_ = OneLine(std::move(status));
  ready_ = true;
  Notify("READY=1\nSTATUS=" + status_);
  if (watchdog_) {
    log_->info("systemd watchdog: {} ms, kept alive every {} ms", watchdog_->count() / 1000,
               watchdog_->count() / 2000);
    Notify("WATCHDOG=1");
    ArmWatchdog();
  }
  if (refresh_source_ && !refresh_running_) {
    refresh_running_ = true;
    asio::co_spawn(executor_, RefreshStatus(), [log = log_](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log->error("status refresh stopped by an exception: {}", ex.what());
      }
    });
  }
}

void ServiceManager::ArmWatchdog() {
  if (stopping_ || !watchdog_) return;
  watchdog_timer_.expires_after(*watchdog_ / 2);
  watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    Notify("WATCHDOG=1");
    ArmWatchdog();
  });
}

void ServiceManager::Reloading() {
  reloading_ = true;
  status_ = "reloading";
  Notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(MonotonicMicroseconds()) +
         "\nSTATUS=" + status_);
}

void ServiceManager::Reloaded(std::string status) {
  reloading_ = false;
  status_ = OneLine(std::move(status));
  Notify("READY=1\nSTATUS=" + status_);
}

void ServiceManager::Stopping() {
  if (stopping_) return;
  stopping_ = true;
  status_ = "stopping";
  Notify("STOPPING=1\nSTATUS=" + status_);
  watchdog_timer_.cancel();
  refresh_timer_.cancel();
}

void ServiceManager::SetStatus(std::string status) {
  status = OneLine(std::move(status));
  if (status == status_) return;
  status_ = std::move(status);
  if (ready_ && !stopping_) Notify("STATUS=" + status_);
}

void ServiceManager::SetStatusRefresh(std::chrono::milliseconds every, StatusSource source) {
  refresh_every_ = every;
  refresh_source_ = std::move(source);
}

asio::awaitable<void> ServiceManager::RefreshStatus() {
  while (!stopping_) {
    if (!reloading_) {
      std::optional<std::string> line = co_await refresh_source_();
      if (stopping_) break;
      if (line && !reloading_) SetStatus(std::move(*line));
    }
    refresh_timer_.expires_after(refresh_every_);
    boost::system::error_code ec;
    co_await refresh_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  refresh_running_ = false;
}

}  // namespace kaizen::daemon
