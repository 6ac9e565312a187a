// Reminders and their delivery, end to end: the real kaizend, a real SQLite file and a local
// webhook sink. Deadlines are a few seconds away and policies count in seconds, so each test
// watches a whole reminder track happen. Every wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "notifiers/signature.h"
#include "tests/integration/daemon_fixture.h"
#include "tests/integration/webhook_sink.h"
#include "workflow/time.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

std::string InSeconds(int s) {
  auto now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  return FormatRfc3339(now + seconds(s));
}

// 3 s before the deadline, at it, once 2 s after it, and the owner's manager 3 s after it.
json FastPolicy() {
  return {{"before", {"PT3S"}},
          {"at_deadline", true},
          {"overdue", {{"every", "PT2S"}, {"max", 1}}},
          {"escalations", {{{"after", "PT3S"}, {"to", "manager"}}}}};
}

std::vector<std::string> Kinds(const std::vector<SinkRequest>& requests) {
  std::vector<std::string> kinds;
  for (const SinkRequest& r : requests) {
    if (r.body.is_object() && r.body.contains("data") && r.body["data"].contains("kind")) {
      kinds.push_back(r.body["data"]["kind"].get<std::string>());
    }
  }
  return kinds;
}

// Every item a request carries: a single event's data, or each item of a digest.
std::vector<json> Items(const std::vector<SinkRequest>& requests) {
  std::vector<json> items;
  for (const SinkRequest& r : requests) {
    if (!r.body.is_object() || !r.body.contains("data")) continue;
    const json& data = r.body["data"];
    if (data.contains("items")) {
      for (const json& item : data["items"]) items.push_back(item);
    } else {
      items.push_back(data);
    }
  }
  return items;
}

std::set<std::string> ItemKeys(const std::vector<SinkRequest>& requests) {
  std::set<std::string> keys;
  for (const json& item : Items(requests)) keys.insert(item["idempotency_key"].get<std::string>());
  return keys;
}

