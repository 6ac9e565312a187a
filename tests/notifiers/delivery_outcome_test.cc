#include "notifiers/delivery_outcome.h"

#include <gtest/gtest.h>

namespace kaizen::notifiers {
namespace {

using std::chrono::seconds;

const Instant kNow = *ParseRfc3339("2026-03-01T12:00:00Z");

HttpResult Answer(int status, HttpHeaders headers = {}) {
  HttpResult result;
  result.status = status;
  result.headers = std::move(headers);
  return result;
}

HttpResult Failure(Status error) {
  HttpResult result;
  result.error = std::move(error);
  return result;
}

TEST(ClassifyDelivery, TwoHundredsAreDelivered) {
  for (int status : {200, 201, 202, 204, 299}) {
    DeliveryOutcome outcome = ClassifyDelivery(Answer(status), kNow);
    EXPECT_EQ(outcome.verdict, DeliveryVerdict::kDelivered) << status;
    EXPECT_EQ(outcome.reason, "http_" + std::to_string(status));
    EXPECT_FALSE(outcome.retry_after.has_value());
  }
}

TEST(ClassifyDelivery, ServerErrorsTimeoutsAndRateLimitsAreRetried) {
  for (int status : {408, 429, 500, 502, 503, 504, 599}) {
    DeliveryOutcome outcome = ClassifyDelivery(Answer(status), kNow);
    EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater) << status;
    EXPECT_EQ(outcome.reason, "http_" + std::to_string(status));
    EXPECT_FALSE(outcome.retry_after.has_value());
  }
}

TEST(ClassifyDelivery, OtherClientErrorsArePermanent) {
  for (int status : {400, 401, 403, 404, 405, 410, 413, 422}) {
    EXPECT_EQ(ClassifyDelivery(Answer(status), kNow).verdict, DeliveryVerdict::kPermanent)
        << status;
  }
}

TEST(ClassifyDelivery, RedirectsAndInterimAnswersArePermanent) {
  for (int status : {101, 301, 302, 307, 308}) {
    EXPECT_EQ(ClassifyDelivery(Answer(status), kNow).verdict, DeliveryVerdict::kPermanent)
        << status;
  }
}

TEST(ClassifyDelivery, RetryCarriesTheServersRetryAfterSeconds) {
  DeliveryOutcome outcome = ClassifyDelivery(Answer(429, {{"retry-after", "30"}}), kNow);
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.retry_after, seconds(30));
}

TEST(ClassifyDelivery, RetryCarriesTheServersRetryAfterDate) {
  DeliveryOutcome outcome =
      ClassifyDelivery(Answer(503, {{"Retry-After", "Sun, 01 Mar 2026 12:02:00 GMT"}}), kNow);
  EXPECT_EQ(outcome.retry_after, seconds(120));
}

TEST(ClassifyDelivery, InvalidRetryAfterIsIgnored) {
  DeliveryOutcome outcome = ClassifyDelivery(Answer(503, {{"retry-after", "soon"}}), kNow);
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_FALSE(outcome.retry_after.has_value());
}

TEST(ClassifyDelivery, RetryAfterOnPermanentOrDeliveredAnswersIsIgnored) {
  EXPECT_FALSE(ClassifyDelivery(Answer(400, {{"retry-after", "5"}}), kNow).retry_after);
  EXPECT_FALSE(ClassifyDelivery(Answer(200, {{"retry-after", "5"}}), kNow).retry_after);
}

TEST(ClassifyDelivery, TransportFailuresAreRetried) {
  for (std::string_view reason :
       {"connect_failed", "timeout", "tls_handshake_failed", "certificate_verify_failed",
        "dns_failed", "connection_closed", "invalid_response"}) {
    DeliveryOutcome outcome =
        ClassifyDelivery(Failure(Unavailable(std::string(reason), "it failed")), kNow);
    EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater) << reason;
    EXPECT_EQ(outcome.reason, reason);
    EXPECT_FALSE(outcome.retry_after.has_value());
  }
}

TEST(ClassifyDelivery, InvalidUrlOrRequestIsPermanent) {
  DeliveryOutcome outcome =
      ClassifyDelivery(Failure(InvalidArgument("invalid_url", "bad scheme")), kNow);
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kPermanent);
  EXPECT_EQ(outcome.reason, "invalid_url");
}

TEST(ClassifyDelivery, OversizedAnswerIsJudgedByItsStatus) {
  HttpResult ok = Answer(200);
  ok.error = Unavailable("response_too_large", "too big");
  EXPECT_EQ(ClassifyDelivery(ok, kNow).verdict, DeliveryVerdict::kDelivered);
  HttpResult unavailable = Answer(503, {{"retry-after", "9"}});
  unavailable.error = Unavailable("response_too_large", "too big");
  DeliveryOutcome outcome = ClassifyDelivery(unavailable, kNow);
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.retry_after, seconds(9));
}

TEST(ClassifyDelivery, EmptyResultIsNotTakenForADelivery) {
  DeliveryOutcome outcome = ClassifyDelivery(HttpResult{}, kNow);
  EXPECT_EQ(outcome.verdict, DeliveryVerdict::kRetryLater);
  EXPECT_EQ(outcome.reason, "no_answer");
}

}  // namespace
}  // namespace kaizen::notifiers
