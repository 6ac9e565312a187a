// HttpServer over real loopback sockets: keep-alive, limits, malformed input and the graceful
// stop. The server runs on its own thread; the test is a blocking Beast client.
#include "daemon/http_server.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "daemon/api_json.h"
#include "tests/support/fake_clock.h"

namespace kaizen::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

// Answers with what it received, so that tests see the request as handlers see it.
asio::awaitable<HttpResponse> Echo(HttpRequest request) {
  if (request.path == "/throw") throw std::runtime_error("handler bug");
  json query = json::array();
  for (const auto& [name, value] : request.query) query.push_back({name, value});
  Json body;
  body["method"] = request.method;
  body["path"] = request.path;
  body["query"] = query;
  body["x_test"] = request.Header("X-Test").value_or("");
  body["body"] = request.body;
  co_return JsonResponse(200, body);
}

// Waits until the test opens the gate: a request that stays in flight.
asio::awaitable<HttpResponse> Gated(asio::steady_timer* gate, std::promise<void>* entered,
                                    HttpRequest) {
  entered->set_value();
  co_await gate->async_wait(asio::as_tuple(asio::use_awaitable));
  co_return JsonResponse(200, Json{{"finished", true}});
}

class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> Send(std::string method, std::string target,
                                         std::string body = "") {
    http::request<http::string_body> request{http::string_to_verb(method), target, 11};
    request.set(http::field::host, "127.0.0.1");
    request.set("X-Test", "hello");
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(socket_, request);
    return Read();
  }

  void SendRaw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  http::response<http::string_body> Read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }

  // True when the server has closed the connection (EOF or reset) with nothing more to read.
  bool ClosedByServer() {
    char byte = 0;
    beast::error_code ec;
    std::size_t n = socket_.read_some(asio::buffer(&byte, 1), ec);
    return n == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  ~HttpServerTest() override {
    if (thread_.joinable()) StopAndJoin(std::chrono::milliseconds(0));
  }

  void Start(HttpHandler handler, HttpServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    auto bound = HttpServer::Bind(
        io_.get_executor(), options, std::move(handler),
        [](const Status& status) { return ErrorResponse(status); }, clock_);
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    server_ = std::move(bound).value();
    server_->Start();
    thread_ = std::thread([this] { io_.run(); });
  }

  // The io thread ends when the server has nothing left to do: no listener, no connection.
  void StopAndJoin(std::chrono::milliseconds grace) {
    server_->Stop(grace);
    thread_.join();
  }

  // Returns once everything posted to the server's executor before it has run.
  void Sync() {
    std::promise<void> done;
    asio::post(io_, [&done] { done.set_value(); });
    done.get_future().wait();
  }

  asio::io_context io_;
  testing::FakeClock clock_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, ChoosesAFreePortWhenAskedForZero) {
  Start(Echo);
  EXPECT_NE(server_->port(), 0);
  EXPECT_EQ(server_->address(), "127.0.0.1:" + std::to_string(server_->port()));
}

TEST_F(HttpServerTest, ServesSeveralRequestsOnOneConnection) {
  Start(Echo);
  Client client(server_->port());
  auto first =
      client.Send("GET", "/api/v1/tasks?owner=han%2Emeimei&due_after=2026-12-01T00:00:00+08:00");
  ASSERT_EQ(first.result_int(), 200);
  EXPECT_TRUE(first.keep_alive());
  EXPECT_EQ(first[http::field::content_type], "application/json");
  json echoed = json::parse(first.body());
  EXPECT_EQ(echoed["path"], "/api/v1/tasks");
  EXPECT_EQ(echoed["query"], json::parse(R"([["owner","han.meimei"],)"
                                         R"(["due_after","2026-12-01T00:00:00+08:00"]])"));
  EXPECT_EQ(echoed["x_test"], "hello") << "header names are matched in any case";

  auto second = client.Send("POST", "/api/v1/plans", R"({"title":"x"})");
  ASSERT_EQ(second.result_int(), 200);
  EXPECT_EQ(json::parse(second.body())["body"], R"({"title":"x"})");
}

TEST_F(HttpServerTest, AnswersABodyOverTheLimitWith413AndCloses) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  Start(Echo, options);
  Client client(server_->port());
  auto response = client.Send("POST", "/api/v1/plans", std::string(100, 'x'));
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(json::parse(response.body())["error"]["code"], "body_too_large");
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, AnswersAChunkedBodyOverTheLimitWith413) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  Start(Echo, options);
  Client client(server_->port());
  client.SendRaw(
      "POST /api/v1/plans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n14\r\n{\"title\":\"xxxxxxxxx\"}\r\n0\r\n\r\n");
  auto response = client.Read();
  EXPECT_EQ(response.result_int(), 413);
  EXPECT_EQ(json::parse(response.body())["error"]["code"], "body_too_large");
}

