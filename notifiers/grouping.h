// Grouping: which ready notifications go out together as one message (DeliveryBatch).
//
// Rules, so that a message repeated after a failure or a crash is the same message under the
// same key:
//  - notifications that already carry a batch_id were sent (or claimed) together before and
//    stay together: key BatchKey(batch_id, channel), or the notification's own key when it is
//    the only one left;
//  - the others are grouped per channel, in id order, into chunks of at most max_group_size.
//    A chunk of several is a new batch: batch_id = its smallest id, key BatchKey. A chunk of one
//    keeps the notification's own key and gets batch_id = its own id, so that a retry of it is
//    never folded into a digest under another key.
// The returned items carry the batch_id decided here; the caller writes it back to the outbox
// before sending. attempt = the largest `attempts` of the items + 1. Batches come oldest work
// first: by their smallest next_attempt_at, then smallest id. Items ascend by id.
//
// Pure function; any thread.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "notifiers/channel.h"
#include "workflow/notification.h"

namespace kaizen::notifiers {

// max_group_size below 1 counts as 1 (no grouping).
std::vector<DeliveryBatch> GroupForDelivery(std::vector<Notification> ready, int max_group_size);

// `batches` (as GroupForDelivery returns them) with the batches of every channel for which
// `keeps_order(channel)` holds put in the order their messages were written (by smallest id)
// rather than by due time: a retry that fell due late still goes before messages written after
// it. Each such channel's batches take the places its batches had, so the order between
// channels is unchanged; other channels' batches do not move.
std::vector<DeliveryBatch> InWrittenOrder(std::vector<DeliveryBatch> batches,
                                          const std::function<bool(std::string_view)>& keeps_order);

}  // namespace kaizen::notifiers
