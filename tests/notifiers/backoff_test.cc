#include "notifiers/backoff.h"

#include <gtest/gtest.h>

#include <climits>

namespace kaizen::notifiers {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

TEST(RetryDelay, DoublesFromInitialWithTheTopOfTheJitterRange) {
  // unit_random just below 1 picks the top of the range: the full exponential value.
  const double top = 0.999999;
  EXPECT_EQ(RetryDelay(1, 5s, 3600s, top), 4999ms);
  EXPECT_EQ(RetryDelay(2, 5s, 3600s, top), 9999ms);
  EXPECT_EQ(RetryDelay(3, 5s, 3600s, top), 19999ms);
  EXPECT_EQ(RetryDelay(4, 5s, 3600s, top), 39999ms);
}

TEST(RetryDelay, EqualJitterKeepsAtLeastHalf) {
  EXPECT_EQ(RetryDelay(1, 10s, 3600s, 0.0), 5s);
  EXPECT_EQ(RetryDelay(1, 10s, 3600s, 0.5), 7500ms);
  EXPECT_EQ(RetryDelay(3, 10s, 3600s, 0.0), 20s);
  for (double u = 0.0; u < 1.0; u += 0.01) {
    milliseconds d = RetryDelay(4, 10s, 3600s, u);
    EXPECT_GE(d, 40s) << u;
    EXPECT_LT(d, 80s) << u;
  }
}

TEST(RetryDelay, IsCappedAtMax) {
  EXPECT_EQ(RetryDelay(12, 5s, 3600s, 0.0), 1800s);
  EXPECT_LT(RetryDelay(12, 5s, 3600s, 0.999999), 3600s);
  EXPECT_GE(RetryDelay(12, 5s, 3600s, 0.999999), 3599s);
  // An initial above the cap starts at the cap.
  EXPECT_EQ(RetryDelay(1, 7200s, 3600s, 0.0), 1800s);
}

TEST(RetryDelay, HugeAttemptCountsDoNotOverflow) {
  for (int n : {63, 64, 1000, INT_MAX}) {
    milliseconds d = RetryDelay(n, 5s, 3600s, 0.5);
    EXPECT_EQ(d, 2700s) << n;
  }
}

TEST(RetryDelay, NeverBelowOneSecond) {
  EXPECT_EQ(RetryDelay(1, 0s, 0s, 0.0), 1s);
  EXPECT_EQ(RetryDelay(1, 1s, 3600s, 0.0), 1s);
  EXPECT_EQ(RetryDelay(0, 1s, 3600s, 0.0), 1s);
  EXPECT_EQ(RetryDelay(-5, 2s, 3600s, 0.0), 1s);
}

TEST(RetryDelay, OutOfRangeRandomnessIsClamped) {
  EXPECT_EQ(RetryDelay(1, 10s, 3600s, -3.0), 5s);
  EXPECT_EQ(RetryDelay(1, 10s, 3600s, 7.0), 10s);
  EXPECT_EQ(RetryDelay(1, 10s, 3600s, std::numeric_limits<double>::quiet_NaN()), 5s);
}

TEST(NextDelay, RetryAfterWinsOverBackoff) {
  DeliveryOutcome outcome{DeliveryVerdict::kRetryLater, 120s, "http_429"};
  EXPECT_EQ(NextDelay(outcome, 1, 5s, 3600s, 0.0), 120s);
  EXPECT_EQ(NextDelay(outcome, 10, 5s, 3600s, 0.9), 120s);
}

TEST(NextDelay, RetryAfterIsBoundedToOneSecondAndADay) {
  DeliveryOutcome outcome{DeliveryVerdict::kRetryLater, 0s, "http_503"};
  EXPECT_EQ(NextDelay(outcome, 1, 5s, 3600s, 0.0), 1s);
  outcome.retry_after = std::chrono::hours(24 * 7);
  EXPECT_EQ(NextDelay(outcome, 1, 5s, 3600s, 0.0), kMaxServerRequestedWait);
  EXPECT_EQ(kMaxServerRequestedWait, std::chrono::hours(24));
}

TEST(NextDelay, WithoutRetryAfterBacksOff) {
  DeliveryOutcome outcome{DeliveryVerdict::kRetryLater, std::nullopt, "timeout"};
  EXPECT_EQ(NextDelay(outcome, 3, 5s, 3600s, 0.0), 10s);
}

}  // namespace
}  // namespace kaizen::notifiers
