#include "notifiers/signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdlib>
#include <optional>

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
  static const char kEmpty = 0;
  const char* key_data = key.empty() ? &kEmpty : key.data();
  if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(),
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

}  // namespace kaizen::notifiers
