#include "daemon/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace kaizen::daemon {
namespace {

[[noreturn]] void Misuse(const std::string& what) {
  std::fprintf(stderr, "metrics: %s\n", what.c_str());
  std::abort();
}

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string_view TypeName(MetricFamily::Type type) {
  switch (type) {
    case MetricFamily::Type::kCounter: return "counter";
    case MetricFamily::Type::kGauge: return "gauge";
    case MetricFamily::Type::kHistogram: return "histogram";
  }
  return "untyped";
}

void AppendSample(std::string& out, std::string_view name, std::string labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += labels;
    out += '}';
  }
  out += ' ';
  out += FormatMetricValue(value);
  out += '\n';
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers (counts, bytes, most bucket bounds) as integers: "1500000000", not the
  // shortest form "1.5e+09", which Prometheus reads too but people do not.
  if (std::fabs(value) < 1e15 && value == std::floor(value)) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  return std::string(buffer, end);
}

// ---- MetricFamily ----------------------------------------------------------------------------

MetricFamily::MetricFamily(Type type, std::string name, std::string help,
                           std::vector<std::string> label_names)
    : type_(type),
      name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)) {
  if (!IsMetricName(name_)) Misuse("invalid metric name '" + name_ + "'");
  if (type_ == Type::kCounter && !name_.ends_with("_total")) {
    Misuse("counter " + name_ + " does not end in _total");
  }
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    const std::string& label = label_names_[i];
    if (!IsLabelName(label)) Misuse("invalid label name '" + label + "' of " + name_);
    if (type_ == Type::kHistogram && label == "le") Misuse("histogram " + name_ + " uses le");
    if (std::find(label_names_.begin(), label_names_.begin() + static_cast<std::ptrdiff_t>(i),
                  label) != label_names_.begin() + static_cast<std::ptrdiff_t>(i)) {
      Misuse("label " + label + " of " + name_ + " given twice");
    }
  }
}

void MetricFamily::CheckArity(const LabelValues& values) const {
  if (values.size() != label_names_.size()) {
    Misuse(name_ + " takes " + std::to_string(label_names_.size()) + " label value(s), got " +
           std::to_string(values.size()));
  }
}

std::string MetricFamily::OpenLabels(const LabelValues& values) const {
  if (label_names_.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    if (i > 0) out += ',';
    out += label_names_[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  return out;
}

void MetricFamily::Expose(std::string& out) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  out += EscapeHelp(help_);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += TypeName(type_);
  out += '\n';
  std::lock_guard lock(mutex_);
  ExposeSeries(out);
}

// ---- Counter ---------------------------------------------------------------------------------

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : MetricFamily(Type::kCounter, std::move(name), std::move(help), std::move(label_names)) {
  if (this->label_names().empty()) series_[{}] = 0;
}

void CounterFamily::Increment(const LabelValues& labels, double by) {
  CheckArity(labels);
  if (!(by >= 0)) return;
  std::lock_guard lock(mutex_);
  series_[labels] += by;
}

double CounterFamily::Value(const LabelValues& labels) const {
  CheckArity(labels);
  std::lock_guard lock(mutex_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second;
}

void CounterFamily::ExposeSeries(std::string& out) const {
  for (const auto& [labels, value] : series_) AppendSample(out, name(), OpenLabels(labels), value);
}

// ---- Gauge -----------------------------------------------------------------------------------

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : MetricFamily(Type::kGauge, std::move(name), std::move(help), std::move(label_names)) {
  if (this->label_names().empty()) series_[{}] = 0;
}

void GaugeFamily::Set(const LabelValues& labels, double value) {
  CheckArity(labels);
  std::lock_guard lock(mutex_);
  series_[labels] = value;
}

void GaugeFamily::Replace(std::map<LabelValues, double> series) {
  for (const auto& [labels, value] : series) CheckArity(labels);
  std::lock_guard lock(mutex_);
  series_ = std::move(series);
}

double GaugeFamily::Value(const LabelValues& labels) const {
  CheckArity(labels);
  std::lock_guard lock(mutex_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0 : it->second;
}

void GaugeFamily::ExposeSeries(std::string& out) const {
  for (const auto& [labels, value] : series_) AppendSample(out, name(), OpenLabels(labels), value);
}

// ---- Histogram -------------------------------------------------------------------------------

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names,
                                 std::vector<double> upper_bounds)
    : MetricFamily(Type::kHistogram, std::move(name), std::move(help), std::move(label_names)),
      upper_bounds_(std::move(upper_bounds)) {
  for (std::size_t i = 0; i < upper_bounds_.size(); ++i) {
    if (!std::isfinite(upper_bounds_[i]) || (i > 0 && upper_bounds_[i] <= upper_bounds_[i - 1])) {
      Misuse("histogram " + this->name() + ": bounds must be finite and strictly increasing");
    }
  }
  if (this->label_names().empty()) series_[{}].buckets.assign(upper_bounds_.size() + 1, 0);
}

void HistogramFamily::Observe(const LabelValues& labels, double value) {
  CheckArity(labels);
  if (std::isnan(value)) return;
  // The first bucket whose bound is >= value ("le": less than or equal).
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value) - upper_bounds_.begin());
  std::lock_guard lock(mutex_);
  Series& series = series_[labels];
  if (series.buckets.empty()) series.buckets.assign(upper_bounds_.size() + 1, 0);
  ++series.buckets[bucket];
  series.sum += value;
  ++series.count;
}

