#include "workflow/plan_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "workflow/internal/text.h"

// Every command checks all of its input against the stored state before its first write, so a
// refused command never leaves a partial change behind even if the caller forgot to roll back.
// Only a failure of the store itself (StorageError) can interrupt a command between writes.

namespace kaizen {
namespace {

using internal::IsBlank;
using internal::JoinList;

Status MissingField(const std::string& field, std::string message) {
  return InvalidArgument("missing_field", std::move(message), {{"field", field}});
}

Status InvalidField(const std::string& field, std::string message) {
  return InvalidArgument("invalid_field", std::move(message), {{"field", field}});
}

Status PlanNotFound(PlanId id) {
  return NotFound("plan_not_found", "there is no plan " + std::to_string(id));
}

Status TaskNotFound(TaskId id) {
  return NotFound("task_not_found", "there is no task " + std::to_string(id));
}

Status CheckOwner(const Directory& directory, const PersonId& owner, const std::string& field) {
  if (IsBlank(owner)) {
    return MissingField(field, field + " is required: the id of the person responsible");
  }
  if (directory.FindPerson(owner) == nullptr) {
    return Unprocessable("unknown_owner", "'" + owner + "' is not a person in the directory",
                         {{"field", field}, {"owner", owner}});
  }
  return Status::Ok();
}

Status CheckGoals(const Directory& directory, const std::vector<Goal>& goals) {
  for (size_t i = 0; i < goals.size(); ++i) {
    const Goal& goal = goals[i];
    const std::string prefix = "goals[" + std::to_string(i) + "].";
    if (IsBlank(goal.metric)) {
      return MissingField(prefix + "metric",
                          "goal " + std::to_string(i + 1) + " needs a metric: what is measured");
    }
    if (!std::isfinite(goal.target)) {
      return InvalidField(prefix + "target",
                          "the target of goal '" + goal.metric + "' must be a finite number");
    }
    if ((goal.baseline && !std::isfinite(*goal.baseline)) ||
        (goal.actual && !std::isfinite(*goal.actual))) {
      return InvalidField(
          prefix + (goal.baseline && !std::isfinite(*goal.baseline) ? "baseline" : "actual"),
          "the numbers of goal '" + goal.metric + "' must be finite");
    }
    if (goal.target_date && !IsValidDate(*goal.target_date)) {
      return InvalidField(prefix + "target_date",
                          "the target date of goal '" + goal.metric +
                              "' must be a calendar date YYYY-MM-DD, not '" + *goal.target_date +
                              "'");
    }
    if (goal.owner && directory.FindPerson(*goal.owner) == nullptr) {
      return Unprocessable("unknown_owner",
                           "'" + *goal.owner + "' is not a person in the directory",
                           {{"field", prefix + "owner"}, {"owner", *goal.owner}});
    }
    if (goal.check_in_every && *goal.check_in_every <= std::chrono::seconds::zero()) {
      return InvalidField(prefix + "check_in.every",
                          "the check-in cadence of goal '" + goal.metric + "' must be positive");
    }
    if (goal.check_in_before_close &&
        *goal.check_in_before_close <= std::chrono::seconds::zero()) {
      return InvalidField(prefix + "check_in.before_close",
                          "the last check-in of goal '" + goal.metric +
                              "' must come a positive time before the plan closes");
    }
  }
  return Status::Ok();
}

// The task's own fields; its dependencies are checked by the caller, which knows the plan.
Status CheckTaskFields(const Directory& directory, const NewTask& task, const std::string& prefix) {
  if (IsBlank(task.title)) {
    return MissingField(prefix + "title", "a task needs a title saying what is to be done");
  }
  if (Status s = CheckOwner(directory, task.owner, prefix + "owner"); !s.ok()) return s;
  if (task.key && IsBlank(*task.key)) {
    return InvalidField(prefix + "key", "a task key, when given, must not be empty");
  }
  return Status::Ok();
}

Status DuplicateKey(const std::string& field, const std::string& key) {
  return Unprocessable("duplicate_key", "the key '" + key + "' is already used in this plan",
                       {{"field", field}, {"key", key}});
}

Status UnknownDependencyId(const std::string& field, TaskId id) {
  return Unprocessable("unknown_dependency",
                       "task " + std::to_string(id) + " is not a task of this plan",
                       {{"field", field}, {"id", id}});
}

Status UnknownDependencyKey(const std::string& field, const std::string& key) {
  return Unprocessable("unknown_dependency", "no task of this plan has the key '" + key + "'",
                       {{"field", field}, {"key", key}});
}

// `cycle` names tasks by key (tasks not stored yet) or by id; the message closes the circle.
template <typename T>
Status DependencyCycle(const std::vector<T>& cycle, const std::vector<std::string>& names) {
  std::vector<std::string> closed = names;
  closed.push_back(names.front());
  return Unprocessable("dependency_cycle",
                       "tasks cannot depend on each other in a circle: " +
                           JoinList(closed, " -> ") + " (each depends on the next)",
                       {{"cycle", cycle}});
}

void SortUnique(std::vector<TaskId>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

Task MakeTask(const NewTask& request, PlanId plan_id, Instant now) {
  Task task;
  task.plan_id = plan_id;
  task.key = request.key;
  task.title = request.title;
  task.description = request.description;
  task.owner = request.owner;
  task.due_at = request.due_at;
  task.criterion = request.criterion;
  task.reminder_policy = request.reminder_policy;
  task.state = TaskState::kOpen;
  task.version = 1;
  task.created_at = now;
  task.updated_at = now;
  return task;
}

TaskEvent CreatedEvent(const Task& task, const PersonId& actor, Instant now) {
  TaskEvent event;
  event.task_id = task.id;
  event.plan_id = task.plan_id;
  event.at = now;
  event.actor = actor;
  event.kind = std::string(kEventCreated);
  event.to = task.state;
  return event;
}

// Brings the plan's state in line with its tasks and stores it when that changed.
void RederivePlanState(PlanRepository& repo, Plan& plan, Instant now) {
  std::vector<TaskState> states;
  for (const Task& task : repo.TasksOfPlan(plan.id)) states.push_back(task.state);
  const PlanState derived = DerivePlanState(plan.state, states);
  if (derived == plan.state) return;
  plan.state = derived;
  plan.version += 1;
  plan.updated_at = now;
  repo.UpdatePlan(plan);
}

// How a changed value reads in an "updated" event: long free text is shortened.
std::string Shown(const std::string& text) {
  constexpr size_t kMaxShown = 60;
  if (text.empty()) return "(empty)";
  if (text.size() <= kMaxShown) return text;
  size_t cut = kMaxShown - 3;
  // Never split a UTF-8 sequence: back up to the start of a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

std::string Shown(const std::vector<TaskId>& ids) {
  std::vector<std::string> parts;
  for (TaskId id : ids) parts.push_back(std::to_string(id));
  return "[" + JoinList(parts) + "]";
}

}  // namespace

Result<PlanWithTasks> CreatePlan(PlanRepository& repo, const Directory& directory,
                                 const NewPlan& request, const PersonId& actor, Instant now) {
  if (IsBlank(request.title)) {
    return MissingField("title", "a plan needs a title saying what it improves");
  }
  if (IsBlank(request.kind)) {
    return InvalidField("kind", "a plan kind, when given, must not be empty");
  }
  if (Status s = CheckOwner(directory, request.owner, "owner"); !s.ok()) return s;
  if (IsBlank(request.team)) return MissingField("team", "a plan needs the id of its team");
  if (directory.FindTeam(request.team) == nullptr) {
    return Unprocessable("unknown_team", "'" + request.team + "' is not a team in the directory",
                         {{"field", "team"}, {"team", request.team}});
  }
  if (Status s = CheckGoals(directory, request.goals); !s.ok()) return s;

  const size_t n = request.tasks.size();
  std::map<std::string, size_t> index_of_key;
  for (size_t i = 0; i < n; ++i) {
    const NewTask& task = request.tasks[i];
    const std::string prefix = "tasks[" + std::to_string(i) + "].";
    if (Status s = CheckTaskFields(directory, task, prefix); !s.ok()) return s;
    if (task.key && !index_of_key.emplace(*task.key, i).second) {
      return DuplicateKey(prefix + "key", *task.key);
    }
  }
  // Inline tasks refer to each other by key; ids cannot name anything yet.
  std::vector<std::vector<size_t>> deps(n);
  for (size_t i = 0; i < n; ++i) {
    const NewTask& task = request.tasks[i];
    const std::string prefix = "tasks[" + std::to_string(i) + "].";
    if (!task.depends_on.empty()) {
      return UnknownDependencyId(prefix + "depends_on", task.depends_on.front());
    }
    for (const std::string& key : task.depends_on_keys) {
      auto it = index_of_key.find(key);
      if (it == index_of_key.end()) return UnknownDependencyKey(prefix + "depends_on_keys", key);
      deps[i].push_back(it->second);
    }
  }
  std::map<TaskId, std::vector<TaskId>> graph;
  for (size_t i = 0; i < n; ++i) {
    auto& edges = graph[static_cast<TaskId>(i)];
    for (size_t d : deps[i]) edges.push_back(static_cast<TaskId>(d));
  }
  if (auto cycle = FindDependencyCycle(graph)) {
    // Every task on a cycle is named by another, so every one has a key.
    std::vector<std::string> keys;
    for (TaskId i : *cycle) keys.push_back(*request.tasks[static_cast<size_t>(i)].key);
    return DependencyCycle(keys, keys);
  }

  PlanWithTasks out;
  Plan& plan = out.plan;
  plan.title = request.title;
  plan.description = request.description;
  plan.kind = request.kind;
  plan.owner = request.owner;
  plan.team = request.team;
  plan.state = PlanState::kActive;
  plan.allow_self_verification = request.allow_self_verification;
  plan.reminder_policy = request.reminder_policy;
  plan.goals = request.goals;
  plan.template_id = request.template_id;
  plan.closes_at = request.closes_at;
  plan.version = 1;
  plan.created_at = now;
  plan.updated_at = now;
  plan.id = repo.InsertPlan(plan);

  // Tasks get ids in request order. A task naming a later one is stored first with the
  // dependencies that already exist and completed once the later task has its id, so a store
  // that enforces foreign keys never sees a dangling reference.
  out.tasks.reserve(n);
  std::vector<bool> has_forward(n, false);
  for (size_t i = 0; i < n; ++i) {
    Task task = MakeTask(request.tasks[i], plan.id, now);
    for (size_t d : deps[i]) {
      if (d < i) {
        task.depends_on.push_back(out.tasks[d].id);
      } else {
        has_forward[i] = true;
      }
    }
    SortUnique(task.depends_on);
    task.id = repo.InsertTask(task);
    repo.AppendEvent(CreatedEvent(task, actor, now));
    out.tasks.push_back(std::move(task));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!has_forward[i]) continue;
    Task& task = out.tasks[i];
    task.depends_on.clear();
    for (size_t d : deps[i]) task.depends_on.push_back(out.tasks[d].id);
    SortUnique(task.depends_on);
    repo.UpdateTask(task);
  }
  return out;
}

Result<Task> AddTask(PlanRepository& repo, const Directory& directory, PlanId plan_id,
                     const NewTask& request, const PersonId& actor, Instant now) {
  std::optional<Plan> plan = repo.FindPlan(plan_id);
  if (!plan) return PlanNotFound(plan_id);
  if (plan->state == PlanState::kCancelled) {
    return Conflict("plan_not_active", "plan " + std::to_string(plan_id) +
                                           " is cancelled; no tasks can be added to it");
  }
  if (Status s = CheckTaskFields(directory, request, ""); !s.ok()) return s;

  const std::vector<Task> existing = repo.TasksOfPlan(plan_id);
  std::map<std::string, TaskId> id_of_key;
  std::set<TaskId> ids;
  for (const Task& task : existing) {
    ids.insert(task.id);
    if (task.key) id_of_key.emplace(*task.key, task.id);
  }
  if (request.key && id_of_key.contains(*request.key)) return DuplicateKey("key", *request.key);

  // No stored task can depend on one that does not exist yet, so the only cycle a new task
  // can close is naming itself.
  Task task = MakeTask(request, plan_id, now);
  for (TaskId id : request.depends_on) {
    if (!ids.contains(id)) return UnknownDependencyId("depends_on", id);
    task.depends_on.push_back(id);
  }
  for (const std::string& key : request.depends_on_keys) {
    if (request.key && key == *request.key) {
      return DependencyCycle(std::vector<std::string>{key}, {key});
    }
    auto it = id_of_key.find(key);
    if (it == id_of_key.end()) return UnknownDependencyKey("depends_on_keys", key);
    task.depends_on.push_back(it->second);
  }
  SortUnique(task.depends_on);

  task.id = repo.InsertTask(task);
  repo.AppendEvent(CreatedEvent(task, actor, now));
  RederivePlanState(repo, *plan, now);
  return task;
}

Result<Task> UpdateTask(PlanRepository& repo, const Directory& directory, TaskId task_id,
                        const TaskPatch& patch, const PersonId& actor, Instant now) {
  std::optional<Task> current = repo.FindTask(task_id);
  if (!current) return TaskNotFound(task_id);
  if (patch.expected_version && *patch.expected_version != current->version) {
    return PreconditionFailed(
        "version_mismatch",
        "task " + std::to_string(task_id) + " is at version " + std::to_string(current->version) +
            ", not " + std::to_string(*patch.expected_version) + "; reload it and try again",
        {{"current_version", current->version}});
  }

  Task next = *current;
  std::vector<std::string> changes;
  auto apply_text = [&changes](const char* name, const std::optional<std::string>& value,
                               std::string& field) {
    if (!value || *value == field) return;
    changes.push_back(std::string(name) + ": " + Shown(field) + " -> " + Shown(*value));
    field = *value;
  };
  apply_text("title", patch.title, next.title);
  apply_text("description", patch.description, next.description);
  apply_text("owner", patch.owner, next.owner);
  if (patch.due_at && *patch.due_at != next.due_at) {
    changes.push_back("due_at: " + FormatRfc3339(next.due_at) + " -> " +
                      FormatRfc3339(*patch.due_at));
    next.due_at = *patch.due_at;
  }
  apply_text("criterion", patch.criterion, next.criterion);
  if (patch.reminder_policy) {
    std::optional<std::string> policy;
    if (!patch.reminder_policy->empty()) policy = *patch.reminder_policy;
    if (policy != next.reminder_policy) {
      changes.push_back("reminder_policy: " + Shown(next.reminder_policy.value_or("")) + " -> " +
                        Shown(policy.value_or("")));
      next.reminder_policy = std::move(policy);
    }
  }
  if (patch.depends_on) {
    std::vector<TaskId> deps = *patch.depends_on;
    SortUnique(deps);
    if (deps != next.depends_on) {
      changes.push_back("depends_on: " + Shown(next.depends_on) + " -> " + Shown(deps));
      next.depends_on = std::move(deps);
    }
  }
  // Asking for what is already there is not an edit, even on a final task.
  if (changes.empty()) return *current;

  if (current->state == TaskState::kVerified || current->state == TaskState::kCancelled) {
    return Conflict("task_final",
                    "task " + std::to_string(task_id) + " is " +
                        std::string(ToString(current->state)) +
                        " and its fields can no longer change; reopen a cancelled task first",
                    {{"state", ToString(current->state)}});
  }
  std::optional<Plan> plan = repo.FindPlan(current->plan_id);
  if (!plan) return Internal("internal", "task " + std::to_string(task_id) + " has no plan");
  if (plan->state != PlanState::kActive) {
    return Conflict("plan_not_active", "plan " + std::to_string(plan->id) + " is " +
                                           std::string(ToString(plan->state)) +
                                           "; its tasks can no longer change");
  }

  if (patch.title && IsBlank(next.title)) {
    return MissingField("title", "a task needs a title saying what is to be done");
  }
  if (patch.owner) {
    if (Status s = CheckOwner(directory, next.owner, "owner"); !s.ok()) return s;
  }
  if (patch.depends_on && next.depends_on != current->depends_on) {
    std::map<TaskId, std::vector<TaskId>> graph;
    for (const Task& task : repo.TasksOfPlan(current->plan_id)) {
      graph[task.id] = task.depends_on;
    }
    for (TaskId id : next.depends_on) {
      if (id != task_id && !graph.contains(id)) return UnknownDependencyId("depends_on", id);
    }
    graph[task_id] = next.depends_on;
    if (auto cycle = FindDependencyCycle(graph)) {
      std::vector<std::string> names;
      for (TaskId id : *cycle) names.push_back("task " + std::to_string(id));
      return DependencyCycle(*cycle, names);
    }
  }

  next.version = current->version + 1;
  next.updated_at = now;
  repo.UpdateTask(next);
  TaskEvent event;
  event.task_id = next.id;
  event.plan_id = next.plan_id;
  event.at = now;
  event.actor = actor;
  event.kind = std::string(kEventUpdated);
  event.note = JoinList(changes, "; ");
  repo.AppendEvent(event);
  return next;
}

Result<RecordedTransition> RecordTransition(PlanRepository& repo, const Directory& directory,
                                            TaskId task_id, const TransitionRequest& request,
                                            Instant now) {
  std::optional<Task> task = repo.FindTask(task_id);
  if (!task) return TaskNotFound(task_id);
  std::optional<Plan> plan = repo.FindPlan(task->plan_id);
  if (!plan) return Internal("internal", "task " + std::to_string(task_id) + " has no plan");
  std::vector<DependencyState> dependencies;
  for (TaskId id : task->depends_on) {
    std::optional<Task> dep = repo.FindTask(id);
    if (!dep) {
      return Internal("internal", "task " + std::to_string(task_id) + " depends on missing task " +
                                      std::to_string(id));
    }
    dependencies.push_back({dep->id, dep->title, dep->state});
  }
  Result<TransitionOutcome> outcome =
      DecideTransition(*task, *plan, dependencies, directory, request, now);
  if (!outcome.ok()) return outcome.status();
  RecordedTransition recorded{*task, std::move(outcome->task), *plan, *plan,
                              std::move(outcome->event)};
  repo.UpdateTask(recorded.after);
  recorded.event.id = repo.AppendEvent(recorded.event);
  RederivePlanState(repo, recorded.plan_after, now);
  return recorded;
}

Result<Task> TransitionTask(PlanRepository& repo, const Directory& directory, TaskId task_id,
                            const TransitionRequest& request, Instant now) {
  Result<RecordedTransition> recorded = RecordTransition(repo, directory, task_id, request, now);
  if (!recorded.ok()) return recorded.status();
  return std::move(recorded->after);
}

Result<PlanWithTasks> CancelPlan(PlanRepository& repo, const Directory& directory, PlanId plan_id,
                                 const std::string& note, const PersonId& actor, Instant now) {
  (void)directory;  // Cancelling is open to any caller until API tokens exist.
  if (IsBlank(note)) {
    return InvalidArgument("note_required", "cancelling a plan needs a note saying why");
  }
  std::optional<Plan> plan = repo.FindPlan(plan_id);
  if (!plan) return PlanNotFound(plan_id);
  if (plan->state != PlanState::kActive) {
    return Conflict("plan_not_active", "plan " + std::to_string(plan_id) + " is already " +
                                           std::string(ToString(plan->state)));
  }

  PlanWithTasks out;
  out.tasks = repo.TasksOfPlan(plan_id);
  for (Task& task : out.tasks) {
    if (!IsUnfinished(task.state)) continue;
    TaskEvent event;
    event.task_id = task.id;
    event.plan_id = task.plan_id;
    event.at = now;
    event.actor = actor;
    event.kind = std::string(kEventTransition);
    event.from = task.state;
    event.to = TaskState::kCancelled;
    event.note = "plan cancelled: " + note;
    task.state = TaskState::kCancelled;
    task.version += 1;
    task.updated_at = now;
    repo.UpdateTask(task);
    repo.AppendEvent(event);
  }
  plan->state = PlanState::kCancelled;
  plan->version += 1;
  plan->updated_at = now;
  repo.UpdatePlan(*plan);
  out.plan = std::move(*plan);
  return out;
}

}  // namespace kaizen
