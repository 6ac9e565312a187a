// Chat providers end to end: the real kaizend delivering reminders to local fakes of each chat
// provider's webhook (chat_fakes.h), which hold it to the provider's contract, refuse what the
// provider refuses and throttle the way the provider throttles.
//
// What a user of the chat would check: every reminder arrives, once, in the order the reminders
// fell due, with its task's title and a ping for its owner, and the robot is never throttled,
// since a throttled DingTalk robot stays blocked for ten minutes.
//
// Time is scaled: a provider's minute is kTimeScale times shorter here, and the channel's
// rate_limit (the provider's default, DefaultRateLimit) kTimeScale times faster, so each test
// sees what a real minute of sending would look like in a few seconds. Every wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "tests/integration/chat_fakes.h"
#include "tests/integration/daemon_fixture.h"
#include "workflow/delivery_settings.h"
#include "workflow/time.h"

namespace kaizen::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// One provider minute lasts 60 s / kTimeScale = 3 s in these tests, and every channel's
// rate_limit is kTimeScale times its default.
constexpr int kTimeScale = 20;

constexpr milliseconds Scaled(milliseconds real) { return real / kTimeScale; }

// The handles people have, per provider: han.meimei and li.lei have one everywhere (li.lei's
// WeCom and DingTalk handles are mobile numbers), wang.fang nowhere.
json People() {
  return json::array({{{"id", "wang.fang"}, {"name", "Wang Fang"}, {"team", "ops"}},
                      {{"id", "li.lei"},
                       {"name", "Li Lei"},
                       {"team", "ops"},
                       {"manager", "wang.fang"},
                       {"handles",
                        {{"dingtalk", "13800000001"},
                         {"feishu", "ou_lilei0001"},
                         {"wecom", "13800000001"},
                         {"slack", "U0LILEI0001"},
                         {"teams", "li.lei@contoso.com"},
                         {"discord", "123456789012345001"}}}},
                      {{"id", "han.meimei"},
                       {"name", "Han Meimei"},
                       {"team", "ops"},
                       {"manager", "li.lei"},
                       {"handles",
                        {{"dingtalk", "hanmeimei01"},
                         {"feishu", "ou_hanmeimei02"},
                         {"wecom", "HanMeiMei"},
                         {"slack", "U0HANMEIMEI"},
                         {"teams", "han.meimei@contoso.com"},
                         {"discord", "123456789012345002"}}}},
                      {{"id", "zhang.wei"}, {"name", "Zhang Wei"}, {"team", "support"}}});
}

std::string HandleOf(const std::string& person, ChatProvider provider) {
  for (const json& p : People()) {
    if (p["id"] == person && p.contains("handles")) {
      return p["handles"][ChannelTypeOf(provider)].get<std::string>();
    }
  }
  return "";
}

// The provider's default rate limit, kTimeScale times faster; unlimited stays unlimited.
json ScaledRateLimit(ChatProvider provider) {
  const RateLimit limit = DefaultRateLimit(*ParseChannelType(ChannelTypeOf(provider)));
  return {{"per_minute", limit.per_minute * kTimeScale}, {"burst", limit.burst}};
}

// What each provider documents (webhook-formats.md), scaled.
ChatFakeOptions DocumentedLimits(ChatProvider provider) {
  ChatFakeOptions options;
  const milliseconds minute = Scaled(std::chrono::minutes(1));
  const milliseconds second = Scaled(seconds(1));
  switch (provider) {
    case ChatProvider::kDingTalk:
      // 20 a minute, then blocked for about 10 minutes.
      options.limits = {{20, minute}};
      options.block_after_throttle = Scaled(std::chrono::minutes(10));
      break;
    case ChatProvider::kWeCom: options.limits = {{20, minute}}; break;
    case ChatProvider::kFeishu: options.limits = {{5, second}, {100, minute}}; break;
    case ChatProvider::kSlack:
      // "About 1 message per second per webhook, with short bursts tolerated": Slack publishes
      // no exact rule; 3 in any second is the tolerance this fake allows.
      options.limits = {{3, second}};
      break;
    case ChatProvider::kDiscord:
      // The per-webhook bucket Discord reports in X-RateLimit-* (5 per 2 s) and its 30 a minute
      // per channel; the sender is expected to read the headers.
      options.limits = {{5, Scaled(seconds(2))}, {30, minute}};
      break;
    case ChatProvider::kTeams: break;  // no published rate; Workflows throttle with 429
  }
  return options;
}