class Reminders : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 6000) text = "..." + text.substr(text.size() - 6000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  // Starts kaizend with the test directory, `policy` as the default, the sink as every team's
  // channel, and quick retries.
  void StartDaemon(const WebhookSink& sink, json policy, json delivery = json::object()) {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["policies"] = {{"fast", std::move(policy)}};
    config["reminders"] = {{"default_policy", "fast"}};
    json channel = {
        {"type", "webhook"}, {"url", sink.Url("/hook?token=s3cret")}, {"secret", kSecret}};
    if (!channel_.is_null()) channel = channel_;
    if (!sink.ca_file().empty()) channel["ca_file"] = sink.ca_file();
    config["channels"] = {{"sink", channel}};
    json base_delivery = {{"backoff_initial", "PT1S"},
                          {"backoff_max", "PT2S"},
                          {"group_window_ms", 0},
                          {"max_attempts", 20}};
    base_delivery.update(delivery);
    config["delivery"] = base_delivery;
    for (json& team : config["teams"]) team["channels"] = {"sink"};
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  void Restart() {
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  HttpResponse Call(std::string_view method, std::string_view target, const json& body = nullptr) {
    auto response = client_->Request(method, target, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  // A plan of li.lei in ops with one task per due time, owned by han.meimei; returns task ids.
  std::vector<std::int64_t> CreateTasks(const std::vector<std::string>& due_times) {
    json body = PlanBody("Reminder drill");
    body["tasks"] = json::array();
    for (std::size_t i = 0; i < due_times.size(); ++i) {
      body["tasks"].push_back(TaskBody("t" + std::to_string(i), "Task " + std::to_string(i),
                                       "han.meimei", due_times[i]));
    }
    HttpResponse created = Call("POST", "/api/v1/plans", body);
    EXPECT_TRUE(HasStatus(created, 201));
    std::vector<std::int64_t> ids;
    if (created.status == 201) {
      for (const json& t : created.json["tasks"]) ids.push_back(t["id"].get<std::int64_t>());
    }
    return ids;
  }

  json Notifications(std::string_view query = "") {
    HttpResponse r = Call("GET", "/api/v1/notifications?limit=500" + std::string(query));
    EXPECT_TRUE(HasStatus(r, 200));
    return r.status == 200 ? r.json["items"] : json::array();
  }

  // Polls the outbox (bounded) until `count` notifications are delivered.
  bool WaitForDelivered(std::size_t count, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (Notifications("&state=delivered").size() >= count) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  json channel_;  // replaces the signed webhook channel when set
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(Reminders, BeforeAtAndAfterTheDeadlineThenTheManager) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, FastPolicy()));
  const auto created_at = std::chrono::steady_clock::now();
  std::vector<std::int64_t> ids = CreateTasks({InSeconds(5)});
  ASSERT_EQ(ids.size(), 1u);

  // The task says when it will next remind: 3 s before its deadline.
  HttpResponse task = Call("GET", "/api/v1/tasks/" + std::to_string(ids[0]));
  ASSERT_TRUE(HasStatus(task, 200));
  auto next = ParseRfc3339(task.json["next_reminder_at"].get<std::string>());
  auto due = ParseRfc3339(task.json["due_at"].get<std::string>());
  ASSERT_TRUE(next && due);
  EXPECT_EQ(*due - *next, seconds(3));

  ASSERT_TRUE(sink.WaitFor([](const auto& r) { return Kinds(r).size() >= 4; }, seconds(20)))
      << "kinds so far: " << json(Kinds(sink.Requests())).dump();
  std::vector<SinkRequest> requests = sink.Requests();
  EXPECT_EQ(Kinds(requests),
            (std::vector<std::string>{"before_due", "at_due", "overdue", "escalation"}));
  // Each came on time, never early: before at ~2 s, at ~5 s, overdue ~7 s, escalation ~8 s
  // after creation. The lateness allowed is generous for loaded, sanitized test machines.
  const double expected[] = {2, 5, 7, 8};
  for (std::size_t i = 0; i < 4 && i < requests.size(); ++i) {
    double at = std::chrono::duration<double>(requests[i].at - created_at).count();
    EXPECT_GE(at, expected[i] - 1.0) << Kinds(requests)[i];
    EXPECT_LE(at, expected[i] + 3.0) << Kinds(requests)[i];
  }
  const json& escalation = requests[3].body["data"];
  EXPECT_EQ(escalation["recipient"]["id"], "li.lei");
  EXPECT_EQ(escalation["owner"]["id"], "han.meimei");
  EXPECT_EQ(requests[0].body["data"]["recipient"]["id"], "han.meimei");
  EXPECT_EQ(requests[0].body["data"]["task"]["id"], ids[0]);

  // Every request is signed the Standard Webhooks way and names its idempotency key.
  for (const SinkRequest& r : requests) {
    const std::string id = r.request.Header("webhook-id");
    EXPECT_EQ(r.request.Header("idempotency-key"), id);
    EXPECT_EQ(r.request.target, "/hook?token=s3cret");
    auto signature = notifiers::StandardWebhookSignature(
        kSecret, id, std::stoll(r.request.Header("webhook-timestamp")), r.request.body);
    ASSERT_TRUE(signature.ok());
    EXPECT_EQ(r.request.Header("webhook-signature"), *signature);
  }

  // The outbox shows them delivered (once kaizend has read the sink's last answer, which may be
  // a moment after the sink saw the request), and the secret part of the URL is never in the
  // log.
  EXPECT_TRUE(WaitForDelivered(4, seconds(5))) << Notifications().dump(1);
  EXPECT_EQ(daemon_->StderrText().find("s3cret"), std::string::npos);
  task = Call("GET", "/api/v1/tasks/" + std::to_string(ids[0]));
  EXPECT_TRUE(task.json["next_reminder_at"].is_null()) << task.json.dump();
}

TEST_F(Reminders, OverHttpsWithTheCaFromTheConfig) {
  WebhookSink sink(WebhookSink::Scheme::kHttps);
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}}));
  CreateTasks({InSeconds(1)});
  EXPECT_TRUE(sink.WaitFor([](const auto& r) { return Kinds(r).size() >= 1; }, seconds(15)));
  EXPECT_EQ(Kinds(sink.Requests()), (std::vector<std::string>{"at_due"}));
}

