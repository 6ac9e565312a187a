#include "workflow/follow_up.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <utility>

namespace kaizen {
namespace {

using std::chrono::hours;

const ReminderPolicy* FindPolicy(const FollowUpSettings& settings,
                                 const std::optional<std::string>& name) {
  if (!name || name->empty()) return nullptr;
  auto it = settings.policies.find(*name);
  return it == settings.policies.end() ? nullptr : &it->second;
}

std::string PersonName(const Directory& directory, const PersonId& id) {
  const Person* person = directory.FindPerson(id);
  return person != nullptr && !person->name.empty() ? person->name : id;
}

// The event every notification about `plan` starts from; the caller fills in what it is about.
NotificationEvent PlanEventBase(const Directory& directory, const Plan& plan, Instant now) {
  NotificationEvent e;
  e.plan_id = plan.id;
  e.plan_title = plan.title;
  e.team = plan.team;
  if (const Team* team = directory.FindTeam(plan.team)) e.time_zone = team->time_zone;
  e.owner = plan.owner;
  e.owner_name = PersonName(directory, plan.owner);
  e.actor = "system";
  e.occurred_at = now;
  return e;
}

// The same about one task of the plan: the task's owner, title, deadline and state.
NotificationEvent TaskEventBase(const Directory& directory, const Task& task, const Plan& plan,
                                Instant now) {
  NotificationEvent e = PlanEventBase(directory, plan, now);
  e.task_id = task.id;
  e.task_title = task.title;
  e.owner = task.owner;
  e.owner_name = PersonName(directory, task.owner);
  e.due_at = task.due_at;
  e.task_state = task.state;
  return e;
}

void SetRecipient(NotificationEvent& e, const Directory& directory, RecipientKind kind,
                  const std::string& id) {
  e.recipient_kind = kind;
  e.recipient = id;
  if (kind == RecipientKind::kPerson) {
    e.recipient_name = PersonName(directory, id);
  } else {
    const Team* team = directory.FindTeam(id);
    e.recipient_name = team != nullptr && !team->name.empty() ? team->name : id;
  }
}

// Writes one notification per channel; returns how many were new.
int WriteToChannels(PlanRepository& repo, const FollowUpSettings& settings,
                    const std::vector<std::string>& channels, const std::string& cause,
                    const NotificationEvent& event, Instant now) {
  int written = 0;
  for (const std::string& channel : channels) {
    Notification n;
    n.idempotency_key = NotificationKey(cause, channel);
    n.channel = channel;
    n.event = event;
    n.state = NotificationState::kPending;
    n.created_at = now;
    n.updated_at = now;
    n.next_attempt_at = now + settings.group_window;
    if (repo.InsertNotification(n)) ++written;
  }
  return written;
}

bool TrackConcerns(ReminderKind kind, TaskState state) {
  switch (kind) {
    case ReminderKind::kBeforeDue:
    case ReminderKind::kAtDue:
    case ReminderKind::kOverdue:
    case ReminderKind::kEscalation: return IsUnfinished(state);
    case ReminderKind::kVerification:
    case ReminderKind::kVerificationEscalation: return state == TaskState::kDone;
  }
  return false;
}

// The level of "escalation:<n>@..." keys; -1 for others.
int EscalationLevelOf(const PlannedReminder& r) {
  if (r.kind != ReminderKind::kEscalation) return -1;
  const std::string& key = r.key;
  auto colon = key.find(':');
  auto at = key.find('@');
  if (colon == std::string::npos || at == std::string::npos || at < colon) return -1;
  int level = -1;
  std::from_chars(key.data() + colon + 1, key.data() + at, level);
  return level;
}

}  // namespace

ReminderPolicy BuiltInReminderPolicy() {
  ReminderPolicy p;
  p.name = std::string(kBuiltInPolicyName);
  p.before = {hours{24}};
  p.at_deadline = true;
  p.overdue = OverdueRepeat{hours{24}, 3};
  EscalationLevel manager;
  manager.after_overdue = hours{24};
  manager.target = EscalationTarget::kManager;
  EscalationLevel plan_owner;
  plan_owner.after_overdue = hours{72};
  plan_owner.target = EscalationTarget::kPlanOwner;
  p.escalations = {manager, plan_owner};
  VerificationReminders v;
  v.first_after = hours{24};
  v.repeat_interval = hours{24};
  v.max_count = 3;
  v.escalate_after = hours{72};
  p.verification = v;
  return p;
}

const ReminderPolicy& FollowUpSettings::PolicyFor(const Task& task, const Plan& plan) const {
  if (const ReminderPolicy* p = FindPolicy(*this, task.reminder_policy)) return *p;
  if (const ReminderPolicy* p = FindPolicy(*this, plan.reminder_policy)) return *p;
  if (auto team = teams.find(plan.team); team != teams.end()) {
    if (const ReminderPolicy* p = FindPolicy(*this, team->second.policy)) return *p;
  }
  if (const ReminderPolicy* p = FindPolicy(*this, default_policy)) return *p;
  return built_in_;
}

const WorkingCalendar& FollowUpSettings::CalendarOf(std::string_view team) const {
  auto it = teams.find(team);
  if (it != teams.end() && it->second.calendar) return *it->second.calendar;
  return always_working_;
}

const std::vector<std::string>& FollowUpSettings::ChannelsOf(std::string_view team) const {
  auto it = teams.find(team);
  if (it != teams.end() && !it->second.channels.empty()) return it->second.channels;
  return default_channels;
}

std::string NotificationKey(std::string_view cause, std::string_view channel) {
  // Standard Webhooks ids must not contain '.', and the key travels in HTTP headers.
  std::string key;
  key.reserve(cause.size() + channel.size() + 1);
  const auto append = [&key](std::string_view text) {
    for (char c : text) {
      bool printable = c > ' ' && c < 0x7f && c != '.';
      key.push_back(printable ? c : '_');
    }
  };
  append(cause);
  key.push_back('/');
  append(channel);
  return key;
}

bool SyncTaskReminders(PlanRepository& repo, const FollowUpSettings& settings,
                       const Directory& directory, const Task& task, const Plan& plan,
                       Instant now) {
  const std::vector<PlannedReminder> planned = PlanReminders(
      task, plan, settings.PolicyFor(task, plan), settings.CalendarOf(plan.team), directory);
  std::map<std::string, StoredReminder> stored;
  for (StoredReminder& s : repo.RemindersOfTask(task.id)) {
    std::string key = s.planned.key;
    stored.emplace(std::move(key), std::move(s));
  }

  bool changed = false;
  std::set<std::string> planned_keys;
  for (const PlannedReminder& r : planned) planned_keys.insert(r.key);
  for (const auto& [key, s] : stored) {
    if (s.status == ReminderStatus::kPending && planned_keys.count(key) == 0) {
      repo.DeletePendingReminder(task.id, key);
      changed = true;
    }
  }

  std::vector<PlannedReminder> already_due;
  for (const PlannedReminder& r : planned) {
    auto it = stored.find(r.key);
    if (it != stored.end()) {
      // Fired and skipped reminders are history: never sent again.
      if (it->second.status == ReminderStatus::kPending && !(it->second.planned == r)) {
        repo.UpsertPendingReminder(r);
        changed = true;
      }
      continue;
    }
    if (r.fire_at <= now) {
      already_due.push_back(r);
    } else {
      repo.UpsertPendingReminder(r);
      changed = true;
    }
  }
  if (!already_due.empty()) {
    // A deadline moved into the past must not unleash every reminder it skipped over.
    std::set<std::string> kept;
    for (const PlannedReminder& r : CollapseMissed(already_due, now)) kept.insert(r.key);
    for (const PlannedReminder& r : already_due) {
      repo.UpsertPendingReminder(r);
      if (kept.count(r.key) == 0) {
        repo.SettleReminder(r.task_id, r.key, ReminderStatus::kSkipped, now);
      }
    }
    changed = true;
  }
  return changed;
}

bool SyncPlanReminders(PlanRepository& repo, const FollowUpSettings& settings,
                       const Directory& directory, PlanId plan_id, Instant now) {
  std::optional<Plan> plan = repo.FindPlan(plan_id);
  if (!plan) return false;
  bool changed = false;
  for (const Task& task : repo.TasksOfPlan(plan_id)) {
    changed = SyncTaskReminders(repo, settings, directory, task, *plan, now) || changed;
  }
  return changed;
}

ReplanReport ReplanAllReminders(PlanRepository& repo, const FollowUpSettings& settings,
                                const Directory& directory, std::optional<TaskId> after, int limit,
                                Instant now) {
  ReplanReport report;
  TaskFilter filter;
  filter.limit = limit;
  filter.after = after;
  filter.now = now;
  Page<Task> page = repo.ListTasks(filter);
  std::map<PlanId, std::optional<Plan>> plans;
  for (const Task& task : page.items) {
    auto [it, inserted] = plans.try_emplace(task.plan_id);
    if (inserted) it->second = repo.FindPlan(task.plan_id);
    if (!it->second) continue;
    report.changed =
        SyncTaskReminders(repo, settings, directory, task, *it->second, now) || report.changed;
    ++report.tasks;
  }
  report.next_after = page.next_after;
  if (!report.next_after) {
    repo.WriteSetting(std::string(kPlanningFingerprintKey), settings.fingerprint);
  }
  return report;
}

bool NeedsReplanning(PlanReader& reader, const FollowUpSettings& settings) {
  return reader.ReadSetting(std::string(kPlanningFingerprintKey)) != settings.fingerprint;
}

int NotifyTransition(PlanRepository& repo, const FollowUpSettings& settings,
                     const Directory& directory, const RecordedTransition& transition,
                     Instant now) {
  const Task& before = transition.before;
  const Task& after = transition.after;
  const Plan& plan_before = transition.plan_before;
  const Plan& plan_after = transition.plan_after;
  const TaskEvent& event = transition.event;
  int written = 0;
  const std::vector<std::string>& channels = settings.ChannelsOf(plan_after.team);
  if (after.state == TaskState::kDone && before.state != TaskState::kDone) {
    PersonId verifier = VerifierOf(after, plan_after, directory);
    if (!verifier.empty() && verifier != event.actor) {
      NotificationEvent e = TaskEventBase(directory, after, plan_after, now);
      e.kind = std::string(kNotifyWaitingVerification);
      e.actor = event.actor;
      e.note = event.note;
      SetRecipient(e, directory, RecipientKind::kPerson, verifier);
      // The event id, not the completion time: done twice in one millisecond is two events.
      std::string cause = "t" + std::to_string(after.id) + "-done-e" + std::to_string(event.id);
      written += WriteToChannels(repo, settings, channels, cause, e, now);
    }
  }
  if (event.kind == kEventRejected && event.actor != after.owner) {
    NotificationEvent e = TaskEventBase(directory, after, plan_after, now);
    e.kind = std::string(kNotifyRejected);
    e.actor = event.actor;
    e.note = event.note;
    SetRecipient(e, directory, RecipientKind::kPerson, after.owner);
    std::string cause = "t" + std::to_string(after.id) + "-rejected-e" + std::to_string(event.id);
    written += WriteToChannels(repo, settings, channels, cause, e, now);
  }
  if (plan_after.state == PlanState::kCompleted && plan_before.state != PlanState::kCompleted) {
    NotificationEvent e = PlanEventBase(directory, plan_after, now);
    e.kind = std::string(kNotifyPlanCompleted);
    e.task_state = after.state;
    e.actor = event.actor;
    SetRecipient(e, directory, RecipientKind::kTeam, plan_after.team);
    std::string cause =
        "p" + std::to_string(plan_after.id) + "-completed-v" + std::to_string(plan_after.version);
    written += WriteToChannels(repo, settings, channels, cause, e, now);
  }
  return written;
}

int NotifyPlanEvent(PlanRepository& repo, const FollowUpSettings& settings,
                    const Directory& directory, const Plan& plan, std::string_view kind,
                    std::map<std::string, std::string> facts, const std::string& cause,
                    Instant now, const std::optional<PersonId>& person) {
  NotificationEvent e = PlanEventBase(directory, plan, now);
  e.kind = std::string(kind);
  e.facts = std::move(facts);
  if (person) {
    SetRecipient(e, directory, RecipientKind::kPerson, *person);
  } else {
    SetRecipient(e, directory, RecipientKind::kTeam, plan.team);
  }
  return WriteToChannels(repo, settings, settings.ChannelsOf(plan.team), cause, e, now);
}

FireReport FireDueReminders(PlanRepository& repo, const FollowUpSettings& settings,
                            const Directory& directory, Instant now, int limit, bool /*catch_up*/) {
  FireReport report;
  std::vector<PlannedReminder> due = repo.DueReminders(now, limit);
  report.more = static_cast<int>(due.size()) >= limit;

  std::set<std::pair<TaskId, std::string>> kept;
  for (const PlannedReminder& r : CollapseMissed(due, now)) kept.emplace(r.task_id, r.key);

  std::map<PlanId, std::optional<Plan>> plans;
  for (const PlannedReminder& r : due) {
    if (kept.count({r.task_id, r.key}) == 0) {
      repo.SettleReminder(r.task_id, r.key, ReminderStatus::kSkipped, now);
      ++report.skipped;
      continue;
    }
    std::optional<Task> task = repo.FindTask(r.task_id);
    std::optional<Plan>* plan = nullptr;
    if (task) {
      auto [it, inserted] = plans.try_emplace(task->plan_id);
      if (inserted) it->second = repo.FindPlan(task->plan_id);
      plan = &it->second;
    }
    if (!task || !plan->has_value() || (*plan)->state != PlanState::kActive ||
        !TrackConcerns(r.kind, task->state)) {
      // A write that should have dropped it missed it; telling now would be wrong.
      repo.SettleReminder(r.task_id, r.key, ReminderStatus::kSkipped, now);
      ++report.skipped;
      continue;
    }
    const Plan& p = **plan;
    NotificationEvent e = TaskEventBase(directory, *task, p, now);
    e.kind = std::string(ToString(r.kind));
    SetRecipient(e, directory, r.recipient_kind, r.recipient);
    e.mention_all = r.mention_all;
    e.urgent = r.urgent;
    e.reminder_key = r.key;
    e.escalation_level = EscalationLevelOf(r);
    if (r.kind == ReminderKind::kVerification || r.kind == ReminderKind::kVerificationEscalation) {
      e.due_at = task->due_at;
    }
    std::vector<std::string> channels =
        r.channel.empty() ? settings.ChannelsOf(p.team) : std::vector<std::string>{r.channel};
    std::string cause = "r" + std::to_string(r.task_id) + "-" + r.key;
    report.notifications += WriteToChannels(repo, settings, channels, cause, e, now);
    repo.SettleReminder(r.task_id, r.key, ReminderStatus::kFired, now);
    ++report.fired;
  }
  return report;
}

}  // namespace kaizen
