#include "notifiers/provider_payload.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "notifiers/message_text.h"

namespace kaizen::notifiers {
namespace {

using Json = nlohmann::json;

constexpr Provider kChatProviders[] = {Provider::kDingTalk, Provider::kFeishu, Provider::kWeCom,
                                       Provider::kSlack,    Provider::kTeams,  Provider::kDiscord};

Instant At(std::string_view rfc3339) { return *ParseRfc3339(rfc3339); }

const Instant kNow = At("2026-11-25T01:00:00Z");

Directory People() {
  Person wang;
  wang.id = "wangfang";
  wang.name = "Wang Fang";
  wang.team = "platform";
  wang.handles = {{"dingtalk", "13800000001"},
                  {"feishu", "ou_7d8a6e6df7621556ce0d21922b676706"},
                  {"wecom", "WangFang"},
                  {"slack", "U02ABCDEF"},
                  {"teams", "wangfang@contoso.com"},
                  {"discord", "123456789012345678"}};
  Person li;
  li.id = "lilei";
  li.name = "Li Lei";
  li.team = "platform";
  Team team;
  team.id = "platform";
  team.name = "Platform";
  team.time_zone = "Asia/Shanghai";
  return Directory({wang, li}, {team});
}

// A before_due reminder of Wang Fang's task, addressed to her, a day ahead.
Notification BeforeDue() {
  Notification n;
  n.id = 17;
  n.idempotency_key = "rem-42-before_due-P1D-chat";
  n.channel = "chat";
  NotificationEvent& e = n.event;
  e.kind = std::string(kNotifyBeforeDue);
  e.task_id = 42;
  e.plan_id = 7;
  e.task_title = "Ship v2";
  e.plan_title = "Q4 launch";
  e.team = "platform";
  e.time_zone = "Asia/Shanghai";
  e.owner = "wangfang";
  e.owner_name = "Wang Fang";
  e.due_at = At("2026-11-26T01:00:00Z");
  e.recipient = "wangfang";
  e.recipient_name = "Wang Fang";
  e.reminder_key = "before_due-P1D";
  e.actor = "system";
  e.occurred_at = kNow;
  return n;
}

Notification ForTeam() {
  Notification n = BeforeDue();
  n.event.recipient_kind = RecipientKind::kTeam;
  n.event.recipient = "platform";
  n.event.recipient_name = "Platform";
  n.event.mention_all = true;
  return n;
}

Notification ForLiLei() {
  Notification n = BeforeDue();
  n.event.owner = "lilei";
  n.event.owner_name = "Li Lei";
  n.event.recipient = "lilei";
  n.event.recipient_name = "Li Lei";
  return n;
}

DeliveryBatch BatchOf(std::vector<Notification> items) {
  DeliveryBatch batch;
  batch.channel = "chat";
  batch.idempotency_key = items.size() == 1 ? items[0].idempotency_key : "batch-17-chat";
  batch.items = std::move(items);
  return batch;
}

std::string Only(Provider provider, const Notification& n) {
  auto out = FormatForProvider(provider, BatchOf({n}), People(), kNow);
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? "" : out[0].body;
}

// The sentence every provider carries for BeforeDue(), after its mention.
const std::string kSentence =
    R"(Reminder: \"Ship v2\" (owner Wang Fang) is due in 1 day, Thu 26 Nov 09:00 (Asia/Shanghai))";

TEST(ProviderPayload, SentenceIsMessageTextWithoutItsOpening) {
  // The goldens below rely on this line; if MessageText changes, they change with it.
  EXPECT_EQ(MessageText(BeforeDue().event, kNow),
            "@Wang Fang: Reminder: \"Ship v2\" (owner Wang Fang) is due in 1 day, Thu 26 Nov "
            "09:00 (Asia/Shanghai)");
}

TEST(ProviderPayload, DingTalkMentionGolden) {
  EXPECT_EQ(Only(Provider::kDingTalk, BeforeDue()),
            R"({"msgtype":"markdown","markdown":{"title":"Reminder","text":"### Reminder\n)"
            R"(@13800000001 )" +
                kSentence +
                R"("},"at":{"atMobiles":["13800000001"],"atUserIds":[],"isAtAll":false}})");
}

