#include "notifiers/retry_after.h"

#include <gtest/gtest.h>

namespace kaizen::notifiers {
namespace {

using std::chrono::seconds;

Instant At(std::string_view rfc3339) {
  std::optional<Instant> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(Instant{});
}

const Instant kNow = At("1994-11-06T08:49:00Z");

TEST(ParseRetryAfter, ReadsDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), seconds(120));
  EXPECT_EQ(ParseRetryAfter("0", kNow), seconds(0));
  EXPECT_EQ(ParseRetryAfter("  7\t", kNow), seconds(7));
}

TEST(ParseRetryAfter, SaturatesHugeDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", kNow), kMaxRetryAfter);
  EXPECT_EQ(ParseRetryAfter("604800", kNow), kMaxRetryAfter);
}

TEST(ParseRetryAfter, ReadsImfFixdateRelativeToNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kNow), seconds(37));
  EXPECT_EQ(ParseRetryAfter("Mon, 07 Nov 1994 08:49:00 GMT", kNow), seconds(24 * 3600));
}

TEST(ParseRetryAfter, ReadsObsoleteDateForms) {
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kNow), seconds(37));
  EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kNow), seconds(37));
  EXPECT_EQ(ParseRetryAfter("Thu Nov 10 08:49:00 1994", kNow), seconds(4 * 24 * 3600));
}

TEST(ParseRetryAfter, DateInThePastMeansNow) {
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", kNow), seconds(0));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:00 GMT", kNow), seconds(0));
}

TEST(ParseRetryAfter, RoundsSubsecondDelaysUp) {
  Instant now = kNow + std::chrono::milliseconds(250);
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:02 GMT", now), seconds(2));
}

TEST(ParseRetryAfter, CapsFarFutureDates) {
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 2055 23:59:59 GMT", kNow), kMaxRetryAfter);
}

TEST(ParseRetryAfter, ReadsTwoDigitYearsNearToday) {
  Instant now = At("2026-03-01T00:00:00Z");
  EXPECT_EQ(ParseRetryAfter("Sunday, 01-Mar-26 00:01:00 GMT", now), seconds(60));
}

TEST(ParseRetryAfter, RejectsWhatIsNeitherForm) {
  for (std::string_view bad :
       {"", "   ", "-5", "1.5", "+3", "10s", "soon", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "2026-03-01T00:00:00Z",
        "Sun, 06 Nov 1994 08:49:37 GMT x"}) {
    EXPECT_EQ(ParseRetryAfter(bad, kNow), std::nullopt) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace kaizen::notifiers
