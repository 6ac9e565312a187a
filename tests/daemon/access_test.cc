// Access (issue 6): the route table declares a permission for every route, tokens are checked
// by digest, and ApiHandlers answers 401 and 403 before any handler runs.
#include "daemon/access.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/daemon/api_test_env.h"

namespace kaizen::daemon {
namespace {

constexpr std::string_view kViewerSecret = "viewer-secret-0123456789";
constexpr std::string_view kAdminSecret = "admin-secret-0123456789";

std::shared_ptr<const AccessPolicy> TwoTokens() {
  std::vector<AccessPolicy::Token> tokens;
  tokens.push_back(
      {Caller{"dashboard", ApiRole::kViewer, std::nullopt, {}}, std::string(kViewerSecret)});
  tokens.push_back(
      {Caller{"automation", ApiRole::kAdmin, std::nullopt, {}}, std::string(kAdminSecret)});
  return std::make_shared<const AccessPolicy>(std::move(tokens));
}

ApiTestEnv::Headers Bearer(std::string_view token) {
  return {{"Authorization", "Bearer " + std::string(token)}};
}

TEST(AccessRoutes, EveryRouteDeclaresAPermission) {
  ApiTestEnv env;
  const std::vector<RouteInfo> routes = env.handlers().router().Routes();
  const auto& rules = env.handlers().route_rules();
  ASSERT_EQ(rules.size(), routes.size());
  std::set<std::string> public_routes;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    SCOPED_TRACE(routes[i].method + " " + routes[i].pattern);
    EXPECT_EQ(rules[i].method, routes[i].method);
    EXPECT_EQ(rules[i].pattern, routes[i].pattern);
    const Permission p = rules[i].permission;
    if (p == Permission::kPublic) public_routes.insert(routes[i].pattern);
    if (routes[i].method == "GET") {
      EXPECT_TRUE(p == Permission::kRead || p == Permission::kPublic) << ToString(p);
    } else {
      EXPECT_NE(p, Permission::kPublic) << "a write without a token";
      // The one read that is a POST: a schedule preview computes and writes nothing.
      EXPECT_EQ(p == Permission::kRead, routes[i].pattern == "/api/v1/schedules/preview");
    }
  }
  std::set<std::string> expected_public = {"/healthz", "/readyz", "/openapi.json"};
  if (public_routes.count("/metrics") > 0) expected_public.insert("/metrics");
  EXPECT_EQ(public_routes, expected_public);
}

TEST(AccessPolicyTokens, AuthenticatesByDigest) {
  auto policy = TwoTokens();
  EXPECT_FALSE(policy->open());
  auto viewer = policy->Authenticate(kViewerSecret);
  ASSERT_NE(viewer, nullptr);
  EXPECT_EQ(viewer->token_name, "dashboard");
  EXPECT_EQ(policy->Authenticate(kAdminSecret)->role, ApiRole::kAdmin);
  EXPECT_EQ(policy->Authenticate(""), nullptr);
  EXPECT_EQ(policy->Authenticate(kViewerSecret.substr(0, 10)), nullptr);
  EXPECT_EQ(policy->Authenticate(std::string(kViewerSecret) + "x"), nullptr);
  EXPECT_TRUE(AccessPolicy({}).open());
}

TEST(AccessPolicyTokens, BuildsFromTheConfig) {
  config::ApiOptions api;
  api.tokens.push_back({"li", "li-secret-0123456789", ApiRole::kManager, "li.lei", {"ops"}});
  auto policy = BuildAccessPolicy(api);
  auto caller = policy->Authenticate("li-secret-0123456789");
  ASSERT_NE(caller, nullptr);
  EXPECT_EQ(caller->person, "li.lei");
  EXPECT_EQ(caller->teams.count("ops"), 1u);
  EXPECT_TRUE(BuildAccessPolicy({})->open());
}

TEST(AccessPolicyTokens, ReadsTheBearerScheme) {
  EXPECT_EQ(BearerToken(std::nullopt), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer   abc  "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(BearerToken("Bearerabc"), std::nullopt);
}

TEST(AccessHandlers, OpenModeNeedsNoToken) {
  ApiTestEnv env;
  EXPECT_EQ(env.Call("GET", "/api/v1/plans").status, 200);
  env.handlers().SetAccess(BuildAccessPolicy({}));
  EXPECT_EQ(env.Call("GET", "/api/v1/plans").status, 200);
}

TEST(AccessHandlers, WithTokensAnswers401And403) {
  ApiTestEnv env;
  env.handlers().SetAccess(TwoTokens());
  HttpResponse none = env.Call("GET", "/api/v1/plans");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(ErrorCodeOf(none), "unauthenticated");
  EXPECT_EQ(none.Header("www-authenticate"), "Bearer realm=\"kaizen\"");
  HttpResponse wrong =
      env.Call("GET", "/api/v1/plans", std::string(), Bearer("not-a-token-at-all-0000"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.body.find("not-a-token"), std::string::npos) << "the token is echoed";
  EXPECT_EQ(env.Call("GET", "/api/v1/nothing-here").status, 401)
      << "no token: nothing said about which routes exist";
  EXPECT_EQ(env.Call("GET", "/api/v1/nothing-here", std::string(), Bearer(kViewerSecret)).status,
            404);
  EXPECT_EQ(env.Call("GET", "/healthz").status, 200);
  EXPECT_EQ(env.Call("GET", "/openapi.json").status, 200);
  EXPECT_EQ(env.Call("GET", "/api/v1/plans", std::string(), Bearer(kViewerSecret)).status, 200);
  HttpResponse viewer_write =
      env.Call("POST", "/api/v1/plans/1/close", std::string(), Bearer(kViewerSecret));
  EXPECT_EQ(viewer_write.status, 403);
  EXPECT_EQ(ErrorCodeOf(viewer_write), "forbidden");
  EXPECT_NE(viewer_write.body.find("manager"), std::string::npos) << viewer_write.body;
  EXPECT_EQ(env.Call("POST", "/api/v1/plans/1/close", std::string(), Bearer(kAdminSecret)).status,
            404);
  // A reload swaps the policy: the old token stops working at once.
  env.handlers().SetAccess(BuildAccessPolicy({}));
  EXPECT_EQ(env.Call("GET", "/api/v1/plans").status, 200);
}

}  // namespace
}  // namespace kaizen::daemon
