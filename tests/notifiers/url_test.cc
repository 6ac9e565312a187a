#include "notifiers/url.h"

#include <gtest/gtest.h>

namespace kaizen::notifiers {
namespace {

ParsedUrl Parse(std::string_view url) {
  Result<ParsedUrl> parsed = ParseUrl(url);
  EXPECT_TRUE(parsed.ok()) << url << ": " << parsed.status().ToString();
  return parsed.ok() ? *parsed : ParsedUrl{};
}

void ExpectInvalid(std::string_view url) {
  Result<ParsedUrl> parsed = ParseUrl(url);
  ASSERT_FALSE(parsed.ok()) << url << " was accepted";
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().reason(), "invalid_url");
}

TEST(ParseUrl, SplitsHttpsUrlWithDefaultPort) {
  ParsedUrl url = Parse("https://hooks.Example.com/services/T1/B2?x=1&y=2");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "hooks.example.com");
  EXPECT_FALSE(url.host_is_ip);
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.target, "/services/T1/B2?x=1&y=2");
  EXPECT_EQ(url.HostHeader(), "hooks.example.com");
  EXPECT_EQ(url.Origin(), "https://hooks.example.com:443");
}

TEST(ParseUrl, SplitsHttpUrlWithPortAndNoPath) {
  ParsedUrl url = Parse("HTTP://127.0.0.1:8080");
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_TRUE(url.host_is_ip);
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.target, "/");
  EXPECT_EQ(url.HostHeader(), "127.0.0.1:8080");
}

TEST(ParseUrl, QueryWithoutPathGetsRootPath) {
  EXPECT_EQ(Parse("http://example.com?a=b").target, "/?a=b");
}

TEST(ParseUrl, DropsFragment) {
  EXPECT_EQ(Parse("https://example.com/hook?a=1#section").target, "/hook?a=1");
}

TEST(ParseUrl, AcceptsIpv6Literals) {
  ParsedUrl url = Parse("https://[::1]:8443/hook");
  EXPECT_EQ(url.host, "::1");
  EXPECT_TRUE(url.host_is_ip);
  EXPECT_EQ(url.port, 8443);
  EXPECT_EQ(url.HostHeader(), "[::1]:8443");
  EXPECT_EQ(url.Origin(), "https://[::1]:8443");

  EXPECT_EQ(Parse("http://[2001:DB8::a:1]/").host, "2001:db8::a:1");
  EXPECT_EQ(Parse("http://[2001:db8:0:0:0:0:0:1]/").HostHeader(), "[2001:db8:0:0:0:0:0:1]");
  EXPECT_EQ(Parse("http://[::ffff:192.0.2.1]/").host, "::ffff:192.0.2.1");
}

TEST(ParseUrl, DefaultPortIsLeftOutOfHostHeader) {
  EXPECT_EQ(Parse("http://example.com:80/").HostHeader(), "example.com");
  EXPECT_EQ(Parse("https://example.com:443/").HostHeader(), "example.com");
  EXPECT_EQ(Parse("https://example.com:80/").HostHeader(), "example.com:80");
}

TEST(ParseUrl, RejectsOtherSchemesAndRelativeUrls) {
  ExpectInvalid("ftp://example.com/file");
  ExpectInvalid("example.com/hook");
  ExpectInvalid("/hook");
  ExpectInvalid("");
  ExpectInvalid("https//example.com");
}

TEST(ParseUrl, RejectsBadHosts) {
  ExpectInvalid("https:///path");
  ExpectInvalid("https://:443/path");
  ExpectInvalid("https://exa mple.com/");
  ExpectInvalid("https://.example.com/");
  ExpectInvalid("https://example..com/");
  ExpectInvalid("https://[::1/");
  ExpectInvalid("https://[12345::1]/");
  ExpectInvalid("https://[1:2:3:4:5:6:7:8:9]/");
  ExpectInvalid("https://[1::2::3]/");
  ExpectInvalid("https://[fe80::1%25eth0]/");
  ExpectInvalid("https://[::1]x/");
}

TEST(ParseUrl, RejectsBadPorts) {
  ExpectInvalid("http://example.com:0/");
  ExpectInvalid("http://example.com:65536/");
  ExpectInvalid("http://example.com:/");
  ExpectInvalid("http://example.com:8o/");
  ExpectInvalid("http://example.com:-1/");
  ExpectInvalid("http://example.com:+80/");
}

TEST(ParseUrl, RejectsUserInformation) { ExpectInvalid("https://user:secret@example.com/hook"); }

TEST(ParseUrl, RejectsUnencodedSpacesAndControlCharacters) {
  ExpectInvalid("https://example.com/a b");
  ExpectInvalid("https://example.com/a\r\nHost: evil");
  ExpectInvalid("https://example.com/?q=\x7f");
}

