#include "workflow/reminder_policy.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "workflow/duration.h"
#include "workflow/internal/text.h"

namespace kaizen {
namespace {

using std::chrono::seconds;

constexpr std::pair<EscalationTarget, std::string_view> kTargetNames[] = {
    {EscalationTarget::kManager, "manager"},
    {EscalationTarget::kPlanOwner, "plan_owner"},
    {EscalationTarget::kPerson, "person"},
    {EscalationTarget::kTeam, "team"},
};

constexpr std::pair<ReminderKind, std::string_view> kKindNames[] = {
    {ReminderKind::kBeforeDue, "before_due"},
    {ReminderKind::kAtDue, "at_due"},
    {ReminderKind::kOverdue, "overdue"},
    {ReminderKind::kEscalation, "escalation"},
    {ReminderKind::kVerification, "verification"},
    {ReminderKind::kVerificationEscalation, "verification_escalation"},
};

Status PolicyError(const std::string& field, const std::string& message) {
  return InvalidArgument("invalid_reminder_policy", field + ": " + message, {{"field", field}});
}

std::optional<PersonId> ManagerOf(const Directory& directory, const PersonId& id) {
  const Person* person = directory.FindPerson(id);
  if (person == nullptr || !person->manager || person->manager->empty()) return std::nullopt;
  return person->manager;
}

bool ComesFirst(const PlannedReminder& a, const PlannedReminder& b) {
  return std::tie(a.fire_at, a.task_id, a.nominal_at, a.key) <
         std::tie(b.fire_at, b.task_id, b.nominal_at, b.key);
}

// Builds reminders of one task; keeps the shared facts in one place.
class Planner {
 public:
  Planner(const Task& task, const WorkingCalendar& calendar) : task_(task), calendar_(calendar) {}

  PlannedReminder Make(ReminderKind kind, const std::string& ordinal, Instant anchor,
                       Instant nominal, RecipientKind recipient_kind, std::string recipient,
                       bool urgent) const {
    PlannedReminder r;
    r.task_id = task_.id;
    r.key = std::string(ToString(kind)) + (ordinal.empty() ? "" : ":" + ordinal) + "@" +
            FormatRfc3339(anchor);
    r.kind = kind;
    r.anchor = anchor;
    r.nominal_at = nominal;
    r.fire_at = urgent ? nominal : calendar_.NextWorkingInstant(nominal);
    r.recipient_kind = recipient_kind;
    r.recipient = std::move(recipient);
    r.urgent = urgent;
    r.mention_all = recipient_kind == RecipientKind::kTeam;
    return r;
  }

