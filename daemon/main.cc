// kaizend: the kaizen daemon. Parses flags, loads and validates the config, and runs Daemon.
// Exit codes: 0 clean stop, 1 runtime failure (unusable database, cannot listen), 2 usage or
// config error.
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/logging.h"
#include "notifiers/provider_channel.h"
#include "storage/backup.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kUsage =
    "usage: kaizend --config FILE [--listen HOST:PORT] [--port-file FILE] [--db PATH]\n"
    "       kaizend --check-config FILE\n"
    "       kaizend --backup FILE (--config FILE | --db PATH) [--force]\n"
    "       kaizend --version | --help\n"
    "\n"
    "  --config FILE        the config file (JSON; see examples/kaizen.json)\n"
    "  --listen HOST:PORT   listen here instead of server.host/server.port; port 0 picks a\n"
    "                       free port ([::1]:8080 for IPv6)\n"
    "  --port-file FILE     once listening, write the port number and a newline to FILE\n"
    "  --db PATH            use this database file instead of storage.path\n"
    "  --check-config FILE  validate FILE, print \"FILE: ok\" or every problem, and exit\n"
    "  --backup FILE        copy the database (storage.path of --config, or --db) to FILE\n"
    "                       with SQLite's online backup, check the copy and exit; safe while\n"
    "                       a kaizend runs on the same database\n"
    "  --force              with --backup: replace FILE when it exists\n"
    "  --version            print the version and exit\n"
    "  --help               print this text and exit\n"
    "\n"
    "SIGHUP reloads FILE: a valid config applies at once, an invalid one is refused (logged)\n"
    "and the running config stays.\n"
    "\n"
    "Exit status: 0 after a clean stop (SIGTERM, SIGINT), 1 when the daemon cannot run (the\n"
    "database is unusable or too new, the address is taken), 2 for a usage or config error.\n"
    "--backup: 0 when the copy is made and checked, 1 when it failed (nothing is left at\n"
    "FILE), 2 for a usage or config error.\n";

struct Flags {
  std::optional<std::string> config;
  std::optional<std::string> listen;
  std::optional<std::string> port_file;
  std::optional<std::string> db;
  std::optional<std::string> check_config;
  std::optional<std::string> backup;
  bool force = false;
  bool version = false;
  bool help = false;
};

int UsageError(const std::string& message) {
  std::cerr << "kaizend: " << message << "\n" << kUsage;
  return kExitUsage;
}

// Returns an error message, or nullopt when the flags parse.
std::optional<std::string> ParseFlags(const std::vector<std::string_view>& args, Flags& flags) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::optional<std::string_view> inline_value;
    if (arg.starts_with("--")) {
      if (std::size_t eq = arg.find('='); eq != std::string_view::npos) {
        inline_value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
    }
    if (arg == "--version" || arg == "--help" || arg == "--force") {
      if (inline_value) return std::string(arg) + " takes no value";
      (arg == "--version" ? flags.version : arg == "--help" ? flags.help : flags.force) = true;
      continue;
    }
    std::optional<std::string>* target = nullptr;
    if (arg == "--config") target = &flags.config;
    if (arg == "--listen") target = &flags.listen;
    if (arg == "--port-file") target = &flags.port_file;
    if (arg == "--db") target = &flags.db;
    if (arg == "--check-config") target = &flags.check_config;
    if (arg == "--backup") target = &flags.backup;
    if (target == nullptr) return "unknown argument '" + std::string(args[i]) + "'";
    if (target->has_value()) return std::string(arg) + " given twice";
    std::string_view value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return std::string(arg) + " needs a value";
    }
    if (value.empty()) return std::string(arg) + " needs a non-empty value";
    *target = std::string(value);
  }
  return std::nullopt;
}

// "127.0.0.1:8080", "localhost:0", "[::1]:8080".
bool ParseListen(std::string_view text, std::string& host, std::uint16_t& port) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host_part = text.substr(0, colon);
  std::string_view port_part = text.substr(colon + 1);
  if (host_part.front() == '[') {
    if (host_part.size() < 3 || host_part.back() != ']') return false;
    host_part = host_part.substr(1, host_part.size() - 2);
  } else if (host_part.find(':') != std::string_view::npos) {
    return false;  // an IPv6 address needs brackets
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
  if (port_part.empty() || ec != std::errc() || end != port_part.data() + port_part.size() ||
      value > 65535) {
    return false;
  }
  host = std::string(host_part);
  port = static_cast<std::uint16_t>(value);
  return true;
}

int CheckConfig(const std::string& path) {
  auto config = kaizen::config::LoadConfigFile(path, kaizen::config::ProcessEnvironment());
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return kExitUsage;
  }
  std::cout << path << ": ok\n";
  // Valid, yet worth knowing before the daemon runs with it (stderr: stdout stays "ok").
  for (const kaizen::ChannelOptions& channel : config->channels) {
    if (auto warning = kaizen::notifiers::RetiredFormatWarning(channel)) {
      std::cerr << path << ": warning: " << *warning << "\n";
    }
  }
  return kExitOk;
}

