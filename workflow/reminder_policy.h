// Reminder policies and the pure planning of a task's reminders.
//
// A ReminderPolicy says when a task is reminded and to whom it escalates. PlanReminders turns a
// task's current facts (state, deadline, owner, completion time), its plan, the policy, the
// team's working calendar and the directory into every reminder the task should get, past and
// future, each with a stable key. The scheduler stores what it has sent by (task id, key); when
// anything about the task changes it plans again and diffs: a planned key not yet sent is
// pending, a pending key no longer planned is dropped and never sent, a sent key is never sent
// again. Nothing here reads the clock or does I/O.
//
// What is planned, by task state:
//   open, in_progress, blocked   the deadline track, anchored at due_at:
//     before_due   due_at - offset for each `before` offset, to the owner. Left out when it
//                  would announce a lead time the task never had (before created_at), or when
//                  the working-time shift would deliver it at or after the deadline.
//     at_due       at due_at, to the owner (when at_deadline).
//     overdue      due_at + n * interval for n = 1..max_count, to the owner.
//     escalation   due_at + after_overdue, once per level, to the level's target:
//                    manager     the task owner's manager; the plan owner when the owner has none
//                    plan_owner  the plan's owner
//                    person      the named person
//                    team        the plan's team channel (the owner's team when the plan has
//                                none), mentioning everybody
//                  A level that resolves to nobody, or to the task owner themselves, is left out.
//     A blocked task's before_due, at_due and overdue reminders go to the plan owner instead of
//     the owner: the owner is waiting on something only the plan owner can unblock.
//   done                        the verification track, anchored at completed_at, to the
//                               verifier: the plan owner, or the task owner's manager when the
//                               owner owns the plan and may not verify their own work
//                               (nothing when that manager is missing).
//     verification               completed_at + first_after + (n - 1) * repeat_interval for
//                                n = 1..max_count.
//     verification_escalation    completed_at + escalate_after, to the verifier's manager
//                                (left out when the verifier has none).
//   verified, cancelled, or the plan is not active: nothing.
//
// Working time: each reminder's fire time is its nominal time moved to
// WorkingCalendar::NextWorkingInstant, except urgent escalations, which fire at the nominal time.
// When several reminders of one track (deadline or verification) land on the same fire time
// (a weekend's worth of reminders all moved to Monday 09:00), only the one with the latest
// nominal time is kept: it is the one that is still true ("overdue by 2 days", not also "due
// tomorrow").
//
// Keys: "<kind>[:<ordinal>]@<anchor>", unique within a task, e.g.
//   before_due:P1D@2026-11-25T01:00:00Z   at_due@...   overdue:2@...   escalation:0@...
//   verification:1@<completed_at>         verification_escalation@<completed_at>
// The anchor is due_at for the deadline track and completed_at for the verification track, so
// moving a deadline or finishing again makes new keys (old pending ones vanish), while a change
// of title, owner, blocked <-> in_progress or an edit of an unrelated policy entry keeps them.
// Escalation levels are keyed by their position in the policy: append new levels at the end, as
// removing one renumbers those after it.
//
// Pure functions and plain values; callable from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/model.h"
#include "workflow/status.h"
#include "workflow/time.h"
#include "workflow/working_calendar.h"

