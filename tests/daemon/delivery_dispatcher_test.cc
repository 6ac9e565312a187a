// DeliveryDispatcher over a real Storage, a FakeClock and scripted channels: the order it
// delivers in, how many batches of a channel it has in flight, and how a message waiting for a
// retry holds back the later messages of a chat channel but not of a webhook.
//
// The io_context runs on the test's thread. Deliveries stay in flight until the test releases
// them; retries fall due when the test moves the clock and wakes the dispatcher, so nothing
// waits for real time to pass.
#include "daemon/delivery_dispatcher.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "storage/storage.h"
#include "tests/support/fake_clock.h"

namespace kaizen::daemon {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using notifiers::DeliveryBatch;
using notifiers::DeliveryOutcome;
using notifiers::DeliveryVerdict;

// What the scripted channels saw, in the order deliveries started.
struct Attempt {
  std::string channel;
  std::vector<NotificationId> ids;
};

struct Script {
  // Answers per notification id, used up in order; delivered when none is left.
  std::map<NotificationId, std::deque<DeliveryOutcome>> answers;
  std::vector<Attempt> attempts;
  std::map<std::string, int> in_flight;
  std::map<std::string, int> most_in_flight;
  // Deliveries waiting for the test to release them, oldest first.
  std::deque<asio::steady_timer*> held;
  bool hold = false;
  // Calls of each channel's CloseIdleConnections() and Cancel(); once cancelled, what is held
  // is released and answers "retry_later:cancelled", as a real channel does.
  int closed_idle = 0;
  int cancelled = 0;
};

DeliveryOutcome RetryIn(std::chrono::seconds wait) {
  return DeliveryOutcome{DeliveryVerdict::kRetryLater, wait, "retry_later:rate_limited"};
}

DeliveryOutcome Refused() {
  return DeliveryOutcome{DeliveryVerdict::kPermanent, std::nullopt, "permanent:bad_request"};
}

class ScriptedChannel final : public notifiers::Channel {
 public:
  ScriptedChannel(std::string id, ChannelType type, Script& script) : script_(script) {
    options_.id = std::move(id);
    options_.type = type;
    options_.url = "https://chat.example/hook";
  }

  const ChannelOptions& options() const override { return options_; }

  asio::awaitable<DeliveryOutcome> Deliver(DeliveryBatch batch, Instant,
                                           notifiers::SendPacer& pacer) override {
    co_await pacer.BeforeSend();
    Attempt attempt{batch.channel, {}};
    for (const Notification& n : batch.items) attempt.ids.push_back(n.id);
    script_.attempts.push_back(attempt);
    int& now_in_flight = script_.in_flight[batch.channel];
    ++now_in_flight;
    script_.most_in_flight[batch.channel] =
        std::max(script_.most_in_flight[batch.channel], now_in_flight);
    if (script_.hold) {
      asio::steady_timer gate(co_await asio::this_coro::executor);
      gate.expires_at(asio::steady_timer::time_point::max());
      script_.held.push_back(&gate);
      boost::system::error_code ec;
      co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    --script_.in_flight[batch.channel];
    if (cancelled_) {
      co_return DeliveryOutcome{DeliveryVerdict::kRetryLater, std::nullopt,
                                "retry_later:cancelled"};
    }
    DeliveryOutcome outcome{DeliveryVerdict::kDelivered, std::nullopt, "delivered:http_200"};
    auto& queue = script_.answers[batch.items.front().id];
    if (!queue.empty()) {
      outcome = queue.front();
      queue.pop_front();
    }
    co_return outcome;
  }

  void CloseIdleConnections() override { ++script_.closed_idle; }
  void Cancel() override {
    ++script_.cancelled;
    cancelled_ = true;
    for (asio::steady_timer* gate : script_.held) gate->cancel();
    script_.held.clear();
  }

 private:
  ChannelOptions options_;
  Script& script_;
  bool cancelled_ = false;
};

class DeliveryDispatcherTest : public ::testing::Test {
 protected:
  DeliveryDispatcherTest() : work_(io_.get_executor()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "kaizen-dispatcher-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    storage::StorageOptions options;
    options.path = (dir_ / "kaizen.db").string();
    auto opened = storage::Storage::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (opened.ok()) storage_ = std::move(opened).value();
  }

