// Message text: the words a person reads in a chat to know what a notification wants of them,
// in English or Chinese (zh-CN).
//
// Each kind of message is a template (workflow/message_template.h); the built-in ones are
// below in message_text.cc, and an operator may replace any of them per locale in the config
// (MessageSettings::templates). A message opens with whom it addresses ("@Wang Fang: ", or
// "@all: " for a team told with mention_all) and goes on with the kind's sentence, e.g.
//   @Wang Fang: Reminder: "Ship v2" (owner Wang Fang) is due in 1 day, Thu 26 Nov 09:00
//   (Asia/Shanghai)
//   @王芳 提醒：「上线 v2」（负责人：王芳）将在 1 天后到期，截止时间 11月26日 周四 09:00
//   （Asia/Shanghai）
// Times are written in the event's time zone (UTC when the zone is unknown), relative times in
// coarse units (minutes, hours, days) from the deadline to `now`. Days count calendar days in
// that zone, so a reminder a day ahead says "1 day" also across a DST change.
//
// The language of a message: the channel's locale, else the team's, else messages.locale
// (MessageCatalog::LocaleFor).
//
// Pure; a MessageCatalog is immutable once made and may be used from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/message_template.h"
#include "workflow/messages.h"
#include "workflow/notification.h"
#include "workflow/status.h"
#include "workflow/time.h"

namespace kaizen::notifiers {

// How one chat writes what comes from users, and links. The chat providers' formatters
// (provider_payload.h) escape words from users so that a task title cannot ping anybody, and
// write links in their own markup ("[label](url)", "<url|label>").
struct MessageStyle {
  std::function<std::string(std::string_view)> escape;  // null: as they are
  std::function<std::string(std::string_view url, std::string_view label)> link;  // null: the url
};

// One item of a digest as its template sees it: the provider's mention of whom the item
// addresses (empty for nobody) and the item's sentence, already in the chat's markup.
struct DigestItem {
  std::string mention;
  std::string text;
  std::string kind;
  std::string task;  // the task's title, escaped
  std::string link;
  std::string url;
};

// Where a digest part stands: `count` items in the whole digest; a split digest's parts are
// numbered `part` of `parts` (text, so that the formatter can measure the widest "99/99").
struct DigestFrame {
  std::size_t count = 0;
  bool split = false;
  std::string part;
  std::string parts;
  std::string channel;
};

class MessageCatalog {
 public:
  // The built-in templates; English unless told otherwise; no links.
  MessageCatalog();

  // The built-in templates with the operator's in place of them, and the settings' locales
  // and base URL. Errors: kInvalidArgument "invalid_template" naming the locale and kind
  // (config/ checks the same when it loads, so the daemon never sees one).
  static Result<MessageCatalog> Make(const MessageSettings& settings);

  Locale LocaleFor(std::optional<Locale> channel_locale, std::string_view team) const;

  // The sentence of one event, without the opening that addresses someone.
  std::string Sentence(const NotificationEvent& event, Locale locale, Instant now,
                       const MessageStyle& style = {}) const;
  // Opening plus sentence: what a plain-text channel writes (log, the webhook's "message").
  std::string Text(const NotificationEvent& event, Locale locale, Instant now) const;
  // A digest part. Items' texts and mentions are inserted as they are.
  std::string Digest(Locale locale, const DigestFrame& frame,
                     const std::vector<DigestItem>& items) const;
  // A whole digest in plain text: each item's Text after the digest's header.
  std::string DigestText(const std::vector<Notification>& items, Locale locale, Instant now) const;
  // A short title for a notification preview (DingTalk's markdown title): "Reminder", "提醒".
  static std::string Title(std::string_view kind, Locale locale);
  // "@Wang Fang: " / "@王芳 "; "@all: " / "@所有人 " when `all`; empty for nobody.
  static std::string PlainOpening(std::string_view name, bool all, Locale locale);

  // The event's link: <base_url>/tasks/<id>, or /plans/<id> for a plan's event; empty without
  // a base URL.
  std::string Url(const NotificationEvent& event) const;
  // Url in the chat's link markup (`style.link`) with "Open task" / "查看任务" as its label; the
  // bare address without a link style; empty without a base URL.
  std::string Link(const NotificationEvent& event, Locale locale, const MessageStyle& style) const;
  static std::string LinkLabel(const NotificationEvent& event, Locale locale);

 private:
  const MessageTemplate& TemplateFor(Locale locale, std::string_view kind) const;

  MessageSettings settings_;
  std::map<std::pair<Locale, std::string>, MessageTemplate, std::less<>> templates_;
};

// The built-in catalog (English, no links); made once.
const MessageCatalog& DefaultMessageCatalog();

// DefaultMessageCatalog's English text of one event and of a digest.
std::string MessageText(const NotificationEvent& event, Instant now);
std::string DigestText(const std::vector<Notification>& items, Instant now);

// "Thu 26 Nov 09:00" (en) or "11月26日 周四 09:00" (zh-CN) in `time_zone` (UTC when unknown),
// with the year when it differs from the year of `now` there ("Tue 5 Jan 2027 09:00",
// "2027年1月5日 周二 09:00"). The same whatever the process locale.
std::string FormatLocalTime(Instant t, std::string_view time_zone, Instant now,
                            Locale locale = Locale::kEn);

// "2 days", "3 hours", "15 minutes", "less than a minute" (en); "2 天", "3 小时", "15 分钟",
// "不到 1 分钟" (zh-CN): how far `later` is from `earlier`, coarsely, in `time_zone`.
std::string CoarseDistance(Instant earlier, Instant later, std::string_view time_zone,
                           Locale locale = Locale::kEn);

}  // namespace kaizen::notifiers
