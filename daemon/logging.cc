#include "daemon/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace kaizen::daemon {
namespace {

// Components known up front, so that Logger() never has to register one concurrently.
constexpr std::string_view kComponents[] = {"daemon", "http",      "api",       "storage",
                                            "config", "notifiers", "scheduler", "cycles"};

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

}  // namespace

Status SetUpLogging(std::string_view level, std::string_view format) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgument("invalid_log_options", "unknown log level '" + std::string(level) +
                                                      "' (trace, debug, info, warn, error)");
  }
  std::unique_ptr<spdlog::formatter> formatter;
  if (format == "text") {
    formatter = std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v",
                                                            spdlog::pattern_time_type::utc);
  } else if (format == "json") {
    auto json = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    json->add_flag<JsonEscapedMessage>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","component":"%n","message":"%*"})");
    formatter = std::move(json);
  } else {
    return InvalidArgument("invalid_log_options",
                           "unknown log format '" + std::string(format) + "' (text, json)");
  }
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  sink->set_formatter(std::move(formatter));
  spdlog::drop_all();
  auto main_logger = std::make_shared<spdlog::logger>("kaizen", sink);
  spdlog::set_default_logger(main_logger);
  for (std::string_view component : kComponents) {
    spdlog::register_logger(std::make_shared<spdlog::logger>(std::string(component), sink));
  }
  spdlog::set_level(parsed);
  // Errors and warnings reach the journal at once even when stderr is a pipe.
  spdlog::flush_on(spdlog::level::warn);
  return Status::Ok();
}

std::shared_ptr<spdlog::logger> Logger(std::string_view component) {
  if (auto logger = spdlog::get(std::string(component))) return logger;
  return spdlog::default_logger();
}

}  // namespace kaizen::daemon
