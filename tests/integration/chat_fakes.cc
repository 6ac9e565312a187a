#include "tests/integration/chat_fakes.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "notifiers/signature.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

// The query parameter `name` of a request target, percent-decoded; nullopt when absent.
std::optional<std::string> QueryParam(const std::string& target, const std::string& name) {
  const auto question = target.find('?');
  if (question == std::string::npos) return std::nullopt;
  std::size_t at = question + 1;
  while (at <= target.size()) {
    std::size_t end = target.find('&', at);
    if (end == std::string::npos) end = target.size();
    std::string pair = target.substr(at, end - at);
    if (pair.rfind(name + "=", 0) == 0) {
      std::string raw = pair.substr(name.size() + 1);
      std::string out;
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '%' && i + 2 < raw.size()) {
          out.push_back(static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        } else {
          out.push_back(raw[i] == '+' ? ' ' : raw[i]);
        }
      }
      return out;
    }
    at = end + 1;
  }
  return std::nullopt;
}

std::string PathOf(const std::string& target) { return target.substr(0, target.find('?')); }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Characters as Discord and Slack count them: UTF-16 code units.
std::size_t Utf16Length(const std::string& text) {
  std::size_t units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;
    units += c >= 0xF0 ? 2 : 1;
  }
  return units;
}

const json* Field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<std::string> StringField(const json& object, const char* key) {
  const json* value = Field(object, key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

// The strings of an optional array field; nullopt when present but not an array of strings.
std::optional<std::vector<std::string>> StringList(const json& object, const char* key) {
  std::vector<std::string> out;
  const json* value = Field(object, key);
  if (value == nullptr || value->is_null()) return out;
  if (!value->is_array()) return std::nullopt;
  for (const json& item : *value) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Every `open`…`close` enclosed text in `text` ("<@" and ">" give the ids of "<@U1> <@U2>").
std::vector<std::string> Enclosed(const std::string& text, const std::string& open,
                                  const std::string& close) {
  std::vector<std::string> out;
  for (auto at = text.find(open); at != std::string::npos; at = text.find(open, at + 1)) {
    auto start = at + open.size();
    auto end = text.find(close, start);
    if (end == std::string::npos) break;
    out.push_back(text.substr(start, end - start));
  }
  return out;
}

ServerReply Reply(int status, std::string body, std::string content_type = "application/json") {
  ServerReply reply;
  reply.status = status;
  reply.body = std::move(body);
  if (!reply.body.empty()) reply.headers.emplace_back("Content-Type", std::move(content_type));
  return reply;
}

ServerReply Text(int status, std::string body) {
  return Reply(status, std::move(body), "text/plain; charset=utf-8");
}

std::string Seconds(milliseconds wait) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", static_cast<double>(wait.count()) / 1000.0);
  return buffer;
}

std::string WholeSeconds(milliseconds wait) {
  return std::to_string(std::max<long long>(1, (wait.count() + 999) / 1000));
}

constexpr char kDiscordWebhookId[] = "1234567890";
constexpr char kTeamsWorkflow[] = "0f1e2d3c4b5a";

}  // namespace

std::string ChannelTypeOf(ChatProvider provider) {
  switch (provider) {
    case ChatProvider::kDingTalk: return "dingtalk";
    case ChatProvider::kFeishu: return "feishu";
    case ChatProvider::kWeCom: return "wecom";
    case ChatProvider::kSlack: return "slack";
    case ChatProvider::kTeams: return "teams";
    case ChatProvider::kDiscord: return "discord";
  }
  return "";
}

ChatFake::ChatFake(ChatProvider provider, ChatFakeOptions options)
    : provider_(provider),
      options_(std::move(options)),
      token_("fake-" + ChannelTypeOf(provider) + "-t0ken") {
  sink_.SetReply([this](const ServerRequest& request) { return Answer(request); });
}

std::string ChatFake::Url() const {
  switch (provider_) {
    case ChatProvider::kDingTalk: return sink_.Url("/robot/send?access_token=" + token_);
    case ChatProvider::kFeishu: return sink_.Url("/open-apis/bot/v2/hook/" + token_);
    case ChatProvider::kWeCom: return sink_.Url("/cgi-bin/webhook/send?key=" + token_);
    case ChatProvider::kSlack: return sink_.Url("/services/T0KAIZEN/B0KAIZEN/" + token_);
    case ChatProvider::kTeams:
      return sink_.Url(std::string("/workflows/") + kTeamsWorkflow +
                       "/triggers/manual/paths/invoke?api-version=2016-06-01"
                       "&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" +
                       token_);
    case ChatProvider::kDiscord:
      return sink_.Url(std::string("/api/webhooks/") + kDiscordWebhookId + "/" + token_ +
                       "?wait=true");
  }
  return "";
}

nlohmann::json ChatFake::ChannelConfig() const {
  json channel = {{"type", ChannelTypeOf(provider_)}, {"url", Url()}};
  if (!options_.secret.empty()) channel["secret"] = options_.secret;
  return channel;
}

std::vector<PostedMessage> ChatFake::posted() const {
  std::lock_guard lock(mutex_);
  return posted_;
}

std::vector<std::string> ChatFake::violations() const {
  std::lock_guard lock(mutex_);
  return violations_;
}

int ChatFake::throttled() const {
  std::lock_guard lock(mutex_);
  return throttled_;
}

std::vector<std::string> ChatFake::refusals() const {
  std::lock_guard lock(mutex_);
  return refusals_;
}

void ChatFake::ThrottleOnceWhen(std::string needle) {
  std::lock_guard lock(mutex_);
  throttle_once_.push_back(std::move(needle));
}

void ChatFake::RefuseWhen(std::string needle) {
  std::lock_guard lock(mutex_);
  refuse_.push_back(std::move(needle));
}

bool ChatFake::WaitForPosted(std::size_t count, milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return posted_.size() >= count; });
}

