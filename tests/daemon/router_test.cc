#include "daemon/router.h"

#include <gtest/gtest.h>

namespace kaizen::daemon {
namespace {

boost::asio::awaitable<HttpResponse> Answer(HttpRequest, RouteParams) { co_return HttpResponse{}; }

Router SampleRouter() {
  Router router;
  router.Add("GET", "/api/v1/tasks", Answer);
  router.Add("GET", "/api/v1/tasks/{id}", Answer);
  router.Add("PATCH", "/api/v1/tasks/{id}", Answer);
  router.Add("POST", "/api/v1/tasks/{id}/transitions", Answer);
  router.Add("GET", "/healthz", Answer);
  return router;
}

TEST(Router, MatchesLiteralPath) {
  Router router = SampleRouter();
  RouteMatch match = router.Match("GET", "/api/v1/tasks");
  EXPECT_EQ(match.outcome, RouteMatch::Outcome::kFound);
  EXPECT_NE(match.handler, nullptr);
  EXPECT_TRUE(match.params.empty());
}

TEST(Router, CapturesIdSegment) {
  Router router = SampleRouter();
  RouteMatch match = router.Match("POST", "/api/v1/tasks/42/transitions");
  ASSERT_EQ(match.outcome, RouteMatch::Outcome::kFound);
  EXPECT_EQ(match.params.at("id"), "42");
}

TEST(Router, PicksTheHandlerOfTheRequestedMethod) {
  Router router = SampleRouter();
  RouteMatch get = router.Match("GET", "/api/v1/tasks/7");
  RouteMatch patch = router.Match("PATCH", "/api/v1/tasks/7");
  ASSERT_EQ(get.outcome, RouteMatch::Outcome::kFound);
  ASSERT_EQ(patch.outcome, RouteMatch::Outcome::kFound);
  EXPECT_NE(get.handler, patch.handler);
}

TEST(Router, UnknownPathIsNotFound) {
  Router router = SampleRouter();
  EXPECT_EQ(router.Match("GET", "/api/v1/nothing").outcome, RouteMatch::Outcome::kPathNotFound);
  EXPECT_EQ(router.Match("GET", "/api/v1/tasks/7/events").outcome,
            RouteMatch::Outcome::kPathNotFound);
  EXPECT_EQ(router.Match("GET", "").outcome, RouteMatch::Outcome::kPathNotFound);
  EXPECT_EQ(router.Match("GET", "healthz").outcome, RouteMatch::Outcome::kPathNotFound);
}

TEST(Router, TrailingSlashAndEmptySegmentDoNotMatch) {
  Router router = SampleRouter();
  EXPECT_EQ(router.Match("GET", "/api/v1/tasks/").outcome, RouteMatch::Outcome::kPathNotFound);
  EXPECT_EQ(router.Match("GET", "/api/v1//tasks").outcome, RouteMatch::Outcome::kPathNotFound);
  EXPECT_EQ(router.Match("POST", "/api/v1/tasks//transitions").outcome,
            RouteMatch::Outcome::kPathNotFound);
}

TEST(Router, WrongMethodListsTheAllowedOnesSorted) {
  Router router = SampleRouter();
  RouteMatch match = router.Match("DELETE", "/api/v1/tasks/7");
  EXPECT_EQ(match.outcome, RouteMatch::Outcome::kMethodNotAllowed);
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.allowed, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(Router, NamesThePatternOfTheMatchedPathNeverTheRawPath) {
  Router router = SampleRouter();
  EXPECT_EQ(router.Match("POST", "/api/v1/tasks/42/transitions").pattern,
            "/api/v1/tasks/{id}/transitions");
  EXPECT_EQ(router.Match("GET", "/healthz").pattern, "/healthz");
  // A known path with the wrong method still names its pattern; an unknown path names none.
  EXPECT_EQ(router.Match("DELETE", "/api/v1/tasks/7").pattern, "/api/v1/tasks/{id}");
  EXPECT_EQ(router.Match("GET", "/api/v1/nothing/7").pattern, "");
}

TEST(Router, MethodsAreCaseSensitive) {
  Router router = SampleRouter();
  RouteMatch match = router.Match("get", "/healthz");
  EXPECT_EQ(match.outcome, RouteMatch::Outcome::kMethodNotAllowed);
  EXPECT_EQ(match.allowed, (std::vector<std::string>{"GET"}));
}

TEST(Router, RoutesAreListedInTheOrderAdded) {
  Router router = SampleRouter();
  std::vector<RouteInfo> expected = {{"GET", "/api/v1/tasks"},
                                     {"GET", "/api/v1/tasks/{id}"},
                                     {"PATCH", "/api/v1/tasks/{id}"},
                                     {"POST", "/api/v1/tasks/{id}/transitions"},
                                     {"GET", "/healthz"}};
  EXPECT_EQ(router.Routes(), expected);
}

TEST(RouterDeathTest, RefusesTheSameRouteTwice) {
  Router router = SampleRouter();
  EXPECT_DEATH(router.Add("GET", "/healthz", Answer), "added twice");
}

}  // namespace
}  // namespace kaizen::daemon
