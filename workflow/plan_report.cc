#include "workflow/plan_report.h"

#include <date/tz.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "workflow/messages.h"
#include "workflow/notification.h"

namespace kaizen {
namespace {

using Json = nlohmann::json;

constexpr std::chrono::hours kDay{24};

bool IsFinished(TaskState state) {
  return state == TaskState::kDone || state == TaskState::kVerified;
}

// One decimal: the figure people read, and the same text each time it is stored and read back.
double RoundPercent(double value) { return std::round(value * 10.0) / 10.0; }

ReportTask ReportTaskOf(const Task& task, const Directory& directory, Instant now) {
  ReportTask out;
  out.id = task.id;
  out.title = task.title;
  out.owner = task.owner;
  const Person* person = directory.FindPerson(task.owner);
  out.owner_name = person != nullptr ? person->name : task.owner;
  out.due_at = task.due_at;
  out.state = task.state;
  if (IsOverdue(task, now)) {
    out.days_late =
        static_cast<int>(std::chrono::floor<std::chrono::days>(now - task.due_at).count());
  }
  out.carry_count = task.carry_count;
  out.carried_from = task.carried_from;
  return out;
}

// ---- JSON ---------------------------------------------------------------------------------

Json InstantJson(const std::optional<Instant>& t) {
  return t ? Json(FormatRfc3339(*t)) : Json(nullptr);
}

template <typename T>
Json OptionalJson(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json TaskJson(const ReportTask& t) {
  return {{"id", t.id},
          {"title", t.title},
          {"owner", t.owner},
          {"owner_name", t.owner_name},
          {"due_at", FormatRfc3339(t.due_at)},
          {"state", ToString(t.state)},
          {"days_late", t.days_late},
          {"carry_count", t.carry_count},
          {"carried_from", OptionalJson(t.carried_from)}};
}

Json GoalJson(const ReportGoal& g) {
  return {{"metric", g.metric},
          {"unit", g.unit},
          {"baseline", OptionalJson(g.baseline)},
          {"target", g.target},
          {"actual", OptionalJson(g.actual)},
          {"actual_at", InstantJson(g.actual_at)},
          {"owner", OptionalJson(g.owner)}};
}

// Thrown by the readers below on a value of the right JSON type but a wrong meaning; caught,
// with json::exception, by ReportFromJson.
struct MalformedReport {};

Instant ReadInstant(const Json& value) {
  std::optional<Instant> t = ParseRfc3339(value.get<std::string>());
  if (!t) throw MalformedReport{};
  return *t;
}

std::optional<Instant> ReadOptionalInstant(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return ReadInstant(value);
}

template <typename T>
std::optional<T> ReadOptional(const Json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<T>();
}

TaskState ReadTaskState(const Json& value) {
  std::optional<TaskState> state = ParseTaskState(value.get<std::string>());
  if (!state) throw MalformedReport{};
  return *state;
}

ReportTask ReadTask(const Json& j) {
  ReportTask t;
  t.id = j.at("id").get<TaskId>();
  t.title = j.at("title").get<std::string>();
  t.owner = j.at("owner").get<std::string>();
  t.owner_name = j.at("owner_name").get<std::string>();
  t.due_at = ReadInstant(j.at("due_at"));
  t.state = ReadTaskState(j.at("state"));
  t.days_late = j.at("days_late").get<int>();
  t.carry_count = j.at("carry_count").get<int>();
  t.carried_from = ReadOptional<PlanId>(j.at("carried_from"));
  return t;
}

ReportGoal ReadGoal(const Json& j) {
  ReportGoal g;
  g.metric = j.at("metric").get<std::string>();
  g.unit = j.at("unit").get<std::string>();
  g.baseline = ReadOptional<double>(j.at("baseline"));
  g.target = j.at("target").get<double>();
  g.actual = ReadOptional<double>(j.at("actual"));
  g.actual_at = ReadOptionalInstant(j.at("actual_at"));
  g.owner = ReadOptional<std::string>(j.at("owner"));
  return g;
}

// ---- Markdown -------------------------------------------------------------------------------

struct Words {
  const char* report;
  const char* closed;
  const char* live;
  const char* team;
  const char* state;
  const char* tasks;
  const char* total;
  const char* on_time;
  const char* on_time_none;
  const char* overdue;
  const char* none;
  const char* owner;
  const char* due;
  const char* days_late;
  const char* goals;
  const char* metric;
  const char* baseline;
  const char* target;
  const char* actual;
  const char* recorded;
  const char* snapshot;
  const char* scope_at_start;
  const char* added;
  const char* done;
  const char* verified;
  const char* cancelled;
  const char* carried;
  const char* carried_twice;
  const char* times;
  const char* previous;
  const char* change_on_time;
  const char* change_overdue;
  const char* points;
};

constexpr Words kEnglish = {
    "Report",
    "Closed",
    "Live report, generated",
    "Team",
    "Plan state",
    "Tasks",
    "Total",
    "On time",
    "On time: no task finished or due yet",
    "Overdue tasks",
    "None.",
    "Owner",
    "Deadline",
    "Days late",
    "Goals",
    "Metric",
    "Baseline",
    "Target",
    "Latest",
    "Recorded",
    "Cycle snapshot",
    "Scope at start",
    "Added",
    "Done",
    "Verified",
    "Cancelled",
    "Carried to the next cycle",
    "Carried twice or more",
    "times",
    "Against the previous cycle",
    "On time",
    "Overdue tasks",
    "points",
};

constexpr Words kChinese = {
    "报告",           "已结束于",   "实时报告，生成于",
    "团队",           "计划状态",   "任务",
    "合计",           "按时完成率", "按时完成率：尚无已完成或已到期的任务",
    "逾期任务",       "无。",       "负责人",
    "截止时间",       "逾期天数",   "目标",
    "指标",           "基线",       "目标值",
    "最新值",         "记录时间",   "本期快照",
    "期初范围",       "新增",       "已完成",
    "已验收",         "已取消",     "转入下一期",
    "结转两次及以上", "次",         "与上一期相比",
    "按时完成率",     "逾期任务",   "个百分点",
};

std::string_view StateWord(TaskState state, bool zh) {
  if (!zh) return ToString(state);
  switch (state) {
    case TaskState::kOpen: return "未开始";
    case TaskState::kInProgress: return "进行中";
    case TaskState::kBlocked: return "受阻";
    case TaskState::kDone: return "已完成";
    case TaskState::kVerified: return "已验收";
    case TaskState::kCancelled: return "已取消";
  }
  return ToString(state);
}

std::string_view PlanStateWord(PlanState state, bool zh) {
  if (!zh) return ToString(state);
  switch (state) {
    case PlanState::kActive: return "进行中";
    case PlanState::kCompleted: return "已完成";
    case PlanState::kCancelled: return "已取消";
  }
  return ToString(state);
}

// "2026-11-25 09:00" in the zone (UTC when the zone is unknown).
std::string LocalText(Instant t, const std::string& time_zone) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(time_zone);
  } catch (const std::exception&) {
    zone = date::locate_zone("UTC");
  }
  auto local = std::chrono::floor<std::chrono::minutes>(zone->to_local(t));
  return date::format("%Y-%m-%d %H:%M", local);
}

// A number as people write it: no trailing zeros ("95", "4.5").
std::string NumberText(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

std::string SignedText(double value) { return (value > 0 ? "+" : "") + NumberText(value); }

// Table cells: a '|' or a line break would end the cell.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string Optional(const std::optional<double>& value, std::string_view unit) {
  if (!value) return "-";
  return NumberText(*value) + std::string(unit);
}

}  // namespace

