#include "notifiers/delivery_outcome.h"

#include "notifiers/retry_after.h"

namespace kaizen::notifiers {

DeliveryOutcome ClassifyDelivery(const HttpResult& result, Instant now) {
  DeliveryOutcome outcome;
  if (result.status != 0) {
    int status = result.status;
    outcome.reason = "http_" + std::to_string(status);
    if (status >= 200 && status <= 299) {
      outcome.verdict = DeliveryVerdict::kDelivered;
    } else if (status == 408 || status == 429 || (status >= 500 && status <= 599)) {
      outcome.verdict = DeliveryVerdict::kRetryLater;
      if (auto value = result.Header("retry-after")) {
        outcome.retry_after = ParseRetryAfter(*value, now);
      }
    } else {
      outcome.verdict = DeliveryVerdict::kPermanent;
    }
    return outcome;
  }
  if (result.error.ok()) {
    // No status and no error cannot come from the client; a caller's default-built result is
    // most safely not taken for a delivery.
    outcome.verdict = DeliveryVerdict::kRetryLater;
    outcome.reason = "no_answer";
    return outcome;
  }
  outcome.reason = result.error.reason();
  outcome.verdict = result.error.code() == StatusCode::kUnavailable ? DeliveryVerdict::kRetryLater
                                                                    : DeliveryVerdict::kPermanent;
  return outcome;
}

}  // namespace kaizen::notifiers
