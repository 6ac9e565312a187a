#include "notifiers/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "notifiers/url.h"

namespace kaizen::notifiers {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// Generous for a webhook answer, small enough that a hostile server cannot make us buffer much.
constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;
constexpr std::string_view kUserAgent = "kaizend";

std::shared_ptr<spdlog::logger> Log() {
  if (auto logger = spdlog::get("notifiers")) return logger;
  return spdlog::default_logger();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 9110 token characters: what a header name may consist of.
bool IsToken(std::string_view name) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != std::string::npos;
  });
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// The server closed (or reset) the connection: on a reused connection before any byte of the
// answer this is a keep-alive race, not an answer.
bool IsClosed(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
         ec == asio::error::not_connected || ec == ssl::error::stream_truncated;
}

// One connection to one origin, plain or TLS, owned by the pool while idle and by the Send that
// uses it otherwise.
class Connection {
 public:
  using TlsStream = beast::ssl_stream<tcp::socket>;

  explicit Connection(const asio::any_io_executor& executor)
      : stream_(std::in_place_type<tcp::socket>, executor), idle_timer_(executor) {}
  Connection(const asio::any_io_executor& executor, ssl::context& tls)
      : stream_(std::in_place_type<TlsStream>, executor, tls), idle_timer_(executor) {}

  tcp::socket& socket() {
    return std::visit([](auto& s) -> tcp::socket& { return beast::get_lowest_layer(s); }, stream_);
  }
  TlsStream* tls() { return std::get_if<TlsStream>(&stream_); }
  tcp::socket* plain() { return std::get_if<tcp::socket>(&stream_); }
  beast::flat_buffer& buffer() { return buffer_; }
  asio::steady_timer& idle_timer() { return idle_timer_; }

  // Fails every pending operation at once. TLS gets no close_notify: the connection is either
  // broken or being dropped, and the server learns either way from the TCP close.
  void Close() {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  // Identifies one stay in the idle pool, so that an idle timer that fired late cannot drop the
  // connection after it was taken and put back.
  std::uint64_t idle_id = 0;

 private:
  std::variant<tcp::socket, TlsStream> stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer idle_timer_;
};

// getaddrinfo cannot be interrupted: cancelling an Asio resolver only reports the lookup as
// aborted once it returns, which with a dead DNS server is many seconds later. So the request
// waits on a signal that either the lookup or the watchdog fires, and a lookup that returns too
// late finds nobody waiting. Shared with the lookup's handler, which may outlive the request.
struct PendingResolve {
  explicit PendingResolve(const asio::any_io_executor& executor)
      : resolver(executor), signal(executor) {
    signal.expires_at(asio::steady_timer::time_point::max());
  }
  tcp::resolver resolver;
  asio::steady_timer signal;  // never expires; cancelled to wake the request
  beast::error_code ec;
  tcp::resolver::results_type results;
};

// Asio has no deadline for a sequence of operations, so a timer closes whatever the request is
// waiting on when it expires, and the failed operation is then reported as a timeout. Shared
// with the timers' handlers, which may run after the Send has finished: Disarm() first.
struct Watchdog {
  explicit Watchdog(const asio::any_io_executor& executor)
      : total_timer(executor), connect_timer(executor) {}

  void Abort() {
    if (resolve != nullptr) {
      resolve->resolver.cancel();
      resolve->signal.cancel();
    }
    if (connection != nullptr) connection->Close();
  }
  void Disarm() {
    resolve = nullptr;
    connection = nullptr;
    total_timer.cancel();
    connect_timer.cancel();
  }

