// The config's "schedules" section: each binds a plan template to a team and a calendar rule
// (workflow/schedule.h). Called by ParseConfig once the teams, people, calendars and templates
// are read; every problem names its field and why, like the rest of the config.
//
//   "schedules": [{
//     "id": "ops-monthly",                 required; a-z, 0-9, '.', '_', '-'; unique
//     "template": "monthly-review",        required; a template of "templates"
//     "team": "ops",                       required; a team of "teams"
//     "rule": "0 9 1 * *",                 required; cron rule (workflow/cron_rule.h)
//     "time_zone": "Asia/Shanghai",        IANA zone; default: the team's
//     "dst": "fire_after_gap",             or "skip": a fixed time a spring-forward skips
//     "catch_up": "P1D",                   ISO duration; "PT0S": no catch-up after downtime
//     "overlap": "carry_over",             "allow", "skip" or "carry_over" (the default)
//     "on_non_working_day": "run"          or "next_working_day" (the team's calendar)
//   }]
//
// The template is instantiated for the team once at load, so that an owner role the team does
// not map, or an unknown person, is a config error rather than a failed cycle a month later.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "config/config.h"
#include "workflow/follow_up.h"
#include "workflow/model.h"
#include "workflow/plan_template.h"
#include "workflow/schedule.h"

namespace kaizen::config {

// Reads root["schedules"] (absent: none). Problems are appended in document order.
std::vector<ScheduleSpec> ReadSchedules(const nlohmann::json& root, const Directory& directory,
                                        const FollowUpSettings& follow_up,
                                        const std::vector<PlanTemplate>& templates,
                                        std::vector<ConfigProblem>& problems);

// The working days a schedule of `team` moves fires across and counts deadlines on: the team's
// calendar, else Monday to Friday in the team's zone.
WorkingCalendar TeamWorkingDays(const FollowUpSettings& follow_up, const Team& team);

}  // namespace kaizen::config
