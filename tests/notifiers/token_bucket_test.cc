#include "notifiers/token_bucket.h"

#include <gtest/gtest.h>

namespace kaizen::notifiers {
namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using TimePoint = std::chrono::steady_clock::time_point;

const TimePoint kStart = TimePoint{} + 1000h;

TEST(TokenBucket, UnlimitedNeverWaits) {
  TokenBucket bucket(RateLimit{0, 1}, kStart);
  EXPECT_TRUE(bucket.unlimited());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(bucket.Reserve(kStart), 0ms);
}

TEST(TokenBucket, BurstGoesAtOnceThenTheSustainedRate) {
  TokenBucket bucket(RateLimit{20, 3}, kStart);  // one every 3 s
  EXPECT_EQ(bucket.Reserve(kStart), 0ms);
  EXPECT_EQ(bucket.Reserve(kStart), 0ms);
  EXPECT_EQ(bucket.Reserve(kStart), 0ms);
  EXPECT_EQ(bucket.Reserve(kStart), 3s);
  EXPECT_EQ(bucket.Reserve(kStart), 6s);
}

TEST(TokenBucket, NeverDropsAndWaitsGrowInOrder) {
  TokenBucket bucket(RateLimit{60, 1}, kStart);  // one a second
  milliseconds previous = -1ms;
  for (int i = 0; i < 50; ++i) {
    milliseconds wait = bucket.Reserve(kStart);
    EXPECT_EQ(wait, std::chrono::seconds(i));
    EXPECT_GT(wait, previous);
    previous = wait;
  }
}

TEST(TokenBucket, TokensComeBackAtTheRateUpToBurst) {
  TokenBucket bucket(RateLimit{60, 2}, kStart);
  EXPECT_EQ(bucket.Reserve(kStart), 0ms);
  EXPECT_EQ(bucket.Reserve(kStart), 0ms);
  EXPECT_EQ(bucket.Reserve(kStart), 1s);  // slot at +1 s
  // At +1.5 s the next slot is +2 s.
  EXPECT_EQ(bucket.Reserve(kStart + 1500ms), 500ms);
  // After a long quiet period only `burst` go at once, not everything saved up.
  const TimePoint later = kStart + 1h;
  EXPECT_EQ(bucket.Reserve(later), 0ms);
  EXPECT_EQ(bucket.Reserve(later), 0ms);
  EXPECT_EQ(bucket.Reserve(later), 1s);
}

TEST(TokenBucket, CallersWhoWaitedSendAtTheRate) {
  TokenBucket bucket(RateLimit{6, 1}, kStart);  // one every 10 s
  TimePoint now = kStart;
  for (int i = 0; i < 5; ++i) {
    milliseconds wait = bucket.Reserve(now);
    EXPECT_EQ(wait, i == 0 ? 0ms : 10s) << i;
    now += wait;  // the caller sleeps, then asks again for its next message
  }
}

TEST(TokenBucket, FractionalRatesRoundWaitsUp) {
  TokenBucket bucket(RateLimit{7, 1}, kStart);  // every 8.571428... s
  EXPECT_EQ(bucket.Reserve(kStart), 0ms);
  EXPECT_EQ(bucket.Reserve(kStart), 8572ms);
}

TEST(TokenBucket, BurstBelowOneCountsAsOne) {
  TokenBucket bucket(RateLimit{60, 0}, kStart);
  EXPECT_EQ(bucket.Reserve(kStart), 0ms);
  EXPECT_EQ(bucket.Reserve(kStart), 1s);
}

}  // namespace
}  // namespace kaizen::notifiers
