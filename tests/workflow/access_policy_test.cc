// The role rules of API tokens: every role against every permission, the owner rule of
// members, the team scope of managers, and whose name a write is made in.
#include "workflow/access_policy.h"

#include <gtest/gtest.h>

namespace kaizen {
namespace {

Caller Make(ApiRole role, std::optional<PersonId> person = std::nullopt,
            std::set<std::string, std::less<>> teams = {}) {
  return Caller{"tok-" + std::string(ToString(role)), role, std::move(person), std::move(teams)};
}

const Caller kViewer = Make(ApiRole::kViewer);
const Caller kMember = Make(ApiRole::kMember, "han.meimei");
const Caller kManager = Make(ApiRole::kManager, "li.lei", {"ops"});
const Caller kAdmin = Make(ApiRole::kAdmin);

constexpr Permission kAll[] = {Permission::kPublic,    Permission::kRead,
                               Permission::kTaskWrite, Permission::kGoalWrite,
                               Permission::kPlanWrite, Permission::kScheduleWrite,
                               Permission::kOperate,   Permission::kAdmin};

TEST(AccessPolicy, RolesParseAndPrint) {
  for (ApiRole role : {ApiRole::kViewer, ApiRole::kMember, ApiRole::kManager, ApiRole::kAdmin}) {
    EXPECT_EQ(ParseApiRole(ToString(role)), role);
  }
  EXPECT_EQ(ParseApiRole("Admin"), std::nullopt);
  EXPECT_EQ(ParseApiRole("owner"), std::nullopt);
}

// The whole role table: which role may hold which permission at all.
TEST(AccessPolicy, EveryRoleAgainstEveryPermission) {
  struct Row {
    const Caller* caller;
    std::set<Permission> allowed;
  };
  const Row rows[] = {
      {&kViewer, {Permission::kPublic, Permission::kRead}},
      {&kMember,
       {Permission::kPublic, Permission::kRead, Permission::kTaskWrite, Permission::kGoalWrite}},
      {&kManager,
       {Permission::kPublic, Permission::kRead, Permission::kTaskWrite, Permission::kGoalWrite,
        Permission::kPlanWrite, Permission::kScheduleWrite, Permission::kOperate}},
      {&kAdmin, {std::begin(kAll), std::end(kAll)}},
  };
  for (const Row& row : rows) {
    for (Permission p : kAll) {
      SCOPED_TRACE(std::string(ToString(row.caller->role)) + " " + std::string(ToString(p)));
      Status s = CheckRole(*row.caller, p);
      EXPECT_EQ(s.ok(), row.allowed.count(p) > 0) << s.ToString();
      if (!s.ok()) {
        EXPECT_EQ(s.code(), StatusCode::kPermissionDenied);
        EXPECT_EQ(s.reason(), "forbidden");
        EXPECT_EQ(s.details()["required_role"], std::string(ToString(LeastRoleFor(p))));
        EXPECT_NE(s.message().find("needs role"), std::string::npos) << s.message();
      }
    }
  }
}

TEST(AccessPolicy, ForbiddenSaysWhichRoleIsNeeded) {
  Status s = CheckRole(kViewer, Permission::kPlanWrite);
  EXPECT_NE(s.message().find("manager"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("tok-viewer"), std::string::npos) << s.message();
  s = CheckRole(kManager, Permission::kAdmin);
  EXPECT_NE(s.message().find("admin"), std::string::npos) << s.message();
}

TEST(AccessPolicy, MemberChangesOnlyWhatItsPersonOwns) {
  EXPECT_TRUE(CheckTarget(kMember, Permission::kTaskWrite, {"ops", "han.meimei"}).ok());
  EXPECT_TRUE(CheckTarget(kMember, Permission::kGoalWrite, {"ops", "han.meimei"}).ok());
  Status other = CheckTarget(kMember, Permission::kTaskWrite, {"ops", "li.lei"});
  EXPECT_EQ(other.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(other.message().find("li.lei"), std::string::npos) << other.message();
  EXPECT_FALSE(CheckTarget(kMember, Permission::kGoalWrite, {"ops", std::nullopt}).ok())
      << "a goal without an owner is the manager's";
  EXPECT_FALSE(CheckTarget(kMember, Permission::kPlanWrite, {"ops", std::nullopt}).ok());
}

TEST(AccessPolicy, ManagerActsOnItsTeamsOnly) {
  for (Permission p : {Permission::kTaskWrite, Permission::kGoalWrite, Permission::kPlanWrite,
                       Permission::kScheduleWrite}) {
    SCOPED_TRACE(std::string(ToString(p)));
    EXPECT_TRUE(CheckTarget(kManager, p, {"ops", "han.meimei"}).ok());
    Status other = CheckTarget(kManager, p, {"support", "zhang.wei"});
    EXPECT_EQ(other.reason(), "forbidden");
    EXPECT_NE(other.message().find("support"), std::string::npos) << other.message();
  }
  // Its own task in another team's plan: a manager is a member too.
  EXPECT_TRUE(CheckTarget(kManager, Permission::kTaskWrite, {"support", "li.lei"}).ok());
  EXPECT_FALSE(CheckTarget(kManager, Permission::kPlanWrite, {std::nullopt, std::nullopt}).ok());
  EXPECT_TRUE(CheckTarget(kManager, Permission::kOperate, {}).ok());
  EXPECT_FALSE(CheckTarget(kManager, Permission::kAdmin, {}).ok());
}

TEST(AccessPolicy, ManagerOfSeveralTeams) {
  Caller both = Make(ApiRole::kManager, "wang.fang", {"ops", "support"});
  EXPECT_TRUE(CheckTarget(both, Permission::kPlanWrite, {"ops", std::nullopt}).ok());
  EXPECT_TRUE(CheckTarget(both, Permission::kPlanWrite, {"support", std::nullopt}).ok());
  EXPECT_FALSE(CheckTarget(both, Permission::kPlanWrite, {"sales", std::nullopt}).ok());
}

TEST(AccessPolicy, AdminMayDoAnything) {
  for (Permission p : kAll) {
    EXPECT_TRUE(CheckTarget(kAdmin, p, {"support", "zhang.wei"}).ok()) << ToString(p);
  }
}

TEST(AccessPolicy, ViewerNeverWrites) {
  for (Permission p : kAll) {
    const bool read = p == Permission::kPublic || p == Permission::kRead;
    EXPECT_EQ(CheckTarget(kViewer, p, {"ops", std::nullopt}).ok(), read) << ToString(p);
  }
}

TEST(AccessPolicy, ATokenWithAPersonActsAsThatPerson) {
  auto absent = ActorFor(kMember, std::nullopt);
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, std::optional<PersonId>("han.meimei"));
  auto same = ActorFor(kMember, PersonId("han.meimei"));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, std::optional<PersonId>("han.meimei"));
  auto other = ActorFor(kMember, PersonId("li.lei"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(other.status().reason(), "actor_mismatch");
}

TEST(AccessPolicy, OnlyAnAdminWithoutAPersonNamesTheActor) {
  auto automation = ActorFor(kAdmin, PersonId("li.lei"));
  ASSERT_TRUE(automation.ok());
  EXPECT_EQ(*automation, std::optional<PersonId>("li.lei"));
  auto nobody = ActorFor(kAdmin, std::nullopt);
  ASSERT_TRUE(nobody.ok());
  EXPECT_EQ(*nobody, std::nullopt);
  EXPECT_EQ(ActorFor(kViewer, PersonId("li.lei")).status().reason(), "actor_mismatch");
  Caller admin_with_person = Make(ApiRole::kAdmin, "wang.fang");
  EXPECT_EQ(ActorFor(admin_with_person, PersonId("li.lei")).status().reason(), "actor_mismatch");
}

}  // namespace
}  // namespace kaizen
