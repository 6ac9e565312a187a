// The config's plan templates ("templates": [...], each a template object inline or
// {"file": "path"}) and the teams' roles they name owners by. config.cc reads the files and
// substitutes ${NAME}; this file reads one template object with every rule checked, and writes
// a template back as JSON in the same shape (for the API). Pure; any thread.
//
// Shape of a template (README "Templates"):
//   {"id", "title", "description"?, "kind"?, "owner": "person-id" | {"role": "analyst"},
//    "allow_self_verification"?, "reminder_policy"?,
//    "goals"?: [{"metric", "baseline"?, "target", "unit"?, "owner"?,
//                "check_in"?: {"every"?: "P7D", "before_close"?: "P2D"}}],
//    "tasks": [{"key", "title", "description"?, "criterion"?, "owner", "depends_on"?: ["key"],
//               "deadline": {"after": "P3D"} | {"working_days": 3, "at": "18:00"}
//                         | {"day_of_month": 5, "at": "18:00"},
//               "reminder_policy"?}]}
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "workflow/plan_template.h"
#include "workflow/status.h"

namespace kaizen::config {

struct ConfigProblem;

// Reads a file the config names ({"file": ...} in "templates"). The real filesystem in
// production (FilesystemReader), a map in tests. On failure the status's message is the reason
// ("No such file or directory").
using FileReader = std::function<Result<std::string>(const std::string& path)>;
FileReader FilesystemReader();

// What a template may refer to.
struct TemplateReferences {
  std::set<std::string> people;    // person ids
  std::set<std::string> policies;  // reminder policy names, the built-in "default" included
  // Roles some team maps. A role no team maps could never be resolved: it is a problem (most
  // likely a typo). Whether the template's team maps it is checked when the template is used.
  std::set<std::string> roles;
};

// Reads the template object `value` at `path` ("templates[0]", or "" for a template file).
// Problems are appended with their field paths under `path` (ConfigProblem::file left empty for
// the caller to set). Returns nullopt when the value is not an object; otherwise the template
// as far as it could be read (the caller discards it when there are problems).
std::optional<PlanTemplate> ReadPlanTemplate(const nlohmann::json& value, const std::string& path,
                                             const TemplateReferences& known,
                                             std::vector<ConfigProblem>& problems);

// The template in the config's shape; ReadPlanTemplate reads it back to an equal template
// (source aside, which is not part of the shape).
nlohmann::json PlanTemplateToJson(const PlanTemplate& plan_template);

// "HH:MM" (00:00..23:59) as minutes since midnight.
std::optional<std::chrono::minutes> ParseTimeOfDay(std::string_view text);

}  // namespace kaizen::config