// ---- JSON -----------------------------------------------------------------------------------

std::string ReportToJson(const PlanReport& r) {
  Json by_state = Json::object();
  for (TaskState state : kAllTaskStates) {
    auto it = r.tasks_by_state.find(state);
    by_state[std::string(ToString(state))] = it == r.tasks_by_state.end() ? 0 : it->second;
  }
  Json overdue = Json::array();
  for (const ReportTask& t : r.overdue) overdue.push_back(TaskJson(t));
  Json carried_twice = Json::array();
  for (const ReportTask& t : r.carried_twice) carried_twice.push_back(TaskJson(t));
  Json goals = Json::array();
  for (const ReportGoal& g : r.goals) goals.push_back(GoalJson(g));
  Json previous = nullptr;
  if (r.previous_plan_id) {
    previous = {{"plan_id", *r.previous_plan_id},
                {"on_time_percent_change", OptionalJson(r.on_time_percent_change)},
                {"overdue_change", OptionalJson(r.overdue_change)}};
  }
  Json out = {
      {"plan_id", r.plan_id},
      {"title", r.title},
      {"team", r.team},
      {"time_zone", r.time_zone},
      {"plan_state", ToString(r.plan_state)},
      {"generated_at", FormatRfc3339(r.generated_at)},
      {"closed_at", InstantJson(r.closed_at)},
      {"tasks_by_state", std::move(by_state)},
      {"tasks_total", r.tasks_total},
      {"finished", r.finished},
      {"finished_on_time", r.finished_on_time},
      {"on_time_percent", OptionalJson(r.on_time_percent)},
      {"overdue", std::move(overdue)},
      {"carried_twice", std::move(carried_twice)},
      {"goals", std::move(goals)},
      {"snapshot",
       {{"scope_at_start", r.snapshot.scope_at_start},
        {"added", r.snapshot.added},
        {"done", r.snapshot.done},
        {"verified", r.snapshot.verified},
        {"cancelled", r.snapshot.cancelled},
        {"carried", r.snapshot.carried}}},
      {"previous", std::move(previous)},
  };
  return out.dump();
}

