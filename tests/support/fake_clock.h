// FakeClock: a Clock that moves only when a test moves it, so tests never sleep.
//
// Starts at 2026-11-25T01:00:00Z (or the instant given). Advance() moves the wall clock and the
// monotonic clock together, as real time passing would; Set() jumps the wall clock alone, as an
// operator changing the system time would. Thread-safe: tests may move it while daemon threads
// read it.
#pragma once

#include <chrono>
#include <mutex>

#include "workflow/time.h"

namespace kaizen::testing {

class FakeClock : public Clock {
 public:
  static constexpr Instant kDefaultStart{std::chrono::milliseconds{1795568400000}};

  explicit FakeClock(Instant start = kDefaultStart) : now_(start) {}

  Instant Now() const override;
  std::chrono::steady_clock::time_point MonotonicNow() const override;

  // Moves both clocks forward by `d` (which must not be negative).
  void Advance(std::chrono::milliseconds d);
  // Sets the wall clock; the monotonic clock does not move.
  void Set(Instant t);

 private:
  mutable std::mutex mu_;
  Instant now_;
  std::chrono::steady_clock::time_point monotonic_{};
};

}  // namespace kaizen::testing
