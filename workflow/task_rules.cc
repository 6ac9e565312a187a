#include "workflow/task_rules.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "workflow/internal/text.h"

namespace kaizen {
namespace {

using internal::IsBlank;
using internal::JoinAlternatives;
using internal::JoinList;

std::vector<std::string> StateNames(const std::vector<TaskState>& states) {
  std::vector<std::string> names;
  names.reserve(states.size());
  for (TaskState s : states) names.emplace_back(ToString(s));
  return names;
}

// "an open task", "a done task".
std::string TaskInState(TaskState state) {
  const bool vowel = state == TaskState::kOpen || state == TaskState::kInProgress;
  return std::string(vowel ? "an " : "a ") + std::string(ToString(state)) + " task";
}

std::string TaskName(const Task& task) { return "task " + std::to_string(task.id); }

std::string NoteRequiredMessage(TaskState to) {
  if (to == TaskState::kBlocked) {
    return "moving a task to blocked needs a note saying what blocks it";
  }
  if (to == TaskState::kCancelled) return "cancelling a task needs a note saying why";
  return "sending a done task back to in_progress needs a note saying what is missing";
}

Status TransitionNotAllowed(const Task& task, TaskState to) {
  const std::vector<TaskState> allowed = AllowedTransitions(task.state);
  nlohmann::json details = {
      {"from", ToString(task.state)}, {"to", ToString(to)}, {"allowed", StateNames(allowed)}};
  std::string message;
  if (task.state == to) {
    message = TaskName(task) + " is already " + std::string(ToString(to));
  } else if (allowed.empty()) {
    message = TaskInState(task.state) + " is final and cannot move to " + std::string(ToString(to));
  } else {
    message = TaskInState(task.state) + " can move to " + JoinAlternatives(StateNames(allowed)) +
              ", not to " + std::string(ToString(to));
  }
  return Conflict("transition_not_allowed", std::move(message), std::move(details));
}

// The people IsReviewer accepts for this task, sorted, for error details and messages.
std::vector<PersonId> ReviewersOf(const Task& task, const Plan& plan, const Directory& directory) {
  std::set<PersonId> candidates = {plan.owner, task.owner};
  if (const Person* owner = directory.FindPerson(task.owner); owner && owner->manager) {
    candidates.insert(*owner->manager);
  }
  std::vector<PersonId> out;
  for (const PersonId& id : candidates) {
    if (!id.empty() && IsReviewer(id, task, plan, directory)) out.push_back(id);
  }
  return out;
}

Status NotAReviewer(const PersonId& actor, const Task& task, const Plan& plan,
                    const Directory& directory, std::string_view verb) {
  const std::vector<PersonId> reviewers = ReviewersOf(task, plan, directory);
  std::string message;
  if (actor == task.owner) {
    message = actor + " owns " + TaskName(task) + " and plan " + std::to_string(plan.id) +
              " does not allow owners to " + std::string(verb) + " their own tasks";
  } else {
    message = actor + " may not " + std::string(verb) + " " + TaskName(task) +
              ": only the plan owner or the task owner's manager may";
  }
  if (reviewers.empty()) {
    // Only possible when the owner owns the plan and has no manager: say how to get unstuck.
    message += "; nobody can, since its owner owns the plan and has no manager";
  } else {
    message += "; ask " + JoinAlternatives(reviewers);
  }
  return PermissionDenied("not_a_reviewer", std::move(message), {{"reviewers", reviewers}});
}

}  // namespace

bool IsTransitionAllowed(TaskState from, TaskState to) {
  const std::vector<TaskState> allowed = AllowedTransitions(from);
  return std::find(allowed.begin(), allowed.end(), to) != allowed.end();
}

std::vector<TaskState> AllowedTransitions(TaskState from) {
  using S = TaskState;
  switch (from) {
    case S::kOpen: return {S::kInProgress, S::kBlocked, S::kDone, S::kCancelled};
    case S::kInProgress: return {S::kBlocked, S::kDone, S::kCancelled, S::kOpen};
    case S::kBlocked: return {S::kInProgress, S::kCancelled};
    case S::kDone: return {S::kVerified, S::kInProgress};
    case S::kCancelled: return {S::kOpen};
    case S::kVerified: return {};
  }
  return {};
}

bool TransitionRequiresNote(TaskState from, TaskState to) {
  return to == TaskState::kBlocked || to == TaskState::kCancelled ||
         (from == TaskState::kDone && to == TaskState::kInProgress);
}

bool IsReviewer(const PersonId& actor, const Task& task, const Plan& plan,
                const Directory& directory) {
  // The owner is checked first on purpose: a plan owner who owns a task does not get to
  // verify it unless the plan allows self-verification; their manager does.
  if (actor == task.owner) return plan.allow_self_verification;
  if (actor == plan.owner) return true;
  const Person* owner = directory.FindPerson(task.owner);
  return owner != nullptr && owner->manager.has_value() && *owner->manager == actor;
}

Result<TransitionOutcome> DecideTransition(const Task& task, const Plan& plan,
                                           std::span<const DependencyState> dependencies,
                                           const Directory& directory,
                                           const TransitionRequest& request, Instant now) {
  const TaskState from = task.state;
  const TaskState to = request.to;

  // A completed plan holds only verified and cancelled tasks; reopening a cancelled one is how
  // work is added back, so it is the one move a completed plan accepts.
  if (plan.state == PlanState::kCancelled) {
    return Conflict("plan_not_active", "plan " + std::to_string(plan.id) +
                                           " is cancelled; its tasks can no longer change");
  }
  if (plan.state == PlanState::kCompleted &&
      !(from == TaskState::kCancelled && to == TaskState::kOpen)) {
    return Conflict("plan_not_active", "plan " + std::to_string(plan.id) +
                                           " is completed; only a cancelled task can be reopened");
  }
  if (request.expected_version && *request.expected_version != task.version) {
    return PreconditionFailed("version_mismatch",
                              TaskName(task) + " is at version " + std::to_string(task.version) +
                                  ", not " + std::to_string(*request.expected_version) +
                                  "; reload it and try again",
                              {{"current_version", task.version}});
  }
  if (!IsTransitionAllowed(from, to)) return TransitionNotAllowed(task, to);
  if (TransitionRequiresNote(from, to) && IsBlank(request.note)) {
    return InvalidArgument("note_required", NoteRequiredMessage(to),
                           {{"from", ToString(from)}, {"to", ToString(to)}});
  }
  if (directory.FindPerson(request.actor) == nullptr) {
    return Unprocessable("unknown_actor",
                         request.actor.empty()
                             ? "a transition needs an actor: the id of the person making it"
                             : "'" + request.actor + "' is not a person in the directory",
                         {{"actor", request.actor}});
  }

  std::string_view kind = kEventTransition;
  if (from == TaskState::kDone && to == TaskState::kVerified) {
    if (!IsReviewer(request.actor, task, plan, directory)) {
      return NotAReviewer(request.actor, task, plan, directory, "verify");
    }
  } else if (from == TaskState::kDone && to == TaskState::kInProgress) {
    // The owner taking back their own work is not a review; anyone else sending it back is.
    if (request.actor == task.owner) {
      kind = kEventReopened;
    } else if (IsReviewer(request.actor, task, plan, directory)) {
      kind = kEventRejected;
    } else {
      return NotAReviewer(request.actor, task, plan, directory, "reject");
    }
  }

  // Work moving forward needs its inputs; a rejection or take-back moves work backwards and is
  // not held up by a dependency that was reopened in the meantime.
  const bool moves_forward =
      (to == TaskState::kInProgress || to == TaskState::kDone) && from != TaskState::kDone;
  if (moves_forward) {
    nlohmann::json unfinished = nlohmann::json::array();
    std::vector<std::string> names;
    for (const DependencyState& dep : dependencies) {
      if (SatisfiesDependency(dep.state)) continue;
      unfinished.push_back({{"id", dep.id}, {"title", dep.title}, {"state", ToString(dep.state)}});
      names.push_back("task " + std::to_string(dep.id) + " \"" + dep.title + "\" (" +
                      std::string(ToString(dep.state)) + ")");
    }
    if (!names.empty()) {
      return Conflict("dependencies_unfinished",
                      TaskName(task) + " cannot move to " + std::string(ToString(to)) +
                          " before the tasks it depends on are done: " + JoinList(names),
                      {{"dependencies", std::move(unfinished)}});
    }
  }

  TransitionOutcome outcome{task, {}};
  Task& next = outcome.task;
  next.state = to;
  next.version = task.version + 1;
  next.updated_at = now;
  if (to == TaskState::kDone) {
    next.completed_at = now;
  } else if (from == TaskState::kDone && to == TaskState::kInProgress) {
    next.completed_at.reset();
  }
  TaskEvent& event = outcome.event;
  event.task_id = task.id;
  event.plan_id = task.plan_id;
  event.at = now;
  event.actor = request.actor;
  event.kind = std::string(kind);
  event.from = from;
  event.to = to;
  event.note = request.note;
  return outcome;
}

PlanState DerivePlanState(PlanState current, std::span<const TaskState> task_states) {
  if (current == PlanState::kCancelled) return current;
  bool any_verified = false;
  for (TaskState s : task_states) {
    if (s == TaskState::kVerified) {
      any_verified = true;
    } else if (s != TaskState::kCancelled) {
      return PlanState::kActive;
    }
  }
  return any_verified ? PlanState::kCompleted : PlanState::kActive;
}

std::optional<std::vector<TaskId>> FindDependencyCycle(
    const std::map<TaskId, std::vector<TaskId>>& graph) {
  // Iterative depth-first search: a request body may chain thousands of tasks, and a
  // recursion that deep would risk the storage thread's stack.
  const std::vector<TaskId> no_deps;
  enum class Mark { kVisiting, kDone };
  std::map<TaskId, Mark> marks;
  struct Frame {
    TaskId id;
    const std::vector<TaskId>* deps;
    size_t next = 0;
  };
  auto deps_of = [&graph, &no_deps](TaskId id) {
    auto it = graph.find(id);
    return it == graph.end() ? &no_deps : &it->second;
  };

  for (const auto& entry : graph) {
    if (marks.contains(entry.first)) continue;
    std::vector<Frame> stack = {{entry.first, deps_of(entry.first)}};
    marks[entry.first] = Mark::kVisiting;
    while (!stack.empty()) {
      Frame& top = stack.back();
      if (top.next == top.deps->size()) {
        marks[top.id] = Mark::kDone;
        stack.pop_back();
        continue;
      }
      const TaskId dep = (*top.deps)[top.next++];
      auto mark = marks.find(dep);
      if (mark == marks.end()) {
        marks[dep] = Mark::kVisiting;
        stack.push_back({dep, deps_of(dep)});
      } else if (mark->second == Mark::kVisiting) {
        // The stack from `dep` to the top, closed by the edge back to `dep`.
        auto start =
            std::find_if(stack.begin(), stack.end(), [dep](const Frame& f) { return f.id == dep; });
        std::vector<TaskId> cycle;
        for (auto it = start; it != stack.end(); ++it) cycle.push_back(it->id);
        return cycle;
      }
    }
  }
  return std::nullopt;
}

}  // namespace kaizen
