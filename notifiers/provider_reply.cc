#include "notifiers/provider_reply.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <utility>

#include "notifiers/retry_after.h"
#include "notifiers/url.h"

namespace kaizen::notifiers {
namespace {

using std::chrono::seconds;

constexpr std::array<std::pair<std::string_view, Provider>, 9> kProviderNames = {{
    {"webhook", Provider::kWebhook},
    {"dingtalk", Provider::kDingTalk},
    {"feishu", Provider::kFeishu},
    {"lark", Provider::kFeishu},
    {"wecom", Provider::kWeCom},
    {"slack", Provider::kSlack},
    {"teams", Provider::kTeams},
    {"teams_legacy", Provider::kTeamsLegacy},
    {"discord", Provider::kDiscord},
}};

// The page's ten-minute DingTalk block after more than 20 messages a minute (130101).
constexpr seconds kDingTalkBlock{600};
// WeCom's 45009 clears "after the minute window rolls".
constexpr seconds kWeComWindow{60};
// Provider text quoted in a message: enough to recognise, short enough for a log line.
constexpr std::size_t kMaxQuotedBytes = 200;
// The provider's own message in a ProviderAnswer: whole, unless it is a page of text.
constexpr std::size_t kMaxProviderMessageBytes = 1024;

std::string_view DisplayName(Provider provider) {
  switch (provider) {
    case Provider::kWebhook: return "the webhook";
    case Provider::kDingTalk: return "DingTalk";
    case Provider::kFeishu: return "Feishu/Lark";
    case Provider::kWeCom: return "WeCom";
    case Provider::kSlack: return "Slack";
    case Provider::kTeams: return "Microsoft Teams";
    case Provider::kTeamsLegacy: return "the Microsoft Teams connector";
    case Provider::kDiscord: return "Discord";
  }
  return "the provider";
}

bool IsSuccessStatus(int status) { return status >= 200 && status <= 299; }

// The provider's own words, safe to log: control characters become spaces, and the text is
// cut at a UTF-8 character boundary.
std::string Quote(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    out += (byte < 0x20 || byte == 0x7F) ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  if (out.size() > kMaxQuotedBytes) {
    std::size_t cut = kMaxQuotedBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
  });
  return out;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// `word` in `text` with no ASCII letter on either side ("ip" in "ip not in whitelist", not in
// "description").
bool ContainsWord(std::string_view text, std::string_view word) {
  auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  for (std::size_t at = text.find(word); at != std::string_view::npos;
       at = text.find(word, at + 1)) {
    bool before = at == 0 || !is_letter(text[at - 1]);
    std::size_t end = at + word.size();
    bool after = end == text.size() || !is_letter(text[end]);
    if (before && after) return true;
  }
  return false;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r' ||
                           text.front() == '\n')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

ProviderVerdict Verdict(ReplyCategory category, std::string reason, std::string message) {
  ProviderVerdict verdict;
  verdict.category = category;
  switch (category) {
    case ReplyCategory::kDelivered: verdict.verdict = DeliveryVerdict::kDelivered; break;
    case ReplyCategory::kRetryLater: verdict.verdict = DeliveryVerdict::kRetryLater; break;
    case ReplyCategory::kPermanent:
    case ReplyCategory::kDeadChannel:
    case ReplyCategory::kConfigError: verdict.verdict = DeliveryVerdict::kPermanent; break;
  }
  verdict.reason = std::move(reason);
  verdict.message = std::move(message);
  return verdict;
}

std::optional<seconds> HeaderWait(const HttpResult& result, Instant now) {
  if (auto value = result.Header("retry-after")) return ParseRetryAfter(*value, now);
  return std::nullopt;
}

std::string WaitText(const std::optional<seconds>& wait) {
  if (!wait) return "retrying later";
  return "retrying in " + std::to_string(wait->count()) + " s";
}

// The verdict from the HTTP status or the transport alone, the way ClassifyDelivery reads it,
// with an invalid URL as the channel's configuration error.
ProviderVerdict FromHttp(Provider provider, const HttpResult& result, Instant now) {
  DeliveryOutcome outcome = ClassifyDelivery(result, now);
  const std::string name(DisplayName(provider));
  ProviderVerdict verdict;
  if (outcome.verdict == DeliveryVerdict::kDelivered) {
    verdict = Verdict(ReplyCategory::kDelivered, outcome.reason, "");
  } else if (result.status != 0) {
    std::string said = Quote(result.body);
    std::string answered = name + " answered HTTP " + std::to_string(result.status) +
                           (said.empty() ? "" : ": " + said);
    if (outcome.verdict == DeliveryVerdict::kRetryLater) {
      verdict = Verdict(ReplyCategory::kRetryLater, outcome.reason,
                        answered + "; " + WaitText(outcome.retry_after));
    } else {
      verdict = Verdict(ReplyCategory::kPermanent, outcome.reason,
                        answered + "; this message will not be sent again");
    }
  } else if (result.error.reason() == "invalid_url") {
    verdict = Verdict(ReplyCategory::kConfigError, outcome.reason,
                      "the " + name + " webhook URL is invalid (" + result.error.message() +
                          "); fix the channel's URL");
  } else if (outcome.verdict == DeliveryVerdict::kRetryLater) {
    std::string why = result.error.ok() ? "no answer" : result.error.message();
    verdict = Verdict(ReplyCategory::kRetryLater, outcome.reason,
                      "could not reach " + name + " (" + why + "); retrying later");
  } else {
    verdict = Verdict(ReplyCategory::kPermanent, outcome.reason,
                      "could not send to " + name + " (" + result.error.message() +
                          "); this message will not be sent again");
  }
  verdict.retry_after = outcome.retry_after;
  return verdict;
}

// {"<code_key>": <integer>, "<text_key>": "..."}: the result DingTalk, Feishu and WeCom put in
// every reply.
struct CodeReply {
  std::int64_t code = 0;
  std::string text;
};

std::optional<CodeReply> ReadCode(std::string_view body, const char* code_key,
                                  const char* text_key) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  auto code = json.find(code_key);
  if (code == json.end() || !code->is_number_integer()) return std::nullopt;
  CodeReply reply;
  reply.code = code->get<std::int64_t>();
  if (auto text = json.find(text_key); text != json.end() && text->is_string()) {
    reply.text = text->get<std::string>();
  }
  return reply;
}

// What DingTalk, Feishu and WeCom have in common: the code decides when the body has one,
// whatever the status; a 2xx without a readable code may not have been posted.
template <typename Table>
ProviderVerdict ClassifyCodeReply(Provider provider, const HttpResult& result, Instant now,
                                  const char* code_key, const char* text_key, const Table& table) {
  const std::string name(DisplayName(provider));
  if (result.status == 0) return FromHttp(provider, result, now);
  std::optional<CodeReply> reply = ReadCode(result.body, code_key, text_key);
  if (!reply) {
    if (!IsSuccessStatus(result.status)) return FromHttp(provider, result, now);
    // Unreadable: we cannot tell whether the message was posted. Retrying risks a duplicate
    // (the reminder key in the text lets people see it); not retrying risks a lost reminder.
    ProviderVerdict verdict =
        Verdict(ReplyCategory::kRetryLater, "unreadable_reply",
                name + " answered HTTP " + std::to_string(result.status) + " without a readable " +
                    code_key + " in the body (" + Quote(result.body) + "); retrying later");
    verdict.retry_after = HeaderWait(result, now);
    return verdict;
  }
  if (reply->code == 0) {
    // Success in the body and a failure status is no success: trust the status.
    ProviderVerdict verdict = FromHttp(provider, result, now);
    verdict.provider_code = 0;
    return verdict;
  }
  std::string said = name + " refused the message (" + code_key + " " +
                     std::to_string(reply->code) +
                     (reply->text.empty() ? "" : ": " + Quote(reply->text)) + ")";
  std::optional<ProviderVerdict> known = table(*reply, said, result, now);
  ProviderVerdict verdict;
  if (known) {
    verdict = std::move(*known);
  } else if (IsSuccessStatus(result.status)) {
    // A code the page does not list: the safer guess is that a later attempt may pass.
    verdict = Verdict(ReplyCategory::kRetryLater, "error_code",
                      said + "; this code is not a known one, retrying later");
    verdict.retry_after = HeaderWait(result, now);
  } else {
    verdict = FromHttp(provider, result, now);
    verdict.message = said + " with HTTP " + std::to_string(result.status) + "; " +
                      (verdict.category == ReplyCategory::kRetryLater
                           ? WaitText(verdict.retry_after)
                           : std::string("this message will not be sent again"));
  }
  verdict.provider_code = reply->code;
  return verdict;
}

// Section 3 of the page. 300005 "has also been seen" for a removed token; 90030 (organisation
// quota) is "reported, not verified", so it waits rather than giving up.
ProviderVerdict ClassifyDingTalk(const HttpResult& result, Instant now) {
  auto table = [](const CodeReply& reply, const std::string& said, const HttpResult&,
                  Instant) -> std::optional<ProviderVerdict> {
    switch (reply.code) {
      case 310000: {
        // One code for every security check; only errmsg tells them apart. The page quotes
        // "keywords not in content", "sign not match" (机器人发送签名不匹配) and "invalid
        // timestamp", and describes the IP case without its text.
        std::string text = Lower(reply.text);
        if (Contains(text, "timestamp")) {
          ProviderVerdict verdict =
              Verdict(ReplyCategory::kConfigError, "timestamp_refused",
                      said +
                          "; the signing timestamp must be Unix milliseconds within an hour of "
                          "DingTalk's clock: check this machine's clock");
          verdict.resign_and_retry_once = true;
          return verdict;
        }
        if (Contains(text, "keyword") || Contains(reply.text, "关键词")) {
          return Verdict(ReplyCategory::kConfigError, "keyword_missing",
                         said +
                             "; the robot's keyword setting requires one of its keywords in "
                             "every message: add it to the message template");
        }
        if (Contains(text, "whitelist") || ContainsWord(text, "ip") ||
            Contains(reply.text, "白名单")) {
          return Verdict(ReplyCategory::kConfigError, "ip_not_allowed",
                         said + "; add this server's public IP to the robot's IP allow-list");
        }
        if (Contains(text, "sign") || Contains(reply.text, "签名")) {
          return Verdict(ReplyCategory::kConfigError, "signature_refused",
                         said +
                             "; the channel's signing secret does not match the robot's "
                             "加签 secret (SEC...)");
        }
        return Verdict(ReplyCategory::kConfigError, "security_check_failed",
                       said +
                           "; check the robot's security settings (keyword, IP allow-list, "
                           "signing secret)");
      }
      case 300001:
      case 300005:
        return Verdict(ReplyCategory::kDeadChannel, "token_invalid",
                       said +
                           "; the robot's access_token is wrong or the robot was removed: "
                           "create a new robot and update the channel's URL");
      case 130101: {
        ProviderVerdict verdict =
            Verdict(ReplyCategory::kRetryLater, "rate_limited",
                    said +
                        "; DingTalk blocks a robot for about 10 minutes after more than 20 "
                        "messages a minute, " +
                        WaitText(kDingTalkBlock));
        verdict.retry_after = kDingTalkBlock;
        return verdict;
      }
      case 460101:
        return Verdict(ReplyCategory::kPermanent, "message_too_long",
                       said +
                           "; DingTalk takes at most 20,000 bytes: this message will not be "
                           "sent again");
      case 90030:
        return Verdict(ReplyCategory::kRetryLater, "quota_exceeded",
                       said + "; the organisation's webhook quota is used up, retrying later");
      default: return std::nullopt;
    }
  };
  return ClassifyCodeReply(Provider::kDingTalk, result, now, "errcode", "errmsg", table);
}

// Section 4. 19021 is one code for a wrong signature and a stale timestamp, so it gets the
// one fresh-signature attempt the page advises. 19036 (body too large) comes from a single
// library's report; retrying the same body cannot pass, so it is permanent like 9499.
ProviderVerdict ClassifyFeishu(const HttpResult& result, Instant now) {
  auto table = [](const CodeReply& reply, const std::string& said, const HttpResult& http,
                  Instant at) -> std::optional<ProviderVerdict> {
    switch (reply.code) {
      case 9499:
        return Verdict(ReplyCategory::kPermanent, "bad_request",
                       said +
                           "; the message is malformed or over 20 KB: it will not be sent "
                           "again");
      case 19036:
        return Verdict(ReplyCategory::kPermanent, "message_too_long",
                       said + "; the message is too large: it will not be sent again");
      case 19021: {
        ProviderVerdict verdict =
            Verdict(ReplyCategory::kConfigError, "signature_refused",
                    said +
                        "; the signature does not match the bot's secret, or this machine's "
                        "clock is more than an hour off");
        verdict.resign_and_retry_once = true;
        return verdict;
      }
      case 19022:
        return Verdict(ReplyCategory::kConfigError, "ip_not_allowed",
                       said + "; add this server's public IP to the bot's IP allow-list");
      case 19024:
        return Verdict(ReplyCategory::kConfigError, "keyword_missing",
                       said +
                           "; the bot's keyword setting requires one of its keywords in every "
                           "message: add it to the message template");
      case 11232: {
        // The page gives no wait: back off, and honour a Retry-After if one comes.
        ProviderVerdict verdict = Verdict(ReplyCategory::kRetryLater, "rate_limited", "");
        verdict.retry_after = HeaderWait(http, at);
        verdict.message = said + "; Feishu allows 100 messages a minute and 5 a second per bot, " +
                          WaitText(verdict.retry_after);
        return verdict;
      }
      default: return std::nullopt;
    }
  };
  return ClassifyCodeReply(Provider::kFeishu, result, now, "code", "msg", table);
}

// Section 5.
ProviderVerdict ClassifyWeCom(const HttpResult& result, Instant now) {
  auto table = [](const CodeReply& reply, const std::string& said, const HttpResult& http,
                  Instant at) -> std::optional<ProviderVerdict> {
    switch (reply.code) {
      case 45009: {
        ProviderVerdict verdict = Verdict(
            ReplyCategory::kRetryLater, "rate_limited",
            said + "; WeCom allows 20 messages a minute per robot, " + WaitText(kWeComWindow));
        verdict.retry_after = kWeComWindow;
        return verdict;
      }
      case 93000:
        return Verdict(ReplyCategory::kDeadChannel, "token_invalid",
                       said +
                           "; the webhook key is wrong or was deleted: check the channel's URL "
                           "(https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...)");
      case 40058:
        return Verdict(
            ReplyCategory::kPermanent, "message_too_long",
            said +
                "; WeCom takes at most 2,048 bytes of text (4,096 of markdown): this message will "
                "not be sent again");
      case -1: {
        ProviderVerdict verdict = Verdict(ReplyCategory::kRetryLater, "system_busy", "");
        verdict.retry_after = HeaderWait(http, at);
        verdict.message = said + "; WeCom is busy, " + WaitText(verdict.retry_after);
        return verdict;
      }
      default: return std::nullopt;
    }
  };
  return ClassifyCodeReply(Provider::kWeCom, result, now, "errcode", "errmsg", table);
}

// Section 1: the status carries the class, the body is a short token. Section 0 makes 404 and
// 410 a dead target; a revoked hook has also answered 400 invalid_token.
ProviderVerdict ClassifySlack(const HttpResult& result, Instant now) {
  if (result.status == 0 || IsSuccessStatus(result.status)) {
    // Success is 200 "ok"; the page gives no 2xx failure, so the status is trusted.
    return FromHttp(Provider::kSlack, result, now);
  }
  const std::string token(Trim(result.body));
  const std::string said = "Slack answered HTTP " + std::to_string(result.status) +
                           (token.empty() ? "" : " " + Quote(token));
  if ((result.status == 400 && token == "invalid_token") ||
      (result.status == 404 && token == "no_service")) {
    return Verdict(ReplyCategory::kDeadChannel, "token_invalid",
                   said +
                       "; the webhook was disabled or revoked: create a new one and update "
                       "the channel's URL");
  }
  if (result.status == 404 || result.status == 410) {
    return Verdict(ReplyCategory::kDeadChannel, "channel_gone",
                   said +
                       "; the Slack channel is gone or archived: point the webhook at another "
                       "channel");
  }
  if (result.status == 403) {
    return Verdict(ReplyCategory::kPermanent, "action_prohibited",
                   said +
                       "; posting is not allowed in this channel: this message will not be "
                       "sent again");
  }
  if (result.status == 400) {
    return Verdict(ReplyCategory::kPermanent, "bad_request",
                   said +
                       "; Slack refused this message (bad payload, unknown user or blocks over "
                       "the limits): it will not be sent again");
  }
  return FromHttp(Provider::kSlack, result, now);
}

// Section 2. Workflows accept with 202 and an empty body. The legacy connector answers 200 "1"
// and may put an error, even "HTTP error 429", in a 200's text.
ProviderVerdict ClassifyTeams(const HttpResult& result, Instant now) {
  if (result.status != 0 && IsSuccessStatus(result.status) && result.status != 202) {
    std::string_view body = Trim(result.body);
    if (!body.empty() && body != "1") {
      const std::string said = "Microsoft Teams answered HTTP " + std::to_string(result.status) +
                               " with \"" + Quote(body) + "\"";
      if (Contains(body, "429")) {
        ProviderVerdict verdict =
            Verdict(ReplyCategory::kRetryLater, "rate_limited",
                    said +
                        "; the connector is throttled (4 a second, 100 an hour), retrying "
                        "later");
        verdict.retry_after = HeaderWait(result, now);
        return verdict;
      }
      // Other error texts in a 200 are not listed on the page: not knowing whether the card
      // was posted, retry.
      ProviderVerdict verdict = Verdict(ReplyCategory::kRetryLater, "unexpected_reply",
                                        said + " instead of \"1\"; retrying later");
      verdict.retry_after = HeaderWait(result, now);
      return verdict;
    }
  }
  if (result.status == 404 || result.status == 410) {
    return Verdict(ReplyCategory::kDeadChannel, "channel_gone",
                   "Microsoft Teams answered HTTP " + std::to_string(result.status) +
                       "; the workflow or connector was deleted or disabled: create a new "
                       "Workflows webhook and update the channel's URL");
  }
  if (result.status == 413) {
    return Verdict(ReplyCategory::kPermanent, "message_too_long",
                   "Microsoft Teams answered HTTP 413; a message must stay under about 28 KB: "
                   "this message will not be sent again");
  }
  if (result.status == 400) {
    return Verdict(ReplyCategory::kPermanent, "bad_request",
                   "Microsoft Teams answered HTTP 400" +
                       (Trim(result.body).empty() ? "" : ": " + Quote(result.body)) +
                       "; the card does not fit the workflow's trigger: this message will not "
                       "be sent again");
  }
  return FromHttp(Provider::kTeams, result, now);
}

// Section 2b, the retired Office 365 connector. Success is 200 with the body "1" and nothing
// else (Grafana accepts only that). The connector answers 200 to errors it thinks retryable,
// with their text ("Microsoft Teams endpoint returned HTTP error 429"), so any other 2xx body
// retries later. 404 and 410 are a dead target (section 0): the connector was removed, or
// Microsoft switched the retired connectors off; the page quotes no other answer for that.
ProviderVerdict ClassifyTeamsLegacy(const HttpResult& result, Instant now) {
  constexpr Provider kLegacy = Provider::kTeamsLegacy;
  if (result.status == 0) return FromHttp(kLegacy, result, now);
  const std::string_view body = Trim(result.body);
  const std::string status = std::to_string(result.status);
  if (IsSuccessStatus(result.status)) {
    if (body == "1") return FromHttp(kLegacy, result, now);
    if (result.status == 202 && body.empty()) {
      // What a Workflows webhook answers (section 2a), never the connector: the flow takes the
      // request and then fails on a MessageCard, which only its run history shows.
      return Verdict(ReplyCategory::kConfigError, "not_a_connector",
                     "the Microsoft Teams URL answered HTTP 202 with an empty body, as a Workflows "
                     "webhook does: it is not an Office 365 connector and will not post a "
                     "MessageCard; remove \"legacy_connector\" from the channel");
    }
    const std::string said = "the Microsoft Teams connector answered HTTP " + status + " with \"" +
                             Quote(body) + "\" instead of \"1\"";
    ProviderVerdict verdict;
    if (Contains(Lower(body), "http error 429")) {
      verdict = Verdict(ReplyCategory::kRetryLater, "rate_limited",
                        said +
                            "; the connector is throttled (4 a second, 60 in 30 s, 100 an hour, "
                            "150 in 2 hours, 1,800 a day), retrying later");
    } else {
      // Not knowing whether the card was posted, retry: a duplicate is better than a loss.
      verdict = Verdict(ReplyCategory::kRetryLater, "unexpected_reply", said + "; retrying later");
    }
    verdict.retry_after = HeaderWait(result, now);
    return verdict;
  }
  if (result.status == 404 || result.status == 410) {
    return Verdict(ReplyCategory::kDeadChannel, "channel_gone",
                   "the Microsoft Teams connector answered HTTP " + status +
                       "; the connector was removed, or Office 365 connectors are switched off "
                       "for good: create a Workflows webhook, put its URL in the channel and "
                       "remove \"legacy_connector\"");
  }
  if (result.status == 413) {
    return Verdict(ReplyCategory::kPermanent, "message_too_long",
                   "the Microsoft Teams connector answered HTTP 413; a card must stay under about "
                   "28 KB: this message will not be sent again");
  }
  // 429 and 5xx retry later; other 4xx are permanent.
  return FromHttp(kLegacy, result, now);
}

// Discord's own wait: "retry_after" (float seconds) in a 429's JSON body.
std::optional<seconds> DiscordRetryAfter(std::string_view body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return std::nullopt;
  auto value = json.find("retry_after");
  if (value == json.end() || !value->is_number()) return std::nullopt;
  double wait = value->get<double>();
  if (!std::isfinite(wait) || wait < 0) return std::nullopt;
  // Rounded up: retrying a fraction of a second early earns another 429.
  double capped = std::min(std::ceil(wait), static_cast<double>(kMaxRetryAfter.count()));
  return seconds(static_cast<seconds::rep>(capped));
}

// Section 6: 204 (or 200 with wait=true); 400 with code 50035; 404 unknown webhook; 429 with
// retry_after in the body and a Retry-After header.
ProviderVerdict ClassifyDiscordStatus(const HttpResult& result, Instant now) {
  if (result.status == 404) {
    return Verdict(ReplyCategory::kDeadChannel, "channel_gone",
                   "Discord answered HTTP 404 (unknown webhook); the webhook was deleted: create "
                   "a new one and update the channel's URL");
  }
  if (result.status == 400) {
    ProviderVerdict verdict = Verdict(
        ReplyCategory::kPermanent, "bad_request",
        "Discord answered HTTP 400" + (Trim(result.body).empty() ? "" : ": " + Quote(result.body)) +
            "; a field is invalid or too long: this message will not be sent again");
    if (auto reply = ReadCode(result.body, "code", "message")) verdict.provider_code = reply->code;
    return verdict;
  }
  ProviderVerdict verdict = FromHttp(Provider::kDiscord, result, now);
  if (result.status == 429) {
    if (auto wait = DiscordRetryAfter(result.body)) verdict.retry_after = wait;
    verdict.message =
        "Discord rate limited the webhook (HTTP 429); " + WaitText(verdict.retry_after);
  }
  return verdict;
}

// Section 6: "don't hard-code; read X-RateLimit-Remaining/-Reset-After/-Bucket". No request
// left in the bucket means the next one waits for the reset (float seconds), rounded up: a
// request a fraction early earns a 429, and many 429s a temporary ban.
std::optional<std::chrono::milliseconds> DiscordBucketWait(const HttpResult& result) {
  auto remaining = result.Header("x-ratelimit-remaining");
  auto reset_after = result.Header("x-ratelimit-reset-after");
  if (!remaining || !reset_after || Trim(*remaining) != "0") return std::nullopt;
  const std::string text(Trim(*reset_after));
  if (text.empty() || text.find_first_not_of("0123456789.") != std::string::npos) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double wait = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(wait)) return std::nullopt;
  const double capped =
      std::min(std::ceil(wait * 1000.0), static_cast<double>(kMaxRetryAfter.count()) * 1000.0);
  return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(capped));
}

