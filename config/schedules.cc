#include "config/schedules.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "workflow/cron_rule.h"
#include "workflow/duration.h"

namespace kaizen::config {

namespace {

using nlohmann::json;

const std::set<std::string> kFields = {"id",       "template",  "team",
                                       "rule",     "time_zone", "dst",
                                       "catch_up", "overlap",   "on_non_working_day"};

ConfigProblem Problem(std::string field, std::string reason) {
  ConfigProblem p;
  p.field = std::move(field);
  p.reason = std::move(reason);
  return p;
}

bool IsScheduleId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool IsZone(const std::string& name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

std::string Known(const std::vector<std::string>& names, std::string_view what) {
  if (names.empty()) return "no " + std::string(what) + " are configured";
  std::string out = "known: ";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out;
}

class Reader {
 public:
  Reader(const json& object, std::string path, std::vector<ConfigProblem>& problems)
      : object_(object), path_(std::move(path)), problems_(problems) {}

  std::string Field(std::string_view key) const { return path_ + "." + std::string(key); }
  void Add(std::string_view key, std::string reason) {
    problems_.push_back(Problem(Field(key), std::move(reason)));
  }

  // Absent: false (and "required" when it is); not a non-empty string: false with a problem.
  bool String(std::string_view key, std::string& out, bool required) {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
      if (required) Add(key, "required");
      return false;
    }
    if (!it->is_string()) {
      Add(key, "expected a string");
      return false;
    }
    if (it->get_ref<const std::string&>().empty()) {
      Add(key, "must not be empty");
      return false;
    }
    out = it->get<std::string>();
    return true;
  }

 private:
  const json& object_;
  std::string path_;
  std::vector<ConfigProblem>& problems_;
};

}  // namespace

WorkingCalendar TeamWorkingDays(const FollowUpSettings& follow_up, const Team& team) {
  auto it = follow_up.teams.find(team.id);
  if (it != follow_up.teams.end() && it->second.calendar) return *it->second.calendar;
  return WeekdayCalendar(team.time_zone);
}

std::vector<ScheduleSpec> ReadSchedules(const json& root, const Directory& directory,
                                        const FollowUpSettings& follow_up,
                                        const std::vector<PlanTemplate>& templates,
                                        std::vector<ConfigProblem>& problems) {
  std::vector<ScheduleSpec> out;
  auto section = root.find("schedules");
  if (section == root.end() || section->is_null()) return out;
  if (!section->is_array()) {
    problems.push_back(Problem("schedules", "expected an array of schedules"));
    return out;
  }
  std::vector<std::string> template_ids;
  for (const PlanTemplate& t : templates) template_ids.push_back(t.id);
  std::vector<std::string> team_ids;
  for (const Team& t : directory.teams()) team_ids.push_back(t.id);
  std::map<std::string, std::string> seen;

  for (std::size_t i = 0; i < section->size(); ++i) {
    const std::string path = "schedules[" + std::to_string(i) + "]";
    const json& item = (*section)[i];
    if (!item.is_object()) {
      problems.push_back(Problem(path, "expected an object"));
      continue;
    }
    const std::size_t problems_before = problems.size();
    Reader r(item, path, problems);
    for (const auto& [key, value] : item.items()) {
      if (kFields.count(key) == 0) {
        r.Add(key,
              "unknown field; known: id, template, team, rule, time_zone, dst, catch_up, "
              "overlap, on_non_working_day");
      }
    }
    ScheduleSpec spec;
    if (r.String("id", spec.id, true)) {
      if (!IsScheduleId(spec.id)) r.Add("id", "must use only a-z, 0-9, '.', '_' and '-'");
      auto [it, inserted] = seen.emplace(spec.id, path);
      if (!inserted) r.Add("id", "duplicate id '" + spec.id + "' (also " + it->second + ")");
    }
    const PlanTemplate* plan_template = nullptr;
    if (r.String("template", spec.template_id, true)) {
      for (const PlanTemplate& t : templates) {
        if (t.id == spec.template_id) plan_template = &t;
      }
      if (plan_template == nullptr) {
        r.Add("template",
              "unknown template '" + spec.template_id + "'; " + Known(template_ids, "templates"));
      }
    }
    const Team* team = nullptr;
    if (r.String("team", spec.team, true)) {
      team = directory.FindTeam(spec.team);
      if (team == nullptr) {
        r.Add("team", "unknown team '" + spec.team + "'; " + Known(team_ids, "teams"));
      }
    }
    std::string rule_text;
    if (r.String("rule", rule_text, true)) {
      Result<CronRule> rule = ParseCronRule(rule_text);
      if (rule.ok()) {
        spec.rule = std::move(rule).value();
      } else {
        r.Add("rule", rule.status().message());
      }
    }
    if (r.String("time_zone", spec.time_zone, false)) {
      if (!IsZone(spec.time_zone)) {
        r.Add("time_zone", "unknown time zone '" + spec.time_zone +
                               "'; use an IANA name such as Asia/Shanghai or UTC");
      }
    } else if (team != nullptr) {
      spec.time_zone = team->time_zone;
    }
    std::string text;
    if (r.String("dst", text, false)) {
      if (auto p = ParseDstGapPolicy(text)) {
        spec.dst = *p;
      } else {
        r.Add("dst", "must be one of: fire_after_gap, skip; got '" + text + "'");
      }
    }
    if (r.String("catch_up", text, false)) {
      Result<std::chrono::seconds> d = DecodeIsoDuration(text);
      if (d.ok()) {
        spec.catch_up = *d;
      } else {
        r.Add("catch_up", d.status().message());
      }
    }
    if (r.String("overlap", text, false)) {
      if (auto p = ParseOverlapPolicy(text)) {
        spec.overlap = *p;
      } else {
        r.Add("overlap", "must be one of: allow, skip, carry_over; got '" + text + "'");
      }
    }
    if (r.String("on_non_working_day", text, false)) {
      if (auto p = ParseNonWorkingDayPolicy(text)) {
        spec.on_non_working_day = *p;
      } else {
        r.Add("on_non_working_day", "must be one of: run, next_working_day; got '" + text + "'");
      }
    }
    if (plan_template != nullptr && team != nullptr && problems.size() == problems_before) {
      // Instantiated once now, so that a role the team does not map fails at load, not at the
      // first fire.
      const WorkingCalendar working_days = TeamWorkingDays(follow_up, *team);
      Result<NewPlan> plan =
          InstantiateTemplate(*plan_template, *team, directory, working_days, Instant{});
      if (!plan.ok()) {
        std::string field;
        if (plan.status().details().is_object() && plan.status().details().contains("field")) {
          field = " (" + plan.status().details()["field"].get<std::string>() + ")";
        }
        r.Add("template", "template '" + spec.template_id + "' cannot be used for team '" +
                              spec.team + "'" + field + ": " + plan.status().message());
      }
    }
    if (problems.size() == problems_before) out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace kaizen::config
