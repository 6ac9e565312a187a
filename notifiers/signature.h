// Webhook signatures: proof for the receiver that a request comes from kaizen and was not
// altered, computed over the exact bytes sent.
//
//   Standard Webhooks v1 (symmetric): HMAC-SHA256 over "<id>.<unix seconds>.<body>" with the
//   key base64-decoded from the "whsec_" secret; the header value is "v1,<base64 MAC>".
//   GitHub: HMAC-SHA256 over the body with the secret's bytes as key; "sha256=<lower hex>".
//
// Pure functions (OpenSSL stays in signature.cc); any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "workflow/status.h"

namespace kaizen::notifiers {

// The webhook-signature header value for one request. Errors: kInvalidArgument
// "invalid_secret" when `secret` lacks the "whsec_" prefix, is not valid base64 after it, or
// decodes to fewer than 24 or more than 64 bytes. The message never contains the secret.
Result<std::string> StandardWebhookSignature(std::string_view secret, std::string_view id,
                                             std::int64_t unix_seconds, std::string_view body);

// True when `secret` is a usable Standard Webhooks secret (see above).
bool IsValidStandardWebhookSecret(std::string_view secret);

// The X-Hub-Signature-256 header value: "sha256=" and the lower-case hex HMAC-SHA256 of `body`
// keyed with the bytes of `secret`.
std::string GithubSignature256(std::string_view secret, std::string_view body);

}  // namespace kaizen::notifiers