ProviderVerdict ClassifyDiscord(const HttpResult& result, Instant now) {
  ProviderVerdict verdict = ClassifyDiscordStatus(result, now);
  verdict.pause_next = DiscordBucketWait(result);
  return verdict;
}

// Section 7: Standard Webhooks say 410 means "disable the endpoint".
ProviderVerdict ClassifyWebhook(const HttpResult& result, Instant now) {
  ProviderVerdict verdict = FromHttp(Provider::kWebhook, result, now);
  if (result.status == 410) {
    verdict.category = ReplyCategory::kDeadChannel;
    verdict.message =
        "the webhook answered HTTP 410 (Gone): the receiver asks to be disabled; fix or remove "
        "the channel";
  }
  return verdict;
}

// The provider's own result in its reply, as DescribeReply shows it.
struct OwnWords {
  std::optional<std::int64_t> code;
  std::string message;
};

OwnWords ReadOwnWords(Provider provider, const HttpResult& result) {
  OwnWords words;
  if (result.status == 0) return words;
  auto from_code = [&words](const std::optional<CodeReply>& reply) {
    if (!reply) return;
    words.code = reply->code;
    words.message = reply->text;
  };
  switch (provider) {
    case Provider::kDingTalk:
    case Provider::kWeCom: from_code(ReadCode(result.body, "errcode", "errmsg")); break;
    case Provider::kFeishu: from_code(ReadCode(result.body, "code", "msg")); break;
    case Provider::kDiscord: {
      // Errors are {"code": 50035, "message": "Invalid Form Body", ...}; a 429 has a message and
      // no code; with wait=true a success is the message object, which has neither.
      nlohmann::json json = nlohmann::json::parse(result.body, nullptr, false);
      if (!json.is_object()) break;
      if (auto code = json.find("code"); code != json.end() && code->is_number_integer()) {
        words.code = code->get<std::int64_t>();
      }
      if (auto message = json.find("message"); message != json.end() && message->is_string()) {
        words.message = message->get<std::string>();
      }
      break;
    }
    case Provider::kSlack:
    case Provider::kTeams:
    case Provider::kTeamsLegacy: {
      // Slack answers a short token ("ok", "no_service"), Teams "1", an error text, or a
      // Workflows error object {"error": {"code": "...", "message": "..."}}.
      nlohmann::json json = nlohmann::json::parse(result.body, nullptr, false);
      if (json.is_object()) {
        auto error = json.find("error");
        if (error != json.end() && error->is_object()) {
          auto message = error->find("message");
          if (message != error->end() && message->is_string()) {
            words.message = message->get<std::string>();
          }
        }
        break;
      }
      words.message = std::string(Trim(result.body));
      break;
    }
    case Provider::kWebhook: break;  // no format of its own: the body says it all
  }
  return words;
}

}  // namespace

