// Helpers shared by the storage tests: temporary database files, sample rows, and JSON views of
// query results so that a failed comparison prints something a person can read.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "storage/storage.h"
#include "workflow/repository.h"

namespace kaizen::storage::testutil {

// A fresh directory under the system's temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string for StorageOptions.
  std::string File(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

// "2026-11-25T09:00:00Z" -> Instant; aborts the test binary on a typo.
Instant At(std::string_view rfc3339);

StorageOptions OptionsFor(const std::string& path);
// Opens or fails the current test (ADD_FAILURE) and returns nullptr.
std::unique_ptr<Storage> OpenStorage(const StorageOptions& options);

Plan SamplePlan(std::string title = "Raise CSAT to 85%");
Task SampleTask(PlanId plan_id, std::string title = "Survey 200 customers");
TaskEvent SampleEvent(TaskId task_id, PlanId plan_id, std::string kind,
                      std::optional<TaskState> from = std::nullopt,
                      std::optional<TaskState> to = std::nullopt, std::string note = "");

// Filters that match everything, in one page as large as allowed.
PlanFilter EveryPlan();
TaskFilter EveryTask();

nlohmann::json ToJson(const Plan& plan);
nlohmann::json ToJson(const Task& task);
nlohmann::json ToJson(const TaskEvent& event);
nlohmann::json ToJson(const TaskBrief& brief);
nlohmann::json ToJson(const PlanProgress& progress);
nlohmann::json ToJson(const Summary& summary);
nlohmann::json ToJson(const PlannedReminder& reminder);
nlohmann::json ToJson(const StoredReminder& reminder);
nlohmann::json ToJson(const NotificationEvent& event);
nlohmann::json ToJson(const Notification& notification);
nlohmann::json ToJson(const std::map<NotificationState, std::int64_t>& counts);
nlohmann::json ToJson(Instant t);
template <typename T>
nlohmann::json ToJson(const std::optional<T>& value) {
  return value ? ToJson(*value) : nlohmann::json(nullptr);
}
template <typename T>
nlohmann::json ToJson(const std::vector<T>& values) {
  nlohmann::json array = nlohmann::json::array();
  for (const T& value : values) array.push_back(ToJson(value));
  return array;
}
template <typename T>
nlohmann::json ToJson(const Page<T>& page) {
  return {{"items", ToJson(page.items)},
          {"next_after", page.next_after ? nlohmann::json(*page.next_after) : nullptr}};
}

}  // namespace kaizen::storage::testutil
