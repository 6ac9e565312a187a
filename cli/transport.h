// The seam between kaizenctl's commands and the network: one blocking HTTP exchange at a time.
// BeastTransport (beast_transport.h) speaks HTTP/1.1 over TCP; tests use a scripted fake. Used
// from kaizenctl's single thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "workflow/status.h"

namespace kaizen::cli {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path and query, e.g. "/api/v1/tasks?owner=li.lei"
  std::string body;    // JSON; empty for none
  // How long the answer may take, for a call that waits on something slow (a channel test);
  // the transport's own timeout when not set.
  std::optional<std::chrono::milliseconds> timeout = std::nullopt;
  std::string accept = "application/json";  // the Accept header
  // More headers: Authorization (the token), If-Match. Never logged: one holds a secret.
  std::vector<std::pair<std::string, std::string>> headers = {};
};

struct HttpResponse {
  int status = 0;  // 200, 404, ...
  std::string body;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends `request` and waits for the whole answer. Any HTTP status is a successful exchange;
  // failing to resolve, connect, send or read (timeouts included) is kUnavailable
  // "cannot_connect" with a message naming the server and the cause.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace kaizen::cli
