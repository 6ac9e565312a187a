// Who may call which API route: the roles of API tokens (issue 6, "Access") as pure rules.
//
// Roles are cumulative: viewer < member < manager < admin.
//   viewer   every read (GET, and the pure schedule preview)
//   member   + writes to the tasks its person owns (PATCH, transitions, snooze) and recording
//              the values of the goals its person owns
//   manager  + everything on the plans, tasks and schedules of its teams (create plans, add
//              tasks, cancel, close, transitions, goal values, pause/resume/trigger), and the
//              delivery operations (notification retry, channel test)
//   admin    everything, admin routes included
//
// Every route declares the Permission it needs. A request is checked twice: CheckRole before
// the handler runs (can this role ever do this?), then CheckTarget once the handler has loaded
// the resource (this task's owner, this plan's team). The domain rules (who may verify, ...)
// apply afterwards, unchanged. Pure values and functions; callable from any thread.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "workflow/model.h"
#include "workflow/status.h"

namespace kaizen {

enum class ApiRole { kViewer, kMember, kManager, kAdmin };

std::string_view ToString(ApiRole role);
// "viewer", "member", "manager", "admin"; nullopt for anything else.
std::optional<ApiRole> ParseApiRole(std::string_view text);

// What a route needs. No route exists without one (ApiHandlers::Route takes it).
enum class Permission {
  kPublic,         // no token: /healthz, /readyz, /openapi.json, /metrics
  kRead,           // viewer: every GET, POST /schedules/preview (computes, writes nothing)
  kTaskWrite,      // member on a task it owns; manager on a task of its teams
  kGoalWrite,      // member on a goal it owns; manager on a goal of a plan of its teams
  kPlanWrite,      // manager on a plan of its teams: create, add tasks, cancel, close
  kScheduleWrite,  // manager on a schedule of its teams: pause, resume, trigger
  kOperate,        // manager: notification retry, channel test (channels serve many teams)
  kAdmin,          // admin only
};

std::string_view ToString(Permission permission);

// The least role that may ever hold `permission` (kViewer for kPublic).
ApiRole LeastRoleFor(Permission permission);

// The holder of a valid token, as its config entry names it. Never holds the secret.
struct Caller {
  std::string token_name;  // "ci-bot": what logs and errors show
  ApiRole role = ApiRole::kViewer;
  std::optional<PersonId> person;            // required for member and manager
  std::set<std::string, std::less<>> teams;  // manager: the teams it manages
};

// The resource a write touches, as its handler loaded it.
struct AccessTarget {
  std::optional<std::string> team;  // the plan's or the schedule's team
  std::optional<PersonId> owner;    // the task's or the goal's owner
};

// Whether `caller`'s role can hold `permission` on some resource. kPermissionDenied
// "forbidden" naming the role needed (details: required_role, role, token).
Status CheckRole(const Caller& caller, Permission permission);

// Whether `caller` may do `permission` on `target` (after CheckRole passed): the owner rule for
// members, the team scope for managers. kPermissionDenied "forbidden" saying why.
Status CheckTarget(const Caller& caller, Permission permission, const AccessTarget& target);

// The actor of a write by `caller` whose body names `body_actor` (absent: nullopt):
//   a token with a person: that person; a body actor that differs is kPermissionDenied
//     "actor_mismatch";
//   an admin token without a person: the body's actor, if any (automation acting for people);
//   any other token without a person: no body actor allowed ("actor_mismatch").
// nullopt: no actor from the token (the body's absent actor stays absent).
Result<std::optional<PersonId>> ActorFor(const Caller& caller,
                                         const std::optional<PersonId>& body_actor);

}  // namespace kaizen
