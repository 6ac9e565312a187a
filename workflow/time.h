// Instants and the clock seam.
//
// An Instant is a point in time in UTC with millisecond precision; everything kaizen stores or
// compares is an Instant. Calendars (time zones, working days) are computed from Instants in
// workflow/ with date/tz, never by reading the local zone of the machine.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kaizen {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;

// Parses an RFC 3339 date-time ("2026-11-25T09:00:00+08:00", "...Z", fractional seconds
// allowed, 'T' or ' ' separator, 'z' accepted). Returns nullopt for anything else, including
// out-of-range fields (month 13, 25:00) and missing offsets.
std::optional<Instant> ParseRfc3339(std::string_view text);

// Formats as "2026-11-25T01:00:00Z"; milliseconds are added only when not zero
// ("2026-11-25T01:00:00.250Z").
std::string FormatRfc3339(Instant t);

// Fixed-width form used as a sortable storage key: "2026-11-25T01:00:00.000Z".
std::string FormatStorageTime(Instant t);
std::optional<Instant> ParseStorageTime(std::string_view text);

// Parses a calendar date "YYYY-MM-DD" (valid days only).
bool IsValidDate(std::string_view text);

// The one seam through which kaizen reads time. Production uses the system clock
// (daemon/system_clock.h); tests use tests/support/fake_clock.h and move time explicitly.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, persisted and shown.
  virtual Instant Now() const = 0;
  // Monotonic time for measuring intervals; unrelated to Now().
  virtual std::chrono::steady_clock::time_point MonotonicNow() const = 0;
};

}  // namespace kaizen
