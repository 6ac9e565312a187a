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
#include "daemon/api_handlers.h"
#include "daemon/api_json.h"
#include "daemon/cycle_scheduler.h"
#include "daemon/daemon_metrics.h"
#include "daemon/delivery_dispatcher.h"
#include "daemon/goal_check_in_sweep.h"
#include "daemon/http_server.h"
#include "daemon/logging.h"
#include "daemon/reminder_scheduler.h"
#include "daemon/system_clock.h"
#include "notifiers/channel.h"
#include "notifiers/provider_channel.h"
#include "storage/storage.h"

#ifdef KAIZEN_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#ifndef KAIZEN_VERSION
#define KAIZEN_VERSION "0.0.0"
#endif

namespace kaizen::daemon {

namespace asio = boost::asio;

namespace {

// Tells systemd (Type=notify) about the daemon's state; does nothing without NOTIFY_SOCKET or
// without libsystemd at build time.
void NotifySystemd(const char* state) {
#ifdef KAIZEN_HAVE_SYSTEMD
  int rc = sd_notify(0, state);
  if (rc < 0) Logger("daemon")->warn("sd_notify({}) failed: {}", state, std::strerror(-rc));
#else
  (void)state;
#endif
}

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
      : options_(std::move(options)), signals_(io_), log_(Logger("daemon")) {}

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

    auto directory = config.directory ? config.directory : std::make_shared<const Directory>();
    FollowUpSettings settings = config.follow_up ? *config.follow_up : FollowUpSettings{};
    settings.group_window = config.delivery.group_window;
    auto follow_up = std::make_shared<const FollowUpSettings>(std::move(settings));

    // config/ checked every template already; a failure here would be a bug, reported as such.
    auto catalog = notifiers::MessageCatalog::Make(config.messages);
    if (!catalog.ok()) return catalog.status();
    auto messages = std::make_shared<const notifiers::MessageCatalog>(std::move(catalog).value());
    std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels;
    for (const ChannelOptions& options : config.channels) {
      auto channel = notifiers::MakeChannel(options, directory, clock_, io_.get_executor(),
                                            Logger("delivery"), messages);
      if (!channel.ok()) return channel.status();
      if (auto warning = notifiers::RetiredFormatWarning(options)) log_->warn("{}", *warning);
      channels.emplace(options.id, std::move(*channel));
    }
    if (channels.count("log") == 0) {
      // The built-in default route: a config without channels still says every reminder.
      ChannelOptions log_channel;
      log_channel.id = "log";
      log_channel.type = ChannelType::kLog;
      auto channel = notifiers::MakeChannel(log_channel, directory, clock_, io_.get_executor(),
                                            Logger("delivery"), messages);
      if (!channel.ok()) return channel.status();
      channels.emplace("log", std::move(*channel));
    }
    dispatcher_ = std::make_unique<DeliveryDispatcher>(
        io_.get_executor(), *storage_, std::move(channels), config.delivery, clock_);
    dispatcher_->SetBrokenChannelContacts(BrokenChannelContacts(config, *directory, *follow_up));
    dispatcher_->SetMessageCatalog(messages);
    dispatcher_->SetAttemptObserver(
        [metrics = metrics_.get()](std::string_view channel, std::string_view outcome,
                                   std::chrono::steady_clock::duration duration) {
          metrics->RecordDeliveryAttempt(channel, outcome, duration);
        });
    scheduler_ = std::make_unique<ReminderScheduler>(
        io_.get_executor(), *storage_, follow_up, directory, clock_,
        [dispatcher = dispatcher_.get()] { dispatcher->Wake(); });
    goal_sweep_ = std::make_unique<GoalCheckInSweep>(
        io_.get_executor(), *storage_, follow_up, directory, clock_,
        [dispatcher = dispatcher_.get()] { dispatcher->Wake(); });

    FollowUpHooks hooks;
    hooks.settings = follow_up;
    hooks.reminders_changed = [scheduler = scheduler_.get()] { scheduler->Wake(); };
    hooks.notifications_written = [dispatcher = dispatcher_.get()] { dispatcher->Wake(); };
    hooks.messages = std::make_shared<const MessageSettings>(config.messages);
    hooks.goals_changed = [sweep = goal_sweep_.get()] { sweep->Wake(); };
    api_ = std::make_unique<ApiHandlers>(*storage_, directory, clock_, std::move(hooks),
                                         dispatcher_.get());
    api_->SetTemplates(config.templates);

    // Schedules: config/ checked every template, team and rule already.
    auto schedules = std::make_shared<ScheduleSet>();
    schedules->settings = follow_up;
    schedules->directory = directory;
    schedules->steps = RealCycleSteps(follow_up, directory);
    for (const ScheduleSpec& spec : config.schedules) {
      const Team* team = directory->FindTeam(spec.team);
      auto plan_template =
          std::find_if(config.templates.begin(), config.templates.end(),
                       [&spec](const PlanTemplate& t) { return t.id == spec.template_id; });
      if (team == nullptr || plan_template == config.templates.end()) {
        return Internal("internal", "schedule " + spec.id + " names an unknown team or template");
      }
      schedules->entries.push_back(
          ScheduleEntry{spec, *plan_template, config::TeamWorkingDays(*follow_up, *team)});
    }
    cycles_ = std::make_unique<CycleScheduler>(
        io_.get_executor(), *storage_, schedules, clock_,
        [scheduler = scheduler_.get(), dispatcher = dispatcher_.get()](bool reminders,
                                                                       int notifications) {
          if (reminders) scheduler->Wake();
          if (notifications > 0) dispatcher->Wake();
        });
    api_->SetSchedules(schedules, [cycles = cycles_.get()] { cycles->Wake(); });
    cycles_->SetFireLagObserver(
        [metrics = metrics_.get()](std::chrono::steady_clock::duration lag) {
          metrics->RecordScheduleFireLag(lag);
        });
    api_->SetMetrics(metrics_.get());

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
    NotifySystemd("READY=1");
    io_.run();
    log_->info("stopped");
    return Status::Ok();
  }

  void RequestStop() {
    asio::post(io_, [this] { Stop(); });
  }

  std::uint16_t port() const { return server_->port(); }

 private:
  // On the io thread.
  void Stop() {
    if (stopping_) return;
    stopping_ = true;
    NotifySystemd("STOPPING=1");
    boost::system::error_code ignored;
    signals_.cancel(ignored);
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
  std::shared_ptr<spdlog::logger> log_;
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

std::uint16_t Daemon::port() const { return impl_->port(); }

}  // namespace kaizen::daemon
