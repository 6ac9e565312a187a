// What one delivery attempt means for the outbox: delivered, try again later, or give up.
//
// The one place that reads an HttpResult as a verdict, so that the dispatcher only acts on it.
// A pure function: "now" is a value (for a Retry-After given as a date). Any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "notifiers/http_client.h"
#include "workflow/time.h"

namespace kaizen::notifiers {

enum class DeliveryVerdict {
  kDelivered,   // the server accepted the message (2xx)
  kRetryLater,  // the server or the network may do better later
  kPermanent,   // sending the same request again will not help
};

// What the receiver answered to the last HTTP request of an attempt, for an operator to read
// (POST /api/v1/channels/{id}/test shows it). It never carries a secret: no URL (show
// RedactUrl(options.url) beside it), no signature, and every text below has the channel's URL
// tokens, signing secret and signatures replaced by "***" (HideSecrets, url.h) in case the
// receiver echoed them.
struct ProviderAnswer {
  // The reply body kept: 4 KiB, cut at a UTF-8 character boundary.
  static constexpr std::size_t kMaxBodyBytes = 4096;

  int http_status = 0;  // 0: no answer; `network_error` says why
  // When there was no answer (or it broke off): HttpResult::error's reason ("timeout",
  // "connect_failed", "dns_failed", ...) and message. Empty otherwise.
  std::string network_error;
  std::string network_error_message;
  // The reply body, at most kMaxBodyBytes, invalid UTF-8 replaced by U+FFFD.
  std::string body;
  bool body_truncated = false;
  // The provider's own result when its reply has one: DingTalk and WeCom errcode/errmsg,
  // Feishu code/msg, Discord's JSON code/message; Slack's and Teams' text body as the message.
  std::optional<std::int64_t> provider_code;
  std::string provider_message;
  // For an operator: what the answer means and what to do (ProviderVerdict::message), or that
  // the message was accepted.
  std::string explanation;
  // From sending the last request to its complete answer (or the error).
  std::chrono::milliseconds latency{0};
  int parts = 0;     // messages the batch was split into (chat providers split long digests)
  int requests = 0;  // HTTP requests the attempt made: parts sent, plus a re-signed repeat
};

struct DeliveryOutcome {
  DeliveryVerdict verdict = DeliveryVerdict::kPermanent;
  // For kRetryLater: the server's Retry-After, when it gave a valid one. Never set otherwise.
  std::optional<std::chrono::seconds> retry_after;
  // Why, stable and short, for the outbox row and metrics: "http_503", "timeout",
  // "connect_failed", "invalid_url", ... ("http_204" when delivered).
  std::string reason;
  // Set by the channels that send over HTTP (webhook and chat providers) once a request went
  // out; unset for the log channel and when nothing was sent.
  std::optional<ProviderAnswer> answer = std::nullopt;
};

// The verdict on `result`:
//  - an answer (status set, also with a refused oversized body) is judged by its status:
//    2xx delivered; 408, 429 and 5xx retry later, with Retry-After when the answer has a valid
//    one; every other status (1xx, 3xx: redirects are not followed, other 4xx) permanent;
//  - no answer: a kUnavailable error (network, TLS, timeout, closed connection) retries later;
//    any other error (an invalid URL or request) is permanent;
//  - a default-built result (no status, no error) retries later, reason "no_answer".
DeliveryOutcome ClassifyDelivery(const HttpResult& result, Instant now);

}  // namespace kaizen::notifiers
