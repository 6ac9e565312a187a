// The metrics module's text format (metrics.h), kaizend's metrics and status line
// (daemon_metrics.h), and the /metrics and /readyz routes over a real SQLite store.
#include "daemon/metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/daemon_metrics.h"
#include "daemon/router.h"
#include "tests/daemon/api_test_env.h"
#include "tests/support/fake_clock.h"

namespace kaizen::daemon {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The value of the sample written exactly as `series` ("name{a=\"b\"}"), or -1 when absent.
double Sample(const std::string& exposition, const std::string& series) {
  for (const std::string& line : Lines(exposition)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---- Text format -----------------------------------------------------------------------------

TEST(MetricsFormat, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b"c)"
                             "\n"
                             "d"),
            R"(a\\b\"c\nd)");
  EXPECT_EQ(EscapeLabelValue("/api/v1/tasks/{id}"), "/api/v1/tasks/{id}");
  EXPECT_EQ(EscapeHelp("line\\one\nline \"two\""), "line\\\\one\\nline \"two\"");

  MetricsRegistry registry;
  CounterFamily& c = registry.AddCounter("x_total", "Help with a \\ and a\nnewline.", {"path"});
  c.Increment({"say \"hi\"\n"});
  const std::string text = registry.Expose();
  EXPECT_TRUE(Contains(text, "# HELP x_total Help with a \\\\ and a\\nnewline.\n")) << text;
  EXPECT_TRUE(Contains(text, "x_total{path=\"say \\\"hi\\\"\\n\"} 1\n")) << text;
}

TEST(MetricsFormat, FormatsValuesAsPrometheusReadsThem) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(42), "42");
  EXPECT_EQ(FormatMetricValue(0.005), "0.005");
  EXPECT_EQ(FormatMetricValue(1.5e9), "1500000000");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricsFormat, HistogramBucketsAreCumulativeWithSumAndCount) {
  MetricsRegistry registry;
  HistogramFamily& h =
      registry.AddHistogram("latency_seconds", "Latency.", {"route"}, {0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 2.0, 20.0}) h.Observe({"/a"}, v);

  HistogramFamily::Snapshot s = h.Get({"/a"});
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{2, 3, 4, 5}));  // 0.1 is "le" 0.1
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.sum, 22.65);

  const std::string text = registry.Expose();
  EXPECT_EQ(Sample(text, "latency_seconds_bucket{route=\"/a\",le=\"0.1\"}"), 2);
  EXPECT_EQ(Sample(text, "latency_seconds_bucket{route=\"/a\",le=\"1\"}"), 3);
  EXPECT_EQ(Sample(text, "latency_seconds_bucket{route=\"/a\",le=\"10\"}"), 4);
  EXPECT_EQ(Sample(text, "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"}"), 5);
  EXPECT_DOUBLE_EQ(Sample(text, "latency_seconds_sum{route=\"/a\"}"), 22.65);
  EXPECT_EQ(Sample(text, "latency_seconds_count{route=\"/a\"}"), 5);
  // Buckets in increasing order of le, before _sum and _count.
  std::vector<std::string> lines = Lines(text);
  auto at = [&lines](const std::string& start) {
    return std::find_if(lines.begin(), lines.end(),
                        [&start](const std::string& l) { return l.rfind(start, 0) == 0; }) -
           lines.begin();
  };
  EXPECT_LT(at("latency_seconds_bucket{route=\"/a\",le=\"0.1\"}"),
            at("latency_seconds_bucket{route=\"/a\",le=\"1\"}"));
  EXPECT_LT(at("latency_seconds_bucket{route=\"/a\",le=\"+Inf\"}"), at("latency_seconds_sum"));
  EXPECT_LT(at("latency_seconds_sum"), at("latency_seconds_count"));
}

