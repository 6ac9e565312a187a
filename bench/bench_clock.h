// The benchmarks' clock: the one place in bench/ that reads real time, to measure each
// request's latency, a run's length, and (wall time) when seeded deadlines fall and when a
// sink received what it waited for. Any thread.
#pragma once

#include <chrono>

#include "workflow/time.h"

namespace kaizen::bench {

using BenchClock = std::chrono::steady_clock;

inline BenchClock::time_point BenchNow() { return BenchClock::now(); }

// Wall time in UTC, milliseconds: comparable with the Instants kaizend stores.
inline Instant BenchWallNow() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace kaizen::bench
