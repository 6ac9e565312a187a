#include "tests/storage/storage_test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <iostream>

namespace kaizen::storage::testutil {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "kaizen-storage-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "mkdtemp failed for " << pattern << "\n";
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::File(std::string_view name) const { return (path_ / name).string(); }

Instant At(std::string_view rfc3339) {
  std::optional<Instant> t = ParseRfc3339(rfc3339);
  if (!t) {
    std::cerr << "bad instant in test: " << rfc3339 << "\n";
    std::abort();
  }
  return *t;
}

StorageOptions OptionsFor(const std::string& path) {
  StorageOptions options;
  options.path = path;
  return options;
}

std::unique_ptr<Storage> OpenStorage(const StorageOptions& options) {
  Result<std::unique_ptr<Storage>> storage = Storage::Open(options);
  if (!storage.ok()) {
    ADD_FAILURE() << "Storage::Open(" << options.path << "): " << storage.status().ToString();
    return nullptr;
  }
  return std::move(storage).value();
}

Plan SamplePlan(std::string title) {
  Plan plan;
  plan.title = std::move(title);
  plan.description = "Monthly operations review, 运营服务月报";
  plan.kind = "monthly_review";
  plan.owner = "li.lei";
  plan.team = "ops";
  plan.allow_self_verification = true;
  plan.goals = {
      Goal{"customer satisfaction", 80.0, 85.5, "%", "2026-12-31", std::nullopt, {}, {}, {}, {}},
      Goal{"complaint rate", std::nullopt, 0.1, "%", std::nullopt, 0.3, {}, {}, {}, {}},
  };
  plan.version = 3;
  plan.created_at = At("2026-11-25T01:00:00.250Z");
  plan.updated_at = At("2026-11-26T08:30:00Z");
  return plan;
}

Task SampleTask(PlanId plan_id, std::string title) {
  Task task;
  task.plan_id = plan_id;
  task.title = std::move(title);
  task.description = "ask them about delivery times";
  task.owner = "han.meimei";
  task.due_at = At("2026-12-05T10:00:00Z");
  task.criterion = "200 answers in the sheet";
  task.created_at = At("2026-11-25T01:00:00Z");
  task.updated_at = At("2026-11-25T01:00:00Z");
  return task;
}

TaskEvent SampleEvent(TaskId task_id, PlanId plan_id, std::string kind,
                      std::optional<TaskState> from, std::optional<TaskState> to,
                      std::string note) {
  TaskEvent event;
  event.task_id = task_id;
  event.plan_id = plan_id;
  event.at = At("2026-11-26T02:00:00.500Z");
  event.actor = "han.meimei";
  event.kind = std::move(kind);
  event.from = from;
  event.to = to;
  event.note = std::move(note);
  return event;
}

PlanFilter EveryPlan() {
  PlanFilter filter;
  filter.limit = kMaxPageSize;
  return filter;
}

TaskFilter EveryTask() {
  TaskFilter filter;
  filter.limit = kMaxPageSize;
  return filter;
}

namespace {

nlohmann::json OptionalNumber(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json OptionalText(const std::optional<std::string>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json OptionalTime(const std::optional<Instant>& value) {
  return value ? nlohmann::json(FormatStorageTime(*value)) : nlohmann::json(nullptr);
}

nlohmann::json CountsJson(const std::map<TaskState, int>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [state, count] : counts) out[std::string(ToString(state))] = count;
  return out;
}

}  // namespace

nlohmann::json ToJson(const Plan& plan) {
  nlohmann::json goals = nlohmann::json::array();
  for (const Goal& goal : plan.goals) {
    goals.push_back(
        {{"metric", goal.metric},
         {"baseline", OptionalNumber(goal.baseline)},
         {"target", goal.target},
         {"unit", goal.unit},
         {"target_date", goal.target_date ? nlohmann::json(*goal.target_date) : nullptr},
         {"actual", OptionalNumber(goal.actual)}});
  }
  return {{"id", plan.id},
          {"title", plan.title},
          {"description", plan.description},
          {"kind", plan.kind},
          {"owner", plan.owner},
          {"team", plan.team},
          {"state", ToString(plan.state)},
          {"allow_self_verification", plan.allow_self_verification},
          {"goals", goals},
          {"version", plan.version},
          {"created_at", FormatStorageTime(plan.created_at)},
          {"updated_at", FormatStorageTime(plan.updated_at)},
          {"reminder_policy", OptionalText(plan.reminder_policy)}};
}

nlohmann::json ToJson(const Task& task) {
  return {{"id", task.id},
          {"plan_id", task.plan_id},
          {"key", task.key ? nlohmann::json(*task.key) : nullptr},
          {"title", task.title},
          {"description", task.description},
          {"owner", task.owner},
          {"due_at", FormatStorageTime(task.due_at)},
          {"criterion", task.criterion},
          {"state", ToString(task.state)},
          {"depends_on", task.depends_on},
          {"version", task.version},
          {"created_at", FormatStorageTime(task.created_at)},
          {"updated_at", FormatStorageTime(task.updated_at)},
          {"completed_at",
           task.completed_at ? nlohmann::json(FormatStorageTime(*task.completed_at)) : nullptr},
          {"reminder_policy", OptionalText(task.reminder_policy)}};
}

nlohmann::json ToJson(const TaskEvent& event) {
  return {{"id", event.id},
          {"task_id", event.task_id},
          {"plan_id", event.plan_id},
          {"at", FormatStorageTime(event.at)},
          {"actor", event.actor},
          {"kind", event.kind},
          {"from", event.from ? nlohmann::json(ToString(*event.from)) : nullptr},
          {"to", event.to ? nlohmann::json(ToString(*event.to)) : nullptr},
          {"note", event.note}};
}

nlohmann::json ToJson(const TaskBrief& brief) {
  return {{"id", brief.id},
          {"plan_id", brief.plan_id},
          {"title", brief.title},
          {"due_at", FormatStorageTime(brief.due_at)},
          {"state", ToString(brief.state)}};
}

nlohmann::json ToJson(const PlanProgress& progress) {
  return {{"tasks_by_state", CountsJson(progress.tasks_by_state)},
          {"total", progress.total},
          {"overdue", progress.overdue}};
}

nlohmann::json ToJson(const Summary& summary) {
  nlohmann::json plans = nlohmann::json::object();
  for (const auto& [state, count] : summary.plans_by_state)
    plans[std::string(ToString(state))] = count;
  nlohmann::json by_owner = nlohmann::json::array();
  for (const OwnerOverdue& group : summary.overdue_by_owner) {
    by_owner.push_back({{"owner", group.owner}, {"tasks", ToJson(group.tasks)}});
  }
  return {{"tasks_by_state", CountsJson(summary.tasks_by_state)},
          {"plans_by_state", plans},
          {"overdue", summary.overdue},
          {"overdue_by_owner", by_owner},
          {"due_soon", ToJson(summary.due_soon)}};
}

}  // namespace kaizen::storage::testutil

namespace kaizen::storage::testutil {

nlohmann::json ToJson(const PlannedReminder& r) {
  return {{"task_id", r.task_id},
          {"key", r.key},
          {"kind", ToString(r.kind)},
          {"anchor", FormatStorageTime(r.anchor)},
          {"nominal_at", FormatStorageTime(r.nominal_at)},
          {"fire_at", FormatStorageTime(r.fire_at)},
          {"recipient_kind", r.recipient_kind == RecipientKind::kTeam ? "team" : "person"},
          {"recipient", r.recipient},
          {"urgent", r.urgent},
          {"mention_all", r.mention_all},
          {"channel", r.channel}};
}

nlohmann::json ToJson(const StoredReminder& r) {
  return {{"planned", ToJson(r.planned)},
          {"status", ToString(r.status)},
          {"settled_at", OptionalTime(r.settled_at)}};
}

nlohmann::json ToJson(const NotificationEvent& e) {
  return {{"kind", e.kind},
          {"task_id", e.task_id},
          {"plan_id", e.plan_id},
          {"task_title", e.task_title},
          {"plan_title", e.plan_title},
          {"team", e.team},
          {"time_zone", e.time_zone},
          {"owner", e.owner},
          {"owner_name", e.owner_name},
          {"due_at", OptionalTime(e.due_at)},
          {"task_state", ToString(e.task_state)},
          {"recipient_kind", e.recipient_kind == RecipientKind::kTeam ? "team" : "person"},
          {"recipient", e.recipient},
          {"recipient_name", e.recipient_name},
          {"mention_all", e.mention_all},
          {"urgent", e.urgent},
          {"reminder_key", e.reminder_key},
          {"escalation_level", e.escalation_level},
          {"note", e.note},
          {"actor", e.actor},
          {"occurred_at", FormatStorageTime(e.occurred_at)}};
}

nlohmann::json ToJson(const Notification& n) {
  return {{"id", n.id},
          {"idempotency_key", n.idempotency_key},
          {"channel", n.channel},
          {"event", ToJson(n.event)},
          {"state", ToString(n.state)},
          {"attempts", n.attempts},
          {"created_at", FormatStorageTime(n.created_at)},
          {"next_attempt_at", FormatStorageTime(n.next_attempt_at)},
          {"updated_at", FormatStorageTime(n.updated_at)},
          {"delivered_at", OptionalTime(n.delivered_at)},
          {"last_error", n.last_error},
          {"batch_id", n.batch_id ? nlohmann::json(*n.batch_id) : nlohmann::json(nullptr)}};
}

nlohmann::json ToJson(const std::map<NotificationState, std::int64_t>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [state, count] : counts) out[std::string(ToString(state))] = count;
  return out;
}

nlohmann::json ToJson(Instant t) { return FormatStorageTime(t); }

}  // namespace kaizen::storage::testutil
