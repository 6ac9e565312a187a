#include "workflow/duration.h"

#include <gtest/gtest.h>

namespace kaizen {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(IsoDuration, ParsesDaysHoursMinutesSecondsAndWeeks) {
  EXPECT_EQ(ParseIsoDuration("P3D"), days{3});
  EXPECT_EQ(ParseIsoDuration("P1D"), days{1});
  EXPECT_EQ(ParseIsoDuration("PT2H"), hours{2});
  EXPECT_EQ(ParseIsoDuration("PT90M"), minutes{90});
  EXPECT_EQ(ParseIsoDuration("PT45S"), seconds{45});
  EXPECT_EQ(ParseIsoDuration("P1DT12H"), hours{36});
  EXPECT_EQ(ParseIsoDuration("P1DT2H3M4S"), days{1} + hours{2} + minutes{3} + seconds{4});
  EXPECT_EQ(ParseIsoDuration("PT1H30M"), minutes{90});
  EXPECT_EQ(ParseIsoDuration("P2W"), days{14});
  EXPECT_EQ(ParseIsoDuration("PT0S"), seconds{0});
  EXPECT_EQ(ParseIsoDuration("P0D"), seconds{0});
  EXPECT_EQ(ParseIsoDuration("PT36H"), hours{36});  // hours need not fold into days
  EXPECT_EQ(ParseIsoDuration("p1dt2h"), hours{26});
}

TEST(IsoDuration, RejectsYearsAndMonthsWithTheirOwnReason) {
  for (const char* text : {"P1Y", "P1M", "P1Y2M", "P1M3D", "P2Y1DT1H"}) {
    auto result = DecodeIsoDuration(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(result.status().reason(), "duration_calendar_unit") << text;
    EXPECT_NE(result.status().message().find("days or weeks"), std::string::npos);
    EXPECT_EQ(result.status().details()["text"], text);
    EXPECT_FALSE(ParseIsoDuration(text).has_value());
  }
  // In the time part M is minutes, not months.
  EXPECT_EQ(ParseIsoDuration("PT1M"), minutes{1});
}

TEST(IsoDuration, RejectsMalformedText) {
  for (const char* text : {"",          "P",
                           "PT",        "1D",
                           "D",         "-P1D",
                           "+P1D",      " P1D",
                           "P1D ",      "P 1D",
                           "P1.5D",     "PT1.5H",
                           "PT0,5H",    "P1W2D",
                           "P1WT1H",    "P1D2D",
                           "PT1H1H",    "PT1M1H",
                           "PT5S3M",    "P1DT",
                           "PT1D",      "P1H",
                           "P1S",       "PTT1H",
                           "P1DT1HT1M", "P1234567890D",
                           "P1",        "PT1",
                           "P1X",       "1 day",
                           "P-1D"}) {
    auto result = DecodeIsoDuration(text);
    ASSERT_FALSE(result.ok()) << "'" << text << "'";
    EXPECT_EQ(result.status().reason(), "invalid_duration") << "'" << text << "'";
    EXPECT_FALSE(ParseIsoDuration(text).has_value());
  }
}

TEST(IsoDuration, ExplainsWhatIsWrong) {
  EXPECT_NE(DecodeIsoDuration("PT1.5H").status().message().find("fractions"), std::string::npos);
  EXPECT_NE(DecodeIsoDuration("P1W2D").status().message().find("weeks"), std::string::npos);
  EXPECT_NE(DecodeIsoDuration("PT1M1H").status().message().find("order"), std::string::npos);
}

TEST(IsoDuration, FormatsInCanonicalForm) {
  EXPECT_EQ(FormatIsoDuration(days{3}), "P3D");
  EXPECT_EQ(FormatIsoDuration(hours{2}), "PT2H");
  EXPECT_EQ(FormatIsoDuration(hours{48}), "P2D");
  EXPECT_EQ(FormatIsoDuration(hours{36}), "P1DT12H");
  EXPECT_EQ(FormatIsoDuration(minutes{90}), "PT1H30M");
  EXPECT_EQ(FormatIsoDuration(seconds{61}), "PT1M1S");
  EXPECT_EQ(FormatIsoDuration(days{14}), "P14D");
  EXPECT_EQ(FormatIsoDuration(days{1} + seconds{5}), "P1DT5S");
  EXPECT_EQ(FormatIsoDuration(seconds{0}), "PT0S");
  EXPECT_EQ(FormatIsoDuration(-minutes{5}), "-PT5M");
}

TEST(IsoDuration, FormatThenParseGivesTheSameLength) {
  for (std::int64_t s = 0; s < 3 * 86400; s += 593) {
    EXPECT_EQ(ParseIsoDuration(FormatIsoDuration(seconds{s})), seconds{s}) << s;
  }
  // Equal lengths written differently format alike: reminder keys depend on it.
  EXPECT_EQ(FormatIsoDuration(*ParseIsoDuration("PT24H")),
            FormatIsoDuration(*ParseIsoDuration("P1D")));
  EXPECT_EQ(FormatIsoDuration(*ParseIsoDuration("P1W")),
            FormatIsoDuration(*ParseIsoDuration("P7D")));
}

}  // namespace
}  // namespace kaizen
