// Lists are read page by page: following next_cursor must visit every item exactly once.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/integration/daemon_fixture.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;

class Pagination : public DaemonTest {
 protected:
  // Follows next_cursor from `first` and returns the ids seen, in order, with page sizes.
  std::vector<std::int64_t> Walk(const std::string& first, std::vector<std::size_t>* pages) {
    std::vector<std::int64_t> ids;
    std::string target = first;
    for (int guard = 0; guard < 100; ++guard) {
      HttpResponse page = Get(target);
      EXPECT_TRUE(HasStatus(page, 200)) << target;
      if (page.status != 200 || !page.json["items"].is_array()) break;
      pages->push_back(page.json["items"].size());
      for (const auto& item : page.json["items"]) ids.push_back(item["id"].get<std::int64_t>());
      const json& cursor = page.json["next_cursor"];
      if (cursor.is_null()) return ids;
      EXPECT_TRUE(cursor.is_string()) << page.body;
      if (!cursor.is_string()) break;
      const std::string separator = first.find('?') == std::string::npos ? "?" : "&";
      target = first + separator + "cursor=" + UrlEncode(cursor.get<std::string>());
    }
    ADD_FAILURE() << "the walk did not end with next_cursor null";
    return ids;
  }
};

TEST_F(Pagination, FollowingNextCursorYieldsEveryTaskOnce) {
  json body = PlanBody("Monthly review with many items");
  body["tasks"] = json::array();
  for (int i = 0; i < 120; ++i) {
    body["tasks"].push_back(TaskBody("t" + std::to_string(i), "Item " + std::to_string(i),
                                     i % 2 ? "han.meimei" : "zhang.wei", "2099-01-01T00:00:00Z"));
  }
  json plan = CreatePlan(body);
  ASSERT_FALSE(plan.is_null());
  ASSERT_EQ(plan["tasks"].size(), 120u);
  std::set<std::int64_t> created;
  for (const auto& task : plan["tasks"]) created.insert(task["id"].get<std::int64_t>());

  std::vector<std::size_t> pages;
  std::vector<std::int64_t> seen = Walk("/api/v1/tasks?limit=50&plan=" + plan["id"].dump(), &pages);
  EXPECT_EQ(pages, (std::vector<std::size_t>{50, 50, 20}));
  EXPECT_EQ(seen.size(), 120u) << "no task twice";
  EXPECT_EQ(std::set(seen.begin(), seen.end()), created);

  // A filter is kept across pages.
  pages.clear();
  seen = Walk("/api/v1/tasks?owner=han.meimei&limit=50", &pages);
  EXPECT_EQ(pages, (std::vector<std::size_t>{50, 10}));
  EXPECT_EQ(std::set(seen.begin(), seen.end()).size(), 60u);

  // Default limit is 50; limit=500 takes everything in one page.
  HttpResponse first = Get("/api/v1/tasks");
  ASSERT_TRUE(HasStatus(first, 200));
  EXPECT_EQ(first.json["items"].size(), 50u);
  EXPECT_TRUE(first.json["next_cursor"].is_string());
  HttpResponse all = Get("/api/v1/tasks?limit=500");
  ASSERT_TRUE(HasStatus(all, 200));
  EXPECT_EQ(all.json["items"].size(), 120u);
  EXPECT_TRUE(all.json["next_cursor"].is_null());
}

TEST_F(Pagination, TasksAddedWhilePagingDoNotRepeatEarlierOnes) {
  json body = PlanBody("Growing plan");
  body["tasks"] = json::array();
  for (int i = 0; i < 30; ++i) {
    body["tasks"].push_back(
        TaskBody("t" + std::to_string(i), "Item", "han.meimei", "2099-01-01T00:00:00Z"));
  }
  json plan = CreatePlan(body);
  ASSERT_FALSE(plan.is_null());
  const std::string first = "/api/v1/tasks?limit=10&plan=" + plan["id"].dump();
  HttpResponse page = Get(first);
  ASSERT_TRUE(HasStatus(page, 200));
  std::vector<std::int64_t> seen;
  for (const auto& item : page.json["items"]) seen.push_back(item["id"].get<std::int64_t>());
  ASSERT_TRUE(HasStatus(Post("/api/v1/plans/" + plan["id"].dump() + "/tasks",
                             TaskBody("late", "Late item", "han.meimei", "2099-01-01T00:00:00Z")),
                        201));
  std::string cursor = page.json["next_cursor"].get<std::string>();
  for (int guard = 0; guard < 10 && !cursor.empty(); ++guard) {
    page = Get(first + "&cursor=" + UrlEncode(cursor));
    ASSERT_TRUE(HasStatus(page, 200));
    for (const auto& item : page.json["items"]) seen.push_back(item["id"].get<std::int64_t>());
    cursor =
        page.json["next_cursor"].is_string() ? page.json["next_cursor"].get<std::string>() : "";
  }
  EXPECT_EQ(std::set(seen.begin(), seen.end()).size(), seen.size()) << "a task was repeated";
  EXPECT_GE(seen.size(), 30u);
}

TEST_F(Pagination, PlansArePagedToo) {
  std::set<std::int64_t> created;
  for (int i = 0; i < 7; ++i) {
    json plan = CreatePlan(PlanBody("Plan " + std::to_string(i)));
    ASSERT_FALSE(plan.is_null());
    created.insert(plan["id"].get<std::int64_t>());
  }
  std::vector<std::size_t> pages;
  std::vector<std::int64_t> seen = Walk("/api/v1/plans?limit=3", &pages);
  EXPECT_EQ(pages, (std::vector<std::size_t>{3, 3, 1}));
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(std::set(seen.begin(), seen.end()), created);
}

TEST_F(Pagination, KeepAliveConnectionServesManyRequests) {
  HttpClientOptions options;
  options.keep_alive = true;
  auto keep = daemon_.Client(options);
  for (int i = 0; i < 20; ++i) {
    auto response = keep->Get("/healthz");
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
  }
}

}  // namespace
}  // namespace kaizen::testing
