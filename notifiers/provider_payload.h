// Request bodies for the chat providers: one batch (channel.h) in each provider's own JSON, with
// the people it addresses mentioned the way that provider pings, from the facts in
// docs/webhook-formats.md.
//
//   dingtalk  markdown {title, text} with "@<mobile or userId>" in the text and at.atMobiles /
//             at.atUserIds / at.isAtAll (the page: the text must carry the "@" as well).
//   feishu    msg_type text, content an object; <at user_id="ou_…">Name</at>, and
//             <at user_id="all"></at> for everyone. Lark is the same body on another host.
//   wecom     msgtype text (mentions by mobile and "@all" work only there); "<@userid>" in the
//             content plus mentioned_list, or mentioned_mobile_list for a mobile number.
//   slack     text plus one mrkdwn section block with the same words; <@U…>, <!channel>.
//   teams     the Workflows envelope with one Adaptive Card 1.4, a TextBlock per line and a
//             msteams.entities mention per person named "<at>Name</at>" in the text.
//   teams_legacy  the retired Office 365 connector's MessageCard {@type, @context, summary,
//             title, text}; it cannot mention anyone, so people are named in plain text and
//             never listed in missing_handles (no handle would help).
//   discord   content with <@id>; allowed_mentions lists exactly the people meant, so a task
//             title cannot ping anyone else.
//
// Each line is MessageText (message_text.h) with its "@name: " opening replaced by the
// provider's mention of the event's recipient (a reminder's owner, an escalation's target, the
// team for mention_all). A person without a handle for the provider (Person::handles keyed by
// ToString(provider)) keeps the plain "@Name: " and is listed in missing_handles, so the caller
// can log once that the mention is missing.
//
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "notifiers/channel.h"
#include "notifiers/message_text.h"
#include "notifiers/provider_reply.h"
#include "workflow/model.h"
#include "workflow/time.h"

namespace kaizen::notifiers {

struct ProviderMessage {
  std::string body;  // JSON, compact, keys in a fixed order
  // Ids of the people this body names in plain text for lack of a handle, in order of first
  // appearance, each once.
  std::vector<std::string> missing_handles;
  bool operator==(const ProviderMessage&) const = default;
};

// The request bodies for one batch, in order. A digest (several items) whose text would exceed
// the provider's limit is split at item boundaries into parts, each opening with
// "<n> reminders (i/k)" (and DingTalk's title marked the same way). A single item that does not
// fit even alone is cut short and ends with "…". Every body is at most MaxBodyBytes(provider)
// bytes and within the provider's character limit (Slack 3,000 per section, Discord 2,000).
// kWebhook gives WebhookBody (webhook_payload.h) as one body, never split: its receiver
// deduplicates on the batch's single key.
// The words come from `catalog` in `locale` (message_text.h).
std::vector<ProviderMessage> FormatForProvider(
    Provider provider, const DeliveryBatch& batch, const Directory& directory, Instant now,
    const MessageCatalog& catalog = DefaultMessageCatalog(), Locale locale = Locale::kEn);

// The largest body FormatForProvider produces for `provider`, in bytes of UTF-8 JSON.
std::size_t MaxBodyBytes(Provider provider);

}  // namespace kaizen::notifiers