TEST_F(Reminders, AFailingSinkThatRecoversReceivesEverythingUnderTheSameKeys) {
  WebhookSink sink;
  std::atomic<int> refusals{4};
  sink.SetReply([&refusals](const ServerRequest&) {
    ServerReply reply;
    reply.status = refusals.fetch_sub(1) > 0 ? 503 : 200;
    return reply;
  });
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}}));
  CreateTasks({InSeconds(1), InSeconds(1), InSeconds(2)});
  ASSERT_TRUE(WaitForDelivered(3, seconds(30))) << Notifications().dump(1);
  std::vector<SinkRequest> requests = sink.Requests();
  EXPECT_GT(requests.size(), 3u) << "the sink refused some, so there were repeats";
  EXPECT_EQ(ItemKeys(requests).size(), 3u) << "repeats carry the keys of the first attempts";
  for (const json& n : Notifications()) {
    EXPECT_EQ(n["state"], "delivered");
    EXPECT_TRUE(n["last_error"].is_null());
  }
  bool retried = false;
  for (const json& n : Notifications()) retried = retried || n["attempts"].get<int>() > 1;
  EXPECT_TRUE(retried);
}

TEST_F(Reminders, A429WithRetryAfterIsHonoured) {
  WebhookSink sink;
  std::atomic<int> calls{0};
  sink.SetReply([&calls](const ServerRequest&) {
    ServerReply reply;
    if (calls.fetch_add(1) == 0) {
      reply.status = 429;
      reply.headers.emplace_back("Retry-After", "3");
    }
    return reply;
  });
  // Backoff alone would retry after 1-2 s; the server asks for 3.
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}}));
  CreateTasks({InSeconds(1)});
  ASSERT_TRUE(sink.WaitFor([](const auto& r) { return r.size() >= 2; }, seconds(20)));
  std::vector<SinkRequest> requests = sink.Requests();
  double gap = std::chrono::duration<double>(requests[1].at - requests[0].at).count();
  EXPECT_GE(gap, 2.9);
  EXPECT_LT(gap, 8.0);
  EXPECT_EQ(requests[0].request.Header("idempotency-key"),
            requests[1].request.Header("idempotency-key"));
  ASSERT_TRUE(WaitForDelivered(1, seconds(5)));
}

TEST_F(Reminders, DueTogetherForOneChannelIsOneGroupedMessage) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon(sink, json{{"at_deadline", true}}, json{{"group_window_ms", 1000}}));
  const std::string due = InSeconds(2);
  CreateTasks({due, due, due, due, due});
  ASSERT_TRUE(WaitForDelivered(5, seconds(20))) << Notifications().dump(1);
  std::vector<SinkRequest> requests = sink.Requests();
  ASSERT_EQ(requests.size(), 1u) << "five reminders due together, one message";
  EXPECT_EQ(requests[0].body["type"], "kaizen.digest");
  EXPECT_EQ(requests[0].body["data"]["count"], 5);
  EXPECT_EQ(ItemKeys(requests).size(), 5u);
}

