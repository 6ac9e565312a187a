// ApiTestEnv: ApiHandlers over a real Storage in a temporary directory, the sample directory
// and a FakeClock, with a blocking Call() that runs one request to its answer. Tests exercise
// the handlers exactly as the HTTP server does, without sockets.
#pragma once

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "daemon/api_handlers.h"
#include "daemon/http_message.h"
#include "storage/storage.h"
#include "tests/support/fake_clock.h"

namespace kaizen::daemon {

class ApiTestEnv {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // `channels` serves the /channels routes when given (ApiHandlers' ChannelAdmin).
  explicit ApiTestEnv(ChannelAdmin* channels = nullptr);
  ~ApiTestEnv();

  // Sends `method target` with `body` (as application/json when not empty and `headers` name
  // no Content-Type) and returns the
  // answer once the handler has finished, storage round trips included.
  HttpResponse Call(std::string method, std::string target, std::string body = "",
                    Headers headers = {});
  HttpResponse Call(std::string method, std::string target, const nlohmann::json& body,
                    Headers headers = {});

  ApiHandlers& handlers() { return *handlers_; }
  testing::FakeClock& clock() { return clock_; }
  storage::Storage& storage() { return *storage_; }
  std::filesystem::path database_path() const { return dir_ / "kaizen.db"; }

 private:
  std::filesystem::path dir_;
  testing::FakeClock clock_;
  std::unique_ptr<storage::Storage> storage_;
  std::unique_ptr<ApiHandlers> handlers_;
  boost::asio::io_context io_;
};

// The body of `response` as JSON (discarded when it is not JSON).
nlohmann::json BodyOf(const HttpResponse& response);
// error.code of an error answer, "" otherwise.
std::string ErrorCodeOf(const HttpResponse& response);

}  // namespace kaizen::daemon
