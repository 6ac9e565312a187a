#include "notifiers/webhook_payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kaizen::notifiers {
namespace {

Instant At(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

Notification Overdue() {
  Notification n;
  n.id = 17;
  n.idempotency_key = "rem-42-overdue-P1D-ops";
  n.channel = "ops";
  NotificationEvent& e = n.event;
  e.kind = std::string(kNotifyOverdue);
  e.task_id = 42;
  e.plan_id = 7;
  e.task_title = "Ship v2";
  e.plan_title = "Q4 launch";
  e.team = "platform";
  e.time_zone = "Asia/Shanghai";
  e.owner = "wangfang";
  e.owner_name = "Wang Fang";
  e.due_at = At("2026-11-26T01:00:00Z");
  e.task_state = TaskState::kInProgress;
  e.recipient = "wangfang";
  e.recipient_name = "Wang Fang";
  e.reminder_key = "overdue-P1D";
  e.actor = "system";
  e.occurred_at = At("2026-11-27T01:00:00Z");
  return n;
}

Notification PlanCompleted() {
  Notification n;
  n.id = 18;
  n.idempotency_key = "plan-7-completed-ops";
  n.channel = "ops";
  NotificationEvent& e = n.event;
  e.kind = std::string(kNotifyPlanCompleted);
  e.plan_id = 7;
  e.plan_title = "Q4 launch";
  e.team = "platform";
  e.owner = "lilei";
  e.owner_name = "Li Lei";
  e.recipient_kind = RecipientKind::kTeam;
  e.recipient = "platform";
  e.recipient_name = "Platform";
  e.mention_all = true;
  e.actor = "zhangwei";
  e.occurred_at = At("2026-11-27T00:30:00.250Z");
  return n;
}

TEST(WebhookBody, SingleNotificationGolden) {
  DeliveryBatch batch;
  batch.channel = "ops";
  batch.idempotency_key = "rem-42-overdue-P1D-ops";
  batch.items = {Overdue()};
  batch.attempt = 2;
  EXPECT_EQ(
      WebhookBody(batch, At("2026-11-27T01:00:05Z")),
      R"j({"type":"kaizen.overdue","timestamp":"2026-11-27T01:00:05Z","id":"rem-42-overdue-P1D-ops",)j"
      R"j("data":{"notification_id":17,"idempotency_key":"rem-42-overdue-P1D-ops","kind":"overdue",)j"
      R"j("task":{"id":42,"title":"Ship v2","state":"in_progress","due_at":"2026-11-26T01:00:00Z"},)j"
      R"j("plan":{"id":7,"title":"Q4 launch","team":"platform"},)j"
      R"j("owner":{"id":"wangfang","name":"Wang Fang"},)j"
      R"j("recipient":{"kind":"person","id":"wangfang","name":"Wang Fang"},)j"
      R"j("mention_all":false,"urgent":false,"actor":"system","occurred_at":"2026-11-27T01:00:00Z",)j"
      R"j("attempt":2,"message":"@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is overdue by )j"
      R"j(1 day, due Thu 26 Nov 09:00 (Asia/Shanghai)"}})j");
}

TEST(WebhookBody, OptionalFieldsAppearOnlyWhenSet) {
  Notification n = Overdue();
  n.event.kind = std::string(kNotifyEscalation);
  n.event.escalation_level = 0;
  n.event.urgent = true;
  n.event.due_at.reset();
  DeliveryBatch batch{"ops", n.idempotency_key, {n}, 1};
  auto body = nlohmann::json::parse(WebhookBody(batch, At("2026-11-27T01:00:05Z")));
  EXPECT_EQ(body["type"], "kaizen.escalation");
  EXPECT_EQ(body["data"]["escalation_level"], 0);
  EXPECT_EQ(body["data"]["urgent"], true);
  EXPECT_TRUE(body["data"]["task"]["due_at"].is_null());
  EXPECT_FALSE(body["data"].contains("note"));

  n.event.kind = std::string(kNotifyRejected);
  n.event.escalation_level = -1;
  n.event.note = "numbers \"off\"\n by 2";
  batch.items = {n};
  body = nlohmann::json::parse(WebhookBody(batch, At("2026-11-27T01:00:05Z")));
  EXPECT_FALSE(body["data"].contains("escalation_level"));
  EXPECT_EQ(body["data"]["note"], "numbers \"off\"\n by 2");
}

TEST(WebhookBody, InvalidUtf8IsReplacedNotRefused) {
  Notification n = Overdue();
  n.event.task_title = "Ship \xff v2";
  DeliveryBatch batch{"ops", n.idempotency_key, {n}, 1};
  auto body = nlohmann::json::parse(WebhookBody(batch, At("2026-11-27T01:00:05Z")));
  EXPECT_EQ(body["data"]["task"]["title"], "Ship \xEF\xBF\xBD v2");
}

TEST(WebhookBody, DigestGolden) {
  DeliveryBatch batch;
  batch.channel = "ops";
  batch.idempotency_key = "batch-17-ops";
  batch.items = {Overdue(), PlanCompleted()};
  batch.attempt = 1;
  EXPECT_EQ(
      WebhookBody(batch, At("2026-11-27T01:00:05.500Z")),
      R"j({"type":"kaizen.digest","timestamp":"2026-11-27T01:00:05.500Z","id":"batch-17-ops",)j"
      R"j("data":{"count":2,"message":"2 reminders\n- @Wang Fang: Reminder: \"Ship v2\" (owner )j"
      R"j(Wang Fang) is overdue by 1 day, due Thu 26 Nov 09:00 (Asia/Shanghai)\n- @all: Plan )j"
      R"j(\"Q4 launch\" is complete: every task is verified or cancelled","items":[)j"
      R"j({"notification_id":17,"idempotency_key":"rem-42-overdue-P1D-ops","kind":"overdue",)j"
      R"j("task":{"id":42,"title":"Ship v2","state":"in_progress","due_at":"2026-11-26T01:00:00Z"},)j"
      R"j("plan":{"id":7,"title":"Q4 launch","team":"platform"},)j"
      R"j("owner":{"id":"wangfang","name":"Wang Fang"},)j"
      R"j("recipient":{"kind":"person","id":"wangfang","name":"Wang Fang"},)j"
      R"j("mention_all":false,"urgent":false,"actor":"system","occurred_at":"2026-11-27T01:00:00Z",)j"
      R"j("attempt":1,"message":"@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is overdue by )j"
      R"j(1 day, due Thu 26 Nov 09:00 (Asia/Shanghai)"},)j"
      R"j({"notification_id":18,"idempotency_key":"plan-7-completed-ops","kind":"plan_completed",)j"
      R"j("plan":{"id":7,"title":"Q4 launch","team":"platform"},)j"
      R"j("owner":{"id":"lilei","name":"Li Lei"},)j"
      R"j("recipient":{"kind":"team","id":"platform","name":"Platform"},)j"
      R"j("mention_all":true,"urgent":false,"actor":"zhangwei",)j"
      R"j("occurred_at":"2026-11-27T00:30:00.250Z","attempt":1,)j"
      R"j("message":"@all: Plan \"Q4 launch\" is complete: every task is verified or cancelled"}]}})j");
}

}  // namespace
}  // namespace kaizen::notifiers
