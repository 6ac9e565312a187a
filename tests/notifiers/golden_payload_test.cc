// Golden payloads: the request body of every message kind, for every chat provider, in both
// languages, with a base URL for links, compared with tests/notifiers/golden/<provider>.json.
//
// The goldens are what a person reviewed once; a change to any word, mention or escape shows
// up as a diff here. After a deliberate change, regenerate them and read the diff:
//   KAIZEN_UPDATE_GOLDENS=1 build/release/tests/notifiers/notifiers_tests
//     --gtest_filter='*GoldenPayload*'
//   git diff tests/notifiers/golden
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "notifiers/message_text.h"
#include "notifiers/provider_payload.h"

namespace kaizen::notifiers {
namespace {

using Json = nlohmann::ordered_json;

Instant At(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

// Wang Fang owns the task; Li Hua, her manager, gets escalations; both have a handle on every
// provider.
Directory People() {
  Person wang;
  wang.id = "wangfang";
  wang.name = "Wang Fang";
  wang.team = "platform";
  wang.manager = "lihua";
  wang.handles = {{"dingtalk", "13800000001"},
                  {"feishu", "ou_7d8a6e6df7621556ce0d21922b676706"},
                  {"wecom", "wangfang"},
                  {"slack", "U024BE7LH"},
                  {"teams", "wang.fang@example.com"},
                  {"discord", "80351110224678912"}};
  Person li;
  li.id = "lihua";
  li.name = "Li Hua";
  li.team = "platform";
  li.handles = {{"dingtalk", "manager-li"},      {"feishu", "ou_0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"},
                {"wecom", "13900000002"},        {"slack", "U0G9QF9C6"},
                {"teams", "li.hua@example.com"}, {"discord", "90351110224678913"}};
  Team team;
  team.id = "platform";
  team.name = "Platform";
  team.time_zone = "Asia/Shanghai";
  return Directory({wang, li}, {team});
}

const Instant kNow = At("2026-11-25T09:00:00+08:00");

// One event of `kind` as kaizen writes it, addressed the way follow_up.h addresses that kind.
NotificationEvent EventOf(std::string_view kind, Locale locale) {
  const bool zh = locale == Locale::kZhCn;
  NotificationEvent e;
  e.kind = std::string(kind);
  e.task_id = 42;
  e.plan_id = 7;
  e.task_title = zh ? "整理十月客诉数据" : "Collect October complaint data";
  e.plan_title = zh ? "十一月运营月度回顾" : "November operations review";
  e.team = "platform";
  e.time_zone = "Asia/Shanghai";
  e.owner = "wangfang";
  e.owner_name = "Wang Fang";
  e.due_at = At("2026-11-27T18:00:00+08:00");
  e.recipient = "wangfang";
  e.recipient_name = "Wang Fang";
  e.actor = "system";
  if (kind == kNotifyOverdue || kind == kNotifyEscalation) {
    e.due_at = At("2026-11-23T18:00:00+08:00");
  }
  if (kind == kNotifyAtDue) e.due_at = kNow;
  if (kind == kNotifyEscalation || kind == kNotifyWaitingVerification ||
      kind == kNotifyVerification || kind == kNotifyVerificationEscalation) {
    e.recipient = "lihua";
    e.recipient_name = "Li Hua";
  }
  if (kind == kNotifyEscalation) e.escalation_level = 0;
  if (kind == kNotifyRejected) {
    e.actor = "lihua";
    e.note = zh ? "缺少 VIP 客户的数据" : "VIP customers are missing";
  }
  if (kind == kNotifyPlanCompleted || kind == kNotifyCycleStarted || kind == kNotifyCycleSummary) {
    e.task_id = 0;
    e.task_title.clear();
    e.owner = "lihua";
    e.owner_name = "Li Hua";
    e.recipient_kind = RecipientKind::kTeam;
    e.recipient = "platform";
    e.recipient_name = "Platform";
    e.mention_all = kind != kNotifyCycleSummary;
    if (kind != kNotifyCycleStarted) e.due_at.reset();
  }
  if (kind == kNotifyCycleStarted) e.facts = {{"tasks_total", "7"}};
  if (kind == kNotifyCycleSummary) {
    e.facts = {{"tasks_total", "7"},
               {"tasks_done", "6"},
               {"tasks_overdue", "1"},
               {"on_time_percent", "71"},
               {"tasks_carried", "1"}};
  }
  if (kind == kNotifyGoalCheckIn) {
    e.task_id = 0;
    e.task_title.clear();
    e.due_at.reset();
    e.facts = {{"goal_metric", zh ? "客户满意度" : "customer satisfaction"},
               {"goal_target", "85"},
               {"goal_unit", "%"},
               {"goal_actual", "82.5"}};
  }
  if (kind == kNotifyChannelBroken || kind == kNotifyChannelTest) {
    e.task_id = 0;
    e.plan_id = 0;
    e.task_title.clear();
    e.plan_title.clear();
    e.due_at.reset();
    e.facts = {{"channel", "ops-dingtalk"}};
    if (kind == kNotifyChannelBroken) {
      e.facts["reason"] = "dead_channel:token is not exist:300001";
      e.facts["waiting"] = "4";
    }
  }
  return e;
}

DeliveryBatch BatchOf(std::vector<NotificationEvent> events) {
  DeliveryBatch batch;
  batch.channel = "ops-chat";
  batch.idempotency_key = events.size() == 1 ? "rem-42-k" : BatchKey(101, "ops-chat");
  NotificationId id = 101;
  for (NotificationEvent& e : events) {
    Notification n;
    n.id = id;
    n.idempotency_key = "rem-" + std::to_string(id);
    ++id;
    n.channel = "ops-chat";
    n.event = std::move(e);
    batch.items.push_back(std::move(n));
  }
  return batch;
}

// Every message kind of one provider in both languages: {"en": {kind: [bodies]}, "zh-CN": ...}.
Json Render(Provider provider) {
  MessageSettings settings;
  settings.base_url = "https://kaizen.example.com";
  const MessageCatalog catalog = MessageCatalog::Make(settings).value();
  const Directory people = People();
  Json out;
  for (Locale locale : kAllLocales) {
    Json kinds;
    for (std::string_view kind : TemplateKinds()) {
      DeliveryBatch batch =
          kind == kMessageDigest
              ? BatchOf({EventOf(kNotifyBeforeDue, locale), EventOf(kNotifyOverdue, locale),
                         EventOf(kNotifyEscalation, locale)})
              : BatchOf({EventOf(kind, locale)});
      Json bodies = Json::array();
      for (const ProviderMessage& m :
           FormatForProvider(provider, batch, people, kNow, catalog, locale)) {
        bodies.push_back(Json::parse(m.body));
      }
      kinds[std::string(kind)] = std::move(bodies);
    }
    out[std::string(ToString(locale))] = std::move(kinds);
  }
  return out;
}

std::string GoldenPath(Provider provider) {
  return std::string(KAIZEN_GOLDEN_DIR) + "/" + std::string(ToString(provider)) + ".json";
}

class GoldenPayload : public ::testing::TestWithParam<Provider> {};

TEST_P(GoldenPayload, EveryKindInBothLanguagesMatchesTheReviewedBody) {
  const Provider provider = GetParam();
  const Json actual = Render(provider);
  const std::string path = GoldenPath(provider);
  if (const char* update = std::getenv("KAIZEN_UPDATE_GOLDENS"); update && *update == '1') {
    std::ofstream(path) << actual.dump(2, ' ', false) << "\n";
    GTEST_SKIP() << "wrote " << path;
  }
  std::ifstream file(path);
  ASSERT_TRUE(file) << "missing golden " << path;
  std::stringstream text;
  text << file.rdbuf();
  const Json expected = Json::parse(text.str());
  for (const auto& [locale, kinds] : expected.items()) {
    for (const auto& [kind, bodies] : kinds.items()) {
      ASSERT_TRUE(actual.contains(locale) && actual[locale].contains(kind))
          << locale << " " << kind;
      EXPECT_EQ(actual[locale][kind], bodies)
          << ToString(provider) << " " << locale << " " << kind << "\nactual:\n"
          << actual[locale][kind].dump(2) << "\nexpected:\n"
          << bodies.dump(2);
    }
  }
  // Every kind is in the golden: a new kind needs a reviewed body too.
  for (const auto& [locale, kinds] : actual.items()) {
    for (const auto& [kind, bodies] : kinds.items()) {
      EXPECT_TRUE(expected.contains(locale) && expected[locale].contains(kind))
          << "no golden for " << locale << " " << kind;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllProviders, GoldenPayload,
                         ::testing::Values(Provider::kWebhook, Provider::kDingTalk,
                                           Provider::kFeishu, Provider::kWeCom, Provider::kSlack,
                                           Provider::kTeams, Provider::kTeamsLegacy,
                                           Provider::kDiscord),
                         [](const ::testing::TestParamInfo<Provider>& param) {
                           return std::string(ToString(param.param));
                         });

}  // namespace
}  // namespace kaizen::notifiers