const char* Name(ChatProvider provider) {
  switch (provider) {
    case ChatProvider::kDingTalk: return "DingTalk";
    case ChatProvider::kFeishu: return "Feishu";
    case ChatProvider::kWeCom: return "WeCom";
    case ChatProvider::kSlack: return "Slack";
    case ChatProvider::kTeams: return "Teams";
    case ChatProvider::kDiscord: return "Discord";
  }
  return "?";
}

std::string InMs(int ms) {
  auto now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  return FormatRfc3339(now + milliseconds(ms));
}

// "Drill-007": fixed width, so that no title is a prefix of another.
std::string Title(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "Drill-%03d", i);
  return buffer;
}

// Every title of `titles` in the order the chat shows them: message by message, and within a
// message (a digest) in the order of its text.
std::vector<std::string> TitlesSeen(const std::vector<PostedMessage>& posted,
                                    const std::vector<std::string>& titles) {
  std::vector<std::string> seen;
  for (const PostedMessage& m : posted) {
    std::vector<std::pair<std::size_t, std::string>> found;
    for (const std::string& title : titles) {
      for (auto at = m.text.find(title); at != std::string::npos; at = m.text.find(title, at + 1)) {
        found.emplace_back(at, title);
      }
    }
    std::sort(found.begin(), found.end());
    for (auto& [at, title] : found) seen.push_back(title);
  }
  return seen;
}

std::string Describe(const ChatFake& fake) {
  std::string out = std::string(Name(fake.provider())) +
                    " fake: " + std::to_string(fake.posted().size()) + " posted, " +
                    std::to_string(fake.requests().size()) + " requests, " +
                    std::to_string(fake.throttled()) + " throttled";
  for (const std::string& r : fake.refusals()) out += "\n  refused: " + r;
  for (const std::string& v : fake.violations()) out += "\n  violation: " + v;
  return out;
}

class Providers : public ::testing::TestWithParam<ChatProvider> {
 protected:
  void TearDown() override {
    if (HasFailure() && daemon_) {
      std::string text = daemon_->StderrText();
      if (text.size() > 8000) text = "..." + text.substr(text.size() - 8000);
      std::cerr << "---- kaizend stderr ----\n" << text << "----\n";
    }
  }

  // Starts kaizend with `fake` as the ops team's only channel (with `channel_extra` merged into
  // its config), reminders only at the deadline, and `delivery` over quick retries without
  // grouping.
  void StartDaemon(const ChatFake& fake, json channel_extra = json::object(),
                   json delivery = json::object()) {
    daemon_ = std::make_unique<DaemonProcess>();
    json config = DefaultDirectoryConfig();
    config["people"] = People();
    config["storage"] = {{"path", daemon_->db_path().string()}};
    config["policies"] = {{"deadline", {{"at_deadline", true}}}};
    config["reminders"] = {{"default_policy", "deadline"}};
    json channel = fake.ChannelConfig();
    channel.update(channel_extra);
    config["channels"] = {{"chat", channel}};
    json base_delivery = {{"backoff_initial", "PT1S"},
                          {"backoff_max", "PT2S"},
                          {"group_window_ms", 0},
                          {"max_group_size", 1},
                          {"max_attempts", 20}};
    base_delivery.update(delivery);
    config["delivery"] = base_delivery;
    for (json& team : config["teams"]) team["channels"] = {"chat"};
    std::filesystem::create_directories(daemon_->dir());
    std::ofstream(daemon_->config_path()) << config.dump(2) << "\n";
    const Status started = daemon_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = daemon_->Client();
  }

  HttpResponse Call(std::string_view method, std::string_view target, const json& body = nullptr) {
    auto response = client_->Request(method, target, body.is_null() ? "" : body.dump());
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    return response.ok() ? *response : HttpResponse{};
  }

