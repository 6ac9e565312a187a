// How long the dispatcher waits before the next attempt of a failed delivery.
//
// Exponential backoff with "equal jitter": the n-th failure waits between half and all of
// min(initial * 2^(n-1), max), never less than a second, so receivers that failed together do
// not get every retry at the same instant. A server's Retry-After wins over the backoff.
//
// Pure functions: the randomness is a value passed in, so tests pin it. Any thread.
#pragma once

#include <chrono>

#include "notifiers/delivery_outcome.h"

namespace kaizen::notifiers {

// The longest wait a Retry-After may impose; a server asking for more is retried after this.
inline constexpr std::chrono::seconds kMaxServerRequestedWait = std::chrono::hours(24);

// The wait after `failed_attempts` consecutive failures (1 for the first; values below 1 count
// as 1). `unit_random` in [0, 1) picks the point in the jitter range (clamped into it). The
// result is at least 1 s, at most max(max, 1 s), and does not overflow for any
// failed_attempts.
std::chrono::milliseconds RetryDelay(int failed_attempts, std::chrono::seconds initial,
                                     std::chrono::seconds max, double unit_random);

// The wait after a kRetryLater outcome: the outcome's Retry-After when it has one (at least
// 1 s, at most kMaxServerRequestedWait), otherwise RetryDelay.
std::chrono::milliseconds NextDelay(const DeliveryOutcome& outcome, int failed_attempts,
                                    std::chrono::seconds initial, std::chrono::seconds max,
                                    double unit_random);

}  // namespace kaizen::notifiers
