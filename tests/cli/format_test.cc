#include "cli/format.h"

#include <gtest/gtest.h>

namespace kaizen::cli {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(CliDisplayWidth, CountsTerminalColumns) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("li.lei"), 6u);
  EXPECT_EQ(DisplayWidth("王芳"), 4u);
  EXPECT_EQ(DisplayWidth("王芳 Wang Fang"), 14u);
  EXPECT_EQ(DisplayWidth("提高客户满意度到85%"), 19u);
  EXPECT_EQ(DisplayWidth("Müller"), 6u);
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 1u);         // e + combining acute accent
  EXPECT_EQ(DisplayWidth("\xF0\x9F\x9A\x80"), 2u);  // rocket emoji
  EXPECT_EQ(DisplayWidth("ａｂ"), 4u);              // fullwidth letters
  EXPECT_EQ(DisplayWidth("a\xFF"
                         "b"),
            3u);                            // an invalid byte is one column
  EXPECT_EQ(DisplayWidth("\xE7\x8E"), 2u);  // a truncated sequence too, per byte
}

TEST(CliTable, AlignsColumnsWithoutTrailingBlanks) {
  Table table({"ID", "STATE", "OWNER", "DUE", "TITLE"});
  table.AlignRight(0);
  table.AddRow({"7", "open", "li.lei", "in 2d", "Survey 200 customers"});
  table.AddRow({"12", "in_progress", "han.meimei", "overdue 3h", "Fix refunds"});
  EXPECT_EQ(table.Render(),
            "ID  STATE        OWNER       DUE         TITLE\n"
            " 7  open         li.lei      in 2d       Survey 200 customers\n"
            "12  in_progress  han.meimei  overdue 3h  Fix refunds\n");
}

TEST(CliTable, WideCharactersKeepColumnsAligned) {
  Table table({"OWNER", "TITLE"});
  table.AddRow({"王芳", "数据统计"});
  table.AddRow({"li.lei", "Survey"});
  EXPECT_EQ(table.Render(),
            "OWNER   TITLE\n"
            "王芳    数据统计\n"
            "li.lei  Survey\n");
}

TEST(CliTable, EmptyLastCellLeavesNoTrailingBlanks) {
  Table table({"A", "B"});
  table.AddRow({"long value", ""});
  EXPECT_EQ(table.Render(), "A           B\nlong value\n");
}

TEST(CliTable, ControlCharactersBecomeSpaces) {
  Table table;
  table.AddRow({"1", "two\nlines\tand tab"});
  EXPECT_EQ(table.Render(), "1  two lines and tab\n");
  EXPECT_FALSE(table.empty());
  EXPECT_TRUE(Table({"X"}).empty());
}

TEST(CliTable, RowsMayBeShorterThanTheHeader) {
  Table table({"A", "B", "C"});
  table.AddRow({"x"});
  EXPECT_EQ(table.Render(), "A  B  C\nx\n");
}

TEST(CliFormatSpan, UsesTheLargestWholeUnit) {
  EXPECT_EQ(FormatSpan(seconds(40)), "40s");
  EXPECT_EQ(FormatSpan(minutes(1)), "1m");
  EXPECT_EQ(FormatSpan(minutes(59) + seconds(59)), "59m");
  EXPECT_EQ(FormatSpan(hours(1)), "1h");
  EXPECT_EQ(FormatSpan(hours(23) + minutes(59)), "23h");
  EXPECT_EQ(FormatSpan(hours(24)), "1d");
  EXPECT_EQ(FormatSpan(days(45) + hours(23)), "45d");
}

class CliFormatDue : public ::testing::Test {
 protected:
  const Instant now_ = *ParseRfc3339("2026-12-01T08:00:00Z");
};

TEST_F(CliFormatDue, FutureDeadlineIsIn) {
  EXPECT_EQ(FormatDue(now_ + days(2), now_, true), "in 2d");
  EXPECT_EQ(FormatDue(now_ + days(2) + hours(5), now_, true), "in 2d");
  EXPECT_EQ(FormatDue(now_ + hours(5), now_, true), "in 5h");
  EXPECT_EQ(FormatDue(now_ + minutes(30), now_, true), "in 30m");
  EXPECT_EQ(FormatDue(now_ + days(2), now_, false), "in 2d");
}

TEST_F(CliFormatDue, PastDeadlineIsOverdueForUnfinishedTasks) {
  EXPECT_EQ(FormatDue(now_ - hours(3), now_, true), "overdue 3h");
  EXPECT_EQ(FormatDue(now_ - days(1) - hours(2), now_, true), "overdue 1d");
  EXPECT_EQ(FormatDue(now_ - minutes(5), now_, true), "overdue 5m");
}

TEST_F(CliFormatDue, PastDeadlineOfFinishedTaskIsAgo) {
  EXPECT_EQ(FormatDue(now_ - hours(3), now_, false), "3h ago");
}

TEST_F(CliFormatDue, WithinAMinuteIsNow) {
  EXPECT_EQ(FormatDue(now_, now_, true), "now");
  EXPECT_EQ(FormatDue(now_ + seconds(59), now_, true), "now");
  EXPECT_EQ(FormatDue(now_ - seconds(59), now_, true), "now");
  EXPECT_EQ(FormatDue(now_ - seconds(60), now_, true), "overdue 1m");
}

}  // namespace
}  // namespace kaizen::cli

