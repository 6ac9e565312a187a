#include "daemon/system_clock.h"

namespace kaizen::daemon {

Instant SystemClock::Now() const {
  return std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::chrono::steady_clock::time_point SystemClock::MonotonicNow() const {
  return std::chrono::steady_clock::now();
}

}  // namespace kaizen::daemon
