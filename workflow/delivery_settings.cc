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

RateLimit DefaultRateLimit(ChannelType type) {
  switch (type) {
    case ChannelType::kDingTalk:
    case ChannelType::kWeCom: return RateLimit{20, 1};  // 20 a minute; DingTalk blocks 10 min
    case ChannelType::kFeishu:
    case ChannelType::kLark: return RateLimit{100, 5};  // 100 a minute and 5 a second
    case ChannelType::kSlack: return RateLimit{60, 1};  // about one a second per hook
    case ChannelType::kWebhook:
    case ChannelType::kLog:
    case ChannelType::kTeams:
    case ChannelType::kDiscord: break;  // no published fixed rate; the replies tell
  }
  return RateLimit{};
}

}  // namespace kaizen