 private:
  const Task& task_;
  const WorkingCalendar& calendar_;
};

// Of reminders that supersede one another, keeps only the latest of those delivered at the same
// moment. `track` must be sorted by nominal_at; fire_at never decreases along it, because moving
// into working time never reorders instants, so equal fire times sit next to each other.
void KeepLatestPerFireTime(std::vector<PlannedReminder>& track) {
  std::vector<PlannedReminder> kept;
  for (size_t i = 0; i < track.size(); ++i) {
    if (i + 1 < track.size() && track[i + 1].fire_at == track[i].fire_at) continue;
    kept.push_back(std::move(track[i]));
  }
  track = std::move(kept);
}

void SortByNominal(std::vector<PlannedReminder>& v) {
  std::sort(v.begin(), v.end(), [](const PlannedReminder& a, const PlannedReminder& b) {
    return std::tie(a.nominal_at, a.key) < std::tie(b.nominal_at, b.key);
  });
}

std::optional<std::pair<RecipientKind, std::string>> ResolveEscalation(const EscalationLevel& level,
                                                                       const Task& task,
                                                                       const Plan& plan,
                                                                       const Directory& directory) {
  switch (level.target) {
    case EscalationTarget::kManager: {
      if (auto manager = ManagerOf(directory, task.owner)) {
        return std::pair{RecipientKind::kPerson, *manager};
      }
      if (plan.owner.empty()) return std::nullopt;
      return std::pair{RecipientKind::kPerson, plan.owner};
    }
    case EscalationTarget::kPlanOwner:
      if (plan.owner.empty()) return std::nullopt;
      return std::pair{RecipientKind::kPerson, plan.owner};
    case EscalationTarget::kPerson:
      if (level.person.empty()) return std::nullopt;
      return std::pair{RecipientKind::kPerson, level.person};
    case EscalationTarget::kTeam: {
      std::string team = plan.team;
      if (team.empty()) {
        if (const Person* owner = directory.FindPerson(task.owner)) team = owner->team;
      }
      if (team.empty()) return std::nullopt;
      return std::pair{RecipientKind::kTeam, team};
    }
  }
  return std::nullopt;
}

void PlanDeadlineTrack(const Task& task, const Plan& plan, const ReminderPolicy& policy,
                       const Directory& directory, const Planner& planner,
                       std::vector<PlannedReminder>& out) {
  const Instant due = task.due_at;
  const PersonId& recipient =
      task.state == TaskState::kBlocked && !plan.owner.empty() ? plan.owner : task.owner;

  std::vector<PlannedReminder> track;
  for (const seconds offset : policy.before) {
    const Instant nominal = due - offset;
    if (nominal < task.created_at) continue;
    PlannedReminder r = planner.Make(ReminderKind::kBeforeDue, FormatIsoDuration(offset), due,
                                     nominal, RecipientKind::kPerson, recipient, false);
    if (r.fire_at >= due) continue;
    track.push_back(std::move(r));
  }
  if (policy.at_deadline) {
    track.push_back(
        planner.Make(ReminderKind::kAtDue, "", due, due, RecipientKind::kPerson, recipient, false));
  }
  if (policy.overdue.interval > seconds{0}) {
    for (int n = 1; n <= policy.overdue.max_count; ++n) {
      track.push_back(planner.Make(ReminderKind::kOverdue, std::to_string(n), due,
                                   due + n * policy.overdue.interval, RecipientKind::kPerson,
                                   recipient, false));
    }
  }
  SortByNominal(track);
  KeepLatestPerFireTime(track);
  out.insert(out.end(), track.begin(), track.end());

  for (size_t i = 0; i < policy.escalations.size(); ++i) {
    const EscalationLevel& level = policy.escalations[i];
    auto target = ResolveEscalation(level, task, plan, directory);
    if (!target) continue;
    if (target->first == RecipientKind::kPerson && target->second == task.owner) continue;
    out.push_back(planner.Make(ReminderKind::kEscalation, std::to_string(i), due,
                               due + level.after_overdue, target->first, target->second,
                               level.urgent));
    out.back().channel = level.channel;
  }
}

void PlanVerificationTrack(const Task& task, const Plan& plan, const VerificationReminders& policy,
                           const Directory& directory, const Planner& planner,
                           std::vector<PlannedReminder>& out) {
  const Instant done_at = *task.completed_at;
  const PersonId verifier = VerifierOf(task, plan, directory);
  if (verifier.empty()) return;

  std::vector<PlannedReminder> track;
  for (int n = 1; n <= policy.max_count; ++n) {
    if (n > 1 && policy.repeat_interval <= seconds{0}) break;
    const Instant nominal = done_at + policy.first_after + (n - 1) * policy.repeat_interval;
    track.push_back(planner.Make(ReminderKind::kVerification, std::to_string(n), done_at, nominal,
                                 RecipientKind::kPerson, verifier, false));
  }
  SortByNominal(track);
  KeepLatestPerFireTime(track);
  out.insert(out.end(), track.begin(), track.end());

  if (policy.escalate_after) {
    if (auto manager = ManagerOf(directory, verifier)) {
      out.push_back(planner.Make(ReminderKind::kVerificationEscalation, "", done_at,
                                 done_at + *policy.escalate_after, RecipientKind::kPerson, *manager,
                                 policy.escalation_urgent));
    }
  }
}

}  // namespace

PersonId VerifierOf(const Task& task, const Plan& plan, const Directory& directory) {
  // The same reviewer DecideTransition accepts, preferring the plan owner.
  if (plan.owner == task.owner && !plan.allow_self_verification) {
    return ManagerOf(directory, task.owner).value_or(PersonId{});
  }
  return plan.owner;
}

std::string_view ToString(EscalationTarget target) {
  for (const auto& [t, name] : kTargetNames) {
    if (t == target) return name;
  }
  return "unknown";
}

std::optional<EscalationTarget> ParseEscalationTarget(std::string_view text) {
  for (const auto& [t, name] : kTargetNames) {
    if (name == text) return t;
  }
  return std::nullopt;
}

std::string_view ToString(ReminderKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<ReminderKind> ParseReminderKind(std::string_view text) {
  for (const auto& [k, name] : kKindNames) {
    if (name == text) return k;
  }
  return std::nullopt;
}

bool IsDeadlineTrack(ReminderKind kind) {
  return kind == ReminderKind::kBeforeDue || kind == ReminderKind::kAtDue ||
         kind == ReminderKind::kOverdue;
}

Status ValidateReminderPolicy(const ReminderPolicy& policy, const Directory& directory) {
  if (internal::IsBlank(policy.name)) return PolicyError("name", "a policy needs a name");
  for (size_t i = 0; i < policy.before.size(); ++i) {
    const std::string field = "before[" + std::to_string(i) + "]";
    if (policy.before[i] <= seconds{0}) {
      return PolicyError(field, "an offset before the deadline must be longer than zero");
    }
    for (size_t j = 0; j < i; ++j) {
      if (policy.before[j] == policy.before[i]) {
        return PolicyError(field, FormatIsoDuration(policy.before[i]) + " is listed twice");
      }
    }
  }
  const auto check_count = [](const std::string& field, int count, int min) -> Status {
    if (count < min || count > kMaxReminderRepeats) {
      return PolicyError(field, "must be between " + std::to_string(min) + " and " +
                                    std::to_string(kMaxReminderRepeats));
    }
    return Status::Ok();
  };
  if (Status s = check_count("overdue.max_count", policy.overdue.max_count, 0); !s.ok()) return s;
  if (policy.overdue.max_count > 0 && policy.overdue.interval <= seconds{0}) {
    return PolicyError("overdue.interval", "repeated overdue reminders need an interval");
  }
  for (size_t i = 0; i < policy.escalations.size(); ++i) {
    const EscalationLevel& level = policy.escalations[i];
    const std::string prefix = "escalations[" + std::to_string(i) + "].";
    if (level.after_overdue < seconds{0}) {
      return PolicyError(prefix + "after_overdue", "must not be negative");
    }
    if (level.target == EscalationTarget::kPerson) {
      if (level.person.empty()) {
        return PolicyError(prefix + "person", "a person escalation names the person");
      }
      if (directory.FindPerson(level.person) == nullptr) {
        return PolicyError(prefix + "person", "'" + level.person + "' is not a known person");
      }
    } else if (!level.person.empty()) {
      return PolicyError(prefix + "person", "only a person escalation names a person (target is " +
                                                std::string(ToString(level.target)) + ")");
    }
  }
  if (policy.verification) {
    const VerificationReminders& v = *policy.verification;
    if (v.first_after < seconds{0}) {
      return PolicyError("verification.first_after", "must not be negative");
    }
    if (Status s = check_count("verification.max_count", v.max_count, 1); !s.ok()) return s;
    if (v.max_count > 1 && v.repeat_interval <= seconds{0}) {
      return PolicyError("verification.repeat_interval",
                         "repeated verification reminders need an interval");
    }
    if (v.escalate_after && *v.escalate_after < seconds{0}) {
      return PolicyError("verification.escalate_after", "must not be negative");
    }
  }
  return Status::Ok();
}

std::vector<PlannedReminder> PlanReminders(const Task& task, const Plan& plan,
                                           const ReminderPolicy& policy,
                                           const WorkingCalendar& calendar,
                                           const Directory& directory) {
  std::vector<PlannedReminder> out;
  if (plan.state != PlanState::kActive) return out;
  const Planner planner(task, calendar);
  if (IsUnfinished(task.state)) {
    PlanDeadlineTrack(task, plan, policy, directory, planner, out);
  } else if (task.state == TaskState::kDone && task.completed_at && policy.verification) {
    PlanVerificationTrack(task, plan, *policy.verification, directory, planner, out);
  }
  std::sort(out.begin(), out.end(), ComesFirst);
  return out;
}

std::vector<PlannedReminder> CollapseMissed(std::vector<PlannedReminder> due, Instant now) {
  // Per task, the latest deadline-track and the latest verification reminder.
  std::map<TaskId, const PlannedReminder*> latest_deadline;
  std::map<TaskId, const PlannedReminder*> latest_verification;
  const auto later = [](const PlannedReminder* a, const PlannedReminder& b) {
    return a == nullptr || std::tie(a->nominal_at, a->key) < std::tie(b.nominal_at, b.key);
  };
  for (const PlannedReminder& r : due) {
    if (r.fire_at > now) continue;
    if (IsDeadlineTrack(r.kind)) {
      const PlannedReminder*& best = latest_deadline[r.task_id];
      if (later(best, r)) best = &r;
    } else if (r.kind == ReminderKind::kVerification) {
      const PlannedReminder*& best = latest_verification[r.task_id];
      if (later(best, r)) best = &r;
    }
  }
  std::vector<PlannedReminder> out;
  for (const PlannedReminder& r : due) {
    if (r.fire_at > now) continue;
    if (IsDeadlineTrack(r.kind)) {
      if (latest_deadline[r.task_id] != &r) continue;
      if (r.kind == ReminderKind::kBeforeDue && now >= r.anchor) continue;
    } else if (r.kind == ReminderKind::kVerification) {
      if (latest_verification[r.task_id] != &r) continue;
    }
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(), ComesFirst);
  return out;
}

}  // namespace kaizen
