#include "notifiers/message_text.h"

#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <exception>

namespace kaizen::notifiers {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// ---- the built-in templates -----------------------------------------------------------------
//
// One sentence per kind, written to be read in two seconds: what, whose, when, and the link.
// The English ones say exactly what kaizen said before templates existed.

constexpr std::string_view kEnDeadline =
    "Reminder: \"{{task}}\" (owner {{owner}}) "
    "{{^has_due}}needs your attention{{/has_due}}"
    "{{#has_due}}{{#upcoming}}is due in {{due_in}}, {{/upcoming}}"
    "{{#due_now}}is due now, {{/due_now}}"
    "{{#overdue}}is overdue by {{overdue_by}}, due {{/overdue}}"
    "{{due}} ({{zone}}){{/has_due}}{{#link}} {{link}}{{/link}}";
constexpr std::string_view kZhDeadline =
    "提醒：「{{task}}」（负责人：{{owner}}）"
    "{{^has_due}}需要你处理{{/has_due}}"
    "{{#has_due}}{{#upcoming}}将在 {{due_in}}后到期，{{/upcoming}}"
    "{{#due_now}}现在到期，{{/due_now}}"
    "{{#overdue}}已逾期 {{overdue_by}}，{{/overdue}}"
    "截止时间 {{due}}（{{zone}}）{{/has_due}}{{#link}} {{link}}{{/link}}";

struct BuiltIn {
  std::string_view kind;
  std::string_view en;
  std::string_view zh;
};

constexpr BuiltIn kBuiltIns[] = {
    {kNotifyBeforeDue, kEnDeadline, kZhDeadline},
    {kNotifyAtDue, kEnDeadline, kZhDeadline},
    {kNotifyOverdue, kEnDeadline, kZhDeadline},
    {kNotifyEscalation,
     "Escalation: \"{{task}}\" owned by {{owner}} "
     "{{^has_due}}is overdue{{/has_due}}"
     "{{#has_due}}{{#overdue}}is overdue by {{overdue_by}} (due {{due}}, {{zone}}){{/overdue}}"
     "{{^overdue}}is due now ({{due}}, {{zone}}){{/overdue}}{{/has_due}}"
     "{{#link}} {{link}}{{/link}}",
     "升级：{{owner}} 负责的「{{task}}」"
     "{{^has_due}}已逾期{{/has_due}}"
     "{{#has_due}}{{#overdue}}已逾期 {{overdue_by}}（截止时间 {{due}}，{{zone}}）{{/overdue}}"
     "{{^overdue}}现在到期（截止时间 {{due}}，{{zone}}）{{/overdue}}{{/has_due}}"
     "{{#link}} {{link}}{{/link}}"},
    {kNotifyWaitingVerification,
     "\"{{task}}\" by {{owner}} is done and waits for your verification{{#link}} {{link}}{{/link}}",
     "{{owner}} 已完成「{{task}}」，请你验收{{#link}} {{link}}{{/link}}"},
    {kNotifyVerification,
     "Reminder: \"{{task}}\" by {{owner}} is done and waits for your verification"
     "{{#link}} {{link}}{{/link}}",
     "提醒：{{owner}} 已完成「{{task}}」，仍在等待你验收{{#link}} {{link}}{{/link}}"},
    {kNotifyVerificationEscalation,
     "Escalation: \"{{task}}\" by {{owner}} is done and still waits for verification"
     "{{#link}} {{link}}{{/link}}",
     "升级：{{owner}} 已完成「{{task}}」，但一直无人验收{{#link}} {{link}}{{/link}}"},
    {kNotifyRejected,
     "\"{{task}}\" was rejected{{#actor}} by {{actor}}{{/actor}}{{#note}}: {{note}}{{/note}}"
     "{{#link}} {{link}}{{/link}}",
     "「{{task}}」被{{#actor}} {{actor}} {{/actor}}退回{{#note}}：{{note}}{{/note}}"
     "{{#link}} {{link}}{{/link}}"},
    {kNotifyPlanCompleted,
     "Plan \"{{plan}}\" is complete: every task is verified or cancelled{{#link}} "
     "{{link}}{{/link}}",
     "计划「{{plan}}」已完成：所有任务均已验收或取消{{#link}} {{link}}{{/link}}"},
    {kNotifyCycleStarted,
     "New cycle \"{{plan}}\" has started{{#tasks_total}} with {{tasks_total}} tasks{{/tasks_total}}"
     "{{#has_due}}; the first deadline is {{due}} ({{zone}}){{/has_due}}{{#link}} "
     "{{link}}{{/link}}",
     "新一期「{{plan}}」已开始{{#tasks_total}}，共 {{tasks_total}} 项任务{{/tasks_total}}"
     "{{#has_due}}，最早截止时间 {{due}}（{{zone}}）{{/has_due}}{{#link}} {{link}}{{/link}}"},
    {kNotifyCycleSummary,
     "Cycle \"{{plan}}\" is closed: {{tasks_done}} of {{tasks_total}} tasks done, "
     "{{#on_time_percent}}{{on_time_percent}}% on time, {{/on_time_percent}}"
     "{{tasks_overdue}} overdue{{#tasks_carried}}, {{tasks_carried}} carried to the next "
     "cycle{{/tasks_carried}}{{#link}} {{link}}{{/link}}",
     "「{{plan}}」本期已结束：完成 {{tasks_done}}/{{tasks_total}} 项，"
     "{{#on_time_percent}}按时完成率 {{on_time_percent}}%，{{/on_time_percent}}"
     "逾期 {{tasks_overdue}} 项{{#tasks_carried}}，{{tasks_carried}} 项转入下一期"
     "{{/tasks_carried}}{{#link}} {{link}}{{/link}}"},
    {kNotifyGoalCheckIn,
     "Goal check-in for \"{{plan}}\": what is {{goal_metric}} now? The target is "
     "{{goal_target}}{{#goal_unit}} {{goal_unit}}{{/goal_unit}}"
     "{{#goal_actual}}, last recorded {{goal_actual}}{{#goal_unit}} {{goal_unit}}{{/goal_unit}}"
     "{{/goal_actual}}{{^goal_actual}}, no value recorded yet{{/goal_actual}}{{#link}} "
     "{{link}}{{/link}}",
     "目标进展：「{{plan}}」的「{{goal_metric}}」现在是多少？目标值 "
     "{{goal_target}}{{#goal_unit}} {{goal_unit}}{{/goal_unit}}"
     "{{#goal_actual}}，上次记录 {{goal_actual}}{{#goal_unit}} {{goal_unit}}{{/goal_unit}}"
     "{{/goal_actual}}{{^goal_actual}}，尚未记录数值{{/goal_actual}}{{#link}} {{link}}{{/link}}"},
    {kNotifyChannelBroken,
     "Channel \"{{channel}}\" cannot deliver: {{reason}}. "
     "{{#waiting}}{{waiting}} messages wait and {{/waiting}}"
     "{{^waiting}}Messages wait and {{/waiting}}go out as soon as the channel works again.",
     "频道「{{channel}}」无法投递：{{reason}}。"
     "{{#waiting}}{{waiting}} 条消息正在等待，{{/waiting}}频道恢复后立即补发。"},
    {kNotifyChannelTest,
     "Test message from kaizen for channel \"{{channel}}\": if you can read this, it works.",
     "kaizen 测试消息：频道「{{channel}}」可以正常收到消息。"},
    {kMessageDigest,
     "{{count}} {{#one}}reminder{{/one}}{{^one}}reminders{{/one}}"
     "{{#split}} ({{part}}/{{parts}}){{/split}}{{#items}}\n- {{mention}}{{text}}{{/items}}",
     "{{count}} 条提醒{{#split}}（{{part}}/{{parts}}）{{/split}}"
     "{{#items}}\n- {{mention}}{{text}}{{/items}}"},
};

// ---- times ------------------------------------------------------------------------------------

const date::time_zone* ZoneOrUtc(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    // date/tz reports an unknown zone only by throwing; a message in UTC beats no message.
    return date::locate_zone("UTC");
  }
}

