// ChatFake: a local stand-in for one chat provider's incoming webhook (DingTalk, Feishu, WeCom,
// Slack, Teams Workflows, Discord) that holds the sender to the provider's contract as
// /work/shared/docs/webhook-formats.md (the project's docs/webhook-formats.md) describes it, and
// answers the way the provider does.
//
// Each request is checked like the provider would: method, Content-Type, the token in the URL,
// the signature and its timestamp (DingTalk in the query, Feishu in the body), the JSON shape,
// the size limits, and the mention fields (WeCom mentioned_list, Slack <@U…>, Teams
// msteams.entities matching an <at>…</at> of a TextBlock, Discord allowed_mentions, DingTalk
// at.atMobiles with "@<mobile>" in the text, Feishu <at user_id=…>). A request the provider
// would refuse gets the provider's refusal (HTTP 200 with an error code for DingTalk, Feishu and
// WeCom; Slack's 4xx text tokens; Discord's 400 JSON; Teams' 400/413). A request the provider
// would take but that would not do what the sender meant (a person listed for a ping the text
// does not carry, an <at> without its entity) is accepted and recorded as a violation, since
// the provider would not complain either: only the people in the chat would notice.
//
// Throttling: `limits` are sliding windows over accepted messages ("at most 20 in any 3 s"),
// each refused with the provider's throttle reply (DingTalk 130101 and its block, WeCom 45009,
// Feishu 11232, Slack and Teams 429 with Retry-After, Discord 429 with JSON retry_after and its
// X-RateLimit-* headers on every answer). Tests scale windows down (see kTimeScale in
// providers_test.cc) and the daemon's rate limits up by the same factor.
//
// What a user sees is `posted()`: the messages the chat shows, in the order they were accepted,
// with their text and whom they pinged.
//
// Thread-safe: the fake answers on its sink's thread; tests read it from theirs.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/webhook_sink.h"

namespace kaizen::testing {

enum class ChatProvider { kDingTalk, kFeishu, kWeCom, kSlack, kTeams, kDiscord };

// "dingtalk", "feishu", ...: the channel type and the people[].handles key.
std::string ChannelTypeOf(ChatProvider provider);

// At most `messages` accepted in any window of `window`.
struct WindowLimit {
  int messages = 0;
  std::chrono::milliseconds window{0};
};

struct ChatFakeOptions {
  // DingTalk's SEC… or Feishu's signing secret; empty: the robot has no signing.
  std::string secret;
  std::vector<WindowLimit> limits;
  // DingTalk: after a throttle the robot refuses everything this long ("about 10 minutes").
  std::chrono::milliseconds block_after_throttle{0};
  // Slack, Teams, Discord: the wait a throttle reply asks for.
  std::chrono::milliseconds throttle_wait{1000};
};

// A message the chat shows.
struct PostedMessage {
  std::string text;                 // every text a person reads, joined by '\n'
  std::set<std::string> mentioned;  // handles pinged ("@all" for everyone)
  std::chrono::steady_clock::time_point at;
};

class ChatFake {
 public:
  ChatFake(ChatProvider provider, ChatFakeOptions options = {});
  ChatFake(const ChatFake&) = delete;
  ChatFake& operator=(const ChatFake&) = delete;

  ChatProvider provider() const { return provider_; }
  // The webhook URL to configure, with the provider's path and a token.
  std::string Url() const;
  // The channel's config: type, url and the secret when there is one.
  nlohmann::json ChannelConfig() const;

  std::vector<PostedMessage> posted() const;
  // Contract breaches seen, each a sentence; empty when the sender kept the contract.
  std::vector<std::string> violations() const;
  // Throttle replies given (each one a limit tripped, or a request refused while blocked).
  int throttled() const;
  // Refusals that are not throttling: size limits, malformed requests, bad signatures.
  std::vector<std::string> refusals() const;
  // Every request received, accepted or not.
  std::vector<SinkRequest> requests() const { return sink_.Requests(); }

  // The next accepted-to-be message whose text contains `needle` is throttled instead, once
  // (another sender sharing the webhook, a provider-side hiccup).
  void ThrottleOnceWhen(std::string needle);
  // Messages whose text contains `needle` are refused for good with the provider's "bad
  // message" reply (Slack 400 invalid_blocks, Discord 400 50035, ...).
  void RefuseWhen(std::string needle);

  // Waits until at least `count` messages are posted or `timeout` passes.
  bool WaitForPosted(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  ServerReply Answer(const ServerRequest& request);
  ServerReply Check(const ServerRequest& request, std::optional<PostedMessage>& accepted);
  ServerReply Throttle(std::chrono::steady_clock::time_point now, std::string why);
  ServerReply Refuse(std::string why, ServerReply reply);
  void Violation(std::string what);
  // The first limit the next message would break, and how long until it would not.
  std::optional<std::chrono::milliseconds> OverLimit(std::chrono::steady_clock::time_point now);
  void AddRateLimitHeaders(ServerReply& reply, std::chrono::steady_clock::time_point now);

  ChatProvider provider_;
  ChatFakeOptions options_;
  std::string token_;
  WebhookSink sink_;

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<PostedMessage> posted_;
  std::vector<std::string> violations_;
  std::vector<std::string> refusals_;
  int throttled_ = 0;
  std::chrono::steady_clock::time_point blocked_until_{};
  std::vector<std::string> throttle_once_;
  std::vector<std::string> refuse_;
};

}  // namespace kaizen::testing
