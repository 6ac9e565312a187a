// WebhookHttpClient: the HTTP/1.1 transport of webhook delivery (Boost.Beast and OpenSSL,
// which stay in http_client.cc).
//
// It sends one request and reads one answer, over HTTPS (server certificate verified against
// the system's CA store or a given CA file, SNI, host-name check) or plain HTTP. Connections
// are kept per origin (scheme, host, port) and reused while the server keeps them alive; a
// reused connection found closed before any byte of the answer arrived is replaced by a fresh
// one and the request sent again, once. Every request has a connect timeout and a total
// timeout. It does not retry anything else, follow redirects or interpret the answer: that is
// ClassifyDelivery (delivery_outcome.h) and the dispatcher's business.
//
// Executor: everything happens on the executor passed to Create() (the daemon's io_context,
// one thread). Send() must be awaited from a coroutine running on that executor, and the
// connection pool is touched by no other thread. Sends may run concurrently on it; each holds
// its own connection. The client may be destroyed while Sends are in flight: they keep what
// they use alive and finish normally; idle connections close with the client.
//
// Stopping: a kept-alive connection waits on its idle timer, which keeps the executor busy.
// An owner that stops before it destroys the client (the daemon, whose io_context must run
// out of work) calls CloseIdleConnections(), and Cancel() when the Sends in flight may not
// take longer.
//
// URLs carry secrets: every log line and error message shows RedactUrl(url), never the URL.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "workflow/status.h"

namespace kaizen::notifiers {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequestSpec {
  std::string method = "POST";
  std::string url;  // absolute http or https URL, see ParseUrl
  // Sent as given, after Host, User-Agent and Content-Length, which the client sets (a
  // User-Agent given here replaces the client's). Names must be tokens, values must not
  // contain CR, LF or NUL.
  HttpHeaders headers;
  std::string body;
  // The total timeout of this request; the client's total_timeout when not set.
  std::optional<std::chrono::milliseconds> timeout;
};

struct HttpResult {
  // The answer's status code, set whenever a status line was read, also when the body then
  // failed ("response_too_large", "connection_closed" mid-body): the server did answer.
  // 0 when there was no answer.
  int status = 0;
  HttpHeaders headers;  // names in lower case, in the order received
  std::string body;
  // Ok when a complete answer was read, whatever its status. Otherwise:
  //  kInvalidArgument "invalid_url" / "invalid_request": nothing was sent;
  //  kUnavailable with reason
  //    "dns_failed"                 the host name did not resolve,
  //    "connect_failed"             no address accepted a TCP connection,
  //    "tls_handshake_failed"       TLS could not be negotiated,
  //    "certificate_verify_failed"  the server's certificate is not trusted or not for the host,
  //    "timeout"                    the connect or total timeout expired,
  //    "connection_closed"          the server closed or reset the connection before answering
  //                                 completely,
  //    "invalid_response"           the answer is not HTTP/1.1,
  //    "response_too_large"         the body is over max_response_bytes (status is set),
  //    "cancelled"                  Cancel() ended the request (or came before it).
  Status error;

  bool ok() const { return error.ok(); }
  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
};

struct WebhookHttpClientOptions {
  // PEM file of CA certificates to trust instead of the system's store (tests, private CAs).
  std::optional<std::string> ca_file;
  // Resolving, connecting and the TLS handshake of a new connection.
  std::chrono::milliseconds connect_timeout{10'000};
  // Everything of one Send, including the connect and a stale-connection retry.
  std::chrono::milliseconds total_timeout{30'000};
  // Idle keep-alive connections kept per origin; the oldest is closed beyond it. 0: no reuse.
  std::size_t max_idle_per_host = 4;
  // An idle connection unused this long is closed (servers drop theirs after 60 s or so).
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_response_bytes = 1024 * 1024;
};

class WebhookHttpClient {
 public:
  // Sets up TLS. Errors: kInvalidArgument "invalid_ca_file" when options.ca_file cannot be
  // read as PEM certificates; kInternal "tls_setup_failed" when OpenSSL cannot be initialised.
  static Result<std::unique_ptr<WebhookHttpClient>> Create(boost::asio::any_io_executor executor,
                                                           WebhookHttpClientOptions options);
  ~WebhookHttpClient();
  WebhookHttpClient(const WebhookHttpClient&) = delete;
  WebhookHttpClient& operator=(const WebhookHttpClient&) = delete;

  // Sends the request and reads the whole answer. Never throws for network or HTTP trouble:
  // every failure is in HttpResult::error (see there). A status of 4xx or 5xx is a success of
  // the transport (error ok).
  boost::asio::awaitable<HttpResult> Send(HttpRequestSpec spec);

  // Closes the idle connections and ends their idle timers, and keeps no connection from now
  // on: once the Sends in flight have ended, nothing of the client's is left on the executor.
  // Sends in flight go on; later ones work too, each on a connection of its own.
  void CloseIdleConnections();
  // CloseIdleConnections(), and ends every Send in flight at once, closing its connection: it
  // returns kUnavailable "cancelled" (or the answer, when that was complete already). Sends
  // started later return "cancelled" at once without sending.
  void Cancel();

  // Idle connections kept for reuse, over all origins; for tests and metrics.
  std::size_t idle_connection_count() const;

  class Impl;
  // Use Create(); Impl is private to http_client.cc.
  explicit WebhookHttpClient(std::shared_ptr<Impl> impl);

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kaizen::notifiers
