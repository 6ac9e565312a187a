// AccessPolicy: the API tokens of the config, ready to check a request's
// "Authorization: Bearer <token>" (issue 6, "Access"; the role rules are
// workflow/access_policy.h).
//
// Immutable once built: ApiHandlers holds it by std::shared_ptr<const AccessPolicy> and a
// config reload swaps in a new one (ApiHandlers::SetAccess); a request keeps the Caller it
// authenticated as (shared) even if the policy changes under it. Only SHA-256 digests of the
// tokens are kept, and a presented token is compared with every one of them in constant time,
// so neither memory nor timing gives a token away. Thread-safe (const).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "workflow/access_policy.h"

namespace kaizen::daemon {

class AccessPolicy {
 public:
  struct Token {
    Caller caller;
    std::string secret;
  };

  // No tokens: open mode, every request is let through with no Caller.
  explicit AccessPolicy(std::vector<Token> tokens);

  bool open() const { return entries_.empty(); }
  std::size_t token_count() const { return entries_.size(); }

  // The holder of `presented`, or null. Looks at every token whatever matches, comparing
  // digests with CRYPTO_memcmp.
  std::shared_ptr<const Caller> Authenticate(std::string_view presented) const;

 private:
  struct Entry {
    std::array<unsigned char, 32> digest;
    std::shared_ptr<const Caller> caller;
  };
  std::vector<Entry> entries_;
};

// The policy of `api`'s tokens (already validated by config/).
std::shared_ptr<const AccessPolicy> BuildAccessPolicy(const config::ApiOptions& api);

// The token of an "Authorization" header value "Bearer <token>" (scheme in any case), or
// nullopt when absent, of another scheme or empty.
std::optional<std::string_view> BearerToken(std::optional<std::string_view> authorization);

}  // namespace kaizen::daemon
