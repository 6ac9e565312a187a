// What an operator relies on: a 2xx means the change is on disk. A clean stop and a crash
// (SIGKILL right after the answer) both lose nothing that was acknowledged.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/daemon_fixture.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;

class Durability : public DaemonTest {
 protected:
  // Everything a user could look at, to compare before and after a restart.
  json Snapshot() {
    json snapshot;
    snapshot["plans"] = Get("/api/v1/plans?limit=500").json;
    snapshot["tasks"] = Get("/api/v1/tasks?limit=500").json;
    for (const auto& task : snapshot["tasks"]["items"]) {
      const std::string id = task["id"].dump();
      snapshot["events"][id] = Get("/api/v1/tasks/" + id + "/events").json;
    }
    for (const auto& plan : snapshot["plans"]["items"]) {
      const std::string id = plan["id"].dump();
      snapshot["plan"][id] = Get("/api/v1/plans/" + id).json;
    }
    return snapshot;
  }

  void CreateSomeWork() {
    json body = PlanBody("Durable plan");
    body["tasks"] = {TaskBody("a", "First", "han.meimei", "2099-01-01T00:00:00Z"),
                     TaskBody("b", "Second", "zhang.wei", "2020-01-01T00:00:00Z")};
    body["tasks"][1]["depends_on_keys"] = {"a"};
    json plan = CreatePlan(body);
    ASSERT_FALSE(plan.is_null());
    const std::int64_t a = plan["tasks"][0]["id"].get<std::int64_t>();
    ASSERT_TRUE(HasStatus(Transition(a, "in_progress", "han.meimei"), 200));
    ASSERT_TRUE(HasStatus(Transition(a, "done", "han.meimei"), 200));
    ASSERT_TRUE(HasStatus(
        Patch("/api/v1/tasks/" + std::to_string(a), json{{"criterion", "checked by li.lei"}}),
        200));
    ASSERT_TRUE(HasStatus(Post("/api/v1/plans/" + plan["id"].dump() + "/tasks",
                               TaskBody("c", "Third", "li.lei", "2099-02-01T00:00:00Z")),
                          201));
    json other = CreatePlan(PlanBody("Plan to cancel"));
    ASSERT_FALSE(other.is_null());
    ASSERT_TRUE(HasStatus(Post("/api/v1/plans/" + other["id"].dump() + "/cancel",
                               json{{"note", "not this quarter"}, {"actor", "li.lei"}}),
                          200));
  }
};

TEST_F(Durability, EverythingSurvivesACleanRestart) {
  ASSERT_NO_FATAL_FAILURE(CreateSomeWork());
  const json before = Snapshot();
  ASSERT_EQ(before["plans"]["items"].size(), 2u);

  EXPECT_EQ(daemon_.Stop(), 0) << "SIGTERM must end kaizend with exit code 0";
  const Status restarted = daemon_.Start();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  Reconnect();
  EXPECT_EQ(Snapshot(), before);

  // And the daemon goes on numbering where it left off.
  json plan = CreatePlan(PlanBody("After restart"));
  ASSERT_FALSE(plan.is_null());
  for (const auto& old : before["plans"]["items"]) EXPECT_NE(plan["id"], old["id"]);
}

TEST_F(Durability, AcknowledgedWritesSurviveSigkill) {
  json plan = CreatePlan(PlanBody("Crash test"));
  ASSERT_FALSE(plan.is_null());
  const std::string tasks_path = "/api/v1/plans/" + plan["id"].dump() + "/tasks";
  std::map<std::int64_t, json> acknowledged;  // id -> the task as answered
  for (int i = 0; i < 20; ++i) {
    HttpResponse created =
        Post(tasks_path, TaskBody("k" + std::to_string(i), "Task " + std::to_string(i),
                                  "han.meimei", "2099-01-01T00:00:00Z"));
    ASSERT_TRUE(HasStatus(created, 201));
    std::int64_t id = created.json["id"].get<std::int64_t>();
    acknowledged[id] = created.json;
    if (i % 2 == 0) {
      HttpResponse moved = Transition(id, "in_progress", "han.meimei");
      ASSERT_TRUE(HasStatus(moved, 200));
      acknowledged[id] = moved.json;
    }
  }
  daemon_.Kill();  // right after the last 2xx

  const Status restarted = daemon_.Start();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  Reconnect();
  for (const auto& [id, answered] : acknowledged) {
    json stored = GetTask(id);
    EXPECT_EQ(stored["title"], answered["title"]);
    EXPECT_EQ(stored["state"], answered["state"]) << "task " << id;
    EXPECT_EQ(stored["version"], answered["version"]) << "task " << id;
  }
  HttpResponse events =
      Get("/api/v1/tasks/" + std::to_string(acknowledged.begin()->first) + "/events");
  EXPECT_EQ(events.json["items"].size(), 2u) << events.body;
}

TEST_F(Durability, SigkillDuringAStreamOfWritesLosesNoAcknowledgedOne) {
  json plan = CreatePlan(PlanBody("Crash under load"));
  ASSERT_FALSE(plan.is_null());
  const std::string tasks_path = "/api/v1/plans/" + plan["id"].dump() + "/tasks";
  const std::uint16_t port = daemon_.port();

  std::mutex mu;
  std::condition_variable acked_cv;
  std::vector<std::pair<std::int64_t, std::string>> acked;  // id, title
  std::atomic<bool> stop{false};
  // The writer stops at its first transport error (the kill) or after a bounded count.
  std::thread writer([&] {
    HttpClient client("127.0.0.1", port);
    for (int i = 0; i < 2000 && !stop; ++i) {
      const std::string title = "Streamed " + std::to_string(i);
      auto response = client.Post(tasks_path, TaskBody("s" + std::to_string(i), title, "zhang.wei",
                                                       "2099-01-01T00:00:00Z"));
      if (!response.ok() || response->status != 201) break;
      std::lock_guard lock(mu);
      acked.emplace_back(response->json["id"].get<std::int64_t>(), title);
      acked_cv.notify_all();
    }
    std::lock_guard lock(mu);
    stop = true;
    acked_cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    acked_cv.wait(lock, [&] { return acked.size() >= 25 || stop; });
  }
  daemon_.Kill();
  stop = true;
  writer.join();
  ASSERT_GE(acked.size(), 25u) << "the writer failed before the kill";

  const Status restarted = daemon_.Start();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  Reconnect();
  for (const auto& [id, title] : acked) {
    HttpResponse stored = Get("/api/v1/tasks/" + std::to_string(id));
    EXPECT_TRUE(HasStatus(stored, 200)) << "acknowledged task " << id << " is lost";
    EXPECT_EQ(stored.json.value("title", ""), title);
  }
}

TEST_F(Durability, RestartAfterSigkillServesAndAcceptsWrites) {
  ASSERT_NO_FATAL_FAILURE(CreateSomeWork());
  daemon_.Kill();
  const Status restarted = daemon_.Start();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString();
  Reconnect();
  HttpResponse ready = Get("/readyz");
  EXPECT_TRUE(HasStatus(ready, 200));
  EXPECT_FALSE(CreatePlan(PlanBody("After the crash")).is_null());
}

}  // namespace
}  // namespace kaizen::testing
