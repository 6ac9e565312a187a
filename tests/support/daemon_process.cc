#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#ifndef KAIZEND_PATH
#error "KAIZEND_PATH must name the kaizend executable"
#endif

namespace kaizen::testing {

namespace fs = std::filesystem;

const char* KaizendPath() { return KAIZEND_PATH; }

namespace {

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  int Release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

struct Spawned {
  pid_t pid = -1;
  int pidfd = -1;  // owned by the caller
};

// fork + exec with stdout/stderr appended to files. The child asks the kernel to SIGKILL it
// when the test process dies, so even a crashing test leaves no daemon running. Only
// async-signal-safe calls happen between fork and exec.
Result<Spawned> Spawn(const std::vector<std::string>& argv, const fs::path& cwd,
                      const fs::path& out_path, const fs::path& err_path) {
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const std::string cwd_text = cwd.string();

  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  Fd out(::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  Fd err(::open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  int exec_pipe[2];
  if (null_in.get() < 0 || out.get() < 0 || err.get() < 0 || ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    return Internal("spawn_failed", std::string("cannot prepare files: ") + std::strerror(errno));
  }
  Fd exec_read(exec_pipe[0]);
  Fd exec_write(exec_pipe[1]);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) return Internal("spawn_failed", std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_in.get(), 0);
    ::dup2(out.get(), 1);
    ::dup2(err.get(), 2);
    if (::chdir(cwd_text.c_str()) == 0) ::execv(args[0], args.data());
    const int error = errno;
    [[maybe_unused]] auto written = ::write(exec_write.get(), &error, sizeof error);
    ::_exit(127);
  }
  exec_write.Reset();
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(exec_read.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    ::waitpid(pid, nullptr, 0);
    return Internal("spawn_failed",
                    "cannot run " + argv[0] + ": " + std::string(std::strerror(exec_errno)));
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return Internal("spawn_failed", std::string("pidfd_open: ") + std::strerror(errno));
  }
  return Spawned{pid, pidfd};
}

// Blocks until the process behind `pidfd` exits or `timeout` passes; reaps it on exit.
std::optional<int> WaitForExit(pid_t pid, int pidfd, std::chrono::milliseconds timeout) {
  pollfd entry{pidfd, POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&entry, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) return std::nullopt;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return DecodeWaitStatus(status);
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/kaizen-it-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    // Tests cannot run without a scratch directory; this is the environment, not the code.
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("KAIZEN_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

Result<ProgramResult> RunProgram(const std::vector<std::string>& argv, const fs::path& cwd,
                                 std::chrono::milliseconds timeout) {
  TempDir capture;
  const fs::path out_path = capture.path() / "stdout";
  const fs::path err_path = capture.path() / "stderr";
  auto spawned = Spawn(argv, cwd, out_path, err_path);
  if (!spawned.ok()) return spawned.status();
  Fd pidfd(spawned->pidfd);
  ProgramResult result;
  std::optional<int> code = WaitForExit(spawned->pid, pidfd.get(), timeout);
  if (!code) {
    result.timed_out = true;
    ::kill(spawned->pid, SIGKILL);
    int status = 0;
    ::waitpid(spawned->pid, &status, 0);
    code = DecodeWaitStatus(status);
  }
  result.exit_code = *code;
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

nlohmann::json DefaultDirectoryConfig() {
  return {
      {"server", {{"listen", "127.0.0.1:0"}}},
      {"log", {{"level", "info"}}},
      {"teams",
       {{{"id", "ops"}, {"name", "Operations"}, {"time_zone", "Asia/Shanghai"}},
        {{"id", "support"}, {"name", "Customer Support"}, {"time_zone", "UTC"}}}},
      {"people",
       {{{"id", "wang.fang"}, {"name", "Wang Fang"}, {"team", "ops"}},
        {{"id", "li.lei"},
         {"name", "Li Lei"},
         {"team", "ops"},
         {"manager", "wang.fang"},
         {"handles", {{"dingtalk", "13800000001"}}}},
        {{"id", "han.meimei"}, {"name", "Han Meimei"}, {"team", "ops"}, {"manager", "li.lei"}},
        {{"id", "zhang.wei"},
         {"name", "Zhang Wei"},
         {"team", "support"},
         {"manager", "wang.fang"}}}},
  };
}

DaemonProcess::DaemonProcess(DaemonOptions options) : options_(std::move(options)) {}

DaemonProcess::~DaemonProcess() {
  if (running()) Kill();
}

void DaemonProcess::WriteConfig() {
  nlohmann::json config = options_.config;
  if (config.is_null()) {
    config = DefaultDirectoryConfig();
    config["storage"] = {{"path", db_path().string()}};
  }
  std::ofstream(config_path()) << config.dump(2) << "\n";
}

std::string DaemonProcess::StderrText() const { return ReadFile(dir() / "kaizend.stderr"); }

std::unique_ptr<HttpClient> DaemonProcess::Client(HttpClientOptions options) const {
  return std::make_unique<HttpClient>("127.0.0.1", port_, options);
}

Status DaemonProcess::Start() {
  if (running()) return Internal("already_running", "kaizend is already running");
  if (!fs::exists(config_path())) WriteConfig();
  const fs::path port_file = dir() / "port";
  std::error_code ignored;
  fs::remove(port_file, ignored);

  std::vector<std::string> argv = {KaizendPath(), "--config",    config_path().string(), "--listen",
                                   "127.0.0.1:0", "--port-file", port_file.string()};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  auto spawned = Spawn(argv, dir(), dir() / "kaizend.stdout", dir() / "kaizend.stderr");
  if (!spawned.ok()) return spawned.status();
  pid_ = spawned->pid;
  pidfd_ = spawned->pidfd;

  // Waiting for the daemon to come up is the one place that polls: the port file is the
  // daemon's only signal that it listens.
  constexpr auto kPollInterval = std::chrono::milliseconds(10);
  const auto polls = options_.start_timeout / kPollInterval;
  for (long i = 0; i < polls; ++i) {
    if (std::optional<int> code = TryReap()) {
      return Unavailable("daemon_not_started", "kaizend exited with code " + std::to_string(*code) +
                                                   " before listening; stderr:\n" + StderrText());
    }
    const std::string text = ReadFile(port_file);
    if (!text.empty() && text.back() == '\n') {
      const int port = std::atoi(text.c_str());
      if (port <= 0 || port > 65535) {
        Kill();
        return Unavailable("daemon_not_started", "port file holds '" + text + "'");
      }
      port_ = static_cast<std::uint16_t>(port);
      return Status::Ok();
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  Kill();
  return Unavailable("daemon_not_started",
                     "kaizend wrote no port file in time; stderr:\n" + StderrText());
}

std::optional<int> DaemonProcess::TryReap() {
  if (!running()) return std::nullopt;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
  ::close(pidfd_);
  pid_ = -1;
  pidfd_ = -1;
  return DecodeWaitStatus(status);
}

std::optional<int> DaemonProcess::WaitExit(std::chrono::milliseconds timeout) {
  std::optional<int> code = WaitForExit(pid_, pidfd_, timeout);
  if (code) {
    ::close(pidfd_);
    pid_ = -1;
    pidfd_ = -1;
  }
  return code;
}

int DaemonProcess::Stop() {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  if (std::optional<int> code = WaitExit(options_.stop_timeout)) return *code;
  Kill();
  return -1;
}

void DaemonProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  ::close(pidfd_);
  pid_ = -1;
  pidfd_ = -1;
}

Status DaemonProcess::Restart() {
  if (running()) {
    const int code = Stop();
    if (code != 0) {
      return Internal("stop_failed", "kaizend exited with " + std::to_string(code) +
                                         " on SIGTERM; stderr:\n" + StderrText());
    }
  }
  return Start();
}

}  // namespace kaizen::testing
