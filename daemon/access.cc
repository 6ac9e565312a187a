#include "daemon/access.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <utility>

#include "daemon/http_message.h"

namespace kaizen::daemon {

namespace {

std::array<unsigned char, 32> Digest(std::string_view text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

}  // namespace

AccessPolicy::AccessPolicy(std::vector<Token> tokens) {
  entries_.reserve(tokens.size());
  for (Token& token : tokens) {
    entries_.push_back(
        {Digest(token.secret), std::make_shared<const Caller>(std::move(token.caller))});
    // The secret is not kept: only its digest is compared.
    std::fill(token.secret.begin(), token.secret.end(), '\0');
  }
}

std::shared_ptr<const Caller> AccessPolicy::Authenticate(std::string_view presented) const {
  // Digests have one length whatever was sent, so comparing them reveals nothing about the
  // length or the bytes of a configured token; every entry is compared, no early exit.
  const std::array<unsigned char, 32> digest = Digest(presented);
  std::shared_ptr<const Caller> found;
  for (const Entry& entry : entries_) {
    const bool equal = CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0;
    if (equal) found = entry.caller;
  }
  return found;
}

std::shared_ptr<const AccessPolicy> BuildAccessPolicy(const config::ApiOptions& api) {
  std::vector<AccessPolicy::Token> tokens;
  tokens.reserve(api.tokens.size());
  for (const config::ApiTokenOptions& t : api.tokens) {
    tokens.push_back({Caller{t.name, t.role, t.person, t.teams}, t.secret});
  }
  return std::make_shared<const AccessPolicy>(std::move(tokens));
}

std::optional<std::string_view> BearerToken(std::optional<std::string_view> authorization) {
  if (!authorization) return std::nullopt;
  std::string_view value = *authorization;
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() ||
      !EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme) ||
      (value[kScheme.size()] != ' ' && value[kScheme.size()] != '\t')) {
    return std::nullopt;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace kaizen::daemon