std::optional<PlanReport> ReportFromJson(const std::string& text) {
  try {
    const Json j = Json::parse(text);
    PlanReport r;
    r.plan_id = j.at("plan_id").get<PlanId>();
    r.title = j.at("title").get<std::string>();
    r.team = j.at("team").get<std::string>();
    r.time_zone = j.at("time_zone").get<std::string>();
    std::optional<PlanState> state = ParsePlanState(j.at("plan_state").get<std::string>());
    if (!state) return std::nullopt;
    r.plan_state = *state;
    r.generated_at = ReadInstant(j.at("generated_at"));
    r.closed_at = ReadOptionalInstant(j.at("closed_at"));
    for (const auto& [name, count] : j.at("tasks_by_state").items()) {
      std::optional<TaskState> task_state = ParseTaskState(name);
      if (!task_state) return std::nullopt;
      r.tasks_by_state[*task_state] = count.get<int>();
    }
    r.tasks_total = j.at("tasks_total").get<int>();
    r.finished = j.at("finished").get<int>();
    r.finished_on_time = j.at("finished_on_time").get<int>();
    r.on_time_percent = ReadOptional<double>(j.at("on_time_percent"));
    for (const Json& t : j.at("overdue")) r.overdue.push_back(ReadTask(t));
    for (const Json& t : j.at("carried_twice")) r.carried_twice.push_back(ReadTask(t));
    for (const Json& g : j.at("goals")) r.goals.push_back(ReadGoal(g));
    const Json& snapshot = j.at("snapshot");
    r.snapshot.scope_at_start = snapshot.at("scope_at_start").get<int>();
    r.snapshot.added = snapshot.at("added").get<int>();
    r.snapshot.done = snapshot.at("done").get<int>();
    r.snapshot.verified = snapshot.at("verified").get<int>();
    r.snapshot.cancelled = snapshot.at("cancelled").get<int>();
    r.snapshot.carried = snapshot.at("carried").get<int>();
    if (const Json& previous = j.at("previous"); !previous.is_null()) {
      r.previous_plan_id = previous.at("plan_id").get<PlanId>();
      r.on_time_percent_change = ReadOptional<double>(previous.at("on_time_percent_change"));
      r.overdue_change = ReadOptional<int>(previous.at("overdue_change"));
    }
    return r;
  } catch (const Json::exception&) {
    return std::nullopt;
  } catch (const MalformedReport&) {
    return std::nullopt;
  }
}

