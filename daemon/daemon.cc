#include "daemon/daemon.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "config/schedules.h"
#include "daemon/access.h"
#include "daemon/api_handlers.h"
#include "daemon/api_json.h"
#include "daemon/cycle_scheduler.h"
#include "daemon/daemon_metrics.h"
#include "daemon/delivery_dispatcher.h"
#include "daemon/goal_check_in_sweep.h"
#include "daemon/http_server.h"
#include "daemon/logging.h"
#include "daemon/reminder_scheduler.h"
#include "daemon/service_manager.h"
#include "daemon/system_clock.h"
#include "notifiers/channel.h"
#include "notifiers/provider_channel.h"
#include "storage/storage.h"

#ifndef KAIZEN_VERSION
#define KAIZEN_VERSION "0.0.0"
#endif

namespace kaizen::daemon {

namespace asio = boost::asio;

namespace {

// For each channel with an owner: the owner, and the channels to tell them through: their
// team's, else the default ones, and "log" last, which always works.
std::map<std::string, BrokenChannelContact, std::less<>> BrokenChannelContacts(
    const config::Config& config, const Directory& directory, const FollowUpSettings& follow_up) {
  std::map<std::string, BrokenChannelContact, std::less<>> contacts;
  for (const ChannelOptions& channel : config.channels) {
    if (!channel.owner) continue;
    const Person* person = directory.FindPerson(*channel.owner);
    if (person == nullptr) continue;  // config/ refuses an unknown owner
    BrokenChannelContact c;
    c.owner = person->id;
    c.owner_name = person->name;
    c.team = person->team;
    if (const Team* team = directory.FindTeam(person->team)) c.time_zone = team->time_zone;
    auto team = follow_up.teams.find(person->team);
    c.via = team != follow_up.teams.end() && !team->second.channels.empty()
                ? team->second.channels
                : follow_up.default_channels;
    if (std::find(c.via.begin(), c.via.end(), "log") == c.via.end()) c.via.push_back("log");
    contacts.emplace(channel.id, std::move(c));
  }
  return contacts;
}

std::string ListenText(const config::ServerOptions& server) {
  const bool ipv6 = server.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + server.host + "]" : server.host) + ":" + std::to_string(server.port);
}

// The settings a running kaizend cannot take over (the listener, the database, the log
// format): each one that `next` changes is logged as needing a restart and put back to its
// running value in `next`, so that the rest of `next` applies and a later reload compares
// with what really runs. Returns how many there were.
int KeepRestartOnlySettings(const config::Config& running, config::Config& next,
                            spdlog::logger& log) {
  int kept = 0;
  auto keep = [&](std::string_view field, auto& next_value, const auto& running_value,
                  const std::string& next_text, const std::string& running_text) {
    if (next_value == running_value) return;
    log.warn("config reload: {} changed from {} to {}: that needs a restart; still {}", field,
             running_text, next_text, running_text);
    next_value = running_value;
    ++kept;
  };
  // Compared as one address: a changed host and port make one line.
  const std::string running_listen = ListenText(running.server);
  const std::string next_listen = ListenText(next.server);
  if (next_listen != running_listen) {
    log.warn("config reload: server.listen changed from {} to {}: that needs a restart; still {}",
             running_listen, next_listen, running_listen);
    next.server.host = running.server.host;
    next.server.port = running.server.port;
    ++kept;
  }
  keep("server.max_body_bytes", next.server.max_body_bytes, running.server.max_body_bytes,
       std::to_string(next.server.max_body_bytes), std::to_string(running.server.max_body_bytes));
  keep("server.request_timeout_seconds", next.server.request_timeout_seconds,
       running.server.request_timeout_seconds, std::to_string(next.server.request_timeout_seconds),
       std::to_string(running.server.request_timeout_seconds));
  keep("server.max_connections", next.server.max_connections, running.server.max_connections,
       std::to_string(next.server.max_connections), std::to_string(running.server.max_connections));
  keep("storage.path", next.storage.path, running.storage.path, next.storage.path,
       running.storage.path);
  keep("storage.readers", next.storage.readers, running.storage.readers,
       std::to_string(next.storage.readers), std::to_string(running.storage.readers));
  keep("storage.synchronous", next.storage.synchronous, running.storage.synchronous,
       next.storage.synchronous, running.storage.synchronous);
  keep("log.format", next.log.format, running.log.format, next.log.format, running.log.format);
  return kept;
}

Status WritePortFile(const std::string& path, std::uint16_t port) {
  // Readers poll for the file: they must never see it empty or half written.
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << '\n';
    out.flush();
    if (!out) {
      return Unavailable("port_file_failed",
                         "cannot write port file " + temp + ": " + std::strerror(errno));
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    return Unavailable("port_file_failed",
                       "cannot rename " + temp + " to " + path + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace

std::string_view Version() { return KAIZEN_VERSION; }

// Members are declared in construction order; destruction runs backwards, so the storage
// finishes its queued work while the io_context it posts completions to still exists.
class Daemon::Impl {
 public:
  explicit Impl(DaemonOptions options)
      : options_(std::move(options)),
        signals_(io_),
        reload_signals_(io_),
        service_(io_.get_executor()),
        log_(Logger("daemon")) {}

  Status Open() {
    const config::Config& config = options_.config;
    storage::StorageOptions storage_options;
    storage_options.path = config.storage.path;
    storage_options.readers = config.storage.readers;
    storage_options.synchronous = config.storage.synchronous;
    auto opened = storage::Storage::Open(storage_options);
    if (!opened.ok()) return opened.status();
    storage_ = std::move(*opened);
    metrics_ = std::make_unique<DaemonMetrics>(Version(), clock_.Now());

    // The components are built from the config's pieces, then Install hands each the rest
    // (channels, templates, schedules, ...) exactly as a reload does (ApplyConfig: Derive, then
    // Install).
    auto derived = Derive(config);
    if (!derived.ok()) return derived.status();
    dispatcher_ = std::make_unique<DeliveryDispatcher>(
        io_.get_executor(), *storage_,
        std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>>{}, config.delivery,
        clock_);
    dispatcher_->SetAttemptObserver(
        [metrics = metrics_.get()](std::string_view channel, std::string_view outcome,
                                   std::chrono::steady_clock::duration duration) {
          metrics->RecordDeliveryAttempt(channel, outcome, duration);
        });
    scheduler_ = std::make_unique<ReminderScheduler>(
        io_.get_executor(), *storage_, derived->follow_up, derived->directory, clock_,
        [dispatcher = dispatcher_.get()] { dispatcher->Wake(); });
    goal_sweep_ = std::make_unique<GoalCheckInSweep>(
        io_.get_executor(), *storage_, derived->follow_up, derived->directory, clock_,
        [dispatcher = dispatcher_.get()] { dispatcher->Wake(); });

    FollowUpHooks hooks;
    hooks.settings = derived->follow_up;
    hooks.reminders_changed = [scheduler = scheduler_.get()] { scheduler->Wake(); };
    hooks.notifications_written = [dispatcher = dispatcher_.get()] { dispatcher->Wake(); };
    hooks.messages = derived->messages;
    hooks.goals_changed = [sweep = goal_sweep_.get()] { sweep->Wake(); };
    api_ = std::make_unique<ApiHandlers>(*storage_, derived->directory, clock_, std::move(hooks),
                                         dispatcher_.get());
    cycles_ = std::make_unique<CycleScheduler>(
        io_.get_executor(), *storage_, derived->schedules, clock_,
        [scheduler = scheduler_.get(), dispatcher = dispatcher_.get()](bool reminders,
                                                                       int notifications) {
          if (reminders) scheduler->Wake();
          if (notifications > 0) dispatcher->Wake();
        });
    cycles_->SetFireLagObserver(
        [metrics = metrics_.get()](std::chrono::steady_clock::duration lag) {
          metrics->RecordScheduleFireLag(lag);
        });
    api_->SetMetrics(metrics_.get());
    Install(std::move(*derived), config);

    HttpServerOptions server_options;
    server_options.host = config.server.host;
    server_options.port = config.server.port;
    server_options.max_body_bytes = config.server.max_body_bytes;
    server_options.request_timeout = std::chrono::seconds(config.server.request_timeout_seconds);
    server_options.max_connections = config.server.max_connections;
    auto server = HttpServer::Bind(
        io_.get_executor(), server_options,
        InstrumentRequests(
            [api = api_.get()](HttpRequest request) { return api->Handle(std::move(request)); },
            api_->router(), *metrics_, clock_),
        [](const Status& status) { return ErrorResponse(status); }, clock_);
    if (!server.ok()) return server.status();
    server_ = std::move(*server);
    return Status::Ok();
  }

  Status Run() {
    if (options_.handle_signals) {
      signals_.add(SIGTERM);
      signals_.add(SIGINT);
      signals_.async_wait([this](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        log_->info("received {}, stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
        Stop();
      });
      reload_signals_.add(SIGHUP);
      WaitForReloadSignal();
    }
    server_->Start();
    dispatcher_->Start();
    scheduler_->Start();
    goal_sweep_->Start();
    cycles_->Start();
    if (options_.port_file) {
      if (Status s = WritePortFile(*options_.port_file, server_->port()); !s.ok()) return s;
    }
    const config::Config& config = options_.config;
    std::size_t teams = config.directory ? config.directory->teams().size() : 0;
    std::size_t people = config.directory ? config.directory->people().size() : 0;
    log_->info("kaizend {} listening on {}, database {} (schema {}), {} team{}, {} {}", Version(),
               server_->address(), config.storage.path, storage_->schema_version(), teams,
               teams == 1 ? "" : "s", people, people == 1 ? "person" : "people");
    // systemctl status shows what an operator asks first: how much is open, late, unsent.
    service_.SetStatusRefresh(
        std::chrono::seconds(30), [this]() -> asio::awaitable<std::optional<std::string>> {
          const Instant now = clock_.Now();
          auto query = [now](PlanReader& reader) -> Result<OperationalCounts> {
            return reader.CountOperational(now);
          };
          Result<OperationalCounts> counts = co_await storage_->Read(std::move(query));
          if (!counts.ok()) co_return std::nullopt;
          co_return ServingStatus() + ": " + StatusLine(*counts);
        });
    service_.Ready(ServingStatus());
    io_.run();
    CheckpointDatabase();
    log_->info("stopped");
    return Status::Ok();
  }

  void RequestStop() {
    asio::post(io_, [this] { Stop(); });
  }

  void RequestReload() {
    asio::post(io_, [this] { Reload(); });
  }

  // Re-reads the config (DaemonOptions::reload_config) and applies it; a config that does not
  // load or validate changes nothing. On the io thread. Counted in reload_stats().
  void Reload() {
    if (stopping_) return;
    if (!options_.reload_config) {
      log_->warn("config reload asked for, but this daemon has no config file to read again");
      return;
    }
    service_.Reloading();
    const auto started = std::chrono::steady_clock::now();
    log_->info("reloading the config from {}", options_.config.source);
    Result<config::Config> loaded = options_.reload_config();
    if (!loaded.ok()) {
      RefuseReload(loaded.status());
      return;
    }
    config::Config next = std::move(*loaded);
    const int kept = KeepRestartOnlySettings(options_.config, next, *log_);
    // The listener stays where it is; a file that drops every token must not open it to the
    // network.
    if (next.api.tokens.empty() && !config::IsLoopbackHost(next.server.host)) {
      RefuseReload(InvalidArgument(
          "config_invalid", next.source + ": api.tokens: kaizend listens on " +
                                next.server.host + ", a non-loopback address: keep a token"));
      return;
    }
    if (Status applied = ApplyConfig(next); !applied.ok()) {
      RefuseReload(applied);
      return;
    }
    options_.config = std::move(next);
    ++reload_stats_.applied;
    const config::Config& config = options_.config;
    const std::size_t teams = config.directory ? config.directory->teams().size() : 0;
    const std::size_t people = config.directory ? config.directory->people().size() : 0;
    log_->info(
        "config reloaded from {} in {} ms: {} team(s), {} person(s), {} channel(s), {} "
        "template(s), {} schedule(s){}",
        config.source,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                              started)
            .count(),
        teams, people, config.channels.size(), config.templates.size(), config.schedules.size(),
        kept > 0 ? "; " + std::to_string(kept) + " setting(s) wait for a restart" : "");
    service_.Reloaded(ServingStatus());
  }

  // Derives the components' pieces from `config` and hands them over; nothing changes when it
  // fails (a channel that cannot be built). On the io thread. The start path derives and
  // installs the same way (Open).
  Status ApplyConfig(const config::Config& config) {
    auto derived = Derive(config);
    if (!derived.ok()) return derived.status();
    Install(std::move(*derived), config);
    return Status::Ok();
  }

  // Reloads applied and refused since the start.
  struct ReloadStats {
    std::int64_t applied = 0;
    std::int64_t refused = 0;
  };
  const ReloadStats& reload_stats() const { return reload_stats_; }

  // The status line told to systemd; Run() refreshes it with the open tasks and the outbox.
  ServiceManager& service_manager() { return service_; }

  std::uint16_t port() const { return server_->port(); }

 private:
  // Everything a config decides that the components are built from, made whole before any of
  // it is handed over.
  struct DerivedConfig {
    std::shared_ptr<const Directory> directory;
    std::shared_ptr<const FollowUpSettings> follow_up;
    std::shared_ptr<const MessageSettings> messages;
    std::shared_ptr<const notifiers::MessageCatalog> catalog;
    std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels;
    std::map<std::string, BrokenChannelContact, std::less<>> contacts;
    std::shared_ptr<const ScheduleSet> schedules;
  };

  Result<DerivedConfig> Derive(const config::Config& config) {
    DerivedConfig d;
    d.directory = config.directory ? config.directory : std::make_shared<const Directory>();
    FollowUpSettings settings = config.follow_up ? *config.follow_up : FollowUpSettings{};
    settings.group_window = config.delivery.group_window;
    d.follow_up = std::make_shared<const FollowUpSettings>(std::move(settings));
    d.messages = std::make_shared<const MessageSettings>(config.messages);

    // config/ checked every template already; a failure here would be a bug, reported as such.
    auto catalog = notifiers::MessageCatalog::Make(config.messages);
    if (!catalog.ok()) return catalog.status();
    d.catalog = std::make_shared<const notifiers::MessageCatalog>(std::move(catalog).value());
    for (const ChannelOptions& options : config.channels) {
      auto channel = notifiers::MakeChannel(options, d.directory, clock_, io_.get_executor(),
                                            Logger("delivery"), d.catalog);
      if (!channel.ok()) return channel.status();
      if (auto warning = notifiers::RetiredFormatWarning(options)) log_->warn("{}", *warning);
      d.channels.emplace(options.id, std::move(*channel));
    }
    if (d.channels.count("log") == 0) {
      // The built-in default route: a config without channels still says every reminder.
      ChannelOptions log_channel;
      log_channel.id = "log";
      log_channel.type = ChannelType::kLog;
      auto channel = notifiers::MakeChannel(log_channel, d.directory, clock_, io_.get_executor(),
                                            Logger("delivery"), d.catalog);
      if (!channel.ok()) return channel.status();
      d.channels.emplace("log", std::move(*channel));
    }
    d.contacts = BrokenChannelContacts(config, *d.directory, *d.follow_up);

    // Schedules: config/ checked every template, team and rule already.
    auto schedules = std::make_shared<ScheduleSet>();
    schedules->settings = d.follow_up;
    schedules->directory = d.directory;
    schedules->steps = RealCycleSteps(d.follow_up, d.directory);
    for (const ScheduleSpec& spec : config.schedules) {
      const Team* team = d.directory->FindTeam(spec.team);
      auto plan_template =
          std::find_if(config.templates.begin(), config.templates.end(),
                       [&spec](const PlanTemplate& t) { return t.id == spec.template_id; });
      if (team == nullptr || plan_template == config.templates.end()) {
        return Internal("internal", "schedule " + spec.id + " names an unknown team or template");
      }
      schedules->entries.push_back(
          ScheduleEntry{spec, *plan_template, config::TeamWorkingDays(*d.follow_up, *team)});
    }
    d.schedules = std::move(schedules);
    return d;
  }

  // The one place a config reaches the running components, at start (Open) and at every
  // reload: each takes its new pieces on the io thread, between two of its own steps, so no
  // request or round sees half of one config and half of another. What was started with the
  // old pieces (a request in flight, a delivery on an old channel object) holds them by
  // shared_ptr and finishes with them. The schedulers, the sweep and the dispatcher are woken
  // to plan again; the reminder scheduler plans every task again when the reminder settings
  // changed (the same check as at start).
  void Install(DerivedConfig d, const config::Config& config) {
    if (Status s = SetLogLevel(config.log.level); !s.ok()) {
      log_->warn("log.level: {}", s.message());  // config/ validated it: not expected
    }
    dispatcher_->SetOptions(config.delivery);
    dispatcher_->SetMessageCatalog(d.catalog);
    dispatcher_->SetBrokenChannelContacts(std::move(d.contacts));
    dispatcher_->SetChannels(std::move(d.channels));
    scheduler_->Reconfigure(d.follow_up, d.directory);
    goal_sweep_->Reconfigure(d.follow_up, d.directory);
    api_->SetDirectory(d.directory);
    api_->SetFollowUpSettings(d.follow_up, d.messages);
    api_->SetTemplates(config.templates);
    // API tokens: without any, the API is open; config/ refuses that off loopback.
    api_->SetAccess(BuildAccessPolicy(config.api));
    if (config.api.tokens.empty()) {
      log_->warn(
          "the API is open to anyone on this host: api.tokens is empty (listening on a "
          "loopback address only)");
    } else {
      log_->info("API tokens: {}", config.api.tokens.size());
    }
    api_->SetSchedules(d.schedules, [cycles = cycles_.get()] { cycles->Wake(); });
    cycles_->SetSchedules(d.schedules);
  }

  void WaitForReloadSignal() {
    reload_signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (ec || stopping_) return;
      log_->info("received SIGHUP");
      Reload();
      WaitForReloadSignal();
    });
  }

  // The reload failed: says why (each problem as "file: field: reason"), keeps the config that
  // runs, and counts it.
  void RefuseReload(const Status& why) {
    ++reload_stats_.refused;
    log_->error("config reload refused ({} so far); still running with the config loaded before:",
                reload_stats_.refused);
    std::string_view message = why.message();
    while (!message.empty()) {
      const std::size_t end = message.find('\n');
      std::string_view line = message.substr(0, end);
      if (!line.empty()) log_->error("config reload: {}", line);
      if (end == std::string_view::npos) break;
      message.remove_prefix(end + 1);
    }
    service_.Reloaded(ServingStatus());
  }

  std::string ServingStatus() const { return "serving on " + server_->address(); }

  // After the loop ended: copies the WAL into the database file and empties it, so that the
  // file alone is the whole state (a copy taken while kaizend is stopped needs no -wal).
  void CheckpointDatabase() {
    auto checkpointed = storage_->CheckpointWal();
    if (!checkpointed.ok()) {
      log_->warn("{}; the WAL stays and the next start replays it",
                 checkpointed.status().message());
    } else if (checkpointed->busy) {
      log_->warn(
          "checkpoint of {}: a reader held part of the WAL; it stays and the next start "
          "replays it",
          options_.config.storage.path);
    } else {
      log_->info("checkpointed {}: the WAL ({} bytes) copied into the database file, WAL emptied",
                 options_.config.storage.path, checkpointed->wal_bytes);
    }
  }

  // On the io thread.
  void Stop() {
    if (stopping_) return;
    stopping_ = true;
    service_.Stopping();
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    reload_signals_.cancel(ignored);
    cycles_->Stop();
    scheduler_->Stop();
    goal_sweep_->Stop();
    dispatcher_->Stop(options_.shutdown_grace);
    server_->Stop(options_.shutdown_grace);
  }

  DaemonOptions options_;
  SystemClock clock_;
  asio::io_context io_{1};
  // Before everything that records into it (the server's handler, the dispatcher, the cycles).
  std::unique_ptr<DaemonMetrics> metrics_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<DeliveryDispatcher> dispatcher_;
  std::unique_ptr<ReminderScheduler> scheduler_;
  std::unique_ptr<GoalCheckInSweep> goal_sweep_;
  std::unique_ptr<CycleScheduler> cycles_;
  std::unique_ptr<ApiHandlers> api_;
  std::unique_ptr<HttpServer> server_;
  asio::signal_set signals_;
  asio::signal_set reload_signals_;
  ServiceManager service_;
  std::shared_ptr<spdlog::logger> log_;
  ReloadStats reload_stats_;
  bool stopping_ = false;
};

Result<std::unique_ptr<Daemon>> Daemon::Create(DaemonOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  if (Status s = impl->Open(); !s.ok()) return s;
  return std::make_unique<Daemon>(std::move(impl));
}

Daemon::Daemon(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Daemon::~Daemon() = default;

Status Daemon::Run() { return impl_->Run(); }

void Daemon::RequestStop() { impl_->RequestStop(); }

void Daemon::RequestReload() { impl_->RequestReload(); }

std::uint16_t Daemon::port() const { return impl_->port(); }

}  // namespace kaizen::daemon
