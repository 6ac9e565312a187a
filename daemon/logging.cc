#include "daemon/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

namespace kaizen::daemon {
namespace {

// Components known up front, so that Logger() never has to register one concurrently.
constexpr std::string_view kComponents[] = {"daemon",    "http",   "api",       "access",
                                            "storage",   "config", "notifiers", "delivery",
                                            "scheduler", "cycles", "goals",     "metrics"};

// %* in the json pattern: the message as the contents of a JSON string.
class JsonEscapedMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\r': dest.append(std::string_view("\\r")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            char esc[] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xF], kHex[c & 0xF]};
            dest.append(esc, esc + sizeof(esc));
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

// "<N>component: message": N is the record's syslog priority, which journald reads and strips
// (it adds the time itself). A message of several lines repeats the prefix on each, since
// journald makes each line an entry of its own.
class JournalFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view prefix_start = Priority(msg.level);
    const std::string_view name(msg.logger_name.data(), msg.logger_name.size());
    std::string_view payload(msg.payload.data(), msg.payload.size());
    for (;;) {
      const std::size_t end = payload.find('\n');
      dest.append(prefix_start);
      if (!name.empty()) {
        dest.append(name);
        dest.append(std::string_view(": "));
      }
      dest.append(payload.substr(0, end));
      dest.push_back('\n');
      if (end == std::string_view::npos) break;
      payload.remove_prefix(end + 1);
    }
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JournalFormatter>();
  }

 private:
  // sd-daemon.h's SD_ERR etc., without needing libsystemd.
  static std::string_view Priority(spdlog::level::level_enum level) {
    switch (level) {
      case spdlog::level::critical: return "<2>";
      case spdlog::level::err: return "<3>";
      case spdlog::level::warn: return "<4>";
      case spdlog::level::info: return "<6>";
      default: return "<7>";  // debug, trace
    }
  }
};

Result<spdlog::level::level_enum> ParseLevel(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgument("invalid_log_options", "unknown log level '" + std::string(level) +
                                                      "' (trace, debug, info, warn, error)");
  }
  return parsed;
}

}  // namespace

std::unique_ptr<spdlog::formatter> MakeLogFormatter(std::string_view format) {
  if (format == "text") {
    return std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v",
                                                       spdlog::pattern_time_type::utc);
  }
  if (format == "json") {
    auto json = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    json->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":"%n","message":"%*"})");
    return json;
  }
  if (format == "journal") return std::make_unique<JournalFormatter>();
  return nullptr;
}

bool IsJournalStream(const char* journal_stream, int fd) {
  if (journal_stream == nullptr) return false;
  const std::string_view text(journal_stream);
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [device_end, device_ec] = std::from_chars(begin, begin + colon, device);
  auto [inode_end, inode_ec] = std::from_chars(begin + colon + 1, end, inode);
  if (device_ec != std::errc() || device_end != begin + colon || inode_ec != std::errc() ||
      inode_end != end || colon + 1 == text.size()) {
    return false;
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0) return false;
  return static_cast<unsigned long long>(info.st_dev) == device &&
         static_cast<unsigned long long>(info.st_ino) == inode;
}

Status SetLogLevel(std::string_view level) {
  auto parsed = ParseLevel(level);
  if (!parsed.ok()) return parsed.status();
  spdlog::set_level(*parsed);
  return Status::Ok();
}

Status SetUpLogging(std::string_view level, std::string_view format) {
  auto parsed = ParseLevel(level);
  if (!parsed.ok()) return parsed.status();
  // systemd gave us the journal as stderr: it stamps the time, so the line carries only the
  // priority. A json format was asked for on purpose and stays.
  if (format == "text" && IsJournalStream(std::getenv("JOURNAL_STREAM"), STDERR_FILENO)) {
    format = "journal";
  }
  std::unique_ptr<spdlog::formatter> formatter = MakeLogFormatter(format);
  if (!formatter) {
    return InvalidArgument("invalid_log_options", "unknown log format '" + std::string(format) +
                                                      "' (text, json, journal)");
  }
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::move(formatter));
  spdlog::drop_all();
  auto main_logger = std::make_shared<spdlog::logger>("kaizen", sink);
  spdlog::set_default_logger(main_logger);
  for (std::string_view component : kComponents) {
    spdlog::register_logger(std::make_shared<spdlog::logger>(std::string(component), sink));
  }
  spdlog::set_level(*parsed);
  // Errors and warnings reach the journal at once even when stderr is a pipe.
  spdlog::flush_on(spdlog::level::warn);
  return Status::Ok();
}

std::shared_ptr<spdlog::logger> Logger(std::string_view component) {
  if (auto logger = spdlog::get(std::string(component))) return logger;
  return spdlog::default_logger();
}

}  // namespace kaizen::daemon
