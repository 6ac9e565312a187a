// The JSON body of a webhook delivery, in the Standard Webhooks shape (type, timestamp, data).
//
// A batch of one notification:
//   {"type":"kaizen.overdue","timestamp":"<now>","id":"<idempotency key>","data":{
//     "notification_id","idempotency_key","kind",
//     "task":{"id","title","state","due_at"} (left out for plan events; due_at null when none),
//     "plan":{"id","title","team"},"owner":{"id","name"},
//     "recipient":{"kind":"person"|"team","id","name"},"mention_all","urgent",
//     "escalation_level" (only when >= 0),"note" (only when not empty),"actor","occurred_at",
//     "facts" (only when the event has some, e.g. a channel_broken's channel and reason),
//     "url" (only with messages.base_url),"attempt","message" (the catalog's text)}}
// A batch of several:
//   {"type":"kaizen.digest","timestamp","id","data":{"count","message" (the digest's text),
//    "items":[the data objects above]}}
// "message" is in the channel's language (message_text.h).
// Keys in this order, compact, times RFC 3339 UTC. Invalid UTF-8 in titles and names is
// replaced (U+FFFD) rather than refused: a message with a replaced character beats none.
//
// Pure function; any thread.
#pragma once

#include <string>

#include "notifiers/channel.h"
#include "notifiers/message_text.h"
#include "workflow/time.h"

namespace kaizen::notifiers {

std::string WebhookBody(const DeliveryBatch& batch, Instant now,
                        const MessageCatalog& catalog = DefaultMessageCatalog(),
                        Locale locale = Locale::kEn);

}  // namespace kaizen::notifiers
