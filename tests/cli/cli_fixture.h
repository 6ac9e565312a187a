// The fixture of kaizenctl's command tests: Run() with a scripted transport, a map for the
// environment and a fixed clock (2026-12-01T08:00:00Z), capturing stdout and stderr.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace kaizen::cli {

using nlohmann::json;

class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant now) : now_(now) {}
  Instant Now() const override { return now_; }
  std::chrono::steady_clock::time_point MonotonicNow() const override { return {}; }

 private:
  Instant now_;
};

// Answers requests from a script, in order, and records what was sent.
class ScriptedTransport final : public Transport {
 public:
  struct Log {
    std::vector<HttpRequest> requests;
    std::deque<Result<HttpResponse>> answers;
    std::optional<ServerUrl> server;
  };
  explicit ScriptedTransport(Log& log) : log_(log) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    log_.requests.push_back(request);
    if (log_.answers.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.target;
      return HttpResponse{500, "{}"};
    }
    Result<HttpResponse> answer = std::move(log_.answers.front());
    log_.answers.pop_front();
    return answer;
  }

 private:
  Log& log_;
};

inline json Task(int id, std::string state, std::string due, std::string title) {
  return {{"id", id},
          {"plan_id", 1},
          {"key", nullptr},
          {"title", title},
          {"owner", "li.lei"},
          {"due_at", due},
          {"criterion", "200 answers"},
          {"state", state},
          {"depends_on", json::array()},
          {"version", 2},
          {"overdue", false},
          {"created_at", "2026-11-20T01:00:00Z"},
          {"updated_at", "2026-11-21T01:00:00Z"},
          {"completed_at", nullptr}};
}

class CliCommands : public ::testing::Test {
 protected:
  int Run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    TransportFactory factory = [this](const ServerUrl& server) {
      log_.server = server;
      return std::make_unique<ScriptedTransport>(log_);
    };
    EnvLookup env = [this](std::string_view name) -> std::optional<std::string> {
      auto it = env_.find(std::string(name));
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    return cli::Run(args, env, factory, clock_, Terminal{out_, err_, tty_});
  }

  void Answer(int status, const json& body) {
    log_.answers.push_back(HttpResponse{status, body.dump()});
  }

  std::vector<std::string> Targets() const {
    std::vector<std::string> out;
    for (const HttpRequest& r : log_.requests) out.push_back(r.method + " " + r.target);
    return out;
  }

  FixedClock clock_{*ParseRfc3339("2026-12-01T08:00:00Z")};
  bool tty_ = false;  // whether stdout is a terminal
  std::map<std::string, std::string> env_;
  ScriptedTransport::Log log_;
  std::ostringstream out_;
  std::ostringstream err_;
};

}  // namespace kaizen::cli
