#include "tests/integration/daemon_fixture.h"

#include <cctype>
#include <iostream>

namespace kaizen::testing {

namespace {

std::string Describe(const HttpResponse& response) {
  std::string body =
      response.body.size() > 2000 ? response.body.substr(0, 2000) + "..." : response.body;
  return "got " + std::to_string(response.status) + " " + body;
}

}  // namespace

::testing::AssertionResult HasStatus(const HttpResponse& response, int status) {
  if (response.status == status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << status << ", " << Describe(response);
}

::testing::AssertionResult IsError(const HttpResponse& response, int status,
                                   std::string_view code) {
  if (response.status == status && response.ErrorCode() == code) {
    const auto& error = response.json["error"];
    if (!error.contains("message") || !error["message"].is_string() ||
        error["message"].get<std::string>().empty()) {
      return ::testing::AssertionFailure() << "error without a message: " << response.body;
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "expected " << status << " " << code << ", " << Describe(response);
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

HttpClient::Headers IfMatch(std::int64_t version) {
  return {{"If-Match", "\"" + std::to_string(version) + "\""}};
}

nlohmann::json PlanBody(std::string title) {
  return {{"title", std::move(title)},
          {"owner", "li.lei"},
          {"team", "ops"},
          {"actor", "li.lei"},
          {"goals",
           {{{"metric", "customer satisfaction"},
             {"baseline", 80},
             {"target", 85},
             {"unit", "%"},
             {"target_date", "2099-12-31"}}}}};
}

nlohmann::json TaskBody(std::string key, std::string title, std::string owner, std::string due_at) {
  return {{"key", std::move(key)},
          {"title", std::move(title)},
          {"owner", std::move(owner)},
          {"due_at", std::move(due_at)},
          {"criterion", "the reviewer can see it"}};
}

void DaemonTest::SetUp() {
  const Status started = daemon_.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  client_ = daemon_.Client();
}

void DaemonTest::TearDown() {
  if (HasFailure()) {
    std::string text = daemon_.StderrText();
    if (text.size() > 4000) text = "..." + text.substr(text.size() - 4000);
    std::cerr << "---- kaizend stderr (" << daemon_.dir() << ") ----\n" << text << "----\n";
  }
  if (daemon_.running()) {
    const int code = daemon_.Stop();
    EXPECT_EQ(code, 0) << "kaizend did not exit cleanly on SIGTERM";
  }
}

void DaemonTest::Reconnect() { client_ = daemon_.Client(); }

HttpResponse DaemonTest::Call(std::string_view method, std::string_view target,
                              std::string_view body, const HttpClient::Headers& headers) {
  auto response = client_->Request(method, target, body, headers);
  if (!response.ok()) {
    ADD_FAILURE() << method << " " << target << ": " << response.status().ToString();
    return {};
  }
  return std::move(response).value();
}

nlohmann::json DaemonTest::CreatePlan(const nlohmann::json& body) {
  HttpResponse response = Post("/api/v1/plans", body);
  EXPECT_TRUE(HasStatus(response, 201));
  if (response.status != 201 || !response.json.is_object()) return nullptr;
  return response.json;
}

nlohmann::json DaemonTest::GetTask(std::int64_t id) {
  HttpResponse response = Get("/api/v1/tasks/" + std::to_string(id));
  EXPECT_TRUE(HasStatus(response, 200));
  return response.IsJson() ? response.json : nlohmann::json();
}

HttpResponse DaemonTest::Transition(std::int64_t id, std::string_view to, std::string_view actor,
                                    std::string_view note) {
  nlohmann::json body = {{"to", to}, {"actor", actor}};
  if (!note.empty()) body["note"] = note;
  return Post("/api/v1/tasks/" + std::to_string(id) + "/transitions", body);
}

}  // namespace kaizen::testing