  ~DeliveryDispatcherTest() override {
    if (dispatcher_) {
      dispatcher_->Stop(1h);
      script_.hold = false;
      ReleaseAll();
      RunUntil([this] { return dispatcher_->stats().in_flight == 0; });
      io_.run_for(50ms);  // the dispatcher's loop sees the stop
      dispatcher_.reset();
    }
    storage_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Starts the dispatcher with a chat channel "chat" (Slack) and a webhook "hook", no grouping.
  void Start() {
    std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels;
    channels.emplace("chat",
                     std::make_unique<ScriptedChannel>("chat", ChannelType::kSlack, script_));
    channels.emplace("hook",
                     std::make_unique<ScriptedChannel>("hook", ChannelType::kWebhook, script_));
    DeliveryOptions options;
    options.max_group_size = 1;
    options.group_window = 0ms;
    dispatcher_ = std::make_unique<DeliveryDispatcher>(io_.get_executor(), *storage_,
                                                       std::move(channels), options, clock_);
    dispatcher_->Start();
  }

  // Writes `count` notifications for `channel`, ready now; returns their ids in order.
  std::vector<NotificationId> Write(const std::string& channel, int count) {
    std::vector<NotificationId> ids;
    Status written = storage_->WriteSync([&](PlanRepository& repo) {
      for (int i = 0; i < count; ++i) {
        Notification n;
        n.idempotency_key = channel + "-" + std::to_string(next_key_++);
        n.channel = channel;
        n.event.kind = std::string(kNotifyAtDue);
        n.event.plan_id = 1;
        n.event.task_title = n.idempotency_key;
        n.created_at = n.next_attempt_at = n.updated_at = clock_.Now();
        ids.push_back(*repo.InsertNotification(n));
      }
      return Status::Ok();
    });
    EXPECT_TRUE(written.ok()) << written.ToString();
    return ids;
  }

  void Change(NotificationId id, const std::function<void(Notification&)>& change) {
    Status written = storage_->WriteSync([&](PlanRepository& repo) {
      std::optional<Notification> n = repo.FindNotification(id);
      if (!n) return Status::Ok();
      change(*n);
      repo.UpdateNotification(*n);
      return Status::Ok();
    });
    EXPECT_TRUE(written.ok()) << written.ToString();
  }

  Notification Find(NotificationId id) {
    std::optional<Notification> found;
    Status read = storage_->ReadSync([&](PlanReader& reader) {
      found = reader.FindNotification(id);
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok() && found) << id;
    return found.value_or(Notification{});
  }

  // Runs the io_context until `done` holds; false after 5 s of real time without it.
  bool RunUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_one_for(10ms);
    }
    return true;
  }

  // Runs the io_context until every notification of `ids` is in `state`.
  bool RunUntilAll(const std::vector<NotificationId>& ids, NotificationState state) {
    return RunUntil([&] {
      for (NotificationId id : ids) {
        if (Find(id).state != state) return false;
      }
      return true;
    });
  }

  void ReleaseOne() {
    if (script_.held.empty()) return;
    script_.held.front()->cancel();
    script_.held.pop_front();
  }

  void ReleaseAll() {
    while (!script_.held.empty()) ReleaseOne();
  }

  // The ids of `channel`'s attempts, in the order they started.
  // Lets the io_context run out of work: true when it did, so that nothing of the dispatcher's
  // (or its channels') was left waiting on it.
  bool RunsOutOfWork() {
    work_.reset();
    io_.run_for(5s);
    return io_.stopped();
  }

  std::vector<NotificationId> AttemptsOf(const std::string& channel) const {
    std::vector<NotificationId> ids;
    for (const Attempt& a : script_.attempts) {
      if (a.channel == channel) ids.insert(ids.end(), a.ids.begin(), a.ids.end());
    }
    return ids;
  }

