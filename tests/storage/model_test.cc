// The SQLite repository against the reference model (tests/support/in_memory_repository.h),
// in the manner of LevelDB's ModelDB test: seeded random batches of inserts, updates and events,
// reminder and outbox writes, some refused, some rolled back as a whole, applied to both; after
// each batch a random set of queries must give the same answers on a reader connection as on the
// model.
#include <gtest/gtest.h>

#include <functional>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/storage.h"
#include "tests/storage/storage_test_util.h"
#include "tests/support/in_memory_repository.h"

namespace kaizen::storage {
namespace {

using testutil::At;
using testutil::TempDir;
using testutil::ToJson;

constexpr const char* kOwners[] = {"li.lei", "han.meimei", "wang.fang", "zhang.san", "boss"};
constexpr const char* kTeams[] = {"ops", "cs", "sales"};
constexpr const char* kTexts[] = {"", "collect data", "问题分析", "it's \"quoted\"", "x\ny"};
constexpr int kLimits[] = {0, 1, 2, 3, 7, 50, 1000};
constexpr PlanState kPlanStates[] = {PlanState::kActive, PlanState::kCompleted,
                                     PlanState::kCancelled};
constexpr const char* kReminderKeys[] = {"at_due@x", "overdue:1@x", "overdue:2@x", "b", "B"};
constexpr const char* kChannels[] = {"ops-chat", "mail", "boss-wecom"};
constexpr const char* kPolicies[] = {"default", "strict", "gentle"};
constexpr ReminderKind kReminderKinds[] = {
    ReminderKind::kBeforeDue,  ReminderKind::kAtDue,        ReminderKind::kOverdue,
    ReminderKind::kEscalation, ReminderKind::kVerification, ReminderKind::kVerificationEscalation};

// One write, replayable on either repository; returns the id it produced (0 for updates).
using Op = std::function<std::int64_t(PlanRepository&)>;

struct Outcome {
  bool refused = false;
  std::int64_t id = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome Apply(const Op& op, PlanRepository& repo) {
  try {
    return {false, op(repo)};
  } catch (const StorageError&) {
    return {true, 0};
  }
}

struct Query {
  std::string description;
  std::function<nlohmann::json(PlanReader&)> run;
};

class ModelTest : public ::testing::TestWithParam<std::uint32_t> {
 protected:
  void SetUp() override {
    StorageOptions options = testutil::OptionsFor(dir_.File("kaizen.db"));
    // Durability is not what this test checks; NORMAL spares it hundreds of fsyncs.
    options.synchronous = "normal";
    options.readers = 3;
    storage_ = testutil::OpenStorage(options);
    ASSERT_NE(storage_, nullptr);
    rng_.seed(GetParam());
  }

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(int percent) { return Uniform(1, 100) <= percent; }
  template <typename T, std::size_t N>
  const T& Pick(const T (&values)[N]) {
    return values[Uniform(0, static_cast<int>(N) - 1)];
  }

  // Whole hours around a fixed day, so that deadlines often fall exactly on `now` or on the
  // edge of the due-soon window; sometimes with milliseconds.
  Instant RandomInstant() {
    Instant t = At("2026-12-01T00:00:00Z") + std::chrono::hours(Uniform(-24 * 12, 24 * 12));
    if (Chance(20)) t += std::chrono::milliseconds(Uniform(1, 999));
    return t;
  }

  std::optional<double> MaybeNumber() {
    if (Chance(40)) return std::nullopt;
    return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
  }

