#include "daemon/daemon_metrics.h"

#include <array>
#include <utility>

#include "daemon/router.h"

namespace kaizen::daemon {

namespace asio = boost::asio;

namespace {

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// The methods a client of the API sends; anything else is "other".
std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                             "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

// Prometheus' default request buckets: 5 ms to 10 s.
const std::vector<double> kRequestBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,    2.5,   5,    10};
// A delivery includes its wait for the channel's rate limit, so the buckets reach minutes.
const std::vector<double> kDeliveryBuckets = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
// From timer precision (under a second) to a catch-up after a day's downtime.
const std::vector<double> kFireLagBuckets = {0.1, 0.5, 1, 5, 15, 60, 300, 3600, 86400};

asio::awaitable<HttpResponse> Instrumented(std::shared_ptr<const HttpHandler> handler,
                                           const Router& router, DaemonMetrics& metrics,
                                           const Clock& clock, HttpRequest request) {
  const auto started = clock.MonotonicNow();
  const RouteMatch match = router.Match(request.method, request.path);
  const std::string route =
      match.pattern.empty() ? std::string("unmatched") : std::string(match.pattern);
  const std::string method = request.method;
  HttpResponse response = co_await (*handler)(std::move(request));
  metrics.RecordRequest(route, method, response.status, clock.MonotonicNow() - started);
  co_return response;
}

}  // namespace

DaemonMetrics::DaemonMetrics(std::string_view version, Instant start_time)
    : http_requests_(registry_.AddCounter(
          "kaizen_http_requests_total",
          "HTTP requests answered, by route pattern (\"unmatched\" when no route has the path), "
          "method and status code.",
          {"route", "method", "status"})),
      http_request_duration_(registry_.AddHistogram(
          "kaizen_http_request_duration_seconds",
          "Time from a request's arrival to its answer, by route pattern and method.",
          {"route", "method"}, kRequestBuckets)),
      tasks_(registry_.AddGauge("kaizen_tasks", "Tasks by state.", {"state"})),
      tasks_overdue_(
          registry_.AddGauge("kaizen_tasks_overdue",
                             "Unfinished tasks (open, in progress, blocked) past their due time.")),
      notifications_(registry_.AddGauge("kaizen_notifications",
                                        "Notifications in the outbox by channel and state.",
                                        {"channel", "state"})),
      outbox_depth_(registry_.AddGauge(
          "kaizen_outbox_depth",
          "Notifications not delivered yet and not dead (pending, delivering or failed).")),
      delivery_attempts_(registry_.AddCounter(
          "kaizen_notification_delivery_attempts_total",
          "Delivery attempts by channel and outcome (delivered; failed, to be tried again; "
          "dead; abandoned at a stop). A grouped message counts once.",
          {"channel", "outcome"})),
      delivery_duration_(registry_.AddHistogram(
          "kaizen_notification_delivery_duration_seconds",
          "Time a delivery attempt took, rate-limit wait included, by channel.", {"channel"},
          kDeliveryBuckets)),
      schedule_fire_lag_(registry_.AddHistogram(
          "kaizen_schedule_fire_lag_seconds",
          "How late a scheduled review cycle started after its fire's start time (catch-ups "
          "after downtime included).",
          {}, kFireLagBuckets)),
      database_size_(registry_.AddGauge("kaizen_database_size_bytes",
                                        "Size of the SQLite database (page_count * page_size).")),
      database_wal_size_(registry_.AddGauge("kaizen_database_wal_size_bytes",
                                            "Size of the SQLite write-ahead log file.")),
      build_info_(registry_.AddGauge(
          "kaizen_build_info", "Always 1; the version of kaizend in its label.", {"version"})),
      process_start_time_(registry_.AddGauge("process_start_time_seconds",
                                             "Start time of the process since the Unix epoch.")) {
  build_info_.Set({std::string(version)}, 1);
  process_start_time_.Set({}, std::chrono::duration<double>(start_time.time_since_epoch()).count());
}

