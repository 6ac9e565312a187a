#include "workflow/messages.h"

#include <algorithm>

#include "workflow/notification.h"

namespace kaizen {

std::string_view ToString(Locale locale) {
  switch (locale) {
    case Locale::kEn: return "en";
    case Locale::kZhCn: return "zh-CN";
  }
  return "en";
}

std::optional<Locale> ParseLocale(std::string_view text) {
  if (text == "en") return Locale::kEn;
  if (text == "zh-CN" || text == "zh-cn" || text == "zh_CN") return Locale::kZhCn;
  return std::nullopt;
}

const std::vector<std::string_view>& TemplateKinds() {
  static const std::vector<std::string_view> kinds = {
      kNotifyBeforeDue,
      kNotifyAtDue,
      kNotifyOverdue,
      kNotifyEscalation,
      kNotifyWaitingVerification,
      kNotifyVerification,
      kNotifyVerificationEscalation,
      kNotifyRejected,
      kNotifyPlanCompleted,
      kNotifyCycleStarted,
      kNotifyCycleSummary,
      kNotifyGoalCheckIn,
      kNotifyChannelBroken,
      kNotifyChannelTest,
      kMessageDigest,
  };
  return kinds;
}

bool IsTemplateKind(std::string_view kind) {
  const auto& kinds = TemplateKinds();
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

TemplateScope TemplateScopeFor(std::string_view kind) {
  TemplateScope scope;
  if (kind == kMessageDigest) {
    scope.names = {"count", "one", "split", "part", "parts", "channel"};
    scope.lists["items"] = {"mention", "text", "kind", "task", "link", "url"};
    return scope;
  }
  scope.names = {
      // the event
      "kind",
      "task",
      "task_id",
      "plan",
      "plan_id",
      "team",
      "owner",
      "recipient",
      "actor",
      "note",
      "urgent",
      "level",
      // its deadline, in the team's zone and the message's language
      "has_due",
      "due",
      "zone",
      "due_in",
      "overdue_by",
      "upcoming",
      "due_now",
      "overdue",
      // a link to the task or plan (the chat's link markup) and the bare address
      "link",
      "url",
  };
  for (std::string_view fact : kNotificationFacts) scope.names.insert(std::string(fact));
  return scope;
}

}  // namespace kaizen
