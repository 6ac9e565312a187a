#include "notifiers/message_text.h"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <exception>

namespace kaizen::notifiers {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const date::time_zone* ZoneOrUtc(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    // date/tz reports an unknown zone only by throwing; a message in UTC beats no message.
    return date::locate_zone("UTC");
  }
}

// The zone's name as shown: the event's own when known, "UTC" when it fell back.
std::string ZoneLabel(std::string_view name) { return std::string(ZoneOrUtc(name)->name()); }

// Rounded to the nearest whole `Unit`, halves up; `d` is not negative.
template <typename Unit, typename Duration>
long long RoundToNearest(Duration d) {
  // Halving in the finer unit: Unit{1} / 2 would be zero whole Units.
  const Duration half = std::chrono::duration_cast<Duration>(Unit{1}) / 2;
  return std::chrono::floor<Unit>(d + half).count();
}

std::string Plural(long long n, std::string_view unit) {
  std::string out = std::to_string(n) + " " + std::string(unit);
  if (n != 1) out += 's';
  return out;
}

// "2 days", "3 hours", "15 minutes": how far `later` is from `earlier`, coarsely. Real elapsed
// time below a day; above, the difference of the local wall clocks, so that Sunday 09:00 to
// Monday 09:00 is "1 day" also when a DST change made it 23 or 25 hours.
std::string CoarseDistance(Instant earlier, Instant later, const date::time_zone& zone) {
  auto real = later - earlier;
  auto local = zone.to_local(later) - zone.to_local(earlier);
  if (local < decltype(local)::zero()) local = decltype(local)::zero();
  if (RoundToNearest<hours>(local) >= 24) {
    return Plural(RoundToNearest<date::days>(local), "day");
  }
  long long in_minutes = RoundToNearest<minutes>(real);
  if (in_minutes < 1) return "less than a minute";
  if (in_minutes < 60) return Plural(in_minutes, "minute");
  long long in_hours = RoundToNearest<hours>(real);
  if (in_hours >= 24) return "1 day";
  return Plural(in_hours, "hour");
}

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string Mention(const NotificationEvent& e) {
  if (e.recipient_kind == RecipientKind::kTeam) {
    return e.mention_all ? "@all: " : "";
  }
  const std::string& name = e.recipient_name.empty() ? e.recipient : e.recipient_name;
  return name.empty() ? "" : "@" + name + ": ";
}

std::string OwnerName(const NotificationEvent& e) {
  return e.owner_name.empty() ? e.owner : e.owner_name;
}

// "Thu 26 Nov 09:00 (Asia/Shanghai)".
std::string DueLabel(const NotificationEvent& e, Instant now) {
  return FormatLocalTime(*e.due_at, e.time_zone, now) + " (" + ZoneLabel(e.time_zone) + ")";
}

// The deadline reminders: before_due, at_due, overdue.
std::string DeadlineText(const NotificationEvent& e, Instant now) {
  std::string subject = "Reminder: " + Quoted(e.task_title) + " (owner " + OwnerName(e) + ")";
  if (!e.due_at) return subject + " needs your attention";
  const date::time_zone& zone = *ZoneOrUtc(e.time_zone);
  if (e.kind == kNotifyBeforeDue) {
    if (*e.due_at <= now) return subject + " is due now, " + DueLabel(e, now);
    return subject + " is due in " + CoarseDistance(now, *e.due_at, zone) + ", " + DueLabel(e, now);
  }
  if (e.kind == kNotifyAtDue || *e.due_at >= now) {
    return subject + " is due now, " + DueLabel(e, now);
  }
  return subject + " is overdue by " + CoarseDistance(*e.due_at, now, zone) + ", due " +
         DueLabel(e, now);
}

std::string EscalationText(const NotificationEvent& e, Instant now) {
  std::string text = "Escalation: " + Quoted(e.task_title) + " owned by " + OwnerName(e);
  if (!e.due_at) return text + " is overdue";
  // "(due Thu 26 Nov 09:00, Asia/Shanghai)": no parentheses inside parentheses.
  const std::string due =
      FormatLocalTime(*e.due_at, e.time_zone, now) + ", " + ZoneLabel(e.time_zone);
  if (*e.due_at >= now) return text + " is due now (" + due + ")";
  return text + " is overdue by " + CoarseDistance(*e.due_at, now, *ZoneOrUtc(e.time_zone)) +
         " (due " + due + ")";
}

std::string Body(const NotificationEvent& e, Instant now) {
  const std::string task = Quoted(e.task_title);
  if (e.kind == kNotifyBeforeDue || e.kind == kNotifyAtDue || e.kind == kNotifyOverdue) {
    return DeadlineText(e, now);
  }
  if (e.kind == kNotifyEscalation) return EscalationText(e, now);
  if (e.kind == kNotifyWaitingVerification) {
    return task + " by " + OwnerName(e) + " is done and waits for your verification";
  }
  if (e.kind == kNotifyVerification) {
    return "Reminder: " + task + " by " + OwnerName(e) + " is done and waits for your verification";
  }
  if (e.kind == kNotifyVerificationEscalation) {
    return "Escalation: " + task + " by " + OwnerName(e) +
           " is done and still waits for verification";
  }
  if (e.kind == kNotifyRejected) {
    std::string text = task + " was rejected";
    if (!e.actor.empty()) text += " by " + e.actor;
    if (!e.note.empty()) text += ": " + e.note;
    return text;
  }
  if (e.kind == kNotifyPlanCompleted) {
    return "Plan " + Quoted(e.plan_title) + " is complete: every task is verified or cancelled";
  }
  if (e.kind == kNotifyChannelTest) return "Test message from kaizen for channel " + e.recipient;
  std::string text = e.kind + ": ";
  text += e.task_id != 0 ? task : "plan " + Quoted(e.plan_title);
  return text;
}

}  // namespace

std::string FormatLocalTime(Instant t, std::string_view time_zone, Instant now) {
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const date::time_zone& zone = *ZoneOrUtc(time_zone);
  auto local = std::chrono::floor<minutes>(zone.to_local(t));
  auto day = std::chrono::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<minutes> time{local - day};
  date::year_month_day now_ymd{std::chrono::floor<date::days>(zone.to_local(now))};

  char buffer[64];
  std::string year;
  if (ymd.year() != now_ymd.year()) year = " " + std::to_string(static_cast<int>(ymd.year()));
  std::snprintf(buffer, sizeof buffer, "%s %u %s%s %02d:%02d",
                kWeekdays[date::weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], year.c_str(),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()));
  return buffer;
}

std::string MessageText(const NotificationEvent& event, Instant now) {
  return Mention(event) + Body(event, now);
}

std::string DigestText(const std::vector<Notification>& items, Instant now) {
  std::string text =
      std::to_string(items.size()) + (items.size() == 1 ? " reminder" : " reminders");
  for (const Notification& n : items) text += "\n- " + MessageText(n.event, now);
  return text;
}

}  // namespace kaizen::notifiers
