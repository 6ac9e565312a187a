// Log line formats: what an operator reads in a terminal (text), a collector parses (json), and
// journald files under a priority (journal), written through a string sink.
#include "daemon/logging.h"

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

namespace kaizen::daemon {
namespace {

// A logger named `component` writing `format` lines into `out`, at every level.
std::shared_ptr<spdlog::logger> LoggerInto(std::ostringstream& out, std::string_view format,
                                           std::string component = "daemon") {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  auto formatter = MakeLogFormatter(format);
  EXPECT_NE(formatter, nullptr) << format;
  sink->set_formatter(std::move(formatter));
  auto logger = std::make_shared<spdlog::logger>(std::move(component), sink);
  logger->set_level(spdlog::level::trace);
  return logger;
}

TEST(JournalLogFormat, PrefixesEachLineWithItsSyslogPriorityAndTheComponentWithoutATime) {
  std::ostringstream out;
  auto log = LoggerInto(out, "journal");
  log->critical("scheduler stopped");
  log->error("config reload refused");
  log->warn("storage.path changed: that needs a restart");
  log->info("listening on 127.0.0.1:8080");
  log->debug("claimed 3");
  log->trace("tick");
  EXPECT_EQ(out.str(),
            "<2>daemon: scheduler stopped\n"
            "<3>daemon: config reload refused\n"
            "<4>daemon: storage.path changed: that needs a restart\n"
            "<6>daemon: listening on 127.0.0.1:8080\n"
            "<7>daemon: claimed 3\n"
            "<7>daemon: tick\n");
}

TEST(JournalLogFormat, AMessageOfSeveralLinesKeepsItsPriorityOnEveryLine) {
  std::ostringstream out;
  auto log = LoggerInto(out, "journal", "config");
  log->error("kaizen.json: people[2].team: unknown team 'qa'\nkaizen.json: channels.x.url: empty");
  EXPECT_EQ(out.str(),
            "<3>config: kaizen.json: people[2].team: unknown team 'qa'\n"
            "<3>config: kaizen.json: channels.x.url: empty\n");
}

// "2026-11-26T10:06:06.923Z". (No std::regex: g++ 12 warns inside <regex> under the sanitizers'
// -O1, and the warnings are errors.)
bool IsUtcMillisecondTime(std::string_view text) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (text.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const bool digit = text[i] >= '0' && text[i] <= '9';
    if (kShape[i] == 'd' ? !digit : text[i] != kShape[i]) return false;
  }
  return true;
}

TEST(TextLogFormat, StartsWithAUtcTimeThenTheLevelAndTheComponent) {
  std::ostringstream out;
  LoggerInto(out, "text", "http")->warn("slow request");
  const std::string line = out.str();
  ASSERT_GT(line.size(), 24u) << line;
  EXPECT_TRUE(IsUtcMillisecondTime(std::string_view(line).substr(0, 24))) << line;
  EXPECT_EQ(line.substr(24), " warning http: slow request\n");
}

TEST(JsonLogFormat, IsOneObjectPerLineWithTheMessageEscaped) {
  std::ostringstream out;
  LoggerInto(out, "json", "api")->info("say \"hi\"\n");
  const std::string line = out.str();
  constexpr std::string_view kStart = R"({"time":")";
  constexpr std::string_view kRest =
      R"(","level":"info","component":"api","message":"say \"hi\"\n"})"
      "\n";
  ASSERT_TRUE(line.starts_with(kStart)) << line;
  ASSERT_TRUE(line.ends_with(kRest)) << line;
  ASSERT_GE(line.size(), kStart.size() + kRest.size()) << line;
  const std::string time = line.substr(kStart.size(), line.size() - kStart.size() - kRest.size());
  EXPECT_FALSE(time.empty()) << line;
  EXPECT_EQ(time.find_first_not_of("0123456789T:.Z-"), std::string::npos) << line;
}

TEST(LogFormat, AnUnknownFormatHasNoFormatter) { EXPECT_EQ(MakeLogFormatter("xml"), nullptr); }

TEST(IsJournalStream, MatchesOnlyTheDeviceAndInodeOfTheDescriptor) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const int fd = ::fileno(file);
  struct stat info {};
  ASSERT_EQ(::fstat(fd, &info), 0);
  const std::string device = std::to_string(info.st_dev);
  const std::string inode = std::to_string(info.st_ino);

  EXPECT_TRUE(IsJournalStream((device + ":" + inode).c_str(), fd));
  EXPECT_FALSE(IsJournalStream((device + ":" + std::to_string(info.st_ino + 1)).c_str(), fd));
  EXPECT_FALSE(IsJournalStream(nullptr, fd));
  EXPECT_FALSE(IsJournalStream("", fd));
  EXPECT_FALSE(IsJournalStream((device + ":").c_str(), fd));
  EXPECT_FALSE(IsJournalStream((device + ":" + inode + "x").c_str(), fd));
  EXPECT_FALSE(IsJournalStream(inode.c_str(), fd));
  std::fclose(file);
}

TEST(SetLogLevel, RefusesAnUnknownLevel) {
  EXPECT_FALSE(SetLogLevel("verbose").ok());
  EXPECT_TRUE(SetLogLevel("info").ok());
}

}  // namespace
}  // namespace kaizen::daemon
