#include "tests/daemon/api_test_env.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>

#include "tests/support/sample_directory.h"

namespace kaizen::daemon {

ApiTestEnv::ApiTestEnv(ChannelAdmin* channels) {
  std::string pattern = (std::filesystem::temp_directory_path() / "kaizen-daemon-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    std::cerr << "mkdtemp failed for " << pattern << "\n";
    std::abort();
  }
  dir_ = pattern;
  storage::StorageOptions options;
  options.path = (dir_ / "kaizen.db").string();
  auto opened = storage::Storage::Open(options);
  if (!opened.ok()) {
    std::cerr << "Storage::Open: " << opened.status().ToString() << "\n";
    std::abort();
  }
  storage_ = std::move(opened).value();
  handlers_ = std::make_unique<ApiHandlers>(
      *storage_, std::make_shared<const Directory>(testing::SampleDirectory()), clock_,
      FollowUpHooks{}, channels);
}

ApiTestEnv::~ApiTestEnv() {
  handlers_.reset();
  storage_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

HttpResponse ApiTestEnv::Call(std::string method, std::string target, std::string body,
                              Headers headers) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  Status split = SplitTarget(request.target, request.path, request.query);
  EXPECT_TRUE(split.ok()) << split.ToString();
  for (auto& [name, value] : headers) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!body.empty() && !request.Header("content-type")) {
    request.headers.emplace_back("content-type", "application/json");
  }
  request.body = std::move(body);

  // The storage answers from its own threads: keep run() waiting for it.
  auto work = boost::asio::make_work_guard(io_);
  std::optional<HttpResponse> answer;
  std::exception_ptr failure;
  boost::asio::co_spawn(io_, handlers_->Handle(std::move(request)),
                        [&](std::exception_ptr e, HttpResponse response) {
                          failure = e;
                          answer = std::move(response);
                          work.reset();
                        });
  io_.restart();
  io_.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(answer).value();
}

HttpResponse ApiTestEnv::Call(std::string method, std::string target, const nlohmann::json& body,
                              Headers headers) {
  return Call(std::move(method), std::move(target), body.dump(), std::move(headers));
}

nlohmann::json BodyOf(const HttpResponse& response) {
  return nlohmann::json::parse(response.body, nullptr, false);
}

std::string ErrorCodeOf(const HttpResponse& response) {
  nlohmann::json body = BodyOf(response);
  if (!body.is_object() || !body.contains("error")) return "";
  return body["error"].value("code", "");
}

}  // namespace kaizen::daemon
