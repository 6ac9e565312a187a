#include "workflow/plan_template.h"

#include <algorithm>
#include <cstdio>
#include <exception>

namespace kaizen {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::seconds;
using LocalMs = date::local_time<milliseconds>;

// A local wall-clock time as an instant. A time a DST gap skips becomes the first instant after
// the gap (the transition itself); a time lived twice (fall back) is its first occurrence, the
// earlier instant, so that a deadline never moves later than the wall clock says.
Instant LocalToInstant(const date::time_zone& zone, LocalMs local) {
  const date::local_info info = zone.get_info(date::floor<seconds>(local));
  switch (info.result) {
    case date::local_info::nonexistent:
      return Instant{date::floor<milliseconds>(info.second.begin)};
    case date::local_info::ambiguous:
    case date::local_info::unique:
    default: return Instant{local.time_since_epoch() - info.first.offset};
  }
}

LocalMs ToLocal(const date::time_zone& zone, Instant t) { return zone.to_local(t); }

const date::time_zone& ZoneOrUtc(const std::string& name) {
  try {
    return *date::locate_zone(name);
  } catch (const std::exception&) {
    // The config checks every team's zone; a test or an old row may still hold a bad one, and a
    // title or deadline in UTC is better than none.
    return *date::locate_zone("UTC");
  }
}

std::string TwoDigits(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "%02u", value);
  return text;
}

Status WithField(const Status& status, const std::string& field) {
  nlohmann::json details =
      status.details().is_object() ? status.details() : nlohmann::json::object();
  details["field"] = field;
  return Status(status.code(), status.reason(), status.message(), std::move(details));
}

}  // namespace

Result<PersonId> ResolveOwner(const OwnerRef& owner, const Team& team, const Directory& directory) {
  PersonId person = owner.name;
  if (owner.kind == OwnerRef::Kind::kRole) {
    auto found = team.roles.find(owner.name);
    if (found == team.roles.end()) {
      std::string known;
      for (const auto& [role, holder] : team.roles) known += (known.empty() ? "" : ", ") + role;
      return Unprocessable("unknown_role",
                           "team '" + team.id + "' has no one in the role '" + owner.name + "'" +
                               (known.empty() ? "; it maps no roles" : "; its roles: " + known),
                           {{"role", owner.name}, {"team", team.id}});
    }
    person = found->second;
  }
  if (directory.FindPerson(person) == nullptr) {
    return Unprocessable("unknown_owner", "unknown person '" + person + "'", {{"person", person}});
  }
  return person;
}

Instant DeadlineFor(const TemplateDeadline& deadline, Instant start, const date::time_zone& zone,
                    const WorkingCalendar& working_days) {
  switch (deadline.kind) {
    case TemplateDeadline::Kind::kAfter: return start + deadline.after;
    case TemplateDeadline::Kind::kWorkingDays: {
      date::local_days day = date::floor<days>(ToLocal(zone, start));
      // A calendar built by WorkingCalendar::Create has a working weekday, so each step of
      // seven days finds at least one; the bound only guards against a broken calendar.
      const int limit = deadline.working_days * 7 + 400 * 7;
      int found = 0;
      for (int step = 0; found < deadline.working_days && step < limit; ++step) {
        day += days{1};
        if (working_days.IsWorkingDay(day)) ++found;
      }
      return LocalToInstant(zone, LocalMs{day} + deadline.time_of_day);
    }
    case TemplateDeadline::Kind::kDayOfMonth: {
      const date::year_month_day start_date{date::floor<days>(ToLocal(zone, start))};
      const auto on_day_of = [&](date::year_month month) {
        const date::day last = date::year_month_day_last{month / date::last}.day();
        const date::day wanted{static_cast<unsigned>(deadline.day_of_month)};
        const date::local_days day{month / std::min(wanted, last)};
        return LocalToInstant(zone, LocalMs{day} + deadline.time_of_day);
      };
      const date::year_month month = start_date.year() / start_date.month();
      const Instant this_month = on_day_of(month);
      if (this_month > start) return this_month;
      return on_day_of(month + date::months{1});
    }
  }
  return start;
}

