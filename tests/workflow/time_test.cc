#include "workflow/time.h"

#include <gtest/gtest.h>

#include <chrono>

#include "tests/support/fake_clock.h"

namespace kaizen {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

// 2026-11-25T01:00:00Z, computed independently of the parser.
constexpr Instant kReference{milliseconds{1795568400000}};

TEST(Rfc3339, ParsesUtc) {
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00Z"), kReference);
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), Instant{});
}

TEST(Rfc3339, AcceptsLowercaseAndSpaceSeparator) {
  EXPECT_EQ(ParseRfc3339("2026-11-25t01:00:00z"), kReference);
  EXPECT_EQ(ParseRfc3339("2026-11-25 01:00:00Z"), kReference);
}

TEST(Rfc3339, AppliesPositiveAndNegativeOffsets) {
  EXPECT_EQ(ParseRfc3339("2026-11-25T09:00:00+08:00"), kReference);
  EXPECT_EQ(ParseRfc3339("2026-11-24T20:00:00-05:00"), kReference);
  EXPECT_EQ(ParseRfc3339("2026-11-25T06:30:00+05:30"), kReference);
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00+00:00"), kReference);
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00-00:00"), kReference);
}

TEST(Rfc3339, OffsetMayCrossTheDateAndYear) {
  EXPECT_EQ(ParseRfc3339("2026-01-01T00:30:00+01:00"), ParseRfc3339("2025-12-31T23:30:00Z"));
}

TEST(Rfc3339, ReadsFractionalSecondsToTheMillisecond) {
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00.250Z"), kReference + milliseconds{250});
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00.5Z"), kReference + milliseconds{500});
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00.05Z"), kReference + milliseconds{50});
  // Digits beyond milliseconds are dropped, not rounded.
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00.123999+00:00"), kReference + milliseconds{123});
}

TEST(Rfc3339, RefusesMissingOffset) {
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-25T01:00:00.250"), std::nullopt);
}

TEST(Rfc3339, RefusesDaysThatDoNotExist) {
  EXPECT_EQ(ParseRfc3339("2026-02-30T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-04-31T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-13-01T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-00-10T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-01-00T00:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-01-32T00:00:00Z"), std::nullopt);
}

TEST(Rfc3339, KnowsLeapYears) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29T12:00:00Z").has_value());
  EXPECT_TRUE(ParseRfc3339("2000-02-29T12:00:00Z").has_value());
  EXPECT_EQ(ParseRfc3339("2026-02-29T12:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("1900-02-29T12:00:00Z"), std::nullopt);
  EXPECT_EQ(*ParseRfc3339("2024-03-01T00:00:00Z") - *ParseRfc3339("2024-02-28T00:00:00Z"),
            hours{48});
}

TEST(Rfc3339, RefusesTimesOutOfRange) {
  EXPECT_EQ(ParseRfc3339("2026-11-25T24:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-25T25:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-25T12:60:00Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-25T12:00:61Z"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-25T12:00:00+24:00"), std::nullopt);
  EXPECT_EQ(ParseRfc3339("2026-11-25T12:00:00+08:60"), std::nullopt);
}

TEST(Rfc3339, ReadsLeapSecondAsTheSecondBefore) {
  EXPECT_EQ(ParseRfc3339("2016-12-31T23:59:60Z"), ParseRfc3339("2016-12-31T23:59:59Z"));
}

TEST(Rfc3339, RefusesMalformedText) {
  for (const char* text :
       {"", "2026-11-25", "2026-11-25T01:00Z", "2026-11-25T01:00:00ZZ", "2026-11-25T01:00:00+0800",
        "2026-11-25T01:00:00+08", "2026-11-25T01:00:00.Z", "2026-11-25X01:00:00Z",
        "26-11-25T01:00:00Z", "2026/11/25T01:00:00Z", "2026-11-25T01:00:00 Z",
        "２０２６-11-25T01:00:00Z", "2026-1-25T01:00:00Z", " 2026-11-25T01:00:00Z", "tomorrow"}) {
    EXPECT_EQ(ParseRfc3339(text), std::nullopt) << text;
  }
}

TEST(Rfc3339, FormatsInUtcWithMillisecondsOnlyWhenPresent) {
  EXPECT_EQ(FormatRfc3339(kReference), "2026-11-25T01:00:00Z");
  EXPECT_EQ(FormatRfc3339(kReference + milliseconds{250}), "2026-11-25T01:00:00.250Z");
  EXPECT_EQ(FormatRfc3339(kReference + milliseconds{7}), "2026-11-25T01:00:00.007Z");
  EXPECT_EQ(FormatRfc3339(Instant{}), "1970-01-01T00:00:00Z");
}

TEST(Rfc3339, FormatThenParseRoundTrips) {
  for (Instant t : {kReference, kReference + milliseconds{1}, kReference + hours{24 * 366},
                    *ParseRfc3339("2024-02-29T23:59:59.999Z")}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << FormatRfc3339(t);
  }
}

TEST(StorageTime, IsFixedWidthAndSortsAsText) {
  EXPECT_EQ(FormatStorageTime(kReference), "2026-11-25T01:00:00.000Z");
  EXPECT_EQ(FormatStorageTime(kReference + milliseconds{9}), "2026-11-25T01:00:00.009Z");
  const std::string earlier = FormatStorageTime(kReference + milliseconds{999});
  const std::string later = FormatStorageTime(kReference + std::chrono::seconds{1});
  EXPECT_EQ(earlier.size(), later.size());
  EXPECT_LT(earlier, later);
  EXPECT_EQ(ParseStorageTime(earlier), kReference + milliseconds{999});
}

TEST(CalendarDate, AcceptsOnlyRealDays) {
  EXPECT_TRUE(IsValidDate("2026-12-31"));
  EXPECT_TRUE(IsValidDate("2024-02-29"));
  EXPECT_FALSE(IsValidDate("2026-02-29"));
  EXPECT_FALSE(IsValidDate("2026-02-30"));
  EXPECT_FALSE(IsValidDate("2026-13-01"));
  EXPECT_FALSE(IsValidDate("2026-12-1"));
  EXPECT_FALSE(IsValidDate("2026-12-01T00:00:00Z"));
  EXPECT_FALSE(IsValidDate(""));
}

TEST(FakeClock, StartsAtAFixedInstantAndMovesOnlyWhenTold) {
  testing::FakeClock clock;
  EXPECT_EQ(clock.Now(), kReference);
  EXPECT_EQ(clock.Now(), clock.Now());
  const auto mono = clock.MonotonicNow();
  clock.Advance(minutes{90});
  EXPECT_EQ(clock.Now(), kReference + minutes{90});
  EXPECT_EQ(clock.MonotonicNow() - mono, minutes{90});
}

TEST(FakeClock, SetMovesTheWallClockOnly) {
  testing::FakeClock clock(kReference + hours{1});
  const auto mono = clock.MonotonicNow();
  clock.Set(kReference - hours{24});
  EXPECT_EQ(clock.Now(), kReference - hours{24});
  EXPECT_EQ(clock.MonotonicNow(), mono);
}

TEST(FakeClockDeathTest, RefusesToRunBackwards) {
  testing::FakeClock clock;
  EXPECT_DEATH(clock.Advance(milliseconds{-1}), "negative duration");
}

}  // namespace
}  // namespace kaizen