void ChatFake::Violation(std::string what) { violations_.push_back(std::move(what)); }

ServerReply ChatFake::Refuse(std::string why, ServerReply reply) {
  refusals_.push_back(std::move(why));
  return reply;
}

std::optional<milliseconds> ChatFake::OverLimit(SteadyTime now) {
  std::optional<milliseconds> wait;
  for (const WindowLimit& limit : options_.limits) {
    std::vector<SteadyTime> inside;
    for (const PostedMessage& m : posted_) {
      if (m.at > now - limit.window) inside.push_back(m.at);
    }
    if (static_cast<int>(inside.size()) < limit.messages) continue;
    // Free again when enough of the oldest have left the window.
    const SteadyTime frees_at = inside[inside.size() - limit.messages] + limit.window;
    auto until = std::chrono::ceil<milliseconds>(frees_at - now);
    wait = std::max(wait.value_or(milliseconds::zero()), until);
  }
  return wait;
}

void ChatFake::AddRateLimitHeaders(ServerReply& reply, SteadyTime now) {
  // Discord: the bucket of the tightest limit, after this request.
  if (provider_ != ChatProvider::kDiscord || options_.limits.empty()) return;
  int best_remaining = 1 << 30;
  milliseconds best_reset{0};
  int best_limit = 0;
  for (const WindowLimit& limit : options_.limits) {
    std::vector<SteadyTime> inside;
    for (const PostedMessage& m : posted_) {
      if (m.at > now - limit.window) inside.push_back(m.at);
    }
    const int remaining = std::max(0, limit.messages - static_cast<int>(inside.size()));
    milliseconds reset{0};
    if (!inside.empty()) {
      // A slot comes back when the oldest message in the window leaves it.
      std::size_t oldest_needed =
          remaining > 0 ? 0 : inside.size() - static_cast<std::size_t>(limit.messages);
      reset = std::chrono::ceil<milliseconds>(inside[oldest_needed] + limit.window - now);
    }
    if (remaining < best_remaining) {
      best_remaining = remaining;
      best_reset = reset;
      best_limit = limit.messages;
    }
  }
  reply.headers.emplace_back("X-RateLimit-Limit", std::to_string(best_limit));
  reply.headers.emplace_back("X-RateLimit-Remaining", std::to_string(best_remaining));
  reply.headers.emplace_back("X-RateLimit-Reset-After", Seconds(best_reset));
  reply.headers.emplace_back("X-RateLimit-Bucket", "fake-webhook-bucket");
}