TEST_F(Reminders, DoneAsksTheVerifierAndADeadMessageCanBeRetried) {
  WebhookSink sink;
  std::atomic<bool> refuse{true};
  sink.SetReply([&refuse](const ServerRequest&) {
    ServerReply reply;
    reply.status = refuse ? 400 : 200;  // 400: permanent, no retry
    return reply;
  });
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", false}}));
  std::vector<std::int64_t> ids = CreateTasks({"2099-01-01T00:00:00Z"});
  ASSERT_EQ(ids.size(), 1u);
  const std::string task = "/api/v1/tasks/" + std::to_string(ids[0]);
  ASSERT_TRUE(HasStatus(
      Call("POST", task + "/transitions", json{{"to", "in_progress"}, {"actor", "han.meimei"}}),
      200));
  ASSERT_TRUE(HasStatus(
      Call("POST", task + "/transitions", json{{"to", "done"}, {"actor", "han.meimei"}}), 200));
  ASSERT_TRUE(sink.WaitFor([](const auto& r) { return r.size() >= 1; }, seconds(10)));
  EXPECT_EQ(Kinds(sink.Requests()), (std::vector<std::string>{"waiting_verification"}));
  EXPECT_EQ(sink.Requests()[0].body["data"]["recipient"]["id"], "li.lei");

  // The 400 made it dead at once.
  json dead;
  for (int i = 0; i < 50 && dead.empty(); ++i) {
    dead = Notifications("&state=dead");
    if (dead.empty()) std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0]["last_error"], "http_400");
  const std::string retry = "/api/v1/notifications/" + dead[0]["id"].dump() + "/retry";
  refuse = false;
  HttpResponse retried = Call("POST", retry);
  ASSERT_TRUE(HasStatus(retried, 200));
  EXPECT_EQ(retried.json["state"], "pending");
  ASSERT_TRUE(WaitForDelivered(1, seconds(10)));
  std::vector<SinkRequest> requests = sink.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].request.Header("idempotency-key"),
            requests[1].request.Header("idempotency-key"));
  // Delivered ones cannot be retried, unknown ones are not found.
  EXPECT_TRUE(IsError(Call("POST", retry), 409, "notification_not_retryable"));
  EXPECT_TRUE(
      IsError(Call("POST", "/api/v1/notifications/999999/retry"), 404, "notification_not_found"));
  EXPECT_TRUE(IsError(Call("GET", "/api/v1/notifications?state=lost"), 400, "invalid_query"));
}

TEST_F(Reminders, KillNineWithRemindersPendingAndInFlightLosesNothing) {
  WebhookSink sink;
  // First the sink takes requests and never answers: deliveries stay in flight.
  std::atomic<bool> hang{true};
  sink.SetReply([&hang](const ServerRequest&) {
    ServerReply reply;
    reply.never_answer = hang.load();
    return reply;
  });
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}}));
  // Two due in 1 s (they fire and hang in flight), two due in 6 s (pending at the crash).
  std::vector<std::int64_t> ids =
      CreateTasks({InSeconds(1), InSeconds(1), InSeconds(6), InSeconds(6)});
  ASSERT_EQ(ids.size(), 4u);
  ASSERT_TRUE(sink.WaitFor([](const auto& r) { return r.size() >= 1; }, seconds(10)));
  std::this_thread::sleep_for(milliseconds(300));
  const std::set<std::string> in_flight_keys = ItemKeys(sink.Requests());
  ASSERT_EQ(in_flight_keys.size(), 2u);

  daemon_->Kill();
  hang = false;
  ASSERT_NO_FATAL_FAILURE(Restart());
  // Everything arrives: the two in flight again, under the same keys, and the two pending.
  ASSERT_TRUE(WaitForDelivered(4, seconds(30))) << Notifications().dump(1);
  std::vector<SinkRequest> requests = sink.Requests();
  std::set<std::string> keys = ItemKeys(requests);
  EXPECT_EQ(keys.size(), 4u);
  for (const std::string& key : in_flight_keys) EXPECT_EQ(keys.count(key), 1u) << key;
  std::map<std::string, int> deliveries;
  for (const json& item : Items(requests)) ++deliveries[item["idempotency_key"]];
  for (const std::string& key : in_flight_keys) EXPECT_GE(deliveries[key], 2) << key;
  EXPECT_NE(daemon_->StderrText().find("in flight when kaizend stopped"), std::string::npos);
}

TEST_F(Reminders, AChannelsRateLimitDelaysMessagesAndDropsNone) {
  WebhookSink sink;
  // One message a second, no burst, no grouping: three reminders due together go out spaced.
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon(sink, json{{"at_deadline", true}}, json{{"max_group_size", 1}}));
  ASSERT_EQ(daemon_->Stop(), 0);
  std::ifstream in(daemon_->config_path());
  json config = json::parse(in);
  config["channels"]["sink"]["rate_limit"] = {{"per_minute", 60}, {"burst", 1}};
  std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
  ASSERT_NO_FATAL_FAILURE(Restart());

  const std::string due = InSeconds(1);
  CreateTasks({due, due, due});
  ASSERT_TRUE(WaitForDelivered(3, seconds(20))) << Notifications().dump(1);
  std::vector<SinkRequest> requests = sink.Requests();
  ASSERT_EQ(requests.size(), 3u);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    double gap = std::chrono::duration<double>(requests[i].at - requests[i - 1].at).count();
    EXPECT_GE(gap, 0.9) << "message " << i;
  }
  EXPECT_EQ(ItemKeys(requests).size(), 3u);
}

