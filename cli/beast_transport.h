// HTTP/1.1 over plain TCP with Boost.Beast, one connection per request. Each Send runs its own
// io_context on the calling thread until the exchange ends, so callers see a blocking call
// while every step still has a deadline (Beast's timeouts only apply to asynchronous
// operations). Use from one thread at a time.
#pragma once

#include <chrono>

#include "cli/args.h"
#include "cli/transport.h"

namespace kaizen::cli {

struct Timeouts {
  std::chrono::milliseconds connect{5000};  // resolving excluded: numeric hosts need none
  // Writing the request and reading the answer, unless the request sets its own timeout.
  std::chrono::milliseconds exchange{30000};
};

class BeastTransport final : public Transport {
 public:
  explicit BeastTransport(ServerUrl server, Timeouts timeouts = {});
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  ServerUrl server_;
  Timeouts timeouts_;
};

}  // namespace kaizen::cli
