// What an operator sees when starting kaizend: config mistakes named precisely (exit 2), a
// database from a newer kaizen refused (exit 1), health and readiness probes, and the
// machine-readable API description.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/integration/daemon_fixture.h"
#include "tests/support/daemon_process.h"

#ifndef KAIZEN_API_DOC
#error "KAIZEN_API_DOC must name docs/api.md"
#endif

namespace kaizen::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

void WriteText(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

json ValidConfig(const fs::path& dir) {
  json config = DefaultDirectoryConfig();
  config["storage"] = {{"path", (dir / "kaizen.db").string()}};
  return config;
}

// kaizend with `config_path`, as an operator would start it; bounded so that a daemon that
// wrongly starts serving is killed and reported as timed out.
ProgramResult RunKaizend(const fs::path& dir, const fs::path& config_path,
                         std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {KaizendPath(), "--config",    config_path.string(),   "--listen",
                                   "127.0.0.1:0", "--port-file", (dir / "port").string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto result = RunProgram(argv, dir, std::chrono::seconds(10));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : ProgramResult{};
}

TEST(Startup, BadConfigExitsWith2NamingFileFieldAndReason) {
  TempDir dir;
  json config = ValidConfig(dir.path());
  config["people"][1]["team"] = "marketing";  // no such team
  config["people"][2]["manager"] = "nobody";  // no such person
  const fs::path path = dir.path() / "bad.json";
  WriteText(path, config.dump(2));

  ProgramResult run = RunKaizend(dir.path(), path);
  EXPECT_FALSE(run.timed_out) << "kaizend started despite a bad config";
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const std::string prefix = path.string() + ": ";
  EXPECT_NE(run.err.find(prefix + "people[1].team: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("marketing"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(prefix + "people[2].manager: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nobody"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir.path() / "port")) << "a refused start must not announce a port";
}

TEST(Startup, UnparsableConfigExitsWith2) {
  TempDir dir;
  const fs::path path = dir.path() / "broken.json";
  WriteText(path, "{\"server\": {\"listen\": \"127.0.0.1:0\"},,}");
  ProgramResult run = RunKaizend(dir.path(), path);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(path.string()), std::string::npos) << run.err;
}

TEST(Startup, MissingConfigFileExitsWith2) {
  TempDir dir;
  const fs::path path = dir.path() / "absent.json";
  ProgramResult run = RunKaizend(dir.path(), path);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(path.string()), std::string::npos) << run.err;
}

TEST(Startup, UnknownConfigFieldExitsWith2) {
  TempDir dir;
  json config = ValidConfig(dir.path());
  config["storage"]["pth"] = "typo.db";
  const fs::path path = dir.path() / "typo.json";
  WriteText(path, config.dump(2));
  ProgramResult run = RunKaizend(dir.path(), path);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("storage.pth"), std::string::npos) << run.err;
}

TEST(Startup, CheckConfigAcceptsAGoodFileWithComments) {
  TempDir dir;
  const fs::path path = dir.path() / "good.json";
  WriteText(path, "// kaizen config written by the integration tests\n" +
                      ValidConfig(dir.path()).dump(2) + "\n/* trailing comment */\n");
  auto run = RunProgram({KaizendPath(), "--check-config", path.string()}, dir.path(),
                        std::chrono::seconds(10));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 0) << run->err;
  EXPECT_FALSE(fs::exists(dir.path() / "kaizen.db")) << "--check-config must not open storage";
}

TEST(Startup, CheckConfigRefusesABadFileWithEveryProblem) {
  TempDir dir;
  json config = ValidConfig(dir.path());
  config["teams"][0]["time_zone"] = "Mars/Olympus_Mons";
  config["people"][3]["team"] = "marketing";
  const fs::path path = dir.path() / "bad.json";
  WriteText(path, config.dump(2));
  auto run = RunProgram({KaizendPath(), "--check-config", path.string()}, dir.path(),
                        std::chrono::seconds(10));
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->exit_code, 2) << run->err;
  const std::string output = run->out + run->err;
  EXPECT_NE(output.find(path.string() + ": teams[0].time_zone: "), std::string::npos) << output;
  EXPECT_NE(output.find(path.string() + ": people[3].team: "), std::string::npos) << output;
}

void SetUserVersion(const fs::path& db, int version) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  const std::string sql = "PRAGMA user_version = " + std::to_string(version) + ";";
  char* error = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(handle);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

