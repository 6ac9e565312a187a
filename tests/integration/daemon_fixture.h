// DaemonTest: a GoogleTest fixture that starts a fresh kaizend (empty database, the default
// people and teams) before each test and talks to it over HTTP. Helpers record a failure and
// return an empty answer instead of throwing, so a test reads as a user's session.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace kaizen::testing {

// Passes when `response` has `status`; otherwise says what came back instead.
::testing::AssertionResult HasStatus(const HttpResponse& response, int status);
// Passes when `response` has `status` and error.code `code`.
::testing::AssertionResult IsError(const HttpResponse& response, int status, std::string_view code);

// Percent-encodes everything but unreserved characters, for a query value.
std::string UrlEncode(std::string_view text);

// "If-Match" with the quoted version, as the API expects.
HttpClient::Headers IfMatch(std::int64_t version);

// A plan of li.lei in team ops, with one goal and no tasks, as a body for POST /plans.
nlohmann::json PlanBody(std::string title);
// A task for a NewTask body.
nlohmann::json TaskBody(std::string key, std::string title, std::string owner, std::string due_at);

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Sends and returns the answer; a transport failure records a test failure and returns an
  // answer with status 0.
  HttpResponse Call(std::string_view method, std::string_view target, std::string_view body = {},
                    const HttpClient::Headers& headers = {});
  HttpResponse Get(std::string_view target) { return Call("GET", target); }
  HttpResponse Post(std::string_view target, const nlohmann::json& body,
                    const HttpClient::Headers& headers = {}) {
    return Call("POST", target, body.dump(), headers);
  }
  HttpResponse Patch(std::string_view target, const nlohmann::json& body,
                     const HttpClient::Headers& headers = {}) {
    return Call("PATCH", target, body.dump(), headers);
  }

  // POST /plans, expecting 201; returns the plan (null after a failure).
  nlohmann::json CreatePlan(const nlohmann::json& body);
  // GET /tasks/{id}, expecting 200.
  nlohmann::json GetTask(std::int64_t id);
  // POST /tasks/{id}/transitions, returns the answer.
  HttpResponse Transition(std::int64_t id, std::string_view to, std::string_view actor,
                          std::string_view note = {});
  // Reconnects the client after the daemon was restarted on a new port.
  void Reconnect();

  DaemonProcess daemon_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace kaizen::testing
