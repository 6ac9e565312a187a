#include "notifiers/url.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace kaizen::notifiers {
namespace {

constexpr std::string_view kRedacted = "***";

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), Lower);
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHex(char c) { return IsDigit(c) || (Lower(c) >= 'a' && Lower(c) <= 'f'); }

// RFC 3986 reg-name characters that a DNS name can actually use, plus percent-encoding.
bool IsHostChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_'; }

// Characters allowed in a request target as sent; anything else (space, control, non-ASCII
// bytes) would have to be percent-encoded by whoever wrote the URL.
bool IsTargetChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '^' &&
         c != '`' && c != '{' && c != '|' && c != '}';
}

bool IsIpv4(std::string_view host) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= host.size()) {
    std::size_t end = host.find('.', i);
    if (end == std::string_view::npos) end = host.size();
    std::string_view part = host.substr(i, end - i);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), IsDigit)) {
      return false;
    }
    if (part.size() > 1 && part[0] == '0') return false;  // octal-looking forms are ambiguous
    if (std::stoi(std::string(part)) > 255) return false;
    ++parts;
    i = end + 1;
  }
  return parts == 4;
}

bool IsIpv6(std::string_view host) {
  // Hex groups and colons, at most one "::", optionally ending in a dotted IPv4 part. Zone ids
  // ("%25eth0") name an interface of this machine and have no place in a webhook URL.
  if (host.size() < 2) return false;
  std::size_t last_colon = host.rfind(':');
  if (last_colon == std::string_view::npos) return false;
  std::string_view tail = host.substr(last_colon + 1);
  std::string_view groups = host;
  int group_budget = 8;
  if (tail.find('.') != std::string_view::npos) {
    if (!IsIpv4(tail)) return false;
    groups = host.substr(0, last_colon + 1);
    if (groups.size() >= 2 && groups.substr(groups.size() - 2) == "::") {
      // "::ffff:1.2.3.4" keeps its "::"; a single trailing colon is dropped below.
    } else {
      groups.remove_suffix(1);
    }
    group_budget = 6;
  }
  std::size_t double_colon = groups.find("::");
  if (double_colon != std::string_view::npos &&
      groups.find("::", double_colon + 1) != std::string_view::npos) {
    return false;
  }
  int count = 0;
  std::size_t i = 0;
  while (i < groups.size()) {
    if (groups[i] == ':') {
      if (i + 1 < groups.size() && groups[i + 1] == ':') {
        i += 2;
        continue;
      }
      // A single colon separates groups: not at the start, not at the end.
      if (i == 0 || i + 1 == groups.size()) return false;
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < groups.size() && groups[i] != ':') {
      if (!IsHex(groups[i])) return false;
      ++i;
    }
    if (i - start > 4) return false;
    ++count;
  }
  if (double_colon == std::string_view::npos) return count == group_budget;
  return count < group_budget;
}

bool IsHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (!std::all_of(host.begin(), host.end(), IsHostChar)) return false;
  if (host.front() == '.' || host.front() == '-') return false;
  return host.find("..") == std::string_view::npos;
}

bool LooksLikeToken(std::string_view segment) {
  if (segment.size() >= 16) return true;
  return segment.size() >= 6 && std::any_of(segment.begin(), segment.end(), IsDigit);
}

// The parts of "scheme://authority/path?query#fragment", without judging them.
struct UrlParts {
  std::string_view scheme;
  std::string_view authority;
  std::string_view path;
  std::string_view query;
  bool has_query = false;
};

std::optional<UrlParts> Split(std::string_view url) {
  std::size_t sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  UrlParts parts;
  parts.scheme = url.substr(0, sep);
  if (!std::all_of(parts.scheme.begin(), parts.scheme.end(), [](char c) {
        return IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.';
      })) {
    return std::nullopt;
  }
  std::string_view rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find('#'));
  std::size_t authority_end = rest.find_first_of("/?");
  parts.authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  std::size_t q = rest.find('?');
  parts.path = rest.substr(0, q);
  if (q != std::string_view::npos) {
    parts.has_query = true;
    parts.query = rest.substr(q + 1);
  }
  return parts;
}

}  // namespace

std::string ParsedUrl::HostHeader() const {
  std::string out = host_is_ip && host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::string ParsedUrl::Origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(tls ? "https://" : "http://") + h + ":" + std::to_string(port);
}

