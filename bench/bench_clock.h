// The load generator's clock: the one place in bench/ that reads real time, to measure each
// request's latency and the run's length. Any thread.
#pragma once

#include <chrono>

namespace kaizen::bench {

using BenchClock = std::chrono::steady_clock;

inline BenchClock::time_point BenchNow() { return BenchClock::now(); }

}  // namespace kaizen::bench
