#include "notifiers/grouping.h"

#include <gtest/gtest.h>

namespace kaizen::notifiers {
namespace {

Instant At(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

const Instant kT0 = At("2026-11-25T01:00:00Z");

Notification Make(NotificationId id, std::string channel, int attempts = 0,
                  std::optional<NotificationId> batch_id = std::nullopt,
                  Instant next_attempt_at = kT0) {
  Notification n;
  n.id = id;
  n.idempotency_key = "key-" + std::to_string(id);
  n.channel = std::move(channel);
  n.attempts = attempts;
  n.batch_id = batch_id;
  n.next_attempt_at = next_attempt_at;
  return n;
}

std::vector<NotificationId> Ids(const DeliveryBatch& batch) {
  std::vector<NotificationId> ids;
  for (const Notification& n : batch.items) ids.push_back(n.id);
  return ids;
}

TEST(BatchKey, NamesBatchAndChannelWithoutDots) {
  EXPECT_EQ(BatchKey(17, "ops"), "batch-17-ops");
  EXPECT_EQ(BatchKey(5, "team.platform.chat"), "batch-5-team_platform_chat");
}

TEST(GroupForDelivery, ALoneNotificationKeepsItsOwnKey) {
  auto batches = GroupForDelivery({Make(4, "ops", 2)}, 20);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].channel, "ops");
  EXPECT_EQ(batches[0].idempotency_key, "key-4");
  EXPECT_EQ(batches[0].attempt, 3);
  // Pinned to itself, so that a retry is never folded into a digest under another key.
  EXPECT_EQ(batches[0].items[0].batch_id, 4);
}

TEST(GroupForDelivery, GroupsPerChannelInIdOrderIntoChunks) {
  auto batches = GroupForDelivery({Make(9, "ops"), Make(3, "ops"), Make(5, "chat"), Make(4, "ops"),
                                   Make(7, "ops"), Make(8, "ops")},
                                  2);
  ASSERT_EQ(batches.size(), 4u);
  // Same next_attempt_at everywhere: ordered by smallest id.
  EXPECT_EQ(Ids(batches[0]), (std::vector<NotificationId>{3, 4}));
  EXPECT_EQ(batches[0].idempotency_key, "batch-3-ops");
  EXPECT_EQ(Ids(batches[1]), (std::vector<NotificationId>{5}));
  EXPECT_EQ(batches[1].idempotency_key, "key-5");
  EXPECT_EQ(batches[1].channel, "chat");
  EXPECT_EQ(Ids(batches[2]), (std::vector<NotificationId>{7, 8}));
  EXPECT_EQ(batches[2].idempotency_key, "batch-7-ops");
  EXPECT_EQ(Ids(batches[3]), (std::vector<NotificationId>{9}));
  EXPECT_EQ(batches[3].idempotency_key, "key-9");
  for (const DeliveryBatch& batch : batches) {
    for (const Notification& n : batch.items) {
      EXPECT_EQ(n.channel, batch.channel);
      EXPECT_EQ(n.batch_id, batch.items.front().id);
    }
  }
}

TEST(GroupForDelivery, EarlierBatchesStayTogetherWhateverTheSize) {
  auto batches = GroupForDelivery(
      {Make(10, "ops", 1, 10), Make(11, "ops", 3, 10), Make(12, "ops", 2, 10), Make(13, "ops")}, 2);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(Ids(batches[0]), (std::vector<NotificationId>{10, 11, 12}));
  EXPECT_EQ(batches[0].idempotency_key, "batch-10-ops");
  EXPECT_EQ(batches[0].attempt, 4);  // the most tried item had 3 attempts
  // Not folded into the earlier batch though it is of the same channel.
  EXPECT_EQ(Ids(batches[1]), (std::vector<NotificationId>{13}));
  EXPECT_EQ(batches[1].idempotency_key, "key-13");
  EXPECT_EQ(batches[1].attempt, 1);
}

TEST(GroupForDelivery, TheLastOneLeftOfABatchUsesItsOwnKey) {
  auto batches = GroupForDelivery({Make(11, "ops", 1, 10)}, 20);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].idempotency_key, "key-11");
  EXPECT_EQ(batches[0].items[0].batch_id, 10);
}

