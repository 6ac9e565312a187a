// kaizen_bench_sink: a webhook receiver for benchmarks. Answers 200 to every request and counts
// the notifications that arrive, until it has seen `--target` different ones or `--max-seconds`
// have passed; then prints one JSON line and exits (0 when the target was reached, 1 if not).
//
//   kaizen_bench_sink --target N [--port-file FILE] [--port 0] [--max-seconds 600]
//
// A request's JSON body carries one notification (data.idempotency_key) or a group of them
// (data.items[].idempotency_key); notifications are counted by idempotency key, so a delivery
// sent again (at least once) is counted once and reported under "duplicates". Times in the
// report are wall-clock milliseconds since the Unix epoch, comparable with the due instant the
// caller chose.
//
// Loopback only (127.0.0.1), one thread, Asio coroutines; every read has a timeout and a body
// limit, at most kMaxSessions connections are served at once, and the run is bounded.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>

#include "bench/bench_clock.h"

namespace kaizen::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using nlohmann::json;

constexpr int kMaxSeconds = 3600;
constexpr int kMaxSessions = 256;
constexpr std::uint64_t kMaxBodyBytes = 64 * 1024 * 1024;
constexpr auto kReadTimeout = std::chrono::seconds(60);

struct Options {
  long target = 0;
  unsigned short port = 0;
  std::string port_file;
  int max_seconds = 600;
};

void Usage() {
  std::cerr << "usage: kaizen_bench_sink --target N [--port-file FILE] [--port 0] "
               "[--max-seconds 1.."
            << kMaxSeconds << "]\n";
}

std::optional<long> ParseLong(const std::string& text, long low, long high) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < low || value > high) return std::nullopt;
  return value;
}

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const std::string value = argv[i + 1];
    std::optional<long> number;
    if (arg == "--target" && (number = ParseLong(value, 1, 100'000'000))) {
      options.target = *number;
    } else if (arg == "--port" && (number = ParseLong(value, 0, 65535))) {
      options.port = static_cast<unsigned short>(*number);
    } else if (arg == "--port-file") {
      options.port_file = value;
    } else if (arg == "--max-seconds" && (number = ParseLong(value, 1, kMaxSeconds))) {
      options.max_seconds = static_cast<int>(*number);
    } else {
      std::cerr << "kaizen_bench_sink: bad option " << arg << " " << value << "\n";
      return std::nullopt;
    }
  }
  if (argc % 2 == 0 || options.target == 0) return std::nullopt;
  return options;
}

long long EpochMs(Instant t) { return static_cast<long long>(t.time_since_epoch().count()); }

// Everything the sink has seen; touched only on the io thread.
struct Tally {
  long target = 0;
  std::unordered_set<std::string> keys;
  long items = 0;  // with duplicates
  long requests = 0;
  long bad_bodies = 0;  // not JSON, or no idempotency key
  int sessions = 0;
  std::optional<Instant> first_at;
  std::optional<Instant> last_at;
  std::optional<Instant> done_at;
  bool finished = false;
};

void Count(Tally& tally, const std::string& body) {
  const Instant now = BenchWallNow();
  ++tally.requests;
  if (!tally.first_at) tally.first_at = now;
  tally.last_at = now;
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("data") || !parsed["data"].is_object()) {
    ++tally.bad_bodies;
    return;
  }
  const json& data = parsed["data"];
  auto add = [&tally](const json& item) {
    ++tally.items;
    if (item.is_object() && item.contains("idempotency_key") &&
        item["idempotency_key"].is_string()) {
      tally.keys.insert(item["idempotency_key"].get<std::string>());
    } else {
      ++tally.bad_bodies;
    }
  };
  if (data.contains("items") && data["items"].is_array()) {
    for (const json& item : data["items"]) add(item);
  } else {
    add(data);
  }
  if (!tally.done_at && static_cast<long>(tally.keys.size()) >= tally.target) {
    tally.done_at = now;
  }
}

