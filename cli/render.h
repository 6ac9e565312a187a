// How kaizenctl shows the API's answers (docs/api.md) to people: tables of tasks and plans,
// one task with its history, one plan with its goals and tasks, the summary. Deadlines are
// relative to `now`. Missing or null fields show as "-", so an older or newer daemon never
// makes the client fail. Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "workflow/time.h"

namespace kaizen::cli {

// How tables look: colours (only on a terminal that wants them; overdue red, due soon yellow,
// finished green) and -o wide's extra columns.
struct Style {
  bool color = false;
  bool wide = false;
};

// Columns ID, STATE, OWNER, DUE, TITLE; wide adds PLAN, DUE AT and UPDATED.
std::string RenderTaskTable(const nlohmann::ordered_json& tasks, Instant now, Style style = {});
// A task's fields, then its events (the "items" of /tasks/{id}/events).
std::string RenderTask(const nlohmann::ordered_json& task, const nlohmann::ordered_json& events,
                       Instant now, Style style = {});
// Columns ID, STATE, OWNER, TEAM, DONE, OVERDUE, TITLE; wide adds KIND, TEMPLATE and CREATED.
std::string RenderPlanTable(const nlohmann::ordered_json& plans, Style style = {},
                            Instant now = {});
// A plan's fields, goals and tasks.
std::string RenderPlan(const nlohmann::ordered_json& plan, Instant now, Style style = {});
// Columns ID, STATE, CHANNEL, KIND, TO, TASK, TRIES, CREATED, NEXT / ERROR of GET /notifications
// items; wide adds KEY and UPDATED and shows the whole error.
std::string RenderNotificationTable(const nlohmann::ordered_json& notifications, Instant now,
                                    Style style = {});
// The answer to a snooze (PATCH /tasks/{id} with a new due_at): the old and new deadline.
std::string RenderSnoozed(const nlohmann::ordered_json& before, const nlohmann::ordered_json& after,
                          Instant now);
// A plan's report (GET /plans/{id}/report, POST /plans/{id}/close): whether live or frozen,
// tasks by state, on time, the overdue tasks, goals, the cycle snapshot, the previous cycle.
std::string RenderReport(const nlohmann::ordered_json& report);
std::string RenderSummary(const nlohmann::ordered_json& summary, Instant now, Style style = {});
// Columns ID, TYPE, RATE, STATE, URL of GET /channels items.
std::string RenderChannelTable(const nlohmann::ordered_json& channels);
// Columns ID, KIND, TASKS, GOALS, TITLE, SOURCE of GET /templates items.
std::string RenderTemplateTable(const nlohmann::ordered_json& templates);
// What a channel test met (POST /channels/{id}/test): the verdict first, then the provider's
// answer field by field.
std::string RenderChannelTest(const nlohmann::ordered_json& report);
// A schedule preview (POST /schedules/preview): the rule and zone, then columns #, LOCAL (with
// weekday, offset and abbreviation), UTC, and a note for a fire a DST gap moved.
std::string RenderSchedulePreview(const nlohmann::ordered_json& preview);
// The answer to a transition: "task 7 is now in_progress".
std::string RenderMoved(const nlohmann::ordered_json& task, Instant now);

// "in 2d" from an RFC 3339 text; "-" when absent, the text itself when unparseable.
std::string RelativeDue(const nlohmann::ordered_json& due_at, const nlohmann::ordered_json& state,
                        Instant now);

// Schedules (area "sched"): one row per schedule; what a trigger did.
std::string RenderScheduleTable(const nlohmann::ordered_json& schedules);
std::string RenderTriggered(const std::string& id, const nlohmann::ordered_json& result);

}  // namespace kaizen::cli