std::string ExpandTitle(const std::string& pattern, Instant start, const Team& team) {
  const date::year_month_day local{date::floor<days>(ToLocal(ZoneOrUtc(team.time_zone), start))};
  const unsigned month = static_cast<unsigned>(local.month());
  const std::string year = std::to_string(static_cast<int>(local.year()));
  const std::string team_name = team.name.empty() ? team.id : team.name;
  std::string out;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] == '{') {
      const std::size_t close = pattern.find('}', i + 1);
      if (close != std::string::npos) {
        const std::string name = pattern.substr(i + 1, close - i - 1);
        std::optional<std::string> value;
        if (name == "year") value = year;
        if (name == "month") value = TwoDigits(month);
        if (name == "quarter") value = std::to_string((month - 1) / 3 + 1);
        if (name == "day") value = TwoDigits(static_cast<unsigned>(local.day()));
        if (name == "date") value = date::format("%F", local);
        if (name == "team") value = team_name;
        if (value) {
          out += *value;
          i = close + 1;
          continue;
        }
      }
    }
    // Anything else, an unknown {name} included, is kept as written.
    out += pattern[i++];
  }
  return out;
}

Result<NewPlan> InstantiateTemplate(const PlanTemplate& plan_template, const Team& team,
                                    const Directory& directory, const WorkingCalendar& working_days,
                                    Instant start, std::optional<Instant> closes_at) {
  const date::time_zone& zone = ZoneOrUtc(team.time_zone);
  NewPlan plan;
  plan.title = ExpandTitle(plan_template.title, start, team);
  plan.description = plan_template.description;
  plan.kind = plan_template.kind;
  plan.team = team.id;
  plan.allow_self_verification = plan_template.allow_self_verification;
  plan.reminder_policy = plan_template.reminder_policy;
  plan.template_id = plan_template.id;

  Result<PersonId> owner = ResolveOwner(plan_template.owner, team, directory);
  if (!owner.ok()) return WithField(owner.status(), "owner");
  plan.owner = *owner;

  for (std::size_t i = 0; i < plan_template.goals.size(); ++i) {
    const TemplateGoal& source = plan_template.goals[i];
    Goal goal;
    goal.metric = source.metric;
    goal.baseline = source.baseline;
    goal.target = source.target;
    goal.unit = source.unit;
    goal.check_in_every = source.check_in_every;
    goal.check_in_before_close = source.check_in_before_close;
    if (source.owner) {
      Result<PersonId> goal_owner = ResolveOwner(*source.owner, team, directory);
      if (!goal_owner.ok()) {
        return WithField(goal_owner.status(), "goals[" + std::to_string(i) + "].owner");
      }
      goal.owner = *goal_owner;
    }
    plan.goals.push_back(std::move(goal));
  }

  std::optional<Instant> latest;
  for (std::size_t i = 0; i < plan_template.tasks.size(); ++i) {
    const TemplateTask& source = plan_template.tasks[i];
    NewTask task;
    task.key = source.key;
    task.title = ExpandTitle(source.title, start, team);
    task.description = source.description;
    task.criterion = source.criterion;
    Result<PersonId> task_owner = ResolveOwner(source.owner, team, directory);
    if (!task_owner.ok()) {
      return WithField(task_owner.status(), "tasks[" + std::to_string(i) + "].owner");
    }
    task.owner = *task_owner;
    task.due_at = DeadlineFor(source.deadline, start, zone, working_days);
    task.depends_on_keys = source.depends_on;
    task.reminder_policy = source.reminder_policy;
    if (!latest || task.due_at > *latest) latest = task.due_at;
    plan.tasks.push_back(std::move(task));
  }
  plan.closes_at = closes_at ? closes_at : latest;
  return plan;
}

WorkingCalendar WeekdayCalendar(const std::string& zone) {
  WorkingCalendarOptions options;
  options.time_zone = zone;
  Result<WorkingCalendar> calendar = WorkingCalendar::Create(options);
  if (calendar.ok()) return std::move(calendar).value();
  options.time_zone = "UTC";
  return std::move(WorkingCalendar::Create(options)).value();
}

}  // namespace kaizen
