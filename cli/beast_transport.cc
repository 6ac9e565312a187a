#include "cli/beast_transport.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <exception>

namespace kaizen::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t kMaxAnswerBytes = 256 * 1024 * 1024;

// What one exchange ended with; default-constructible for co_spawn's completion.
struct Outcome {
  beast::error_code error;
  std::string step;  // "resolve", "connect", "send", "read" when `error` is set
  HttpResponse response;
};

// GCC 12 at -O1 and above inlines the coroutine frame's allocation and release into Send and
// then reports them as mismatched (a false positive of -Wmismatched-new-delete with Asio's
// awaitable frames, which define their own operator new and delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
asio::awaitable<Outcome> Exchange(ServerUrl server, HttpRequest request, Timeouts timeouts) {
  Outcome outcome;
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(server.host, server.port, kNoThrow);
  if (resolve_error) {
    outcome.error = resolve_error;
    outcome.step = "resolve";
    co_return outcome;
  }

  beast::tcp_stream stream(executor);
  stream.expires_after(timeouts.connect);
  auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
  if (connect_error) {
    outcome.error = connect_error;
    outcome.step = "connect";
    co_return outcome;
  }

  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  bool ipv6 = server.host.find(':') != std::string::npos;
  std::string host = ipv6 ? "[" + server.host + "]" : server.host;
  req.set(http::field::host, server.port == "80" ? host : host + ":" + server.port);
  req.set(http::field::user_agent, "kaizenctl");
  req.set(http::field::accept, request.accept);
  for (const auto& [name, value] : request.headers) req.set(name, value);
  if (!request.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = request.body;
  }
  req.prepare_payload();

  stream.expires_after(request.timeout.value_or(timeouts.exchange));
  auto [write_error, written] = co_await http::async_write(stream, req, kNoThrow);
  if (write_error) {
    outcome.error = write_error;
    outcome.step = "send";
    co_return outcome;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
  if (read_error) {
    outcome.error = read_error;
    outcome.step = "read";
    co_return outcome;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  outcome.response.status = static_cast<int>(parser.get().result_int());
  outcome.response.body = std::move(parser.get().body());
  co_return outcome;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

BeastTransport::BeastTransport(ServerUrl server, Timeouts timeouts)
    : server_(std::move(server)), timeouts_(timeouts) {}

Result<HttpResponse> BeastTransport::Send(const HttpRequest& request) {
  asio::io_context io;
  Outcome outcome;
  std::exception_ptr escaped;
  asio::co_spawn(io, Exchange(server_, request, timeouts_),
                 [&outcome, &escaped](std::exception_ptr e, Outcome result) {
                   escaped = e;
                   outcome = std::move(result);
                 });
  io.run();
  if (escaped) {
    // Only allocation failures can get here; kaizenctl cannot go on after one.
    std::rethrow_exception(escaped);
  }
  if (!outcome.error) return std::move(outcome.response);

  std::string cause =
      outcome.error == beast::error::timeout
          ? "no answer within " +
                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                   outcome.step == "connect"
                                       ? timeouts_.connect
                                       : request.timeout.value_or(timeouts_.exchange))
                                   .count()) +
                " s"
          : outcome.error.message();
  std::string what = outcome.step == "resolve" || outcome.step == "connect"
                         ? "cannot connect to " + server_.text
                         : "lost the connection to " + server_.text + " (" + outcome.step + ")";
  return Unavailable("cannot_connect", what + ": " + cause);
}

}  // namespace kaizen::cli
