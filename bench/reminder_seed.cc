// kaizen_reminder_seed: fills a kaizen database with many tasks that fall due at one instant,
// each with exactly one pending reminder (at the deadline), for bench/reminders.sh.
//
//   kaizen_reminder_seed --config FILE --db PATH --tasks N --due RFC3339 [--tasks-per-plan 1000]
//
// Plans of --tasks-per-plan tasks each, team "ops", owned by "bench.lead"; the tasks are owned
// in turn by "bench.owner.0" .. "bench.owner.9" (kOwners). The people, team and reminder policy
// come from the daemon's config (bench/reminders.sh writes it), so the fingerprint stored at the
// end is the one kaizend computes at start and it does not plan everything again. Each plan is
// one write transaction through the domain code kaizend itself runs: CreatePlan, then
// SyncPlanReminders, so the reminders stored are what the API would have stored. The database uses
// synchronous=normal while seeding: the seed is not what is measured, and a crash only means
// seeding again.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_clock.h"
#include "config/config.h"
#include "storage/storage.h"
#include "workflow/follow_up.h"
#include "workflow/plan_service.h"
#include "workflow/time.h"

namespace kaizen::bench {
namespace {

constexpr int kOwners = 10;
constexpr long kMaxTasks = 10'000'000;
constexpr char kTeam[] = "ops";
constexpr char kLead[] = "bench.lead";

struct Options {
  std::string config;
  std::string db;
  long tasks = 0;
  int tasks_per_plan = 1000;
  Instant due{};
};

void Usage() {
  std::cerr << "usage: kaizen_reminder_seed --config FILE --db PATH --tasks N --due RFC3339 "
               "[--tasks-per-plan 1..10000]\n";
}

std::optional<long> ParseLong(const std::string& text, long low, long high) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < low || value > high) return std::nullopt;
  return value;
}

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options options;
  bool has_due = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    const std::string value = argv[i + 1];
    std::optional<long> number;
    if (arg == "--config") {
      options.config = value;
    } else if (arg == "--db") {
      options.db = value;
    } else if (arg == "--tasks" && (number = ParseLong(value, 1, kMaxTasks))) {
      options.tasks = *number;
    } else if (arg == "--tasks-per-plan" && (number = ParseLong(value, 1, 10000))) {
      options.tasks_per_plan = static_cast<int>(*number);
    } else if (arg == "--due") {
      auto due = ParseRfc3339(value);
      if (!due) {
        std::cerr << "kaizen_reminder_seed: --due is not RFC 3339: " << value << "\n";
        return std::nullopt;
      }
      options.due = *due;
      has_due = true;
    } else {
      std::cerr << "kaizen_reminder_seed: bad option " << arg << " " << value << "\n";
      return std::nullopt;
    }
  }
  if (argc % 2 == 0 || options.config.empty() || options.db.empty() || options.tasks == 0 ||
      !has_due)
    return std::nullopt;
  return options;
}

int Run(const Options& options) {
  auto config = config::LoadConfigFile(options.config, config::ProcessEnvironment());
  if (!config.ok()) {
    std::cerr << "kaizen_reminder_seed: " << config.status().message() << "\n";
    return 2;
  }
  storage::StorageOptions storage_options;
  storage_options.path = options.db;
  storage_options.readers = 1;
  storage_options.synchronous = "normal";
  auto opened = storage::Storage::Open(storage_options);
  if (!opened.ok()) {
    std::cerr << "kaizen_reminder_seed: " << opened.status().ToString() << "\n";
    return 1;
  }
  storage::Storage& storage = **opened;
  const Directory& directory = *config->directory;
  const FollowUpSettings& settings = *config->follow_up;

  const auto begin = BenchNow();
  long written = 0;
  long next_report = options.tasks / 10;
  for (long plan_index = 0; written < options.tasks; ++plan_index) {
    const long count = std::min<long>(options.tasks_per_plan, options.tasks - written);
    NewPlan plan;
    plan.title = "bench plan " + std::to_string(plan_index);
    plan.owner = kLead;
    plan.team = kTeam;
    for (long i = 0; i < count; ++i) {
      NewTask task;
      task.title = "bench task " + std::to_string(written + i);
      task.owner = "bench.owner." + std::to_string((written + i) % kOwners);
      task.due_at = options.due;
      plan.tasks.push_back(std::move(task));
    }
    const Instant now = BenchWallNow();
    Status status = storage.WriteSync([&](PlanRepository& repo) -> Status {
      Result<PlanWithTasks> created = CreatePlan(repo, directory, plan, kLead, now);
      if (!created.ok()) return created.status();
      SyncPlanReminders(repo, settings, directory, created->plan.id, now);
      return Status::Ok();
    });
    if (!status.ok()) {
      std::cerr << "kaizen_reminder_seed: plan " << plan_index << ": " << status.ToString() << "\n";
      return 1;
    }
    written += count;
    if (written == options.tasks) {
      Status stored = storage.WriteSync([&settings](PlanRepository& repo) -> Status {
        repo.WriteSetting(std::string(kPlanningFingerprintKey), settings.fingerprint);
        return Status::Ok();
      });
      if (!stored.ok()) {
        std::cerr << "kaizen_reminder_seed: " << stored.ToString() << "\n";
        return 1;
      }
    }
    if (written >= next_report || written == options.tasks) {
      const double seconds = std::chrono::duration<double>(BenchNow() - begin).count();
      std::fprintf(stderr, "kaizen_reminder_seed: %ld/%ld tasks (%.0f%%) in %.1f s\n", written,
                   options.tasks,
                   100.0 * static_cast<double>(written) / static_cast<double>(options.tasks),
                   seconds);
      next_report = written + std::max<long>(1, options.tasks / 10);
    }
  }
  return 0;
}

}  // namespace
}  // namespace kaizen::bench

int main(int argc, char** argv) {
  auto options = kaizen::bench::ParseOptions(argc, argv);
  if (!options) {
    kaizen::bench::Usage();
    return 2;
  }
  return kaizen::bench::Run(*options);
}
