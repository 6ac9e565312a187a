#include "workflow/delivery_settings.h"

namespace kaizen {

namespace {
constexpr ChannelType kAllChannelTypes[] = {
    ChannelType::kWebhook, ChannelType::kLog,   ChannelType::kDingTalk,
    ChannelType::kFeishu,  ChannelType::kLark,  ChannelType::kWeCom,
    ChannelType::kSlack,   ChannelType::kTeams, ChannelType::kDiscord,
};
}  // namespace

std::string_view ToString(ChannelType type) {
  switch (type) {
    case ChannelType::kWebhook: return "webhook";
    case ChannelType::kLog: return "log";
    case ChannelType::kDingTalk: return "dingtalk";
    case ChannelType::kFeishu: return "feishu";
    case ChannelType::kLark: return "lark";
    case ChannelType::kWeCom: return "wecom";
    case ChannelType::kSlack: return "slack";
    case ChannelType::kTeams: return "teams";
    case ChannelType::kDiscord: return "discord";
  }
  return "unknown";
}

std::optional<ChannelType> ParseChannelType(std::string_view text) {
  for (ChannelType t : kAllChannelTypes) {
    if (ToString(t) == text) return t;
  }
  return std::nullopt;
}

// Under what the provider allows, by the dispatcher's bound (daemon/delivery_dispatcher.h):
// n + 1 consecutive requests span at least (n - burst) intervals of 60 / per_minute s, so the
// provider's window never sees one request too many when that exceeds the window, with a
// second or more to spare in case the provider counts in whole seconds. DingTalk and WeCom
// take 20 a minute: 19 intervals of 60/18 s are 63 s, where 60/20 s would give 57 s (and
// DingTalk a ten-minute block). Feishu takes 100 a minute and 5 a second: 99 intervals of
// 60/96 s are 62 s, and 4 are 2.5 s.
RateLimit DefaultRateLimit(ChannelType type, bool legacy_connector) {
  if (type == ChannelType::kTeams && legacy_connector) {
    // The connector allows 4 requests in 1 s, 60 in 30 s, 100 in 1 h, 150 in 2 h and 1,800 in
    // a day. A token bucket lets at most burst + per_minute * minutes requests through in any
    // window, so 1.2 a minute (one every 50 s) with a burst of 4 stays under every one:
    //   1 s: 4 + 0 = 4 <= 4;  30 s: 4 + 0 = 4 <= 60;  1 h: 4 + 72 = 76 <= 100;
    //   2 h: 4 + 144 = 148 <= 150;  1 day: 4 + 1,728 = 1,732 <= 1,800.
    // The 1-second window caps the burst at 4; the 2-hour window then caps the rate at
    // (150 - 4) / 120 = 1.21 a minute. One delivery is one request unless a digest is split
    // into parts, which at 28 KB a card takes unusually long titles.
    return RateLimit{1.2, 4};
  }
  switch (type) {
    case ChannelType::kDingTalk:
    case ChannelType::kWeCom: return RateLimit{18, 1};
    case ChannelType::kFeishu:
    case ChannelType::kLark: return RateLimit{96, 1};
    case ChannelType::kSlack: return RateLimit{60, 1};  // about one a second per hook
    case ChannelType::kWebhook:
    case ChannelType::kLog:
    case ChannelType::kTeams:
    case ChannelType::kDiscord: break;  // no published fixed rate; the replies tell
  }
  return RateLimit{};
}

}  // namespace kaizen