TEST(MetricsFormatDeathTest, AFamilyNameTwiceIsAProgrammingError) {
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddGauge("same", "One.");
        registry.AddGauge("same", "Two.");
      },
      "added twice");
  EXPECT_DEATH({ MetricsRegistry().AddCounter("requests", "No suffix."); }, "_total");
  EXPECT_DEATH({ MetricsRegistry().AddGauge("bad-name", "Dash."); }, "invalid metric name");
  EXPECT_DEATH(
      {
        MetricsRegistry registry;
        registry.AddGauge("g", "G.", {"a", "b"}).Set({"only one"}, 1);
      },
      "label value");
}

TEST(MetricsFormat, NoDuplicateHelpOrTypeAndSeriesFollowTheirFamily) {
  MetricsRegistry registry;
  CounterFamily& requests = registry.AddCounter("req_total", "Requests.", {"code"});
  GaugeFamily& depth = registry.AddGauge("depth", "Depth.");
  HistogramFamily& lag = registry.AddHistogram("lag_seconds", "Lag.", {}, {1});
  requests.Increment({"200"});
  requests.Increment({"404"}, 2);
  requests.Increment({"200"});
  depth.Set({}, 7);
  lag.Observe({}, 0.5);

  std::map<std::string, int> help, type;
  std::string family;
  for (const std::string& line : Lines(registry.Expose())) {
    if (line.rfind("# HELP ", 0) == 0) {
      family = line.substr(7, line.find(' ', 7) - 7);
      ++help[family];
    } else if (line.rfind("# TYPE ", 0) == 0) {
      ++type[line.substr(7, line.find(' ', 7) - 7)];
    } else {
      EXPECT_EQ(line.rfind(family, 0), 0u) << line << " outside its family " << family;
    }
  }
  EXPECT_EQ(help, (std::map<std::string, int>{{"req_total", 1}, {"depth", 1}, {"lag_seconds", 1}}));
  EXPECT_EQ(type, help);
  const std::string text = registry.Expose();
  EXPECT_TRUE(Contains(text, "# TYPE req_total counter\n"));
  EXPECT_TRUE(Contains(text, "# TYPE depth gauge\n"));
  EXPECT_TRUE(Contains(text, "# TYPE lag_seconds histogram\n"));
  EXPECT_EQ(Sample(text, "req_total{code=\"200\"}"), 2);
  EXPECT_EQ(Sample(text, "req_total{code=\"404\"}"), 2);
  EXPECT_EQ(Sample(text, "depth"), 7);
  EXPECT_EQ(Sample(text, "lag_seconds_bucket{le=\"1\"}"), 1);
}

TEST(MetricsFormat, UnlabelledFamiliesShowZeroBeforeTheFirstUpdate) {
  MetricsRegistry registry;
  registry.AddCounter("events_total", "Events.");
  registry.AddHistogram("wait_seconds", "Wait.", {}, {1});
  registry.AddGauge("labelled", "Labelled.", {"x"});
  const std::string text = registry.Expose();
  EXPECT_EQ(Sample(text, "events_total"), 0);
  EXPECT_EQ(Sample(text, "wait_seconds_count"), 0);
  EXPECT_EQ(Sample(text, "wait_seconds_bucket{le=\"+Inf\"}"), 0);
  // A labelled family without series has its HELP and TYPE only.
  EXPECT_TRUE(Contains(text, "# TYPE labelled gauge\n"));
  EXPECT_FALSE(Contains(text, "labelled{"));
}

TEST(MetricsFormat, CountersIgnoreNegativeIncrementsAndGaugesReplaceTheirSeries) {
  MetricsRegistry registry;
  CounterFamily& c = registry.AddCounter("c_total", "C.");
  c.Increment({}, 3);
  c.Increment({}, -1);
  EXPECT_EQ(c.Value({}), 3);
  GaugeFamily& g = registry.AddGauge("g", "G.", {"channel"});
  g.Set({"old"}, 1);
  g.Replace({{{"new"}, 2}});
  EXPECT_EQ(g.Value({"old"}), 0);
  EXPECT_FALSE(Contains(registry.Expose(), "g{channel=\"old\"}"));
  EXPECT_EQ(Sample(registry.Expose(), "g{channel=\"new\"}"), 2);
}