// Rounded to the nearest whole `Unit`, halves up; `d` is not negative.
template <typename Unit, typename Duration>
long long RoundToNearest(Duration d) {
  // Halving in the finer unit: Unit{1} / 2 would be zero whole Units.
  const Duration half = std::chrono::duration_cast<Duration>(Unit{1}) / 2;
  return std::chrono::floor<Unit>(d + half).count();
}

enum class Unit { kMinute, kHour, kDay };

std::string Amount(long long n, Unit unit, Locale locale) {
  if (locale == Locale::kZhCn) {
    const char* word = unit == Unit::kMinute ? " 分钟" : unit == Unit::kHour ? " 小时" : " 天";
    return std::to_string(n) + word;
  }
  const char* word = unit == Unit::kMinute ? " minute" : unit == Unit::kHour ? " hour" : " day";
  std::string out = std::to_string(n) + word;
  if (n != 1) out += 's';
  return out;
}

std::string Escaped(const MessageStyle& style, std::string_view text) {
  return style.escape ? style.escape(text) : std::string(text);
}

bool IsDeadlineKind(std::string_view kind) {
  return kind == kNotifyBeforeDue || kind == kNotifyAtDue;
}

std::string Key(std::string_view kind) { return std::string(kind); }

}  // namespace

std::string CoarseDistance(Instant earlier, Instant later, std::string_view time_zone,
                           Locale locale) {
  // Real elapsed time below a day; above, the difference of the local wall clocks, so that
  // Sunday 09:00 to Monday 09:00 is "1 day" also when a DST change made it 23 or 25 hours.
  const date::time_zone& zone = *ZoneOrUtc(time_zone);
  auto real = later - earlier;
  auto local = zone.to_local(later) - zone.to_local(earlier);
  if (local < decltype(local)::zero()) local = decltype(local)::zero();
  if (RoundToNearest<hours>(local) >= 24) {
    return Amount(RoundToNearest<date::days>(local), Unit::kDay, locale);
  }
  long long in_minutes = RoundToNearest<minutes>(real);
  if (in_minutes < 1) return locale == Locale::kZhCn ? "不到 1 分钟" : "less than a minute";
  if (in_minutes < 60) return Amount(in_minutes, Unit::kMinute, locale);
  long long in_hours = RoundToNearest<hours>(real);
  if (in_hours >= 24) return Amount(1, Unit::kDay, locale);
  return Amount(in_hours, Unit::kHour, locale);
}

