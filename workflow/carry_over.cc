#include "workflow/carry_over.h"

#include <algorithm>
#include <set>
#include <utility>

#include "workflow/task_rules.h"

namespace kaizen {
namespace {

std::string PlanName(const Plan& plan) {
  return "plan " + std::to_string(plan.id) + " \"" + plan.title + "\"";
}

// "<key>-from-<from>", then "-2", "-3"...: says where the task came from and stays unique.
std::string UniqueKey(const std::string& key, PlanId from, const std::set<std::string>& taken) {
  const std::string base = key + "-from-" + std::to_string(from);
  std::string candidate = base;
  for (int n = 2; taken.count(candidate) > 0; ++n) candidate = base + "-" + std::to_string(n);
  return candidate;
}

// Derives the plan's state from its tasks as they are now; stores it when it changed.
void RederivePlanState(PlanRepository& repo, PlanId plan_id, Instant now) {
  std::optional<Plan> plan = repo.FindPlan(plan_id);
  if (!plan) return;
  std::vector<TaskState> states;
  for (const Task& task : repo.TasksOfPlan(plan_id)) states.push_back(task.state);
  PlanState derived = DerivePlanState(plan->state, states);
  if (derived == plan->state) return;
  plan->state = derived;
  ++plan->version;
  plan->updated_at = now;
  repo.UpdatePlan(*plan);
}

}  // namespace

CarryDeadline TemplateDeadlineOr(std::map<std::string, Instant> deadlines_by_key,
                                 Instant otherwise) {
  return [by_key = std::move(deadlines_by_key), otherwise](const Task& task) {
    if (task.key) {
      if (auto it = by_key.find(*task.key); it != by_key.end()) return it->second;
    }
    return otherwise;
  };
}

std::map<std::string, Instant> DeadlinesByKey(const NewPlan& new_cycle) {
  std::map<std::string, Instant> out;
  for (const NewTask& task : new_cycle.tasks) {
    if (task.key) out.emplace(*task.key, task.due_at);
  }
  return out;
}

Result<CarryOverResult> CarryOverTasks(PlanRepository& repo, const Directory& /*directory*/,
                                       PlanId from, PlanId to, const CarryDeadline& deadline,
                                       const PersonId& actor, Instant now) {
  if (from == to) {
    return InvalidArgument("same_plan", "tasks can only be carried into another plan");
  }
  std::optional<Plan> from_plan = repo.FindPlan(from);
  if (!from_plan) return NotFound("plan_not_found", "there is no plan " + std::to_string(from));
  std::optional<Plan> to_plan = repo.FindPlan(to);
  if (!to_plan) return NotFound("plan_not_found", "there is no plan " + std::to_string(to));
  if (to_plan->state == PlanState::kCancelled) {
    return Conflict("plan_not_active",
                    "plan " + std::to_string(to) + " is cancelled; nothing can be carried into it");
  }

  std::vector<Task> moving;
  std::map<TaskId, TaskState> staying;  // tasks left behind, for the notes
  for (Task& task : repo.TasksOfPlan(from)) {
    if (IsUnfinished(task.state)) {
      moving.push_back(std::move(task));
    } else {
      staying.emplace(task.id, task.state);
    }
  }
  CarryOverResult result;
  if (moving.empty()) return result;

  std::set<std::string> keys;
  for (const Task& task : repo.TasksOfPlan(to)) {
    if (task.key) keys.insert(*task.key);
  }
  std::set<TaskId> moving_ids;
  for (const Task& task : moving) moving_ids.insert(task.id);

  for (Task& task : moving) {
    CarriedTask carried;
    std::string note = "carried over from " + PlanName(*from_plan) + " to " + PlanName(*to_plan);
    const Instant due = deadline(task);
    if (due != task.due_at) {
      note += "; due_at: " + FormatRfc3339(task.due_at) + " -> " + FormatRfc3339(due);
    }
    if (task.key) {
      if (keys.count(*task.key) > 0) {
        std::string renamed = UniqueKey(*task.key, from, keys);
        note += "; key: " + *task.key + " -> " + renamed + " (" + *task.key + " is taken in " +
                PlanName(*to_plan) + ")";
        carried.key_before = task.key;
        task.key = renamed;
      }
      keys.insert(*task.key);
    }
    std::vector<TaskId> kept;
    for (TaskId dependency : task.depends_on) {
      if (moving_ids.count(dependency) > 0) {
        kept.push_back(dependency);
      } else {
        carried.dropped_dependencies.push_back(dependency);
      }
    }
    if (!carried.dropped_dependencies.empty()) {
      note += "; dependencies dropped (left behind):";
      for (TaskId dependency : carried.dropped_dependencies) {
        auto it = staying.find(dependency);
        note += " #" + std::to_string(dependency);
        if (it != staying.end()) note += " (" + std::string(ToString(it->second)) + ")";
      }
    }
    task.depends_on = std::move(kept);
    task.plan_id = to;
    task.carried_from = from;
    ++task.carry_count;
    task.due_at = due;
    ++task.version;
    task.updated_at = now;
    repo.UpdateTask(task);

    TaskEvent event;
    event.task_id = task.id;
    event.plan_id = to;
    event.at = now;
    event.actor = actor;
    event.kind = std::string(kEventCarried);
    event.note = std::move(note);
    repo.AppendEvent(event);

    carried.task = task;
    result.carried.push_back(std::move(carried));
  }
  RederivePlanState(repo, from, now);
  RederivePlanState(repo, to, now);
  return result;
}

}  // namespace kaizen
