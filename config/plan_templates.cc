#include "config/plan_templates.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <system_error>

#include "config/config.h"
#include "workflow/duration.h"

namespace kaizen::config {
namespace {

using nlohmann::json;
using std::chrono::minutes;

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string Index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

std::string JoinNames(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The same words as config.cc uses for a wrong value.
std::string Describe(const json& value) {
  if (value.is_number_float() || value.is_boolean()) return value.dump();
  if (value.is_number()) return "the number " + value.dump();
  if (value.is_string()) return "a string";
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  return "null";
}

bool IsId(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

constexpr std::string_view kIdRule = "must use only a-z, 0-9, '.', '_' and '-'";

std::string FormatTimeOfDay(minutes m) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(m.count() / 60),
                static_cast<int>(m.count() % 60));
  return text;
}

// Reads one object's fields, reporting unknown keys and wrong types, like config.cc's reader.
class Reader {
 public:
  Reader(const json& object, std::string path, std::vector<ConfigProblem>& problems,
         std::set<std::string> known)
      : object_(object), path_(std::move(path)), problems_(problems) {
    for (const auto& [key, value] : object_.items()) {
      if (known.count(key) == 0) Add(key, "unknown field; known: " + JoinNames(known));
    }
  }

  std::string Field(std::string_view key) const { return Join(path_, key); }
  void Add(std::string_view key, std::string reason) {
    problems_.push_back({Field(key), std::move(reason), ""});
  }