TEST(GroupForDelivery, BatchesOfDifferentIdsNeverMerge) {
  auto batches = GroupForDelivery({Make(20, "ops", 1, 20), Make(21, "ops", 1, 20),
                                   Make(22, "ops", 1, 22), Make(23, "ops", 1, 22)},
                                  20);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].idempotency_key, "batch-20-ops");
  EXPECT_EQ(batches[1].idempotency_key, "batch-22-ops");
}

TEST(GroupForDelivery, OlderWorkGoesFirst) {
  const Instant later = kT0 + std::chrono::minutes(5);
  const Instant earlier = kT0 - std::chrono::minutes(5);
  auto batches =
      GroupForDelivery({Make(1, "a", 0, std::nullopt, later), Make(2, "b", 0, std::nullopt, kT0),
                        Make(3, "c", 2, 3, earlier), Make(4, "c", 2, 3, later)},
                       20);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].channel, "c");  // its oldest item is due earliest
  EXPECT_EQ(batches[1].channel, "b");
  EXPECT_EQ(batches[2].channel, "a");
}

TEST(GroupForDelivery, SizeBelowOneMeansNoGrouping) {
  auto batches = GroupForDelivery({Make(1, "ops"), Make(2, "ops")}, 0);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].idempotency_key, "key-1");
  EXPECT_EQ(batches[1].idempotency_key, "key-2");
}

TEST(GroupForDelivery, NothingReadyNothingToSend) { EXPECT_TRUE(GroupForDelivery({}, 20).empty()); }

TEST(InWrittenOrder, AnOrderedChannelsRetryGoesBeforeMessagesWrittenAfterIt) {
  const Instant earlier = At("2026-11-25T00:59:00Z");
  const Instant later = At("2026-11-25T01:00:30Z");
  // Chat message 2 waited for a retry (due later) while 5 and 6 became due; the webhook's 3 and
  // 7 likewise. By due time the retries would go last.
  auto batches = GroupForDelivery(
      {Make(2, "chat", 1, 2, later), Make(5, "chat", 0, std::nullopt, earlier),
       Make(6, "chat", 0, std::nullopt, kT0), Make(3, "hook", 1, 3, later),
       Make(7, "hook", 0, std::nullopt, earlier), Make(9, "other", 0, std::nullopt, kT0)},
      1);
  ASSERT_EQ(batches.size(), 6u);
  auto keeps_order = [](std::string_view channel) { return channel == "chat"; };
  std::vector<DeliveryBatch> ordered = InWrittenOrder(batches, keeps_order);
  std::vector<std::string> channels;
  std::vector<NotificationId> firsts;
  for (const DeliveryBatch& b : ordered) {
    channels.push_back(b.channel);
    firsts.push_back(b.items.front().id);
  }
  // The channels keep their places; within "chat" the oldest written goes first; "hook" (not
  // ordered) keeps the due-time order.
  std::vector<std::string> before;
  for (const DeliveryBatch& b : batches) before.push_back(b.channel);
  EXPECT_EQ(channels, before);
  std::vector<NotificationId> chat;
  std::vector<NotificationId> hook;
  for (const DeliveryBatch& b : ordered) {
    if (b.channel == "chat") chat.push_back(b.items.front().id);
    if (b.channel == "hook") hook.push_back(b.items.front().id);
  }
  EXPECT_EQ(chat, (std::vector<NotificationId>{2, 5, 6}));
  EXPECT_EQ(hook, (std::vector<NotificationId>{7, 3}));
  // Keys and attempts travel with their batches.
  for (const DeliveryBatch& b : ordered) {
    if (b.items.front().id == 2) {
      EXPECT_EQ(b.idempotency_key, "key-2");
      EXPECT_EQ(b.attempt, 2);
    }
  }
}

TEST(InWrittenOrder, NoOrderedChannelChangesNothing) {
  auto batches = GroupForDelivery(
      {Make(4, "a", 0, std::nullopt, At("2026-11-25T01:00:30Z")), Make(5, "a")}, 1);
  auto same = InWrittenOrder(batches, [](std::string_view) { return false; });
  ASSERT_EQ(same.size(), 2u);
  EXPECT_EQ(same[0].items.front().id, 5);
  EXPECT_EQ(same[1].items.front().id, 4);
}

}  // namespace
}  // namespace kaizen::notifiers
