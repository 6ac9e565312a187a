// HttpServer: kaizen's HTTP/1.1 listener on Boost.Beast.
//
// One coroutine accepts; each connection is one coroutine that owns its stream and serves
// requests one after another (keep-alive). Every read and write has the request timeout; a
// request body over max_body_bytes is answered 413 and the connection closed; at max_connections
// the server stops accepting until a connection closes (new ones wait in the kernel's backlog).
// Beast stays in http_server.cc: handlers see the plain HttpRequest/HttpResponse of http_message.h.
//
// Runs on one executor (the daemon's io_context, one thread). Start() and Stop() may be called
// from any thread: they are dispatched to that executor. The coroutines share the server's state
// and keep it alive until they end, so destroying the HttpServer never cuts a request short; the
// executor must keep running until Stop() has let the last connection end.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "daemon/http_message.h"
#include "workflow/status.h"
#include "workflow/time.h"

namespace kaizen::daemon {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port, see HttpServer::port()
  std::size_t max_body_bytes = 1024 * 1024;
  std::chrono::seconds request_timeout{30};
  int max_connections = 1024;
};

// Answers one request. May suspend (storage); must not throw, but an escaped exception is
// logged and answered 500.
using HttpHandler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest)>;
// Builds the error answers the server itself gives (413 body_too_large, 400 malformed_request,
// 500 internal) so that they look like every other error of the API.
using HttpErrorResponder = std::function<HttpResponse(const Status&)>;

class HttpServer {
 public:
  // Opens, binds and listens. Errors: kUnavailable "listen_failed" (address in use, not
  // permitted, unknown host), with the address and the OS reason in the message.
  static Result<std::unique_ptr<HttpServer>> Bind(boost::asio::any_io_executor executor,
                                                  const HttpServerOptions& options,
                                                  HttpHandler handler,
                                                  HttpErrorResponder error_responder,
                                                  const Clock& clock);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound port (the chosen one when options.port was 0).
  std::uint16_t port() const;
  // "host:port" as bound, for logs.
  std::string address() const;

  // Starts accepting.
  void Start();

  // Graceful stop: stops accepting, closes idle connections at once, lets requests in flight
  // finish and answer (with Connection: close), and closes whatever remains after `grace`.
  // Returns at once; the executor runs out of server work when the last connection is gone.
  void Stop(std::chrono::milliseconds grace);

  // Open connections; for tests and metrics. Call on the server's executor.
  std::size_t connection_count() const;

  class Impl;
  // Use Bind(); Impl is private to http_server.cc.
  explicit HttpServer(std::shared_ptr<Impl> impl);

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace kaizen::daemon
