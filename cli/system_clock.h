// kaizenctl's only reader of the real time: due dates are shown relative to it ("in 2d").
// Stateless; any thread.
#pragma once

#include "workflow/time.h"

namespace kaizen::cli {

class SystemClock final : public Clock {
 public:
  Instant Now() const override;
  std::chrono::steady_clock::time_point MonotonicNow() const override;
};

}  // namespace kaizen::cli