  Plan RandomPlan() {
    Plan plan;
    plan.title = std::string("plan ") + Pick(kTexts);
    plan.description = Pick(kTexts);
    plan.kind = Chance(50) ? "improvement" : "monthly_review";
    plan.owner = Pick(kOwners);
    plan.team = Pick(kTeams);
    plan.state = Pick(kPlanStates);
    plan.allow_self_verification = Chance(30);
    for (int i = Uniform(0, 2); i > 0; --i) {
      plan.goals.push_back(Goal{
          Pick(kTexts), MaybeNumber(), MaybeNumber().value_or(1.5), Chance(50) ? "%" : "",
          Chance(50) ? std::optional<std::string>("2026-12-31") : std::nullopt, MaybeNumber(),
          std::nullopt, std::nullopt, std::nullopt, std::nullopt});
      Goal& goal = plan.goals.back();
      if (Chance(50)) goal.actual_at = RandomInstant();
      if (Chance(50)) goal.owner = Pick(kOwners);
      if (Chance(50)) goal.check_in_every = std::chrono::seconds(Uniform(1, 9) * 86400);
      if (Chance(50)) goal.check_in_before_close = std::chrono::seconds(Uniform(1, 9) * 3600);
    }
    if (Chance(40)) plan.reminder_policy = Pick(kPolicies);
    if (Chance(40)) plan.template_id = Pick(kTexts);
    if (Chance(40)) plan.closes_at = RandomInstant();
    if (Chance(40)) plan.closed_at = RandomInstant();
    plan.version = Uniform(1, 9);
    plan.created_at = RandomInstant();
    plan.updated_at = RandomInstant();
    return plan;
  }

  std::vector<TaskId> RandomDependencies() {
    std::vector<TaskId> deps;
    const auto& tasks = model_.tasks();
    if (tasks.empty()) return deps;
    const int max_id = static_cast<int>(tasks.rbegin()->first);
    for (int i = Uniform(0, 3); i > 0; --i) deps.push_back(Uniform(1, max_id));
    return deps;
  }

  Task RandomTask(PlanId plan_id) {
    Task task;
    task.plan_id = plan_id;
    if (Chance(50)) task.key = "k" + std::to_string(next_key_++);  // never repeated
    task.title = std::string("task ") + Pick(kTexts);
    task.description = Pick(kTexts);
    task.owner = Pick(kOwners);
    task.due_at = RandomInstant();
    task.criterion = Pick(kTexts);
    task.state = kAllTaskStates[Uniform(0, 5)];
    task.depends_on = RandomDependencies();
    if (Chance(40)) task.reminder_policy = Pick(kPolicies);
    task.version = Uniform(1, 9);
    task.created_at = RandomInstant();
    task.updated_at = RandomInstant();
    if (Chance(40)) task.completed_at = RandomInstant();
    if (Chance(30)) {
      task.carried_from = plan_id;
      task.carry_count = Uniform(1, 3);
    }
    return task;
  }

  PlanId SomePlan() {
    const auto& plans = model_.plans();
    if (plans.empty() || Chance(5)) return static_cast<PlanId>(plans.size()) + 10;  // unknown
    return Uniform(1, static_cast<int>(plans.rbegin()->first));
  }

  std::optional<TaskId> SomeTask() {
    const auto& tasks = model_.tasks();
    if (tasks.empty()) return std::nullopt;
    if (Chance(5)) return static_cast<TaskId>(tasks.size()) + 10;  // unknown
    return Uniform(1, static_cast<int>(tasks.rbegin()->first));
  }

  // Fire times on a coarse grid, so that ties (same fire_at, several tasks and keys) are common.
  Instant RandomFireAt() {
    Instant t = At("2026-12-01T00:00:00Z") + std::chrono::hours(6 * Uniform(-8, 8));
    if (Chance(10)) t += std::chrono::milliseconds(Uniform(1, 999));
    return t;
  }

  PlannedReminder RandomReminder() {
    PlannedReminder r;
    r.task_id = SomeTask().value_or(1);
    r.key = Pick(kReminderKeys);
    r.kind = Pick(kReminderKinds);
    r.anchor = RandomInstant();
    r.nominal_at = RandomInstant();
    r.fire_at = RandomFireAt();
    r.recipient_kind = Chance(30) ? RecipientKind::kTeam : RecipientKind::kPerson;
    r.recipient = r.recipient_kind == RecipientKind::kTeam ? Pick(kTeams) : Pick(kOwners);
    r.urgent = Chance(30);
    r.mention_all = Chance(30);
    r.channel = Chance(50) ? "" : Pick(kChannels);
    return r;
  }

  NotificationState RandomNotificationState() { return Pick(kAllNotificationStates); }

