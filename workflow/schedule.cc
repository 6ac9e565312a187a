#include "workflow/schedule.h"

#include <algorithm>
#include <utility>

namespace kaizen {

namespace {

using std::chrono::days;
using std::chrono::milliseconds;

// How far back of the catch-up window counting resumes once kMaxCountedMisses is reached: more
// than any run of non-working days a fire could be moved across (a week of national holidays).
constexpr std::chrono::hours kCountingJumpMargin{24 * 8};

// The fires are fetched this many at a time.
constexpr size_t kBatch = 256;

// The start of `fire` with next_working_day: the same local time on the first working day at or
// after the fire's local date.
Instant WorkingDayStart(const CronFire& fire, const date::time_zone& zone,
                        const WorkingCalendar& working_days, bool& moved) {
  moved = false;
  date::local_days day = date::floor<days>(fire.scheduled_local_time);
  if (working_days.IsWorkingDay(day)) return fire.at;
  const auto time_of_day = fire.scheduled_local_time - day;
  // A calendar made by WorkingCalendar::Create has a working weekday, so a week suffices unless
  // holidays pile up; ten years is a bound, not an expectation.
  for (int i = 1; i <= 3660; ++i) {
    day += days{1};
    if (working_days.IsWorkingDay(day)) {
      moved = true;
      return LocalToInstant(zone, day + time_of_day);
    }
  }
  return fire.at;
}

}  // namespace

std::string_view ToString(OverlapPolicy policy) {
  switch (policy) {
    case OverlapPolicy::kAllow: return "allow";
    case OverlapPolicy::kSkip: return "skip";
    case OverlapPolicy::kCarryOver: return "carry_over";
  }
  return "carry_over";
}

std::optional<OverlapPolicy> ParseOverlapPolicy(std::string_view text) {
  for (OverlapPolicy p : {OverlapPolicy::kAllow, OverlapPolicy::kSkip, OverlapPolicy::kCarryOver}) {
    if (text == ToString(p)) return p;
  }
  return std::nullopt;
}

std::string_view ToString(NonWorkingDayPolicy policy) {
  return policy == NonWorkingDayPolicy::kRun ? "run" : "next_working_day";
}

std::optional<NonWorkingDayPolicy> ParseNonWorkingDayPolicy(std::string_view text) {
  if (text == "run") return NonWorkingDayPolicy::kRun;
  if (text == "next_working_day") return NonWorkingDayPolicy::kNextWorkingDay;
  return std::nullopt;
}

std::optional<DstGapPolicy> ParseDstGapPolicy(std::string_view text) {
  if (text == ToString(DstGapPolicy::kFireAfterGap)) return DstGapPolicy::kFireAfterGap;
  if (text == ToString(DstGapPolicy::kSkip)) return DstGapPolicy::kSkip;
  return std::nullopt;
}

std::string_view ToString(CycleCause cause) {
  switch (cause) {
    case CycleCause::kSchedule: return "schedule";
    case CycleCause::kCatchUp: return "catch_up";
    case CycleCause::kTrigger: return "trigger";
  }
  return "schedule";
}

std::optional<CycleCause> ParseCycleCause(std::string_view text) {
  for (CycleCause c : {CycleCause::kSchedule, CycleCause::kCatchUp, CycleCause::kTrigger}) {
    if (text == ToString(c)) return c;
  }
  return std::nullopt;
}

const std::string& ScheduleSpec::rule_text() const {
  static const std::string kEmpty;
  return rule ? rule->text() : kEmpty;
}

Instant LocalToInstant(const date::time_zone& zone, date::local_seconds local) {
  const date::local_info info = zone.get_info(local);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the first occurrence
      return Instant{date::sys_seconds{local.time_since_epoch() - info.first.offset}};
    case date::local_info::nonexistent:
      return Instant{info.second.begin};  // the first instant after the gap
  }
  return Instant{date::sys_seconds{local.time_since_epoch()}};
}