// ---- kaizend's metrics -----------------------------------------------------------------------

OperationalCounts SampleCounts() {
  OperationalCounts counts;
  for (TaskState s : kAllTaskStates) counts.tasks_by_state[s] = 0;
  counts.tasks_by_state[TaskState::kOpen] = 30;
  counts.tasks_by_state[TaskState::kInProgress] = 10;
  counts.tasks_by_state[TaskState::kBlocked] = 2;
  counts.tasks_by_state[TaskState::kDone] = 5;
  counts.tasks_overdue = 3;
  auto& ops = counts.notifications_by_channel["ops-chat"];
  for (NotificationState s : kAllNotificationStates) ops[s] = 0;
  ops[NotificationState::kDelivered] = 12;
  ops[NotificationState::kFailed] = 1;
  counts.outbox_depth = 1;
  counts.database_bytes = 4096 * 10;
  counts.wal_bytes = 8192;
  return counts;
}

TEST(StatusLine, SaysOpenTasksOverdueAndTheOutbox) {
  EXPECT_EQ(StatusLine(SampleCounts()), "42 open tasks, 3 overdue, outbox 1");
  OperationalCounts empty;
  EXPECT_EQ(StatusLine(empty), "0 open tasks, 0 overdue, outbox 0");
  OperationalCounts one;
  one.tasks_by_state[TaskState::kBlocked] = 1;
  one.tasks_by_state[TaskState::kVerified] = 9;  // finished: not open
  EXPECT_EQ(StatusLine(one), "1 open task, 0 overdue, outbox 0");
}

TEST(StatusLine, MentionsDeadNotificationsOnlyWhenThereAreAny) {
  OperationalCounts counts = SampleCounts();
  counts.notifications_by_channel["ops-chat"][NotificationState::kDead] = 2;
  counts.notifications_by_channel["hooks"][NotificationState::kDead] = 1;
  EXPECT_EQ(StatusLine(counts), "42 open tasks, 3 overdue, outbox 1, 3 dead notifications");
  counts.notifications_by_channel["hooks"][NotificationState::kDead] = 0;
  counts.notifications_by_channel["ops-chat"][NotificationState::kDead] = 1;
  EXPECT_EQ(StatusLine(counts), "42 open tasks, 3 overdue, outbox 1, 1 dead notification");
}

TEST(DaemonMetrics, ExposesBuildInfoStartTimeAndTheDatabaseGauges) {
  DaemonMetrics metrics("1.2.3", Instant(std::chrono::seconds(1700000000)));
  metrics.SetOperationalCounts(SampleCounts(), {"log", "ops-chat"});
  const std::string text = metrics.Expose();
  EXPECT_EQ(Sample(text, "kaizen_build_info{version=\"1.2.3\"}"), 1);
  EXPECT_EQ(Sample(text, "process_start_time_seconds"), 1700000000);
  EXPECT_EQ(Sample(text, "kaizen_tasks{state=\"open\"}"), 30);
  EXPECT_EQ(Sample(text, "kaizen_tasks{state=\"cancelled\"}"), 0);
  EXPECT_EQ(Sample(text, "kaizen_tasks_overdue"), 3);
  EXPECT_EQ(Sample(text, "kaizen_notifications{channel=\"ops-chat\",state=\"delivered\"}"), 12);
  EXPECT_EQ(Sample(text, "kaizen_notifications{channel=\"ops-chat\",state=\"failed\"}"), 1);
  // A configured channel without notifications still has its series, at zero.
  EXPECT_EQ(Sample(text, "kaizen_notifications{channel=\"log\",state=\"dead\"}"), 0);
  EXPECT_EQ(Sample(text, "kaizen_outbox_depth"), 1);
  EXPECT_EQ(Sample(text, "kaizen_database_size_bytes"), 40960);
  EXPECT_EQ(Sample(text, "kaizen_database_wal_size_bytes"), 8192);

  OperationalCounts unknown_size = SampleCounts();
  unknown_size.database_bytes = -1;
  metrics.SetOperationalCounts(unknown_size, {});
  EXPECT_EQ(Sample(metrics.Expose(), "kaizen_database_size_bytes"), -1);  // absent, not -1
  EXPECT_EQ(Sample(metrics.Expose(), "kaizen_notifications{channel=\"log\",state=\"dead\"}"), -1);
}

