// kaizend under a stand-in for systemd: the test binds the notification socket systemd would
// (a unix datagram socket named by NOTIFY_SOCKET) and asks for watchdog keep-alives
// (WATCHDOG_USEC), then reads what the real daemon says as a Type=notify unit: READY=1 with its
// status line, WATCHDOG=1 again and again, RELOADING=1 and READY=1 around a SIGHUP reload,
// STOPPING=1 at SIGTERM. WATCHDOG_PID is left unset (systemd sets it to the main pid, which a
// test cannot know before the exec): sd_watchdog_enabled then takes the keep-alives as ours.
// Every wait is bounded.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"

namespace kaizen::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// The notification socket, as systemd binds it for a service.
class NotifySocket {
 public:
  explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path_.string();
    if (fd_ < 0 || text.size() >= sizeof(address.sun_path)) return;
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~NotifySocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  bool ok() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

  // Reads datagrams until one satisfies `wanted` or `timeout` passes; every datagram read is
  // kept in messages(). Returns the one that satisfied it, or "" after the timeout.
  template <typename Predicate>
  std::string WaitFor(Predicate wanted, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return "";
      pollfd waiting{fd_, POLLIN, 0};
      if (::poll(&waiting, 1, static_cast<int>(left)) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) continue;
      std::string message(buffer, static_cast<std::size_t>(n));
      messages_.push_back(message);
      if (wanted(message)) return message;
    }
  }
  std::string WaitForLine(std::string_view line, milliseconds timeout) {
    return WaitFor([line](const std::string& m) { return HasLine(m, line); }, timeout);
  }

  static bool HasLine(const std::string& message, std::string_view line) {
    std::size_t start = 0;
    while (start <= message.size()) {
      std::size_t end = message.find('\n', start);
      if (end == std::string::npos) end = message.size();
      if (std::string_view(message).substr(start, end - start) == line) return true;
      start = end + 1;
    }
    return false;
  }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

// Sets an environment variable for the children started in its scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

std::string Describe(const std::vector<std::string>& messages) {
  std::string out;
  for (const std::string& m : messages) out += "[" + m + "]\n";
  return out;
}

TEST(SystemdNotify, ReadyWatchdogReloadingAndStoppingReachTheServiceManager) {
#ifndef KAIZEN_HAVE_SYSTEMD
  GTEST_SKIP() << "kaizend was built without libsystemd: it tells no service manager anything";
#endif
  DaemonProcess daemon;
  std::filesystem::create_directories(daemon.dir());
  NotifySocket notify(daemon.dir() / "notify.sock");
  ASSERT_TRUE(notify.ok()) << "cannot bind " << notify.path() << ": " << std::strerror(errno);

  {
    ScopedEnv socket("NOTIFY_SOCKET", notify.path().string());
    // 400 ms: kaizend keeps alive every 200 ms.
    ScopedEnv watchdog("WATCHDOG_USEC", "400000");
    ::unsetenv("WATCHDOG_PID");
    const Status started = daemon.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }
  auto dump = [&] {
    return "messages:\n" + Describe(notify.messages()) + "stderr:\n" + daemon.StderrText();
  };

  const std::string ready = notify.WaitForLine("READY=1", seconds(10));
  ASSERT_FALSE(ready.empty()) << dump();
  EXPECT_TRUE(
      NotifySocket::HasLine(ready, "STATUS=serving on 127.0.0.1:" + std::to_string(daemon.port())))
      << ready;

  // Keep-alives keep coming: three more within 2 s at a 200 ms pace.
  int keep_alives = 0;
  const auto deadline = Clock::now() + seconds(2);
  while (keep_alives < 3 && Clock::now() < deadline) {
    if (!notify.WaitForLine("WATCHDOG=1", milliseconds(1000)).empty()) ++keep_alives;
  }
  EXPECT_EQ(keep_alives, 3) << dump();

  ASSERT_EQ(::kill(daemon.pid(), SIGHUP), 0);
  const std::string reloading = notify.WaitForLine("RELOADING=1", seconds(10));
  ASSERT_FALSE(reloading.empty()) << dump();
  EXPECT_NE(reloading.find("MONOTONIC_USEC="), std::string::npos) << reloading;
  EXPECT_TRUE(NotifySocket::HasLine(reloading, "STATUS=reloading")) << reloading;
  const std::string reloaded = notify.WaitForLine("READY=1", seconds(10));
  ASSERT_FALSE(reloaded.empty()) << dump();
  EXPECT_NE(reloaded.find("STATUS=serving on "), std::string::npos) << reloaded;
  // Still alive after the reload.
  EXPECT_FALSE(notify.WaitForLine("WATCHDOG=1", seconds(2)).empty()) << dump();

  ASSERT_EQ(::kill(daemon.pid(), SIGTERM), 0);
  const std::string stopping = notify.WaitForLine("STOPPING=1", seconds(10));
  EXPECT_FALSE(stopping.empty()) << dump();
  EXPECT_EQ(daemon.Stop(), 0) << dump();
}

}  // namespace
}  // namespace kaizen::testing
