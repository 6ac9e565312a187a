// What chat messages say and in which language: the locales kaizen writes, the message kinds an
// operator may give a template for, the names each kind's template may use, and the settings
// (section "messages" of the config, a team's and a channel's "locale").
//
// The words themselves (the built-in templates, dates and relative times in each language) are
// in notifiers/message_text.h; this header holds only what the config must know to check a
// template when it loads. Plain values and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/message_template.h"

namespace kaizen {

enum class Locale { kEn, kZhCn };
inline constexpr Locale kAllLocales[] = {Locale::kEn, Locale::kZhCn};
std::string_view ToString(Locale locale);  // "en", "zh-CN"
// Exactly "en" or "zh-CN" (BCP 47 as written; "zh-cn" and "zh_CN" are accepted as the same).
std::optional<Locale> ParseLocale(std::string_view text);

// The message that groups several notifications of one channel into one.
inline constexpr std::string_view kMessageDigest = "digest";

// Every kind a template can be given for, in the order the README lists them: the
// notification kinds of notification.h and kMessageDigest.
const std::vector<std::string_view>& TemplateKinds();
bool IsTemplateKind(std::string_view kind);

// The names a kind's template may use. Every event kind shares one set (a name that does not
// apply to the event is empty or false); the digest has its own, with the list "items".
TemplateScope TemplateScopeFor(std::string_view kind);

struct MessageSettings {
  Locale default_locale = Locale::kEn;
  // When set ("https://kaizen.example.com", no trailing '/'), messages link to the task
  // (<base_url>/tasks/<id>) or the plan (<base_url>/plans/<id>).
  std::string base_url;
  std::map<std::string, Locale, std::less<>> team_locales;  // team id -> its "locale"
  // The operator's templates, checked against TemplateScopeFor when the config loaded:
  // locale -> kind -> source. A kind without one uses the built-in template.
  std::map<Locale, std::map<std::string, std::string, std::less<>>> templates;
  bool operator==(const MessageSettings&) const = default;
};

}  // namespace kaizen
