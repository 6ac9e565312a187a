// Logging: spdlog to stderr, one line per record, "time level component: message" (text) or one
// JSON object per line (json). Each component logs through its own named logger so that the
// component shows in every line.
//
// Under systemd, stderr is a stream to the journal, which stamps each line with the time and
// reads a leading "<N>" as its syslog priority: the journal format is "<N>component: message"
// (no time, no level word), so `journalctl -p err` finds the errors. It is used when the config
// says "journal", and in place of "text" when stderr is the journal (JOURNAL_STREAM names
// stderr's device and inode, as systemd sets it). "json" stays json everywhere.
//
// SetUpLogging is called once by the daemon's main thread before any other thread starts;
// Logger() may then be called from any thread.
#pragma once

#include <spdlog/fwd.h>

#include <memory>
#include <string>
#include <string_view>

#include "workflow/status.h"

namespace kaizen::daemon {

// Installs the stderr sink, the format ("text", "json" or "journal"; "text" turns into
// "journal" when stderr is the journal) and the level ("trace", "debug", "info", "warn",
// "error"). Errors: kInvalidArgument "invalid_log_options".
Status SetUpLogging(std::string_view level, std::string_view format);

// Changes the level of every logger, as a config reload does. Errors: as SetUpLogging.
Status SetLogLevel(std::string_view level);

// The format of lines written in `format` ("text", "json", "journal"; nullptr for another).
std::unique_ptr<spdlog::formatter> MakeLogFormatter(std::string_view format);

// Whether `fd` is the stream JOURNAL_STREAM ("<device>:<inode>", decimal) names; false when
// `journal_stream` is null or malformed. kaizend asks it for stderr and getenv("JOURNAL_STREAM").
bool IsJournalStream(const char* journal_stream, int fd);

// The logger of `component` ("daemon", "http", "api", "storage", ...); the default logger when
// none of that name was set up (tests).
std::shared_ptr<spdlog::logger> Logger(std::string_view component);

}  // namespace kaizen::daemon
