#include "notifiers/webhook_payload.h"

#include <nlohmann/json.hpp>

#include "notifiers/message_text.h"

namespace kaizen::notifiers {
namespace {

// ordered_json: the keys go out in the documented order, which people reading a captured
// request (and golden tests) rely on.
using Json = nlohmann::ordered_json;

Json ItemData(const Notification& n, int attempt, Instant now, const MessageCatalog& catalog,
              Locale locale) {
  const NotificationEvent& e = n.event;
  Json data;
  data["notification_id"] = n.id;
  data["idempotency_key"] = n.idempotency_key;
  data["kind"] = e.kind;
  if (e.task_id != 0) {
    Json task;
    task["id"] = e.task_id;
    task["title"] = e.task_title;
    task["state"] = ToString(e.task_state);
    task["due_at"] = e.due_at ? Json(FormatRfc3339(*e.due_at)) : Json(nullptr);
    data["task"] = std::move(task);
  }
  data["plan"] = {{"id", e.plan_id}, {"title", e.plan_title}, {"team", e.team}};
  data["owner"] = {{"id", e.owner}, {"name", e.owner_name}};
  data["recipient"] = {{"kind", e.recipient_kind == RecipientKind::kTeam ? "team" : "person"},
                       {"id", e.recipient},
                       {"name", e.recipient_name}};
  data["mention_all"] = e.mention_all;
  data["urgent"] = e.urgent;
  if (e.escalation_level >= 0) data["escalation_level"] = e.escalation_level;
  if (!e.note.empty()) data["note"] = e.note;
  data["actor"] = e.actor;
  data["occurred_at"] = FormatRfc3339(e.occurred_at);
  if (!e.facts.empty()) data["facts"] = e.facts;
  if (std::string url = catalog.Url(e); !url.empty()) data["url"] = std::move(url);
  data["attempt"] = attempt;
  data["message"] = catalog.Text(e, locale, now);
  return data;
}

}  // namespace

std::string WebhookBody(const DeliveryBatch& batch, Instant now, const MessageCatalog& catalog,
                        Locale locale) {
  Json body;
  if (batch.items.size() == 1) {
    body["type"] = "kaizen." + batch.items[0].event.kind;
    body["timestamp"] = FormatRfc3339(now);
    body["id"] = batch.idempotency_key;
    body["data"] = ItemData(batch.items[0], batch.attempt, now, catalog, locale);
  } else {
    Json items = Json::array();
    for (const Notification& n : batch.items)
      items.push_back(ItemData(n, batch.attempt, now, catalog, locale));
    body["type"] = "kaizen.digest";
    body["timestamp"] = FormatRfc3339(now);
    body["id"] = batch.idempotency_key;
    body["data"] = {{"count", batch.items.size()},
                    {"message", catalog.DigestText(batch.items, locale, now)},
                    {"items", std::move(items)}};
  }
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace kaizen::notifiers