// kaizend --backup: a verified copy through SQLite's online backup, from its own read-only
// connection, so it may run beside a kaizend on the same database. The database is never
// created, migrated or written here.
int Backup(const Flags& flags) {
  if (flags.listen || flags.port_file || flags.check_config) {
    return UsageError("--backup takes only --config or --db, and --force");
  }
  std::string db_path;
  if (flags.db) {
    db_path = *flags.db;
  } else if (flags.config) {
    auto config =
        kaizen::config::LoadConfigFile(*flags.config, kaizen::config::ProcessEnvironment());
    if (!config.ok()) {
      std::cerr << config.status().message() << "\n";
      return kExitUsage;
    }
    db_path = config->storage.path;
  } else {
    return UsageError("--backup needs --config FILE or --db PATH: which database to copy");
  }
  const std::string& destination = *flags.backup;
  std::error_code ec;
  if (!flags.force && std::filesystem::exists(destination, ec)) {
    return UsageError(destination + " exists; give --force to replace it");
  }
  // The copy's own summary goes to stdout; the library's log lines only when they warn.
  spdlog::set_level(spdlog::level::warn);
  auto report = kaizen::storage::BackupDatabase(db_path, destination);
  if (!report.ok()) {
    std::cerr << "kaizend: " << report.status().message() << "\n";
    return report.status().reason() == "invalid_option" ? kExitUsage : kExitRuntime;
  }
  std::cout << "backed up " << db_path << " to " << destination << ": " << report->bytes
            << " bytes, " << report->pages << " pages, schema version " << report->schema_version
            << ", " << report->plans << " plans, " << report->tasks << " tasks, integrity ok\n";
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  Flags flags;
  if (auto error = ParseFlags(args, flags)) return UsageError(*error);
  if (flags.help) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (flags.version) {
    std::cout << "kaizend " << kaizen::daemon::Version() << "\n";
    return kExitOk;
  }
  if (flags.backup) return Backup(flags);
  if (flags.force) return UsageError("--force goes with --backup");
  if (flags.check_config) {
    if (flags.config || flags.listen || flags.port_file || flags.db) {
      return UsageError("--check-config takes no other flags");
    }
    return CheckConfig(*flags.check_config);
  }
  if (!flags.config) return UsageError("--config FILE is required");

  auto loaded = kaizen::config::LoadConfigFile(*flags.config, kaizen::config::ProcessEnvironment());
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return kExitUsage;
  }
  kaizen::config::Config config = std::move(*loaded);
  if (flags.listen && !ParseListen(*flags.listen, config.server.host, config.server.port)) {
    return UsageError("--listen wants HOST:PORT (127.0.0.1:8080, [::1]:0), not '" + *flags.listen +
                      "'");
  }
  if (flags.db) config.storage.path = *flags.db;
  if (config.api.tokens.empty() && !kaizen::config::IsLoopbackHost(config.server.host)) {
    std::cerr << config.source << ": server.listen: listening on a non-loopback address ("
              << config.server.host << ", from --listen) needs api.tokens\n";
    return kExitUsage;
  }

  if (kaizen::Status s = kaizen::daemon::SetUpLogging(config.log.level, config.log.format);
      !s.ok()) {
    std::cerr << config.source << ": log: " << s.message() << "\n";
    return kExitUsage;
  }

  kaizen::daemon::DaemonOptions options;
  options.config = std::move(config);
  options.port_file = flags.port_file;
  // SIGHUP reads the same file again; the command line still overrides it.
  options.reload_config = [path = *flags.config, listen = flags.listen,
                           db = flags.db]() -> kaizen::Result<kaizen::config::Config> {
    auto reloaded = kaizen::config::LoadConfigFile(path, kaizen::config::ProcessEnvironment());
    if (!reloaded.ok()) return reloaded.status();
    if (listen) ParseListen(*listen, reloaded->server.host, reloaded->server.port);
    if (db) reloaded->storage.path = *db;
    return reloaded;
  };
  std::string db_path = options.config.storage.path;
  auto daemon = kaizen::daemon::Daemon::Create(std::move(options));
  if (!daemon.ok()) {
    const kaizen::Status& s = daemon.status();
    bool names_database = s.message().find(db_path) != std::string::npos;
    if (s.reason() == "listen_failed" || s.reason() == "port_file_failed" || names_database) {
      std::cerr << "kaizend: " << s.message() << "\n";
    } else {
      std::cerr << "kaizend: cannot use database " << db_path << ": " << s.message() << "\n";
    }
    return kExitRuntime;
  }
  if (kaizen::Status s = (*daemon)->Run(); !s.ok()) {
    std::cerr << "kaizend: " << s.message() << "\n";
    return kExitRuntime;
  }
  return kExitOk;
}