std::string_view ToString(Provider provider) {
  switch (provider) {
    case Provider::kWebhook: return "webhook";
    case Provider::kDingTalk: return "dingtalk";
    case Provider::kFeishu: return "feishu";
    case Provider::kWeCom: return "wecom";
    case Provider::kSlack: return "slack";
    case Provider::kTeams: return "teams";
    case Provider::kTeamsLegacy: return "teams_legacy";
    case Provider::kDiscord: return "discord";
  }
  return "unknown";
}

std::optional<Provider> ParseProvider(std::string_view name) {
  for (const auto& [text, provider] : kProviderNames) {
    if (text == name) return provider;
  }
  return std::nullopt;
}

std::string_view ToString(ReplyCategory category) {
  switch (category) {
    case ReplyCategory::kDelivered: return "delivered";
    case ReplyCategory::kRetryLater: return "retry_later";
    case ReplyCategory::kPermanent: return "permanent";
    case ReplyCategory::kDeadChannel: return "dead_channel";
    case ReplyCategory::kConfigError: return "config_error";
  }
  return "unknown";
}

ProviderVerdict ClassifyProviderReply(Provider provider, const HttpResult& result, Instant now) {
  switch (provider) {
    case Provider::kWebhook: return ClassifyWebhook(result, now);
    case Provider::kDingTalk: return ClassifyDingTalk(result, now);
    case Provider::kFeishu: return ClassifyFeishu(result, now);
    case Provider::kWeCom: return ClassifyWeCom(result, now);
    case Provider::kSlack: return ClassifySlack(result, now);
    case Provider::kTeams: return ClassifyTeams(result, now);
    case Provider::kTeamsLegacy: return ClassifyTeamsLegacy(result, now);
    case Provider::kDiscord: return ClassifyDiscord(result, now);
  }
  return ClassifyWebhook(result, now);
}

