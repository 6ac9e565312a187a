#include "daemon/router.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace kaizen::daemon {
namespace {

// "/a/b/" -> {"a", "b", ""}: a trailing slash is a different path, as in most HTTP APIs.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  for (;;) {
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::Add(std::string method, std::string pattern, RouteHandler handler) {
  for (const Route& r : routes_) {
    if (r.method == method && r.pattern == pattern) {
      std::fprintf(stderr, "router: route %s %s added twice\n", method.c_str(), pattern.c_str());
      std::abort();
    }
  }
  std::vector<std::string> segments;
  for (std::string_view s : SplitPath(pattern)) segments.emplace_back(s);
  routes_.push_back(
      {std::move(method), std::move(pattern), std::move(segments), std::move(handler)});
}

bool Router::MatchSegments(const std::vector<std::string>& pattern,
                           const std::vector<std::string_view>& path, RouteParams* params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (IsParam(pattern[i])) {
      if (path[i].empty()) return false;
      if (params != nullptr) {
        params->insert_or_assign(pattern[i].substr(1, pattern[i].size() - 2), std::string(path[i]));
      }
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  std::vector<std::string_view> segments = SplitPath(path);
  if (segments.empty()) return match;
  for (const Route& route : routes_) {
    if (!MatchSegments(route.segments, segments, nullptr)) continue;
    if (route.method == method) {
      match.outcome = RouteMatch::Outcome::kFound;
      match.handler = &route.handler;
      match.pattern = route.pattern;
      match.allowed.clear();
      MatchSegments(route.segments, segments, &match.params);
      return match;
    }
    match.outcome = RouteMatch::Outcome::kMethodNotAllowed;
    if (match.pattern.empty()) match.pattern = route.pattern;
    if (std::find(match.allowed.begin(), match.allowed.end(), route.method) ==
        match.allowed.end()) {
      match.allowed.push_back(route.method);
    }
  }
  std::sort(match.allowed.begin(), match.allowed.end());
  return match;
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace kaizen::daemon
