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
