#include "tests/notifiers/local_http_server.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <exception>
#include <optional>
#include <set>

namespace kaizen::notifiers::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Test code: an escaped exception fails the test loudly, out of the run loop.
void Rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

}  // namespace

struct LocalHttpServer::State {
  State(asio::io_context& io, ServerHandler h) : acceptor(io), handler(std::move(h)) {}

  tcp::acceptor acceptor;
  ServerHandler handler;
  std::optional<ssl::context> tls;
  std::set<tcp::socket*> open;  // sockets of live connections, closed by the destructor
  std::uint16_t port = 0;
  int accepted = 0;
  int closed = 0;
  int failed_handshakes = 0;
  std::vector<ServerRequest> requests;
};

namespace {

using State = LocalHttpServer::State;

class OpenConnection {
 public:
  OpenConnection(State& state, tcp::socket& socket) : state_(state), socket_(socket) {
    state_.open.insert(&socket_);
  }
  ~OpenConnection() {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    state_.open.erase(&socket_);
    ++state_.closed;
  }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  State& state_;
  tcp::socket& socket_;
};

template <typename Stream>
asio::awaitable<void> Serve(std::shared_ptr<State> state, Stream& stream, int connection,
                            std::string server_name) {
  beast::flat_buffer buffer;
  while (true) {
    http::request<http::string_body> request;
    auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, request, kUseTuple);
    (void)read_bytes;
    if (read_ec) co_return;
    ServerRequest recorded;
    recorded.method = std::string(request.method_string());
    recorded.target = std::string(request.target());
    for (const auto& field : request) {
      recorded.headers.emplace_back(ToLower(field.name_string()), std::string(field.value()));
    }
    recorded.body = request.body();
    recorded.connection = connection;
    recorded.server_name = server_name;
    state->requests.push_back(recorded);
    ServerReply reply = state->handler(recorded);
    if (reply.drop) co_return;
    if (reply.never_answer) {
      // Reads until the client gives up and closes.
      std::array<char, 512> sink;
      while (true) {
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
        (void)n;
        if (ec) co_return;
      }
    }
    http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
    for (const auto& [name, value] : reply.headers) response.insert(name, value);
    if (request.method() == http::verb::head) {
      response.content_length(reply.body.size());
    } else {
      response.body() = reply.body;
      response.prepare_payload();
    }
    response.keep_alive(request.keep_alive() && !reply.announce_close);
    auto [write_ec, written] = co_await http::async_write(stream, response, kUseTuple);
    (void)written;
    if (write_ec || !response.keep_alive() || reply.close_silently) co_return;
  }
}

asio::awaitable<void> ServeConnection(std::shared_ptr<State> state, tcp::socket socket) {
  int connection = ++state->accepted;
  if (!state->tls) {
    OpenConnection open(*state, socket);
    co_await Serve(state, socket, connection, "");
    co_return;
  }
  beast::ssl_stream<tcp::socket> stream(std::move(socket), *state->tls);
  OpenConnection open(*state, beast::get_lowest_layer(stream));
  auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kUseTuple);
  if (ec) {
    ++state->failed_handshakes;
    co_return;
  }
  const char* name = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
  co_await Serve(state, stream, connection, name != nullptr ? name : "");
}

asio::awaitable<void> Accept(std::shared_ptr<State> state) {
  while (true) {
    auto [ec, socket] = co_await state->acceptor.async_accept(kUseTuple);
    if (ec) co_return;  // closed by the destructor
    asio::co_spawn(state->acceptor.get_executor(), ServeConnection(state, std::move(socket)),
                   Rethrow);
  }
}

}  // namespace

std::string ServerRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == ToLower(name)) return value;
  }
  return "";
}

LocalHttpServer::LocalHttpServer(asio::io_context& io, ServerHandler handler)
    : state_(std::make_shared<State>(io, std::move(handler))) {
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  state_->port = state_->acceptor.local_endpoint().port();
  asio::co_spawn(io, Accept(state_), Rethrow);
}

LocalHttpServer::LocalHttpServer(asio::io_context& io, ServerHandler handler,
                                 const TlsIdentity& identity)
    : LocalHttpServer(io, std::move(handler)) {
  ssl::context& tls = state_->tls.emplace(ssl::context::tls_server);
  tls.use_certificate_chain(asio::buffer(identity.certificate_pem));
  tls.use_private_key(asio::buffer(identity.private_key_pem), ssl::context::pem);
}

LocalHttpServer::~LocalHttpServer() {
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  for (tcp::socket* socket : state_->open) socket->close(ignored);
}

std::uint16_t LocalHttpServer::port() const { return state_->port; }

std::string LocalHttpServer::Url(std::string_view path, std::string_view host) const {
  return std::string(state_->tls ? "https://" : "http://") + std::string(host) + ":" +
         std::to_string(state_->port) + std::string(path);
}

int LocalHttpServer::accepted_connections() const { return state_->accepted; }
int LocalHttpServer::closed_connections() const { return state_->closed; }
int LocalHttpServer::failed_handshakes() const { return state_->failed_handshakes; }
const std::vector<ServerRequest>& LocalHttpServer::requests() const { return state_->requests; }

ServerHandler Always(ServerReply reply) {
  return [reply](const ServerRequest&) { return reply; };
}

}  // namespace kaizen::notifiers::testing
