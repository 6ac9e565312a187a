// Metrics: counters, gauges and histograms with labels, exposed in the Prometheus text format
// (version 0.0.4) that `GET /metrics` serves.
//
// A MetricsRegistry owns its families; the daemon owns the registry (no global state). Families
// are added at construction, before anything records or exposes; from then on every family may
// be updated and the registry exposed from any thread (each family has its own lock, and a
// family's series are copied under it, so an exposition never sees half an observation).
//
// Names follow Prometheus' conventions and a mistake is a programming error that aborts, as a
// route added twice does: metric names [a-zA-Z_:][a-zA-Z0-9_:]*, a counter's ending in
// "_total", label names [a-zA-Z_][a-zA-Z0-9_]* not starting with "__" (and not "le" on a
// histogram), a family name used once, and every update naming exactly one value per label.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kaizen::daemon {

// The Content-Type of an exposition.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// One value per label of the family, in the order the family's label names were given.
using LabelValues = std::vector<std::string>;

// A label value as the text format quotes it: backslash, double quote and newline escaped.
std::string EscapeLabelValue(std::string_view value);
// HELP text: backslash and newline escaped.
std::string EscapeHelp(std::string_view help);
// A sample value: the shortest text that reads back as the same double; "+Inf", "-Inf", "NaN".
std::string FormatMetricValue(double value);

class MetricFamily {
 public:
  enum class Type { kCounter, kGauge, kHistogram };
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  Type type() const { return type_; }
  const std::vector<std::string>& label_names() const { return label_names_; }

  // Appends HELP, TYPE and every series, sorted by label values.
  void Expose(std::string& out) const;

 protected:
  MetricFamily(Type type, std::string name, std::string help, std::vector<std::string> label_names);
  // Aborts unless `values` has one value per label name.
  void CheckArity(const LabelValues& values) const;
  // `{a="x",b="y"` without the closing brace (so that a histogram can add `le`), or "" when
  // the family has no labels.
  std::string OpenLabels(const LabelValues& values) const;
  virtual void ExposeSeries(std::string& out) const = 0;

  mutable std::mutex mutex_;

 private:
  Type type_;
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
};

// Only goes up. A family without labels shows 0 before its first increment.
class CounterFamily final : public MetricFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  // `by` must not be negative (ignored if it is).
  void Increment(const LabelValues& labels, double by = 1);
  // 0 for a series never incremented.
  double Value(const LabelValues& labels) const;

 private:
  void ExposeSeries(std::string& out) const override;
  std::map<LabelValues, double> series_;
};

class GaugeFamily final : public MetricFamily {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void Set(const LabelValues& labels, double value);
  // Replaces every series at once (a gauge re-read from the database at each scrape: a series
  // that is gone, such as a channel no longer configured, disappears).
  void Replace(std::map<LabelValues, double> series);
  // 0 for a series never set.
  double Value(const LabelValues& labels) const;

 private:
  void ExposeSeries(std::string& out) const override;
  std::map<LabelValues, double> series_;
};

class HistogramFamily final : public MetricFamily {
 public:
  // `upper_bounds`: strictly increasing, finite; the +Inf bucket is implicit.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> upper_bounds);
  void Observe(const LabelValues& labels, double value);

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // per upper bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  // All zero for a series never observed.
  Snapshot Get(const LabelValues& labels) const;
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }

 private:
  struct Series {
    std::vector<std::uint64_t> buckets;  // not cumulative: observations per bucket, +Inf last
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot SnapshotOf(const Series& series) const;
  void ExposeSeries(std::string& out) const override;
  std::vector<double> upper_bounds_;
  std::map<LabelValues, Series> series_;
};

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // The family lives as long as the registry. Call before recording or exposing.
  CounterFamily& AddCounter(std::string name, std::string help,
                            std::vector<std::string> label_names = {});
  GaugeFamily& AddGauge(std::string name, std::string help,
                        std::vector<std::string> label_names = {});
  HistogramFamily& AddHistogram(std::string name, std::string help,
                                std::vector<std::string> label_names,
                                std::vector<double> upper_bounds);

  // Every family in the order added, in the text format; ends with a newline.
  std::string Expose() const;

 private:
  template <typename Family>
  Family& Add(std::unique_ptr<Family> family);
  std::vector<std::unique_ptr<MetricFamily>> families_;
};

}  // namespace kaizen::daemon