TEST_F(Reminders, APolicyEditedInTheConfigReachesExistingTasksAtRestart) {
  WebhookSink sink;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}}));
  std::vector<std::int64_t> ids = CreateTasks({"2099-03-01T09:00:00Z"});
  ASSERT_EQ(ids.size(), 1u);
  const std::string task = "/api/v1/tasks/" + std::to_string(ids[0]);
  EXPECT_EQ(Call("GET", task).json["next_reminder_at"], "2099-03-01T09:00:00Z");

  ASSERT_EQ(daemon_->Stop(), 0);
  std::ifstream in(daemon_->config_path());
  json config = json::parse(in);
  config["policies"]["fast"] = {{"before", {"P2D"}}, {"at_deadline", true}};
  std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
  ASSERT_NO_FATAL_FAILURE(Restart());
  // Planning again runs in the background right after start.
  json next;
  for (int i = 0; i < 100; ++i) {
    next = Call("GET", task).json["next_reminder_at"];
    if (next == "2099-02-27T09:00:00Z") break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(next, "2099-02-27T09:00:00Z");
  auto replans = [this] {
    const std::string log = daemon_->StderrText();
    int count = 0;
    for (auto at = log.find("planned the reminders of"); at != std::string::npos;
         at = log.find("planned the reminders of", at + 1)) {
      ++count;
    }
    return count;
  };
  const int replans_after_change = replans();
  EXPECT_GE(replans_after_change, 1);

  // An unchanged config does not plan again.
  ASSERT_EQ(daemon_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(Restart());
  EXPECT_EQ(Call("GET", task).json["next_reminder_at"], "2099-02-27T09:00:00Z");
  ASSERT_EQ(daemon_->Stop(), 0);
  EXPECT_EQ(replans(), replans_after_change);
}

// The query parameter `name` of a request target, percent-decoded.
std::string QueryParam(const std::string& target, const std::string& name) {
  auto start = target.find(name + "=");
  if (start == std::string::npos) return "";
  start += name.size() + 1;
  std::string raw = target.substr(start, target.find('&', start) - start);
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      out.push_back(static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(raw[i]);
    }
  }
  return out;
}

constexpr char kDingTalkSecret[] = "SECkaizen-integration-test-secret";

TEST_F(Reminders, ADingTalkRobotGetsASignedMessageThatMentionsTheOwner) {
  WebhookSink sink;
  // A fake DingTalk robot: it checks the signed query like the real one and answers HTTP 200
  // with an error code when it refuses.
  sink.SetReply([](const ServerRequest& request) {
    ServerReply reply;
    const std::string timestamp = QueryParam(request.target, "timestamp");
    const bool signed_ok = !timestamp.empty() &&
                           QueryParam(request.target, "sign") ==
                               notifiers::DingTalkSignature(kDingTalkSecret, std::stoll(timestamp));
    reply.body = signed_ok ? R"({"errcode":0,"errmsg":"ok"})"
                           : R"({"errcode":310000,"errmsg":"sign not match"})";
    return reply;
  });
  channel_ = {{"type", "dingtalk"},
              {"url", sink.Url("/robot/send?access_token=t0ken")},
              {"secret", kDingTalkSecret}};
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}}));
  // li.lei has a DingTalk handle (a mobile number) in the test directory.
  json body = PlanBody("DingTalk drill");
  body["tasks"] = {TaskBody("a", "Collect tickets", "li.lei", InSeconds(1))};
  ASSERT_TRUE(HasStatus(Call("POST", "/api/v1/plans", body), 201));

  ASSERT_TRUE(WaitForDelivered(1, seconds(15))) << Notifications().dump(1);
  std::vector<SinkRequest> requests = sink.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const json& message = requests[0].body;
  ASSERT_TRUE(message.is_object()) << requests[0].request.body;
  EXPECT_EQ(message["at"]["atMobiles"], json({"13800000001"})) << message.dump();
  EXPECT_NE(message.dump().find("@13800000001"), std::string::npos) << message.dump();
  EXPECT_NE(message.dump().find("Collect tickets"), std::string::npos);
  EXPECT_EQ(daemon_->StderrText().find("t0ken"), std::string::npos);
}