void Finish(Tally& tally, asio::io_context& ioc) {
  if (tally.finished) return;
  tally.finished = true;
  const long unique = static_cast<long>(tally.keys.size());
  json report = {{"target", tally.target},
                 {"reached", tally.done_at.has_value()},
                 {"notifications", unique},
                 {"items", tally.items},
                 {"duplicates", tally.items - unique},
                 {"requests", tally.requests},
                 {"bad_bodies", tally.bad_bodies},
                 {"first_at_ms", tally.first_at ? json(EpochMs(*tally.first_at)) : json(nullptr)},
                 {"last_at_ms", tally.last_at ? json(EpochMs(*tally.last_at)) : json(nullptr)},
                 {"done_at_ms", tally.done_at ? json(EpochMs(*tally.done_at)) : json(nullptr)}};
  std::cout << report.dump() << std::endl;
  ioc.stop();
}

// Nothing in a coroutine is expected to throw; if something does, say so and fail the run.
void LogEscaped(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& error) {
    std::cerr << "kaizen_bench_sink: " << error.what() << "\n";
  }
  std::exit(1);
}

awaitable<void> Session(tcp::socket socket, Tally& tally, asio::io_context& ioc) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kMaxBodyBytes);
    stream.expires_after(kReadTimeout);
    auto [read_error, read] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(use_awaitable));
    if (read_error) break;
    http::request<http::string_body> request = parser.release();
    Count(tally, request.body());
    http::response<http::string_body> response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/plain");
    response.keep_alive(request.keep_alive());
    response.body() = "ok\n";
    response.prepare_payload();
    stream.expires_after(kReadTimeout);
    auto [write_error, written] =
        co_await http::async_write(stream, response, asio::as_tuple(use_awaitable));
    // The last notification has been answered: the run is over.
    if (tally.done_at) Finish(tally, ioc);
    if (write_error || !response.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  --tally.sessions;
}

awaitable<void> Accept(tcp::acceptor& acceptor, Tally& tally, asio::io_context& ioc) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
    if (error) {
      if (error == asio::error::operation_aborted) co_return;
      continue;
    }
    if (tally.sessions >= kMaxSessions) continue;  // the socket closes here
    ++tally.sessions;
    asio::co_spawn(ioc, Session(std::move(socket), tally, ioc), LogEscaped);
  }
}

bool WritePortFile(const std::string& path, unsigned short port) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp);
    out << port << "\n";
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  return !ec;
}

int Run(const Options& options) {
  asio::io_context ioc{1};
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), options.port));
  const unsigned short port = acceptor.local_endpoint().port();
  if (!options.port_file.empty() && !WritePortFile(options.port_file, port)) {
    std::cerr << "kaizen_bench_sink: cannot write " << options.port_file << "\n";
    return 1;
  }
  std::cerr << "kaizen_bench_sink: listening on 127.0.0.1:" << port << ", waiting for "
            << options.target << " notifications, at most " << options.max_seconds << " s\n";
  Tally tally;
  tally.target = options.target;
  asio::steady_timer limit(ioc, std::chrono::seconds(options.max_seconds));
  limit.async_wait([&tally, &ioc](const boost::system::error_code& ec) {
    if (!ec) Finish(tally, ioc);
  });
  asio::co_spawn(ioc, Accept(acceptor, tally, ioc), LogEscaped);
  ioc.run();
  return tally.done_at ? 0 : 1;
}

}  // namespace
}  // namespace kaizen::bench

int main(int argc, char** argv) {
  auto options = kaizen::bench::ParseOptions(argc, argv);
  if (!options) {
    kaizen::bench::Usage();
    return 2;
  }
  try {
    return kaizen::bench::Run(*options);
  } catch (const std::exception& error) {
    std::cerr << "kaizen_bench_sink: " << error.what() << "\n";
    return 1;
  }
}
