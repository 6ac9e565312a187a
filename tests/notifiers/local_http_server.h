// LocalHttpServer: a webhook sink for tests, plain HTTP or HTTPS, on 127.0.0.1 and a port the
// kernel picks.
//
// It records every request and lets the test decide each answer, including misbehaviour a
// client must survive: closing a kept-alive connection without saying so, closing without an
// answer, never answering. It counts accepted and closed connections so that tests can see
// connection reuse. Beast stays in local_http_server.cc.
//
// Runs on the io_context it is given, the same one the client under test uses, and is driven
// by the test's own run loop: no thread of its own. Destroying it stops accepting and closes
// every open connection.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "notifiers/http_client.h"
#include "tests/notifiers/test_pki.h"

namespace kaizen::notifiers::testing {

struct ServerRequest {
  std::string method;
  std::string target;
  HttpHeaders headers;  // names in lower case
  std::string body;
  int connection = 0;       // 1 for the first connection accepted, 2 for the next, ...
  std::string server_name;  // the TLS SNI the client sent; empty over plain HTTP or without SNI

  std::string Header(std::string_view name) const;  // "" when absent
};

struct ServerReply {
  int status = 200;
  HttpHeaders headers;
  std::string body;
  // Answer with "Connection: close" and close.
  bool announce_close = false;
  // Answer as if keeping the connection alive, then close it: a server dropping an idle
  // keep-alive connection at the worst moment.
  bool close_silently = false;
  // Close the connection without answering.
  bool drop = false;
  // Read the request and never answer; the connection stays open until the client leaves.
  bool never_answer = false;
};

using ServerHandler = std::function<ServerReply(const ServerRequest&)>;

class LocalHttpServer {
 public:
  // Plain HTTP.
  LocalHttpServer(boost::asio::io_context& io, ServerHandler handler);
  // HTTPS presenting `identity`.
  LocalHttpServer(boost::asio::io_context& io, ServerHandler handler, const TlsIdentity& identity);
  ~LocalHttpServer();
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:port/path" (https for a TLS server); `host` replaces 127.0.0.1.
  std::string Url(std::string_view path, std::string_view host = "127.0.0.1") const;

  int accepted_connections() const;
  int closed_connections() const;
  // TLS handshakes that failed (the client refused the certificate).
  int failed_handshakes() const;
  const std::vector<ServerRequest>& requests() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

// Always answers `reply`.
ServerHandler Always(ServerReply reply);

}  // namespace kaizen::notifiers::testing