ServerReply ChatFake::Throttle(SteadyTime now, std::string why) {
  ++throttled_;
  refusals_.push_back("throttled: " + why);
  const milliseconds wait = options_.throttle_wait;
  switch (provider_) {
    case ChatProvider::kDingTalk:
      if (options_.block_after_throttle > milliseconds::zero() && blocked_until_ < now) {
        blocked_until_ = now + options_.block_after_throttle;
      }
      return Reply(200,
                   R"({"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"})");
    case ChatProvider::kWeCom:
      return Reply(
          200,
          R"({"errcode":45009,"errmsg":"api freq out of limit, hint: [1717171717_1_abc], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=45009"})");
    case ChatProvider::kFeishu:
      return Reply(
          200, R"({"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]"})");
    case ChatProvider::kSlack: {
      ServerReply reply = Text(429, "rate_limited");
      reply.headers.emplace_back("Retry-After", WholeSeconds(wait));
      return reply;
    }
    case ChatProvider::kTeams: {
      ServerReply reply = Reply(
          429,
          R"({"error":{"code":"WorkflowTriggerIsThrottled","message":"The workflow trigger is throttled."}})");
      reply.headers.emplace_back("Retry-After", WholeSeconds(wait));
      return reply;
    }
    case ChatProvider::kDiscord: {
      json body = {{"message", "You are being rate limited."},
                   {"retry_after", static_cast<double>(wait.count()) / 1000.0},
                   {"global", false}};
      ServerReply reply = Reply(429, body.dump());
      reply.headers.emplace_back("Retry-After", WholeSeconds(wait));
      AddRateLimitHeaders(reply, now);
      return reply;
    }
  }
  return Reply(429, "");
}

ServerReply ChatFake::Answer(const ServerRequest& request) {
  ServerReply reply;
  {
    std::lock_guard lock(mutex_);
    std::optional<PostedMessage> accepted;
    reply = Check(request, accepted);
    if (accepted) posted_.push_back(std::move(*accepted));
  }
  changed_.notify_all();
  return reply;
}

