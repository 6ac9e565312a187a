// WebhookHttpClient against real sockets: local HTTP and HTTPS servers on 127.0.0.1, a CA made
// at test time, and one io_context that runs client and servers on the test's thread.
#include "notifiers/http_client.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <exception>
#include <functional>
#include <optional>

#include "notifiers/delivery_outcome.h"
#include "tests/notifiers/local_http_server.h"
#include "tests/notifiers/stopwatch_clock.h"
#include "tests/notifiers/test_pki.h"

namespace kaizen::notifiers {
namespace {

namespace asio = boost::asio;
using testing::Always;
using testing::LocalHttpServer;
using testing::ServerReply;
using testing::ServerRequest;
using testing::StopwatchClock;
using namespace std::chrono_literals;

class WebhookHttpClientTest : public ::testing::Test {
 protected:
  WebhookHttpClientTest()
      : pki_(testing::MakeTestPki()),
        ca_file_(testing::WriteTempFile("ca.pem", pki_.ca_certificate_pem)) {}

  // Trusts the test CA; timeouts long enough never to fire by accident.
  WebhookHttpClientOptions Options() const {
    WebhookHttpClientOptions options;
    options.ca_file = ca_file_;
    options.connect_timeout = 10s;
    options.total_timeout = 10s;
    return options;
  }