// ---- Markdown -------------------------------------------------------------------------------

std::string ReportToMarkdown(const PlanReport& r, std::string_view locale) {
  const bool zh = ParseLocale(locale) == Locale::kZhCn;
  const Words& w = zh ? kChinese : kEnglish;
  const std::string sep = zh ? "：" : ": ";
  const std::string zone = " (" + r.time_zone + ")";
  std::string out;
  out += "# " + std::string(w.report) + (zh ? "：" : ": ") + r.title + "\n\n";
  out += "- " + std::string(w.team) + sep + r.team + "\n";
  out += "- " + std::string(w.state) + sep + std::string(PlanStateWord(r.plan_state, zh)) + "\n";
  if (r.closed_at) {
    out += "- " + std::string(w.closed) + sep + LocalText(*r.closed_at, r.time_zone) + zone + "\n";
  } else {
    out += "- " + std::string(w.live) + sep + LocalText(r.generated_at, r.time_zone) + zone + "\n";
  }

  out += "\n## " + std::string(w.tasks) + "\n\n";
  out += "| " + std::string(zh ? "状态" : "State") + " | " + (zh ? "数量" : "Tasks") + " |\n";
  out += "| --- | ---: |\n";
  for (TaskState state : kAllTaskStates) {
    auto it = r.tasks_by_state.find(state);
    const int count = it == r.tasks_by_state.end() ? 0 : it->second;
    out += "| " + std::string(StateWord(state, zh)) + " | " + std::to_string(count) + " |\n";
  }
  out += "| **" + std::string(w.total) + "** | **" + std::to_string(r.tasks_total) + "** |\n\n";
  if (r.on_time_percent) {
    const std::string on_time = std::to_string(r.finished_on_time);
    const std::string finished = std::to_string(r.finished);
    const std::string line =
        zh ? "已完成 " + finished + " 项，其中 " + on_time + " 项在截止时间前完成"
           : on_time + " of " + finished + " finished tasks were done by their deadline";
    out += "**" + std::string(w.on_time) + sep + NumberText(*r.on_time_percent) + "%** (" + line +
           ")\n";
  } else {
    out += std::string(w.on_time_none) + "\n";
  }

  out += "\n## " + std::string(w.overdue) + "\n\n";
  if (r.overdue.empty()) {
    out += std::string(w.none) + "\n";
  } else {
    out += "| # | " + std::string(zh ? "任务" : "Task") + " | " + w.owner + " | " + w.due + zone +
           " | " + w.days_late + " |\n";
    out += "| ---: | --- | --- | --- | ---: |\n";
    for (const ReportTask& t : r.overdue) {
      out += "| " + std::to_string(t.id) + " | " + Cell(t.title) + " | " + Cell(t.owner_name) +
             " | " + LocalText(t.due_at, r.time_zone) + " | " + std::to_string(t.days_late) +
             " |\n";
    }
  }

  out += "\n## " + std::string(w.goals) + "\n\n";
  if (r.goals.empty()) {
    out += std::string(w.none) + "\n";
  } else {
    out += "| " + std::string(w.metric) + " | " + w.baseline + " | " + w.target + " | " + w.actual +
           " | " + w.recorded + " |\n";
    out += "| --- | ---: | ---: | ---: | --- |\n";
    for (const ReportGoal& g : r.goals) {
      out += "| " + Cell(g.metric) + " | " + Optional(g.baseline, g.unit) + " | " +
             NumberText(g.target) + g.unit + " | " + Optional(g.actual, g.unit) + " | " +
             (g.actual_at ? LocalText(*g.actual_at, r.time_zone) : "-") + " |\n";
    }
  }

  out += "\n## " + std::string(w.snapshot) + "\n\n";
  const CycleSnapshot& s = r.snapshot;
  out += "- " + std::string(w.scope_at_start) + sep + std::to_string(s.scope_at_start) + "\n";
  out += "- " + std::string(w.added) + sep + std::to_string(s.added) + "\n";
  out += "- " + std::string(w.done) + sep + std::to_string(s.done) + "\n";
  out += "- " + std::string(w.verified) + sep + std::to_string(s.verified) + "\n";
  out += "- " + std::string(w.cancelled) + sep + std::to_string(s.cancelled) + "\n";
  out += "- " + std::string(w.carried) + sep + std::to_string(s.carried) + "\n";
  if (!r.carried_twice.empty()) {
    out += "\n### " + std::string(w.carried_twice) + "\n\n";
    for (const ReportTask& t : r.carried_twice) {
      out += "- #" + std::to_string(t.id) + " " + t.title + " (" + t.owner_name + ", " +
             std::to_string(t.carry_count) + (zh ? " " : " ") + w.times + ")\n";
    }
  }

  if (r.previous_plan_id) {
    out +=
        "\n## " + std::string(w.previous) + " (#" + std::to_string(*r.previous_plan_id) + ")\n\n";
    if (r.on_time_percent_change) {
      out += "- " + std::string(w.change_on_time) + sep + SignedText(*r.on_time_percent_change) +
             " " + w.points + "\n";
    }
    if (r.overdue_change) {
      out += "- " + std::string(w.change_overdue) + sep + SignedText(*r.overdue_change) + "\n";
    }
  }
  return out;
}

