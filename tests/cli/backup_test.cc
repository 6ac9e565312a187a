// kaizenctl backup (cli/backup.cc) against a scripted transport: what it asks kaizend for, and
// that FILE is either the whole database or untouched.
#include "cli/backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kaizen::cli {
namespace {

namespace fs = std::filesystem;

class OneAnswer : public Transport {
 public:
  explicit OneAnswer(Result<HttpResponse> answer) : answer_(std::move(answer)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent.push_back(request);
    return answer_;
  }
  std::vector<HttpRequest> sent;

 private:
  Result<HttpResponse> answer_;
};

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class BackupCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("kaizenctl-backup-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    server_ = *ParseServerUrl("http://127.0.0.1:8080/kaizen");
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  ServerUrl server_;
  std::ostringstream out_;
};

const std::string kDatabase = std::string("SQLite format 3\0", 16) + std::string(4080, 'd');

TEST_F(BackupCommand, PostsToTheBackupRouteAndWritesTheAnswer) {
  OneAnswer transport(HttpResponse{200, kDatabase});
  const fs::path file = dir_ / "copy.db";
  Status status = DownloadBackup(file.string(), false, server_, transport, out_);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.sent[0].method, "POST");
  EXPECT_EQ(transport.sent[0].target, "/kaizen/api/v1/backup");
  EXPECT_EQ(transport.sent[0].accept, "application/vnd.sqlite3");
  EXPECT_EQ(ReadAll(file), kDatabase);
  EXPECT_FALSE(fs::exists(file.string() + ".part"));
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(out_.str(), "wrote " + file.string() + ": 4096 bytes\n");
}

TEST_F(BackupCommand, RefusesToReplaceAFileWithoutForceAndSendsNothing) {
  const fs::path file = dir_ / "earlier.db";
  std::ofstream(file) << "earlier";
  OneAnswer transport(HttpResponse{200, kDatabase});
  Status refused = DownloadBackup(file.string(), false, server_, transport, out_);
  EXPECT_TRUE(IsUsageError(refused));
  EXPECT_NE(refused.message().find("--force"), std::string::npos);
  EXPECT_TRUE(transport.sent.empty());
  EXPECT_EQ(ReadAll(file), "earlier");

  ASSERT_TRUE(DownloadBackup(file.string(), true, server_, transport, out_).ok());
  EXPECT_EQ(ReadAll(file), kDatabase);
}

TEST_F(BackupCommand, AnErrorOrAnAnswerThatIsNotADatabaseLeavesNoFile) {
  const fs::path file = dir_ / "copy.db";
  OneAnswer refused(HttpResponse{
      403, R"({"error": {"code": "forbidden", "message": "the admin role is needed"}})"});
  Status status = DownloadBackup(file.string(), false, server_, refused, out_);
  EXPECT_EQ(status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(status.reason(), "forbidden");
  EXPECT_EQ(status.message(), "the admin role is needed");

  OneAnswer html(HttpResponse{200, "<html>a proxy's page</html>"});
  EXPECT_EQ(DownloadBackup(file.string(), false, server_, html, out_).reason(), "bad_answer");

  OneAnswer failed(
      HttpResponse{503, R"({"error": {"code": "backup_failed", "message": "disk full"}})"});
  EXPECT_EQ(DownloadBackup(file.string(), false, server_, failed, out_).reason(), "backup_failed");

  OneAnswer unreachable(Unavailable("cannot_connect", "cannot connect to 127.0.0.1:8080"));
  EXPECT_EQ(DownloadBackup(file.string(), false, server_, unreachable, out_).reason(),
            "cannot_connect");
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(file.string() + ".part"));
}

TEST_F(BackupCommand, ADirectoryThatCannotBeWrittenIsReportedAndLeavesNothing) {
  OneAnswer transport(HttpResponse{200, kDatabase});
  const fs::path file = dir_ / "no" / "such" / "dir" / "copy.db";
  Status status = DownloadBackup(file.string(), false, server_, transport, out_);
  EXPECT_EQ(status.reason(), "cannot_write");
  EXPECT_FALSE(fs::exists(file.string() + ".part"));
}

}  // namespace
}  // namespace kaizen::cli