  std::unique_ptr<WebhookHttpClient> MakeClient(WebhookHttpClientOptions options) {
    auto client = WebhookHttpClient::Create(io_.get_executor(), std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }
  std::unique_ptr<WebhookHttpClient> MakeClient() { return MakeClient(Options()); }

  // Runs the loop until `done`; fails instead of hanging when nothing happens for 10 s.
  void RunUntil(const std::function<bool()>& done) {
    while (!done()) {
      if (io_.run_one_for(10s) == 0) {
        ADD_FAILURE() << "the io_context stalled";
        return;
      }
    }
  }

  HttpResult Send(WebhookHttpClient& client, HttpRequestSpec spec) {
    std::optional<HttpResult> result;
    asio::co_spawn(io_, client.Send(std::move(spec)),
                   [&result](std::exception_ptr e, HttpResult r) {
                     if (e) std::rethrow_exception(e);
                     result = std::move(r);
                   });
    RunUntil([&] { return result.has_value(); });
    return result ? std::move(*result) : HttpResult{};
  }

  HttpResult Post(WebhookHttpClient& client, std::string url, std::string body = "{}") {
    HttpRequestSpec spec;
    spec.url = std::move(url);
    spec.headers = {{"Content-Type", "application/json"}};
    spec.body = std::move(body);
    return Send(client, std::move(spec));
  }

  // A port on 127.0.0.1 where nothing listens (it was free a moment ago).
  std::uint16_t UnusedPort() {
    asio::ip::tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
  }

  asio::io_context io_;
  testing::TestPki pki_;
  std::string ca_file_;
};

ServerReply Reply(int status, std::string body = "") {
  ServerReply reply;
  reply.status = status;
  reply.body = std::move(body);
  return reply;
}

TEST_F(WebhookHttpClientTest, PostsOverPlainHttpAndReturnsTheAnswer) {
  ServerReply reply = Reply(201, R"({"id":7})");
  reply.headers = {{"X-Request-Id", "abc"}};
  LocalHttpServer server(io_, Always(reply));
  auto client = MakeClient();

  HttpRequestSpec spec;
  spec.url = server.Url("/hooks/team?channel=ops");
  spec.headers = {{"Content-Type", "application/json"}, {"X-Kaizen-Event", "task.overdue"}};
  spec.body = R"({"text":"hello"})";
  HttpResult result = Send(*client, spec);

  ASSERT_TRUE(result.ok()) << result.error.ToString();
  EXPECT_EQ(result.status, 201);
  EXPECT_EQ(result.body, R"({"id":7})");
  EXPECT_EQ(result.Header("x-request-id"), "abc");
  EXPECT_EQ(result.Header("X-REQUEST-ID"), "abc");
  ASSERT_EQ(server.requests().size(), 1u);
  const ServerRequest& seen = server.requests()[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/hooks/team?channel=ops");
  EXPECT_EQ(seen.body, R"({"text":"hello"})");
  EXPECT_EQ(seen.Header("host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.Header("content-length"), "16");
  EXPECT_EQ(seen.Header("x-kaizen-event"), "task.overdue");
  EXPECT_EQ(seen.Header("user-agent"), "kaizend");
}

TEST_F(WebhookHttpClientTest, ErrorStatusIsAnAnswerNotATransportFailure) {
  ServerReply reply = Reply(503, "busy");
  reply.headers = {{"Retry-After", "7"}};
  LocalHttpServer server(io_, Always(reply));
  auto client = MakeClient();

  HttpResult result = Post(*client, server.Url("/hook"));

  ASSERT_TRUE(result.ok()) << result.error.ToString();
  EXPECT_EQ(result.status, 503);
  DeliveryOutcome outcome = ClassifyDelivery(result, Instant{});
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.retry_after, std::chrono::seconds(7));
}

TEST_F(WebhookHttpClientTest, SendsOverHttpsTrustingTheGivenCa) {
  LocalHttpServer server(io_, Always(Reply(200, "ok")), pki_.server);
  auto client = MakeClient();

  HttpResult result = Post(*client, server.Url("/hook"));

  ASSERT_TRUE(result.ok()) << result.error.ToString();
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, "ok");
  ASSERT_EQ(server.requests().size(), 1u);
  // SNI carries host names only, never an IP literal.
  EXPECT_EQ(server.requests()[0].server_name, "");
}

TEST_F(WebhookHttpClientTest, SendsServerNameForHostNames) {
  LocalHttpServer server(io_, Always(Reply(204)), pki_.server);
  auto client = MakeClient();

  HttpResult result = Post(*client, server.Url("/hook", "localhost"));

  ASSERT_TRUE(result.ok()) << result.error.ToString();
  EXPECT_EQ(result.status, 204);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].server_name, "localhost");
  EXPECT_EQ(server.requests()[0].Header("host"), "localhost:" + std::to_string(server.port()));
}

TEST_F(WebhookHttpClientTest, RefusesCertificateNotSignedByATrustedCa) {
  LocalHttpServer server(io_, Always(Reply(200)), pki_.server);
  WebhookHttpClientOptions options = Options();
  options.ca_file.reset();  // the system's store, which has never heard of the test CA
  auto client = MakeClient(options);

  HttpResult result = Post(*client, server.Url("/hook"));

  EXPECT_EQ(result.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.error.reason(), "certificate_verify_failed") << result.error.ToString();
  EXPECT_EQ(result.status, 0);
  EXPECT_TRUE(server.requests().empty());
  RunUntil([&] { return server.failed_handshakes() == 1; });
}

TEST_F(WebhookHttpClientTest, RefusesCertificateForAnotherHost) {
  LocalHttpServer server(io_, Always(Reply(200)), pki_.wrong_host);
  auto client = MakeClient();

  HttpResult by_ip = Post(*client, server.Url("/hook"));
  HttpResult by_name = Post(*client, server.Url("/hook", "localhost"));

  EXPECT_EQ(by_ip.error.reason(), "certificate_verify_failed") << by_ip.error.ToString();
  EXPECT_NE(by_ip.error.message().find("IP address mismatch"), std::string::npos)
      << by_ip.error.message();
  EXPECT_EQ(by_name.error.reason(), "certificate_verify_failed") << by_name.error.ToString();
  EXPECT_NE(by_name.error.message().find("hostname mismatch"), std::string::npos)
      << by_name.error.message();
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(WebhookHttpClientTest, CreateRejectsUnreadableCaFile) {
  WebhookHttpClientOptions options = Options();
  options.ca_file = testing::WriteTempFile("not-a-ca.pem", "not a certificate");
  auto broken = WebhookHttpClient::Create(io_.get_executor(), options);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().reason(), "invalid_ca_file");

  options.ca_file = ca_file_ + ".missing";
  auto missing = WebhookHttpClient::Create(io_.get_executor(), options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().reason(), "invalid_ca_file");
}

TEST_F(WebhookHttpClientTest, ReusesKeptAliveConnection) {
  LocalHttpServer server(io_, Always(Reply(200, "ok")));
  auto client = MakeClient();

  HttpResult first = Post(*client, server.Url("/a"));
  HttpResult second = Post(*client, server.Url("/b"));

  ASSERT_TRUE(first.ok()) << first.error.ToString();
  ASSERT_TRUE(second.ok()) << second.error.ToString();
  EXPECT_EQ(server.accepted_connections(), 1);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].connection, 1);
  EXPECT_EQ(client->idle_connection_count(), 1u);
}

