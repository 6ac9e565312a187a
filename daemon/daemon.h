// Daemon: kaizend's wiring. Builds the concrete objects from a validated Config (storage, clock,
// API handlers, HTTP server), runs one io_context on the calling thread for HTTP and timers,
// and stops gracefully on SIGTERM/SIGINT: no new connections, requests and deliveries in flight
// finish within the grace period, the WAL is checkpointed into the database file, then Run()
// returns. SIGHUP reloads the config (RequestReload). Under systemd (Type=notify) it reports
// READY, RELOADING, STOPPING, a status line and watchdog keep-alives (service_manager.h).
//
// Create() and Run() are called by main's thread; RequestStop() from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"
#include "workflow/status.h"

namespace kaizen::daemon {

// "0.1.0"
std::string_view Version();

struct DaemonOptions {
  config::Config config;
  // Written atomically (temp file + rename) with the bound port and a newline once the
  // listener is bound, before Run() serves; for tests that listen on port 0.
  std::optional<std::string> port_file;
  // How long requests and deliveries in flight may take to finish after a stop signal; a
  // delivery still running then is abandoned (left delivering, resent at the next start).
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(10)};
  // Tests run several daemons in one process and stop them with RequestStop().
  bool handle_signals = true;
  // SIGHUP and RequestReload(): reads the config again (kaizend: the same file, with the
  // command line's --listen and --db applied again). Empty: a reload only logs a warning.
  std::function<Result<config::Config>()> reload_config;
};

class Daemon {
 public:
  // Opens the database (applying migrations) and binds the listener.
  // Errors: those of storage::Storage::Open (kUnavailable "database_unavailable", kConflict
  // "schema_too_new", kInternal "migration_failed") and HttpServer::Bind (kUnavailable
  // "listen_failed"), kUnavailable "port_file_failed".
  static Result<std::unique_ptr<Daemon>> Create(DaemonOptions options);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Serves until stopped; returns Ok after a graceful stop.
  Status Run();

  // Starts a graceful stop, as SIGTERM does. Thread-safe; idempotent.
  void RequestStop();

  // Reloads the config, as SIGHUP does: a valid one is applied on the event loop (people,
  // teams, policies, calendars, routing, messages, channels, templates, schedules, log level);
  // the listener, the database and the log format keep their running values until a restart
  // (each such change is logged); an invalid one is refused with its problems logged, and the
  // running config stays. Thread-safe.
  void RequestReload();

  std::uint16_t port() const;

  class Impl;
  explicit Daemon(std::unique_ptr<Impl> impl);  // use Create()

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kaizen::daemon