std::string FormatLocalTime(Instant t, std::string_view time_zone, Instant now, Locale locale) {
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kZhWeekdays[] = {"周日", "周一", "周二", "周三",
                                                "周四", "周五", "周六"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const date::time_zone& zone = *ZoneOrUtc(time_zone);
  auto local = std::chrono::floor<minutes>(zone.to_local(t));
  auto day = std::chrono::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<minutes> time{local - day};
  date::year_month_day now_ymd{std::chrono::floor<date::days>(zone.to_local(now))};
  const bool other_year = ymd.year() != now_ymd.year();
  const unsigned weekday = date::weekday{day}.c_encoding();
  const int hh = static_cast<int>(time.hours().count());
  const int mm = static_cast<int>(time.minutes().count());

  char buffer[96];
  if (locale == Locale::kZhCn) {
    std::string year = other_year ? std::to_string(static_cast<int>(ymd.year())) + "年" : "";
    std::snprintf(buffer, sizeof buffer, "%s%u月%u日 %s %02d:%02d", year.c_str(),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  kZhWeekdays[weekday], hh, mm);
    return buffer;
  }
  std::string year = other_year ? " " + std::to_string(static_cast<int>(ymd.year())) : "";
  std::snprintf(buffer, sizeof buffer, "%s %u %s%s %02d:%02d", kWeekdays[weekday],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                year.c_str(), hh, mm);
  return buffer;
}

MessageCatalog::MessageCatalog() {
  for (const BuiltIn& b : kBuiltIns) {
    for (Locale locale : kAllLocales) {
      std::string_view source = locale == Locale::kZhCn ? b.zh : b.en;
      // The built-ins are checked by the tests; one that did not parse would be a bug.
      Result<MessageTemplate> parsed = MessageTemplate::Parse(source, TemplateScopeFor(b.kind));
      if (!parsed.ok()) std::terminate();
      templates_.insert_or_assign({locale, Key(b.kind)}, std::move(parsed).value());
    }
  }
}

Result<MessageCatalog> MessageCatalog::Make(const MessageSettings& settings) {
  MessageCatalog catalog;
  catalog.settings_ = settings;
  while (!catalog.settings_.base_url.empty() && catalog.settings_.base_url.back() == '/') {
    catalog.settings_.base_url.pop_back();
  }
  for (const auto& [locale, kinds] : settings.templates) {
    for (const auto& [kind, source] : kinds) {
      if (!IsTemplateKind(kind)) {
        return InvalidArgument("invalid_template", "messages.templates." +
                                                       std::string(ToString(locale)) + "." + kind +
                                                       ": not a message kind");
      }
      Result<MessageTemplate> parsed = MessageTemplate::Parse(source, TemplateScopeFor(kind));
      if (!parsed.ok()) {
        return InvalidArgument("invalid_template", "messages.templates." +
                                                       std::string(ToString(locale)) + "." + kind +
                                                       ": " + parsed.status().message());
      }
      catalog.templates_.insert_or_assign({locale, kind}, std::move(parsed).value());
    }
  }
  return catalog;
}

Locale MessageCatalog::LocaleFor(std::optional<Locale> channel_locale,
                                 std::string_view team) const {
  if (channel_locale) return *channel_locale;
  if (auto it = settings_.team_locales.find(team); it != settings_.team_locales.end()) {
    return it->second;
  }
  return settings_.default_locale;
}

const MessageTemplate& MessageCatalog::TemplateFor(Locale locale, std::string_view kind) const {
  return templates_.at({locale, Key(kind)});
}

std::string MessageCatalog::Url(const NotificationEvent& event) const {
  if (settings_.base_url.empty()) return "";
  if (event.task_id != 0) return settings_.base_url + "/tasks/" + std::to_string(event.task_id);
  if (event.plan_id != 0) return settings_.base_url + "/plans/" + std::to_string(event.plan_id);
  return "";
}

std::string MessageCatalog::Link(const NotificationEvent& event, Locale locale,
                                 const MessageStyle& style) const {
  const std::string url = Url(event);
  if (url.empty() || !style.link) return url;
  return style.link(url, LinkLabel(event, locale));
}

std::string MessageCatalog::LinkLabel(const NotificationEvent& event, Locale locale) {
  const bool task = event.task_id != 0;
  if (locale == Locale::kZhCn) return task ? "查看任务" : "查看计划";
  return task ? "Open task" : "Open plan";
}

std::string MessageCatalog::Title(std::string_view kind, Locale locale) {
  const bool zh = locale == Locale::kZhCn;
  if (kind == kNotifyBeforeDue || kind == kNotifyAtDue || kind == kNotifyOverdue ||
      kind == kNotifyVerification) {
    return zh ? "提醒" : "Reminder";
  }
  if (kind == kNotifyEscalation || kind == kNotifyVerificationEscalation) {
    return zh ? "升级" : "Escalation";
  }
  if (kind == kNotifyWaitingVerification) return zh ? "待验收" : "Waiting for verification";
  if (kind == kNotifyRejected) return zh ? "已退回" : "Rejected";
  if (kind == kNotifyPlanCompleted) return zh ? "计划完成" : "Plan completed";
  if (kind == kNotifyCycleStarted) return zh ? "新一期开始" : "Cycle started";
  if (kind == kNotifyCycleSummary) return zh ? "本期总结" : "Cycle summary";
  if (kind == kNotifyGoalCheckIn) return zh ? "目标进展" : "Goal check-in";
  if (kind == kNotifyChannelBroken) return zh ? "频道故障" : "Channel broken";
  if (kind == kNotifyChannelTest) return zh ? "测试消息" : "Test message";
  return std::string(kind);
}

std::string MessageCatalog::PlainOpening(std::string_view name, bool all, Locale locale) {
  const bool zh = locale == Locale::kZhCn;
  if (all) return zh ? "@所有人 " : "@all: ";
  if (name.empty()) return "";
  return "@" + std::string(name) + (zh ? " " : ": ");
}

std::string MessageCatalog::Sentence(const NotificationEvent& e, Locale locale, Instant now,
                                     const MessageStyle& style) const {
  const std::string owner = e.owner_name.empty() ? e.owner : e.owner_name;
  if (!IsTemplateKind(e.kind)) {
    // A kind from a newer kaizen read by an older one: still a readable line.
    std::string text = e.kind + ": ";
    text += e.task_id != 0 ? "\"" + Escaped(style, e.task_title) + "\""
                           : "plan \"" + Escaped(style, e.plan_title) + "\"";
    return text;
  }
  TemplateValues v;
  v.Set("kind", e.kind);
  v.Set("task", Escaped(style, e.task_title));
  v.Set("task_id", e.task_id != 0 ? std::to_string(e.task_id) : "");
  v.Set("plan", Escaped(style, e.plan_title));
  v.Set("plan_id", e.plan_id != 0 ? std::to_string(e.plan_id) : "");
  v.Set("team", Escaped(style, e.team));
  v.Set("owner", Escaped(style, owner));
  v.Set("recipient", Escaped(style, e.recipient_name.empty() ? e.recipient : e.recipient_name));
  v.Set("actor", Escaped(style, e.actor));
  v.Set("note", Escaped(style, e.note));
  v.Set("urgent", e.urgent);
  v.Set("level", e.escalation_level >= 0 ? std::to_string(e.escalation_level + 1) : "");
  v.Set("has_due", e.due_at.has_value());
  if (e.due_at) {
    const Instant due = *e.due_at;
    // A reminder ahead says how long is left; one at the deadline says "now" even when it went
    // out a little late; anything else past the deadline says by how much.
    const bool upcoming = e.kind == kNotifyBeforeDue && due > now;
    const bool overdue = !IsDeadlineKind(e.kind) && due < now;
    v.Set("upcoming", upcoming);
    v.Set("overdue", overdue);
    v.Set("due_now", !upcoming && !overdue);
    v.Set("due", FormatLocalTime(due, e.time_zone, now, locale));
    v.Set("zone", std::string(ZoneOrUtc(e.time_zone)->name()));
    v.Set("due_in", due > now ? CoarseDistance(now, due, e.time_zone, locale) : "");
    v.Set("overdue_by", due < now ? CoarseDistance(due, now, e.time_zone, locale) : "");
  }
  const std::string url = Url(e);
  v.Set("url", url);
  v.Set("link", Link(e, locale, style));
  for (std::string_view fact : kNotificationFacts) {
    auto it = e.facts.find(std::string(fact));
    v.Set(std::string(fact), it == e.facts.end() ? "" : Escaped(style, it->second));
  }
  return TemplateFor(locale, e.kind).Render(v);
}

std::string MessageCatalog::Text(const NotificationEvent& e, Locale locale, Instant now) const {
  std::string opening;
  if (e.recipient_kind == RecipientKind::kTeam) {
    opening = PlainOpening("", e.mention_all, locale);
  } else {
    opening =
        PlainOpening(e.recipient_name.empty() ? e.recipient : e.recipient_name, false, locale);
  }
  return opening + Sentence(e, locale, now);
}

std::string MessageCatalog::Digest(Locale locale, const DigestFrame& frame,
                                   const std::vector<DigestItem>& items) const {
  TemplateValues v;
  v.Set("count", std::to_string(frame.count));
  v.Set("one", frame.count == 1);
  v.Set("split", frame.split);
  v.Set("part", frame.part);
  v.Set("parts", frame.parts);
  v.Set("channel", frame.channel);
  auto& list = v.lists["items"];
  list.reserve(items.size());
  for (const DigestItem& item : items) {
    TemplateValues iv;
    iv.Set("mention", item.mention);
    iv.Set("text", item.text);
    iv.Set("kind", item.kind);
    iv.Set("task", item.task);
    iv.Set("link", item.link);
    iv.Set("url", item.url);
    list.push_back(std::move(iv));
  }
  return TemplateFor(locale, kMessageDigest).Render(v);
}

std::string MessageCatalog::DigestText(const std::vector<Notification>& items, Locale locale,
                                       Instant now) const {
  std::vector<DigestItem> digest_items;
  digest_items.reserve(items.size());
  for (const Notification& n : items) {
    const std::string url = Url(n.event);
    digest_items.push_back(
        {"", Text(n.event, locale, now), n.event.kind, n.event.task_title, url, url});
  }
  DigestFrame frame;
  frame.count = items.size();
  if (!items.empty()) frame.channel = items.front().channel;
  return Digest(locale, frame, digest_items);
}

const MessageCatalog& DefaultMessageCatalog() {
  static const MessageCatalog catalog;
  return catalog;
}

std::string MessageText(const NotificationEvent& event, Instant now) {
  return DefaultMessageCatalog().Text(event, Locale::kEn, now);
}

std::string DigestText(const std::vector<Notification>& items, Instant now) {
  return DefaultMessageCatalog().DigestText(items, Locale::kEn, now);
}

}  // namespace kaizen::notifiers