TEST_F(WebhookHttpClientTest, ReusesKeptAliveTlsConnection) {
  LocalHttpServer server(io_, Always(Reply(200, "ok")), pki_.server);
  auto client = MakeClient();

  ASSERT_TRUE(Post(*client, server.Url("/a")).ok());
  ASSERT_TRUE(Post(*client, server.Url("/b")).ok());

  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST_F(WebhookHttpClientTest, KeepsConnectionsPerOrigin) {
  LocalHttpServer one(io_, Always(Reply(200)));
  LocalHttpServer two(io_, Always(Reply(200)));
  auto client = MakeClient();

  ASSERT_TRUE(Post(*client, one.Url("/")).ok());
  ASSERT_TRUE(Post(*client, two.Url("/")).ok());
  ASSERT_TRUE(Post(*client, one.Url("/")).ok());
  ASSERT_TRUE(Post(*client, two.Url("/")).ok());

  EXPECT_EQ(one.accepted_connections(), 1);
  EXPECT_EQ(two.accepted_connections(), 1);
  EXPECT_EQ(client->idle_connection_count(), 2u);
}

TEST_F(WebhookHttpClientTest, DoesNotReuseConnectionTheServerAnnouncedClosing) {
  ServerReply reply = Reply(200);
  reply.announce_close = true;
  LocalHttpServer server(io_, Always(reply));
  auto client = MakeClient();

  ASSERT_TRUE(Post(*client, server.Url("/a")).ok());
  EXPECT_EQ(client->idle_connection_count(), 0u);
  ASSERT_TRUE(Post(*client, server.Url("/b")).ok());

  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST_F(WebhookHttpClientTest, RetriesOnNewConnectionWhenKeptAliveOneWasClosed) {
  ServerReply reply = Reply(200, "ok");
  reply.close_silently = true;
  LocalHttpServer server(io_, Always(reply));
  auto client = MakeClient();

  ASSERT_TRUE(Post(*client, server.Url("/a")).ok());
  ASSERT_EQ(client->idle_connection_count(), 1u);
  RunUntil([&] { return server.closed_connections() == 1; });

  HttpResult second = Post(*client, server.Url("/b"), "second");

  ASSERT_TRUE(second.ok()) << second.error.ToString();
  EXPECT_EQ(second.body, "ok");
  EXPECT_EQ(server.accepted_connections(), 2);
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[1].body, "second");
  EXPECT_EQ(server.requests()[1].connection, 2);
}

TEST_F(WebhookHttpClientTest, RetriesOnNewTlsConnectionWhenKeptAliveOneWasClosed) {
  ServerReply reply = Reply(200, "ok");
  reply.close_silently = true;
  LocalHttpServer server(io_, Always(reply), pki_.server);
  auto client = MakeClient();

  ASSERT_TRUE(Post(*client, server.Url("/a")).ok());
  RunUntil([&] { return server.closed_connections() == 1; });
  HttpResult second = Post(*client, server.Url("/b"));

  ASSERT_TRUE(second.ok()) << second.error.ToString();
  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST_F(WebhookHttpClientTest, DoesNotRetryWhenFreshConnectionIsClosedWithoutAnswer) {
  ServerReply reply;
  reply.drop = true;
  LocalHttpServer server(io_, Always(reply));
  auto client = MakeClient();

  HttpResult result = Post(*client, server.Url("/hook"));

  EXPECT_EQ(result.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.error.reason(), "connection_closed") << result.error.ToString();
  EXPECT_EQ(server.accepted_connections(), 1);
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(client->idle_connection_count(), 0u);
}

TEST_F(WebhookHttpClientTest, RetriesAStaleConnectionOnlyOnce) {
  // The first answer leaves a kept-alive connection that the server then closes; the retry's
  // fresh connection is dropped too, and that failure is final.
  int calls = 0;
  LocalHttpServer server(io_, [&calls](const ServerRequest&) {
    ServerReply reply;
    if (++calls == 1) {
      reply.close_silently = true;
    } else {
      reply.drop = true;
    }
    return reply;
  });
  auto client = MakeClient();
  ASSERT_TRUE(Post(*client, server.Url("/a")).ok());
  RunUntil([&] { return server.closed_connections() == 1; });

  HttpResult result = Post(*client, server.Url("/b"));

  EXPECT_EQ(result.error.reason(), "connection_closed") << result.error.ToString();
  EXPECT_EQ(server.accepted_connections(), 2);
  EXPECT_EQ(calls, 2);
}

TEST_F(WebhookHttpClientTest, ReportsConnectFailedWhenNothingListens) {
  auto client = MakeClient();

  HttpResult result = Post(*client, "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/hook");

  EXPECT_EQ(result.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.error.reason(), "connect_failed") << result.error.ToString();
}

TEST_F(WebhookHttpClientTest, TimesOutWithinTheTotalTimeoutWhenServerNeverAnswers) {
  ServerReply reply;
  reply.never_answer = true;
  LocalHttpServer server(io_, Always(reply));
  WebhookHttpClientOptions options = Options();
  options.total_timeout = 200ms;
  auto client = MakeClient(options);

  StopwatchClock stopwatch;
  HttpResult result = Post(*client, server.Url("/hook"));
  std::chrono::milliseconds elapsed = stopwatch.Elapsed();

  EXPECT_EQ(result.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.error.reason(), "timeout") << result.error.ToString();
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 3s);  // generous for sanitizer builds on a busy machine
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(client->idle_connection_count(), 0u);
  // The client closed the connection, so the server sees it go.
  RunUntil([&] { return server.closed_connections() == 1; });
}

TEST_F(WebhookHttpClientTest, RequestTimeoutOverridesTheClientsTotalTimeout) {
  ServerReply reply;
  reply.never_answer = true;
  LocalHttpServer server(io_, Always(reply), pki_.server);
  auto client = MakeClient();  // total timeout 10 s

  HttpRequestSpec spec;
  spec.url = server.Url("/hook");
  spec.timeout = 200ms;
  StopwatchClock stopwatch;
  HttpResult result = Send(*client, spec);

  EXPECT_EQ(result.error.reason(), "timeout") << result.error.ToString();
  EXPECT_LT(stopwatch.Elapsed(), 3s);
}

TEST_F(WebhookHttpClientTest, RefusesOversizedAnswerButKeepsItsStatus) {
  LocalHttpServer server(io_, Always(Reply(200, std::string(64 * 1024, 'x'))));
  WebhookHttpClientOptions options = Options();
  options.max_response_bytes = 1024;
  auto client = MakeClient(options);

  HttpResult result = Post(*client, server.Url("/hook"));

  EXPECT_EQ(result.error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.error.reason(), "response_too_large") << result.error.ToString();
  EXPECT_EQ(result.status, 200);
  EXPECT_TRUE(result.body.empty());
  EXPECT_EQ(client->idle_connection_count(), 0u);
  EXPECT_EQ(ClassifyDelivery(result, Instant{}).verdict, DeliveryVerdict::kDelivered);
}

TEST_F(WebhookHttpClientTest, AcceptsAnswerExactlyAtTheLimit) {
  LocalHttpServer server(io_, Always(Reply(200, std::string(1024, 'x'))));
  WebhookHttpClientOptions options = Options();
  options.max_response_bytes = 1024;
  auto client = MakeClient(options);

  HttpResult result = Post(*client, server.Url("/hook"));

  ASSERT_TRUE(result.ok()) << result.error.ToString();
  EXPECT_EQ(result.body.size(), 1024u);
}

TEST_F(WebhookHttpClientTest, ClosesIdleConnectionsAfterTheIdleTimeout) {
  LocalHttpServer server(io_, Always(Reply(200)));
  WebhookHttpClientOptions options = Options();
  options.idle_timeout = 1ms;
  auto client = MakeClient(options);

  ASSERT_TRUE(Post(*client, server.Url("/a")).ok());
  RunUntil([&] { return client->idle_connection_count() == 0; });
  RunUntil([&] { return server.closed_connections() == 1; });
  ASSERT_TRUE(Post(*client, server.Url("/b")).ok());

  EXPECT_EQ(server.accepted_connections(), 2);
}

TEST_F(WebhookHttpClientTest, KeepsAtMostMaxIdlePerHost) {
  LocalHttpServer server(io_, Always(Reply(200)));
  WebhookHttpClientOptions options = Options();
  options.max_idle_per_host = 1;
  auto client = MakeClient(options);

  // Two requests at once need two connections; only one is kept afterwards.
  int done = 0;
  for (int i = 0; i < 2; ++i) {
    HttpRequestSpec spec;
    spec.url = server.Url("/hook");
    asio::co_spawn(io_, client->Send(spec), [&done](std::exception_ptr e, HttpResult r) {
      if (e) std::rethrow_exception(e);
      EXPECT_TRUE(r.ok()) << r.error.ToString();
      ++done;
    });
  }
  RunUntil([&] { return done == 2; });

  EXPECT_EQ(server.accepted_connections(), 2);
  EXPECT_EQ(client->idle_connection_count(), 1u);
  RunUntil([&] { return server.closed_connections() == 1; });
}

TEST_F(WebhookHttpClientTest, DestroyingTheClientClosesIdleConnections) {
  LocalHttpServer server(io_, Always(Reply(200)));
  auto client = MakeClient();
  ASSERT_TRUE(Post(*client, server.Url("/a")).ok());

  client.reset();

  RunUntil([&] { return server.closed_connections() == 1; });
}

// The daemon's stop: its io_context must run out of work while the client still exists.
TEST_F(WebhookHttpClientTest, CloseIdleConnectionsLeavesNothingOnTheExecutor) {
  auto server = std::make_unique<LocalHttpServer>(io_, Always(Reply(200)));
  auto client = MakeClient();  // idle timeout 30 s
  ASSERT_TRUE(Post(*client, server->Url("/a")).ok());
  ASSERT_EQ(client->idle_connection_count(), 1u);

  client->CloseIdleConnections();

  EXPECT_EQ(client->idle_connection_count(), 0u);
  RunUntil([&] { return server->closed_connections() == 1; });
  // Sends still work, each on a connection of its own that is not kept.
  ASSERT_TRUE(Post(*client, server->Url("/b")).ok());
  EXPECT_EQ(client->idle_connection_count(), 0u);
  RunUntil([&] { return server->closed_connections() == 2; });
  EXPECT_EQ(server->accepted_connections(), 2);
  server.reset();
  io_.run_for(5s);
  EXPECT_TRUE(io_.stopped()) << "something of the client's is still waiting on the executor";
}

TEST_F(WebhookHttpClientTest, CancelEndsASendInFlightAndRefusesLaterOnes) {
  ServerReply reply;
  reply.never_answer = true;
  LocalHttpServer server(io_, Always(reply));
  auto client = MakeClient();  // total timeout 10 s
  std::optional<HttpResult> result;
  HttpRequestSpec spec;
  spec.url = server.Url("/hook");
  asio::co_spawn(io_, client->Send(spec), [&result](std::exception_ptr e, HttpResult r) {
    if (e) std::rethrow_exception(e);
    result = std::move(r);
  });
  RunUntil([&] { return server.requests().size() == 1; });

  StopwatchClock stopwatch;
  client->Cancel();
  RunUntil([&] { return result.has_value(); });

  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result->error.reason(), "cancelled") << result->error.ToString();
  EXPECT_EQ(result->status, 0);
  EXPECT_LT(stopwatch.Elapsed(), 3s);
  EXPECT_EQ(ClassifyDelivery(*result, Instant{}).verdict, DeliveryVerdict::kRetryLater);
  RunUntil([&] { return server.closed_connections() == 1; });

  HttpResult later = Post(*client, server.Url("/hook"));
  EXPECT_EQ(later.error.reason(), "cancelled") << later.error.ToString();
  EXPECT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST_F(WebhookHttpClientTest, CancelEndsATlsHandshakeInFlight) {
  // A listener that takes the connection and never says a word: the client's TLS handshake
  // waits for the server's hello.
  asio::ip::tcp::acceptor silent(io_, {asio::ip::make_address("127.0.0.1"), 0});
  std::optional<asio::ip::tcp::socket> accepted;
  silent.async_accept([&accepted](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
    if (!ec) accepted = std::move(s);
  });
  auto client = MakeClient();
  std::optional<HttpResult> result;
  HttpRequestSpec spec;
  spec.url = "https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/hook";
  asio::co_spawn(io_, client->Send(spec), [&result](std::exception_ptr e, HttpResult r) {
    if (e) std::rethrow_exception(e);
    result = std::move(r);
  });
  RunUntil([&] { return accepted.has_value(); });

  client->Cancel();
  RunUntil([&] { return result.has_value(); });

  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->error.reason(), "cancelled") << result->error.ToString();
}

