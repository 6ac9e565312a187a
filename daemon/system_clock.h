// SystemClock: the production Clock, and the only place in kaizen that reads std::chrono's
// clocks. Stateless; callable from any thread.
#pragma once

#include "workflow/time.h"

namespace kaizen::daemon {

class SystemClock final : public Clock {
 public:
  // The system's UTC time, truncated to milliseconds.
  Instant Now() const override;
  std::chrono::steady_clock::time_point MonotonicNow() const override;
};

}  // namespace kaizen::daemon
