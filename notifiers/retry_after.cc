#include "notifiers/retry_after.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace kaizen::notifiers {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the value; each Take* consumes what it matched or fails without a partial
// result mattering (the whole parse is abandoned on the first failure).
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool Literal(std::string_view s) {
    if (text_.substr(0, s.size()) != s) return false;
    text_.remove_prefix(s.size());
    return true;
  }

  // Exactly `digits` decimal digits.
  bool Number(int digits, int& out) {
    if (text_.size() < static_cast<std::size_t>(digits)) return false;
    out = 0;
    for (int i = 0; i < digits; ++i) {
      if (!IsDigit(text_[i])) return false;
      out = out * 10 + (text_[i] - '0');
    }
    text_.remove_prefix(digits);
    return true;
  }

  // One of `names`; `index` is its position.
  template <std::size_t N>
  bool OneOf(const std::array<std::string_view, N>& names, int& index) {
    for (std::size_t i = 0; i < N; ++i) {
      if (Literal(names[i])) {
        index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }

  bool Done() const { return text_.empty(); }

 private:
  std::string_view text_;
};

constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

bool Time(Scanner& s, Fields& f) {
  return s.Number(2, f.hour) && s.Literal(":") && s.Number(2, f.minute) && s.Literal(":") &&
         s.Number(2, f.second);
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
bool ImfFixdate(std::string_view text, Fields& f) {
  Scanner s(text);
  int ignored = 0;
  return s.OneOf(kDays, ignored) && s.Literal(", ") && s.Number(2, f.day) && s.Literal(" ") &&
         s.OneOf(kMonths, f.month) && s.Literal(" ") && s.Number(4, f.year) && s.Literal(" ") &&
         Time(s, f) && s.Literal(" GMT") && s.Done();
}

// "Sunday, 06-Nov-94 08:49:37 GMT"
bool Rfc850(std::string_view text, Fields& f) {
  Scanner s(text);
  int ignored = 0;
  int two_digit_year = 0;
  if (!(s.OneOf(kLongDays, ignored) && s.Literal(", ") && s.Number(2, f.day) && s.Literal("-") &&
        s.OneOf(kMonths, f.month) && s.Literal("-") && s.Number(2, two_digit_year) &&
        s.Literal(" ") && Time(s, f) && s.Literal(" GMT") && s.Done())) {
    return false;
  }
  // RFC 9110: a two-digit year that appears to be more than 50 years in the future is in the
  // past century. Retry-After dates are near "now", so a fixed pivot serves until 2069.
  f.year = two_digit_year < 70 ? 2000 + two_digit_year : 1900 + two_digit_year;
  return true;
}

// "Sun Nov  6 08:49:37 1994"
bool Asctime(std::string_view text, Fields& f) {
  Scanner s(text);
  int ignored = 0;
  if (!(s.OneOf(kDays, ignored) && s.Literal(" ") && s.OneOf(kMonths, f.month) && s.Literal(" "))) {
    return false;
  }
  if (!(s.Literal(" ") ? s.Number(1, f.day) : s.Number(2, f.day))) return false;
  return s.Literal(" ") && Time(s, f) && s.Literal(" ") && s.Number(4, f.year) && s.Done();
}

std::optional<Instant> HttpDate(std::string_view text) {
  Fields f;
  if (!ImfFixdate(text, f) && !Rfc850(text, f) && !Asctime(text, f)) return std::nullopt;
  date::year_month_day ymd{date::year(f.year), date::month(static_cast<unsigned>(f.month + 1)),
                           date::day(static_cast<unsigned>(f.day))};
  // 23:59:60 is a leap second that an instant cannot hold; the next second is close enough.
  if (!ymd.ok() || f.hour > 23 || f.minute > 59 || f.second > 60) return std::nullopt;
  return Instant(date::sys_days(ymd)) + std::chrono::hours(f.hour) +
         std::chrono::minutes(f.minute) + std::chrono::seconds(f.second);
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, Instant now) {
  value = Trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), IsDigit)) {
    std::int64_t seconds = 0;
    for (char c : value) {
      seconds = seconds * 10 + (c - '0');
      if (seconds >= kMaxRetryAfter.count()) return kMaxRetryAfter;
    }
    return std::chrono::seconds(seconds);
  }
  std::optional<Instant> when = HttpDate(value);
  if (!when) return std::nullopt;
  if (*when <= now) return std::chrono::seconds(0);
  // Rounded up: waiting a fraction of a second too long is harmless, too short is not.
  auto delay = std::chrono::ceil<std::chrono::seconds>(*when - now);
  return std::min(delay, kMaxRetryAfter);
}

}  // namespace kaizen::notifiers