TEST_F(WebhookHttpClientTest, RejectsInvalidUrlWithoutSending) {
  auto client = MakeClient();

  HttpResult result = Post(*client, "ftp://127.0.0.1/hook");

  EXPECT_EQ(result.error.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.error.reason(), "invalid_url");
  EXPECT_EQ(ClassifyDelivery(result, Instant{}).verdict, DeliveryVerdict::kPermanent);
}

TEST_F(WebhookHttpClientTest, RejectsHeaderInjectionWithoutShowingTheValue) {
  LocalHttpServer server(io_, Always(Reply(200)));
  auto client = MakeClient();

  HttpRequestSpec spec;
  spec.url = server.Url("/hook");
  spec.headers = {{"Authorization", "Bearer secret-token\r\nX-Evil: 1"}};
  HttpResult result = Send(*client, spec);

  EXPECT_EQ(result.error.reason(), "invalid_request");
  EXPECT_EQ(result.error.message().find("secret-token"), std::string::npos);
  EXPECT_EQ(server.accepted_connections(), 0);

  spec.headers = {{"Bad Name", "x"}};
  EXPECT_EQ(Send(*client, spec).error.reason(), "invalid_request");
  spec.headers = {{"Content-Length", "5"}};
  EXPECT_EQ(Send(*client, spec).error.reason(), "invalid_request");
  spec.headers = {};
  spec.method = "FROB";
  EXPECT_EQ(Send(*client, spec).error.reason(), "invalid_request");
}