  // One plan of `count` tasks titled Title(i) with `title_suffix`, owned by `owner`, falling due
  // `first_due_ms` from now and then over `spread_ms`, in an order unlike the order they were
  // created in (task i falls due at slot (7 i) mod count; with no spread, all at once). Returns
  // the titles in the order the reminders fall due: the order the chat must show them in.
  std::vector<std::string> CreateDrill(int count, int first_due_ms, int spread_ms,
                                       const std::string& owner = "han.meimei",
                                       const std::string& title_suffix = "") {
    json body = PlanBody("Provider drill");
    body["tasks"] = json::array();
    // Reminders due together fire in the order of their tasks' ids: creation order.
    std::vector<std::tuple<int, int, std::string>> by_due;
    for (int i = 0; i < count; ++i) {
      const int slot = (7 * i) % count;
      const int due_ms = first_due_ms + (count > 1 ? slot * spread_ms / (count - 1) : 0);
      const std::string title = Title(i) + title_suffix;
      body["tasks"].push_back(TaskBody("t" + std::to_string(i), title, owner, InMs(due_ms)));
      by_due.emplace_back(due_ms, i, Title(i));
    }
    HttpResponse created = Call("POST", "/api/v1/plans", body);
    EXPECT_TRUE(HasStatus(created, 201));
    std::sort(by_due.begin(), by_due.end());
    std::vector<std::string> titles;
    for (auto& [due, index, title] : by_due) titles.push_back(title);
    return titles;
  }

  json Notifications(std::string_view query = "") {
    HttpResponse r = Call("GET", "/api/v1/notifications?limit=500" + std::string(query));
    EXPECT_TRUE(HasStatus(r, 200));
    return r.status == 200 ? r.json["items"] : json::array();
  }

  // Polls the outbox (bounded) until `count` notifications are delivered or dead.
  bool WaitForSettled(std::size_t count, milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      std::size_t settled = Notifications("&state=delivered").size();
      if (settled >= count) return true;
      settled += Notifications("&state=dead").size();
      if (settled >= count) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(milliseconds(200));
    }
  }

  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

std::string ParamName(const ::testing::TestParamInfo<ChatProvider>& info) {
  return Name(info.param);
}

// ---- the contract of each provider ----------------------------------------------------------

using ProviderContract = Providers;

