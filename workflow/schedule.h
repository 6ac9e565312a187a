// Schedules: a template bound to a team and a calendar rule, and the planning of which fire
// starts a review cycle now. Pure: the caller passes the persisted state and `now`, so every
// rule below is tested with a fake clock.
//
// Counting. A schedule remembers one instant, its watermark (schedules.last_nominal_fire): no
// nominal fire at or before it is ever started again. A new schedule's watermark is the moment
// kaizend first sees it, so it does not replay history; starting a cycle moves the watermark to
// that cycle's nominal fire (or further: see merged fires); resuming a paused schedule moves it
// to the resume time, so fires missed while paused are not replayed.
//
// Due fires. The rule's nominal fires after the watermark are taken in order; a fire is due
// once its start time (the nominal fire, or the moved one, see working days) has come. Of the
// due fires at most ONE starts a cycle: the latest, when it is on time (at most kOnTimeTolerance
// late: the scheduler is asleep between fires, not polling) or within the catch-up window.
// Its cause is catch_up when kaizend was down at its time (planned at start-up) or it is more
// than kPromptness late (a suspended machine, a clock step), else schedule. Every other due
// fire is a miss, counted and recorded; none starts a cycle.
// So after a week of downtime a daily schedule with the default one-day window starts its
// latest fire (less than a day old) as a catch-up and records the six before it as missed.
//
// Working days. With on_non_working_day = next_working_day a fire whose local date (in the
// schedule's zone) is not a working day of the team's calendar (weekend, holiday; an extra
// working day counts as working) starts on the next working day at the same local time of day
// (the time the rule named; a DST gap on the new day gives the first instant after it), unless
// a later fire of the rule starts before that: then it starts with that fire, so start times
// never go backwards. Fires that start at the same time (Saturday's and Sunday's fires of a
// daily rule moved to Monday 09:00, with Monday's own 09:00) make ONE cycle, keyed by the
// LATEST nominal fire of the group (Monday's own, when there is one: the key is then the real
// time of the cycle); the others are "merged", not missed.
//
// A clock step backwards cannot start anything twice: fires at or before the watermark are
// never due again, and cycles are unique per (schedule, nominal fire) in the store.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "workflow/cron_rule.h"
#include "workflow/status.h"
#include "workflow/time.h"
#include "workflow/working_calendar.h"

namespace kaizen {

// What a new cycle does when the previous cycle of its schedule is still active.
enum class OverlapPolicy {
  kAllow,      // start the new cycle beside it (the previous one is closed all the same)
  kSkip,       // do not start the new cycle; an event says so
  kCarryOver,  // close the previous one and move its unfinished tasks into the new one
};
// The default: a late month never stops the next review, and nothing unfinished is forgotten.
inline constexpr OverlapPolicy kDefaultOverlap = OverlapPolicy::kCarryOver;
std::string_view ToString(OverlapPolicy policy);  // "allow", "skip", "carry_over"
std::optional<OverlapPolicy> ParseOverlapPolicy(std::string_view text);

enum class NonWorkingDayPolicy {
  kRun,             // fire on the rule's day, working or not (the default)
  kNextWorkingDay,  // move to the next working day of the team's calendar, same local time
};
std::string_view ToString(NonWorkingDayPolicy policy);  // "run", "next_working_day"
std::optional<NonWorkingDayPolicy> ParseNonWorkingDayPolicy(std::string_view text);

std::optional<DstGapPolicy> ParseDstGapPolicy(std::string_view text);  // "fire_after_gap", "skip"

// Why a cycle started.
enum class CycleCause { kSchedule, kCatchUp, kTrigger };
std::string_view ToString(CycleCause cause);  // "schedule", "catch_up", "trigger"
std::optional<CycleCause> ParseCycleCause(std::string_view text);

inline constexpr std::chrono::seconds kDefaultCatchUpWindow{std::chrono::hours(24)};
// A fire this late still counts as on time: the scheduler wakes a little after the fire, and
// re-reads the clock at least every minute.
inline constexpr std::chrono::minutes kOnTimeTolerance{2};
// A fire started later than this after its time, or at start-up, is labelled catch_up.
inline constexpr std::chrono::seconds kPromptness{10};
// Misses are counted one by one up to this many per planning (a secondly rule down for a month
// would have millions); beyond it the count says "at least".
inline constexpr int kMaxCountedMisses = 100000;

struct ScheduleSpec {
  std::string id;
  std::string template_id;
  std::string team;
  std::optional<CronRule> rule;  // always set once loaded; optional because CronRule has no
                                 // default constructor
  std::string time_zone;         // IANA; the team's when the config names none
  DstGapPolicy dst = DstGapPolicy::kFireAfterGap;
  std::chrono::seconds catch_up = kDefaultCatchUpWindow;  // zero: no catch-up
  OverlapPolicy overlap = kDefaultOverlap;
  NonWorkingDayPolicy on_non_working_day = NonWorkingDayPolicy::kRun;

  const std::string& rule_text() const;
};

// A fire of a schedule: its nominal instant (the rule's; the cycle's key) and when it starts
// (later only when moved to a working day).
struct ScheduledFire {
  CronFire fire;
  Instant starts_at{};
  bool moved = false;
  bool operator==(const ScheduledFire&) const = default;
};

// The first `count` fires of the schedule with a nominal instant strictly after `after`, with
// their start times. `working_days` is the team's calendar; it is used only with
// next_working_day and must then not be null.
std::vector<ScheduledFire> NextScheduledFires(const ScheduleSpec& spec,
                                              const WorkingCalendar* working_days, Instant after,
                                              size_t count);

struct ScheduleState {
  std::optional<Instant> watermark;  // nullopt: never seen; counting starts at now
  bool paused = false;
  bool at_start = false;  // the first planning after kaizend started: due fires were missed
};

struct FirePlan {
  // The fire to start now, if any, and why (kSchedule or kCatchUp).
  std::optional<ScheduledFire> start;
  CycleCause cause = CycleCause::kSchedule;
  // Due fires not started: older than the one started, or beyond the catch-up window.
  int missed = 0;
  bool missed_capped = false;           // missed stopped counting at kMaxCountedMisses
  std::optional<Instant> first_missed;  // nominal instants of the oldest and newest miss
  std::optional<Instant> last_missed;
  // Fires moved onto the started fire's start time (working days), folded into its cycle.
  int merged = 0;
  // The watermark to persist: the newest nominal fire that is due, or `now` for a schedule
  // never seen; unchanged when nothing is due.
  Instant watermark{};
  // When to plan again: the start time of the next fire that is not due yet. nullopt when
  // paused or the rule has no more fires.
  std::optional<Instant> next_wake;
};

// Which fire of `spec` to start at `now`. A paused schedule starts nothing and counts nothing
// (resuming moves the watermark, see above).
FirePlan PlanFires(const ScheduleSpec& spec, const WorkingCalendar* working_days,
                   const ScheduleState& state, Instant now);

// A local time in `zone` as an instant: the first occurrence of a repeated time, the first
// instant after the gap for a skipped one.
Instant LocalToInstant(const date::time_zone& zone, date::local_seconds local);

}  // namespace kaizen
