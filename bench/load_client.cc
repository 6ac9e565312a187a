// kaizen_bench: a bounded HTTP load generator for kaizend on this machine.
//
//   kaizen_bench --port N [--host 127.0.0.1] [--mode get-task|transition] [--connections 8]
//                [--duration 10] [--tasks 200] [--ids-file FILE] [--json]
//
// It sets up its own data through the API (one plan per 100 tasks, owned by the first person
// of GET /api/v1/people), then runs N keep-alive connections, each an Asio coroutine sending
// one request after another until the duration ends, and reports requests/s, latency
// percentiles and errors.
//   get-task    GET /api/v1/tasks/{id}, cycling over the tasks
//   transition  POST /api/v1/tasks/{id}/transitions, moving each task open <-> in_progress;
//               every connection owns its own tasks, so moves never race each other
// Loopback only: any host other than 127.0.0.1, localhost or ::1 is refused, and the run is
// bounded (duration at most 120 s).
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

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

constexpr int kMaxDurationSeconds = 120;
constexpr int kMaxConnections = 256;
constexpr int kMaxTasks = 100000;
constexpr int kTasksPerPlan = 100;
constexpr auto kRequestTimeout = std::chrono::seconds(10);

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string mode = "get-task";
  int connections = 8;
  int duration_seconds = 10;
  int tasks = 200;
  std::string ids_file;
  bool json_output = false;
};

void Usage() {
  std::cerr << "usage: kaizen_bench --port N [--host 127.0.0.1|localhost|::1] "
               "[--mode get-task|transition]\n"
               "                    [--connections 1.."
            << kMaxConnections << "] [--duration 1.." << kMaxDurationSeconds
            << "] [--tasks N] [--ids-file FILE] [--json]\n";
}

std::optional<int> ParseInt(const std::string& text, int low, int high) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < low || value > high) return std::nullopt;
  return static_cast<int>(value);
}

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--json") {
      options.json_output = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::cerr << "kaizen_bench: " << arg << " needs a value\n";
      return std::nullopt;
    }
    const std::string value = argv[++i];
    std::optional<int> number;
    if (arg == "--host") {
      options.host = value;
    } else if (arg == "--port") {
      if (!ParseInt(value, 1, 65535)) return std::nullopt;
      options.port = value;
    } else if (arg == "--mode") {
      options.mode = value;
    } else if (arg == "--connections" && (number = ParseInt(value, 1, kMaxConnections))) {
      options.connections = *number;
    } else if (arg == "--duration" && (number = ParseInt(value, 1, kMaxDurationSeconds))) {
      options.duration_seconds = *number;
    } else if (arg == "--tasks" && (number = ParseInt(value, 1, kMaxTasks))) {
      options.tasks = *number;
    } else if (arg == "--ids-file") {
      options.ids_file = value;
    } else {
      std::cerr << "kaizen_bench: bad option " << arg << " " << value << "\n";
      return std::nullopt;
    }
  }
  if (options.port.empty()) {
    std::cerr << "kaizen_bench: --port is required\n";
    return std::nullopt;
  }
  // This tool generates load; it must never point at anything but this machine.
  if (options.host != "127.0.0.1" && options.host != "localhost" && options.host != "::1") {
    std::cerr << "kaizen_bench: refusing host '" << options.host
              << "': only 127.0.0.1, localhost or ::1\n";
    return std::nullopt;
  }
  if (options.mode != "get-task" && options.mode != "transition") {
    std::cerr << "kaizen_bench: unknown mode '" << options.mode << "'\n";
    return std::nullopt;
  }
  return options;
}

// One keep-alive connection; reconnects after a transport error.
class Connection {
 public:
  Connection(asio::any_io_executor executor, const Options& options)
      : stream_(executor), options_(options) {}

  struct Answer {
    bool ok = false;  // a complete HTTP answer arrived
    int status = 0;
    std::string body;
  };

