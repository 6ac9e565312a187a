// What one delivery attempt means for the outbox: delivered, try again later, or give up.
//
// The one place that reads an HttpResult as a verdict, so that the dispatcher only acts on it.
// A pure function: "now" is a value (for a Retry-After given as a date). Any thread.
#pragma once

#include <chrono>
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

struct DeliveryOutcome {
  DeliveryVerdict verdict = DeliveryVerdict::kPermanent;
  // For kRetryLater: the server's Retry-After, when it gave a valid one. Never set otherwise.
  std::optional<std::chrono::seconds> retry_after;
  // Why, stable and short, for the outbox row and metrics: "http_503", "timeout",
  // "connect_failed", "invalid_url", ... ("http_204" when delivered).
  std::string reason;
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