  asio::steady_timer total_timer;
  asio::steady_timer connect_timer;
  bool total_expired = false;
  bool connect_expired = false;
  bool cancelled = false;   // WebhookHttpClient::Cancel()
  bool connecting = false;  // the connect timeout applies
  // What the request waits on now; null when nothing.
  PendingResolve* resolve = nullptr;
  Connection* connection = nullptr;
};

void ArmTotal(const std::shared_ptr<Watchdog>& dog, std::chrono::milliseconds after) {
  dog->total_timer.expires_after(after);
  dog->total_timer.async_wait([dog](const beast::error_code& ec) {
    if (ec) return;  // cancelled: the request finished in time
    dog->total_expired = true;
    dog->Abort();
  });
}

void ArmConnect(const std::shared_ptr<Watchdog>& dog, std::chrono::milliseconds after) {
  dog->connecting = true;
  dog->connect_timer.expires_after(after);
  dog->connect_timer.async_wait([dog](const beast::error_code& ec) {
    // A timer that expired just as the connection was made may still run after cancel(): by
    // then `connection` is the one the request is using, which is the total timeout's business.
    if (ec || !dog->connecting) return;
    dog->connect_expired = true;
    dog->Abort();
  });
}

// Lists the watchdog among the Sends in flight (for Cancel()), and disarms and unlists it
// however the Send coroutine ends.
class DisarmOnExit {
 public:
  DisarmOnExit(std::shared_ptr<Watchdog> dog, std::set<Watchdog*>& in_flight)
      : dog_(std::move(dog)), in_flight_(in_flight) {
    in_flight_.insert(dog_.get());
  }
  ~DisarmOnExit() {
    in_flight_.erase(dog_.get());
    dog_->Disarm();
  }
  DisarmOnExit(const DisarmOnExit&) = delete;
  DisarmOnExit& operator=(const DisarmOnExit&) = delete;

 private:
  std::shared_ptr<Watchdog> dog_;
  std::set<Watchdog*>& in_flight_;
};

struct Exchanged {
  beast::error_code ec;
  bool got_answer_bytes = false;  // any byte of the answer arrived
  bool keep_alive = false;        // the connection may carry another request
};

// Writes the request and reads the answer into `out`. Parameters by reference: the caller's
// frame owns them and awaits this at once.
template <typename Stream>
asio::awaitable<Exchanged> Exchange(Stream& stream, beast::flat_buffer& buffer,
                                    const http::request<http::string_body>& request,
                                    std::size_t max_body_bytes, HttpResult& out) {
  Exchanged exchanged;
  auto [write_ec, written] = co_await http::async_write(stream, request, kUseTuple);
  (void)written;
  if (write_ec) {
    exchanged.ec = write_ec;
    co_return exchanged;
  }
  while (true) {
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(max_body_bytes);
    // An answer to HEAD has a Content-Length but no body.
    if (request.method() == http::verb::head) parser.skip(true);
    auto [header_ec, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kUseTuple);
    (void)header_bytes;
    if (parser.got_some() || buffer.size() > 0) exchanged.got_answer_bytes = true;
    if (header_ec) {
      // A Content-Length over the limit is refused while the header is parsed, after the status
      // line: the server did answer, and its status is what the caller judges.
      if (header_ec == http::error::body_limit) out.status = parser.get().result_int();
      exchanged.ec = header_ec;
      co_return exchanged;
    }
    out.status = parser.get().result_int();
    // 100 Continue and friends precede the real answer; 101 would switch protocols and is
    // final (and not kept alive).
    if (out.status >= 100 && out.status <= 199 && out.status != 101) continue;
    auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
    (void)body_bytes;
    if (body_ec) {
      exchanged.ec = body_ec;
      co_return exchanged;
    }
    http::response<http::string_body> response = parser.release();
    for (const auto& field : response) {
      out.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(response.body());
    // Bytes after the answer would be an unrequested answer: such a connection is not reused.
    exchanged.keep_alive = response.keep_alive() && out.status != 101 && buffer.size() == 0;
    co_return exchanged;
  }
}

Result<http::request<http::string_body>> BuildRequest(const HttpRequestSpec& spec,
                                                      const ParsedUrl& url,
                                                      const std::string& redacted) {
  auto invalid = [&](const std::string& why) {
    return InvalidArgument("invalid_request", "request to " + redacted + ": " + why);
  };
  http::verb verb = http::string_to_verb(spec.method);
  if (verb == http::verb::unknown) {
    return invalid(IsToken(spec.method) ? "unknown HTTP method '" + spec.method + "'"
                                        : std::string("the HTTP method is not a token"));
  }
  http::request<http::string_body> request{verb, url.target, 11};
  request.set(http::field::host, url.HostHeader());
  request.set(http::field::user_agent, kUserAgent);
  for (const auto& [name, value] : spec.headers) {
    // Neither a malformed name nor any value is quoted: either may be a misplaced credential,
    // and a CR or LF would forge log lines.
    if (!IsToken(name)) return invalid("a header name is not a token");
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return invalid("the value of header '" + name + "' contains CR, LF or NUL");
    }
    for (std::string_view owned : {"host", "content-length", "transfer-encoding", "connection"}) {
      if (EqualsIgnoreCase(name, owned))
        return invalid("header '" + name + "' is set by the client");
    }
    if (EqualsIgnoreCase(name, "user-agent")) {
      request.set(http::field::user_agent, value);
    } else {
      request.insert(name, value);
    }
  }
  request.body() = spec.body;
  request.prepare_payload();
  request.keep_alive(true);
  return request;
}

}  // namespace