TEST_P(ProviderContract, TheRobotGetsItsOwnFormatAndPingsEachOwner) {
  const ChatProvider provider = GetParam();
  ChatFakeOptions options;
  if (provider == ChatProvider::kDingTalk) options.secret = "SECkaizen-fake-dingtalk-secret";
  if (provider == ChatProvider::kFeishu) options.secret = "kaizen-fake-feishu-secret";
  ChatFake fake(provider, options);
  ASSERT_NO_FATAL_FAILURE(StartDaemon(fake, json{{"rate_limit", ScaledRateLimit(provider)}}));

  // Three owners: han.meimei by user id, li.lei by mobile number (DingTalk, WeCom) or id, and
  // wang.fang, who has no handle and is named in plain text.
  json body = PlanBody("Contract drill");
  body["tasks"] = {TaskBody("a", "Collect tickets <!channel> @everyone", "han.meimei", InMs(800)),
                   TaskBody("b", "Call the supplier", "li.lei", InMs(1600)),
                   TaskBody("c", "Review the survey", "wang.fang", InMs(2400))};
  ASSERT_TRUE(HasStatus(Call("POST", "/api/v1/plans", body), 201));

  ASSERT_TRUE(fake.WaitForPosted(3, seconds(15))) << Describe(fake);
  ASSERT_TRUE(WaitForSettled(3, seconds(5))) << Notifications().dump(1);
  std::vector<PostedMessage> posted = fake.posted();
  EXPECT_TRUE(fake.violations().empty()) << Describe(fake);
  EXPECT_TRUE(fake.refusals().empty()) << Describe(fake);
  ASSERT_EQ(posted.size(), 3u) << Describe(fake);

  // Each message carries its task's title and pings exactly its owner, however the title tries
  // to ping everybody.
  EXPECT_NE(posted[0].text.find("Collect tickets"), std::string::npos) << posted[0].text;
  EXPECT_EQ(posted[0].mentioned, std::set<std::string>{HandleOf("han.meimei", provider)})
      << posted[0].text;
  EXPECT_NE(posted[1].text.find("Call the supplier"), std::string::npos) << posted[1].text;
  EXPECT_EQ(posted[1].mentioned, std::set<std::string>{HandleOf("li.lei", provider)})
      << posted[1].text;
  EXPECT_NE(posted[2].text.find("Review the survey"), std::string::npos) << posted[2].text;
  EXPECT_TRUE(posted[2].mentioned.empty()) << posted[2].text;
  EXPECT_NE(posted[2].text.find("Wang Fang"), std::string::npos) << posted[2].text;
  for (const json& n : Notifications()) EXPECT_EQ(n["state"], "delivered") << n.dump();
  // The URL's token never reaches the log.
  EXPECT_EQ(daemon_->StderrText().find("t0ken"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Each, ProviderContract,
                         ::testing::Values(ChatProvider::kDingTalk, ChatProvider::kFeishu,
                                           ChatProvider::kWeCom, ChatProvider::kSlack,
                                           ChatProvider::kTeams, ChatProvider::kDiscord),
                         ParamName);

// ---- everything, in order, within the provider's limits -------------------------------------

using ProviderLimits = Providers;

// Many reminders falling due within a second or two: more than the provider takes in one of its
// minutes. The channel's default rate limit spreads them so that the provider never throttles,
// and they arrive in the order they fell due.
TEST_P(ProviderLimits, ABurstOfRemindersArrivesWholeInOrderAndNeverTripsALimit) {
  const ChatProvider provider = GetParam();
  ChatFake fake(provider, DocumentedLimits(provider));
  // Feishu's 100 a minute needs more than 100 messages to be reached.
  const int count = provider == ChatProvider::kFeishu ? 110 : 32;
  ASSERT_NO_FATAL_FAILURE(StartDaemon(fake, json{{"rate_limit", ScaledRateLimit(provider)}}));
  const std::vector<std::string> titles = CreateDrill(count, 1500, 1500);
  ASSERT_EQ(titles.size(), static_cast<std::size_t>(count));

  const bool all = fake.WaitForPosted(titles.size(), seconds(30));
  EXPECT_TRUE(all) << Describe(fake);
  EXPECT_EQ(TitlesSeen(fake.posted(), titles), titles) << Describe(fake);
  EXPECT_EQ(fake.throttled(), 0) << Describe(fake);
  EXPECT_TRUE(fake.violations().empty()) << Describe(fake);
  EXPECT_TRUE(fake.refusals().empty()) << Describe(fake);
  ASSERT_TRUE(WaitForSettled(titles.size(), seconds(5)));
  EXPECT_EQ(Notifications("&state=delivered").size(), titles.size());
}

INSTANTIATE_TEST_SUITE_P(Documented, ProviderLimits,
                         ::testing::Values(ChatProvider::kDingTalk, ChatProvider::kFeishu,
                                           ChatProvider::kWeCom, ChatProvider::kSlack,
                                           ChatProvider::kDiscord),
                         ParamName);

// ---- a message waiting for a retry holds back the ones after it ------------------------------

using ProviderRetry = Providers;

// The provider throttles one message unexpectedly (another sender shares the webhook). That
// message waits for the wait the provider asks for (Retry-After, Discord's retry_after; Feishu
// gives none, so the backoff), and the messages after it wait behind it: the chat shows them in
// order, and the throttle is not tripped again.
TEST_P(ProviderRetry, AThrottledMessageHoldsBackTheOnesAfterIt) {
  const ChatProvider provider = GetParam();
  ChatFakeOptions options = DocumentedLimits(provider);
  options.throttle_wait = seconds(1);
  ChatFake fake(provider, options);
  fake.ThrottleOnceWhen(Title(8));
  json channel = json::object();
  if (provider != ChatProvider::kTeams) channel["rate_limit"] = ScaledRateLimit(provider);
  ASSERT_NO_FATAL_FAILURE(StartDaemon(fake, channel));
  const std::vector<std::string> titles = CreateDrill(16, 1000, 300);

  ASSERT_TRUE(fake.WaitForPosted(titles.size(), seconds(20))) << Describe(fake);
  std::vector<PostedMessage> posted = fake.posted();
  EXPECT_EQ(TitlesSeen(posted, titles), titles) << Describe(fake);
  EXPECT_EQ(fake.throttled(), 1) << Describe(fake);
  EXPECT_TRUE(fake.violations().empty()) << Describe(fake);

  // The throttled one came at least the asked-for second after the throttle, and nothing of
  // the channel came in between.
  std::vector<SinkRequest> requests = fake.requests();
  auto throttled_at = std::find_if(requests.begin(), requests.end(), [](const SinkRequest& r) {
    return r.request.body.find(Title(8)) != std::string::npos;
  });
  ASSERT_NE(throttled_at, requests.end());
  auto next = std::next(throttled_at);
  ASSERT_NE(next, requests.end());
  EXPECT_NE(next->request.body.find(Title(8)), std::string::npos)
      << "the request after the throttled one is its retry";
  EXPECT_GE(std::chrono::duration<double>(next->at - throttled_at->at).count(), 0.95);
  ASSERT_TRUE(WaitForSettled(titles.size(), seconds(5)));
  EXPECT_EQ(Notifications("&state=delivered").size(), titles.size());
}

INSTANTIATE_TEST_SUITE_P(Throttling, ProviderRetry,
                         ::testing::Values(ChatProvider::kFeishu, ChatProvider::kSlack,
                                           ChatProvider::kTeams, ChatProvider::kDiscord),
                         ParamName);

// ---- a refused message does not block the channel -------------------------------------------

TEST_F(Providers, AMessageSlackRefusesIsDeadAndTheRestStillArriveInOrder) {
  ChatFake fake(ChatProvider::kSlack, DocumentedLimits(ChatProvider::kSlack));
  fake.RefuseWhen(Title(3));
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon(fake, json{{"rate_limit", ScaledRateLimit(ChatProvider::kSlack)}}));
  std::vector<std::string> titles = CreateDrill(10, 1000, 500);
  ASSERT_TRUE(WaitForSettled(titles.size(), seconds(20))) << Describe(fake);

  json dead = Notifications("&state=dead");
  ASSERT_EQ(dead.size(), 1u) << Notifications().dump(1);
  EXPECT_EQ(dead[0]["last_error"].get<std::string>().rfind("permanent:", 0), 0u) << dead.dump();
  EXPECT_EQ(dead[0]["attempts"], 1);
  titles.erase(std::find(titles.begin(), titles.end(), Title(3)));
  EXPECT_EQ(TitlesSeen(fake.posted(), titles), titles) << Describe(fake);
  EXPECT_EQ(fake.throttled(), 0) << Describe(fake);
}

// ---- size limits ----------------------------------------------------------------------------

// A backlog of long reminders for one DingTalk robot, grouped: the digest would exceed
// DingTalk's 20,000 bytes (460101), so it arrives in parts within it, every reminder once, in
// order, and the parts count against the robot's 20 a minute like any message.
TEST_F(Providers, ADingTalkDigestOverTheSizeLimitArrivesInPartsWithinIt) {
  ChatFakeOptions options = DocumentedLimits(ChatProvider::kDingTalk);
  options.secret = "SECkaizen-fake-dingtalk-secret";
  ChatFake fake(ChatProvider::kDingTalk, options);
  ASSERT_NO_FATAL_FAILURE(
      StartDaemon(fake, json{{"rate_limit", ScaledRateLimit(ChatProvider::kDingTalk)}},
                  json{{"group_window_ms", 1500}, {"max_group_size", 200}}));
  const std::string long_tail = " " + std::string(240, 'x');
  std::vector<std::string> titles = CreateDrill(120, 1500, 0, "han.meimei", long_tail);

  ASSERT_TRUE(WaitForSettled(titles.size(), seconds(20))) << Describe(fake);
  EXPECT_EQ(TitlesSeen(fake.posted(), titles), titles) << Describe(fake);
  EXPECT_GE(fake.posted().size(), 2u) << "one digest would be over 20,000 bytes";
  EXPECT_TRUE(fake.refusals().empty()) << Describe(fake);
  EXPECT_TRUE(fake.violations().empty()) << Describe(fake);
  for (const PostedMessage& m : fake.posted()) {
    EXPECT_EQ(m.mentioned, std::set<std::string>{"hanmeimei01"});
  }
}

// The same for WeCom, whose text takes 2,048 bytes: each digest of 20 goes in several parts,
// and each part is one of the robot's 20 messages a minute, so parts are paced like messages.
TEST_F(Providers, WeComDigestPartsStayUnder2048BytesAndArePacedLikeMessages) {
  ChatFake fake(ChatProvider::kWeCom, DocumentedLimits(ChatProvider::kWeCom));
  ASSERT_NO_FATAL_FAILURE(StartDaemon(fake,
                                      json{{"rate_limit", ScaledRateLimit(ChatProvider::kWeCom)}},
                                      json{{"group_window_ms", 1500}, {"max_group_size", 20}}));
  const std::string long_tail = " " + std::string(300, 'w');
  std::vector<std::string> titles = CreateDrill(100, 1500, 0, "han.meimei", long_tail);

  ASSERT_TRUE(WaitForSettled(titles.size(), seconds(25))) << Describe(fake);
  EXPECT_EQ(TitlesSeen(fake.posted(), titles), titles) << Describe(fake);
  EXPECT_GT(fake.posted().size(), 20u) << "more parts than the robot takes in a minute";
  EXPECT_EQ(fake.throttled(), 0) << Describe(fake);
  EXPECT_TRUE(fake.refusals().empty()) << Describe(fake);
  EXPECT_TRUE(fake.violations().empty()) << Describe(fake);
}

}  // namespace
}  // namespace kaizen::testing
