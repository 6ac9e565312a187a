#include "notifiers/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <string>

namespace kaizen::notifiers {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr std::size_t kMinKeyBytes = 24;
constexpr std::size_t kMaxKeyBytes = 64;

using Mac = std::array<unsigned char, 32>;

Mac HmacSha256(std::string_view key, std::string_view message) {
  Mac mac{};
  unsigned int length = 0;
  // HMAC() fails only on an unknown digest or an allocation failure: not a condition a caller
  // could handle, so it is a crash rather than a wrong signature sent as if valid.
  // OpenSSL 3 refuses a null key pointer even with length 0; an empty GitHub secret is legal.
  // Feishu signs the empty message; a default string_view has no data pointer at all.
  static const char kEmpty = 0;
  const char* key_data = key.empty() ? &kEmpty : key.data();
  const char* message_data = message.empty() ? &kEmpty : message.data();
  if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message_data), message.size(), mac.data(),
           &length) == nullptr ||
      length != mac.size()) {
    std::abort();
  }
  return mac;
}

std::string Base64(const Mac& mac) {
  std::string out(4 * ((mac.size() + 2) / 3), '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac.data(),
                                static_cast<int>(mac.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

// RFC 3986 percent-encoding of everything but the unreserved characters; for base64 that is
// '+' -> %2B, '/' -> %2F, '=' -> %3D, as DingTalk expects.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict standard base64 with padding optional: EVP_DecodeBlock would accept whitespace and
// hide how many bytes the padding stood for.
std::optional<std::string> DecodeBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  unsigned int buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = Base64Value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned int>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::optional<std::string> SecretKey(std::string_view secret) {
  if (!secret.starts_with(kSecretPrefix)) return std::nullopt;
  auto key = DecodeBase64(secret.substr(kSecretPrefix.size()));
  if (!key || key->size() < kMinKeyBytes || key->size() > kMaxKeyBytes) return std::nullopt;
  return key;
}

}  // namespace

bool IsValidStandardWebhookSecret(std::string_view secret) { return SecretKey(secret).has_value(); }

Result<std::string> StandardWebhookSignature(std::string_view secret, std::string_view id,
                                             std::int64_t unix_seconds, std::string_view body) {
  auto key = SecretKey(secret);
  if (!key) {
    return InvalidArgument("invalid_secret",
                           "the webhook secret must be \"whsec_\" and the base64 of 24 to 64 "
                           "bytes");
  }
  std::string message;
  message.reserve(id.size() + body.size() + 24);
  message.append(id);
  message += '.';
  message += std::to_string(unix_seconds);
  message += '.';
  message.append(body);
  return "v1," + Base64(HmacSha256(*key, message));
}

std::string GithubSignature256(std::string_view secret, std::string_view body) {
  static constexpr char kHex[] = "0123456789abcdef";
  Mac mac = HmacSha256(secret, body);
  std::string out = "sha256=";
  for (unsigned char byte : mac) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0x0F];
  }
  return out;
}

std::string DingTalkSignature(std::string_view secret, std::int64_t timestamp_ms) {
  std::string string_to_sign = std::to_string(timestamp_ms);
  string_to_sign += '\n';
  string_to_sign.append(secret);
  return Base64(HmacSha256(secret, string_to_sign));
}

std::string DingTalkSignedQuery(std::string_view secret, std::int64_t timestamp_ms) {
  return "timestamp=" + std::to_string(timestamp_ms) +
         "&sign=" + PercentEncode(DingTalkSignature(secret, timestamp_ms));
}

std::string FeishuSignature(std::string_view secret, std::int64_t timestamp_s) {
  // Feishu's sample code keys the MAC with the string to sign and hashes nothing; keying with
  // the secret (DingTalk's way) is the common mistake its 19021 answer points at.
  std::string string_to_sign = std::to_string(timestamp_s);
  string_to_sign += '\n';
  string_to_sign.append(secret);
  return Base64(HmacSha256(string_to_sign, std::string_view()));
}

}  // namespace kaizen::notifiers