HistogramFamily::Snapshot HistogramFamily::SnapshotOf(const Series& series) const {
  Snapshot snapshot;
  snapshot.cumulative.reserve(upper_bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += i < series.buckets.size() ? series.buckets[i] : 0;
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = series.sum;
  snapshot.count = series.count;
  return snapshot;
}

HistogramFamily::Snapshot HistogramFamily::Get(const LabelValues& labels) const {
  CheckArity(labels);
  std::lock_guard lock(mutex_);
  auto it = series_.find(labels);
  return SnapshotOf(it == series_.end() ? Series{} : it->second);
}

void HistogramFamily::ExposeSeries(std::string& out) const {
  const std::string bucket_name = name() + "_bucket";
  for (const auto& [labels, series] : series_) {
    const Snapshot snapshot = SnapshotOf(series);
    const std::string open = OpenLabels(labels);
    const std::string le_prefix = open.empty() ? "{le=\"" : open + ",le=\"";
    for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
      const std::string bound =
          i < upper_bounds_.size() ? FormatMetricValue(upper_bounds_[i]) : "+Inf";
      AppendSample(out, bucket_name, le_prefix + bound + "\"",
                   static_cast<double>(snapshot.cumulative[i]));
    }
    AppendSample(out, name() + "_sum", open, snapshot.sum);
    AppendSample(out, name() + "_count", open, static_cast<double>(snapshot.count));
  }
}

// ---- Registry --------------------------------------------------------------------------------

template <typename Family>
Family& MetricsRegistry::Add(std::unique_ptr<Family> family) {
  for (const auto& existing : families_) {
    if (existing->name() == family->name()) Misuse("metric " + family->name() + " added twice");
  }
  Family& added = *family;
  families_.push_back(std::move(family));
  return added;
}

CounterFamily& MetricsRegistry::AddCounter(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  return Add(
      std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names)));
}

GaugeFamily& MetricsRegistry::AddGauge(std::string name, std::string help,
                                       std::vector<std::string> label_names) {
  return Add(
      std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names)));
}

HistogramFamily& MetricsRegistry::AddHistogram(std::string name, std::string help,
                                               std::vector<std::string> label_names,
                                               std::vector<double> upper_bounds) {
  return Add(std::make_unique<HistogramFamily>(std::move(name), std::move(help),
                                               std::move(label_names), std::move(upper_bounds)));
}

std::string MetricsRegistry::Expose() const {
  std::string out;
  for (const auto& family : families_) family->Expose(out);
  return out;
}

}  // namespace kaizen::daemon
