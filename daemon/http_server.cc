#include "daemon/http_server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <exception>
#include <tuple>
#include <unordered_set>

#include "daemon/logging.h"

namespace kaizen::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After a 413 the client may still be sending: read and drop up to this much, for up to
// kDrainTime, so that closing does not reset the connection before the client reads the answer.
constexpr std::size_t kMaxDrainBytes = 8 * 1024 * 1024;
constexpr std::chrono::seconds kDrainTime{5};
// An accept that fails for lack of resources (EMFILE) is retried after this pause instead of
// spinning.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

// Errors that mean "the peer went away or we closed it": not worth a log line above debug.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::eof ||
         ec == asio::error::broken_pipe || ec == asio::error::bad_descriptor ||
         ec == beast::error::timeout || ec == http::error::partial_message;
}

HttpRequest ToHttpRequest(http::request<http::string_body>&& message, Status& target_status) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  target_status = SplitTarget(request.target, request.path, request.query);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

}  // namespace

// One connection as the server sees it, owned by the connection's coroutine frame.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // a request is being read past its header, handled or answered
};

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  Impl(asio::any_io_executor executor, HttpServerOptions options, HttpHandler handler,
       HttpErrorResponder error_responder, const Clock& clock)
      : executor_(executor),
        acceptor_(executor),
        grace_timer_(executor),
        slot_freed_(executor),
        options_(std::move(options)),
        handler_(std::move(handler)),
        error_responder_(std::move(error_responder)),
        clock_(clock),
        log_(Logger("http")) {}

  Status Bind();
  void Start();
  void Stop(std::chrono::milliseconds grace);
  asio::any_io_executor executor() const { return executor_; }
  std::uint16_t port() const { return port_; }
  std::string address() const { return address_; }
  std::size_t connection_count() const { return connections_.size(); }

 private:
  // Removes a connection from the set when its coroutine ends, however it ends.
  class Registration {
   public:
    Registration(std::shared_ptr<Impl> impl, Connection* connection)
        : impl_(std::move(impl)), connection_(connection) {
      impl_->connections_.insert(connection_);
    }
    ~Registration() {
      impl_->connections_.erase(connection_);
      impl_->slot_freed_.cancel();
      if (impl_->stopping_ && impl_->connections_.empty()) impl_->grace_timer_.cancel();
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

   private:
    std::shared_ptr<Impl> impl_;
    Connection* connection_;
  };

  static asio::awaitable<void> Accept(std::shared_ptr<Impl> self);
  static asio::awaitable<void> Serve(std::shared_ptr<Impl> self, tcp::socket socket);
  static asio::awaitable<bool> Answer(std::shared_ptr<Impl> self, Connection& connection,
                                      HttpResponse response, unsigned version, bool keep_alive,
                                      bool head);
  static asio::awaitable<bool> AnswerWithFile(std::shared_ptr<Impl> self, Connection& connection,
                                              HttpResponse response, unsigned version,
                                              bool keep_alive, bool head);
  static asio::awaitable<void> Drain(Connection& connection);
  void LogEscaped(std::exception_ptr e, std::string_view what) const;
  // Built outside co_await expressions: g++ 12 cannot keep an initializer_list's array alive
  // across a suspension point ("array used as initializer").
  HttpResponse BodyTooLarge() const;

  asio::any_io_executor executor_;
  tcp::acceptor acceptor_;
  asio::steady_timer grace_timer_;
  asio::steady_timer slot_freed_;  // never expires; cancelled when a connection closes
  HttpServerOptions options_;
  HttpHandler handler_;
  HttpErrorResponder error_responder_;
  const Clock& clock_;
  std::shared_ptr<spdlog::logger> log_;
  std::unordered_set<Connection*> connections_;
  bool stopping_ = false;
  std::uint16_t port_ = 0;
  std::string address_;
};