TEST(DaemonMetrics, CountsDeliveriesAndFireLag) {
  DaemonMetrics metrics("0.1.0", Instant{});
  metrics.RecordDeliveryAttempt("hooks", "delivered", std::chrono::milliseconds(30));
  metrics.RecordDeliveryAttempt("hooks", "failed", std::chrono::seconds(2));
  metrics.RecordDeliveryAttempt("hooks", "delivered", std::chrono::milliseconds(70));
  metrics.RecordScheduleFireLag(std::chrono::milliseconds(300));
  const std::string text = metrics.Expose();
  EXPECT_EQ(Sample(text,
                   "kaizen_notification_delivery_attempts_total{channel=\"hooks\","
                   "outcome=\"delivered\"}"),
            2);
  EXPECT_EQ(Sample(text,
                   "kaizen_notification_delivery_attempts_total{channel=\"hooks\","
                   "outcome=\"failed\"}"),
            1);
  EXPECT_EQ(Sample(text, "kaizen_notification_delivery_duration_seconds_count{channel=\"hooks\"}"),
            3);
  EXPECT_EQ(
      Sample(text,
             "kaizen_notification_delivery_duration_seconds_bucket{channel=\"hooks\",le=\"0.05\"}"),
      1);
  EXPECT_EQ(Sample(text, "kaizen_schedule_fire_lag_seconds_bucket{le=\"0.5\"}"), 1);
  EXPECT_EQ(Sample(text, "kaizen_schedule_fire_lag_seconds_bucket{le=\"0.1\"}"), 0);
}

// Runs one request through `handler` to its answer.
HttpResponse Answer(const HttpHandler& handler, std::string method, std::string path) {
  boost::asio::io_context io;
  HttpRequest request;
  request.method = std::move(method);
  request.target = path;
  request.path = std::move(path);
  auto future = boost::asio::co_spawn(io, handler(std::move(request)), boost::asio::use_future);
  io.run();
  return future.get();
}

TEST(DaemonMetrics, RequestsAreCountedUnderTheirRoutePatternNeverTheRawPath) {
  testing::FakeClock clock;
  Router router;
  router.Add("GET", "/api/v1/tasks/{id}",
             [](HttpRequest, RouteParams) -> boost::asio::awaitable<HttpResponse> {
               co_return HttpResponse{};
             });
  // The handler answers as ApiHandlers would; the instrumentation only watches.
  HttpHandler inner = [&clock](HttpRequest request) -> boost::asio::awaitable<HttpResponse> {
    clock.Advance(std::chrono::milliseconds(20));
    HttpResponse response;
    response.status =
        request.path.rfind("/api/v1/tasks/", 0) == 0 ? (request.method == "GET" ? 200 : 405) : 404;
    co_return response;
  };
  DaemonMetrics metrics("0.1.0", Instant{});
  HttpHandler handler = InstrumentRequests(inner, router, metrics, clock);

  EXPECT_EQ(Answer(handler, "GET", "/api/v1/tasks/17").status, 200);
  EXPECT_EQ(Answer(handler, "GET", "/api/v1/tasks/18").status, 200);
  EXPECT_EQ(Answer(handler, "DELETE", "/api/v1/tasks/18").status, 405);
  EXPECT_EQ(Answer(handler, "GET", "/wp-admin/secret-42").status, 404);
  EXPECT_EQ(Answer(handler, "BREW", "/coffee").status, 404);

  const CounterFamily& requests = metrics.http_requests();
  EXPECT_EQ(requests.Value({"/api/v1/tasks/{id}", "GET", "200"}), 2);
  EXPECT_EQ(requests.Value({"/api/v1/tasks/{id}", "DELETE", "405"}), 1);
  EXPECT_EQ(requests.Value({"unmatched", "GET", "404"}), 1);
  EXPECT_EQ(requests.Value({"unmatched", "other", "404"}), 1);
  const std::string text = metrics.Expose();
  EXPECT_FALSE(Contains(text, "/api/v1/tasks/17")) << text;
  EXPECT_FALSE(Contains(text, "wp-admin")) << text;
  HistogramFamily::Snapshot duration =
      metrics.http_request_duration().Get({"/api/v1/tasks/{id}", "GET"});
  EXPECT_EQ(duration.count, 2u);
  EXPECT_DOUBLE_EQ(duration.sum, 0.04);  // 20 ms each on the fake clock
}