TEST_F(Reminders, AFeishuBotGetsASignedBodyAndUnknownHandlesAreNamedInPlainText) {
  constexpr char kFeishuSecret[] = "kaizen-integration-feishu-secret";
  WebhookSink sink;
  // A fake Feishu bot: it checks timestamp and sign in the body and answers HTTP 200 with a
  // non-zero code when it refuses, as the real one does.
  sink.SetReply([kFeishuSecret](const ServerRequest& request) {
    ServerReply reply;
    json body = json::parse(request.body, nullptr, false);
    bool signed_ok =
        body.is_object() && body.contains("timestamp") && body.contains("sign") &&
        body["sign"] == notifiers::FeishuSignature(
                            kFeishuSecret, std::stoll(body["timestamp"].get<std::string>()));
    reply.body =
        signed_ok
            ? R"({"code":0,"msg":"success"})"
            : R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})";
    return reply;
  });
  channel_ = {{"type", "feishu"},
              {"url", sink.Url("/open-apis/bot/v2/hook/abc")},
              {"secret", kFeishuSecret}};
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}}));
  CreateTasks({InSeconds(1)});  // han.meimei has no Feishu handle
  ASSERT_TRUE(WaitForDelivered(1, seconds(15))) << Notifications().dump(1);
  std::vector<SinkRequest> requests = sink.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string text = requests[0].body["content"]["text"];
  EXPECT_EQ(text.rfind("@Han Meimei", 0), 0u) << text;
  EXPECT_EQ(text.find("<at"), std::string::npos) << text;
  EXPECT_NE(daemon_->StderrText().find("han.meimei"), std::string::npos)
      << "the log says once that the mention is missing";
}

TEST_F(Reminders, MessagesWaitForABrokenChannelWithoutUsingUpAttempts) {
  WebhookSink sink;
  // The robot's token is revoked at first; then somebody fixes the robot.
  std::atomic<bool> revoked{true};
  sink.SetReply([&revoked](const ServerRequest&) {
    ServerReply reply;
    reply.body = revoked ? R"({"errcode":300001,"errmsg":"token is not exist"})"
                         : R"({"errcode":0,"errmsg":"ok"})";
    return reply;
  });
  channel_ = {{"type", "dingtalk"}, {"url", sink.Url("/robot/send?access_token=gone")}};
  ASSERT_NO_FATAL_FAILURE(StartDaemon(sink, json{{"at_deadline", true}},
                                      json{{"broken_channel_probe", "PT3S"}, {"max_attempts", 1}}));
  CreateTasks({InSeconds(1)});
  ASSERT_TRUE(sink.WaitFor([](const auto& r) { return r.size() >= 1; }, seconds(10)));
  json waiting;
  for (int i = 0; i < 50; ++i) {
    waiting = Notifications("&state=failed");
    if (!waiting.empty()) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  // Not dead although max_attempts is 1: the channel is broken, not the message.
  ASSERT_EQ(waiting.size(), 1u) << Notifications().dump(1);
  EXPECT_EQ(waiting[0]["attempts"], 0);
  EXPECT_EQ(waiting[0]["last_error"].get<std::string>().rfind("dead_channel", 0), 0u)
      << waiting[0].dump();
  EXPECT_NE(daemon_->StderrText().find("is broken"), std::string::npos);

  revoked = false;
  ASSERT_TRUE(WaitForDelivered(1, seconds(15))) << Notifications().dump(1);
  EXPECT_EQ(sink.Requests().size(), 2u);
  EXPECT_NE(daemon_->StderrText().find("works again"), std::string::npos);
}

}  // namespace
}  // namespace kaizen::testing