  std::optional<NotificationId> SomeNotification() {
    const auto& rows = model_.notifications();
    if (rows.empty()) return std::nullopt;
    if (Chance(5)) return static_cast<NotificationId>(rows.size()) + 10;  // unknown
    return Uniform(1, static_cast<int>(rows.rbegin()->first));
  }

  // Delivery fields only: what UpdateNotification writes.
  void RandomizeDelivery(Notification& n) {
    n.state = RandomNotificationState();
    n.attempts = Uniform(0, 6);
    n.next_attempt_at = RandomFireAt();
    n.updated_at = RandomInstant();
    n.delivered_at = Chance(30) ? std::optional<Instant>(RandomInstant()) : std::nullopt;
    n.last_error = Chance(50) ? "" : Pick(kTexts);
    n.batch_id = Chance(40) ? std::optional<NotificationId>(Uniform(1, 30)) : std::nullopt;
  }

  Notification RandomNotification() {
    Notification n;
    n.idempotency_key = "n" + std::to_string(Uniform(0, 40));  // repeats are refused
    n.channel = Pick(kChannels);
    NotificationEvent& e = n.event;
    e.kind = Chance(50) ? "overdue" : "plan_completed";
    e.task_id = Chance(25) ? 0 : SomeTask().value_or(0);
    e.plan_id = SomePlan();
    e.task_title = Pick(kTexts);
    e.plan_title = Pick(kTexts);
    e.team = Pick(kTeams);
    e.time_zone = Chance(50) ? "UTC" : "Asia/Shanghai";
    e.owner = Pick(kOwners);
    e.owner_name = Pick(kTexts);
    if (Chance(60)) e.due_at = RandomInstant();
    e.task_state = kAllTaskStates[Uniform(0, 5)];
    e.recipient_kind = Chance(30) ? RecipientKind::kTeam : RecipientKind::kPerson;
    e.recipient = Pick(kOwners);
    e.recipient_name = Pick(kTexts);
    e.mention_all = Chance(30);
    e.urgent = Chance(30);
    e.reminder_key = Chance(50) ? "" : Pick(kReminderKeys);
    e.escalation_level = Uniform(-1, 2);
    e.note = Pick(kTexts);
    e.actor = Chance(50) ? "system" : Pick(kOwners);
    e.occurred_at = RandomInstant();
    n.created_at = RandomInstant();
    RandomizeDelivery(n);
    return n;
  }

  // A write to the reminders or the outbox.
  Op RandomOutboxOp() {
    switch (Uniform(0, 7)) {
      case 0:
      case 1: {
        if (model_.tasks().empty()) return RandomOp();
        PlannedReminder r = RandomReminder();
        return [r](PlanRepository& repo) -> std::int64_t {
          repo.UpsertPendingReminder(r);
          return 0;
        };
      }
      case 2: {
        TaskId task = SomeTask().value_or(1);
        std::string key = Pick(kReminderKeys);
        return [task, key](PlanRepository& repo) -> std::int64_t {
          repo.DeletePendingReminder(task, key);
          return 0;
        };
      }
      case 3:
      case 7: {
        TaskId task = SomeTask().value_or(1);
        std::string key = Pick(kReminderKeys);
        // Mostly a stored reminder, so that settling happens, not only misses.
        if (const auto& stored = model_.reminders(); !stored.empty() && Chance(80)) {
          auto it = std::next(stored.begin(), Uniform(0, static_cast<int>(stored.size()) - 1));
          task = it->first.first;
          key = it->first.second;
        }
        ReminderStatus status = Chance(50) ? ReminderStatus::kFired : ReminderStatus::kSkipped;
        Instant at = RandomInstant();
        return [task, key, status, at](PlanRepository& repo) -> std::int64_t {
          repo.SettleReminder(task, key, status, at);
          return 0;
        };
      }
      case 4: {
        Notification n = RandomNotification();
        return [n](PlanRepository& repo) -> std::int64_t {
          return repo.InsertNotification(n).value_or(-1);
        };
      }
      case 5: {
        std::optional<NotificationId> id = SomeNotification();
        if (!id) return RandomOp();
        Notification n = RandomNotification();  // only the delivery fields may be written
        n.id = *id;
        return [n](PlanRepository& repo) -> std::int64_t {
          repo.UpdateNotification(n);
          return 0;
        };
      }
      default: {
        Instant now = RandomInstant();
        return [now](PlanRepository& repo) -> std::int64_t {
          return repo.ResetInFlightNotifications(now);
        };
      }
    }
  }

