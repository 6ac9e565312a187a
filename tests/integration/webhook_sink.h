// WebhookSink: a chat provider stand-in for end-to-end tests. A LocalHttpServer (plain HTTP, or
// HTTPS with a CA made at test time whose PEM file the daemon's config can name) on its own
// thread, recording every request, answering what the test says at that moment.
//
// Thread-safe: the server runs on the sink's thread; the test reads and steers it from its own.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/notifiers/local_http_server.h"

namespace kaizen::testing {

using notifiers::testing::ServerReply;
using notifiers::testing::ServerRequest;

struct SinkRequest {
  ServerRequest request;
  std::chrono::steady_clock::time_point at;
  nlohmann::json body;  // parsed; null when not JSON
};

class WebhookSink {
 public:
  enum class Scheme { kHttp, kHttps };
  explicit WebhookSink(Scheme scheme = Scheme::kHttp);
  ~WebhookSink();
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;

  std::string Url(std::string_view path) const;
  // The CA's PEM file (HTTPS only; empty otherwise).
  const std::string& ca_file() const { return ca_file_; }

  // How to answer from now on; `reply` runs on the sink's thread. The default answers 200.
  void SetReply(std::function<ServerReply(const ServerRequest&)> reply);
  std::vector<SinkRequest> Requests() const;
  // Waits until `done(requests)` holds or `timeout` passes; returns whether it held.
  bool WaitFor(const std::function<bool(const std::vector<SinkRequest>&)>& done,
               std::chrono::milliseconds timeout) const;

 private:
  ServerReply Answer(const ServerRequest& request);

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<notifiers::testing::LocalHttpServer> server_;
  std::string ca_file_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::function<ServerReply(const ServerRequest&)> reply_;
  std::vector<SinkRequest> requests_;
  std::thread thread_;
};

}  // namespace kaizen::testing
