#include "tests/support/sample_directory.h"

namespace kaizen::testing {

Directory SampleDirectory() {
  std::vector<Person> people = {
      {kBoss, "The Boss", "ops", std::nullopt, {}},
      {kPlanOwner, "Li Lei", "ops", kBoss, {{"dingtalk", "13800000001"}}},
      {kManager, "Wang Fang", "ops", kBoss, {}},
      {kTaskOwner, "Han Meimei", "ops", kManager, {{"dingtalk", "13800000002"}}},
      {kStranger, "Zhang San", "cs", kBoss, {}},
  };
  std::vector<Team> teams = {
      {"ops", "Operations", "Asia/Shanghai", {{"analyst", kTaskOwner}, {"lead", kPlanOwner}}},
      {"cs", "Customer Service", "Europe/Berlin", {}}};
  return Directory(std::move(people), std::move(teams));
}

}  // namespace kaizen::testing