Status HttpServer::Impl::Bind() {
  beast::error_code ec;
  std::string wanted = options_.host + ":" + std::to_string(options_.port);
  auto fail = [&](std::string_view step) {
    return Unavailable("listen_failed", "cannot listen on " + wanted + ": " + std::string(step) +
                                            ": " + ec.message());
  };
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, options_.port);
  } else {
    // A host name ("localhost"): resolve once, at start-up.
    tcp::resolver resolver(executor_);
    auto results =
        resolver.resolve(options_.host, std::to_string(options_.port), tcp::resolver::passive, ec);
    if (ec || results.empty()) return fail("resolve");
    endpoint = results.begin()->endpoint();
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  tcp::endpoint bound = acceptor_.local_endpoint(ec);
  if (ec) return fail("local address");
  port_ = bound.port();
  std::string host = bound.address().to_string();
  address_ = bound.address().is_v6() ? "[" + host + "]:" + std::to_string(port_)
                                     : host + ":" + std::to_string(port_);
  return Status::Ok();
}

void HttpServer::Impl::LogEscaped(std::exception_ptr e, std::string_view what) const {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log_->error("{} ended with an exception: {}", what, ex.what());
  } catch (...) {
    log_->error("{} ended with an unknown exception", what);
  }
}

HttpResponse HttpServer::Impl::BodyTooLarge() const {
  return error_responder_(InvalidArgument("body_too_large",
                                          "the request body is over the limit of " +
                                              std::to_string(options_.max_body_bytes) +
                                              " bytes (server.max_body_bytes)",
                                          {{"limit", options_.max_body_bytes}}));
}

void HttpServer::Impl::Start() {
  auto self = shared_from_this();
  asio::co_spawn(executor_, Accept(self),
                 [self](std::exception_ptr e) { self->LogEscaped(e, "accept loop"); });
}

void HttpServer::Impl::Stop(std::chrono::milliseconds grace) {
  if (stopping_) return;
  stopping_ = true;
  beast::error_code ec;
  acceptor_.close(ec);
  slot_freed_.cancel();
  std::size_t busy = 0;
  for (Connection* c : connections_) {
    if (c->busy) {
      ++busy;
    } else {
      c->stream.cancel();  // its coroutine sees stopping_ and closes
    }
  }
  log_->info("stopping: {} connection(s) idle closed, {} request(s) in flight",
             connections_.size() - busy, busy);
  if (connections_.empty()) return;
  grace_timer_.expires_after(grace);
  grace_timer_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
    if (wait_ec) return;  // every connection ended in time
    self->log_->warn("grace period over: closing {} connection(s) still open",
                     self->connections_.size());
    for (Connection* c : self->connections_) c->stream.close();
  });
}

asio::awaitable<void> HttpServer::Impl::Accept(std::shared_ptr<Impl> self) {
  while (!self->stopping_) {
    // At the limit, stop accepting: new connections wait in the kernel's backlog until a
    // connection closes (Registration's destructor wakes this loop).
    if (self->connections_.size() >= static_cast<std::size_t>(self->options_.max_connections)) {
      self->log_->warn(
          "{} connections open (server.max_connections): not accepting until one closes",
          self->connections_.size());
      while (!self->stopping_ && self->connections_.size() >=
                                     static_cast<std::size_t>(self->options_.max_connections)) {
        self->slot_freed_.expires_at(asio::steady_timer::time_point::max());
        co_await self->slot_freed_.async_wait(kUseTuple);
      }
      continue;
    }
    auto [ec, socket] = co_await self->acceptor_.async_accept(kUseTuple);
    if (self->stopping_) break;
    if (ec) {
      self->log_->warn("accept failed: {}", ec.message());
      asio::steady_timer pause(self->executor_, kAcceptRetryDelay);
      co_await pause.async_wait(kUseTuple);
      continue;
    }
    asio::co_spawn(self->executor_, Serve(self, std::move(socket)),
                   [self](std::exception_ptr e) { self->LogEscaped(e, "connection"); });
  }
}

