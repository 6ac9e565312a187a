// DaemonMetrics: kaizend's metrics (README "Monitoring"), owned by the Daemon.
//
// Counters and histograms are recorded where things happen: HTTP requests (InstrumentRequests,
// around the API's handler), delivery attempts (DeliveryDispatcher's attempt observer) and the
// lateness of scheduled cycles (CycleScheduler's fire-lag observer). The gauges that describe
// the database (tasks, notifications, outbox depth, file sizes) are re-read at each scrape by
// one query on a storage reader (PlanReader::CountOperational) and handed to
// SetOperationalCounts before Expose().
//
// Thread-safe (metrics.h): recording and exposing may happen on any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http_server.h"
#include "daemon/metrics.h"
#include "workflow/repository.h"
#include "workflow/time.h"

namespace kaizen::daemon {

class Router;

class DaemonMetrics {
 public:
  // `start_time`: when the process started (process_start_time_seconds).
  DaemonMetrics(std::string_view version, Instant start_time);
  DaemonMetrics(const DaemonMetrics&) = delete;
  DaemonMetrics& operator=(const DaemonMetrics&) = delete;

  // `route`: the route pattern, or "unmatched"; `method` as sent (an unusual one is counted as
  // "other", so that a scanner cannot grow the series without bound).
  void RecordRequest(std::string_view route, std::string_view method, int status,
                     std::chrono::steady_clock::duration duration);
  // One delivery attempt of a batch (one message, maybe grouping several notifications);
  // `outcome` is one of delivery_dispatcher.h's kAttempt*.
  void RecordDeliveryAttempt(std::string_view channel, std::string_view outcome,
                             std::chrono::steady_clock::duration duration);
  // A scheduled cycle started `lag` after its fire's start time.
  void RecordScheduleFireLag(std::chrono::steady_clock::duration lag);
  // Replaces the gauges read from the database. `channels`: the configured channel ids, shown
  // with zeros when they have no notifications yet.
  void SetOperationalCounts(const OperationalCounts& counts,
                            const std::vector<std::string>& channels);

  // The text format of every metric (metrics.h kMetricsContentType).
  std::string Expose() const { return registry_.Expose(); }

  const CounterFamily& http_requests() const { return http_requests_; }
  const HistogramFamily& http_request_duration() const { return http_request_duration_; }
  const CounterFamily& delivery_attempts() const { return delivery_attempts_; }
  const HistogramFamily& delivery_duration() const { return delivery_duration_; }
  const HistogramFamily& schedule_fire_lag() const { return schedule_fire_lag_; }
  const GaugeFamily& tasks() const { return tasks_; }
  const GaugeFamily& notifications() const { return notifications_; }

 private:
  MetricsRegistry registry_;  // first: the families below live in it
  CounterFamily& http_requests_;
  HistogramFamily& http_request_duration_;
  GaugeFamily& tasks_;
  GaugeFamily& tasks_overdue_;
  GaugeFamily& notifications_;
  GaugeFamily& outbox_depth_;
  CounterFamily& delivery_attempts_;
  HistogramFamily& delivery_duration_;
  HistogramFamily& schedule_fire_lag_;
  GaugeFamily& database_size_;
  GaugeFamily& database_wal_size_;
  GaugeFamily& build_info_;
  GaugeFamily& process_start_time_;
};

// Wraps the API's handler: every request it answers is counted and timed under its route
// pattern (`router` matches it; a path no route has is "unmatched"). `router` and `metrics`
// must outlive the returned handler; `clock` gives the monotonic time.
HttpHandler InstrumentRequests(HttpHandler handler, const Router& router, DaemonMetrics& metrics,
                               const Clock& clock);

// One line for people (systemd's STATUS=, logs): "42 open tasks, 3 overdue, outbox 0", with
// ", 2 dead notifications" when any are dead. "Open" counts every unfinished task (open, in
// progress or blocked).
std::string StatusLine(const OperationalCounts& counts);

}  // namespace kaizen::daemon