std::vector<ScheduledFire> NextScheduledFires(const ScheduleSpec& spec,
                                              const WorkingCalendar* working_days, Instant after,
                                              size_t count) {
  std::vector<ScheduledFire> out;
  if (!spec.rule || count == 0) return out;
  const date::time_zone* zone = date::locate_zone(spec.time_zone);
  const bool move =
      spec.on_non_working_day == NonWorkingDayPolicy::kNextWorkingDay && working_days != nullptr;
  auto append = [&](Instant from, size_t n) {
    std::vector<CronFire> fires = NextFireTimes(*spec.rule, zone, from, n, spec.dst);
    for (CronFire& fire : fires) {
      ScheduledFire scheduled;
      scheduled.starts_at =
          move ? WorkingDayStart(fire, *zone, *working_days, scheduled.moved) : fire.at;
      scheduled.fire = std::move(fire);
      out.push_back(std::move(scheduled));
    }
    return fires.size() == n;
  };
  bool more = append(after, count);
  if (move) {
    // A fire moved past a later fire of the rule is merged into it (it starts with it): look
    // ahead until the nominal fires pass the latest moved start, then take running minima from
    // the end so that start times never go backwards.
    Instant latest_start = Instant::min();
    for (const ScheduledFire& f : out) latest_start = std::max(latest_start, f.starts_at);
    while (more && !out.empty() && out.back().fire.at < latest_start) {
      more = append(out.back().fire.at, 16);
    }
    for (size_t i = out.size(); i-- > 1;) {
      if (out[i].starts_at < out[i - 1].starts_at) {
        out[i - 1].starts_at = out[i].starts_at;
        out[i - 1].moved = true;
      }
    }
    if (out.size() > count) out.resize(count);
  }
  return out;
}

FirePlan PlanFires(const ScheduleSpec& spec, const WorkingCalendar* working_days,
                   const ScheduleState& state, Instant now) {
  FirePlan plan;
  if (state.paused) {
    plan.watermark = state.watermark.value_or(now);
    return plan;
  }
  if (!state.watermark) {
    // Never seen: count from now, replay nothing.
    plan.watermark = now;
    auto next = NextScheduledFires(spec, working_days, now, 1);
    if (!next.empty()) plan.next_wake = next.front().starts_at;
    return plan;
  }
  plan.watermark = *state.watermark;

  const auto late_limit = std::max<std::chrono::milliseconds>(kOnTimeTolerance, spec.catch_up);
  std::optional<ScheduledFire> last_due;
  int merged_with_last = 0;  // due fires sharing last_due's start time
  auto count_missed = [&plan](Instant nominal, int how_many) {
    plan.missed += how_many;
    if (!plan.first_missed) plan.first_missed = nominal;
    plan.last_missed = nominal;
  };

  Instant after = *state.watermark;
  bool done = false;
  while (!done) {
    std::vector<ScheduledFire> batch = NextScheduledFires(spec, working_days, after, kBatch);
    for (ScheduledFire& f : batch) {
      if (f.starts_at > now) {
        plan.next_wake = f.starts_at;
        done = true;
        break;
      }
      if (last_due && last_due->starts_at == f.starts_at) {
        ++merged_with_last;
      } else {
        if (last_due) count_missed(last_due->fire.at, 1 + merged_with_last);
        merged_with_last = 0;
      }
      last_due = std::move(f);
    }
    if (done) break;
    if (batch.size() < kBatch) break;  // the rule has no more fires
    after = batch.back().fire.at;
    if (plan.missed >= kMaxCountedMisses && !plan.missed_capped) {
      // Counting every miss of a fast rule after long downtime is not worth the time: jump to
      // shortly before the window and count on from there, saying the count is a lower bound.
      const auto margin =
          spec.on_non_working_day == NonWorkingDayPolicy::kNextWorkingDay
              ? std::chrono::duration_cast<std::chrono::milliseconds>(kCountingJumpMargin)
              : std::chrono::milliseconds::zero();
      const Instant resume_at = now - late_limit - margin;
      if (resume_at > after) {
        plan.missed_capped = true;
        after = resume_at;
      }
    }
  }

  if (last_due) {
    plan.watermark = last_due->fire.at;
    const auto lateness = now - last_due->starts_at;
    if (lateness <= late_limit) {
      plan.cause =
          !state.at_start && lateness <= kPromptness ? CycleCause::kSchedule : CycleCause::kCatchUp;
      plan.merged = merged_with_last;
      plan.start = std::move(last_due);
    } else {
      count_missed(last_due->fire.at, 1 + merged_with_last);
    }
  }
  return plan;
}

}  // namespace kaizen