  const json* Get(std::string_view key) const {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  bool String(std::string_view key, std::string& out, bool required, bool non_empty = true) {
    const json* value = Get(key);
    if (value == nullptr) {
      if (required) Add(key, "required");
      return false;
    }
    if (!value->is_string()) {
      Add(key, "expected a string, got " + Describe(*value));
      return false;
    }
    if (non_empty && value->get_ref<const std::string&>().empty()) {
      Add(key, "must not be empty");
      return false;
    }
    out = value->get<std::string>();
    return true;
  }

  bool Number(std::string_view key, double& out, bool required) {
    const json* value = Get(key);
    if (value == nullptr) {
      if (required) Add(key, "required");
      return false;
    }
    if (!value->is_number() || !std::isfinite(value->get<double>())) {
      Add(key, "expected a number, got " + Describe(*value));
      return false;
    }
    out = value->get<double>();
    return true;
  }

  bool Integer(std::string_view key, int min, int max, int& out) {
    const json* value = Get(key);
    if (value == nullptr) return false;
    if (!value->is_number_integer()) {
      Add(key, "expected an integer, got " + Describe(*value));
      return false;
    }
    const bool too_big = value->is_number_unsigned() &&
                         value->get<std::uint64_t>() > static_cast<std::uint64_t>(max);
    if (too_big || value->get<std::int64_t>() < min || value->get<std::int64_t>() > max) {
      Add(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                   value->dump());
      return false;
    }
    out = static_cast<int>(value->get<std::int64_t>());
    return true;
  }

  bool Bool(std::string_view key, bool& out) {
    const json* value = Get(key);
    if (value == nullptr) return false;
    if (!value->is_boolean()) {
      Add(key, "expected true or false, got " + Describe(*value));
      return false;
    }
    out = value->get<bool>();
    return true;
  }

  // A duration longer than zero.
  bool Duration(std::string_view key, std::chrono::seconds& out, bool required) {
    std::string text;
    if (!String(key, text, required)) return false;
    Result<std::chrono::seconds> duration = DecodeIsoDuration(text);
    if (!duration.ok()) {
      Add(key, duration.status().message());
      return false;
    }
    if (duration->count() <= 0) {
      Add(key, "must be longer than zero");
      return false;
    }
    out = *duration;
    return true;
  }

  bool TimeOfDay(std::string_view key, minutes& out) {
    std::string text;
    if (!String(key, text, /*required=*/true)) return false;
    auto parsed = ParseTimeOfDay(text);
    if (!parsed) {
      Add(key, "expected a local time HH:MM from 00:00 to 23:59, got '" + text + "'");
      return false;
    }
    out = *parsed;
    return true;
  }

  // "person-id" or {"role": "name"}.
  bool Owner(std::string_view key, const TemplateReferences& known, OwnerRef& out, bool required) {
    const json* value = Get(key);
    if (value == nullptr) {
      if (required) Add(key, "required");
      return false;
    }
    if (value->is_string()) {
      out = {OwnerRef::Kind::kPerson, value->get<std::string>()};
      if (known.people.count(out.name) == 0) {
        Add(key, "unknown person '" + out.name + "'; " +
                     (known.people.empty() ? std::string("no people are configured")
                                           : "known: " + JoinNames(known.people)));
        return false;
      }
      return true;
    }
    if (!value->is_object()) {
      Add(key, "expected a person id or {\"role\": \"...\"}, got " + Describe(*value));
      return false;
    }
    Reader role(*value, Field(key), problems_, {"role"});
    OwnerRef ref{OwnerRef::Kind::kRole, ""};
    if (!role.String("role", ref.name, /*required=*/true)) return false;
    if (known.roles.count(ref.name) == 0) {
      role.Add("role", "no team maps the role '" + ref.name + "' (teams[].roles); " +
                           (known.roles.empty() ? std::string("no team maps any role")
                                                : "mapped roles: " + JoinNames(known.roles)));
      return false;
    }
    out = ref;
    return true;
  }

  bool Policy(std::string_view key, const TemplateReferences& known,
              std::optional<std::string>& out) {
    std::string name;
    if (!String(key, name, /*required=*/false)) return false;
    if (known.policies.count(name) == 0) {
      Add(key, "unknown policy '" + name + "'; known: " + JoinNames(known.policies));
      return false;
    }
    out = name;
    return true;
  }

  // The array at `key`, or nullptr when absent; reports a non-array.
  const json* Array(std::string_view key, bool required) {
    const json* value = Get(key);
    if (value == nullptr) {
      if (required) Add(key, "required");
      return nullptr;
    }
    if (!value->is_array()) {
      Add(key, "expected an array, got " + Describe(*value));
      return nullptr;
    }
    return value;
  }

  std::vector<ConfigProblem>& problems() { return problems_; }

 private:
  const json& object_;
  std::string path_;
  std::vector<ConfigProblem>& problems_;
};

void ReadDeadline(Reader& task, TemplateDeadline& out) {
  const json* value = task.Get("deadline");
  if (value == nullptr) {
    task.Add("deadline",
             "required: {\"after\": \"P3D\"}, {\"working_days\": 3, \"at\": "
             "\"18:00\"} or {\"day_of_month\": 5, \"at\": \"18:00\"}");
    return;
  }
  if (!value->is_object()) {
    task.Add("deadline", "expected an object, got " + Describe(*value));
    return;
  }
  const std::string path = task.Field("deadline");
  std::vector<std::string> kinds;
  for (const char* kind : {"after", "working_days", "day_of_month"}) {
    if (value->contains(kind)) kinds.push_back(kind);
  }
  if (kinds.size() != 1) {
    task.problems().push_back({path,
                               kinds.empty()
                                   ? "needs one of after, working_days or day_of_month"
                                   : "give only one of after, working_days and day_of_month",
                               ""});
    return;
  }
  if (kinds[0] == "after") {
    Reader r(*value, path, task.problems(), {"after"});
    out.kind = TemplateDeadline::Kind::kAfter;
    r.Duration("after", out.after, /*required=*/true);
  } else if (kinds[0] == "working_days") {
    Reader r(*value, path, task.problems(), {"working_days", "at"});
    out.kind = TemplateDeadline::Kind::kWorkingDays;
    r.Integer("working_days", 0, 366, out.working_days);
    r.TimeOfDay("at", out.time_of_day);
  } else {
    Reader r(*value, path, task.problems(), {"day_of_month", "at"});
    out.kind = TemplateDeadline::Kind::kDayOfMonth;
    r.Integer("day_of_month", 1, 31, out.day_of_month);
    r.TimeOfDay("at", out.time_of_day);
  }
}

// Reports each dependency cycle once, on the depends_on of its first task in the file.
void CheckCycles(const std::vector<TemplateTask>& tasks, const std::string& path,
                 std::vector<ConfigProblem>& problems) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < tasks.size(); ++i) index.emplace(tasks[i].key, i);
  std::vector<int> state(tasks.size(), 0);  // 0 unvisited, 1 on the current path, 2 done
  std::vector<std::size_t> stack;
  std::function<bool(std::size_t)> visit = [&](std::size_t at) {
    state[at] = 1;
    stack.push_back(at);
    for (const std::string& dep : tasks[at].depends_on) {
      auto next = index.find(dep);
      if (next == index.end()) continue;  // reported as unknown
      if (state[next->second] == 1) {
        auto from = std::find(stack.begin(), stack.end(), next->second);
        std::vector<std::size_t> members(from, stack.end());
        const std::size_t first = *std::min_element(members.begin(), members.end());
        std::rotate(members.begin(), std::find(members.begin(), members.end(), first),
                    members.end());
        std::string chain;
        for (std::size_t m : members) chain += tasks[m].key + " -> ";
        chain += tasks[first].key;
        problems.push_back({Join(Index(Join(path, "tasks"), first), "depends_on"),
                            "dependency cycle: " + chain, ""});
        return true;
      }
      if (state[next->second] == 0 && visit(next->second)) return true;
    }
    state[at] = 2;
    stack.pop_back();
    return false;
  };
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (state[i] != 0) continue;
    stack.clear();
    if (visit(i)) {
      // Everything on the reported cycle's walk is done: one report per cycle.
      for (int& s : state) {
        if (s == 1) s = 2;
      }
    }
  }
}