// ---- The routes over a real store ------------------------------------------------------------

TEST(MetricsRoute, ServesTheTextFormatWithTheDatabaseGauges) {
  ApiTestEnv env;
  DaemonMetrics metrics("0.1.0", Instant{});
  env.handlers().SetMetrics(&metrics);
  const auto plan = nlohmann::json::parse(R"({
    "title": "Raise CSAT to 85%", "owner": "li.lei", "team": "ops",
    "tasks": [{"title": "Survey 200 customers", "owner": "han.meimei",
               "due_at": "2026-11-26T10:00:00Z"},
              {"title": "Analyse the answers", "owner": "han.meimei",
               "due_at": "2026-12-10T10:00:00Z"}]})");
  HttpResponse created = env.Call("POST", "/api/v1/plans", plan);
  ASSERT_EQ(created.status, 201) << created.body;
  env.clock().Advance(std::chrono::hours(48));  // past the first task's deadline

  HttpResponse response = env.Call("GET", "/metrics");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(Sample(response.body, "kaizen_tasks{state=\"open\"}"), 2);
  EXPECT_EQ(Sample(response.body, "kaizen_tasks{state=\"done\"}"), 0);
  EXPECT_EQ(Sample(response.body, "kaizen_tasks_overdue"), 1);
  EXPECT_GT(Sample(response.body, "kaizen_database_size_bytes"), 0);
  EXPECT_GE(Sample(response.body, "kaizen_database_wal_size_bytes"), 0);
}

TEST(MetricsRoute, IsNotFoundWhenTheServerCollectsNoMetrics) {
  ApiTestEnv env;
  HttpResponse response = env.Call("GET", "/metrics");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(ErrorCodeOf(response), "metrics_disabled");
}

TEST(ReadyRoute, IsReadyOnAHealthyDatabase) {
  ApiTestEnv env;
  HttpResponse response = env.Call("GET", "/readyz");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(BodyOf(response)["status"], "ready");
}

TEST(ReadyRoute, AnswersServiceUnavailableWithTheReasonWhenTheDatabaseCannotBeRead) {
  ApiTestEnv env;
  ASSERT_EQ(env.Call("GET", "/readyz").status, 200);
  // A disk fault under the running store: the file, its log and its shared-memory index
  // overwritten with garbage (with the index intact a reader could answer from its cache).
  const std::filesystem::path path = env.database_path();
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path.string() + suffix, ec);
    if (ec) continue;
    std::ofstream out(path.string() + suffix, std::ios::binary | std::ios::in | std::ios::out);
    out << std::string(size, 'x');
  }
  HttpResponse response = env.Call("GET", "/readyz");
  EXPECT_EQ(response.status, 503) << response.body;
  EXPECT_EQ(ErrorCodeOf(response), "storage_unavailable");
  EXPECT_EQ(BodyOf(response)["error"]["details"]["check"], "database") << response.body;
}

}  // namespace
}  // namespace kaizen::daemon