TEST(ProviderPayload, DingTalkUserIdGoesToAtUserIds) {
  Directory people(
      {{"wangfang", "Wang Fang", "platform", std::nullopt, {{"dingtalk", "manager4220"}}}}, {});
  auto out = FormatForProvider(Provider::kDingTalk, BatchOf({BeforeDue()}), people, kNow);
  ASSERT_EQ(out.size(), 1u);
  Json body = Json::parse(out[0].body);
  EXPECT_EQ(body["at"]["atUserIds"], Json::array({"manager4220"}));
  EXPECT_EQ(body["at"]["atMobiles"], Json::array());
  EXPECT_NE(body["markdown"]["text"].get<std::string>().find("@manager4220 Reminder"),
            std::string::npos);
}

TEST(ProviderPayload, FeishuMentionGolden) {
  EXPECT_EQ(
      Only(Provider::kFeishu, BeforeDue()),
      R"({"msg_type":"text","content":{"text":"<at user_id=\"ou_7d8a6e6df7621556ce0d21922b676706\">)"
      R"(Wang Fang</at> )" +
          kSentence + R"("}})");
}

TEST(ProviderPayload, WeComMentionGolden) {
  EXPECT_EQ(Only(Provider::kWeCom, BeforeDue()),
            R"({"msgtype":"text","text":{"content":"<@WangFang> )" + kSentence +
                R"(","mentioned_list":["WangFang"],"mentioned_mobile_list":[]}})");
}

TEST(ProviderPayload, WeComMobileGoesToMobileList) {
  Directory people(
      {{"wangfang", "Wang Fang", "platform", std::nullopt, {{"wecom", "13800000001"}}}}, {});
  auto out = FormatForProvider(Provider::kWeCom, BatchOf({BeforeDue()}), people, kNow);
  ASSERT_EQ(out.size(), 1u);
  Json body = Json::parse(out[0].body);
  EXPECT_EQ(body["text"]["mentioned_mobile_list"], Json::array({"13800000001"}));
  EXPECT_EQ(body["text"]["mentioned_list"], Json::array());
  EXPECT_EQ(body["text"]["content"].get<std::string>().rfind("@Wang Fang: Reminder", 0), 0u);
  EXPECT_TRUE(out[0].missing_handles.empty());
}

TEST(ProviderPayload, SlackMentionGolden) {
  // Slack's control characters in the words are escaped ("&quot;" is not one of them).
  EXPECT_EQ(Only(Provider::kSlack, BeforeDue()),
            R"({"text":"<@U02ABCDEF> )" + kSentence +
                R"(","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"<@U02ABCDEF> )" +
                kSentence + R"("}}]})");
}

TEST(ProviderPayload, TeamsMentionGolden) {
  EXPECT_EQ(
      Only(Provider::kTeams, BeforeDue()),
      R"({"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive",)"
      R"("contentUrl":null,"content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json",)"
      R"("type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","wrap":true,)"
      R"("text":"<at>Wang Fang</at> )" +
          kSentence +
          R"("}],"msteams":{"entities":[{"type":"mention","text":"<at>Wang Fang</at>",)"
          R"("mentioned":{"id":"wangfang@contoso.com","name":"Wang Fang"}}]}}}]})");
}

TEST(ProviderPayload, DiscordMentionGolden) {
  EXPECT_EQ(Only(Provider::kDiscord, BeforeDue()),
            R"({"content":"<@123456789012345678> )" + kSentence +
                R"(","allowed_mentions":{"parse":[],"users":["123456789012345678"]}})");
}

TEST(ProviderPayload, MentionAllGoldens) {
  EXPECT_EQ(Only(Provider::kDingTalk, ForTeam()),
            R"({"msgtype":"markdown","markdown":{"title":"Reminder","text":"### Reminder\n)"
            R"(@all: )" +
                kSentence + R"("},"at":{"atMobiles":[],"atUserIds":[],"isAtAll":true}})");
  EXPECT_EQ(
      Only(Provider::kFeishu, ForTeam()),
      R"({"msg_type":"text","content":{"text":"<at user_id=\"all\"></at> )" + kSentence + R"("}})");
  EXPECT_EQ(Only(Provider::kWeCom, ForTeam()),
            R"({"msgtype":"text","text":{"content":"@all: )" + kSentence +
                R"(","mentioned_list":["@all"],"mentioned_mobile_list":[]}})");
  EXPECT_EQ(Only(Provider::kSlack, ForTeam()),
            R"({"text":"<!channel> )" + kSentence +
                R"(","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"<!channel> )" +
                kSentence + R"("}}]})");
  EXPECT_EQ(Only(Provider::kDiscord, ForTeam()),
            R"({"content":"@everyone )" + kSentence +
                R"(","allowed_mentions":{"parse":["everyone"],"users":[]}})");
  // Teams: the page documents no mention of a whole team for webhook cards.
  Json teams = Json::parse(Only(Provider::kTeams, ForTeam()));
  Json card = teams["attachments"][0]["content"];
  EXPECT_EQ(card["body"][0]["text"],
            "@all: " + Json::parse("\"" + kSentence + "\"").get<std::string>());
  EXPECT_EQ(card["msteams"]["entities"], Json::array());
}

