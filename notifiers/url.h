// Webhook URLs: parsing into what a connection needs, and redaction for logs.
//
// Webhook URLs carry secrets (a token in the path or the query), so no log line or error message
// of kaizen may show one as configured: they show RedactUrl(url). Pure functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/status.h"

namespace kaizen::notifiers {

struct ParsedUrl {
  bool tls = false;  // "https" (true) or "http" (false)
  std::string host;  // lower case; an IPv6 literal without its brackets
  bool host_is_ip = false;
  std::uint16_t port = 0;  // the URL's port, or 80 / 443
  std::string target;      // path and query as sent in the request line; "/" when empty

  // "host" or "host:port" (port only when not the scheme's default; IPv6 in brackets), for the
  // Host header.
  std::string HostHeader() const;
  // "https://host:port", the key under which connections are kept for reuse.
  std::string Origin() const;
};

// Parses an absolute http or https URL: scheme (any case), host name, IPv4 or bracketed IPv6
// literal, optional port (1-65535), path and query. The fragment is dropped (it is never sent).
// Errors: kInvalidArgument "invalid_url" for any other scheme, user information ("user:pw@"),
// an empty or malformed host, a bad port, spaces or control characters. The message shows the
// URL redacted.
Result<ParsedUrl> ParseUrl(std::string_view url);

// The URL with its secrets replaced by "***": user information, every query value, and every
// path segment after the first that looks like a token (16 characters or more, or 6 or more
// with a digit). The first path segment is kept unless it is 16 characters or more, so the log
// still tells which API the URL is for; the fragment is dropped. Works on malformed URLs too,
// and returns "***" for text that is not a URL at all.
//   https://hooks.slack.com/services/T00000000/B00000000/abcdefghijklmnopqrstuvwx?x=1
//     -> https://hooks.slack.com/services/***/***/***?x=***
std::string RedactUrl(std::string_view url);

// The parts of `url` that RedactUrl hides (user information, query values, token-like path
// segments), each as written and, when it differs, percent-decoded; only those of
// kMinHiddenSecretBytes or more, as shorter ones ("true" in "?wait=true") are no credential and
// would blank out ordinary words. For HideSecrets.
std::vector<std::string> UrlSecrets(std::string_view url);

inline constexpr std::size_t kMinHiddenSecretBytes = 8;

// `text` with every occurrence of each of `secrets` (those of kMinHiddenSecretBytes or more)
// replaced by "***": for what a receiver answered, which may echo the URL's token or a
// signature it was sent.
std::string HideSecrets(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace kaizen::notifiers