namespace kaizen {

enum class EscalationTarget { kManager, kPlanOwner, kPerson, kTeam };
// "manager", "plan_owner", "person", "team".
std::string_view ToString(EscalationTarget target);
std::optional<EscalationTarget> ParseEscalationTarget(std::string_view text);

struct EscalationLevel {
  std::chrono::seconds after_overdue{0};  // how long past the deadline; 0 = at the deadline
  EscalationTarget target = EscalationTarget::kManager;
  PersonId person;      // for kPerson only; empty otherwise
  bool urgent = false;  // fires at its nominal time even outside working time
  // Channel id the level is told on; empty: the channels of the plan's team.
  std::string channel;
  bool operator==(const EscalationLevel&) const = default;
};

struct OverdueRepeat {
  std::chrono::seconds interval{0};
  int max_count = 0;  // 0: no overdue reminders
  bool operator==(const OverdueRepeat&) const = default;
};

struct VerificationReminders {
  std::chrono::seconds first_after{0};                 // after completed_at
  std::chrono::seconds repeat_interval{0};             // between reminders after the first
  int max_count = 1;                                   // reminders in all, the first included
  std::optional<std::chrono::seconds> escalate_after;  // after completed_at
  bool escalation_urgent = false;
  bool operator==(const VerificationReminders&) const = default;
};

struct ReminderPolicy {
  std::string name;
  std::vector<std::chrono::seconds> before;  // offsets before the deadline, each > 0
  bool at_deadline = true;
  OverdueRepeat overdue;
  std::vector<EscalationLevel> escalations;
  std::optional<VerificationReminders> verification;  // nullopt: done tasks are not chased
  bool operator==(const ReminderPolicy&) const = default;
};

// The largest repeat counts accepted: enough for a daily reminder for a year, small enough that
// a plan stays a short list.
inline constexpr int kMaxReminderRepeats = 366;

// Checks a policy. On failure: kInvalidArgument "invalid_reminder_policy", a message naming the
// field, and details {"field": path} with paths relative to the policy: "name", "before[1]",
// "overdue.interval", "overdue.max_count", "escalations[0].after_overdue",
// "escalations[0].person", "verification.first_after", "verification.repeat_interval",
// "verification.max_count", "verification.escalate_after". Rules: a non-blank name; before
// offsets > 0 and distinct; counts within 0..kMaxReminderRepeats (verification 1..); an interval
// > 0 whenever it is used; durations >= 0; a person level names a person of `directory`, other
// levels name none.
Status ValidateReminderPolicy(const ReminderPolicy& policy, const Directory& directory);

enum class ReminderKind {
  kBeforeDue,
  kAtDue,
  kOverdue,
  kEscalation,
  kVerification,
  kVerificationEscalation,
};
// "before_due", "at_due", "overdue", "escalation", "verification", "verification_escalation".
std::string_view ToString(ReminderKind kind);
std::optional<ReminderKind> ParseReminderKind(std::string_view text);
// before_due, at_due, overdue: the reminders about the deadline that supersede one another.
bool IsDeadlineTrack(ReminderKind kind);

enum class RecipientKind { kPerson, kTeam };

struct PlannedReminder {
  TaskId task_id = 0;
  std::string key;  // stable identity within the task; see the header comment
  ReminderKind kind = ReminderKind::kBeforeDue;
  Instant anchor{};      // due_at, or completed_at for the verification track
  Instant nominal_at{};  // when the policy says
  // nominal_at moved into working time (equal when urgent). A message says how far the deadline
  // is from fire_at, not from nominal_at: a P1D reminder moved from Sunday to Monday 09:00 for a
  // Monday 10:00 deadline is "due in 1 hour".
  Instant fire_at{};
  RecipientKind recipient_kind = RecipientKind::kPerson;
  std::string recipient;     // a person id, or a team id
  bool urgent = false;       // delivered outside working time
  bool mention_all = false;  // a team recipient: @all in the team's channel
  std::string channel;       // an escalation level's own channel; empty: the team's channels
  bool operator==(const PlannedReminder&) const = default;
};

// Who is asked to verify `task` once it is done: the plan owner, or the task owner's manager
// when the owner owns the plan and may not verify their own work; empty when there is nobody.
PersonId VerifierOf(const Task& task, const Plan& plan, const Directory& directory);

// Every reminder `task` should get under `policy` given its current facts, sorted by fire_at,
// then nominal_at, then key. `policy` is expected to have passed ValidateReminderPolicy.
std::vector<PlannedReminder> PlanReminders(const Task& task, const Plan& plan,
                                           const ReminderPolicy& policy,
                                           const WorkingCalendar& calendar,
                                           const Directory& directory);

// Catch-up after downtime. `due` holds reminders whose fire time has come (fire_at <= now) but
// that were not sent, possibly of several tasks; the result is what is still worth sending now,
// sorted like PlanReminders. Per task:
//   - of the deadline track (before_due, at_due, overdue) only the one with the latest nominal
//     time is kept, and a before_due is not kept once now is at or past the deadline ("due in 2
//     hours" is false then);
//   - of the verification reminders only the latest is kept;
//   - every escalation and verification_escalation is kept: each level tells someone new.
// Entries with fire_at > now are not due and are left out. What is left out should be recorded
// as skipped by the caller, so it is not considered again.
std::vector<PlannedReminder> CollapseMissed(std::vector<PlannedReminder> due, Instant now);

}  // namespace kaizen