TEST(ProviderPayload, PersonWithoutHandleIsNamedInPlainText) {
  const std::string plain = R"(@Li Lei: Reminder: \"Ship v2\" (owner Li Lei) is due in 1 day, )"
                            R"(Thu 26 Nov 09:00 (Asia/Shanghai))";
  const std::vector<std::string> goldens = {
      R"({"msgtype":"markdown","markdown":{"title":"Reminder","text":"### Reminder\n)" + plain +
          R"("},"at":{"atMobiles":[],"atUserIds":[],"isAtAll":false}})",
      R"({"msg_type":"text","content":{"text":")" + plain + R"("}})",
      R"({"msgtype":"text","text":{"content":")" + plain +
          R"(","mentioned_list":[],"mentioned_mobile_list":[]}})",
      R"({"text":")" + plain + R"(","blocks":[{"type":"section","text":{"type":"mrkdwn","text":")" +
          plain + R"("}}]})",
      "",  // Teams: checked through its parsed card below
      R"({"content":")" + plain + R"(","allowed_mentions":{"parse":[],"users":[]}})",
  };
  for (std::size_t i = 0; i < std::size(kChatProviders); ++i) {
    Provider p = kChatProviders[i];
    SCOPED_TRACE(ToString(p));
    auto out = FormatForProvider(p, BatchOf({ForLiLei()}), People(), kNow);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].missing_handles, std::vector<std::string>{"lilei"});
    if (p == Provider::kTeams) {
      Json card = Json::parse(out[0].body)["attachments"][0]["content"];
      EXPECT_EQ(card["body"][0]["text"], Json::parse("\"" + plain + "\""));
      EXPECT_EQ(card["msteams"]["entities"], Json::array());
    } else {
      EXPECT_EQ(out[0].body, goldens[i]);
    }
  }
  // Someone not in the directory at all is named the same way.
  Notification stranger = ForLiLei();
  stranger.event.recipient = "ghost";
  auto out = FormatForProvider(Provider::kSlack, BatchOf({stranger}), People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].missing_handles, std::vector<std::string>{"ghost"});
}

TEST(ProviderPayload, MentionedPeopleHaveNoMissingHandles) {
  for (Provider p : kChatProviders) {
    SCOPED_TRACE(ToString(p));
    auto out = FormatForProvider(p, BatchOf({BeforeDue()}), People(), kNow);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].missing_handles.empty());
  }
}

// The text lines a body carries, whatever the provider's shape.
std::string TextOf(Provider p, const Json& body) {
  switch (p) {
    case Provider::kDingTalk: return body["markdown"]["text"];
    case Provider::kFeishu: return body["content"]["text"];
    case Provider::kWeCom: return body["text"]["content"];
    case Provider::kSlack: return body["text"];
    case Provider::kDiscord: return body["content"];
    case Provider::kTeamsLegacy: return body["text"];  // without its title
    case Provider::kTeams: {
      std::string text;
      for (const Json& block : body["attachments"][0]["content"]["body"]) {
        if (!text.empty()) text += "\n";
        text += block["text"].get<std::string>();
      }
      return text;
    }
    case Provider::kWebhook: break;
  }
  return "";
}