  awaitable<Answer> Send(http::verb method, std::string target, std::string body) {
    Answer answer;
    if (!connected_) {
      tcp::resolver resolver(co_await asio::this_coro::executor);
      auto [resolve_error, endpoints] = co_await resolver.async_resolve(
          options_.host, options_.port, asio::as_tuple(use_awaitable));
      if (resolve_error) co_return answer;
      stream_.expires_after(kRequestTimeout);
      auto [connect_error, endpoint] =
          co_await stream_.async_connect(endpoints, asio::as_tuple(use_awaitable));
      if (connect_error) co_return answer;
      stream_.socket().set_option(tcp::no_delay(true));
      connected_ = true;
    }
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, options_.host);
    request.keep_alive(true);
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = std::move(body);
    }
    request.prepare_payload();
    stream_.expires_after(kRequestTimeout);
    auto [write_error, written] =
        co_await http::async_write(stream_, request, asio::as_tuple(use_awaitable));
    if (write_error) {
      Reset();
      co_return answer;
    }
    http::response<http::string_body> response;
    auto [read_error, read] =
        co_await http::async_read(stream_, buffer_, response, asio::as_tuple(use_awaitable));
    if (read_error) {
      Reset();
      co_return answer;
    }
    if (!response.keep_alive()) Reset();
    answer.ok = true;
    answer.status = static_cast<int>(response.result_int());
    answer.body = std::move(response.body());
    co_return answer;
  }

 private:
  void Reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
    buffer_.clear();
    connected_ = false;
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  const Options& options_;
  bool connected_ = false;
};

struct Setup {
  std::string actor;
  std::vector<std::int64_t> task_ids;
  bool ok = false;
  std::string error;
};

awaitable<void> CreateData(const Options& options, Setup& setup) {
  Connection connection(co_await asio::this_coro::executor, options);
  Connection::Answer people = co_await connection.Send(http::verb::get, "/api/v1/people", "");
  json people_json = json::parse(people.body, nullptr, false);
  if (!people.ok || people.status != 200 || !people_json.contains("items") ||
      people_json["items"].empty()) {
    setup.error = "GET /api/v1/people failed (is kaizend listening, with people configured?)";
    co_return;
  }
  const json& person = people_json["items"][0];
  setup.actor = person["id"].get<std::string>();
  const std::string team = person["team"].get<std::string>();
  for (int first = 0; first < options.tasks; first += kTasksPerPlan) {
    json plan = {{"title", "bench plan " + std::to_string(first / kTasksPerPlan)},
                 {"owner", setup.actor},
                 {"team", team},
                 {"actor", setup.actor},
                 {"tasks", json::array()}};
    for (int i = first; i < std::min(options.tasks, first + kTasksPerPlan); ++i) {
      plan["tasks"].push_back({{"title", "bench task " + std::to_string(i)},
                               {"owner", setup.actor},
                               {"due_at", "2099-01-01T00:00:00Z"}});
    }
    Connection::Answer created =
        co_await connection.Send(http::verb::post, "/api/v1/plans", plan.dump());
    json created_json = json::parse(created.body, nullptr, false);
    if (!created.ok || created.status != 201 || !created_json.contains("tasks")) {
      setup.error = "POST /api/v1/plans answered " + std::to_string(created.status) + ": " +
                    created.body.substr(0, 500);
      co_return;
    }
    for (const auto& task : created_json["tasks"]) {
      setup.task_ids.push_back(task["id"].get<std::int64_t>());
    }
  }
  setup.ok = true;
}

struct WorkerStats {
  std::vector<double> latencies_ms;
  std::int64_t errors = 0;
  std::map<int, std::int64_t> error_statuses;  // status -> count; 0 = transport
};

