// Follow-up: what kaizen does after a write so that people hear about it. Keeps each task's
// pending reminders equal to what its policy plans now, fires reminders whose time has come,
// and writes the notifications for task events (waiting for verification, rejected, plan
// completed) into the outbox. Every function runs inside the caller's write transaction, so a
// reminder's firing and the notification it creates commit together or not at all.
//
// Routing: a notification goes to each channel of the plan's team (FollowUpSettings::teams),
// or to the default channels when the team names none; an escalation level with its own channel
// goes there instead.
//
// Runs on the storage writer; no state of its own; no clock (now is a parameter).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/model.h"
#include "workflow/notification.h"
#include "workflow/plan_service.h"
#include "workflow/reminder_policy.h"
#include "workflow/repository.h"
#include "workflow/working_calendar.h"

namespace kaizen {

// The policy used when neither the task, its plan, its team nor the config's defaults name
// one: a day before the deadline, at the deadline, daily while overdue (3 times), the manager
// after a day overdue, the plan owner after three; done tasks chased after a day, daily, three
// times, then the verifier's manager after three days.
ReminderPolicy BuiltInReminderPolicy();
inline constexpr std::string_view kBuiltInPolicyName = "default";

// Changes whenever PlanReminders or BuiltInReminderPolicy would plan differently for the same
// config, so that an upgrade re-plans like a config change does.
inline constexpr std::string_view kReminderPlanningVersion = "planning-1";

// The settings key under which the fingerprint of the last full planning is stored.
inline constexpr std::string_view kPlanningFingerprintKey = "reminder_planning_fingerprint";

struct TeamFollowUp {
  std::string policy;                       // policy name; empty: the default policy
  std::optional<WorkingCalendar> calendar;  // nullopt: no working-time shift
  std::vector<std::string> channels;        // channel ids; empty: the default channels
};

struct FollowUpSettings {
  // By name; every one valid. The built-in policy is added under kBuiltInPolicyName unless the
  // config defines a policy of that name.
  std::map<std::string, ReminderPolicy, std::less<>> policies;
  std::string default_policy = std::string(kBuiltInPolicyName);
  std::map<std::string, TeamFollowUp, std::less<>> teams;  // by team id; a team may be missing
  std::vector<std::string> default_channels = {"log"};
  // A new notification is first due this long after it is written, so that notifications of one
  // channel written close together are delivered as one grouped message (DeliveryOptions).
  std::chrono::milliseconds group_window{0};
  // Identifies what reminders are planned from (the config's policies, calendars, defaults,
  // teams and people, and kReminderPlanningVersion). When it differs from the fingerprint the
  // stored reminders were planned with, every task is planned again at start
  // (ReplanAllReminders), so a policy edited in the config reaches tasks nobody touches.
  std::string fingerprint;

  // The policy for `task` of `plan`: the task's, else the plan's, else the team's, else the
  // default. A name that is not (or no longer) defined falls back to the next in that order.
  const ReminderPolicy& PolicyFor(const Task& task, const Plan& plan) const;
  // The team's calendar, or WorkingCalendar::AlwaysWorking().
  const WorkingCalendar& CalendarOf(std::string_view team) const;
  // The channels of the team's notifications.
  const std::vector<std::string>& ChannelsOf(std::string_view team) const;

 private:
  // Lazily built fallbacks are not allowed (shared between threads): these are built once.
  WorkingCalendar always_working_ = WorkingCalendar::AlwaysWorking();
  ReminderPolicy built_in_ = BuiltInReminderPolicy();
};

// Recomputes the pending reminders of `task` (of `plan`): every reminder PlanReminders gives
// that is not yet stored is added pending, a stored pending reminder it no longer gives is
// deleted (never sent), one it gives again with other facts is updated; fired and skipped ones
// stay. New reminders whose fire time has already passed (a deadline moved into the past) are
// collapsed like a catch-up (CollapseMissed): the one still true is added, the others are
// stored as skipped. Returns whether anything pending changed (the scheduler re-arms).
bool SyncTaskReminders(PlanRepository& repo, const FollowUpSettings& settings,
                       const Directory& directory, const Task& task, const Plan& plan, Instant now);

// SyncTaskReminders for every task of the plan (a plan's state or policy changed).
bool SyncPlanReminders(PlanRepository& repo, const FollowUpSettings& settings,
                       const Directory& directory, PlanId plan_id, Instant now);

struct ReplanReport {
  int tasks = 0;                     // tasks planned again in this call
  bool changed = false;              // some pending reminder was added, changed or dropped
  std::optional<TaskId> next_after;  // set when more tasks follow: pass it back as `after`
};

// Plans the reminders of up to `limit` tasks with ids above `after` again (SyncTaskReminders),
// for a config change; tasks that can have no reminders (verified, cancelled) have their
// pending ones dropped all the same. When the last batch is done (next_after unset), the
// settings' fingerprint is stored under kPlanningFingerprintKey.
ReplanReport ReplanAllReminders(PlanRepository& repo, const FollowUpSettings& settings,
                                const Directory& directory, std::optional<TaskId> after, int limit,
                                Instant now);

// Whether the stored reminders were planned with other settings than `settings`.
bool NeedsReplanning(PlanReader& reader, const FollowUpSettings& settings);

// The notifications of a task's transition, written to the outbox: moved to done: the
// verifier (waiting_verification), unless the verifier moved it; rejected: the owner, with the
// note; and when the transition completed the plan: the team (plan_completed). Returns how many
// notifications were written.
int NotifyTransition(PlanRepository& repo, const FollowUpSettings& settings,
                     const Directory& directory, const RecordedTransition& transition, Instant now);

struct FireReport {
  int fired = 0;          // reminders that created notifications
  int skipped = 0;        // reminders left out by the catch-up rule or with nobody to tell
  int notifications = 0;  // outbox rows written
  bool more = false;      // the limit was reached: call again
};

// Fires up to `limit` due reminders (fire_at <= now): each is marked fired and gets one
// notification per channel of its route, in this transaction. The due reminders are first
// collapsed by CollapseMissed and those left out are marked skipped: after downtime (catch_up,
// once at start) that is the catch-up rule; while running, reminders of one task due in the same
// instant say one thing. A reminder whose task is gone, is in a state its track does not
// concern, or whose plan is not active any more is skipped. catch_up only changes the log's
// wording, which the caller owns; the rule is the same.
FireReport FireDueReminders(PlanRepository& repo, const FollowUpSettings& settings,
                            const Directory& directory, Instant now, int limit, bool catch_up);

// A notification about a whole plan (cycle_started, cycle_summary, a goal's check-in, ...),
// written to each channel of the plan's team in the caller's transaction. Addressed to the team,
// or to `person` when set (mentioned by their handle). `cause` names the event for the
// idempotency key, so writing the same cause twice writes nothing new. Returns how many
// notifications were new.
int NotifyPlanEvent(PlanRepository& repo, const FollowUpSettings& settings,
                    const Directory& directory, const Plan& plan, std::string_view kind,
                    std::map<std::string, std::string> facts, const std::string& cause,
                    Instant now, const std::optional<PersonId>& person = std::nullopt);

// The idempotency key of a notification: printable ASCII without '.', unique per cause and
// channel, the same whenever the same cause is written again.
std::string NotificationKey(std::string_view cause, std::string_view channel);

}  // namespace kaizen