TEST_F(WebhookHttpClientTest, UserAgentCanBeReplaced) {
  LocalHttpServer server(io_, Always(Reply(200)));
  auto client = MakeClient();

  HttpRequestSpec spec;
  spec.url = server.Url("/hook");
  spec.headers = {{"User-Agent", "kaizen-test/1"}};
  ASSERT_TRUE(Send(*client, spec).ok());

  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].Header("user-agent"), "kaizen-test/1");
}

TEST_F(WebhookHttpClientTest, AnswerToHeadHasNoBodyAndKeepsTheConnection) {
  LocalHttpServer server(io_, Always(Reply(200, "body the server would send to GET")));
  auto client = MakeClient();

  HttpRequestSpec spec;
  spec.method = "HEAD";
  spec.url = server.Url("/hook");
  HttpResult head = Send(*client, spec);
  spec.method = "GET";
  HttpResult get = Send(*client, spec);

  ASSERT_TRUE(head.ok()) << head.error.ToString();
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("content-length"), "33");
  ASSERT_TRUE(get.ok()) << get.error.ToString();
  EXPECT_EQ(get.body, "body the server would send to GET");
  EXPECT_EQ(server.accepted_connections(), 1);
}

TEST_F(WebhookHttpClientTest, ErrorMessagesNeverShowTheUrlsSecrets) {
  auto client = MakeClient();
  std::string url = "http://127.0.0.1:" + std::to_string(UnusedPort()) +
                    "/hooks/abcdefghijklmnopqrstuvwxyz?token=hunter2";

  HttpResult result = Post(*client, url);

  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error.message().find("abcdefghijklmnop"), std::string::npos)
      << result.error.message();
  EXPECT_EQ(result.error.message().find("hunter2"), std::string::npos) << result.error.message();

  ServerReply reply;
  reply.drop = true;
  LocalHttpServer server(io_, Always(reply));
  HttpResult closed = Post(*client, server.Url("/hooks/abcdefghijklmnopqrstuvwxyz?token=hunter2"));
  EXPECT_EQ(closed.error.reason(), "connection_closed");
  EXPECT_NE(closed.error.message().find("/hooks/***?token=***"), std::string::npos)
      << closed.error.message();
  EXPECT_EQ(closed.error.message().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace kaizen::notifiers
