// Notifications: the outbox rows that carry reminders and task events to chat channels, and the
// stored state of a task's planned reminders.
//
// A notification is written in the same transaction as the event that causes it (a reminder
// firing, a task moved to done, a rejection, a completed plan) and delivered later by the
// dispatcher, so nothing acknowledged is lost. One row per (cause, channel); the idempotency key
// names the cause and the channel and is unique, so writing the same cause twice creates one
// row. A row goes through
//
//   pending ──claim──> delivering ──2xx──> delivered
//      ^                   │
//      │                   ├──retry later──> failed (next_attempt_at, last_error) ──due──>
//      delivering │                   └──permanent error or attempts exhausted──> dead └──── daemon
//      restart (delivering was in flight) / POST .../retry (dead or failed)
//
// Plain values; no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/model.h"
#include "workflow/reminder_policy.h"
#include "workflow/time.h"

namespace kaizen {

using NotificationId = std::int64_t;

enum class NotificationState { kPending, kDelivering, kDelivered, kFailed, kDead };
inline constexpr NotificationState kAllNotificationStates[] = {
    NotificationState::kPending, NotificationState::kDelivering, NotificationState::kDelivered,
    NotificationState::kFailed, NotificationState::kDead};
// "pending", "delivering", "delivered", "failed", "dead".
std::string_view ToString(NotificationState state);
std::optional<NotificationState> ParseNotificationState(std::string_view text);

// What a notification is about. The reminder kinds of reminder_policy.h by the same names, plus
// the events that are told at once.
inline constexpr std::string_view kNotifyBeforeDue = "before_due";
inline constexpr std::string_view kNotifyAtDue = "at_due";
inline constexpr std::string_view kNotifyOverdue = "overdue";
inline constexpr std::string_view kNotifyEscalation = "escalation";
inline constexpr std::string_view kNotifyVerification = "verification";
inline constexpr std::string_view kNotifyVerificationEscalation = "verification_escalation";
// A task moved to done: its verifier is asked to verify.
inline constexpr std::string_view kNotifyWaitingVerification = "waiting_verification";
// A done task was rejected: its owner is told why.
inline constexpr std::string_view kNotifyRejected = "rejected";
// Every task of a plan is verified (or cancelled): the team is told.
inline constexpr std::string_view kNotifyPlanCompleted = "plan_completed";
// A review cycle's plan was created by its schedule: the team is told what it holds.
inline constexpr std::string_view kNotifyCycleStarted = "cycle_started";
// A review cycle closed: the team gets its figures.
inline constexpr std::string_view kNotifyCycleSummary = "cycle_summary";
// A channel's provider refused it for good (revoked token, keyword, IP allow-list): the
// channel's owner is told through another channel.
inline constexpr std::string_view kNotifyChannelBroken = "channel_broken";
// A message an operator asked for to see a channel work (POST /api/v1/channels/{id}/test):
// never in the outbox. recipient_kind team with recipient the channel id, nobody mentioned.
inline constexpr std::string_view kNotifyChannelTest = "channel_test";

// The named facts an event may carry beyond the fields of NotificationEvent, for the kinds
// that have them: "channel", "reason" and "waiting" (messages held) for channel_broken and
// channel_test; the figures of a cycle for cycle_started and cycle_summary. Templates see
// each under its name; a fact an event does not carry is empty.
// tasks_carried (cycle_summary): unfinished tasks moved on to the next cycle, empty when none;
// on_time_percent is empty when no task was finished or due yet.
inline constexpr std::string_view kNotificationFacts[] = {
    "channel",    "reason",        "waiting",         "tasks_total",
    "tasks_done", "tasks_overdue", "on_time_percent", "tasks_carried"};

// Everything a formatter needs to write the message, captured when the notification is created
// (a later rename of the task does not rewrite a message already decided).
struct NotificationEvent {
  std::string kind;    // one of the kNotify* names
  TaskId task_id = 0;  // 0 for plan events
  PlanId plan_id = 0;
  std::string task_title;
  std::string plan_title;
  std::string team;               // the plan's team
  std::string time_zone = "UTC";  // the team's IANA zone, for writing times people read
  PersonId owner;                 // the task's owner (plan owner for plan events)
  std::string owner_name;
  std::optional<Instant> due_at;  // the task's deadline, when the event concerns one
  TaskState task_state = TaskState::kOpen;
  // Who must act: a person, or a whole team (mention_all).
  RecipientKind recipient_kind = RecipientKind::kPerson;
  std::string recipient;  // person id or team id
  std::string recipient_name;
  bool mention_all = false;
  bool urgent = false;
  std::string reminder_key;   // the reminder's key for reminder kinds; empty otherwise
  int escalation_level = -1;  // index in the policy's escalations; -1 when not an escalation
  std::string note;           // the rejection's note; empty otherwise
  std::string actor;          // who caused the event (transitions); "system" for reminders
  Instant occurred_at{};      // when the reminder fired or the event happened
  // Named by kNotificationFacts; other names are not written.
  std::map<std::string, std::string> facts;
  bool operator==(const NotificationEvent&) const = default;
};

struct Notification {
  NotificationId id = 0;  // assigned by the repository, increasing
  // Unique over all notifications; stays the same across retries (the receiver deduplicates on
  // it). Printable ASCII without '.'.
  std::string idempotency_key;
  std::string channel;  // channel id from the config
  NotificationEvent event;
  NotificationState state = NotificationState::kPending;
  int attempts = 0;  // attempts started so far
  Instant created_at{};
  Instant next_attempt_at{};  // pending and failed: not before this
  Instant updated_at{};
  std::optional<Instant> delivered_at;
  std::string last_error;  // why the last attempt failed; empty when none did
  // Notifications delivered together as one message share the batch id (the smallest id of the
  // batch), assigned when first claimed and kept across retries, so a repeat after a crash sends
  // the same batch under the same key.
  std::optional<NotificationId> batch_id;
  bool operator==(const Notification&) const = default;
};

struct NotificationFilter {
  std::optional<NotificationState> state;
  std::optional<TaskId> task;
  std::optional<std::string> channel;
  int limit = 50;
  std::optional<NotificationId> after;  // keyset cursor: only ids greater than this
};

// A planned reminder as stored: pending until it fires (a notification is created in the same
// transaction) or is skipped by the catch-up rule. A pending reminder that no longer applies is
// deleted, so it is never sent.
enum class ReminderStatus { kPending, kFired, kSkipped };
std::string_view ToString(ReminderStatus status);  // "pending", "fired", "skipped"
std::optional<ReminderStatus> ParseReminderStatus(std::string_view text);

struct StoredReminder {
  PlannedReminder planned;
  ReminderStatus status = ReminderStatus::kPending;
  std::optional<Instant> settled_at;  // when it fired or was skipped
  bool operator==(const StoredReminder&) const = default;
};

}  // namespace kaizen
