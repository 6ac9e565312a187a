#include "workflow/access_policy.h"

namespace kaizen {

namespace {

int Rank(ApiRole role) { return static_cast<int>(role); }

Status Forbidden(const Caller& caller, std::string message, ApiRole required) {
  return PermissionDenied("forbidden", std::move(message),
                          {{"required_role", ToString(required)},
                           {"role", ToString(caller.role)},
                           {"token", caller.token_name}});
}

std::string TokenText(const Caller& caller) {
  return "token '" + caller.token_name + "' has role " + std::string(ToString(caller.role));
}

bool ManagesTeam(const Caller& caller, const std::optional<std::string>& team) {
  return caller.role == ApiRole::kManager && team && caller.teams.count(*team) > 0;
}

bool Owns(const Caller& caller, const std::optional<PersonId>& owner) {
  return caller.person && owner && *caller.person == *owner;
}

}  // namespace

std::string_view ToString(ApiRole role) {
  switch (role) {
    case ApiRole::kViewer: return "viewer";
    case ApiRole::kMember: return "member";
    case ApiRole::kManager: return "manager";
    case ApiRole::kAdmin: return "admin";
  }
  return "viewer";
}

std::optional<ApiRole> ParseApiRole(std::string_view text) {
  for (ApiRole role : {ApiRole::kViewer, ApiRole::kMember, ApiRole::kManager, ApiRole::kAdmin}) {
    if (ToString(role) == text) return role;
  }
  return std::nullopt;
}

std::string_view ToString(Permission permission) {
  switch (permission) {
    case Permission::kPublic: return "public";
    case Permission::kRead: return "read";
    case Permission::kTaskWrite: return "task_write";
    case Permission::kGoalWrite: return "goal_write";
    case Permission::kPlanWrite: return "plan_write";
    case Permission::kScheduleWrite: return "schedule_write";
    case Permission::kOperate: return "operate";
    case Permission::kAdmin: return "admin";
  }
  return "admin";
}

ApiRole LeastRoleFor(Permission permission) {
  switch (permission) {
    case Permission::kPublic:
    case Permission::kRead: return ApiRole::kViewer;
    case Permission::kTaskWrite:
    case Permission::kGoalWrite: return ApiRole::kMember;
    case Permission::kPlanWrite:
    case Permission::kScheduleWrite:
    case Permission::kOperate: return ApiRole::kManager;
    case Permission::kAdmin: return ApiRole::kAdmin;
  }
  return ApiRole::kAdmin;
}

Status CheckRole(const Caller& caller, Permission permission) {
  const ApiRole required = LeastRoleFor(permission);
  if (Rank(caller.role) >= Rank(required)) return Status::Ok();
  std::string needed = "role " + std::string(ToString(required)) + " or above";
  if (permission == Permission::kTaskWrite || permission == Permission::kGoalWrite) {
    needed = "role member (for what its person owns), manager (of the team) or admin";
  } else if (permission == Permission::kPlanWrite || permission == Permission::kScheduleWrite) {
    needed = "role manager (of the team) or admin";
  } else if (permission == Permission::kAdmin) {
    needed = "role admin";
  }
  return Forbidden(caller, "this needs " + needed + "; " + TokenText(caller), required);
}

Status CheckTarget(const Caller& caller, Permission permission, const AccessTarget& target) {
  if (Status s = CheckRole(caller, permission); !s.ok()) return s;
  if (caller.role == ApiRole::kAdmin) return Status::Ok();
  const std::string team = target.team ? " of team " + *target.team : std::string();
  switch (permission) {
    case Permission::kPublic:
    case Permission::kRead:
    case Permission::kOperate: return Status::Ok();
    case Permission::kTaskWrite:
    case Permission::kGoalWrite: {
      if (Owns(caller, target.owner) || ManagesTeam(caller, target.team)) return Status::Ok();
      const char* what = permission == Permission::kTaskWrite ? "task" : "goal";
      std::string owner = target.owner ? "'" + *target.owner + "'" : std::string("nobody");
      return Forbidden(caller,
                       std::string("this ") + what + " is owned by " + owner + team +
                           "; changing it needs its owner's token, role manager" + team +
                           " or admin; " + TokenText(caller) +
                           (caller.person ? " for '" + *caller.person + "'" : std::string()),
                       ApiRole::kManager);
    }
    case Permission::kPlanWrite:
    case Permission::kScheduleWrite: {
      if (ManagesTeam(caller, target.team)) return Status::Ok();
      const char* what = permission == Permission::kPlanWrite ? "plan" : "schedule";
      return Forbidden(caller,
                       std::string("this ") + what + " is" + team + "; it needs role manager" +
                           team + " or admin; " + TokenText(caller),
                       ApiRole::kManager);
    }
    case Permission::kAdmin: break;
  }
  return Forbidden(caller, "this needs role admin; " + TokenText(caller), ApiRole::kAdmin);
}

Result<std::optional<PersonId>> ActorFor(const Caller& caller,
                                         const std::optional<PersonId>& body_actor) {
  if (caller.person) {
    if (body_actor && *body_actor != *caller.person) {
      return PermissionDenied("actor_mismatch",
                              "token '" + caller.token_name + "' acts as '" + *caller.person +
                                  "'; the body names actor '" + *body_actor +
                                  "': leave \"actor\" out or send the token's person",
                              {{"actor", *body_actor}, {"token_person", *caller.person}});
    }
    return std::optional<PersonId>(*caller.person);
  }
  if (caller.role == ApiRole::kAdmin || !body_actor) return body_actor;
  return PermissionDenied(
      "actor_mismatch",
      "token '" + caller.token_name + "' names no person; only admin tokens may name an actor",
      {{"actor", *body_actor}});
}

}  // namespace kaizen