// ---- Building -------------------------------------------------------------------------------

PlanReport BuildReport(PlanReader& reader, const Directory& directory, const Plan& plan,
                       const std::optional<PlanReport>& previous, Instant now) {
  PlanReport r;
  r.plan_id = plan.id;
  r.title = plan.title;
  r.team = plan.team;
  if (const Team* team = directory.FindTeam(plan.team)) r.time_zone = team->time_zone;
  r.plan_state = plan.state;
  r.generated_at = now;
  r.closed_at = plan.closed_at;
  for (TaskState state : kAllTaskStates) r.tasks_by_state[state] = 0;

  const std::vector<Task> tasks = reader.TasksOfPlan(plan.id);
  const std::vector<Task> carried_out = reader.TasksCarriedFrom(plan.id);

  int counted = 0;  // finished, or unfinished and due by now: what on-time is a share of
  for (const Task& task : tasks) {
    ++r.tasks_by_state[task.state];
    ++r.tasks_total;
    if (IsFinished(task.state)) {
      ++r.finished;
      ++counted;
      // completed_at is set on done; a row from before it existed counts by its last write.
      const Instant finished_at = task.completed_at.value_or(task.updated_at);
      if (finished_at <= task.due_at) ++r.finished_on_time;
    } else if (IsUnfinished(task.state) && task.due_at <= now) {
      ++counted;
    }
    if (IsOverdue(task, now)) r.overdue.push_back(ReportTaskOf(task, directory, now));
    // At start: created with the plan, or carried into it (created in an earlier cycle).
    if (task.created_at <= plan.created_at || task.carried_from) {
      ++r.snapshot.scope_at_start;
    } else {
      ++r.snapshot.added;
    }
    if (task.state == TaskState::kDone) ++r.snapshot.done;
    if (task.state == TaskState::kVerified) ++r.snapshot.verified;
    if (task.state == TaskState::kCancelled) ++r.snapshot.cancelled;
  }
  for (const Task& task : carried_out) {
    // Still part of this cycle's scope: it was here when the cycle started or was added to it.
    if (task.created_at <= plan.created_at) {
      ++r.snapshot.scope_at_start;
    } else {
      ++r.snapshot.added;
    }
    ++r.snapshot.carried;
  }
  if (counted > 0) r.on_time_percent = RoundPercent(100.0 * r.finished_on_time / counted);

  std::sort(r.overdue.begin(), r.overdue.end(), [](const ReportTask& a, const ReportTask& b) {
    return std::tie(b.days_late, a.due_at, a.id) < std::tie(a.days_late, b.due_at, b.id);
  });

  // Named whether they are still here (carried in twice) or have just left (carried out for
  // the second time).
  std::set<TaskId> named;
  for (const std::vector<Task>* list : {&tasks, &carried_out}) {
    for (const Task& task : *list) {
      if (task.carry_count >= 2 && named.insert(task.id).second) {
        r.carried_twice.push_back(ReportTaskOf(task, directory, now));
      }
    }
  }
  std::sort(r.carried_twice.begin(), r.carried_twice.end(),
            [](const ReportTask& a, const ReportTask& b) {
              return std::tie(b.carry_count, a.id) < std::tie(a.carry_count, b.id);
            });

  for (const Goal& goal : plan.goals) {
    r.goals.push_back(ReportGoal{goal.metric, goal.unit, goal.baseline, goal.target, goal.actual,
                                 goal.actual_at, goal.owner});
  }

  if (previous) {
    r.previous_plan_id = previous->plan_id;
    if (r.on_time_percent && previous->on_time_percent) {
      r.on_time_percent_change = RoundPercent(*r.on_time_percent - *previous->on_time_percent);
    }
    r.overdue_change =
        static_cast<int>(r.overdue.size()) - static_cast<int>(previous->overdue.size());
  }
  return r;
}

