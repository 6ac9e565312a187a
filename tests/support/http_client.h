// HttpClient: a small synchronous HTTP/1.1 client for tests that talk to a running kaizend.
//
// Each call blocks until the answer is read, the timeout expires or the connection fails; it
// runs its own private io_context, so it never needs a thread of its own. By default every
// request uses a fresh connection (what a script with curl does); with keep_alive the
// connection is reused until the server closes it. Besides well-formed requests it can send
// raw bytes, to see how the server answers malformed or oversized input.
//
// Not thread-safe: one HttpClient per thread. Transport failures (refused, timed out, closed
// before an answer) are kUnavailable Status values, never exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/status.h"

namespace kaizen::testing {

struct HttpResponse {
  int status = 0;
  // Header fields in the order received; names as the server wrote them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The body parsed as JSON, or discarded (is_discarded()) when it is not JSON.
  nlohmann::json json = nlohmann::json::value_t::discarded;

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
  bool IsJson() const { return !json.is_discarded(); }
  // json["error"]["code"] when the body is a kaizen error, else "".
  std::string ErrorCode() const;
};

struct HttpClientOptions {
  std::chrono::milliseconds timeout{10000};  // whole request: connect, write, read
  bool keep_alive = false;
  std::size_t max_response_bytes = 64 * 1024 * 1024;
};

class HttpClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  HttpClient(std::string host, std::uint16_t port, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `method target` with `body` (Content-Type application/json unless `headers` sets
  // one; no body and no Content-Type when `body` is empty) and reads the answer.
  Result<HttpResponse> Request(std::string_view method, std::string_view target,
                               std::string_view body = {}, const Headers& headers = {});

  Result<HttpResponse> Get(std::string_view target, const Headers& headers = {});
  // The JSON overloads serialise `body` with dump().
  Result<HttpResponse> Post(std::string_view target, const nlohmann::json& body,
                            const Headers& headers = {});
  Result<HttpResponse> Patch(std::string_view target, const nlohmann::json& body,
                             const Headers& headers = {});

  // Writes `bytes` as they are on a fresh connection and reads one answer. The write and the
  // read run together, so an answer the server sends before it has read everything (413) is
  // still seen.
  Result<HttpResponse> SendRaw(std::string_view bytes);

  // Drops a kept-alive connection.
  void Close();

  const std::string& host() const { return host_; }
  std::uint16_t port() const { return port_; }

 private:
  class Connection;
  Result<HttpResponse> Exchange(std::string bytes, bool keep_alive);

  std::string host_;
  std::uint16_t port_;
  HttpClientOptions options_;
  std::unique_ptr<Connection> connection_;  // kept between requests with keep_alive
};

}  // namespace kaizen::testing