std::size_t CountOf(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// 80 reminders with long titles: about 32 KB of text, over every provider's limit.
std::vector<Notification> LongDigest() {
  std::vector<Notification> items;
  for (int i = 1; i <= 80; ++i) {
    Notification n = (i % 2 == 0) ? BeforeDue() : ForLiLei();
    n.id = i;
    n.event.task_title = "Task #" + std::to_string(i) + "# " + std::string(300, 'x');
    items.push_back(n);
  }
  return items;
}

TEST(ProviderPayload, LongDigestIsSplitInOrderWithMarksUnderTheLimit) {
  const auto items = LongDigest();
  for (Provider p : kChatProviders) {
    SCOPED_TRACE(ToString(p));
    auto out = FormatForProvider(p, BatchOf(items), People(), kNow);
    ASSERT_GE(out.size(), 2u);
    const std::string of = "/" + std::to_string(out.size()) + ")";
    int next = 1;
    for (std::size_t i = 0; i < out.size(); ++i) {
      EXPECT_LE(out[i].body.size(), MaxBodyBytes(p));
      Json body = Json::parse(out[i].body);  // throws, failing the test, if not JSON
      const std::string text = TextOf(p, body);
      const std::string header = "80 reminders (" + std::to_string(i + 1) + of;
      const std::string opening =
          p == Provider::kDingTalk ? "### " + header + "\n- " : header + "\n";
      EXPECT_EQ(text.rfind(opening, 0), 0u) << text.substr(0, 40);
      EXPECT_EQ(CountOf(text, "80 reminders"), 1u);
      if (p == Provider::kDingTalk) {
        EXPECT_EQ(body["markdown"]["title"], header);
      }
      if (p == Provider::kSlack || p == Provider::kDiscord) {
        EXPECT_LE(text.size(), p == Provider::kSlack ? 3000u * 4 : 2000u * 4);
      }
      // Items in order, none lost, none repeated, none cut.
      for (auto at = text.find("Task #"); at != std::string::npos;
           at = text.find("Task #", at + 1)) {
        auto end = text.find('#', at + 6);
        EXPECT_EQ(std::stoi(text.substr(at + 6, end - at - 6)), next);
        ++next;
      }
      EXPECT_EQ(CountOf(text, std::string(300, 'x')), CountOf(text, "Task #"));
      // Each part mentions its own people and names the others.
      EXPECT_EQ(out[i].missing_handles, std::vector<std::string>{"lilei"});
    }
    EXPECT_EQ(next, 81);
  }
}

TEST(ProviderPayload, SlackAndDiscordStayWithinTheirCharacterLimits) {
  // Four-byte characters: Slack's 3,000 and Discord's 2,000 count characters, not bytes.
  std::vector<Notification> items;
  for (int i = 0; i < 40; ++i) {
    Notification n = BeforeDue();
    std::string title;
    for (int k = 0; k < 60; ++k) title += "\xF0\x9F\x9A\x80";  // U+1F680
    n.event.task_title = title;
    items.push_back(n);
  }
  for (Provider p : {Provider::kSlack, Provider::kDiscord}) {
    SCOPED_TRACE(ToString(p));
    auto out = FormatForProvider(p, BatchOf(items), People(), kNow);
    ASSERT_GE(out.size(), 2u);
    for (const auto& m : out) {
      Json body = Json::parse(m.body);
      std::string text = TextOf(p, body);
      std::size_t units = 0;
      for (unsigned char c : text) {
        if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
      }
      EXPECT_LE(units, p == Provider::kSlack ? 3000u : 2000u);
    }
  }
}

TEST(ProviderPayload, DigestThatFitsIsOneUnmarkedMessage) {
  auto out =
      FormatForProvider(Provider::kDiscord, BatchOf({BeforeDue(), ForLiLei()}), People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  const std::string sentence = Json::parse("\"" + kSentence + "\"").get<std::string>();
  EXPECT_EQ(Json::parse(out[0].body)["content"],
            "2 reminders\n- <@123456789012345678> " + sentence +
                "\n- @Li Lei: Reminder: \"Ship v2\" (owner Li Lei) is due in 1 day, Thu 26 Nov "
                "09:00 (Asia/Shanghai)");
  EXPECT_EQ(out[0].missing_handles, std::vector<std::string>{"lilei"});
}

TEST(ProviderPayload, SingleItemTooLongIsCutWithAnEllipsis) {
  Notification n = BeforeDue();
  n.event.task_title = std::string(10, 'y') + std::string(40000, 'z');
  for (Provider p : kChatProviders) {
    SCOPED_TRACE(ToString(p));
    auto out = FormatForProvider(p, BatchOf({n}), People(), kNow);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_LE(out[0].body.size(), MaxBodyBytes(p));
    const std::string text = TextOf(p, Json::parse(out[0].body));
    EXPECT_NE(text.find("yyyyyyyyyyz"), std::string::npos);
    EXPECT_EQ(text.substr(text.size() - 3), "…");
    // Cut no shorter than needed: close to the limit that binds.
    if (p == Provider::kSlack || p == Provider::kDiscord) {
      EXPECT_GT(text.size(), (p == Provider::kSlack ? 3000u : 2000u) - 10);
    } else {
      EXPECT_GT(out[0].body.size(), MaxBodyBytes(p) * 9 / 10);
    }
  }
}

TEST(ProviderPayload, CutNeverSplitsAUtf8Sequence) {
  Notification n = BeforeDue();
  n.event.task_title.clear();
  for (int i = 0; i < 3000; ++i) n.event.task_title += "任";
  auto out = FormatForProvider(Provider::kWeCom, BatchOf({n}), People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(out[0].body.size(), 2048u);
  // No replacement character: every character kept is whole.
  EXPECT_EQ(out[0].body.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_NE(out[0].body.find("任…"), std::string::npos);
}

TEST(ProviderPayload, SlackEscapesControlCharactersInWords) {
  Notification n = BeforeDue();
  n.event.task_title = "<!channel> & <b>";
  Json body = Json::parse(Only(Provider::kSlack, n));
  std::string text = body["text"];
  EXPECT_EQ(text.find("<!channel>"), std::string::npos);
  EXPECT_NE(text.find("\"&lt;!channel&gt; &amp; &lt;b&gt;\""), std::string::npos);
  EXPECT_EQ(text.rfind("<@U02ABCDEF> ", 0), 0u);
}

TEST(ProviderPayload, FeishuAndWeComTitlesCannotPingAnybody) {
  Notification n = BeforeDue();
  n.event.task_title = "<at user_id=\"all\"></at> and <@zhangsan>";
  Json feishu = Json::parse(Only(Provider::kFeishu, n));
  const std::string feishu_text = feishu["content"]["text"];
  EXPECT_EQ(feishu_text.find("<at user_id=\"all\">"), std::string::npos) << feishu_text;
  EXPECT_NE(feishu_text.find("<\u200Bat user_id=\"all\">"), std::string::npos) << feishu_text;
  Json wecom = Json::parse(Only(Provider::kWeCom, n));
  const std::string wecom_text = wecom["text"]["content"];
  EXPECT_EQ(wecom_text.find("<@zhangsan>"), std::string::npos) << wecom_text;
  EXPECT_EQ(wecom["text"]["mentioned_list"].dump().find("zhangsan"), std::string::npos);
}

TEST(ProviderPayload, EscalationMentionsItsTarget) {
  Notification n = BeforeDue();
  n.event.kind = std::string(kNotifyEscalation);
  n.event.owner = "lilei";
  n.event.owner_name = "Li Lei";
  n.event.escalation_level = 0;
  // The escalation goes to Wang Fang, Li Lei's manager: she is the one pinged.
  Json body = Json::parse(Only(Provider::kDiscord, n));
  EXPECT_EQ(body["allowed_mentions"]["users"], Json::array({"123456789012345678"}));
  EXPECT_EQ(body["content"].get<std::string>().rfind("<@123456789012345678> Escalation:", 0), 0u);
  Json ding = Json::parse(Only(Provider::kDingTalk, n));
  EXPECT_EQ(ding["markdown"]["title"], "Escalation");
}

TEST(ProviderPayload, DigestMentionsEachPersonOnce) {
  auto out = FormatForProvider(Provider::kTeams, BatchOf({BeforeDue(), BeforeDue(), ForLiLei()}),
                               People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  Json card = Json::parse(out[0].body)["attachments"][0]["content"];
  EXPECT_EQ(card["body"].size(), 4u);  // header + 3 lines
  EXPECT_EQ(card["body"][0]["text"], "3 reminders");
  EXPECT_EQ(card["msteams"]["entities"].size(), 1u);
  auto ding =
      FormatForProvider(Provider::kDingTalk, BatchOf({BeforeDue(), BeforeDue()}), People(), kNow);
  ASSERT_EQ(ding.size(), 1u);
  EXPECT_EQ(Json::parse(ding[0].body)["at"]["atMobiles"], Json::array({"13800000001"}));
}

TEST(ProviderPayload, MaxBodyBytesFromThePage) {
  EXPECT_EQ(MaxBodyBytes(Provider::kDingTalk), 20000u);
  EXPECT_EQ(MaxBodyBytes(Provider::kFeishu), 20000u);
  EXPECT_EQ(MaxBodyBytes(Provider::kWeCom), 2048u);
  EXPECT_EQ(MaxBodyBytes(Provider::kTeams), 28000u);
}

TEST(ProviderPayload, TeamsLegacyMessageCardGolden) {
  EXPECT_EQ(Only(Provider::kTeamsLegacy, BeforeDue()),
            R"({"@type":"MessageCard","@context":"http://schema.org/extensions",)"
            R"("summary":"Reminder","title":"Reminder","text":"@Wang Fang: )" +
                kSentence + R"("})");
}

TEST(ProviderPayload, TeamsLegacyNamesEveryoneInPlainTextAndReportsNoMissingHandle) {
  // Wang Fang has a teams handle, Li Lei none: a MessageCard can mention neither, and a handle
  // would not change that, so neither is a missing handle.
  auto out =
      FormatForProvider(Provider::kTeamsLegacy, BatchOf({BeforeDue(), ForLiLei()}), People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].missing_handles.empty());
  Json card = Json::parse(out[0].body);
  EXPECT_EQ(card["title"], "2 reminders");
  EXPECT_EQ(card["summary"], "2 reminders");
  // Connector cards break a line only at "\n\n".
  const std::string sentence = Json::parse("\"" + kSentence + "\"").get<std::string>();
  EXPECT_EQ(card["text"], "- @Wang Fang: " + sentence +
                              "\n\n- @Li Lei: Reminder: \"Ship v2\" (owner Li Lei) is due in 1 "
                              "day, Thu 26 Nov 09:00 (Asia/Shanghai)");
  Json team = Json::parse(Only(Provider::kTeamsLegacy, ForTeam()));
  EXPECT_EQ(team["text"].get<std::string>().rfind("@all: Reminder:", 0), 0u) << team.dump();
}

TEST(ProviderPayload, TeamsLegacyLongDigestIsSplitUnderTheLimit) {
  const auto items = LongDigest();
  auto out = FormatForProvider(Provider::kTeamsLegacy, BatchOf(items), People(), kNow);
  ASSERT_GE(out.size(), 2u);
  const std::string of = "/" + std::to_string(out.size()) + ")";
  int next = 1;
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_LE(out[i].body.size(), MaxBodyBytes(Provider::kTeamsLegacy));
    Json card = Json::parse(out[i].body);
    EXPECT_EQ(card["title"], "80 reminders (" + std::to_string(i + 1) + of);
    const std::string text = card["text"];
    EXPECT_EQ(text.rfind("- ", 0), 0u) << text.substr(0, 40);
    EXPECT_EQ(text.find("80 reminders"), std::string::npos);
    for (auto at = text.find("Task #"); at != std::string::npos; at = text.find("Task #", at + 1)) {
      auto end = text.find('#', at + 6);
      EXPECT_EQ(std::stoi(text.substr(at + 6, end - at - 6)), next);
      ++next;
    }
    EXPECT_EQ(CountOf(text, std::string(300, 'x')), CountOf(text, "Task #"));
    EXPECT_TRUE(out[i].missing_handles.empty());
  }
  EXPECT_EQ(next, 81);
}

TEST(ProviderPayload, TeamsLegacySingleItemTooLongIsCut) {
  Notification n = BeforeDue();
  n.event.task_title = std::string(10, 'y') + std::string(40000, 'z');
  auto out = FormatForProvider(Provider::kTeamsLegacy, BatchOf({n}), People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_LE(out[0].body.size(), 28000u);
  EXPECT_GT(out[0].body.size(), 28000u * 9 / 10);
  const std::string text = Json::parse(out[0].body)["text"];
  EXPECT_EQ(text.substr(text.size() - 3), "…");
  EXPECT_EQ(MaxBodyBytes(Provider::kTeamsLegacy), 28000u);
}

TEST(ProviderPayload, FeishuLeavesRoomForTheSignature) {
  Notification n = BeforeDue();
  n.event.task_title = std::string(40000, 'z');
  auto out = FormatForProvider(Provider::kFeishu, BatchOf({n}), People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  const std::string signed_fields =
      R"("timestamp":"1717171717","sign":"0xLSEwx6LGdc7GcyOzV53j6T6ASbP/m18HT4HvSA5SI=",)";
  EXPECT_LE(out[0].body.size() + signed_fields.size(), MaxBodyBytes(Provider::kFeishu));
}

TEST(ProviderPayload, WebhookIsTheGenericBodyUnsplit) {
  auto out = FormatForProvider(Provider::kWebhook, BatchOf(LongDigest()), People(), kNow);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Json::parse(out[0].body)["type"], "kaizen.digest");
}

}  // namespace
}  // namespace kaizen::notifiers
