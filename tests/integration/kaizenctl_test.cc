// kaizenctl against a running kaizend, as a team member and a manager use it from a shell:
// list, show, move, machine-readable output, and exit codes a script can rely on
// (0 ok, 1 the API refused, 3 no server).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <string>
#include <vector>

#include "tests/integration/daemon_fixture.h"

#ifndef KAIZENCTL_PATH
#error "KAIZENCTL_PATH must name the kaizenctl executable"
#endif

namespace kaizen::testing {
namespace {

using nlohmann::json;

class Kaizenctl : public DaemonTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(DaemonTest::SetUp());
    json body = PlanBody("Shorten first response time");
    body["tasks"] = {
        TaskBody("measure", "Measure response times", "han.meimei", "2099-03-01T09:00:00Z"),
        TaskBody("staff", "Add a second shift", "zhang.wei", "2020-03-01T09:00:00Z")};
    json plan = CreatePlan(body);
    ASSERT_FALSE(plan.is_null());
    measure_ = plan["tasks"][0]["id"].get<std::int64_t>();
    staff_ = plan["tasks"][1]["id"].get<std::int64_t>();
  }

  ProgramResult Ctl(std::vector<std::string> args) {
    std::vector<std::string> argv = {KAIZENCTL_PATH, "--server",
                                     "http://127.0.0.1:" + std::to_string(daemon_.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCtl(argv);
  }

  ProgramResult RunCtl(const std::vector<std::string>& argv) {
    auto result = RunProgram(argv, daemon_.dir(), std::chrono::seconds(20));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (!result.ok()) return {};
    EXPECT_FALSE(result->timed_out) << "kaizenctl did not finish";
    return *result;
  }

  std::int64_t measure_ = 0;
  std::int64_t staff_ = 0;
};

TEST_F(Kaizenctl, TasksListsTitlesOwnersAndStates) {
  ProgramResult run = Ctl({"tasks"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Measure response times"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Add a second shift"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("han.meimei"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("open"), std::string::npos) << run.out;

  ProgramResult mine = Ctl({"tasks", "--owner", "zhang.wei"});
  ASSERT_EQ(mine.exit_code, 0) << mine.err;
  EXPECT_NE(mine.out.find("Add a second shift"), std::string::npos) << mine.out;
  EXPECT_EQ(mine.out.find("Measure response times"), std::string::npos) << mine.out;

  ProgramResult late = Ctl({"tasks", "--overdue"});
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_NE(late.out.find("Add a second shift"), std::string::npos) << late.out;
  EXPECT_EQ(late.out.find("Measure response times"), std::string::npos) << late.out;
}

TEST_F(Kaizenctl, JsonOutputIsMachineReadable) {
  ProgramResult run = Ctl({"-o", "json", "tasks"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json parsed = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << "not JSON: " << run.out;
  const json& items = parsed.is_array() ? parsed : parsed["items"];
  ASSERT_TRUE(items.is_array()) << run.out;
  std::set<std::int64_t> ids;
  for (const auto& item : items) ids.insert(item["id"].get<std::int64_t>());
  EXPECT_EQ(ids, (std::set{measure_, staff_}));

  ProgramResult show = Ctl({"task", "show", std::to_string(measure_), "-o", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json task = json::parse(show.out, nullptr, false);
  ASSERT_FALSE(task.is_discarded()) << "not JSON: " << show.out;
  EXPECT_NE(show.out.find("\"Measure response times\""), std::string::npos) << show.out;
}

TEST_F(Kaizenctl, TaskShowPrintsFieldsAndHistory) {
  ProgramResult run = Ctl({"task", "show", std::to_string(measure_)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Measure response times"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("han.meimei"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("the reviewer can see it"), std::string::npos) << "criterion: " << run.out;
  EXPECT_NE(run.out.find("created"), std::string::npos) << "history: " << run.out;
}

TEST_F(Kaizenctl, TaskStartMovesTheTaskAsTheActor) {
  ProgramResult run = Ctl({"task", "start", std::to_string(measure_), "--actor", "han.meimei"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json task = GetTask(measure_);
  EXPECT_EQ(task["state"], "in_progress");
  HttpResponse events = Get("/api/v1/tasks/" + std::to_string(measure_) + "/events");
  ASSERT_EQ(events.json["items"].size(), 2u) << events.body;
  EXPECT_EQ(events.json["items"][1]["actor"], "han.meimei");

  ProgramResult done =
      Ctl({"task", "done", std::to_string(measure_), "--actor", "han.meimei", "--note", "p90 4h"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(GetTask(measure_)["state"], "done");
}

TEST_F(Kaizenctl, ApiRefusalExitsWith1AndSaysWhy) {
  ProgramResult verify = Ctl({"task", "verify", std::to_string(measure_), "--actor", "li.lei"});
  EXPECT_EQ(verify.exit_code, 1) << verify.out << verify.err;
  EXPECT_FALSE(verify.err.empty()) << "a refusal explains itself on stderr";
  EXPECT_EQ(GetTask(measure_)["state"], "open");

  ProgramResult missing = Ctl({"task", "show", "999999"});
  EXPECT_EQ(missing.exit_code, 1) << missing.out << missing.err;
  EXPECT_FALSE(missing.err.empty());
}

TEST_F(Kaizenctl, NoServerExitsWith3) {
  // A port nobody listens on: bound, then released.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  const std::string server = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port));

  ProgramResult run = RunCtl({KAIZENCTL_PATH, "--server", server, "tasks"});
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.err.find("127.0.0.1"), std::string::npos) << "names the server: " << run.err;
}

}  // namespace
}  // namespace kaizen::testing