  // A random write, generated against the model's current state.
  Op RandomOp() {
    if (Chance(30)) return RandomOutboxOp();
    switch (Uniform(0, 9)) {
      case 0:
      case 1: {
        Plan plan = RandomPlan();
        return [plan](PlanRepository& repo) { return repo.InsertPlan(plan); };
      }
      case 2: {
        Plan plan = RandomPlan();
        plan.id = SomePlan();
        return [plan](PlanRepository& repo) -> std::int64_t {
          repo.UpdatePlan(plan);
          return 0;
        };
      }
      case 3:
      case 4:
      case 5: {
        Task task = RandomTask(SomePlan());
        if (Chance(5)) task.depends_on.push_back(static_cast<TaskId>(model_.tasks().size()) + 10);
        return [task](PlanRepository& repo) { return repo.InsertTask(task); };
      }
      case 6:
      case 7: {
        std::optional<TaskId> id = SomeTask();
        if (!id) return RandomOp();
        Task task;
        if (auto it = model_.tasks().find(*id); it != model_.tasks().end()) {
          task = RandomTask(Chance(90) ? it->second.plan_id : SomePlan());
          if (Chance(50)) task.key = it->second.key;
        } else {
          task = RandomTask(SomePlan());
        }
        task.id = *id;
        return [task](PlanRepository& repo) -> std::int64_t {
          repo.UpdateTask(task);
          return 0;
        };
      }
      default: {
        std::optional<TaskId> id = SomeTask();
        if (!id) return RandomOp();
        TaskEvent event;
        event.task_id = *id;
        auto it = model_.tasks().find(*id);
        event.plan_id = it != model_.tasks().end() ? it->second.plan_id : 1;
        if (it == model_.tasks().end() && model_.plans().empty()) return RandomOp();
        event.at = RandomInstant();
        event.actor = Pick(kOwners);
        event.kind = Chance(50) ? "transition" : "updated";
        if (Chance(70)) event.from = kAllTaskStates[Uniform(0, 5)];
        if (Chance(70)) event.to = kAllTaskStates[Uniform(0, 5)];
        event.note = Pick(kTexts);
        return [event](PlanRepository& repo) { return repo.AppendEvent(event); };
      }
    }
  }

  PlanFilter RandomPlanFilter() {
    PlanFilter filter;
    if (Chance(30)) filter.state = Pick(kPlanStates);
    if (Chance(30)) filter.owner = Pick(kOwners);
    if (Chance(30)) filter.team = Pick(kTeams);
    filter.limit = Pick(kLimits);
    return filter;
  }

  TaskFilter RandomTaskFilter() {
    TaskFilter filter;
    if (Chance(20)) filter.plan = SomePlan();
    if (Chance(30)) filter.owner = Pick(kOwners);
    if (Chance(30)) filter.state = kAllTaskStates[Uniform(0, 5)];
    if (Chance(20)) filter.team = Pick(kTeams);
    filter.overdue_only = Chance(30);
    if (Chance(20)) filter.due_before = RandomInstant();
    if (Chance(20)) filter.due_after = RandomInstant();
    filter.now = RandomInstant();
    filter.limit = Pick(kLimits);
    return filter;
  }

  NotificationFilter RandomNotificationFilter() {
    NotificationFilter filter;
    if (Chance(30)) filter.state = RandomNotificationState();
    if (Chance(20)) filter.task = Chance(30) ? 0 : SomeTask().value_or(0);
    if (Chance(30)) filter.channel = Pick(kChannels);
    filter.limit = Pick(kLimits);
    return filter;
  }

