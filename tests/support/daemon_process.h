// DaemonProcess: the real kaizend binary as a child process of a test, in a fresh temporary
// directory with a generated config, listening on 127.0.0.1 and a port the kernel picks.
//
// Start() returns once kaizend has written its --port-file (or failed to come up); Stop()
// asks it to end with SIGTERM and returns its exit code; Kill() ends it with SIGKILL, as a
// crash would; Restart() starts it again on the same config and database. The destructor
// kills a process still running and removes the directory, so a failing test never leaves a
// daemon behind; the child also dies with the test process (PR_SET_PDEATHSIG).
//
// RunProgram() runs any program to completion with a time limit, for one-shot invocations
// (kaizend --check-config, kaizenctl). Both capture stdout and stderr to files.
//
// Not thread-safe; use each object from one thread. Errors are Status values.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/http_client.h"
#include "workflow/status.h"

namespace kaizen::testing {

// A directory under $TMPDIR (or /tmp), removed with everything in it on destruction unless
// KAIZEN_KEEP_TEST_DIRS is set in the environment.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct ProgramResult {
  int exit_code = -1;  // exit status, or 128 + signal when killed by a signal
  bool timed_out = false;
  std::string out;  // everything written to stdout
  std::string err;  // everything written to stderr
};

// Runs `argv` (argv[0] is the program path) with the working directory `cwd`, waits at most
// `timeout` for it to exit and kills it after that (timed_out). Errors: the program could not
// be started.
Result<ProgramResult> RunProgram(const std::vector<std::string>& argv,
                                 const std::filesystem::path& cwd,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The people and teams every integration test knows:
//   teams  ops (Asia/Shanghai), support (UTC)
//   people wang.fang (ops, no manager), li.lei (ops, manager wang.fang),
//          han.meimei (ops, manager li.lei), zhang.wei (support, manager wang.fang)
nlohmann::json DefaultDirectoryConfig();

struct DaemonOptions {
  // The config file's content; null means DefaultDirectoryConfig() with server.listen and
  // storage.path filled in for the temporary directory.
  nlohmann::json config = nullptr;
  std::vector<std::string> extra_args;
  std::chrono::milliseconds start_timeout{10000};
  std::chrono::milliseconds stop_timeout{10000};
};

class DaemonProcess {
 public:
  explicit DaemonProcess(DaemonOptions options = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Spawns kaizend --config <dir>/kaizen.json --listen 127.0.0.1:0 --port-file <dir>/port
  // and waits until the port file appears. Errors: kUnavailable "daemon_not_started" with the
  // exit code and stderr when the process exits or does not come up in time (it is killed).
  Status Start();
  // SIGTERM and wait; returns the exit code (128 + signal for a signal), or -1 when it did
  // not end within stop_timeout (it is then killed).
  int Stop();
  // SIGKILL and reap: an abrupt crash.
  void Kill();
  // Stop() when running, then Start() on the same directory and database.
  Status Restart();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config_path() const { return dir() / "kaizen.json"; }
  std::filesystem::path db_path() const { return dir() / "data" / "kaizen.db"; }
  // Everything the daemon wrote to stderr so far, over all its starts.
  std::string StderrText() const;

  // A client for the current port.
  std::unique_ptr<HttpClient> Client(HttpClientOptions options = {}) const;

 private:
  void WriteConfig();
  // Reaps the child if it has exited; returns its exit code then.
  std::optional<int> TryReap();
  // Waits at most `timeout` for the child to exit; returns its exit code.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout);

  DaemonOptions options_;
  TempDir dir_;
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::uint16_t port_ = 0;
};

// The kaizend and kaizenctl executables this test binary was built with.
const char* KaizendPath();

}  // namespace kaizen::testing
