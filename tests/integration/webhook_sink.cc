#include "tests/integration/webhook_sink.h"

#include <boost/asio/post.hpp>
#include <future>

#include "tests/notifiers/test_pki.h"

namespace kaizen::testing {

namespace asio = boost::asio;

WebhookSink::WebhookSink(Scheme scheme) : work_(io_.get_executor()) {
  auto handler = [this](const ServerRequest& request) { return Answer(request); };
  if (scheme == Scheme::kHttps) {
    notifiers::testing::TestPki pki = notifiers::testing::MakeTestPki();
    ca_file_ = notifiers::testing::WriteTempFile("sink-ca.pem", pki.ca_certificate_pem);
    server_ = std::make_unique<notifiers::testing::LocalHttpServer>(io_, handler, pki.server);
  } else {
    server_ = std::make_unique<notifiers::testing::LocalHttpServer>(io_, handler);
  }
  thread_ = std::thread([this] { io_.run(); });
}

WebhookSink::~WebhookSink() {
  // The server belongs to the sink's thread: close it there, then let the thread end.
  std::promise<void> closed;
  asio::post(io_, [this, &closed] {
    server_.reset();
    closed.set_value();
  });
  closed.get_future().wait();
  work_.reset();
  io_.stop();
  thread_.join();
}

std::string WebhookSink::Url(std::string_view path) const { return server_->Url(path); }

void WebhookSink::SetReply(std::function<ServerReply(const ServerRequest&)> reply) {
  std::lock_guard lock(mutex_);
  reply_ = std::move(reply);
}

ServerReply WebhookSink::Answer(const ServerRequest& request) {
  std::function<ServerReply(const ServerRequest&)> reply;
  {
    std::lock_guard lock(mutex_);
    SinkRequest recorded{request, std::chrono::steady_clock::now(),
                         nlohmann::json::parse(request.body, nullptr, false)};
    if (recorded.body.is_discarded()) recorded.body = nullptr;
    requests_.push_back(std::move(recorded));
    reply = reply_;
  }
  changed_.notify_all();
  if (reply) return reply(request);
  ServerReply ok;
  ok.status = 200;
  ok.body = "ok";
  return ok;
}

std::vector<SinkRequest> WebhookSink::Requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool WebhookSink::WaitFor(const std::function<bool(const std::vector<SinkRequest>&)>& done,
                          std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return done(requests_); });
}

}  // namespace kaizen::testing
