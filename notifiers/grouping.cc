#include "notifiers/grouping.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace kaizen::notifiers {

std::string BatchKey(NotificationId batch_id, std::string_view channel) {
  // '.' is kept out of keys: Standard Webhooks ids must not contain it.
  std::string key = "batch-" + std::to_string(batch_id) + "-";
  for (char c : channel) key += c == '.' ? '_' : c;
  return key;
}

namespace {

DeliveryBatch MakeBatch(std::vector<Notification> items, std::optional<NotificationId> batch_id) {
  std::sort(items.begin(), items.end(),
            [](const Notification& a, const Notification& b) { return a.id < b.id; });
  DeliveryBatch batch;
  batch.channel = items.front().channel;
  const NotificationId id = batch_id.value_or(items.front().id);
  batch.idempotency_key =
      items.size() == 1 ? items.front().idempotency_key : BatchKey(id, batch.channel);
  int attempts = 0;
  for (Notification& n : items) {
    attempts = std::max(attempts, n.attempts);
    n.batch_id = id;
  }
  batch.attempt = attempts + 1;
  batch.items = std::move(items);
  return batch;
}

// What orders batches: the oldest due time, then the oldest id.
std::pair<Instant, NotificationId> Age(const DeliveryBatch& batch) {
  Instant due = batch.items.front().next_attempt_at;
  for (const Notification& n : batch.items) due = std::min(due, n.next_attempt_at);
  return {due, batch.items.front().id};
}

}  // namespace

std::vector<DeliveryBatch> GroupForDelivery(std::vector<Notification> ready, int max_group_size) {
  const std::size_t chunk = static_cast<std::size_t>(std::max(max_group_size, 1));
  std::sort(ready.begin(), ready.end(),
            [](const Notification& a, const Notification& b) { return a.id < b.id; });

  std::map<std::pair<NotificationId, std::string>, std::vector<Notification>> earlier;
  std::map<std::string, std::vector<Notification>> fresh;
  for (Notification& n : ready) {
    if (n.batch_id) {
      auto key = std::pair{*n.batch_id, n.channel};
      earlier[std::move(key)].push_back(std::move(n));
    } else {
      fresh[n.channel].push_back(std::move(n));
    }
  }

  std::vector<DeliveryBatch> batches;
  for (auto& [key, items] : earlier) batches.push_back(MakeBatch(std::move(items), key.first));
  for (auto& [channel, items] : fresh) {
    for (std::size_t begin = 0; begin < items.size(); begin += chunk) {
      std::size_t end = std::min(items.size(), begin + chunk);
      std::vector<Notification> part(std::make_move_iterator(items.begin() + begin),
                                     std::make_move_iterator(items.begin() + end));
      batches.push_back(MakeBatch(std::move(part), std::nullopt));
    }
  }
  std::stable_sort(batches.begin(), batches.end(),
                   [](const DeliveryBatch& a, const DeliveryBatch& b) { return Age(a) < Age(b); });
  return batches;
}

std::vector<DeliveryBatch> InWrittenOrder(
    std::vector<DeliveryBatch> batches, const std::function<bool(std::string_view)>& keeps_order) {
  // Per channel that keeps order: the places its batches hold, and the batches by smallest id.
  std::map<std::string, std::vector<std::size_t>, std::less<>> places;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    if (keeps_order(batches[i].channel)) places[batches[i].channel].push_back(i);
  }
  for (auto& [channel, at] : places) {
    std::vector<DeliveryBatch> mine;
    mine.reserve(at.size());
    for (std::size_t i : at) mine.push_back(std::move(batches[i]));
    std::stable_sort(mine.begin(), mine.end(), [](const DeliveryBatch& a, const DeliveryBatch& b) {
      return a.items.front().id < b.items.front().id;
    });
    for (std::size_t k = 0; k < at.size(); ++k) batches[at[k]] = std::move(mine[k]);
  }
  return batches;
}

}  // namespace kaizen::notifiers
