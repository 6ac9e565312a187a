#include "notifiers/message_text.h"

#include <gtest/gtest.h>

namespace kaizen::notifiers {
namespace {

Instant At(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

// "Ship v2", owned by Wang Fang, due Thursday 26 November 09:00 in Shanghai; the owner is told.
NotificationEvent Event(std::string_view kind) {
  NotificationEvent e;
  e.kind = std::string(kind);
  e.task_id = 42;
  e.plan_id = 7;
  e.task_title = "Ship v2";
  e.plan_title = "Q4 launch";
  e.team = "platform";
  e.time_zone = "Asia/Shanghai";
  e.owner = "wangfang";
  e.owner_name = "Wang Fang";
  e.due_at = At("2026-11-26T09:00:00+08:00");
  e.recipient = "wangfang";
  e.recipient_name = "Wang Fang";
  e.actor = "system";
  return e;
}

TEST(MessageText, BeforeDueSaysHowLongIsLeftAndWhenInTheTeamsZone) {
  EXPECT_EQ(MessageText(Event(kNotifyBeforeDue), At("2026-11-25T09:00:00+08:00")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is due in 1 day, "
            "Thu 26 Nov 09:00 (Asia/Shanghai)");
}

TEST(MessageText, RelativeTimesUseCoarseUnits) {
  const NotificationEvent e = Event(kNotifyBeforeDue);
  auto in = [&](std::string_view now) {
    std::string text = MessageText(e, At(now));
    auto begin = text.find("due in ") + 7;
    return text.substr(begin, text.find(',', begin) - begin);
  };
  EXPECT_EQ(in("2026-11-23T09:00:00+08:00"), "3 days");
  EXPECT_EQ(in("2026-11-24T21:00:00+08:00"), "2 days");  // 36 hours: the nearer whole day
  EXPECT_EQ(in("2026-11-25T10:00:00+08:00"), "23 hours");
  EXPECT_EQ(in("2026-11-26T08:00:00+08:00"), "1 hour");
  EXPECT_EQ(in("2026-11-26T07:30:00+08:00"), "2 hours");
  EXPECT_EQ(in("2026-11-26T08:15:00+08:00"), "45 minutes");
  EXPECT_EQ(in("2026-11-26T08:59:00+08:00"), "1 minute");
  EXPECT_EQ(in("2026-11-26T08:59:50+08:00"), "less than a minute");
}

TEST(MessageText, AtDueSaysDueNow) {
  EXPECT_EQ(MessageText(Event(kNotifyAtDue), At("2026-11-26T09:00:00.400+08:00")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is due now, "
            "Thu 26 Nov 09:00 (Asia/Shanghai)");
}

TEST(MessageText, OverdueSaysByHowMuch) {
  EXPECT_EQ(MessageText(Event(kNotifyOverdue), At("2026-11-28T09:05:00+08:00")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is overdue by 2 days, "
            "due Thu 26 Nov 09:00 (Asia/Shanghai)");
  EXPECT_EQ(MessageText(Event(kNotifyOverdue), At("2026-11-26T13:00:00+08:00")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is overdue by 4 hours, "
            "due Thu 26 Nov 09:00 (Asia/Shanghai)");
}

TEST(MessageText, EscalationNamesTheOwnerToTheManager) {
  NotificationEvent e = Event(kNotifyEscalation);
  e.recipient = "lilei";
  e.recipient_name = "Li Lei";
  e.escalation_level = 0;
  EXPECT_EQ(MessageText(e, At("2026-11-27T09:00:00+08:00")),
            "@Li Lei: Escalation: \"Ship v2\" owned by Wang Fang is overdue by 1 day "
            "(due Thu 26 Nov 09:00, Asia/Shanghai)");
}

TEST(MessageText, ATeamWithMentionAllIsAddressedAsAll) {
  NotificationEvent e = Event(kNotifyEscalation);
  e.recipient_kind = RecipientKind::kTeam;
  e.recipient = "platform";
  e.recipient_name = "Platform";
  e.mention_all = true;
  EXPECT_EQ(MessageText(e, At("2026-11-29T09:00:00+08:00")),
            "@all: Escalation: \"Ship v2\" owned by Wang Fang is overdue by 3 days "
            "(due Thu 26 Nov 09:00, Asia/Shanghai)");
  e.mention_all = false;
  EXPECT_EQ(MessageText(e, At("2026-11-29T09:00:00+08:00")).substr(0, 12), "Escalation: ");
}

TEST(MessageText, VerificationKindsAskTheVerifier) {
  NotificationEvent e = Event(kNotifyWaitingVerification);
  e.recipient = "zhangwei";
  e.recipient_name = "Zhang Wei";
  e.task_state = TaskState::kDone;
  const Instant now = At("2026-11-25T15:00:00+08:00");
  EXPECT_EQ(MessageText(e, now),
            "@Zhang Wei: \"Ship v2\" by Wang Fang is done and waits for your verification");
  e.kind = std::string(kNotifyVerification);
  EXPECT_EQ(MessageText(e, now),
            "@Zhang Wei: Reminder: \"Ship v2\" by Wang Fang is done and waits for your "
            "verification");
  e.kind = std::string(kNotifyVerificationEscalation);
  e.recipient = "lilei";
  e.recipient_name = "Li Lei";
  EXPECT_EQ(MessageText(e, now),
            "@Li Lei: Escalation: \"Ship v2\" by Wang Fang is done and still waits for "
            "verification");
}

TEST(MessageText, RejectedTellsTheOwnerWhoAndWhy) {
  NotificationEvent e = Event(kNotifyRejected);
  e.actor = "zhangwei";
  e.note = "the numbers do not add up";
  const Instant now = At("2026-11-25T15:00:00+08:00");
  EXPECT_EQ(MessageText(e, now),
            "@Wang Fang: \"Ship v2\" was rejected by zhangwei: the numbers do not add up");
  e.note.clear();
  EXPECT_EQ(MessageText(e, now), "@Wang Fang: \"Ship v2\" was rejected by zhangwei");
}

TEST(MessageText, PlanCompletedTellsTheTeam) {
  NotificationEvent e = Event(kNotifyPlanCompleted);
  e.task_id = 0;
  e.task_title.clear();
  e.due_at.reset();
  e.recipient_kind = RecipientKind::kTeam;
  e.recipient = "platform";
  e.mention_all = true;
  EXPECT_EQ(MessageText(e, At("2026-11-30T10:00:00+08:00")),
            "@all: Plan \"Q4 launch\" is complete: every task is verified or cancelled");
}

TEST(MessageText, UnknownZoneFallsBackToUtc) {
  NotificationEvent e = Event(kNotifyAtDue);
  e.time_zone = "Mars/Olympus_Mons";
  EXPECT_EQ(MessageText(e, At("2026-11-26T01:00:00Z")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is due now, "
            "Thu 26 Nov 01:00 (UTC)");
}

TEST(MessageText, BerlinDayAheadAcrossDstChangesIsStillOneDay) {
  NotificationEvent e = Event(kNotifyBeforeDue);
  e.time_zone = "Europe/Berlin";
  // Spring forward: Saturday 09:00 CET to Sunday 09:00 CEST is 23 hours.
  e.due_at = At("2026-03-29T09:00:00+02:00");
  EXPECT_EQ(MessageText(e, At("2026-03-28T09:00:00+01:00")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is due in 1 day, "
            "Sun 29 Mar 09:00 (Europe/Berlin)");
  // Fall back: Saturday 09:00 CEST to Sunday 09:00 CET is 25 hours.
  e.due_at = At("2026-10-25T09:00:00+01:00");
  EXPECT_EQ(MessageText(e, At("2026-10-24T09:00:00+02:00")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is due in 1 day, "
            "Sun 25 Oct 09:00 (Europe/Berlin)");
}

TEST(MessageText, HoursAcrossTheDstGapAreRealHours) {
  NotificationEvent e = Event(kNotifyBeforeDue);
  e.time_zone = "Europe/Berlin";
  // 01:00 CET to 04:00 CEST: the wall clock moves 3 hours, 2 pass.
  e.due_at = At("2026-03-29T02:00:00Z");
  EXPECT_EQ(MessageText(e, At("2026-03-29T00:00:00Z")),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is due in 2 hours, "
            "Sun 29 Mar 04:00 (Europe/Berlin)");
}

TEST(FormatLocalTime, FollowsTheZonesOffsetThroughDstChanges) {
  const Instant now = At("2026-06-01T00:00:00Z");
  EXPECT_EQ(FormatLocalTime(At("2026-03-29T00:59:00Z"), "Europe/Berlin", now), "Sun 29 Mar 01:59");
  EXPECT_EQ(FormatLocalTime(At("2026-03-29T01:00:00Z"), "Europe/Berlin", now), "Sun 29 Mar 03:00");
  // The repeated hour in autumn: both instants read 02:30.
  EXPECT_EQ(FormatLocalTime(At("2026-10-25T00:30:00Z"), "Europe/Berlin", now), "Sun 25 Oct 02:30");
  EXPECT_EQ(FormatLocalTime(At("2026-10-25T01:30:00Z"), "Europe/Berlin", now), "Sun 25 Oct 02:30");
  // Shanghai has no DST: always UTC+8, also across the date line of UTC.
  EXPECT_EQ(FormatLocalTime(At("2026-03-28T17:30:00Z"), "Asia/Shanghai", now), "Sun 29 Mar 01:30");
  EXPECT_EQ(FormatLocalTime(At("2026-10-24T18:00:00Z"), "Asia/Shanghai", now), "Sun 25 Oct 02:00");
}

TEST(FormatLocalTime, ShowsTheYearOnlyWhenItIsNotThisYear) {
  const Instant now = At("2026-12-30T12:00:00+08:00");
  EXPECT_EQ(FormatLocalTime(At("2027-01-05T09:00:00+08:00"), "Asia/Shanghai", now),
            "Tue 5 Jan 2027 09:00");
  EXPECT_EQ(FormatLocalTime(At("2026-12-31T09:00:00+08:00"), "Asia/Shanghai", now),
            "Thu 31 Dec 09:00");
}

TEST(DigestText, HeaderThenOneLinePerItem) {
  Notification a;
  a.id = 3;
  a.event = Event(kNotifyOverdue);
  Notification b;
  b.id = 4;
  b.event = Event(kNotifyWaitingVerification);
  b.event.task_title = "Write docs";
  b.event.recipient_name = "Zhang Wei";
  EXPECT_EQ(DigestText({a, b}, At("2026-11-27T09:00:00+08:00")),
            "2 reminders\n"
            "- @Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is overdue by 1 day, "
            "due Thu 26 Nov 09:00 (Asia/Shanghai)\n"
            "- @Zhang Wei: \"Write docs\" by Wang Fang is done and waits for your verification");
}

}  // namespace
}  // namespace kaizen::notifiers

namespace kaizen::notifiers {
namespace {

// The same events in Chinese, links on, from a catalog made as the daemon makes it.
MessageCatalog Catalog(MessageSettings settings = {}) {
  Result<MessageCatalog> catalog = MessageCatalog::Make(settings);
  EXPECT_TRUE(catalog.ok()) << catalog.status().ToString();
  return catalog.ok() ? std::move(catalog).value() : MessageCatalog();
}

NotificationEvent ZhEvent(std::string_view kind) {
  NotificationEvent e = Event(kind);
  e.task_title = "上线 v2";
  e.plan_title = "四季度发布";
  e.owner_name = "王芳";
  e.recipient_name = "王芳";
  return e;
}

std::string Zh(const NotificationEvent& e, std::string_view now) {
  return Catalog().Text(e, Locale::kZhCn, At(now));
}

TEST(MessageTextZh, EachDeadlineReminderSaysWhatWhoseAndWhenInChinese) {
  EXPECT_EQ(Zh(ZhEvent(kNotifyBeforeDue), "2026-11-24T09:00:00+08:00"),
            "@王芳 提醒：「上线 v2」（负责人：王芳）将在 2 天后到期，"
            "截止时间 11月26日 周四 09:00（Asia/Shanghai）");
  EXPECT_EQ(Zh(ZhEvent(kNotifyAtDue), "2026-11-26T09:00:00+08:00"),
            "@王芳 提醒：「上线 v2」（负责人：王芳）现在到期，截止时间 11月26日 周四 09:00"
            "（Asia/Shanghai）");
  EXPECT_EQ(Zh(ZhEvent(kNotifyOverdue), "2026-11-26T12:00:00+08:00"),
            "@王芳 提醒：「上线 v2」（负责人：王芳）已逾期 3 小时，截止时间 11月26日 周四 09:00"
            "（Asia/Shanghai）");
}

TEST(MessageTextZh, RelativeTimesInChinese) {
  const Instant due = At("2026-11-26T09:00:00+08:00");
  auto distance = [&](std::string_view from) {
    return CoarseDistance(At(from), due, "Asia/Shanghai", Locale::kZhCn);
  };
  EXPECT_EQ(distance("2026-11-23T09:00:00+08:00"), "3 天");
  EXPECT_EQ(distance("2026-11-26T08:00:00+08:00"), "1 小时");
  EXPECT_EQ(distance("2026-11-26T08:15:00+08:00"), "45 分钟");
  EXPECT_EQ(distance("2026-11-26T08:59:50+08:00"), "不到 1 分钟");
}

TEST(MessageTextZh, DatesInChineseWithTheYearOnlyWhenItDiffers) {
  const Instant now = At("2026-11-25T12:00:00Z");
  EXPECT_EQ(FormatLocalTime(At("2026-11-26T01:00:00Z"), "Asia/Shanghai", now, Locale::kZhCn),
            "11月26日 周四 09:00");
  EXPECT_EQ(FormatLocalTime(At("2027-01-05T01:00:00Z"), "Asia/Shanghai", now, Locale::kZhCn),
            "2027年1月5日 周二 09:00");
}

TEST(MessageTextZh, EscalationVerificationRejectionAndPlanEvents) {
  NotificationEvent escalation = ZhEvent(kNotifyEscalation);
  escalation.recipient = "lihua";
  escalation.recipient_name = "李华";
  EXPECT_EQ(Zh(escalation, "2026-11-27T09:00:00+08:00"),
            "@李华 升级：王芳 负责的「上线 v2」已逾期 1 天（截止时间 11月26日 周四 09:00，"
            "Asia/Shanghai）");
  EXPECT_EQ(Zh(ZhEvent(kNotifyWaitingVerification), "2026-11-25T09:00:00+08:00"),
            "@王芳 王芳 已完成「上线 v2」，请你验收");
  NotificationEvent rejected = ZhEvent(kNotifyRejected);
  rejected.actor = "李华";
  rejected.note = "数据口径不对";
  EXPECT_EQ(Zh(rejected, "2026-11-25T09:00:00+08:00"),
            "@王芳 「上线 v2」被 李华 退回：数据口径不对");
  NotificationEvent completed = ZhEvent(kNotifyPlanCompleted);
  completed.task_id = 0;
  completed.recipient_kind = RecipientKind::kTeam;
  completed.recipient = "platform";
  completed.mention_all = true;
  EXPECT_EQ(Zh(completed, "2026-11-25T09:00:00+08:00"),
            "@所有人 计划「四季度发布」已完成：所有任务均已验收或取消");
}

TEST(MessageTextZh, CycleAndChannelEventsUseTheirFacts) {
  NotificationEvent summary = ZhEvent(kNotifyCycleSummary);
  summary.task_id = 0;
  summary.recipient_kind = RecipientKind::kTeam;
  summary.facts = {
      {"tasks_total", "7"}, {"tasks_done", "6"}, {"tasks_overdue", "1"}, {"on_time_percent", "71"}};
  EXPECT_EQ(Zh(summary, "2026-11-30T18:00:00+08:00"),
            "「四季度发布」本期已结束：完成 6/7 项，按时完成率 71%，逾期 1 项");
  NotificationEvent broken = Event(kNotifyChannelBroken);
  broken.facts = {{"channel", "ops-dingtalk"},
                  {"reason", "the robot's access token is invalid"},
                  {"waiting", "3"}};
  EXPECT_EQ(Catalog().Sentence(broken, Locale::kEn, At("2026-11-25T09:00:00Z")),
            "Channel \"ops-dingtalk\" cannot deliver: the robot's access token is invalid. 3 "
            "messages wait and go out as soon as the channel works again.");
}

TEST(MessageText, GoalCheckInAsksTheOwnerForTheCurrentValue) {
  NotificationEvent check_in = ZhEvent(kNotifyGoalCheckIn);
  check_in.task_id = 0;
  check_in.due_at.reset();
  check_in.facts = {{"goal_metric", "客户满意度"}, {"goal_target", "85"}, {"goal_unit", "%"}};
  EXPECT_EQ(Zh(check_in, "2026-12-02T09:00:00+08:00"),
            "@王芳 目标进展：「四季度发布」的「客户满意度」现在是多少？目标值 85 %，尚未记录数值");
  NotificationEvent en = Event(kNotifyGoalCheckIn);
  en.task_id = 0;
  en.due_at.reset();
  en.facts = {{"goal_metric", "tickets closed"}, {"goal_target", "120"}, {"goal_actual", "97"}};
  EXPECT_EQ(Catalog().Sentence(en, Locale::kEn, At("2026-12-02T09:00:00Z")),
            "Goal check-in for \"Q4 launch\": what is tickets closed now? The target is 120, "
            "last recorded 97");
}

TEST(MessageCatalog, LinksToTheTaskOrThePlanWhenABaseUrlIsGiven) {
  MessageSettings settings;
  settings.base_url = "https://kaizen.example.com/";
  const MessageCatalog catalog = Catalog(settings);
  const NotificationEvent task = Event(kNotifyAtDue);
  EXPECT_EQ(catalog.Url(task), "https://kaizen.example.com/tasks/42");
  EXPECT_EQ(catalog.Sentence(task, Locale::kEn, At("2026-11-26T09:00:00+08:00")),
            "Reminder: \"Ship v2\" (owner Wang Fang) is due now, Thu 26 Nov 09:00 (Asia/Shanghai) "
            "https://kaizen.example.com/tasks/42");
  MessageStyle markdown;
  markdown.link = [](std::string_view url, std::string_view label) {
    return "[" + std::string(label) + "](" + std::string(url) + ")";
  };
  NotificationEvent plan = ZhEvent(kNotifyPlanCompleted);
  plan.task_id = 0;
  EXPECT_EQ(catalog.Sentence(plan, Locale::kZhCn, At("2026-11-26T09:00:00+08:00"), markdown),
            "计划「四季度发布」已完成：所有任务均已验收或取消 "
            "[查看计划](https://kaizen.example.com/plans/7)");
  EXPECT_EQ(Catalog().Url(task), "");  // no base URL, no link
}

TEST(MessageCatalog, AnOperatorsTemplateReplacesTheBuiltInForItsLocaleOnly) {
  MessageSettings settings;
  settings.templates[Locale::kZhCn]["overdue"] =
      "{{owner}}，「{{task}}」已经晚了 {{overdue_by}}{{#urgent}}，请立即处理{{/urgent}}";
  const MessageCatalog catalog = Catalog(settings);
  NotificationEvent e = ZhEvent(kNotifyOverdue);
  e.urgent = true;
  EXPECT_EQ(catalog.Sentence(e, Locale::kZhCn, At("2026-11-26T11:00:00+08:00")),
            "王芳，「上线 v2」已经晚了 2 小时，请立即处理");
  EXPECT_EQ(catalog.Sentence(Event(kNotifyOverdue), Locale::kEn, At("2026-11-26T11:00:00+08:00")),
            "Reminder: \"Ship v2\" (owner Wang Fang) is overdue by 2 hours, due "
            "Thu 26 Nov 09:00 (Asia/Shanghai)");
}

TEST(MessageCatalog, MakeRefusesABadTemplateNamingLocaleAndKind) {
  MessageSettings settings;
  settings.templates[Locale::kEn]["digest"] = "{{#items}}{{text}}";
  Result<MessageCatalog> catalog = MessageCatalog::Make(settings);
  ASSERT_FALSE(catalog.ok());
  EXPECT_EQ(catalog.status().message(),
            "messages.templates.en.digest: line 1, column 1: section 'items' is never closed "
            "('{{/items}}' is missing)");
}

TEST(MessageCatalog, TheLanguageIsTheChannelsThenTheTeamsThenTheDefault) {
  MessageSettings settings;
  settings.default_locale = Locale::kZhCn;
  settings.team_locales["emea"] = Locale::kEn;
  const MessageCatalog catalog = Catalog(settings);
  EXPECT_EQ(catalog.LocaleFor(Locale::kEn, "apac"), Locale::kEn);
  EXPECT_EQ(catalog.LocaleFor(Locale::kZhCn, "emea"), Locale::kZhCn);
  EXPECT_EQ(catalog.LocaleFor(std::nullopt, "emea"), Locale::kEn);
  EXPECT_EQ(catalog.LocaleFor(std::nullopt, "apac"), Locale::kZhCn);
}

TEST(MessageCatalog, DigestTemplatesLoopOverTheItems) {
  MessageSettings settings;
  settings.templates[Locale::kEn]["digest"] =
      "{{count}} for {{channel}}:{{#items}} [{{kind}}] {{task}};{{/items}}";
  const MessageCatalog catalog = Catalog(settings);
  DigestFrame frame;
  frame.count = 2;
  frame.channel = "ops";
  EXPECT_EQ(catalog.Digest(
                Locale::kEn, frame,
                {{"", "a", "at_due", "Ship v2", "", ""}, {"", "b", "overdue", "Fix CI", "", ""}}),
            "2 for ops: [at_due] Ship v2; [overdue] Fix CI;");
  EXPECT_EQ(Catalog().Digest(Locale::kZhCn, {3, true, "1", "2", "ops"},
                             {{"@王芳 ", "x", "", "", "", ""}}),
            "3 条提醒（1/2）\n- @王芳 x");
}

TEST(MessageCatalog, EveryBuiltInKindRendersInBothLanguagesWithoutLeftovers) {
  const MessageCatalog catalog = Catalog();
  for (std::string_view kind : TemplateKinds()) {
    if (kind == kMessageDigest) continue;
    for (Locale locale : kAllLocales) {
      NotificationEvent e = ZhEvent(kind);
      e.facts = {{"channel", "ops"}, {"reason", "r"}, {"tasks_total", "1"}};
      std::string text = catalog.Sentence(e, locale, At("2026-11-25T09:00:00+08:00"));
      EXPECT_FALSE(text.empty()) << kind;
      EXPECT_EQ(text.find("{{"), std::string::npos) << kind << ": " << text;
      EXPECT_FALSE(MessageCatalog::Title(kind, locale).empty());
      EXPECT_NE(MessageCatalog::Title(kind, locale), std::string(kind)) << kind;
    }
  }
}

}  // namespace
}  // namespace kaizen::notifiers