json OwnerToJson(const OwnerRef& owner) {
  if (owner.kind == OwnerRef::Kind::kRole) return {{"role", owner.name}};
  return owner.name;
}

}  // namespace

FileReader FilesystemReader() {
  return [](const std::string& path) -> Result<std::string> {
    auto fail = [](int error) {
      return Status(InvalidArgument("file_unreadable", std::generic_category().message(error)));
    };
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                         &std::fclose);
    if (!file) return fail(errno);
    std::string text;
    char buffer[16384];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
    if (std::ferror(file.get())) return fail(errno);
    return text;
  };
}

std::optional<minutes> ParseTimeOfDay(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return minutes{h * 60 + m};
}

std::optional<PlanTemplate> ReadPlanTemplate(const json& value, const std::string& path,
                                             const TemplateReferences& known,
                                             std::vector<ConfigProblem>& problems) {
  if (!value.is_object()) {
    problems.push_back({path, "expected a template object, got " + Describe(value), ""});
    return std::nullopt;
  }
  Reader r(value, path, problems,
           {"id", "title", "description", "kind", "owner", "allow_self_verification",
            "reminder_policy", "goals", "tasks"});
  PlanTemplate out;
  if (r.String("id", out.id, /*required=*/true) && !IsId(out.id)) {
    r.Add("id", std::string(kIdRule));
  }
  r.String("title", out.title, /*required=*/true);
  r.String("description", out.description, /*required=*/false, /*non_empty=*/false);
  r.String("kind", out.kind, /*required=*/false);
  r.Owner("owner", known, out.owner, /*required=*/true);
  r.Bool("allow_self_verification", out.allow_self_verification);
  r.Policy("reminder_policy", known, out.reminder_policy);

  if (const json* goals = r.Array("goals", /*required=*/false)) {
    for (std::size_t i = 0; i < goals->size(); ++i) {
      const std::string goal_path = Index(r.Field("goals"), i);
      const json& item = (*goals)[i];
      if (!item.is_object()) {
        problems.push_back({goal_path, "expected an object, got " + Describe(item), ""});
        continue;
      }
      Reader g(item, goal_path, problems,
               {"metric", "baseline", "target", "unit", "owner", "check_in"});
      TemplateGoal goal;
      g.String("metric", goal.metric, /*required=*/true);
      double baseline = 0;
      if (g.Number("baseline", baseline, /*required=*/false)) goal.baseline = baseline;
      g.Number("target", goal.target, /*required=*/true);
      g.String("unit", goal.unit, /*required=*/false, /*non_empty=*/false);
      OwnerRef owner;
      if (g.Owner("owner", known, owner, /*required=*/false)) goal.owner = owner;
      if (const json* check_in = g.Get("check_in")) {
        if (!check_in->is_object()) {
          g.Add("check_in", "expected an object, got " + Describe(*check_in));
        } else {
          Reader c(*check_in, g.Field("check_in"), problems, {"every", "before_close"});
          std::chrono::seconds d{0};
          if (c.Duration("every", d, /*required=*/false)) goal.check_in_every = d;
          if (c.Duration("before_close", d, /*required=*/false)) goal.check_in_before_close = d;
        }
      }
      out.goals.push_back(std::move(goal));
    }
  }

  const json* tasks = r.Array("tasks", /*required=*/true);
  if (tasks != nullptr && tasks->empty()) r.Add("tasks", "a template needs at least one task");
  std::map<std::string, std::string> key_paths;
  std::vector<std::pair<std::string, std::string>> dependencies;  // (field, key) to check
  if (tasks != nullptr) {
    for (std::size_t i = 0; i < tasks->size(); ++i) {
      const std::string task_path = Index(r.Field("tasks"), i);
      const json& item = (*tasks)[i];
      if (!item.is_object()) {
        problems.push_back({task_path, "expected an object, got " + Describe(item), ""});
        continue;
      }
      Reader t(item, task_path, problems,
               {"key", "title", "description", "criterion", "owner", "depends_on", "deadline",
                "reminder_policy"});
      TemplateTask task;
      if (t.String("key", task.key, /*required=*/true)) {
        if (!IsId(task.key)) {
          t.Add("key", std::string(kIdRule));
        } else if (auto [it, inserted] = key_paths.emplace(task.key, task_path); !inserted) {
          t.Add("key", "duplicate key '" + task.key + "'; first used at " + it->second);
        }
      }
      t.String("title", task.title, /*required=*/true);
      t.String("description", task.description, /*required=*/false, /*non_empty=*/false);
      t.String("criterion", task.criterion, /*required=*/false, /*non_empty=*/false);
      t.Owner("owner", known, task.owner, /*required=*/true);
      if (const json* deps = t.Array("depends_on", /*required=*/false)) {
        for (std::size_t d = 0; d < deps->size(); ++d) {
          const std::string dep_path = Index(t.Field("depends_on"), d);
          const json& dep = (*deps)[d];
          if (!dep.is_string() || dep.get_ref<const std::string&>().empty()) {
            problems.push_back({dep_path, "expected a task key, got " + Describe(dep), ""});
            continue;
          }
          const std::string key = dep.get<std::string>();
          if (std::find(task.depends_on.begin(), task.depends_on.end(), key) !=
              task.depends_on.end()) {
            problems.push_back({dep_path, "'" + key + "' is listed twice", ""});
            continue;
          }
          if (key == task.key) {
            problems.push_back({dep_path, "a task cannot depend on itself", ""});
            continue;
          }
          task.depends_on.push_back(key);
          dependencies.emplace_back(dep_path, key);
        }
      }
      ReadDeadline(t, task.deadline);
      t.Policy("reminder_policy", known, task.reminder_policy);
      out.tasks.push_back(std::move(task));
    }
  }
  bool dependencies_known = true;
  for (const auto& [field, key] : dependencies) {
    if (key_paths.count(key) == 0) {
      std::set<std::string> keys;
      for (const auto& [k, p] : key_paths) keys.insert(k);
      problems.push_back(
          {field, "no task has the key '" + key + "'; keys: " + JoinNames(keys), ""});
      dependencies_known = false;
    }
  }
  if (dependencies_known) CheckCycles(out.tasks, path, problems);
  return out;
}