TEST_F(HttpServerTest, AnswersContinueBeforeReadingAnExpectedBody) {
  Start(Echo);
  Client client(server_->port());
  client.SendRaw(
      "POST /x HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
      "Expect: 100-continue\r\n\r\n");
  auto interim = client.Read();
  EXPECT_EQ(interim.result_int(), 100);
  client.SendRaw("{}");
  auto response = client.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(json::parse(response.body())["body"], "{}");
}

TEST_F(HttpServerTest, AnswersAMalformedRequestWith400AndCloses) {
  Start(Echo);
  Client client(server_->port());
  client.SendRaw("NOT-HTTP\r\n\r\n");
  auto response = client.Read();
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(json::parse(response.body())["error"]["code"], "malformed_request");
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, AnswersAMalformedQueryWith400) {
  Start(Echo);
  Client client(server_->port());
  auto response = client.Send("GET", "/api/v1/tasks?owner=%zz");
  EXPECT_EQ(response.result_int(), 400);
  EXPECT_EQ(json::parse(response.body())["error"]["code"], "invalid_query");
}

TEST_F(HttpServerTest, AnEscapedExceptionIsAnswered500AndTheConnectionLives) {
  Start(Echo);
  Client client(server_->port());
  auto failed = client.Send("GET", "/throw");
  EXPECT_EQ(failed.result_int(), 500);
  EXPECT_EQ(json::parse(failed.body())["error"]["code"], "internal");
  EXPECT_EQ(client.Send("GET", "/fine").result_int(), 200);
}

TEST_F(HttpServerTest, HttpOneZeroClientsGetTheirConnectionClosed) {
  Start(Echo);
  Client client(server_->port());
  client.SendRaw("GET /x HTTP/1.0\r\n\r\n");
  auto response = client.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.version(), 10);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, StopClosesIdleConnectionsAtOnce) {
  Start(Echo);
  Client client(server_->port());
  ASSERT_EQ(client.Send("GET", "/x").result_int(), 200);
  Client silent(server_->port());  // connected, never sends
  auto started = std::chrono::steady_clock::now();
  StopAndJoin(std::chrono::seconds(60));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30))
      << "idle connections must not hold the stop for the grace period";
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_TRUE(silent.ClosedByServer());
}

TEST_F(HttpServerTest, StopLetsARequestInFlightFinish) {
  asio::steady_timer gate(io_, asio::steady_timer::time_point::max());
  std::promise<void> entered;
  Start([&gate, &entered](HttpRequest request) {
    return Gated(&gate, &entered, std::move(request));
  });
  std::uint16_t port = server_->port();
  Client client(port);
  client.SendRaw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  entered.get_future().wait();

  server_->Stop(std::chrono::seconds(60));
  Sync();
  beast::error_code ec;
  asio::io_context other;
  tcp::socket late(other);
  late.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_EQ(ec, asio::error::connection_refused) << "no new connections once stopping";

  asio::post(io_, [&gate] { gate.cancel(); });
  auto response = client.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(json::parse(response.body())["finished"], true);
  EXPECT_FALSE(response.keep_alive()) << "the last answer says Connection: close";
  EXPECT_TRUE(client.ClosedByServer());
  thread_.join();
}

TEST_F(HttpServerTest, GracePeriodEndsARequestThatDoesNotFinish) {
  asio::steady_timer gate(io_, asio::steady_timer::time_point::max());
  std::promise<void> entered;
  Start([&gate, &entered](HttpRequest request) {
    return Gated(&gate, &entered, std::move(request));
  });
  Client client(server_->port());
  client.SendRaw("GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n");
  entered.get_future().wait();
  server_->Stop(std::chrono::milliseconds(1));
  EXPECT_TRUE(client.ClosedByServer()) << "closed without an answer after the grace period";
  asio::post(io_, [&gate] { gate.cancel(); });  // the handler ends; its answer goes nowhere
  thread_.join();
}

TEST_F(HttpServerTest, ReportsAnAddressInUse) {
  Start(Echo);
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = server_->port();
  asio::io_context other;
  auto second = HttpServer::Bind(
      other.get_executor(), options, Echo,
      [](const Status& status) { return ErrorResponse(status); }, clock_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().reason(), "listen_failed");
  EXPECT_NE(second.status().message().find(std::to_string(options.port)), std::string::npos)
      << second.status().message();
}

}  // namespace
}  // namespace kaizen::daemon