  std::filesystem::path dir_;
  testing::FakeClock clock_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<storage::Storage> storage_;
  Script script_;
  // The script of channels a test installs by a reload: they outlive the test body, as the
  // fixture's stop still reaches them.
  Script reloaded_;
  std::unique_ptr<DeliveryDispatcher> dispatcher_;
  int next_key_ = 1;
};

TEST_F(DeliveryDispatcherTest, AChatChannelHasOneBatchInFlightAndAWebhookTwo) {
  ASSERT_TRUE(storage_);
  const std::vector<NotificationId> chat = Write("chat", 4);
  const std::vector<NotificationId> hook = Write("hook", 4);
  script_.hold = true;
  Start();
  ASSERT_TRUE(RunUntil([this] { return script_.held.size() == 3; }));
  // Time for more claims, had the dispatcher wanted any.
  io_.run_for(200ms);
  EXPECT_EQ(script_.in_flight["chat"], 1);
  EXPECT_EQ(script_.in_flight["hook"], 2);

  // Released one at a time, each channel goes on with its next message, the chat channel
  // never with more than one.
  auto all_delivered = [&] {
    for (const auto* ids : {&chat, &hook}) {
      for (NotificationId id : *ids) {
        if (Find(id).state != NotificationState::kDelivered) return false;
      }
    }
    return true;
  };
  while (!script_.held.empty()) {
    const std::int64_t settled = dispatcher_->stats().batches;
    ReleaseOne();
    ASSERT_TRUE(RunUntil([&] { return dispatcher_->stats().batches > settled; }));
    ASSERT_TRUE(RunUntil([&] { return !script_.held.empty() || all_delivered(); }));
  }
  EXPECT_EQ(AttemptsOf("chat"), chat);
  EXPECT_EQ(script_.most_in_flight["chat"], 1);
  EXPECT_EQ(script_.most_in_flight["hook"], 2);
}

TEST_F(DeliveryDispatcherTest, AChatMessageWaitingForItsRetryHoldsBackTheLaterOnes) {
  ASSERT_TRUE(storage_);
  const std::vector<NotificationId> chat = Write("chat", 4);
  const std::vector<NotificationId> hook = Write("hook", 4);
  script_.answers[chat[1]].push_back(RetryIn(60s));
  script_.answers[hook[1]].push_back(RetryIn(60s));
  Start();

  // The chat channel stops behind its second message; the webhook lets the others pass it.
  ASSERT_TRUE(RunUntilAll({hook[0], hook[2], hook[3]}, NotificationState::kDelivered));
  ASSERT_TRUE(RunUntilAll({chat[0]}, NotificationState::kDelivered));
  ASSERT_TRUE(RunUntilAll({chat[1], hook[1]}, NotificationState::kFailed));
  io_.run_for(200ms);
  const Instant retry_at = Find(chat[1]).next_attempt_at;
  EXPECT_EQ(retry_at, clock_.Now() + 60s);
  for (NotificationId later : {chat[2], chat[3]}) {
    Notification n = Find(later);
    EXPECT_EQ(n.state, NotificationState::kPending) << later;
    EXPECT_EQ(n.attempts, 0) << "waiting behind another costs no attempt";
    EXPECT_EQ(n.next_attempt_at, retry_at) << "postponed to the retry it waits for";
  }
  EXPECT_EQ(AttemptsOf("chat"), (std::vector<NotificationId>{chat[0], chat[1]}));

  // The retry falls due: the held message goes first, then the ones behind it, in order.
  clock_.Advance(60s);
  dispatcher_->Wake();
  ASSERT_TRUE(RunUntilAll(chat, NotificationState::kDelivered));
  ASSERT_TRUE(RunUntilAll(hook, NotificationState::kDelivered));
  EXPECT_EQ(AttemptsOf("chat"),
            (std::vector<NotificationId>{chat[0], chat[1], chat[1], chat[2], chat[3]}));
  EXPECT_EQ(AttemptsOf("hook"),
            (std::vector<NotificationId>{hook[0], hook[1], hook[2], hook[3], hook[1]}));
}

TEST_F(DeliveryDispatcherTest, ADeadChatMessageHoldsNothingBack) {
  ASSERT_TRUE(storage_);
  const std::vector<NotificationId> chat = Write("chat", 4);
  script_.answers[chat[1]].push_back(Refused());
  Start();
  ASSERT_TRUE(RunUntilAll({chat[0], chat[2], chat[3]}, NotificationState::kDelivered));
  EXPECT_EQ(Find(chat[1]).state, NotificationState::kDead);
  EXPECT_EQ(AttemptsOf("chat"), chat);
}

TEST_F(DeliveryDispatcherTest, MessagesWrittenWhileTheChannelWaitsQueueBehindTheRetry) {
  ASSERT_TRUE(storage_);
  const std::vector<NotificationId> first = Write("chat", 2);
  script_.answers[first[0]].push_back(RetryIn(30s));
  script_.answers[first[0]].push_back(RetryIn(30s));
  Start();
  ASSERT_TRUE(RunUntilAll({first[0]}, NotificationState::kFailed));
  io_.run_for(100ms);
  EXPECT_EQ(Find(first[1]).state, NotificationState::kPending);

  // Written later, falling due before the retry: still behind it.
  clock_.Advance(10s);
  const std::vector<NotificationId> later = Write("chat", 1);
  dispatcher_->Wake();
  io_.run_for(200ms);
  EXPECT_EQ(Find(later[0]).state, NotificationState::kPending);
  EXPECT_EQ(Find(later[0]).next_attempt_at, Find(first[0]).next_attempt_at);

  // The retry fails again: everything behind it waits for the next one.
  clock_.Advance(20s);
  dispatcher_->Wake();
  ASSERT_TRUE(RunUntil([&] { return AttemptsOf("chat").size() == 2; }));
  ASSERT_TRUE(RunUntilAll({first[0]}, NotificationState::kFailed));
  io_.run_for(100ms);
  EXPECT_EQ(AttemptsOf("chat"), (std::vector<NotificationId>{first[0], first[0]}));

  clock_.Advance(30s);
  dispatcher_->Wake();
  ASSERT_TRUE(RunUntilAll({first[0], first[1], later[0]}, NotificationState::kDelivered));
  EXPECT_EQ(AttemptsOf("chat"),
            (std::vector<NotificationId>{first[0], first[0], first[0], first[1], later[0]}));
}

TEST_F(DeliveryDispatcherTest, AtStartABrokenChannelIsProbedAtOnceAndItsMessagesGoInOrder) {
  ASSERT_TRUE(storage_);
  // Before the restart the robot's token was revoked: the first message failed and waits for
  // the probe in 10 minutes, the second waits with it, the third was written since. Somebody
  // fixed the robot and restarted kaizend.
  const std::vector<NotificationId> chat = Write("chat", 3);
  const Instant probe_at = clock_.Now() + 600s;
  Change(chat[0], [&](Notification& n) {
    n.state = NotificationState::kFailed;
    n.last_error = "dead_channel:token_invalid:300001";
    n.batch_id = n.id;
    n.next_attempt_at = probe_at;
  });
  Change(chat[1], [&](Notification& n) { n.next_attempt_at = probe_at; });
  Start();
  ASSERT_TRUE(RunUntilAll(chat, NotificationState::kDelivered));
  EXPECT_EQ(AttemptsOf("chat"), chat);
}

TEST_F(DeliveryDispatcherTest, StopClosesEveryChannelsIdleConnectionsAndLeavesNothingRunning) {
  ASSERT_TRUE(storage_);
  const std::vector<NotificationId> hook = Write("hook", 1);
  Start();
  ASSERT_TRUE(RunUntilAll(hook, NotificationState::kDelivered));

  dispatcher_->Stop(1h);

  EXPECT_EQ(script_.closed_idle, 2);  // chat and hook
  EXPECT_EQ(script_.cancelled, 0);
  EXPECT_TRUE(RunsOutOfWork());
}

TEST_F(DeliveryDispatcherTest, ADeliveryInFlightAtTheStopFinishesWithinTheGracePeriod) {
  ASSERT_TRUE(storage_);
  script_.hold = true;
  const std::vector<NotificationId> hook = Write("hook", 1);
  Start();
  ASSERT_TRUE(RunUntil([this] { return script_.held.size() == 1; }));

  dispatcher_->Stop(1h);
  ReleaseAll();

  ASSERT_TRUE(RunUntilAll(hook, NotificationState::kDelivered));
  EXPECT_EQ(script_.cancelled, 0);
  // The grace period ends with the last delivery: the stop does not wait an hour.
  EXPECT_TRUE(RunsOutOfWork());
}

TEST_F(DeliveryDispatcherTest,
       ADeliveryStillInFlightAfterTheGracePeriodIsCancelledAndLeftForTheNextStart) {
  ASSERT_TRUE(storage_);
  script_.hold = true;
  const std::vector<NotificationId> hook = Write("hook", 1);
  Start();
  ASSERT_TRUE(RunUntil([this] { return script_.held.size() == 1; }));

  dispatcher_->Stop(0ms);

  ASSERT_TRUE(RunUntil([this] { return dispatcher_->stats().in_flight == 0; }));
  EXPECT_EQ(script_.cancelled, 2);
  // Left as a crash leaves it: the next start sends it again under the same key.
  const Notification left = Find(hook[0]);
  EXPECT_EQ(left.state, NotificationState::kDelivering);
  EXPECT_EQ(left.attempts, 1);
  EXPECT_TRUE(left.last_error.empty()) << left.last_error;
  EXPECT_TRUE(RunsOutOfWork());
}

// ---- Reload (area "svc") ----

// A config reload replaces the channel objects: a delivery already under way finishes on the old
// object (kept alive, its idle connections closed), later messages go to the new ones, and a
// message for a channel the reload removed is dead.
TEST_F(DeliveryDispatcherTest, AReloadSwapsTheChannelsWhileADeliveryInFlightFinishesOnTheOldOne) {
  ASSERT_TRUE(storage_);
  const std::vector<NotificationId> before = Write("hook", 1);
  script_.hold = true;
  Start();
  ASSERT_TRUE(RunUntil([this] { return script_.held.size() == 1; }));

  Script& reloaded = reloaded_;
  std::map<std::string, std::unique_ptr<notifiers::Channel>, std::less<>> channels;
  channels.emplace("hook",
                   std::make_unique<ScriptedChannel>("hook", ChannelType::kWebhook, reloaded));
  channels.emplace("added",
                   std::make_unique<ScriptedChannel>("added", ChannelType::kWebhook, reloaded));
  dispatcher_->SetChannels(std::move(channels));
  EXPECT_EQ(script_.closed_idle, 2) << "the old channels keep no idle connection";

  const std::vector<NotificationId> after = Write("hook", 1);
  const std::vector<NotificationId> added = Write("added", 1);
  const std::vector<NotificationId> removed = Write("chat", 1);
  dispatcher_->Wake();
  ASSERT_TRUE(RunUntilAll({after[0], added[0]}, NotificationState::kDelivered));
  ASSERT_TRUE(RunUntilAll(removed, NotificationState::kDead));
  EXPECT_EQ(Find(removed[0]).last_error, "unknown_channel");
  EXPECT_EQ(reloaded.attempts.size(), 2u);

  // The delivery that started before the reload is answered by the old channel object.
  EXPECT_EQ(Find(before[0]).state, NotificationState::kDelivering);
  ReleaseAll();
  ASSERT_TRUE(RunUntilAll(before, NotificationState::kDelivered));
  ASSERT_EQ(script_.attempts.size(), 1u);
  EXPECT_EQ(script_.attempts[0].ids, before);
}

}  // namespace
}  // namespace kaizen::daemon