json PlanTemplateToJson(const PlanTemplate& t) {
  json out = {{"id", t.id},
              {"title", t.title},
              {"description", t.description},
              {"kind", t.kind},
              {"owner", OwnerToJson(t.owner)},
              {"allow_self_verification", t.allow_self_verification}};
  if (t.reminder_policy) out["reminder_policy"] = *t.reminder_policy;
  json goals = json::array();
  for (const TemplateGoal& g : t.goals) {
    json goal = {{"metric", g.metric}, {"target", g.target}, {"unit", g.unit}};
    if (g.baseline) goal["baseline"] = *g.baseline;
    if (g.owner) goal["owner"] = OwnerToJson(*g.owner);
    if (g.check_in_every || g.check_in_before_close) {
      json check_in = json::object();
      if (g.check_in_every) check_in["every"] = FormatIsoDuration(*g.check_in_every);
      if (g.check_in_before_close) {
        check_in["before_close"] = FormatIsoDuration(*g.check_in_before_close);
      }
      goal["check_in"] = std::move(check_in);
    }
    goals.push_back(std::move(goal));
  }
  out["goals"] = std::move(goals);
  json tasks = json::array();
  for (const TemplateTask& task : t.tasks) {
    json item = {{"key", task.key},
                 {"title", task.title},
                 {"description", task.description},
                 {"criterion", task.criterion},
                 {"owner", OwnerToJson(task.owner)},
                 {"depends_on", task.depends_on}};
    switch (task.deadline.kind) {
      case TemplateDeadline::Kind::kAfter:
        item["deadline"] = {{"after", FormatIsoDuration(task.deadline.after)}};
        break;
      case TemplateDeadline::Kind::kWorkingDays:
        item["deadline"] = {{"working_days", task.deadline.working_days},
                            {"at", FormatTimeOfDay(task.deadline.time_of_day)}};
        break;
      case TemplateDeadline::Kind::kDayOfMonth:
        item["deadline"] = {{"day_of_month", task.deadline.day_of_month},
                            {"at", FormatTimeOfDay(task.deadline.time_of_day)}};
        break;
    }
    if (task.reminder_policy) item["reminder_policy"] = *task.reminder_policy;
    tasks.push_back(std::move(item));
  }
  out["tasks"] = std::move(tasks);
  return out;
}

}  // namespace kaizen::config
