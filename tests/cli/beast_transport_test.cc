#include "cli/beast_transport.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <thread>

namespace kaizen::cli {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

// Serves exactly one request on 127.0.0.1 with a canned answer and keeps what it received.
class OneShotServer {
 public:
  OneShotServer(http::status status, std::string body)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, status, body = std::move(body)] {
      tcp::socket socket(io_);
      acceptor_.accept(socket);
      boost::beast::flat_buffer buffer;
      http::read(socket, buffer, request_);
      http::response<http::string_body> response{status, 11};
      response.set(http::field::content_type, "application/json");
      response.body() = body;
      response.prepare_payload();
      http::write(socket, response);
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
    });
  }
  ~OneShotServer() { Join(); }

  std::string port() const { return std::to_string(acceptor_.local_endpoint().port()); }
  // What the server received; call after the exchange.
  const http::request<http::string_body>& request() {
    Join();
    return request_;
  }

 private:
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  http::request<http::string_body> request_;
  std::thread thread_;
};

ServerUrl Url(const std::string& port) {
  return ServerUrl{"127.0.0.1", port, "", "http://127.0.0.1:" + port};
}

TEST(BeastTransport, SendsTheExtraHeaders) {
  OneShotServer server(http::status::ok, R"({"id": 7})");
  BeastTransport transport(Url(server.port()));
  HttpRequest sent{"PATCH", "/api/v1/tasks/7", R"({"due_at":"2026-12-05T08:00:00Z"})"};
  sent.headers = {{"Authorization", "Bearer s3cret"}, {"If-Match", "\"4\""}};
  Result<HttpResponse> response = transport.Send(sent);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  const auto& request = server.request();
  EXPECT_EQ(request.method(), http::verb::patch);
  EXPECT_EQ(request[http::field::authorization], "Bearer s3cret");
  EXPECT_EQ(request[http::field::if_match], "\"4\"");
}

TEST(BeastTransport, SendsJsonAndReturnsTheAnswer) {
  OneShotServer server(http::status::created, R"({"id": 7})");
  BeastTransport transport(Url(server.port()));
  Result<HttpResponse> response =
      transport.Send({"POST", "/api/v1/tasks/7/transitions", R"({"to":"done"})"});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, R"({"id": 7})");
  const auto& request = server.request();
  EXPECT_EQ(request.method(), http::verb::post);
  EXPECT_EQ(request.target(), "/api/v1/tasks/7/transitions");
  EXPECT_EQ(request[http::field::host], "127.0.0.1:" + server.port());
  EXPECT_EQ(request[http::field::content_type], "application/json");
  EXPECT_EQ(request[http::field::accept], "application/json");
  EXPECT_EQ(request.body(), R"({"to":"done"})");
}

TEST(BeastTransport, ErrorStatusIsAnAnswerNotAFailure) {
  OneShotServer server(http::status::not_found, R"({"error": {"code": "task_not_found"}})");
  BeastTransport transport(Url(server.port()));
  Result<HttpResponse> response = transport.Send({"GET", "/api/v1/tasks/99", ""});
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(server.request().method(), http::verb::get);
  EXPECT_EQ(server.request().count(http::field::content_type), 0u);
}

TEST(BeastTransport, RefusedConnectionIsCannotConnect) {
  std::string port;
  {
    // A port that was just free: nothing listens there once the acceptor is closed.
    asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = std::to_string(acceptor.local_endpoint().port());
  }
  BeastTransport transport(Url(port));
  Result<HttpResponse> response = transport.Send({"GET", "/api/v1/summary", ""});
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(response.status().reason(), "cannot_connect");
  EXPECT_EQ(response.status().message(),
            "cannot connect to http://127.0.0.1:" + port + ": Connection refused");
}

TEST(BeastTransport, ARequestsOwnTimeoutReplacesTheExchangeTimeout) {
  // A server that takes the connection (the kernel's backlog) and never answers.
  asio::io_context io;
  tcp::acceptor silent(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const std::string port = std::to_string(silent.local_endpoint().port());
  BeastTransport transport(Url(port), Timeouts{std::chrono::seconds(5), std::chrono::minutes(5)});
  HttpRequest request{"POST", "/api/v1/channels/ops/test", "{}"};
  request.timeout = std::chrono::seconds(1);
  const auto started = std::chrono::steady_clock::now();
  Result<HttpResponse> response = transport.Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  EXPECT_EQ(response.status().reason(), "cannot_connect");
  EXPECT_EQ(response.status().message(),
            "lost the connection to http://127.0.0.1:" + port + " (read): no answer within 1 s");
}

}  // namespace
}  // namespace kaizen::cli