void DaemonMetrics::RecordRequest(std::string_view route, std::string_view method, int status,
                                  std::chrono::steady_clock::duration duration) {
  const std::string method_label(MethodLabel(method));
  http_requests_.Increment({std::string(route), method_label, std::to_string(status)});
  http_request_duration_.Observe({std::string(route), method_label}, Seconds(duration));
}

void DaemonMetrics::RecordDeliveryAttempt(std::string_view channel, std::string_view outcome,
                                          std::chrono::steady_clock::duration duration) {
  delivery_attempts_.Increment({std::string(channel), std::string(outcome)});
  delivery_duration_.Observe({std::string(channel)}, Seconds(duration));
}

void DaemonMetrics::RecordScheduleFireLag(std::chrono::steady_clock::duration lag) {
  schedule_fire_lag_.Observe({}, Seconds(lag));
}

void DaemonMetrics::SetOperationalCounts(const OperationalCounts& counts,
                                         const std::vector<std::string>& channels) {
  std::map<LabelValues, double> tasks;
  for (TaskState state : kAllTaskStates) {
    auto it = counts.tasks_by_state.find(state);
    tasks[{std::string(ToString(state))}] =
        it == counts.tasks_by_state.end() ? 0 : static_cast<double>(it->second);
  }
  tasks_.Replace(std::move(tasks));
  tasks_overdue_.Set({}, static_cast<double>(counts.tasks_overdue));

  std::map<LabelValues, double> notifications;
  for (const std::string& channel : channels) {
    for (NotificationState state : kAllNotificationStates) {
      notifications[{channel, std::string(ToString(state))}] = 0;
    }
  }
  for (const auto& [channel, states] : counts.notifications_by_channel) {
    for (NotificationState state : kAllNotificationStates) {
      auto it = states.find(state);
      notifications[{channel, std::string(ToString(state))}] =
          it == states.end() ? 0 : static_cast<double>(it->second);
    }
  }
  notifications_.Replace(std::move(notifications));
  outbox_depth_.Set({}, static_cast<double>(counts.outbox_depth));

  // -1: SQLite could not tell; the series goes rather than showing a size that is wrong.
  if (counts.database_bytes >= 0) {
    database_size_.Replace({{{}, static_cast<double>(counts.database_bytes)}});
  } else {
    database_size_.Replace({});
  }
  if (counts.wal_bytes >= 0) {
    database_wal_size_.Replace({{{}, static_cast<double>(counts.wal_bytes)}});
  } else {
    database_wal_size_.Replace({});
  }
}

HttpHandler InstrumentRequests(HttpHandler handler, const Router& router, DaemonMetrics& metrics,
                               const Clock& clock) {
  auto shared = std::make_shared<const HttpHandler>(std::move(handler));
  // Not a coroutine: it starts one that owns copies of what it needs.
  return [shared, &router, &metrics, &clock](HttpRequest request) {
    return Instrumented(shared, router, metrics, clock, std::move(request));
  };
}

std::string StatusLine(const OperationalCounts& counts) {
  std::int64_t unfinished = 0;
  for (const auto& [state, n] : counts.tasks_by_state) {
    if (IsUnfinished(state)) unfinished += n;
  }
  std::int64_t dead = 0;
  for (const auto& [channel, states] : counts.notifications_by_channel) {
    if (auto it = states.find(NotificationState::kDead); it != states.end()) dead += it->second;
  }
  std::string line = std::to_string(unfinished) + (unfinished == 1 ? " open task" : " open tasks");
  line += ", " + std::to_string(counts.tasks_overdue) + " overdue";
  line += ", outbox " + std::to_string(counts.outbox_depth);
  if (dead > 0) {
    line +=
        ", " + std::to_string(dead) + (dead == 1 ? " dead notification" : " dead notifications");
  }
  return line;
}

}  // namespace kaizen::daemon