std::string Utf8Prefix(std::string_view text, std::size_t max_bytes, bool* truncated) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  bool cut = false;
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = [&text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    bool valid = length > 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) valid = (byte(i + k) & 0xC0) == 0x80;
    if (valid && length > 1) {
      // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
      std::uint32_t c = lead & (0xFF >> (length + 1));
      for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (byte(i + k) & 0x3F);
      static constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
      valid = c >= kSmallest[length] && c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF);
    }
    std::string_view piece = valid ? text.substr(i, length) : kReplacement;
    if (out.size() + piece.size() > max_bytes) {
      cut = true;
      break;
    }
    out.append(piece);
    i += valid ? length : 1;
  }
  if (truncated != nullptr) *truncated = cut;
  return out;
}

ProviderAnswer DescribeReply(Provider provider, const HttpResult& result,
                             const ProviderVerdict& verdict,
                             const std::vector<std::string>& secrets) {
  ProviderAnswer answer;
  answer.http_status = result.status;
  if (!result.error.ok()) {
    answer.network_error = result.error.reason();
    answer.network_error_message =
        Utf8Prefix(HideSecrets(result.error.message(), secrets), kMaxProviderMessageBytes);
  }
  answer.body = Utf8Prefix(HideSecrets(result.body, secrets), ProviderAnswer::kMaxBodyBytes,
                           &answer.body_truncated);
  OwnWords words = ReadOwnWords(provider, result);
  answer.provider_code = words.code;
  answer.provider_message =
      Utf8Prefix(HideSecrets(words.message, secrets), kMaxProviderMessageBytes);
  std::string explanation = verdict.message;
  if (explanation.empty()) {
    explanation = verdict.category == ReplyCategory::kDelivered
                      ? std::string(DisplayName(provider)) + " accepted the message (HTTP " +
                            std::to_string(result.status) + ")"
                      : verdict.reason;
  }
  answer.explanation = Utf8Prefix(HideSecrets(explanation, secrets), kMaxProviderMessageBytes);
  return answer;
}

}  // namespace kaizen::notifiers
