// ServiceManager: what kaizend tells systemd about itself (sd_notify), for a unit of
// Type=notify: READY=1 once it serves, STATUS=<one line> for `systemctl status`, RELOADING=1
// around a SIGHUP reload, STOPPING=1 at a stop, and WATCHDOG=1 keep-alives when the unit sets
// WatchdogSec=.
//
// The keep-alives come from a timer on the daemon's event loop, at half the interval systemd
// asked for (sd_watchdog_enabled): a loop that is stuck (a handler that blocks, a deadlock)
// stops pinging, and systemd kills and restarts the service. A thread of its own would keep
// pinging while the loop is dead.
//
// Without NOTIFY_SOCKET in the environment (not under systemd, or a unit of another Type), or
// built without libsystemd (KAIZEN_HAVE_SYSTEMD), every call does nothing, and the daemon runs
// the same.
//
// Executor: the daemon's io_context (one thread); every method is called on it.
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace kaizen::daemon {

class ServiceManager {
 public:
  // Reads NOTIFY_SOCKET and WATCHDOG_USEC (with WATCHDOG_PID, when set, naming this process).
  explicit ServiceManager(boost::asio::any_io_executor executor);
  ~ServiceManager();
  ServiceManager(const ServiceManager&) = delete;
  ServiceManager& operator=(const ServiceManager&) = delete;

  // Whether a service manager listens (NOTIFY_SOCKET set and libsystemd built in).
  bool enabled() const { return enabled_; }
  // The keep-alive interval systemd expects (WatchdogSec=), when it expects any.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }

  // The daemon serves: READY=1 with `status`; starts the keep-alives and the status refresh.
  void Ready(std::string status);
  // A reload begins: RELOADING=1 with MONOTONIC_USEC (which systemd 253 and later require to
  // match the reload to its request; older versions ignore it) and STATUS=reloading.
  void Reloading();
  // The reload is over (applied or refused): READY=1 with `status`.
  void Reloaded(std::string status);
  // The stop begins: STOPPING=1 with STATUS=stopping; no keep-alive or refresh from now on.
  void Stopping();

  // The line `systemctl status` shows under the unit ("serving on 127.0.0.1:8080", or a
  // refresh's "42 open tasks, 3 overdue, outbox 0"). Sent at once when it changed.
  void SetStatus(std::string status);

  // Computes a fresh status line, for instance from the database; nullopt keeps the last one.
  using StatusSource = std::function<boost::asio::awaitable<std::optional<std::string>>()>;
  // Every `every`, from Ready() until Stopping(), awaits `source` and sends its line (skipped
  // while a reload is under way). The first refresh runs right after Ready(). Call before
  // Ready(); a second call replaces the first.
  void SetStatusRefresh(std::chrono::milliseconds every, StatusSource source);

  // What was last sent as STATUS=, for logs and tests.
  const std::string& status() const { return status_; }

 private:
  // Sends `state` (newline-separated assignments); logs a failure once.
  void Notify(const std::string& state);
  void ArmWatchdog();
  boost::asio::awaitable<void> RefreshStatus();

  boost::asio::any_io_executor executor_;
  std::shared_ptr<spdlog::logger> log_;
  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer refresh_timer_;
  std::chrono::milliseconds refresh_every_{0};
  StatusSource refresh_source_;
  std::string status_;
  bool ready_ = false;
  bool reloading_ = false;
  bool stopping_ = false;
  bool refresh_running_ = false;
  bool notify_failed_logged_ = false;
};

}  // namespace kaizen::daemon
