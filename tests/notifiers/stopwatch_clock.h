// StopwatchClock: the one place the notifiers tests read the real clock, to check that a
// timeout really bounds how long a request against a silent server takes.
#pragma once

#include <chrono>

namespace kaizen::notifiers::testing {

class StopwatchClock {
 public:
  std::chrono::milliseconds Elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start_);
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace kaizen::notifiers::testing