int UserVersion(const fs::path& db) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  int version = -1;
  if (sqlite3_prepare_v2(handle, "PRAGMA user_version;", -1, &statement, nullptr) == SQLITE_OK &&
      sqlite3_step(statement) == SQLITE_ROW) {
    version = sqlite3_column_int(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return version;
}

TEST(Startup, DatabaseFromANewerKaizenExitsWith1) {
  DaemonProcess daemon;
  const Status started = daemon.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  ASSERT_EQ(daemon.Stop(), 0);
  ASSERT_TRUE(fs::exists(daemon.db_path())) << daemon.db_path();
  ASSERT_NO_FATAL_FAILURE(SetUserVersion(daemon.db_path(), 9999));

  ProgramResult run = RunKaizend(daemon.dir(), daemon.config_path());
  EXPECT_FALSE(run.timed_out) << "kaizend served a database it does not understand";
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("9999"), std::string::npos)
      << "the message names the version: " << run.err;
  EXPECT_EQ(UserVersion(daemon.db_path()), 9999) << "the newer database must be left alone";
}

TEST(Startup, FileThatIsNotADatabaseExitsWith1) {
  TempDir dir;
  const fs::path db = dir.path() / "kaizen.db";
  WriteText(db, std::string(8192, 'z'));
  const fs::path path = dir.path() / "kaizen.json";
  WriteText(path, ValidConfig(dir.path()).dump(2));
  ProgramResult run = RunKaizend(dir.path(), path);
  EXPECT_FALSE(run.timed_out) << "kaizend served a file that is not a database";
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("kaizen.db"), std::string::npos)
      << "the message names the database: " << run.err;
}

TEST(Startup, DbFlagOverridesTheConfiguredPath) {
  TempDir other;
  const fs::path db = other.path() / "elsewhere.db";
  DaemonOptions options;
  options.extra_args = {"--db", db.string()};
  DaemonProcess daemon(options);
  const Status started = daemon.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  auto client = daemon.Client();
  auto created = client->Post("/api/v1/plans", PlanBody("Where am I"));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(daemon.Stop(), 0);
  EXPECT_TRUE(fs::exists(db));
  EXPECT_FALSE(fs::exists(daemon.db_path()));
}

using Probes = DaemonTest;

TEST_F(Probes, HealthzAndReadyzAnswer) {
  HttpResponse health = Get("/healthz");
  ASSERT_TRUE(HasStatus(health, 200));
  EXPECT_EQ(health.json["status"], "ok");
  HttpResponse ready = Get("/readyz");
  ASSERT_TRUE(HasStatus(ready, 200));
  EXPECT_EQ(ready.json["status"], "ready");
  ASSERT_TRUE(ready.json["schema_version"].is_number_integer()) << ready.body;
  EXPECT_GE(ready.json["schema_version"].get<int>(), 1);
  EXPECT_EQ(ready.json["schema_version"].get<int>(), UserVersion(daemon_.db_path()))
      << "readyz reports the schema of the database on disk";
}

// The routes of docs/api.md as (method, path) with every {param} written as {}.
std::set<std::pair<std::string, std::string>> DocumentedRoutes() {
  std::ifstream in(KAIZEN_API_DOC);
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  std::set<std::pair<std::string, std::string>> routes;
  const std::regex route(R"(\| `(GET|POST|PATCH|PUT|DELETE) (/[^`?]*)`)");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), route); it != std::sregex_iterator();
       ++it) {
    routes.emplace((*it)[1].str(),
                   std::regex_replace((*it)[2].str(), std::regex(R"(\{[^}]*\})"), "{}"));
  }
  return routes;
}

TEST_F(Probes, OpenApiDocumentDescribesEveryDocumentedRoute) {
  HttpResponse response = Get("/openapi.json");
  ASSERT_TRUE(HasStatus(response, 200));
  ASSERT_TRUE(response.IsJson()) << "openapi.json is not JSON";
  const json& doc = response.json;
  ASSERT_TRUE(doc["openapi"].is_string()) << response.body.substr(0, 200);
  EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.", 0), 0u) << doc["openapi"];
  ASSERT_TRUE(doc["paths"].is_object());

  std::set<std::pair<std::string, std::string>> served;
  for (const auto& [path, operations] : doc["paths"].items()) {
    const std::string normalised = std::regex_replace(path, std::regex(R"(\{[^}]*\})"), "{}");
    for (const auto& [method, operation] : operations.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      served.emplace(upper, normalised);
    }
  }
  const auto documented = DocumentedRoutes();
  ASSERT_GE(documented.size(), 16u) << "could not read the routes from " << KAIZEN_API_DOC;
  for (const auto& [method, path] : documented) {
    EXPECT_TRUE(served.count({method, path})) << method << " " << path << " is not in openapi.json";
  }
}

}  // namespace
}  // namespace kaizen::testing
