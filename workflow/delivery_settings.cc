#include "workflow/delivery_settings.h"

namespace kaizen {

std::string_view ToString(ChannelType type) {
  switch (type) {
    case ChannelType::kWebhook: return "webhook";
    case ChannelType::kLog: return "log";
  }
  return "unknown";
}

std::optional<ChannelType> ParseChannelType(std::string_view text) {
  for (ChannelType t : {ChannelType::kWebhook, ChannelType::kLog}) {
    if (ToString(t) == text) return t;
  }
  return std::nullopt;
}

}  // namespace kaizen
