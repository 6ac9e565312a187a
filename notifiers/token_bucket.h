// TokenBucket: a channel's rate limit, as waits rather than refusals.
//
// `burst` messages may go at once after a quiet period; beyond that one message per
// 60 / per_minute seconds. Reserve() always grants the next slot and says how long to wait for
// it, so nothing is dropped and callers served in order send in order. Implemented as GCRA (a
// "theoretical arrival time"), exact in steady_clock ticks.
//
// Pure: time is passed in, never read. Not thread-safe; the dispatcher keeps one per channel on
// its executor.
#pragma once

#include <chrono>

#include "workflow/delivery_settings.h"

namespace kaizen::notifiers {

class TokenBucket {
 public:
  // Starts full (burst tokens available at `now`). per_minute <= 0: unlimited; burst < 1
  // counts as 1.
  TokenBucket(RateLimit limit, std::chrono::steady_clock::time_point now);

  // Takes the next slot: zero when a token is available at `now`, otherwise how long after
  // `now` the slot comes. Each call takes one slot, also when the caller must wait, so the
  // waits of successive calls grow.
  std::chrono::milliseconds Reserve(std::chrono::steady_clock::time_point now);

  bool unlimited() const { return interval_ == Duration::zero(); }

 private:
  using Duration = std::chrono::steady_clock::duration;
  Duration interval_{};    // between two slots at the sustained rate; zero when unlimited
  Duration burst_span_{};  // (burst - 1) * interval_: how far ahead of time a slot may be used
  std::chrono::steady_clock::time_point next_slot_;  // the theoretical arrival time
};

}  // namespace kaizen::notifiers