Result<ParsedUrl> ParseUrl(std::string_view url) {
  auto invalid = [&](std::string_view why) {
    return InvalidArgument("invalid_url",
                           "invalid webhook URL " + RedactUrl(url) + ": " + std::string(why));
  };
  std::optional<UrlParts> parts = Split(url);
  if (!parts) return invalid("not an absolute http or https URL");
  ParsedUrl parsed;
  std::string scheme = ToLower(parts->scheme);
  if (scheme == "https") {
    parsed.tls = true;
  } else if (scheme != "http") {
    return invalid("the scheme must be http or https");
  }
  std::string_view authority = parts->authority;
  if (authority.find('@') != std::string_view::npos) {
    return invalid("user information in the URL is not supported");
  }
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return invalid("unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    if (!IsIpv6(host)) return invalid("malformed IPv6 literal");
    parsed.host_is_ip = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("malformed host");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (IsIpv4(host)) {
      parsed.host_is_ip = true;
    } else if (!IsHostName(host)) {
      return invalid(host.empty() ? "the host is missing" : "malformed host");
    }
  }
  parsed.host = ToLower(host);
  parsed.port = parsed.tls ? 443 : 80;
  if (has_port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
        value == 0 || value > 65535 || !std::all_of(port_text.begin(), port_text.end(), IsDigit)) {
      return invalid("the port must be a number from 1 to 65535");
    }
    parsed.port = static_cast<std::uint16_t>(value);
  }
  std::string target(parts->path.empty() ? "/" : parts->path);
  if (parts->has_query) {
    target += '?';
    target += parts->query;
  }
  if (!std::all_of(target.begin(), target.end(), IsTargetChar)) {
    return invalid("the path or query contains a space or a character that must be encoded");
  }
  parsed.target = std::move(target);
  return parsed;
}

std::string RedactUrl(std::string_view url) {
  std::optional<UrlParts> parts = Split(url);
  if (!parts) return std::string(kRedacted);
  std::string out = ToLower(parts->scheme) + "://";
  std::string_view authority = parts->authority;
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    out += kRedacted;
    out += '@';
    authority = authority.substr(at + 1);
  }
  out += ToLower(authority);
  // Segments after the leading "/"; the first one is kept unless it is token-long.
  std::string_view path = parts->path;
  int index = 0;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t next = path.find('/', i + 1);
    if (next == std::string_view::npos) next = path.size();
    std::string_view segment = path.substr(i + 1, next - i - 1);
    out += '/';
    bool secret = index == 0 ? segment.size() >= 16 : LooksLikeToken(segment);
    out += secret ? kRedacted : segment;
    ++index;
    i = next;
  }
  if (parts->has_query) {
    out += '?';
    std::string_view query = parts->query;
    bool first = true;
    while (true) {
      std::size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      if (!first) out += '&';
      first = false;
      std::size_t eq = pair.find('=');
      // A bare "?token" is as secret as a value.
      out += eq == std::string_view::npos ? (pair.empty() ? std::string_view() : kRedacted)
                                          : pair.substr(0, eq);
      if (eq != std::string_view::npos) {
        out += '=';
        out += kRedacted;
      }
      if (amp == std::string_view::npos) break;
      query = query.substr(amp + 1);
    }
  }
  return out;
}

namespace {

// "%41" decoded; anything malformed is kept as written.
std::string PercentDecoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && IsHex(text[i + 1]) && IsHex(text[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

void AddSecret(std::vector<std::string>& secrets, std::string_view value) {
  if (value.size() < kMinHiddenSecretBytes) return;
  secrets.emplace_back(value);
  std::string decoded = PercentDecoded(value);
  if (decoded != value && decoded.size() >= kMinHiddenSecretBytes) {
    secrets.push_back(std::move(decoded));
  }
}

}  // namespace

std::vector<std::string> UrlSecrets(std::string_view url) {
  std::vector<std::string> secrets;
  std::optional<UrlParts> parts = Split(url);
  if (!parts) {
    AddSecret(secrets, url);
    return secrets;
  }
  // The same choices as RedactUrl, collecting instead of replacing.
  std::string_view authority = parts->authority;
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    AddSecret(secrets, authority.substr(0, at));
  }
  std::string_view path = parts->path;
  int index = 0;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t next = path.find('/', i + 1);
    if (next == std::string_view::npos) next = path.size();
    std::string_view segment = path.substr(i + 1, next - i - 1);
    if (index == 0 ? segment.size() >= 16 : LooksLikeToken(segment)) AddSecret(secrets, segment);
    ++index;
    i = next;
  }
  std::string_view query = parts->query;
  while (parts->has_query) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    std::size_t eq = pair.find('=');
    AddSecret(secrets, eq == std::string_view::npos ? pair : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return secrets;
}

std::string HideSecrets(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  // Longest first: a secret that contains another is hidden whole.
  std::vector<const std::string*> ordered;
  for (const std::string& secret : secrets) {
    if (secret.size() >= kMinHiddenSecretBytes) ordered.push_back(&secret);
  }
  std::sort(ordered.begin(), ordered.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* secret : ordered) {
    for (std::size_t at = out.find(*secret); at != std::string::npos;
         at = out.find(*secret, at + kRedacted.size())) {
      out.replace(at, secret->size(), kRedacted);
    }
  }
  return out;
}

}  // namespace kaizen::notifiers