namespace kaizen::cli {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class CliFormatAgo : public ::testing::Test {
 protected:
  const Instant now_ = *ParseRfc3339("2026-12-01T08:00:00Z");
};

TEST_F(CliFormatAgo, PastIsAgoFutureIsInAndTheBoundariesFallToTheSmallerUnit) {
  EXPECT_EQ(FormatAgo(now_, now_), "now");
  EXPECT_EQ(FormatAgo(now_ - milliseconds(999), now_), "now");
  EXPECT_EQ(FormatAgo(now_ - seconds(1), now_), "1s ago");
  EXPECT_EQ(FormatAgo(now_ - seconds(59), now_), "59s ago");
  EXPECT_EQ(FormatAgo(now_ - seconds(60), now_), "1m ago");
  EXPECT_EQ(FormatAgo(now_ - minutes(5), now_), "5m ago");
  EXPECT_EQ(FormatAgo(now_ - hours(1) + seconds(1), now_), "59m ago");
  EXPECT_EQ(FormatAgo(now_ - hours(24) + seconds(1), now_), "23h ago");
  EXPECT_EQ(FormatAgo(now_ - hours(24), now_), "1d ago");
  EXPECT_EQ(FormatAgo(now_ + seconds(30), now_), "in 30s");
  EXPECT_EQ(FormatAgo(now_ + days(2) + hours(23), now_), "in 2d");
}

TEST_F(CliFormatAgo, DueBoundaries) {
  EXPECT_EQ(FormatDue(now_ + hours(48), now_, true), "in 2d");
  EXPECT_EQ(FormatDue(now_ + hours(48) - milliseconds(1), now_, true), "in 1d");
  EXPECT_EQ(FormatDue(now_ + minutes(1), now_, true), "in 1m");
  EXPECT_EQ(FormatDue(now_ + minutes(1) - milliseconds(1), now_, true), "now");
  EXPECT_EQ(FormatDue(now_ - days(3), now_, true), "overdue 3d");
  EXPECT_EQ(FormatDue(now_ - days(3), now_, false), "3d ago");
}

TEST_F(CliFormatAgo, DueColourRedWhenPassedYellowWithinTwoDays) {
  EXPECT_EQ(DueColor(now_ - milliseconds(1), now_), Color::kRed);
  EXPECT_EQ(DueColor(now_, now_), Color::kYellow);
  EXPECT_EQ(DueColor(now_ + kDueSoon - milliseconds(1), now_), Color::kYellow);
  EXPECT_EQ(DueColor(now_ + kDueSoon, now_), Color::kNone);
}

TEST(CliTruncate, CutsByColumnsAtCharacterBoundaries) {
  EXPECT_EQ(Truncate("short", 10), "short");
  EXPECT_EQ(Truncate("exactly 10", 10), "exactly 10");
  EXPECT_EQ(Truncate("HTTP 502 from the gateway", 10), "HTTP 50...");
  EXPECT_EQ(Truncate("数据统计数据统计", 10), "数据统...") << "2 columns each, never half";
  EXPECT_EQ(Truncate("数据统计数据统计", 8), "数据...");
}

TEST(CliShortDuration, UnitsAndCombinations) {
  EXPECT_EQ(ParseShortDuration("2d"), days(2));
  EXPECT_EQ(ParseShortDuration("6h"), hours(6));
  EXPECT_EQ(ParseShortDuration("90m"), minutes(90));
  EXPECT_EQ(ParseShortDuration("30s"), seconds(30));
  EXPECT_EQ(ParseShortDuration("1w"), days(7));
  EXPECT_EQ(ParseShortDuration("1d12h"), hours(36));
  EXPECT_EQ(ParseShortDuration("P2D"), days(2));
  EXPECT_EQ(ParseShortDuration("PT6H"), hours(6));
  for (const char* bad : {"", "d", "2", "2x", "-2d", "0d", "2 d", "1.5h", "P1M", "PT0S", "2dd",
                          "99999999999w", "40000d"}) {
    EXPECT_EQ(ParseShortDuration(bad), std::nullopt) << bad;
  }
}

TEST(CliTable, ColoursDoNotMoveColumnsAndStayOffUnlessEnabled) {
  Table table({"A", "DUE", "T"});
  table.AddRow({"1", "overdue 3h", "x"}, {Color::kNone, Color::kRed});
  table.AddRow({"22", "in 2d", "y"}, {Color::kGreen});
  const std::string plain = table.Render();
  EXPECT_EQ(plain, "A   DUE         T\n1   overdue 3h  x\n22  in 2d       y\n");
  table.EnableColor(true);
  EXPECT_EQ(table.Render(),
            "A   DUE         T\n"
            "1   \x1b[31moverdue 3h\x1b[0m  x\n"
            "\x1b[32m22\x1b[0m  in 2d       y\n");
}

TEST(CliTable, APaintedLastCellLeavesNoTrailingBlanks) {
  Table table({"A", "B"});
  table.AddRow({"1", "x"}, {Color::kNone, Color::kYellow});
  table.AddRow({"2", ""}, {Color::kNone, Color::kYellow});
  table.EnableColor(true);
  EXPECT_EQ(table.Render(), "A  B\n1  \x1b[33mx\x1b[0m\n2\n");
}

}  // namespace
}  // namespace kaizen::cli