// One connection's loop. In transition mode the worker owns tasks index % connections ==
// worker, tracks their state and moves each to the other state, so every request is allowed.
awaitable<void> Worker(const Options& options, const Setup& setup, int worker,
                       BenchClock::time_point deadline, WorkerStats& stats) {
  Connection connection(co_await asio::this_coro::executor, options);
  std::vector<std::int64_t> mine;
  for (std::size_t i = 0; i < setup.task_ids.size(); ++i) {
    if (options.mode == "get-task" || static_cast<int>(i % options.connections) == worker) {
      mine.push_back(setup.task_ids[i]);
    }
  }
  if (mine.empty()) co_return;
  std::vector<bool> started(mine.size(), false);
  std::size_t next = static_cast<std::size_t>(worker) % mine.size();
  while (BenchNow() < deadline) {
    const std::size_t index = next;
    next = (next + 1) % mine.size();
    const std::string path = "/api/v1/tasks/" + std::to_string(mine[index]);
    const auto begin = BenchNow();
    Connection::Answer answer;
    if (options.mode == "get-task") {
      answer = co_await connection.Send(http::verb::get, path, "");
    } else {
      json body = {{"to", started[index] ? "open" : "in_progress"}, {"actor", setup.actor}};
      answer = co_await connection.Send(http::verb::post, path + "/transitions", body.dump());
    }
    const auto end = BenchNow();
    if (!answer.ok || answer.status / 100 != 2) {
      ++stats.errors;
      ++stats.error_statuses[answer.ok ? answer.status : 0];
      if (options.mode == "transition") {
        // The move may or may not have happened: ask before choosing the next one.
        Connection::Answer current = co_await connection.Send(http::verb::get, path, "");
        json task = json::parse(current.body, nullptr, false);
        if (current.ok && task.is_object()) started[index] = task.value("state", "") != "open";
      }
      continue;
    }
    if (options.mode == "transition") started[index] = !started[index];
    stats.latencies_ms.push_back(std::chrono::duration<double, std::milli>(end - begin).count());
  }
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

// Nothing in a worker is expected to throw; if something does, say so and fail the run.
void LogEscaped(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& error) {
    std::cerr << "kaizen_bench: a connection failed: " << error.what() << "\n";
  }
  std::exit(1);
}

int Run(const Options& options) {
  asio::io_context ioc;
  Setup setup;
  asio::co_spawn(ioc, CreateData(options, setup), LogEscaped);
  ioc.run();
  if (!setup.ok) {
    std::cerr << "kaizen_bench: setup failed: " << setup.error << "\n";
    return 1;
  }
  if (!options.ids_file.empty()) {
    std::ofstream out(options.ids_file);
    for (auto id : setup.task_ids) out << id << "\n";
  }

  std::vector<WorkerStats> stats(options.connections);
  const auto begin = BenchNow();
  const auto deadline = begin + std::chrono::seconds(options.duration_seconds);
  ioc.restart();
  for (int i = 0; i < options.connections; ++i) {
    asio::co_spawn(ioc, Worker(options, setup, i, deadline, stats[i]), LogEscaped);
  }
  ioc.run();
  const double elapsed = std::chrono::duration<double>(BenchNow() - begin).count();

  std::vector<double> all;
  std::int64_t errors = 0;
  std::map<int, std::int64_t> error_statuses;
  for (const auto& s : stats) {
    all.insert(all.end(), s.latencies_ms.begin(), s.latencies_ms.end());
    errors += s.errors;
    for (const auto& [status, count] : s.error_statuses) error_statuses[status] += count;
  }
  std::sort(all.begin(), all.end());
  const double rate = static_cast<double>(all.size()) / elapsed;
  json report = {{"mode", options.mode},
                 {"connections", options.connections},
                 {"tasks", setup.task_ids.size()},
                 {"seconds", elapsed},
                 {"requests", all.size()},
                 {"errors", errors},
                 {"requests_per_second", rate},
                 {"latency_ms",
                  {{"p50", Percentile(all, 0.50)},
                   {"p90", Percentile(all, 0.90)},
                   {"p99", Percentile(all, 0.99)},
                   {"max", all.empty() ? 0.0 : all.back()}}}};
  for (const auto& [status, count] : error_statuses) {
    report["errors_by_status"][status == 0 ? "transport" : std::to_string(status)] = count;
  }
  if (options.json_output) {
    std::cout << report.dump() << "\n";
  } else {
    std::printf("%-10s %3d conns %6.1f s  %9zu ok  %7.0f req/s  errors %lld\n",
                options.mode.c_str(), options.connections, elapsed, all.size(), rate,
                static_cast<long long>(errors));
    std::printf("           latency ms  p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
                Percentile(all, 0.50), Percentile(all, 0.90), Percentile(all, 0.99),
                all.empty() ? 0.0 : all.back());
    if (errors > 0)
      std::printf("           errors by status %s\n", report["errors_by_status"].dump().c_str());
  }
  return errors > 0 && all.empty() ? 1 : 0;
}

}  // namespace
}  // namespace kaizen::bench

int main(int argc, char** argv) {
  auto options = kaizen::bench::ParseOptions(argc, argv);
  if (!options) {
    kaizen::bench::Usage();
    return 2;
  }
  return kaizen::bench::Run(*options);
}