// A body streamed from a file (HttpResponse::body_file), which is removed afterwards whatever
// happens: it is a temporary copy made for this answer.
asio::awaitable<bool> HttpServer::Impl::AnswerWithFile(std::shared_ptr<Impl> self,
                                                       Connection& connection,
                                                       HttpResponse response, unsigned version,
                                                       bool keep_alive, bool head) {
  struct RemoveAfterwards {
    std::string path;
    ~RemoveAfterwards() { std::remove(path.c_str()); }
  } remove_afterwards{response.body_file};
  http::response<http::file_body> message{static_cast<http::status>(response.status), version};
  beast::error_code open_ec;
  message.body().open(response.body_file.c_str(), beast::file_mode::scan, open_ec);
  if (open_ec) {
    self->log_->error("cannot open {} to answer with it: {}", response.body_file,
                      open_ec.message());
    co_return co_await Answer(
        self, connection,
        self->error_responder_(Internal("internal", "the answer's file could not be read")),
        version, keep_alive, head);
  }
  message.set(http::field::server, "kaizend");
  if (!response.content_type.empty()) {
    message.set(http::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) message.insert(name, value);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  connection.stream.expires_after(self->options_.request_timeout);
  beast::error_code ec;
  if (head) {
    http::response_serializer<http::file_body> serializer(message);
    std::tie(ec, std::ignore) =
        co_await http::async_write_header(connection.stream, serializer, kUseTuple);
  } else {
    std::tie(ec, std::ignore) = co_await http::async_write(connection.stream, message, kUseTuple);
  }
  if (ec) {
    self->log_->warn("sending {} failed: {}", response.body_file, ec.message());
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> HttpServer::Impl::Answer(std::shared_ptr<Impl> self, Connection& connection,
                                               HttpResponse response, unsigned version,
                                               bool keep_alive, bool head) {
  if (!response.body_file.empty()) {
    co_return co_await AnswerWithFile(self, connection, std::move(response), version, keep_alive,
                                      head);
  }
  http::response<http::string_body> message{static_cast<http::status>(response.status), version};
  message.set(http::field::server, "kaizend");
  if (!response.content_type.empty()) {
    message.set(http::field::content_type, response.content_type);
  }
  for (auto& [name, value] : response.headers) message.insert(name, value);
  message.body() = std::move(response.body);
  message.keep_alive(keep_alive);
  message.prepare_payload();
  // A HEAD answer announces the length of the body it does not send.
  if (head) message.body().clear();
  connection.stream.expires_after(self->options_.request_timeout);
  auto [ec, bytes] = co_await http::async_write(connection.stream, message, kUseTuple);
  if (ec) {
    if (IsDisconnect(ec)) {
      self->log_->debug("answer not delivered: {}", ec.message());
    } else {
      self->log_->warn("writing an answer failed: {}", ec.message());
    }
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> HttpServer::Impl::Drain(Connection& connection) {
  beast::error_code ec;
  connection.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  connection.stream.expires_after(kDrainTime);
  std::array<char, 16 * 1024> scratch;
  std::size_t drained = 0;
  while (drained < kMaxDrainBytes) {
    auto [read_ec, n] =
        co_await connection.stream.async_read_some(asio::buffer(scratch), kUseTuple);
    if (read_ec) break;
    drained += n;
  }
}

asio::awaitable<void> HttpServer::Impl::Serve(std::shared_ptr<Impl> self, tcp::socket socket) {
  Connection connection(std::move(socket));
  Registration registration(self, &connection);
  beast::flat_buffer buffer;
  std::string peer;
  {
    beast::error_code ec;
    auto remote = connection.stream.socket().remote_endpoint(ec);
    if (!ec) peer = remote.address().to_string() + ":" + std::to_string(remote.port());
  }

  while (!self->stopping_) {
    connection.busy = false;
    http::request_parser<http::string_body> parser;
    parser.body_limit(self->options_.max_body_bytes);
    connection.stream.expires_after(self->options_.request_timeout);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(connection.stream, buffer, parser, kUseTuple);
    if (header_ec == http::error::body_limit) {
      connection.busy = true;
      co_await Answer(self, connection, self->BodyTooLarge(), parser.get().version(), false, false);
      connection.busy = false;
      co_await Drain(connection);
      break;
    }
    if (header_ec) {
      if (IsDisconnect(header_ec) || self->stopping_) break;
      self->log_->debug("malformed request from {}: {}", peer, header_ec.message());
      HttpResponse malformed = self->error_responder_(
          InvalidArgument("malformed_request", "not an HTTP/1.1 request: " + header_ec.message()));
      co_await Answer(self, connection, std::move(malformed), 11, false, false);
      break;
    }
    connection.busy = true;
    auto started = self->clock_.MonotonicNow();

    if (EqualsIgnoreCase(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> proceed{http::status::continue_, parser.get().version()};
      auto [continue_ec, continue_bytes] =
          co_await http::async_write(connection.stream, proceed, kUseTuple);
      if (continue_ec) break;
    }
    if (!parser.is_done()) {
      auto [body_ec, body_bytes] =
          co_await http::async_read(connection.stream, buffer, parser, kUseTuple);
      if (body_ec == http::error::body_limit) {
        co_await Answer(self, connection, self->BodyTooLarge(), parser.get().version(), false,
                        false);
        connection.busy = false;
        co_await Drain(connection);
        break;
      }
      if (body_ec) {
        if (!IsDisconnect(body_ec))
          self->log_->debug("reading a body failed: {}", body_ec.message());
        break;
      }
    }

    unsigned version = parser.get().version();
    bool keep_alive = parser.get().keep_alive();
    bool head = parser.get().method() == http::verb::head;
    Status target_status;
    HttpRequest request = ToHttpRequest(parser.release(), target_status);
    std::string method = request.method;
    std::string target = request.target;

    HttpResponse response;
    bool escaped = false;
    if (!target_status.ok()) {
      response = self->error_responder_(target_status);
    } else {
      try {
        response = co_await self->handler_(std::move(request));
      } catch (const std::exception& e) {
        self->log_->error("{} {}: handler threw: {}", method, target, e.what());
        escaped = true;
      }
    }
    if (escaped) {
      response = self->error_responder_(
          Internal("internal", "the request failed inside the daemon; nothing was changed"));
    }

    keep_alive = keep_alive && !self->stopping_;
    std::size_t response_bytes = response.body.size();
    int status = response.status;
    bool written =
        co_await Answer(self, connection, std::move(response), version, keep_alive, head);
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
        self->clock_.MonotonicNow() - started);
    self->log_->debug("{} {} {} -> {} ({} bytes, {:.1f} ms)", peer, method, target, status,
                      response_bytes, static_cast<double>(elapsed.count()) / 1000.0);
    if (!written || !keep_alive) break;
  }
  beast::error_code ec;
  connection.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

HttpServer::HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() = default;

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(asio::any_io_executor executor,
                                                     const HttpServerOptions& options,
                                                     HttpHandler handler,
                                                     HttpErrorResponder error_responder,
                                                     const Clock& clock) {
  auto impl = std::make_shared<Impl>(executor, options, std::move(handler),
                                     std::move(error_responder), clock);
  if (Status s = impl->Bind(); !s.ok()) return s;
  return std::make_unique<HttpServer>(std::move(impl));
}

std::uint16_t HttpServer::port() const { return impl_->port(); }

std::string HttpServer::address() const { return impl_->address(); }

void HttpServer::Start() {
  asio::dispatch(impl_->executor(), [impl = impl_] { impl->Start(); });
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  asio::dispatch(impl_->executor(), [impl = impl_, grace] { impl->Stop(grace); });
}

std::size_t HttpServer::connection_count() const { return impl_->connection_count(); }

}  // namespace kaizen::daemon
