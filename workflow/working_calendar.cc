#include "workflow/working_calendar.h"

#include <algorithm>
#include <cstdlib>
#include <exception>

#include "workflow/internal/text.h"

namespace kaizen {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::minutes;
using LocalMs = date::local_time<milliseconds>;

// The end of a day's last possible working period, 24:00.
constexpr minutes kDayEnd{24 * 60};

std::string Hhmm(minutes m) {
  const auto h = m.count() / 60;
  const auto mm = m.count() % 60;
  std::string out;
  out += static_cast<char>('0' + h / 10);
  out += static_cast<char>('0' + h % 10);
  out += ':';
  out += static_cast<char>('0' + mm / 10);
  out += static_cast<char>('0' + mm % 10);
  return out;
}

std::string FormatDate(date::year_month_day ymd) { return date::format("%F", ymd); }

Status FieldError(std::string reason, std::string message, std::string field) {
  return InvalidArgument(std::move(reason), std::move(message), {{"field", std::move(field)}});
}

// Sorts and removes repeats; fails on an invalid date.
Result<std::vector<date::local_days>> ToLocalDays(const std::vector<date::year_month_day>& dates,
                                                  const std::string& field) {
  std::vector<date::local_days> out;
  out.reserve(dates.size());
  for (size_t i = 0; i < dates.size(); ++i) {
    if (!dates[i].ok()) {
      return FieldError("invalid_calendar_date",
                        field + "[" + std::to_string(i) + "] is not a valid date",
                        field + "[" + std::to_string(i) + "]");
    }
    out.push_back(date::local_days{dates[i]});
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Contains(const std::vector<date::local_days>& sorted, date::local_days day) {
  return std::binary_search(sorted.begin(), sorted.end(), day);
}

// Reads "HH:MM" at the whole of `text`.
std::optional<minutes> ParseClock(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return minutes{h * 60 + m};
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<WorkingCalendar> WorkingCalendar::Create(const WorkingCalendarOptions& options) {
  WorkingCalendar calendar;
  try {
    calendar.zone_ = date::locate_zone(options.time_zone);
  } catch (const std::exception&) {
    // date/tz reports an unknown zone (or an unreadable zoneinfo) only by throwing.
    return FieldError("unknown_time_zone",
                      "'" + options.time_zone + "' is not a time zone of the IANA database",
                      "time_zone");
  }

  for (const date::weekday& wd : options.working_days) {
    if (!wd.ok()) {
      return FieldError("calendar_without_working_time", "a working day is not a weekday",
                        "working_days");
    }
    calendar.working_weekdays_[wd.c_encoding()] = true;
  }

  calendar.hours_ = options.hours;
  std::sort(calendar.hours_.begin(), calendar.hours_.end(),
            [](const WorkingPeriod& a, const WorkingPeriod& b) { return a.begin < b.begin; });
  for (size_t i = 0; i < calendar.hours_.size(); ++i) {
    const WorkingPeriod& p = calendar.hours_[i];
    if (p.begin < minutes{0} || p.end > kDayEnd || p.begin >= p.end) {
      return FieldError("invalid_working_hours",
                        "working period " + Hhmm(p.begin) + "-" + Hhmm(p.end) +
                            " must start before it ends, within 00:00-24:00",
                        "hours");
    }
    if (i > 0 && calendar.hours_[i - 1].end > p.begin) {
      return FieldError("invalid_working_hours",
                        "working periods " + Hhmm(calendar.hours_[i - 1].begin) + "-" +
                            Hhmm(calendar.hours_[i - 1].end) + " and " + Hhmm(p.begin) + "-" +
                            Hhmm(p.end) + " overlap",
                        "hours");
    }
  }

  auto holidays = ToLocalDays(options.holidays, "holidays");
  if (!holidays.ok()) return holidays.status();
  auto extra = ToLocalDays(options.extra_working_days, "extra_working_days");
  if (!extra.ok()) return extra.status();
  calendar.holidays_ = std::move(*holidays);
  calendar.extra_working_days_ = std::move(*extra);
  for (const date::local_days& day : calendar.extra_working_days_) {
    if (Contains(calendar.holidays_, day)) {
      return FieldError(
          "calendar_date_conflict",
          FormatDate(date::year_month_day{day}) + " is both a holiday and an extra working day",
          "extra_working_days");
    }
  }

  const bool any_weekday = std::any_of(calendar.working_weekdays_.begin(),
                                       calendar.working_weekdays_.end(), [](bool b) { return b; });
  if (calendar.hours_.empty()) {
    return FieldError("calendar_without_working_time", "the calendar has no working hours",
                      "hours");
  }
  if (!any_weekday) {
    return FieldError("calendar_without_working_time",
                      "the calendar has no working weekday; extra working days alone run out",
                      "working_days");
  }
  return calendar;
}

WorkingCalendar WorkingCalendar::AlwaysWorking() {
  WorkingCalendar calendar;
  calendar.zone_ = date::locate_zone("UTC");
  calendar.working_weekdays_.fill(true);
  calendar.hours_ = {{minutes{0}, kDayEnd}};
  return calendar;
}

bool WorkingCalendar::IsWorkingDay(date::local_days day) const {
  if (Contains(holidays_, day)) return false;
  if (Contains(extra_working_days_, day)) return true;
  return working_weekdays_[date::weekday{day}.c_encoding()];
}

bool WorkingCalendar::IsWorkingTime(Instant t) const {
  const LocalMs local = zone_->to_local(t);
  const date::local_days day = date::floor<days>(local);
  if (!IsWorkingDay(day)) return false;
  const milliseconds time_of_day = local - day;
  return std::any_of(hours_.begin(), hours_.end(), [&](const WorkingPeriod& p) {
    return p.begin <= time_of_day && time_of_day < p.end;
  });
}

std::optional<LocalMs> WorkingCalendar::FirstWorkingLocal(LocalMs from, LocalMs limit) const {
  for (date::local_days day = date::floor<days>(from); day < limit; day += days{1}) {
    if (!IsWorkingDay(day)) continue;
    for (const WorkingPeriod& p : hours_) {
      if (day + p.end <= from) continue;  // already over
      const LocalMs candidate = std::max<LocalMs>(day + p.begin, from);
      if (candidate >= limit) return std::nullopt;
      return candidate;
    }
  }
  return std::nullopt;
}

Instant WorkingCalendar::NextWorkingInstant(Instant t) const {
  // Walk the zone's stretches of constant UTC offset. Within one stretch local time runs
  // alongside UTC, so the first working local time found there maps back exactly; a period
  // start skipped by spring forward is then found as the first instant of the next stretch, and
  // the hour repeated by fall back is searched again in its own stretch.
  //
  // A stretch without a transition ahead (UTC, or a zone that stopped DST) ends at the end of
  // time; a working weekday exists and holidays are finite, so the search ends long before.
  constexpr days kFarEnough{366 * 20};
  Instant from = t;
  for (;;) {
    const date::sys_info info = zone_->get_info(from);
    const LocalMs local_from{from.time_since_epoch() + info.offset};
    // Compared this way round because info.end may be the largest representable time.
    const bool bounded = info.end < date::floor<std::chrono::seconds>(from) + kFarEnough;
    const LocalMs limit =
        bounded ? LocalMs{info.end.time_since_epoch() + info.offset} : local_from + kFarEnough;
    if (auto hit = FirstWorkingLocal(local_from, limit)) {
      return Instant{hit->time_since_epoch() - info.offset};
    }
    // Only holidays covering twenty years of working days get here: a broken calendar.
    if (!bounded) std::abort();
    from = Instant{info.end};
  }
}

Result<std::vector<WorkingPeriod>> ParseWorkingHours(std::string_view text) {
  std::vector<WorkingPeriod> periods;
  const auto fail = [&] {
    return InvalidArgument("invalid_working_hours",
                           "'" + std::string(text) +
                               "' is not a list of working periods such as "
                               "\"09:00-12:00,13:30-18:00\"",
                           {{"text", std::string(text)}});
  };
  if (internal::IsBlank(text)) return fail();
  std::string_view rest = text;
  for (;;) {
    const size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) return fail();
    const auto begin = ParseClock(Trim(item.substr(0, dash)));
    const auto end = ParseClock(Trim(item.substr(dash + 1)));
    if (!begin || !end || *begin >= *end) return fail();
    periods.push_back({*begin, *end});
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return periods;
}

std::optional<date::weekday> ParseWeekday(std::string_view text) {
  static constexpr std::string_view kNames[] = {"sunday",   "monday", "tuesday", "wednesday",
                                                "thursday", "friday", "saturday"};
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (unsigned i = 0; i < 7; ++i) {
    if (lower == kNames[i] || lower == kNames[i].substr(0, 3)) return date::weekday{i};
  }
  return std::nullopt;
}

std::optional<date::year_month_day> ParseCalendarDate(std::string_view text) {
  if (text.size() != 10 || !IsValidDate(text)) return std::nullopt;
  const auto num = [&](size_t pos, size_t width) {
    int v = 0;
    for (size_t i = pos; i < pos + width; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  return date::year_month_day{date::year{num(0, 4)}, date::month{static_cast<unsigned>(num(5, 2))},
                              date::day{static_cast<unsigned>(num(8, 2))}};
}

}  // namespace kaizen