std::optional<std::string_view> HttpResult::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

class WebhookHttpClient::Impl : public std::enable_shared_from_this<WebhookHttpClient::Impl> {
 public:
  Impl(asio::any_io_executor executor, WebhookHttpClientOptions options)
      : executor_(std::move(executor)),
        tls_(ssl::context::tls_client),
        options_(std::move(options)) {}

  Status SetUpTls();
  static asio::awaitable<HttpResult> Send(std::shared_ptr<Impl> self, HttpRequestSpec spec);
  std::size_t idle_connection_count() const;
  // Closes idle connections (ending their idle timers) and keeps none from now on.
  void Shutdown();
  // Shutdown(), and ends every Send in flight and every later one with "cancelled".
  void Cancel();

 private:
  static asio::awaitable<Result<std::unique_ptr<Connection>>> Connect(
      std::shared_ptr<Impl> self, ParsedUrl url, std::shared_ptr<Watchdog> dog);
  Status HandshakeError(Connection& connection, const beast::error_code& ec,
                        const ParsedUrl& url) const;
  Status ExchangeError(const beast::error_code& ec, const std::string& redacted) const;

  std::unique_ptr<Connection> TakeIdle(const std::string& origin);
  void PutIdle(const std::string& origin, std::unique_ptr<Connection> connection);
  void DropIdle(const std::string& origin);
  void ExpireIdle(const std::string& origin, std::uint64_t idle_id);

  asio::any_io_executor executor_;
  ssl::context tls_;
  WebhookHttpClientOptions options_;
  // Per origin; the most recently used connection last, as it is the least likely to have been
  // closed by the server.
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
  std::uint64_t next_idle_id_ = 0;
  bool shut_down_ = false;
  bool cancelled_ = false;
  // The watchdogs of the Sends in flight; each Send lists and unlists its own (DisarmOnExit).
  std::set<Watchdog*> in_flight_;
};

Status WebhookHttpClient::Impl::SetUpTls() {
  beast::error_code ec;
  tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  if (!ec) tls_.set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Internal("tls_setup_failed", "cannot set up TLS: " + ec.message());
  if (options_.ca_file) {
    tls_.load_verify_file(*options_.ca_file, ec);
    if (ec) {
      return InvalidArgument("invalid_ca_file", "cannot load CA certificates from " +
                                                    *options_.ca_file + ": " + ec.message());
    }
  } else {
    tls_.set_default_verify_paths(ec);
    if (ec) {
      return Internal("tls_setup_failed",
                      "cannot use the system's CA certificates: " + ec.message());
    }
  }
  return Status::Ok();
}

