#include "workflow/notification.h"

namespace kaizen {

std::string_view ToString(NotificationState state) {
  switch (state) {
    case NotificationState::kPending: return "pending";
    case NotificationState::kDelivering: return "delivering";
    case NotificationState::kDelivered: return "delivered";
    case NotificationState::kFailed: return "failed";
    case NotificationState::kDead: return "dead";
  }
  return "unknown";
}

std::optional<NotificationState> ParseNotificationState(std::string_view text) {
  for (NotificationState s : kAllNotificationStates) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view ToString(ReminderStatus status) {
  switch (status) {
    case ReminderStatus::kPending: return "pending";
    case ReminderStatus::kFired: return "fired";
    case ReminderStatus::kSkipped: return "skipped";
  }
  return "unknown";
}

std::optional<ReminderStatus> ParseReminderStatus(std::string_view text) {
  for (ReminderStatus s :
       {ReminderStatus::kPending, ReminderStatus::kFired, ReminderStatus::kSkipped}) {
    if (ToString(s) == text) return s;
  }
  return std::nullopt;
}

}  // namespace kaizen