  void AddOutboxQueries(std::vector<Query>& queries) {
    const auto max_task = static_cast<TaskId>(model_.tasks().size());
    const auto max_notification = static_cast<NotificationId>(model_.notifications().size());
    for (TaskId id = 0; id <= max_task + 1; ++id) {
      queries.push_back({"RemindersOfTask " + std::to_string(id),
                         [id](PlanReader& r) { return ToJson(r.RemindersOfTask(id)); }});
      queries.push_back({"NextReminderOfTask " + std::to_string(id),
                         [id](PlanReader& r) { return ToJson(r.NextReminderOfTask(id)); }});
    }
    for (NotificationId id = 0; id <= max_notification + 1; ++id) {
      queries.push_back({"FindNotification " + std::to_string(id),
                         [id](PlanReader& r) { return ToJson(r.FindNotification(id)); }});
    }
    queries.push_back({"NextReminderAt", [](PlanReader& r) { return ToJson(r.NextReminderAt()); }});
    queries.push_back(
        {"NextNotificationAt", [](PlanReader& r) { return ToJson(r.NextNotificationAt()); }});
    queries.push_back(
        {"CountNotifications", [](PlanReader& r) { return ToJson(r.CountNotifications()); }});
    {
      // The file sizes are SQLite's own; the counts must agree with the reference.
      const Instant now = RandomInstant();
      queries.push_back({"CountOperational", [now](PlanReader& r) {
                           OperationalCounts counts = r.CountOperational(now);
                           nlohmann::json out = {{"overdue", counts.tasks_overdue},
                                                 {"outbox_depth", counts.outbox_depth}};
                           for (const auto& [state, n] : counts.tasks_by_state) {
                             out["tasks"][std::string(ToString(state))] = n;
                           }
                           for (const auto& [channel, states] : counts.notifications_by_channel) {
                             out["notifications"][channel] = ToJson(states);
                           }
                           return out;
                         }});
    }
    for (int i = 0; i < 3; ++i) {
      Instant now = RandomFireAt();
      int limit = Pick(kLimits);
      queries.push_back({"DueReminders", [now, limit](PlanReader& r) {
                           return ToJson(r.DueReminders(now, limit));
                         }});
      queries.push_back({"ReadyNotifications", [now, limit](PlanReader& r) {
                           return ToJson(r.ReadyNotifications(now, limit));
                         }});
      NotificationFilter filter = RandomNotificationFilter();
      queries.push_back({"ListNotifications, every page", [filter](PlanReader& r) {
                           NotificationFilter next = filter;
                           nlohmann::json pages = nlohmann::json::array();
                           for (;;) {
                             Page<Notification> page = r.ListNotifications(next);
                             pages.push_back(ToJson(page));
                             if (!page.next_after) return pages;
                             next.after = page.next_after;
                           }
                         }});
    }
  }

  std::vector<Query> RandomQueries() {
    std::vector<Query> queries;
    AddOutboxQueries(queries);
    const auto max_plan = static_cast<PlanId>(model_.plans().size());
    const auto max_task = static_cast<TaskId>(model_.tasks().size());
    for (PlanId id = 0; id <= max_plan + 1; ++id) {
      queries.push_back({"FindPlan " + std::to_string(id),
                         [id](PlanReader& r) { return ToJson(r.FindPlan(id)); }});
      queries.push_back({"TasksOfPlan " + std::to_string(id),
                         [id](PlanReader& r) { return ToJson(r.TasksOfPlan(id)); }});
      Instant now = RandomInstant();
      queries.push_back({"ProgressOf " + std::to_string(id),
                         [id, now](PlanReader& r) { return ToJson(r.ProgressOf(id, now)); }});
    }
    for (TaskId id = 0; id <= max_task + 1; ++id) {
      queries.push_back({"FindTask " + std::to_string(id),
                         [id](PlanReader& r) { return ToJson(r.FindTask(id)); }});
      queries.push_back({"EventsOfTask " + std::to_string(id),
                         [id](PlanReader& r) { return ToJson(r.EventsOfTask(id)); }});
    }
    for (int i = 0; i < 4; ++i) {
      PlanFilter filter = RandomPlanFilter();
      queries.push_back({"ListPlans, every page", [filter](PlanReader& r) {
                           PlanFilter next = filter;
                           nlohmann::json pages = nlohmann::json::array();
                           for (;;) {
                             Page<Plan> page = r.ListPlans(next);
                             pages.push_back(ToJson(page));
                             if (!page.next_after) return pages;
                             next.after = page.next_after;
                           }
                         }});
      TaskFilter task_filter = RandomTaskFilter();
      queries.push_back({"ListTasks, every page", [task_filter](PlanReader& r) {
                           TaskFilter next = task_filter;
                           nlohmann::json pages = nlohmann::json::array();
                           for (;;) {
                             Page<Task> page = r.ListTasks(next);
                             pages.push_back(ToJson(page));
                             if (!page.next_after) return pages;
                             next.after = page.next_after;
                           }
                         }});
      SummaryFilter summary_filter;
      if (Chance(40)) summary_filter.team = Pick(kTeams);
      if (Chance(40)) summary_filter.owner = Pick(kOwners);
      Instant now = RandomInstant();
      queries.push_back({"Summarize", [summary_filter, now](PlanReader& r) {
                           return ToJson(r.Summarize(summary_filter, now));
                         }});
    }
    return queries;
  }

