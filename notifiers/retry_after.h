// Retry-After (RFC 9110 section 10.2.3): how long a server asks a client to wait.
//
// A pure function: "now" is a value, so that an HTTP-date is turned into a delay without
// reading the clock. Any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "workflow/time.h"

namespace kaizen::notifiers {

// The delay a Retry-After value asks for, measured from `now`:
//  - delta-seconds ("120"): that many seconds; values too large for a day count saturate at
//    kMaxRetryAfter;
//  - an HTTP-date in any of the three forms recipients must accept (IMF-fixdate
//    "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime
//    "Sun Nov  6 08:49:37 1994"): the time from `now` to that date, zero when it has passed,
//    at most kMaxRetryAfter.
// Surrounding whitespace is ignored. Returns nullopt for anything else (negative numbers,
// fractions, unknown month names, invalid dates), which callers treat as "no advice".
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, Instant now);

// A server asking for more than this is answered as if it had asked for this; the dispatcher's
// own backoff caps the result further.
inline constexpr std::chrono::seconds kMaxRetryAfter = std::chrono::hours(24 * 7);

}  // namespace kaizen::notifiers
