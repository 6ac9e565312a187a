// POST /api/v1/backup through ApiHandlers: a real Storage, no sockets. The answer names a
// verified copy beside the database, which the HTTP server streams and then removes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tests/daemon/api_test_env.h"

namespace kaizen::daemon {
namespace {

using nlohmann::json;

TEST(BackupRoute, AnswersWithAVerifiedCopyBesideTheDatabase) {
  ApiTestEnv env;
  json body = json::parse(R"({
    "title": "Back this up", "owner": "li.lei", "team": "ops",
    "tasks": [{"key": "a", "title": "First", "owner": "han.meimei",
               "due_at": "2026-12-10T10:00:00Z"},
              {"key": "b", "title": "Second", "owner": "han.meimei",
               "due_at": "2026-12-11T10:00:00Z"}]})");
  ASSERT_EQ(env.Call("POST", "/api/v1/plans", body).status, 201);

  HttpResponse response = env.Call("POST", "/api/v1/backup");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/vnd.sqlite3");
  EXPECT_EQ(response.Header("X-Kaizen-Tasks"), "2");
  EXPECT_EQ(response.Header("X-Kaizen-Plans"), "1");
  EXPECT_NE(response.Header("Content-Disposition")->find("attachment; filename=\"kaizen-"),
            std::string::npos);
  ASSERT_FALSE(response.body_file.empty());
  const std::filesystem::path copy = response.body_file;
  EXPECT_EQ(copy.parent_path(), std::filesystem::path(env.storage().path()).parent_path());
  std::ifstream in(copy, std::ios::binary);
  std::string magic(16, '\0');
  in.read(magic.data(), 16);
  EXPECT_EQ(magic, std::string("SQLite format 3\0", 16));
  std::filesystem::remove(copy);
}

TEST(BackupRoute, RemovesCopiesLeftOverByAnEarlierKaizend) {
  ApiTestEnv env;
  const auto dir = std::filesystem::path(env.storage().path()).parent_path();
  const auto stale = dir / ".kaizen-backup-20260101T000000Z-0.db";
  const auto recent = dir / ".kaizen-backup-20261126T080000Z-7.db";
  std::ofstream(stale) << "left over";
  std::ofstream(recent) << "being sent";
  std::filesystem::last_write_time(
      stale, std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));

  HttpResponse response = env.Call("POST", "/api/v1/backup");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(recent)) << "a copy another request may be sending";
  EXPECT_TRUE(std::filesystem::exists(response.body_file));
}

TEST(BackupRoute, TakesNoFields) {
  ApiTestEnv env;
  HttpResponse response = env.Call("POST", "/api/v1/backup", json{{"to", "/tmp/x.db"}});
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(BodyOf(response)["error"]["code"], "unknown_field");
  EXPECT_TRUE(response.body_file.empty());
  EXPECT_EQ(env.Call("POST", "/api/v1/backup", json::object()).status, 200);
}

}  // namespace
}  // namespace kaizen::daemon
