#include "notifiers/backoff.h"

#include <algorithm>
#include <cmath>

namespace kaizen::notifiers {

using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {
constexpr milliseconds kMinWait = seconds(1);
// Far beyond any sensible configuration; keeps the millisecond arithmetic away from overflow.
constexpr seconds kLongestWait = std::chrono::hours(24 * 366);
}  // namespace

milliseconds RetryDelay(int failed_attempts, seconds initial, seconds max, double unit_random) {
  const milliseconds cap = std::clamp<milliseconds>(max, kMinWait, kLongestWait);
  milliseconds base = std::clamp<milliseconds>(initial, kMinWait, kLongestWait);
  // Doubling stops at the cap, so no exponent can overflow the count.
  for (int n = 1; n < failed_attempts && base < cap; ++n) base *= 2;
  base = std::min(base, cap);

  if (!(unit_random >= 0.0)) unit_random = 0.0;  // also NaN
  unit_random = std::min(unit_random, 1.0);
  const milliseconds half = base / 2;
  const auto spread = static_cast<milliseconds::rep>(
      std::floor(static_cast<double>((base - half).count()) * unit_random));
  return std::max(half + milliseconds(spread), kMinWait);
}

milliseconds NextDelay(const DeliveryOutcome& outcome, int failed_attempts, seconds initial,
                       seconds max, double unit_random) {
  if (outcome.retry_after) {
    return std::clamp<milliseconds>(*outcome.retry_after, kMinWait, kMaxServerRequestedWait);
  }
  return RetryDelay(failed_attempts, initial, max, unit_random);
}

}  // namespace kaizen::notifiers
