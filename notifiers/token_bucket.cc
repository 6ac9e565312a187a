#include "notifiers/token_bucket.h"

#include <algorithm>

namespace kaizen::notifiers {

namespace {
// Slower than one message a week is taken as one a week: keeps tick counts far from overflow.
constexpr double kMinPerMinute = 1.0 / (7 * 24 * 60);
// Keeps (burst - 1) * interval far from overflow too.
constexpr int kMaxBurst = 1'000'000;
}  // namespace

TokenBucket::TokenBucket(RateLimit limit, std::chrono::steady_clock::time_point now)
    : next_slot_(now) {
  if (!(limit.per_minute > 0)) return;
  double per_minute = std::max(limit.per_minute, kMinPerMinute);
  interval_ =
      std::chrono::duration_cast<Duration>(std::chrono::duration<double>(60.0 / per_minute));
  if (interval_ <= Duration::zero()) interval_ = Duration(1);
  burst_span_ = interval_ * (std::clamp(limit.burst, 1, kMaxBurst) - 1);
}

std::chrono::milliseconds TokenBucket::Reserve(std::chrono::steady_clock::time_point now) {
  if (unlimited()) return std::chrono::milliseconds::zero();
  // After a quiet period the schedule restarts at now: unused slots do not pile up beyond burst.
  next_slot_ = std::max(next_slot_, now);
  const auto allowed_at = next_slot_ - burst_span_;
  next_slot_ += interval_;
  if (allowed_at <= now) return std::chrono::milliseconds::zero();
  // Rounded up: a caller waking on the millisecond must not be early.
  return std::chrono::ceil<std::chrono::milliseconds>(allowed_at - now);
}

}  // namespace kaizen::notifiers
