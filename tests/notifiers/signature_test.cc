#include "notifiers/signature.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace kaizen::notifiers {
namespace {

// Section 8 of docs/webhook-formats.md: the 100-byte body of the rows marked "body below".
constexpr std::string_view kVectorBody =
    R"({"type":"task.overdue","timestamp":"2024-06-01T09:00:00Z","data":{"task_id":"T-42","owner":"alice"}})";

TEST(StandardWebhookSignature, MatchesTheOfficialLibraryVector) {
  auto signature = StandardWebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                            "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                            R"({"test": 2432232314})");
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_EQ(*signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(StandardWebhookSignature, MatchesOurVectorWithA32ByteKey) {
  ASSERT_EQ(kVectorBody.size(), 100u);
  auto signature = StandardWebhookSignature("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                                            "msg_kaizen_0001", 1717232400, kVectorBody);
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_EQ(*signature, "v1,b2WQxGqyjLdf0XZpGEaXUdbjHOjaIKXplNd9TCB4yRk=");
}

TEST(StandardWebhookSignature, ChangesWithIdTimestampAndBody) {
  constexpr std::string_view kSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const std::string base = *StandardWebhookSignature(kSecret, "msg_1", 1614265330, "{}");
  EXPECT_NE(*StandardWebhookSignature(kSecret, "msg_2", 1614265330, "{}"), base);
  EXPECT_NE(*StandardWebhookSignature(kSecret, "msg_1", 1614265331, "{}"), base);
  EXPECT_NE(*StandardWebhookSignature(kSecret, "msg_1", 1614265330, "{ }"), base);
}

TEST(StandardWebhookSignature, RefusesMalformedSecretsWithoutEchoingThem) {
  for (std::string_view secret : {
           "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",        // no prefix
           "whsec_",                                  // empty key
           "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa!w",  // not base64
           "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRY=",  // 23 bytes: too short
           // 65 bytes: too long
           "whsec_"
           "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+"
           "P0A=",
       }) {
    auto signature = StandardWebhookSignature(secret, "msg_1", 1, "{}");
    ASSERT_FALSE(signature.ok()) << secret;
    EXPECT_EQ(signature.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(signature.status().reason(), "invalid_secret");
    if (secret.size() > 6) {  // "whsec_" alone is no secret to hide
      EXPECT_EQ(signature.status().message().find(secret), std::string::npos);
    }
    EXPECT_FALSE(IsValidStandardWebhookSecret(secret));
  }
  EXPECT_TRUE(IsValidStandardWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  // Padding is optional.
  EXPECT_TRUE(IsValidStandardWebhookSecret("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"));
}

TEST(GithubSignature256, MatchesGithubsDocumentedVector) {
  EXPECT_EQ(GithubSignature256("It's a Secret to Everybody", "Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(GithubSignature256, MatchesOurVector) {
  EXPECT_EQ(GithubSignature256("kaizen-test-secret", kVectorBody),
            "sha256=54ad955344a73b12dded9fdbf186e57b9b2f16c1e9d44fec883b6423e5e52152");
}

TEST(GithubSignature256, AcceptsAnEmptySecret) {
  // HMAC-SHA256 with an empty key over an empty message, a well-known value.
  EXPECT_EQ(GithubSignature256("", ""),
            "sha256=b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

// DingTalk rows of section 8: the base64 signature and its once-encoded query form.
TEST(DingTalkSignature, MatchesEveryVectorOfTheFormatsPage) {
  struct Vector {
    std::string_view secret;
    std::int64_t timestamp_ms;
    std::string_view base64;
    std::string_view encoded;
  };
  for (const Vector& v : {
           Vector{"secret", 1700000000000, "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=",
                  "OuzzJR5%2BxZ4%2FEYwqtNt6sMYZQMTa%2FHEGvc9miJe7XzY%3D"},
           Vector{"this is secret", 1700000000000, "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=",
                  "sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D"},
           Vector{"SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
                  1717171717171, "B8QNBmAe/G0Z8KyN3Xf2H3vEaou39Z/BsctATwQbchs=",
                  "B8QNBmAe%2FG0Z8KyN3Xf2H3vEaou39Z%2FBsctATwQbchs%3D"},
       }) {
    EXPECT_EQ(DingTalkSignature(v.secret, v.timestamp_ms), v.base64) << v.secret;
    EXPECT_EQ(DingTalkSignedQuery(v.secret, v.timestamp_ms),
              "timestamp=" + std::to_string(v.timestamp_ms) + "&sign=" + std::string(v.encoded))
        << v.secret;
  }
}

TEST(DingTalkSignature, ChangesWithTimestampAndSecret) {
  const std::string base = DingTalkSignature("secret", 1700000000000);
  EXPECT_NE(DingTalkSignature("secret", 1700000000001), base);
  EXPECT_NE(DingTalkSignature("secreT", 1700000000000), base);
}

TEST(FeishuSignature, MatchesEveryVectorOfTheFormatsPage) {
  EXPECT_EQ(FeishuSignature("demo", 1599360473), "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=");
  EXPECT_EQ(FeishuSignature("kaizen-test-secret", 1717171717),
            "0xLSEwx6LGdc7GcyOzV53j6T6ASbP/m18HT4HvSA5SI=");
}

// The page's negative vector is what the DingTalk arrangement (key = secret, message = the
// string to sign) gives for Feishu's inputs; Feishu refuses it with 19021.
TEST(FeishuSignature, IsNotTheDingTalkArrangement) {
  constexpr std::string_view kWrong = "Y9oJujBDe74OKETete9Bk7QNmANx1yIqPUqBpPinssc=";
  EXPECT_NE(FeishuSignature("kaizen-test-secret", 1717171717), kWrong);
  // The vector really is that mistake: DingTalk's function, fed seconds, produces it.
  EXPECT_EQ(DingTalkSignature("kaizen-test-secret", 1717171717), kWrong);
}

TEST(FeishuSignature, ChangesWithTimestampAndSecretAndIsNotUrlEncoded) {
  const std::string base = FeishuSignature("demo", 1599360473);
  EXPECT_NE(FeishuSignature("demo", 1599360474), base);
  EXPECT_NE(FeishuSignature("demO", 1599360473), base);
  // The vector contains '/' and the signature travels in JSON as plain base64.
  EXPECT_NE(FeishuSignature("kaizen-test-secret", 1717171717).find('/'), std::string::npos);
}

}  // namespace
}  // namespace kaizen::notifiers