void WebhookHttpClient::Impl::Shutdown() {
  shut_down_ = true;
  idle_.clear();
}

void WebhookHttpClient::Impl::Cancel() {
  Shutdown();
  cancelled_ = true;
  for (Watchdog* dog : in_flight_) {
    dog->cancelled = true;
    dog->Abort();
  }
}

std::size_t WebhookHttpClient::Impl::idle_connection_count() const {
  std::size_t count = 0;
  for (const auto& [origin, connections] : idle_) count += connections.size();
  return count;
}

std::unique_ptr<Connection> WebhookHttpClient::Impl::TakeIdle(const std::string& origin) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return nullptr;
  std::unique_ptr<Connection> connection = std::move(it->second.back());
  it->second.pop_back();
  if (it->second.empty()) idle_.erase(it);
  connection->idle_id = 0;
  connection->idle_timer().cancel();
  return connection;
}

void WebhookHttpClient::Impl::PutIdle(const std::string& origin,
                                      std::unique_ptr<Connection> connection) {
  if (shut_down_ || options_.max_idle_per_host == 0) return;
  auto& connections = idle_[origin];
  if (connections.size() >= options_.max_idle_per_host) connections.erase(connections.begin());
  std::uint64_t id = ++next_idle_id_;
  connection->idle_id = id;
  connection->idle_timer().expires_after(options_.idle_timeout);
  // A weak reference: a pending idle timer must not keep a destroyed client's pool alive.
  connection->idle_timer().async_wait(
      [weak = weak_from_this(), origin, id](const beast::error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->ExpireIdle(origin, id);
      });
  connections.push_back(std::move(connection));
}

void WebhookHttpClient::Impl::DropIdle(const std::string& origin) { idle_.erase(origin); }

void WebhookHttpClient::Impl::ExpireIdle(const std::string& origin, std::uint64_t idle_id) {
  auto it = idle_.find(origin);
  if (it == idle_.end()) return;
  std::erase_if(it->second, [idle_id](const auto& c) { return c->idle_id == idle_id; });
  if (it->second.empty()) idle_.erase(it);
}

Status WebhookHttpClient::Impl::HandshakeError(Connection& connection, const beast::error_code& ec,
                                               const ParsedUrl& url) const {
  long verify = SSL_get_verify_result(connection.tls()->native_handle());
  if (verify != X509_V_OK) {
    return Unavailable("certificate_verify_failed",
                       "the TLS certificate of " + url.Origin() +
                           " is not accepted: " + X509_verify_cert_error_string(verify));
  }
  return Unavailable("tls_handshake_failed",
                     "TLS handshake with " + url.Origin() + " failed: " + ec.message());
}

