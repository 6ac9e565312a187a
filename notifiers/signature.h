// Webhook signatures: proof for the receiver that a request comes from kaizen and was not
// altered, computed over the exact bytes sent.
//
//   Standard Webhooks v1 (symmetric): HMAC-SHA256 over "<id>.<unix seconds>.<body>" with the
//   key base64-decoded from the "whsec_" secret; the header value is "v1,<base64 MAC>".
//   GitHub: HMAC-SHA256 over the body with the secret's bytes as key; "sha256=<lower hex>".
//   DingTalk (加签): HMAC-SHA256 keyed with the secret over "<unix ms>\n<secret>", base64, sent
//   URL-encoded in the query.
//   Feishu/Lark: HMAC-SHA256 keyed with "<unix seconds>\n<secret>" over the empty message,
//   base64, sent as is in the JSON body. The two look alike and are not interchangeable: the
//   DingTalk arrangement applied to Feishu gives a value Feishu refuses (19021).
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

// The base64 DingTalk signature for `timestamp_ms` (Unix milliseconds, which DingTalk accepts
// within an hour of its clock). `secret` is the robot's "SEC..." string, used as given.
std::string DingTalkSignature(std::string_view secret, std::int64_t timestamp_ms);

// The query parameters a signed DingTalk request appends to the webhook URL (after "&"):
// "timestamp=<ms>&sign=<DingTalkSignature, percent-encoded once>". Build the URL afresh for
// every send; appending to a URL that already carries a signature makes it grow.
std::string DingTalkSignedQuery(std::string_view secret, std::int64_t timestamp_ms);

// The base64 Feishu/Lark signature for `timestamp_s` (Unix seconds, accepted within an hour),
// sent as the body's top-level "sign" beside "timestamp" as a string of the same seconds. Not
// percent-encoded: it travels in JSON.
std::string FeishuSignature(std::string_view secret, std::int64_t timestamp_s);

}  // namespace kaizen::notifiers