// The provider's checks, in the order it makes them: who is calling (token, signature), then
// whether it takes another message now, then what the message says.
ServerReply ChatFake::Check(const ServerRequest& request, std::optional<PostedMessage>& accepted) {
  const SteadyTime now = std::chrono::steady_clock::now();
  const std::string path = PathOf(request.target);
  const std::string content_type = request.Header("content-type");
  const bool json_type = content_type.rfind("application/json", 0) == 0;
  json body = json::parse(request.body, nullptr, false);
  if (request.method != "POST") {
    Violation("method " + request.method + " instead of POST");
    return Refuse("method", Text(405, "method not allowed"));
  }
  if (!json_type) Violation("Content-Type '" + content_type + "' instead of application/json");

  PostedMessage message;
  message.at = now;
  // What the provider answers to a message it cannot take; set per provider below.
  ServerReply bad_message;

  switch (provider_) {
    case ChatProvider::kDingTalk: {
      if (path != "/robot/send" || QueryParam(request.target, "access_token") != token_) {
        return Refuse("token", Reply(200, R"({"errcode":300001,"errmsg":"token is not exist"})"));
      }
      if (!options_.secret.empty()) {
        auto timestamp = QueryParam(request.target, "timestamp");
        auto sign = QueryParam(request.target, "sign");
        std::int64_t ms = 0;
        if (timestamp && !timestamp->empty() &&
            timestamp->find_first_not_of("0123456789") == std::string::npos) {
          ms = std::stoll(*timestamp);
        }
        const std::int64_t now_ms = std::chrono::duration_cast<milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count();
        if (ms == 0 || std::llabs(now_ms - ms) > 3'600'000) {
          Violation("DingTalk timestamp '" + timestamp.value_or("") + "' is not ms within 1 h");
          return Refuse("timestamp",
                        Reply(200, R"({"errcode":310000,"errmsg":"invalid timestamp"})"));
        }
        if (sign != notifiers::DingTalkSignature(options_.secret, ms)) {
          Violation("DingTalk sign does not match");
          return Refuse("sign", Reply(200, R"({"errcode":310000,"errmsg":"sign not match"})"));
        }
      }
      if (request.body.size() > 20000) {
        Violation("DingTalk body of " + std::to_string(request.body.size()) + " bytes");
        return Refuse(
            "size",
            Reply(200, R"({"errcode":460101,"errmsg":"message too long, exceed 20000 bytes"})"));
      }
      bad_message =
          Reply(200, R"({"errcode":460101,"errmsg":"message too long, exceed 20000 bytes"})");
      const std::string type = body.is_object() ? StringField(body, "msgtype").value_or("") : "";
      std::optional<std::string> text;
      if (type == "text" && Field(body, "text")) text = StringField(body["text"], "content");
      if (type == "markdown" && Field(body, "markdown")) {
        auto title = StringField(body["markdown"], "title");
        text = StringField(body["markdown"], "text");
        if (!title || title->empty()) Violation("DingTalk markdown without a title");
      }
      if (!text) {
        Violation("DingTalk body is not a text or markdown message: " + request.body);
        return Refuse("shape", Reply(200, R"({"errcode":40035,"errmsg":"缺少参数 json"})"));
      }
      message.text = *text;
      if (const json* at = Field(body, "at")) {
        auto mobiles = StringList(*at, "atMobiles");
        auto user_ids = StringList(*at, "atUserIds");
        if (!mobiles || !user_ids) Violation("DingTalk at.atMobiles/atUserIds not string arrays");
        std::vector<std::string> listed = mobiles.value_or(std::vector<std::string>{});
        for (const auto& id : user_ids.value_or(std::vector<std::string>{})) listed.push_back(id);
        for (const std::string& handle : listed) {
          // The page: without "@<mobile>" in the content the person is not pinged.
          if (Contains(*text, "@" + handle)) {
            message.mentioned.insert(handle);
          } else {
            Violation("DingTalk lists " + handle + " but the text lacks @" + handle);
          }
        }
        if (const json* all = Field(*at, "isAtAll"); all && all->is_boolean() && *all) {
          message.mentioned.insert("@all");
        }
      }
      if (now < blocked_until_) return Throttle(now, "blocked");
      break;
    }

    case ChatProvider::kFeishu: {
      if (path != "/open-apis/bot/v2/hook/" + token_) {
        return Refuse(
            "token",
            Reply(
                200,
                R"({"code":19001,"msg":"param invalid: incoming webhook access token invalid"})"));
      }
      if (request.body.size() > 20000) {
        Violation("Feishu body of " + std::to_string(request.body.size()) + " bytes");
        return Refuse("size", Reply(400, R"({"code":9499,"msg":"Bad Request"})"));
      }
      if (!body.is_object()) {
        Violation("Feishu body is not a JSON object");
        return Refuse("shape", Reply(400, R"({"code":9499,"msg":"Bad Request"})"));
      }
      if (!options_.secret.empty()) {
        auto timestamp = StringField(body, "timestamp");
        std::int64_t s = 0;
        if (timestamp && !timestamp->empty() &&
            timestamp->find_first_not_of("0123456789") == std::string::npos) {
          s = std::stoll(*timestamp);
        }
        const std::int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
        if (s == 0 || std::llabs(now_s - s) > 3600 ||
            StringField(body, "sign") != notifiers::FeishuSignature(options_.secret, s)) {
          Violation("Feishu timestamp/sign refused");
          return Refuse(
              "sign",
              Reply(
                  200,
                  R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})"));
        }
      }
      bad_message = Reply(400, R"({"code":9499,"msg":"Bad Request"})");
      const std::string type = StringField(body, "msg_type").value_or("");
      const json* content = Field(body, "content");
      std::optional<std::string> text;
      if (type == "text" && content && content->is_object()) text = StringField(*content, "text");
      if (!text) {
        Violation("Feishu body is not msg_type text with a content object: " + request.body);
        return Refuse("shape", Reply(400, R"({"code":9499,"msg":"Bad Request"})"));
      }
      message.text = *text;
      for (const std::string& tag : Enclosed(*text, "<at user_id=\"", "\">")) {
        if (!Contains(*text, "<at user_id=\"" + tag + "\">") ||
            text->find("</at>", text->find("<at user_id=\"" + tag)) == std::string::npos) {
          Violation("Feishu <at> without </at>");
        }
        message.mentioned.insert(tag == "all" ? "@all" : tag);
      }
      break;
    }

    case ChatProvider::kWeCom: {
      if (path != "/cgi-bin/webhook/send" || QueryParam(request.target, "key") != token_) {
        return Refuse(
            "key",
            Reply(200,
                  R"({"errcode":93000,"errmsg":"invalid webhook url, hint: [1717171717_2_abc]"})"));
      }
      bad_message = Reply(
          200, R"({"errcode":40058,"errmsg":"text.content exceed max length 2048, hint: [x]"})");
      const std::string type = body.is_object() ? StringField(body, "msgtype").value_or("") : "";
      const json* part = type.empty() ? nullptr : Field(body, type.c_str());
      std::optional<std::string> content;
      if ((type == "text" || type == "markdown") && part) content = StringField(*part, "content");
      if (!content) {
        Violation("WeCom body is not a text or markdown message: " + request.body);
        return Refuse("shape", Reply(200, R"({"errcode":40008,"errmsg":"invalid message type"})"));
      }
      const std::size_t max_bytes = type == "text" ? 2048 : 4096;
      if (content->size() > max_bytes) {
        Violation("WeCom " + type + ".content of " + std::to_string(content->size()) + " bytes");
        return Refuse("size", Reply(200, "{\"errcode\":40058,\"errmsg\":\"" + type +
                                             ".content exceed max length " +
                                             std::to_string(max_bytes) + "\"}"));
      }
      message.text = *content;
      auto listed = StringList(*part, "mentioned_list");
      auto mobiles = StringList(*part, "mentioned_mobile_list");
      if (!listed || !mobiles) Violation("WeCom mentioned lists are not string arrays");
      if (type == "markdown" && (!listed->empty() || !mobiles->empty())) {
        Violation("WeCom markdown ignores mentioned_list");
      }
      for (const auto& id : listed.value_or(std::vector<std::string>{})) {
        message.mentioned.insert(id == "@all" ? "@all" : id);
      }
      for (const auto& mobile : mobiles.value_or(std::vector<std::string>{})) {
        message.mentioned.insert(mobile == "@all" ? "@all" : mobile);
      }
      for (const std::string& id : Enclosed(*content, "<@", ">")) message.mentioned.insert(id);
      break;
    }

    case ChatProvider::kSlack: {
      if (path != "/services/T0KAIZEN/B0KAIZEN/" + token_) {
        return Refuse("token", Text(404, "no_service"));
      }
      if (!json_type || !body.is_object()) {
        return Refuse("shape", Text(400, "invalid_payload"));
      }
      bad_message = Text(400, "invalid_blocks");
      auto text = StringField(body, "text");
      if (!text || text->empty()) {
        // Slack takes blocks alone, but notifications then show nothing.
        Violation("Slack message without text: " + request.body);
      }
      if (text && Utf16Length(*text) > 40000) Violation("Slack text over 40,000 characters");
      if (const json* blocks = Field(body, "blocks")) {
        if (!blocks->is_array() || blocks->size() > 50) {
          return Refuse("blocks", Text(400, "invalid_blocks"));
        }
        for (const json& block : *blocks) {
          if (StringField(block, "type") != "section") continue;
          const json* section_text = Field(block, "text");
          auto words = section_text ? StringField(*section_text, "text") : std::nullopt;
          auto kind = section_text ? StringField(*section_text, "type") : std::nullopt;
          if (!words || (kind != "mrkdwn" && kind != "plain_text")) {
            return Refuse("blocks", Text(400, "invalid_blocks"));
          }
          if (Utf16Length(*words) > 3000) {
            Violation("Slack section text over 3,000 characters");
            return Refuse("size", Text(400, "invalid_blocks"));
          }
        }
      }
      message.text = text.value_or("");
      for (const std::string& inside : Enclosed(message.text, "<", ">")) {
        if (inside.rfind("@U", 0) == 0 || inside.rfind("@W", 0) == 0) {
          message.mentioned.insert(inside.substr(1));
        } else if (inside == "!channel" || inside == "!here") {
          message.mentioned.insert("@all");
        } else if (inside.rfind("http", 0) != 0 && inside.rfind("mailto:", 0) != 0 &&
                   inside.rfind("#C", 0) != 0 && inside.rfind("!subteam^", 0) != 0) {
          Violation("Slack text has an unescaped <" + inside + ">");
        }
      }
      break;
    }

    case ChatProvider::kTeams: {
      if (path != std::string("/workflows/") + kTeamsWorkflow + "/triggers/manual/paths/invoke" ||
          QueryParam(request.target, "sig") != token_) {
        return Refuse(
            "sig",
            Reply(
                401,
                R"({"error":{"code":"DirectApiAuthorizationRequired","message":"The request must be authenticated."}})"));
      }
      if (request.body.size() > 28000) {
        Violation("Teams body of " + std::to_string(request.body.size()) + " bytes");
        return Refuse("size", Text(413, "request entity too large"));
      }
      const ServerReply schema_mismatch = Reply(
          400,
          R"({"error":{"code":"TriggerInputSchemaMismatch","message":"The input body for trigger 'manual' of type 'Request' did not match its schema definition."}})");
      bad_message = schema_mismatch;
      const json* attachments = Field(body, "attachments");
      if (StringField(body, "type") != "message" || !attachments || !attachments->is_array() ||
          attachments->empty()) {
        Violation("Teams body is not a message envelope with attachments: " + request.body);
        return Refuse("shape", schema_mismatch);
      }
      std::vector<std::string> lines;
      for (const json& attachment : *attachments) {
        if (StringField(attachment, "contentType") != "application/vnd.microsoft.card.adaptive") {
          Violation("Teams attachment is not an Adaptive Card");
          return Refuse("shape", schema_mismatch);
        }
        const json* card = Field(attachment, "content");
        if (!card || StringField(*card, "type") != "AdaptiveCard") {
          Violation("Teams attachment content is not an AdaptiveCard");
          return Refuse("shape", schema_mismatch);
        }
        // Cards above 1.4 fail to render in the flow's run, after the 202: only people notice.
        auto version = StringField(*card, "version").value_or("");
        int major = 0;
        int minor = 0;
        if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2 ||
            major * 100 + minor > 104) {
          Violation("Teams card version '" + version + "' is not 1.4 or below");
        }
        const json* card_body = Field(*card, "body");
        if (!card_body || !card_body->is_array()) {
          Violation("Teams card without a body");
          continue;
        }
        std::vector<std::string> card_lines;
        for (const json& element : *card_body) {
          if (StringField(element, "type") == "TextBlock") {
            if (auto words = StringField(element, "text")) card_lines.push_back(*words);
          }
        }
        std::string card_text;
        for (const std::string& line : card_lines) card_text += line + "\n";
        std::set<std::string> entity_texts;
        const json* msteams = Field(*card, "msteams");
        const json* entities = msteams ? Field(*msteams, "entities") : nullptr;
        if (entities && entities->is_array()) {
          for (const json& entity : *entities) {
            auto type = StringField(entity, "type");
            auto at = StringField(entity, "text");
            const json* who = Field(entity, "mentioned");
            auto id = who ? StringField(*who, "id") : std::nullopt;
            auto name = who ? StringField(*who, "name") : std::nullopt;
            if (type != "mention" || !at || !id || id->empty() || !name || name->empty()) {
              Violation("Teams entity is not a full mention: " + entity.dump());
              continue;
            }
            entity_texts.insert(*at);
            if (!Contains(card_text, *at)) {
              Violation("Teams entity " + *at + " matches no <at> in a TextBlock");
            } else if (*at != "<at>" + *name + "</at>") {
              Violation("Teams entity text " + *at + " is not <at>" + *name + "</at>");
            } else {
              message.mentioned.insert(*id);
            }
          }
        }
        for (const std::string& name : Enclosed(card_text, "<at>", "</at>")) {
          if (!entity_texts.count("<at>" + name + "</at>")) {
            Violation("Teams <at>" + name + "</at> without a mention entity");
          }
        }
        for (const std::string& line : card_lines) lines.push_back(line);
      }
      for (std::size_t i = 0; i < lines.size(); ++i) {
        message.text += (i ? "\n" : "") + lines[i];
      }
      break;
    }

    case ChatProvider::kDiscord: {
      if (path != std::string("/api/webhooks/") + kDiscordWebhookId + "/" + token_) {
        return Refuse("token", Reply(404, R"({"message":"Unknown Webhook","code":10015})"));
      }
      bad_message = Reply(
          400,
          R"({"code":50035,"errors":{"content":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 2000 or fewer in length."}]}},"message":"Invalid Form Body"})");
      if (!body.is_object()) {
        return Refuse(
            "shape",
            Reply(400, R"({"code":50109,"message":"The request body contains invalid JSON."})"));
      }
      auto content = StringField(body, "content");
      if (!content || content->empty()) {
        if (!Field(body, "embeds")) {
          return Refuse("empty",
                        Reply(400, R"({"code":50006,"message":"Cannot send an empty message"})"));
        }
      }
      if (content && Utf16Length(*content) > 2000) {
        Violation("Discord content of " + std::to_string(Utf16Length(*content)) + " characters");
        return Refuse("size", bad_message);
      }
      message.text = content.value_or("");
      const json* allowed = Field(body, "allowed_mentions");
      if (!allowed || !allowed->is_object()) {
        // Without it, any "@everyone" in a task title would ping the whole server.
        Violation("Discord message without allowed_mentions");
      }
      auto users =
          allowed ? StringList(*allowed, "users") : std::optional<std::vector<std::string>>{};
      auto parse =
          allowed ? StringList(*allowed, "parse") : std::optional<std::vector<std::string>>{};
      if (allowed && (!users || !parse)) Violation("Discord allowed_mentions lists malformed");
      const std::vector<std::string> parse_list = parse.value_or(std::vector<std::string>{});
      const std::vector<std::string> user_list = users.value_or(std::vector<std::string>{});
      auto parses = [&](const char* what) {
        return !allowed ||
               std::find(parse_list.begin(), parse_list.end(), what) != parse_list.end();
      };
      for (std::string id : Enclosed(message.text, "<@", ">")) {
        if (!id.empty() && (id[0] == '!' || id[0] == '&')) {
          if (id[0] == '&') continue;  // a role
          id = id.substr(1);
        }
        if (parses("users") ||
            std::find(user_list.begin(), user_list.end(), id) != user_list.end()) {
          message.mentioned.insert(id);
        } else {
          Violation("Discord <@" + id + "> is not in allowed_mentions: it pings nobody");
        }
      }
      if ((Contains(message.text, "@everyone") || Contains(message.text, "@here")) &&
          parses("everyone")) {
        message.mentioned.insert("@all");
      }
      break;
    }
  }

  for (const std::string& needle : refuse_) {
    if (Contains(message.text, needle)) return Refuse("refused: " + needle, bad_message);
  }
  if (auto wait = OverLimit(now)) {
    return Throttle(now, "over a limit, free in " + std::to_string(wait->count()) + " ms");
  }
  for (auto it = throttle_once_.begin(); it != throttle_once_.end(); ++it) {
    if (Contains(message.text, *it)) {
      std::string needle = *it;
      throttle_once_.erase(it);
      return Throttle(now, "once, at " + needle);
    }
  }

  accepted = message;
  switch (provider_) {
    case ChatProvider::kDingTalk: return Reply(200, R"({"errcode":0,"errmsg":"ok"})");
    case ChatProvider::kFeishu: return Reply(200, R"({"code":0,"msg":"success","data":{}})");
    case ChatProvider::kWeCom: return Reply(200, R"({"errcode":0,"errmsg":"ok"})");
    case ChatProvider::kSlack: return Text(200, "ok");
    case ChatProvider::kTeams: return Reply(202, "");
    case ChatProvider::kDiscord: {
      // With ?wait=true Discord confirms with the message object; without, 204.
      posted_.push_back(message);  // counted by the headers below, taken back after
      ServerReply reply;
      if (QueryParam(request.target, "wait") == "true") {
        reply = Reply(200, json{{"id", std::to_string(1000 + posted_.size())},
                                {"type", 0},
                                {"content", message.text},
                                {"channel_id", "42"},
                                {"webhook_id", kDiscordWebhookId}}
                               .dump());
      } else {
        reply.status = 204;
      }
      AddRateLimitHeaders(reply, now);
      posted_.pop_back();
      return reply;
    }
  }
  return Reply(500, "");
}

}  // namespace kaizen::testing