TEST(ParseUrl, ErrorMessageShowsTheUrlRedacted) {
  Result<ParsedUrl> parsed = ParseUrl("https://example.com:99999/hooks/abcdefghijklmnopqrstuvwx");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("https://example.com:99999/hooks/***"),
            std::string::npos)
      << parsed.status().message();
  EXPECT_EQ(parsed.status().message().find("abcdefghijklmnop"), std::string::npos);
}

TEST(RedactUrl, KeepsHostAndFirstSegmentAndHidesTokens) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T00000000/B00000000/"
                      "abcdefghijklmnopqrstuvwx"),
            "https://hooks.slack.com/services/***/***/***");
  EXPECT_EQ(RedactUrl("https://discord.com/api/webhooks/123456789012345678/"
                      "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
            "https://discord.com/api/webhooks/***/***");
}

TEST(RedactUrl, KeepsShortWordsInThePath) {
  EXPECT_EQ(RedactUrl("https://example.com/api/v2/notify"), "https://example.com/api/v2/notify");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:8080/"), "http://127.0.0.1:8080/");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
}

TEST(RedactUrl, HidesEveryQueryValue) {
  EXPECT_EQ(RedactUrl("https://example.com/hook?token=s3cr3t&channel=ops&flag"),
            "https://example.com/hook?token=***&channel=***&***");
  EXPECT_EQ(RedactUrl("https://example.com/hook?"), "https://example.com/hook?");
}

TEST(RedactUrl, HidesALongFirstSegment) {
  EXPECT_EQ(RedactUrl("https://example.com/0123456789abcdef0123/x"), "https://example.com/***/x");
}

TEST(RedactUrl, HidesUserInformationAndDropsFragment) {
  EXPECT_EQ(RedactUrl("https://user:pw@example.com/hook#frag-secret"),
            "https://***@example.com/hook");
}

TEST(RedactUrl, RedactsUrlsThatDoNotParse) {
  EXPECT_EQ(RedactUrl("ftp://example.com:99999/files/0123456789abcdef0123?k=v"),
            "ftp://example.com:99999/files/***?k=***");
  EXPECT_EQ(RedactUrl("not a url with a secret 0123456789abcdef"), "***");
  EXPECT_EQ(RedactUrl(""), "***");
}

}  // namespace
}  // namespace kaizen::notifiers

namespace kaizen::notifiers {
namespace {

TEST(UrlSecrets, AreWhatRedactUrlHidesAsWrittenAndDecoded) {
  const std::vector<std::string> secrets = UrlSecrets(
      "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef&sign=a%2Bb%3Dcdefgh");
  EXPECT_EQ(secrets,
            (std::vector<std::string>{"0123456789abcdef", "a%2Bb%3Dcdefgh", "a+b=cdefgh"}));
  EXPECT_EQ(
      UrlSecrets("https://hooks.slack.com/services/T00000000/B00000000/abcdefghijklmnopqrstuvwx"),
      (std::vector<std::string>{"T00000000", "B00000000", "abcdefghijklmnopqrstuvwx"}));
  EXPECT_EQ(UrlSecrets("https://user:password1@example.com/hook"),
            (std::vector<std::string>{"user:password1"}));
}

TEST(UrlSecrets, LeaveOutValuesTooShortToBeCredentials) {
  // "?wait=true" is no secret, and hiding "true" would blank out JSON replies.
  EXPECT_EQ(
      UrlSecrets("https://discord.com/api/webhooks/123456789012345678/"
                 "abcdefghijklmnopqrstuvwxyz0123456789?wait=true"),
      (std::vector<std::string>{"123456789012345678", "abcdefghijklmnopqrstuvwxyz0123456789"}));
  EXPECT_TRUE(UrlSecrets("http://127.0.0.1:8080/hook?x=1").empty());
}

TEST(HideSecrets, ReplacesEveryOccurrenceLongestFirst) {
  EXPECT_EQ(HideSecrets("token 0123456789abcdef is invalid; 0123456789abcdef again",
                        {"0123456789abcdef"}),
            "token *** is invalid; *** again");
  // The longer secret that contains a shorter one is hidden whole.
  EXPECT_EQ(HideSecrets("key=abcdefgh12345678", {"abcdefgh", "abcdefgh12345678"}), "key=***");
  EXPECT_EQ(HideSecrets("nothing to hide", {"abcdefgh12345678"}), "nothing to hide");
  EXPECT_EQ(HideSecrets("short ab", {"ab"}), "short ab") << "too short to be a credential";
}

}  // namespace
}  // namespace kaizen::notifiers