  void CompareQueries() {
    std::vector<Query> queries = RandomQueries();
    std::vector<nlohmann::json> from_sqlite;
    Status status = storage_->ReadSync([&](PlanReader& repo) {
      for (const Query& query : queries) from_sqlite.push_back(query.run(repo));
      return Status::Ok();
    });
    ASSERT_TRUE(status.ok()) << status.ToString();
    for (std::size_t i = 0; i < queries.size(); ++i) {
      ASSERT_EQ(from_sqlite[i].dump(1), queries[i].run(model_).dump(1)) << queries[i].description;
    }
  }

  TempDir dir_;
  std::unique_ptr<Storage> storage_;
  kaizen::testing::InMemoryPlanRepository model_;
  std::mt19937 rng_;
  int next_key_ = 0;
};

TEST_P(ModelTest, SqliteAnswersEveryQueryLikeTheModel) {
  constexpr int kBatches = 120;
  int refused = 0;
  int rolled_back = 0;
  std::set<ReminderStatus> statuses;  // seen after some batch
  std::set<NotificationState> states;
  for (int batch = 0; batch < kBatches; ++batch) {
    SCOPED_TRACE("seed " + std::to_string(GetParam()) + ", batch " + std::to_string(batch));
    const kaizen::testing::InMemoryPlanRepository before = model_;
    std::vector<Op> ops;
    std::vector<Outcome> expected;
    for (int i = Uniform(1, 5); i > 0; --i) {
      ops.push_back(RandomOp());
      expected.push_back(Apply(ops.back(), model_));
      if (expected.back().refused) ++refused;
    }
    // Now and then the command as a whole fails after its writes: both sides drop all of it.
    const bool fail_batch = Chance(10);
    std::vector<Outcome> actual;
    Status status = storage_->WriteSync([&](PlanRepository& repo) {
      for (const Op& op : ops) actual.push_back(Apply(op, repo));
      return fail_batch ? Conflict("test_failure", "the command changed its mind") : Status::Ok();
    });
    ASSERT_EQ(status.ok(), !fail_batch) << status.ToString();
    if (fail_batch) {
      model_ = before;
      ++rolled_back;
    }
    ASSERT_EQ(actual, expected);
    for (const auto& [key, r] : model_.reminders()) statuses.insert(r.status);
    for (const auto& [id, n] : model_.notifications()) states.insert(n.state);
    CompareQueries();
    if (HasFatalFailure()) return;
  }
  // The run must have walked the interesting paths, not only the happy one.
  EXPECT_GT(refused, 0);
  EXPECT_GT(rolled_back, 0);
  EXPECT_GT(model_.tasks().size(), 50u);
  EXPECT_FALSE(model_.events().empty());
  // ... and the reminders and the outbox in every state.
  EXPECT_EQ(statuses.size(), 3u);
  EXPECT_EQ(states.size(), 5u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, ModelTest, ::testing::Values(1u, 2u, 3u, 20261126u));

}  // namespace
}  // namespace kaizen::storage
