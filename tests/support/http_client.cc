#include "tests/support/http_client.h"

#include <strings.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sstream>

namespace kaizen::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (field.size() == name.size() && strncasecmp(field.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return std::nullopt;
}

std::string HttpResponse::ErrorCode() const {
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return "";
  const auto& code = json["error"].value("code", nlohmann::json());
  return code.is_string() ? code.get<std::string>() : "";
}

// One TCP connection with its own io_context; every operation runs the context until the
// operation's handlers have finished, which is what makes the client synchronous.
class HttpClient::Connection {
 public:
  explicit Connection(std::chrono::milliseconds timeout) : stream_(ioc_), timeout_(timeout) {}

  beast::error_code Connect(const std::string& host, std::uint16_t port) {
    beast::error_code result;
    tcp::resolver resolver(ioc_);
    resolver.async_resolve(
        host, std::to_string(port),
        [this, &result](beast::error_code ec, tcp::resolver::results_type endpoints) {
          if (ec) {
            result = ec;
            return;
          }
          stream_.expires_after(timeout_);
          stream_.async_connect(endpoints,
                                [&result](beast::error_code connect_ec, const tcp::endpoint&) {
                                  result = connect_ec;
                                });
        });
    Run();
    return result;
  }

  // Writes and reads at the same time; the read decides the outcome.
  struct Outcome {
    beast::error_code write_error;
    beast::error_code read_error;
    bool got_bytes = false;  // any part of an answer arrived
    http::response<http::string_body> response;
  };

  Outcome Exchange(const std::string& bytes, std::size_t max_response_bytes) {
    Outcome outcome;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_response_bytes);
    parser.header_limit(1024 * 1024);
    bool write_done = false;
    bool read_done = false;
    stream_.expires_after(timeout_);
    asio::async_write(stream_, asio::buffer(bytes), [&](beast::error_code ec, std::size_t) {
      outcome.write_error = ec;
      write_done = true;
    });
    http::async_read(stream_, buffer_, parser, [&](beast::error_code ec, std::size_t) {
      outcome.read_error = ec;
      read_done = true;
      // The server answered (or gave up) before taking the whole request: stop writing.
      if (!write_done) {
        beast::error_code ignored;
        stream_.socket().cancel(ignored);
      }
    });
    Run();
    outcome.got_bytes = parser.got_some() || buffer_.size() > 0;
    if (!outcome.read_error) outcome.response = parser.release();
    return outcome;
  }

  void Shutdown() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

 private:
  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

HttpClient::HttpClient(std::string host, std::uint16_t port, HttpClientOptions options)
    : host_(std::move(host)), port_(port), options_(options) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (connection_) connection_->Shutdown();
  connection_.reset();
}

Result<HttpResponse> HttpClient::Request(std::string_view method, std::string_view target,
                                         std::string_view body, const Headers& headers) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, host_ + ":" + std::to_string(port_));
  request.set(http::field::user_agent, "kaizen-tests");
  request.keep_alive(options_.keep_alive);
  bool has_content_type = false;
  for (const auto& [name, value] : headers) {
    request.set(name, value);
    if (strcasecmp(name.c_str(), "content-type") == 0) has_content_type = true;
  }
  if (!body.empty()) {
    if (!has_content_type) request.set(http::field::content_type, "application/json");
    request.body() = std::string(body);
  }
  request.prepare_payload();
  std::ostringstream out;
  out << request;
  return Exchange(out.str(), options_.keep_alive);
}

Result<HttpResponse> HttpClient::Get(std::string_view target, const Headers& headers) {
  return Request("GET", target, {}, headers);
}

Result<HttpResponse> HttpClient::Post(std::string_view target, const nlohmann::json& body,
                                      const Headers& headers) {
  return Request("POST", target, body.dump(), headers);
}

Result<HttpResponse> HttpClient::Patch(std::string_view target, const nlohmann::json& body,
                                       const Headers& headers) {
  return Request("PATCH", target, body.dump(), headers);
}

Result<HttpResponse> HttpClient::SendRaw(std::string_view bytes) {
  Close();
  return Exchange(std::string(bytes), /*keep_alive=*/false);
}

Result<HttpResponse> HttpClient::Exchange(std::string bytes, bool keep_alive) {
  // A kept-alive connection may have been closed by the server while idle; the request then
  // never reached it, so one retry on a fresh connection is safe.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = connection_ != nullptr;
    if (!connection_) {
      auto connection = std::make_unique<Connection>(options_.timeout);
      if (auto ec = connection->Connect(host_, port_); ec) {
        return Unavailable("connect_failed", "cannot connect to " + host_ + ":" +
                                                 std::to_string(port_) + ": " + ec.message());
      }
      connection_ = std::move(connection);
    }
    Connection::Outcome outcome = connection_->Exchange(bytes, options_.max_response_bytes);
    if (outcome.read_error) {
      Close();
      if (reused && !outcome.got_bytes) continue;
      std::string message = "no answer from " + host_ + ":" + std::to_string(port_) + ": " +
                            outcome.read_error.message();
      if (outcome.write_error) message += " (write: " + outcome.write_error.message() + ")";
      return Unavailable("request_failed", message);
    }
    HttpResponse response;
    response.status = static_cast<int>(outcome.response.result_int());
    for (const auto& field : outcome.response) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(outcome.response.body());
    response.json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (!keep_alive || !outcome.response.keep_alive() || outcome.write_error) Close();
    return response;
  }
  return Unavailable("request_failed", "connection closed twice before an answer");
}

}  // namespace kaizen::testing
