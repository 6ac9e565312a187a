#include "tests/support/fake_clock.h"

#include <cstdio>
#include <cstdlib>

namespace kaizen::testing {

Instant FakeClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

std::chrono::steady_clock::time_point FakeClock::MonotonicNow() const {
  std::lock_guard lock(mu_);
  return monotonic_;
}

void FakeClock::Advance(std::chrono::milliseconds d) {
  if (d.count() < 0) {
    // A monotonic clock cannot go back; a test that tries has a bug, use Set() instead.
    std::fprintf(stderr, "FakeClock::Advance: negative duration %lld ms\n",
                 static_cast<long long>(d.count()));
    std::abort();
  }
  std::lock_guard lock(mu_);
  now_ += d;
  monotonic_ += d;
}

void FakeClock::Set(Instant t) {
  std::lock_guard lock(mu_);
  now_ = t;
}

}  // namespace kaizen::testing