Status WebhookHttpClient::Impl::ExchangeError(const beast::error_code& ec,
                                              const std::string& redacted) const {
  if (ec == http::error::body_limit) {
    return Unavailable("response_too_large",
                       "the answer of " + redacted + " is over the limit of " +
                           std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return Unavailable("response_too_large", "the answer header of " + redacted +
                                                 " is over the limit of " +
                                                 std::to_string(kMaxHeaderBytes) + " bytes");
  }
  if (IsClosed(ec)) {
    return Unavailable(
        "connection_closed",
        redacted + " closed the connection before answering completely: " + ec.message());
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return Unavailable("invalid_response",
                       redacted + " answered with malformed HTTP: " + ec.message());
  }
  return Unavailable("connection_closed",
                     "the connection to " + redacted + " failed: " + ec.message());
}

asio::awaitable<Result<std::unique_ptr<Connection>>> WebhookHttpClient::Impl::Connect(
    std::shared_ptr<Impl> self, ParsedUrl url, std::shared_ptr<Watchdog> dog) {
  std::chrono::milliseconds connect_timeout = self->options_.connect_timeout;
  ArmConnect(dog, connect_timeout);
  // Whatever way this ends, the watchdog must not be left pointing into this frame.
  struct Release {
    Watchdog& dog;
    ~Release() {
      dog.connecting = false;
      dog.resolve = nullptr;
      dog.connection = nullptr;
      dog.connect_timer.cancel();
    }
  } release{*dog};
  auto timeout = [&](std::string_view step) {
    if (dog->cancelled) {
      return Unavailable("cancelled", std::string(step) + " " + url.Origin() + " was cancelled");
    }
    std::string limit = dog->total_expired ? std::string("the total timeout")
                                           : "the connect timeout of " + Millis(connect_timeout);
    return Unavailable("timeout",
                       std::string(step) + " " + url.Origin() + " took longer than " + limit);
  };
  auto expired = [&] { return dog->connect_expired || dog->total_expired || dog->cancelled; };

  std::vector<tcp::endpoint> endpoints;
  if (url.host_is_ip) {
    endpoints.emplace_back(asio::ip::make_address(url.host), url.port);
  } else {
    auto pending = std::make_shared<PendingResolve>(self->executor_);
    pending->resolver.async_resolve(
        url.host, std::to_string(url.port),
        [pending](const beast::error_code& ec, tcp::resolver::results_type results) {
          pending->ec = ec;
          pending->results = std::move(results);
          pending->signal.cancel();
        });
    dog->resolve = pending.get();
    auto [woken] = co_await pending->signal.async_wait(kUseTuple);
    (void)woken;
    dog->resolve = nullptr;
    if (expired()) co_return timeout("resolving");
    if (pending->ec || pending->results.empty()) {
      co_return Unavailable("dns_failed", "cannot resolve the host of " + url.Origin() + ": " +
                                              (pending->ec ? pending->ec.message() : "no address"));
    }
    for (const auto& entry : pending->results) endpoints.push_back(entry.endpoint());
  }

  auto connection = url.tls ? std::make_unique<Connection>(self->executor_, self->tls_)
                            : std::make_unique<Connection>(self->executor_);
  dog->connection = connection.get();
  auto [connect_ec, endpoint] =
      co_await asio::async_connect(connection->socket(), endpoints, kUseTuple);
  (void)endpoint;
  if (expired()) co_return timeout("connecting to");
  if (connect_ec) {
    co_return Unavailable("connect_failed",
                          "cannot connect to " + url.Origin() + ": " + connect_ec.message());
  }
  beast::error_code ignored;
  connection->socket().set_option(tcp::no_delay(true), ignored);

  if (Connection::TlsStream* tls = connection->tls()) {
    SSL* native = tls->native_handle();
    // SNI carries host names only (RFC 6066); an IP literal is checked against the
    // certificate's IP SANs instead of its DNS names.
    bool named = url.host_is_ip
                     ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(native), url.host.c_str()) == 1
                     : SSL_set_tlsext_host_name(native, url.host.c_str()) == 1 &&
                           SSL_set1_host(native, url.host.c_str()) == 1;
    if (!named) {
      co_return Unavailable("tls_handshake_failed",
                            "cannot set the expected name " + url.Origin() + " for TLS");
    }
    SSL_set_hostflags(native, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    auto [handshake_ec] = co_await tls->async_handshake(ssl::stream_base::client, kUseTuple);
    if (expired()) co_return timeout("the TLS handshake with");
    if (handshake_ec) co_return self->HandshakeError(*connection, handshake_ec, url);
  }
  Log()->debug("connected to {}", url.Origin());
  co_return std::move(connection);
}

asio::awaitable<HttpResult> WebhookHttpClient::Impl::Send(std::shared_ptr<Impl> self,
                                                          HttpRequestSpec spec) {
  HttpResult result;
  std::string redacted = RedactUrl(spec.url);
  Result<ParsedUrl> parsed = ParseUrl(spec.url);
  if (!parsed.ok()) {
    result.error = parsed.status();
    co_return result;
  }
  const ParsedUrl& url = *parsed;
  auto request = BuildRequest(spec, url, redacted);
  if (!request.ok()) {
    result.error = request.status();
    co_return result;
  }
  if (self->cancelled_) {
    result.error = Unavailable("cancelled", spec.method + " " + redacted + " was cancelled");
    co_return result;
  }
  std::chrono::milliseconds total = spec.timeout.value_or(self->options_.total_timeout);
  auto dog = std::make_shared<Watchdog>(self->executor_);
  DisarmOnExit disarm(dog, self->in_flight_);
  ArmTotal(dog, total);
  std::string origin = url.Origin();

  for (bool retrying = false;; retrying = true) {
    // The retry always takes a fresh connection: other idle ones are as likely to be stale.
    std::unique_ptr<Connection> connection = retrying ? nullptr : self->TakeIdle(origin);
    bool reused = connection != nullptr;
    if (!connection) {
      auto connected = co_await Connect(self, url, dog);
      if (!connected.ok()) {
        result.error = connected.status();
        Log()->debug("{} {} failed: {}", spec.method, redacted, result.error.message());
        co_return result;
      }
      connection = std::move(connected).value();
    }
    dog->connection = connection.get();
    Exchanged exchanged;
    if (Connection::TlsStream* tls = connection->tls()) {
      exchanged = co_await Exchange(*tls, connection->buffer(), *request,
                                    self->options_.max_response_bytes, result);
    } else {
      exchanged = co_await Exchange(*connection->plain(), connection->buffer(), *request,
                                    self->options_.max_response_bytes, result);
    }
    dog->connection = nullptr;
    if (!exchanged.ec) {
      Log()->debug("{} {}: {}{}", spec.method, redacted, result.status,
                   reused ? " (reused connection)" : "");
      if (exchanged.keep_alive) self->PutIdle(origin, std::move(connection));
      co_return result;
    }
    connection->Close();
    if (dog->cancelled) {
      result.error = Unavailable("cancelled", spec.method + " " + redacted + " was cancelled");
      Log()->debug("{}", result.error.message());
      co_return result;
    }
    if (dog->total_expired) {
      result.error = Unavailable("timeout", spec.method + " " + redacted +
                                                " got no complete answer within " + Millis(total));
      Log()->debug("{}", result.error.message());
      co_return result;
    }
    if (reused && !retrying && !exchanged.got_answer_bytes && IsClosed(exchanged.ec)) {
      Log()->debug(
          "{} {}: the kept-alive connection was closed by the server ({}); retrying on "
          "a new connection",
          spec.method, redacted, exchanged.ec.message());
      self->DropIdle(origin);
      result = HttpResult{};
      continue;
    }
    result.error = self->ExchangeError(exchanged.ec, redacted);
    Log()->debug("{} {} failed: {}", spec.method, redacted, result.error.message());
    co_return result;
  }
}

Result<std::unique_ptr<WebhookHttpClient>> WebhookHttpClient::Create(
    asio::any_io_executor executor, WebhookHttpClientOptions options) {
  auto impl = std::make_shared<Impl>(std::move(executor), std::move(options));
  if (Status status = impl->SetUpTls(); !status.ok()) return status;
  return std::make_unique<WebhookHttpClient>(std::move(impl));
}

WebhookHttpClient::WebhookHttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebhookHttpClient::~WebhookHttpClient() { impl_->Shutdown(); }

asio::awaitable<HttpResult> WebhookHttpClient::Send(HttpRequestSpec spec) {
  return Impl::Send(impl_, std::move(spec));
}

void WebhookHttpClient::CloseIdleConnections() { impl_->Shutdown(); }

void WebhookHttpClient::Cancel() { impl_->Cancel(); }

std::size_t WebhookHttpClient::idle_connection_count() const {
  return impl_->idle_connection_count();
}

}  // namespace kaizen::notifiers
