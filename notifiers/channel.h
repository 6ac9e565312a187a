// Channels: where the dispatcher hands a batch of notifications to be said.
//
// A batch is one message: one notification, or several of one channel grouped together (a
// digest) when they fell due together. Each channel type turns a batch into its wire format and
// sends it; the verdict (delivery_outcome.h) tells the dispatcher what to do with the outbox rows.
//
//   webhook  POST of a JSON event (webhook_payload.h) with Idempotency-Key and, when the channel
//            has a secret, Standard Webhooks signature headers (signature.h).
//   log      writes the message to the log at info level; always delivered.
//   dingtalk, feishu, lark, wecom, slack, teams, discord
//            the provider's own JSON (provider_payload.h), signed where the provider signs,
//            the reply read the provider's way (provider_reply.h): ProviderChannel
//            (provider_channel.h). Lark is Feishu's format on the Lark host.
//
// Executor: Deliver() runs on the daemon's io executor (the one given to MakeChannel) and may be
// awaited concurrently for different batches.
#pragma once

#include <spdlog/logger.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "notifiers/delivery_outcome.h"
#include "notifiers/message_text.h"
#include "workflow/delivery_settings.h"
#include "workflow/model.h"
#include "workflow/notification.h"
#include "workflow/status.h"
#include "workflow/time.h"

namespace kaizen::notifiers {

struct DeliveryBatch {
  std::string channel;
  // The receiver's deduplication key: the notification's own key for a batch of one, or
  // BatchKey(batch id, channel) for a group. The same on every attempt.
  std::string idempotency_key;
  std::vector<Notification> items;  // 1 or more, ascending by id, all of `channel`
  int attempt = 1;                  // 1 for the first attempt
};

// "batch-<batch_id>-<channel with '.' replaced by '_'>".
std::string BatchKey(NotificationId batch_id, std::string_view channel);

// The batch of a channel test (POST /api/v1/channels/{id}/test): one notification of kind
// kNotifyChannelTest to the whole chat of `channel`, mentioning nobody, with id 0 (it is in no
// outbox) and the key "test-<channel, '.' replaced by '_'>-<unix ms of now>", attempt 1.
DeliveryBatch ChannelTestBatch(std::string_view channel, Instant now);
// Paces the requests of one channel: a channel awaits BeforeSend() before each request it
// sends, so that its rate limit counts what the provider counts. A batch is one request for
// most channels, but a chat digest over the provider's size limit goes in several parts, and
// each part is a message to the provider's per-minute limit.
class SendPacer {
 public:
  virtual ~SendPacer() = default;
  // Returns when the next request may go (it may wait, never refuses), with how long it
  // waited, so that the caller dates and signs the request by when it really goes.
  virtual boost::asio::awaitable<std::chrono::milliseconds> BeforeSend() = 0;
};

// A pacer that never waits.
SendPacer& NoPacing();

class Channel {
 public:
  virtual ~Channel() = default;
  virtual const ChannelOptions& options() const = 0;
  // Sends the batch once, awaiting `pacer` before each request. `now` is when the attempt
  // starts. Never throws for trouble of the network or the receiver.
  virtual boost::asio::awaitable<DeliveryOutcome> Deliver(DeliveryBatch batch, Instant now,
                                                          SendPacer& pacer) = 0;

  // For the daemon's stop, whose io_context must run out of work. CloseIdleConnections()
  // closes the connections kept alive for reuse (and their idle timers) and keeps none from
  // now on; deliveries in flight go on. Cancel() ends those at once, and fails later ones at
  // once, with a retry-later outcome whose reason ends in "cancelled". The log channel has
  // nothing to close or cancel.
  virtual void CloseIdleConnections() {}
  virtual void Cancel() {}
};

// Builds the channel. `directory` gives the people's handles the chat providers mention them
// by; null is taken as an empty directory (everyone named in plain text). `clock` must outlive
// the channel. `catalog` gives the words and their language (message_text.h); null is the
// built-in English one. Errors:
// kInvalidArgument "invalid_channel" (a webhook or chat channel without a valid URL, an
// unreadable CA file, a malformed webhook secret, a secret on a provider that does not sign:
// wecom, slack, teams, discord), the message naming the channel id but never its URL's secret
// parts.
Result<std::unique_ptr<Channel>> MakeChannel(
    const ChannelOptions& options, std::shared_ptr<const Directory> directory, const Clock& clock,
    boost::asio::any_io_executor executor, std::shared_ptr<spdlog::logger> log,
    std::shared_ptr<const MessageCatalog> catalog = nullptr);

}  // namespace kaizen::notifiers