std::optional<PlanReport> FrozenReport(PlanReader& reader, PlanId plan) {
  std::optional<std::string> text = reader.FindPlanReport(plan);
  if (!text) return std::nullopt;
  return ReportFromJson(*text);
}

std::optional<PlanReport> PreviousCycleReport(PlanReader& reader, PlanId plan) {
  std::optional<PlanId> previous = reader.PreviousCyclePlanOf(plan);
  if (!previous) return std::nullopt;
  return FrozenReport(reader, *previous);
}

Result<PlanReport> ReportOfPlan(PlanReader& reader, const Directory& directory, PlanId plan_id,
                                Instant now) {
  std::optional<Plan> plan = reader.FindPlan(plan_id);
  if (!plan) return NotFound("plan_not_found", "there is no plan " + std::to_string(plan_id));
  if (plan->closed_at) {
    if (std::optional<PlanReport> frozen = FrozenReport(reader, plan_id)) return *frozen;
  }
  return BuildReport(reader, directory, *plan, PreviousCycleReport(reader, plan_id), now);
}

Result<ClosedPlan> ClosePlan(PlanRepository& repo, const FollowUpSettings& settings,
                             const Directory& directory, PlanId plan_id,
                             const std::optional<PlanReport>& previous, Instant now) {
  std::optional<Plan> plan = repo.FindPlan(plan_id);
  if (!plan) return NotFound("plan_not_found", "there is no plan " + std::to_string(plan_id));
  if (plan->closed_at) {
    if (std::optional<PlanReport> frozen = FrozenReport(repo, plan_id)) {
      return ClosedPlan{std::move(*frozen), false};
    }
    // Closed without a readable report (a row damaged by hand): answer what it would have said
    // rather than write again.
    PlanReport rebuilt = BuildReport(repo, directory, *plan, previous, now);
    return ClosedPlan{std::move(rebuilt), false};
  }

  PlanReport report = BuildReport(repo, directory, *plan, previous, now);
  report.closed_at = now;
  repo.InsertPlanReport(plan_id, now, ReportToJson(report));
  plan->closed_at = now;
  ++plan->version;
  plan->updated_at = now;
  repo.UpdatePlan(*plan);

  std::map<std::string, std::string> facts = {
      {"tasks_total", std::to_string(report.tasks_total)},
      {"tasks_done", std::to_string(report.finished)},
      {"tasks_overdue", std::to_string(report.overdue.size())},
      {"on_time_percent",
       report.on_time_percent ? NumberText(std::round(*report.on_time_percent)) : ""},
      {"tasks_carried", report.snapshot.carried > 0 ? std::to_string(report.snapshot.carried) : ""},
  };
  NotifyPlanEvent(repo, settings, directory, *plan, kNotifyCycleSummary, std::move(facts),
                  "p" + std::to_string(plan_id) + "-closed", now);
  return ClosedPlan{std::move(report), true};
}

}  // namespace kaizen
