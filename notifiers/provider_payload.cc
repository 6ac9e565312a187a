#include "notifiers/provider_payload.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

#include "notifiers/message_text.h"
#include "notifiers/webhook_payload.h"

namespace kaizen::notifiers {
namespace {

// ordered_json: keys go out in the order written here, which golden tests and people reading a
// captured request rely on.
using Json = nlohmann::ordered_json;

// The page's limits, section by section.
// DingTalk 460101: "message too long, exceed 20000 bytes".
constexpr std::size_t kDingTalkBytes = 20000;
// Feishu: "request body at most 20 KB"; read as 20,000 bytes, the smaller reading.
constexpr std::size_t kFeishuBytes = 20000;
// The sender adds "timestamp" and "sign" to the top level of a signed Feishu body after
// formatting (about 80 bytes); they must fit in the same 20 KB.
constexpr std::size_t kFeishuSignatureRoom = 128;
// WeCom: text.content at most 2,048 bytes. The whole body is held to it, which keeps the
// content below it without a second measure.
constexpr std::size_t kWeComBytes = 2048;
// Teams Workflows: "keep the message under about 28 KB".
constexpr std::size_t kTeamsBytes = 28000;
// Teams' Office 365 connector: "the payload limit is about 28 KB; larger payloads answer 413".
constexpr std::size_t kTeamsLegacyBytes = 28000;
// Slack and Discord limit characters, not bytes; the page gives no body size. These caps are
// ours, far above what their character limits allow (even at 6 bytes a character, the worst
// JSON escape), so the character limits are what binds.
constexpr std::size_t kSlackBytes = 40000;
constexpr std::size_t kDiscordBytes = 16000;
// Standard Webhooks: "keep payloads under ~20 KB" (advice; the generic webhook is not split).
constexpr std::size_t kWebhookBytes = 20000;
// Slack: section text at most 3,000 characters (400 beyond); text is sent with the same words.
constexpr std::size_t kSlackChars = 3000;
// Discord: content up to 2,000 characters.
constexpr std::size_t kDiscordChars = 2000;

constexpr std::string_view kEllipsis = "…";

std::size_t CharLimit(Provider provider) {
  switch (provider) {
    case Provider::kSlack: return kSlackChars;
    case Provider::kDiscord: return kDiscordChars;
    default: return 0;  // no character limit
  }
}

// What FormatForProvider aims at; less than MaxBodyBytes where the sender adds to the body.
std::size_t BodyBudget(Provider provider) {
  if (provider == Provider::kFeishu) return kFeishuBytes - kFeishuSignatureRoom;
  return MaxBodyBytes(provider);
}

// UTF-16 code units: at least the number of code points, so within the limit whichever of the
// two a provider counts.
std::size_t Utf16Length(std::string_view text) {
  std::size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    units += c >= 0xF0 ? 2 : 1;        // 4-byte sequences are surrogate pairs
  }
  return units;
}

// The longest prefix of `text` of at most `bytes` bytes that does not cut a UTF-8 sequence.
std::string_view Utf8Prefix(std::string_view text, std::size_t bytes) {
  if (bytes >= text.size()) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return text.substr(0, bytes);
}

// A handle is a mobile number when it is digits, maybe with a leading '+' and '-' between:
// DingTalk and WeCom take mobiles and user ids in different lists.
bool IsMobile(std::string_view handle) {
  if (handle.empty()) return false;
  std::size_t digits = 0;
  for (std::size_t i = 0; i < handle.size(); ++i) {
    char c = handle[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (!(c == '-' || (c == '+' && i == 0))) {
      return false;
    }
  }
  return digits > 0;
}

// Slack reads &, < and > as control characters (<!channel> pings everyone), so words that come
// from users are escaped; only the mentions we write stay raw.
std::string SlackEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

// Feishu and WeCom read tags in plain text (<at user_id="all"></at>, <@userid>), so a task title
// or a note could ping people. A zero-width space after every '<' of words that come from users
// keeps them from parsing as tags and shows the same text; only the mentions we write stay raw.
std::string BreakTags(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    out += c;
    if (c == '<') out += "\u200B";
  }
  return out;
}

// Whom one line addresses, resolved for the provider.
struct Addressee {
  enum class Kind { kNobody, kAll, kPerson };
  Kind kind = Kind::kNobody;
  std::string id;      // person id
  std::string name;    // display name
  std::string handle;  // the provider's handle; empty: named in plain text
};

Addressee Resolve(const NotificationEvent& e, Provider provider, const Directory& directory) {
  Addressee who;
  if (e.recipient_kind == RecipientKind::kTeam) {
    if (e.mention_all) who.kind = Addressee::Kind::kAll;
    return who;
  }
  if (e.recipient.empty()) return who;
  who.kind = Addressee::Kind::kPerson;
  who.id = e.recipient;
  const Person* person = directory.FindPerson(e.recipient);
  who.name = !e.recipient_name.empty()                    ? e.recipient_name
             : person != nullptr && !person->name.empty() ? person->name
                                                          : e.recipient;
  if (person != nullptr) {
    auto it = person->handles.find(std::string(ToString(provider)));
    if (it != person->handles.end()) who.handle = it->second;
  }
  return who;
}

struct Line {
  Addressee who;
  std::string sentence;  // the event's sentence in the chat's markup; may be cut short
  std::string kind;
  std::string task;  // the task's title, escaped
  std::string url;
  std::string link;  // the url in the chat's link markup
};

// How each chat writes words from users and links (message_text.h).
MessageStyle StyleFor(Provider provider) {
  MessageStyle style;
  auto markdown_link = [](std::string_view url, std::string_view label) {
    return "[" + std::string(label) + "](" + std::string(url) + ")";
  };
  switch (provider) {
    case Provider::kDingTalk:
    case Provider::kTeams:
    case Provider::kTeamsLegacy:
    case Provider::kDiscord: style.link = markdown_link; break;
    case Provider::kFeishu:
    case Provider::kWeCom: style.escape = BreakTags; break;
    case Provider::kSlack:
      style.escape = SlackEscape;
      style.link = [](std::string_view url, std::string_view label) {
        return "<" + std::string(url) + "|" + std::string(label) + ">";
      };
      break;
    case Provider::kWebhook: break;
  }
  return style;
}

// One message: a single event, or a digest's part.
struct Part {
  bool digest = false;
  DigestFrame frame;  // digests only
  std::string title;  // DingTalk's title of a single event
  std::vector<Line> lines;
};

struct Rendered {
  std::string body;
  std::size_t chars = 0;  // the longest character-limited field (Slack, Discord); else 0
  std::vector<std::string> missing;
};

void AddOnce(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

// The first line of a text and the rest (with its leading '\n'), for the chats that set a
// digest's header apart.
std::pair<std::string, std::string> HeaderAndRest(const std::string& text) {
  std::size_t end = text.find('\n');
  if (end == std::string::npos) return {text, ""};
  return {text.substr(0, end), text.substr(end)};
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (true) {
    std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return lines;
    start = end + 1;
  }
}

std::string Dump(const Json& body) {
  // Invalid UTF-8 in titles and names is replaced rather than refused, as in webhook_payload.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Formats the parts of one batch for one provider in one language.
class Formatter {
 public:
  Formatter(Provider provider, const MessageCatalog& catalog, Locale locale, std::string channel)
      : provider_(provider),
        catalog_(catalog),
        locale_(locale),
        channel_(std::move(channel)),
        style_(StyleFor(provider)) {}

  Line MakeLine(const NotificationEvent& e, const Directory& directory, Instant now) const {
    Line line;
    line.who = Resolve(e, provider_, directory);
    line.sentence = catalog_.Sentence(e, locale_, now, style_);
    line.kind = e.kind;
    line.task = style_.escape ? style_.escape(e.task_title) : e.task_title;
    line.url = catalog_.Url(e);
    line.link = catalog_.Link(e, locale_, style_);
    return line;
  }

  Part MakePart(bool digest, std::size_t count, std::string part_no, std::string parts,
                std::vector<Line> lines) const {
    Part part;
    part.digest = digest;
    part.lines = std::move(lines);
    if (digest) {
      part.frame.count = count;
      part.frame.split = !parts.empty();
      part.frame.part = std::move(part_no);
      part.frame.parts = std::move(parts);
      part.frame.channel = channel_;
    } else {
      part.title = MessageCatalog::Title(part.lines[0].kind, locale_);
    }
    return part;
  }

  Rendered Render(const Part& part) const {
    switch (provider_) {
      case Provider::kDingTalk: return RenderDingTalk(part);
      case Provider::kFeishu: return RenderFeishu(part);
      case Provider::kWeCom: return RenderWeCom(part);
      case Provider::kSlack: return RenderSlack(part);
      case Provider::kTeams: return RenderTeams(part);
      case Provider::kTeamsLegacy: return RenderTeamsLegacy(part);
      case Provider::kDiscord: return RenderDiscord(part);
      case Provider::kWebhook: break;
    }
    return {};  // kWebhook is handled before parts are made
  }

  bool Fits(const Rendered& r) const {
    std::size_t chars = CharLimit(provider_);
    return r.body.size() <= BodyBudget(provider_) && (chars == 0 || r.chars <= chars);
  }

  // A part holding only `line`, cut short until it fits. The page's limits are per message,
  // and a single item cannot be split at an item boundary, so its sentence loses its end
  // instead and says so with "…" (binary search over the kept length: rendering is monotone
  // in it).
  Line CutToFit(const Part& shape, Line line) const {
    const std::string full = line.sentence;
    auto fits_with = [&](std::size_t keep) {
      Part trial = shape;
      trial.lines = {line};
      trial.lines[0].sentence = std::string(Utf8Prefix(full, keep)) + std::string(kEllipsis);
      return Fits(Render(trial));
    };
    std::size_t lo = 0;  // the longest kept length known to fit (0 is the fallback regardless)
    std::size_t hi = full.size();
    while (lo < hi) {
      std::size_t mid = lo + (hi - lo + 1) / 2;
      if (fits_with(mid)) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    line.sentence = std::string(Utf8Prefix(full, lo)) + std::string(kEllipsis);
    return line;
  }

 private:
  // The opening of a line for a person without a handle, or a team.
  std::string PlainOpening(const Addressee& who) const {
    switch (who.kind) {
      case Addressee::Kind::kNobody: return "";
      case Addressee::Kind::kAll: return MessageCatalog::PlainOpening("", true, locale_);
      case Addressee::Kind::kPerson: {
        std::string name = style_.escape ? style_.escape(who.name) : who.name;
        return MessageCatalog::PlainOpening(name, false, locale_);
      }
    }
    return "";
  }

  // The text of a part: a single event's opening and sentence, or the digest template over
  // the lines, each opened by `opening(who)`.
  template <typename Opening>
  std::string Text(const Part& part, Opening opening) const {
    if (!part.digest) return opening(part.lines[0].who) + part.lines[0].sentence;
    std::vector<DigestItem> items;
    items.reserve(part.lines.size());
    for (const Line& line : part.lines) {
      items.push_back(
          {opening(line.who), line.sentence, line.kind, line.task, line.link, line.url});
    }
    return catalog_.Digest(locale_, part.frame, items);
  }

  Rendered RenderDingTalk(const Part& part) const {
    Rendered out;
    Json mobiles = Json::array();
    Json user_ids = Json::array();
    bool at_all = false;
    std::vector<std::string> seen;
    auto opening = [&](const Addressee& who) -> std::string {
      if (who.kind == Addressee::Kind::kAll) at_all = true;
      if (who.kind != Addressee::Kind::kPerson || who.handle.empty()) {
        if (who.kind == Addressee::Kind::kPerson) AddOnce(out.missing, who.id);
        return PlainOpening(who);
      }
      if (std::find(seen.begin(), seen.end(), who.handle) == seen.end()) {
        seen.push_back(who.handle);
        (IsMobile(who.handle) ? mobiles : user_ids).push_back(who.handle);
      }
      // The page: without "@<mobile>" / "@<userId>" in the content nobody is pinged.
      return "@" + who.handle + " ";
    };
    std::string text = Text(part, opening);
    // A digest's first line is its header and its title; a single event gets its title above.
    std::string title = part.digest ? HeaderAndRest(text).first : part.title;
    text = part.digest ? "### " + text : "### " + part.title + "\n" + text;
    Json body;
    body["msgtype"] = "markdown";
    body["markdown"] = {{"title", std::move(title)}, {"text", std::move(text)}};
    body["at"] = {
        {"atMobiles", std::move(mobiles)}, {"atUserIds", std::move(user_ids)}, {"isAtAll", at_all}};
    out.body = Dump(body);
    return out;
  }

  Rendered RenderFeishu(const Part& part) const {
    Rendered out;
    auto opening = [&](const Addressee& who) -> std::string {
      if (who.kind == Addressee::Kind::kAll) return "<at user_id=\"all\"></at> ";
      if (who.kind != Addressee::Kind::kPerson || who.handle.empty()) {
        if (who.kind == Addressee::Kind::kPerson) AddOnce(out.missing, who.id);
        return PlainOpening(who);
      }
      return "<at user_id=\"" + who.handle + "\">" + BreakTags(who.name) + "</at> ";
    };
    Json body;
    body["msg_type"] = "text";
    body["content"] = {{"text", Text(part, opening)}};
    out.body = Dump(body);
    return out;
  }

  Rendered RenderWeCom(const Part& part) const {
    Rendered out;
    Json mentioned = Json::array();
    Json mobiles = Json::array();
    std::vector<std::string> seen;
    auto once = [&](Json& list, const std::string& value) {
      if (std::find(seen.begin(), seen.end(), value) != seen.end()) return;
      seen.push_back(value);
      list.push_back(value);
    };
    auto opening = [&](const Addressee& who) -> std::string {
      if (who.kind == Addressee::Kind::kAll) once(mentioned, "@all");
      if (who.kind != Addressee::Kind::kPerson || who.handle.empty()) {
        if (who.kind == Addressee::Kind::kPerson) AddOnce(out.missing, who.id);
        return PlainOpening(who);
      }
      if (IsMobile(who.handle)) {
        // No in-text form pings a mobile number; the list does, and the text names the person.
        once(mobiles, who.handle);
        return PlainOpening(who);
      }
      once(mentioned, who.handle);
      return "<@" + who.handle + "> ";
    };
    std::string content = Text(part, opening);
    Json body;
    body["msgtype"] = "text";
    body["text"] = {{"content", std::move(content)},
                    {"mentioned_list", std::move(mentioned)},
                    {"mentioned_mobile_list", std::move(mobiles)}};
    out.body = Dump(body);
    return out;
  }

  Rendered RenderSlack(const Part& part) const {
    Rendered out;
    auto opening = [&](const Addressee& who) -> std::string {
      if (who.kind == Addressee::Kind::kAll) return "<!channel> ";
      if (who.kind != Addressee::Kind::kPerson || who.handle.empty()) {
        if (who.kind == Addressee::Kind::kPerson) AddOnce(out.missing, who.id);
        return PlainOpening(who);
      }
      return "<@" + who.handle + "> ";
    };
    std::string text = Text(part, opening);
    // The section shows the digest's header in bold; `text` is what notifications show.
    std::string section = text;
    if (part.digest) {
      auto [header, rest] = HeaderAndRest(text);
      if (!header.empty()) section = "*" + header + "*" + rest;
    }
    out.chars = std::max(Utf16Length(text), Utf16Length(section));
    Json body;
    body["text"] = text;
    body["blocks"] = Json::array(
        {{{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", std::move(section)}}}}});
    out.body = Dump(body);
    return out;
  }

  Rendered RenderTeams(const Part& part) const {
    Rendered out;
    Json entities = Json::array();
    std::vector<std::string> seen;
    auto opening = [&](const Addressee& who) -> std::string {
      // The page documents no way for a webhook card to mention a whole team: plain "@all: ".
      if (who.kind != Addressee::Kind::kPerson || who.handle.empty()) {
        if (who.kind == Addressee::Kind::kPerson) AddOnce(out.missing, who.id);
        return PlainOpening(who);
      }
      std::string at = "<at>" + who.name + "</at>";
      if (std::find(seen.begin(), seen.end(), who.handle) == seen.end()) {
        seen.push_back(who.handle);
        // The entity's text must equal an <at>…</at> in a TextBlock; mentioned.id is the UPN.
        entities.push_back({{"type", "mention"},
                            {"text", at},
                            {"mentioned", {{"id", who.handle}, {"name", who.name}}}});
      }
      return at + " ";
    };
    auto text_block = [](std::string text) {
      return Json{{"type", "TextBlock"}, {"wrap", true}, {"text", std::move(text)}};
    };
    Json blocks = Json::array();
    const std::string text = Text(part, opening);
    if (!part.digest) {
      blocks.push_back(text_block(text));
    } else {
      // A TextBlock per line, the header in bold: a card shows one block per line well.
      std::vector<std::string> lines = SplitLines(text);
      for (std::size_t i = 0; i < lines.size(); ++i) {
        Json block = text_block(std::move(lines[i]));
        if (i == 0) block["weight"] = "bolder";
        blocks.push_back(std::move(block));
      }
    }
    Json content;
    content["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json";
    content["type"] = "AdaptiveCard";
    content["version"] = "1.4";
    content["body"] = std::move(blocks);
    content["msteams"] = {{"entities", std::move(entities)}};
    Json attachment;
    attachment["contentType"] = "application/vnd.microsoft.card.adaptive";
    attachment["contentUrl"] = nullptr;
    attachment["content"] = std::move(content);
    Json body;
    body["type"] = "message";
    body["attachments"] = Json::array({std::move(attachment)});
    out.body = Dump(body);
    return out;
  }

  // A MessageCard (section 2b): the digest's header, or a single event's title, as the card's
  // title and summary (what a notification shows), the rest as its Markdown text. A
  // MessageCard cannot mention anyone, so everyone is named in plain text ("@Wang Fang: ",
  // "@all: "), and nobody goes into missing_handles: a handle would not make a mention
  // possible, so the log's "has no handle" would send people after one in vain.
  Rendered RenderTeamsLegacy(const Part& part) const {
    Rendered out;
    auto opening = [&](const Addressee& who) { return PlainOpening(who); };
    std::string text = Text(part, opening);
    std::string title = part.title;
    if (part.digest) {
      auto [header, rest] = HeaderAndRest(text);
      title = std::move(header);
      text = rest.empty() ? rest : rest.substr(1);  // without the '\n' after the header
    }
    // Connector cards render a line break only for "\n\n", never for a single "\n"
    // (Microsoft's "Text formatting in cards"); a digest's "- " lines stay a list either way.
    std::string paragraphs;
    paragraphs.reserve(text.size() + text.size() / 16);
    for (char c : text) {
      paragraphs += c;
      if (c == '\n') paragraphs += '\n';
    }
    Json body;
    body["@type"] = "MessageCard";
    body["@context"] = "http://schema.org/extensions";
    body["summary"] = title;
    body["title"] = std::move(title);
    body["text"] = std::move(paragraphs);
    out.body = Dump(body);
    return out;
  }

  Rendered RenderDiscord(const Part& part) const {
    Rendered out;
    Json users = Json::array();
    std::vector<std::string> seen;
    bool everyone = false;
    auto opening = [&](const Addressee& who) -> std::string {
      if (who.kind == Addressee::Kind::kAll) {
        everyone = true;
        return "@everyone ";
      }
      if (who.kind != Addressee::Kind::kPerson || who.handle.empty()) {
        if (who.kind == Addressee::Kind::kPerson) AddOnce(out.missing, who.id);
        return PlainOpening(who);
      }
      if (std::find(seen.begin(), seen.end(), who.handle) == seen.end()) {
        seen.push_back(who.handle);
        users.push_back(who.handle);
      }
      return "<@" + who.handle + "> ";
    };
    std::string content = Text(part, opening);
    out.chars = Utf16Length(content);
    // An empty "parse" pings nobody but the listed users (and @everyone only when we meant it).
    Json parse = Json::array();
    if (everyone) parse.push_back("everyone");
    Json body;
    body["content"] = std::move(content);
    body["allowed_mentions"] = {{"parse", std::move(parse)}, {"users", std::move(users)}};
    out.body = Dump(body);
    return out;
  }

  Provider provider_;
  const MessageCatalog& catalog_;
  Locale locale_;
  std::string channel_;
  MessageStyle style_;
};

}  // namespace

std::size_t MaxBodyBytes(Provider provider) {
  switch (provider) {
    case Provider::kWebhook: return kWebhookBytes;
    case Provider::kDingTalk: return kDingTalkBytes;
    case Provider::kFeishu: return kFeishuBytes;
    case Provider::kWeCom: return kWeComBytes;
    case Provider::kSlack: return kSlackBytes;
    case Provider::kTeams: return kTeamsBytes;
    case Provider::kTeamsLegacy: return kTeamsLegacyBytes;
    case Provider::kDiscord: return kDiscordBytes;
  }
  return kWebhookBytes;
}

std::vector<ProviderMessage> FormatForProvider(Provider provider, const DeliveryBatch& batch,
                                               const Directory& directory, Instant now,
                                               const MessageCatalog& catalog, Locale locale) {
  if (batch.items.empty()) return {};
  if (provider == Provider::kWebhook) return {{WebhookBody(batch, now, catalog, locale), {}}};

  const Formatter f(provider, catalog, locale, batch.channel);
  std::vector<Line> lines;
  lines.reserve(batch.items.size());
  for (const Notification& n : batch.items) lines.push_back(f.MakeLine(n.event, directory, now));
  const std::size_t count = lines.size();
  auto finish = [](Rendered r) { return ProviderMessage{std::move(r.body), std::move(r.missing)}; };

  if (count == 1) {
    Part part = f.MakePart(false, 1, "", "", lines);
    if (!f.Fits(f.Render(part))) part.lines[0] = f.CutToFit(part, part.lines[0]);
    return {finish(f.Render(part))};
  }

  Rendered all = f.Render(f.MakePart(true, count, "", "", lines));
  if (f.Fits(all)) return {finish(std::move(all))};

  // Packed greedily with the widest numbers the parts can get ("99/99" for up to 99 items), so
  // that the real, never wider, numbers written afterwards still fit.
  const std::string widest(std::to_string(count).size(), '9');
  // Each part takes the longest run of the next items that fits. Rendering only grows as items
  // are added, so the run's end is found by doubling, then halving, in O(log n) renderings
  // rather than one per item: a digest of hundreds stays a few milliseconds on the daemon's
  // io thread.
  std::vector<std::vector<Line>> groups;
  std::size_t start = 0;
  auto fits_until = [&](std::size_t end) {
    std::vector<Line> run(lines.begin() + static_cast<std::ptrdiff_t>(start),
                          lines.begin() + static_cast<std::ptrdiff_t>(end));
    return f.Fits(f.Render(f.MakePart(true, count, widest, widest, std::move(run))));
  };
  while (start < count) {
    if (!fits_until(start + 1)) {
      Part alone = f.MakePart(true, count, widest, widest, {lines[start]});
      groups.push_back({f.CutToFit(alone, lines[start])});
      ++start;
      continue;
    }
    std::size_t good = start + 1;  // the run up to here fits
    std::size_t bad = count + 1;   // the run up to here does not (count + 1: none known)
    for (std::size_t step = 1; good < count; step *= 2) {
      const std::size_t next = std::min(count, good + step);
      if (!fits_until(next)) {
        bad = next;
        break;
      }
      good = next;
    }
    while (good < count && bad - good > 1) {
      const std::size_t mid = good + (bad - good) / 2;
      if (fits_until(mid)) {
        good = mid;
      } else {
        bad = mid;
      }
    }
    groups.emplace_back(lines.begin() + static_cast<std::ptrdiff_t>(start),
                        lines.begin() + static_cast<std::ptrdiff_t>(good));
    start = good;
  }

  std::vector<ProviderMessage> out;
  out.reserve(groups.size());
  for (std::size_t i = 0; i < groups.size(); ++i) {
    // One group happens only when cutting an item made the rest fit: no "(1/1)".
    const bool split = groups.size() > 1;
    out.push_back(finish(
        f.Render(f.MakePart(true, count, split ? std::to_string(i + 1) : "",
                            split ? std::to_string(groups.size()) : "", std::move(groups[i])))));
  }
  return out;
}

}  // namespace kaizen::notifiers
