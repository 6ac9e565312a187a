// Router: maps (method, path) to a handler. Paths are patterns of '/'-separated segments where
// "{name}" matches exactly one non-empty segment ("/api/v1/tasks/{id}/events").
//
// Built once at start-up, then read-only: Match() may be called from any thread. The route
// table is inspectable (Routes()) so that tests can compare it with docs/openapi.json.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http_message.h"

namespace kaizen::daemon {

using RouteParams = std::map<std::string, std::string, std::less<>>;
using RouteHandler = std::function<boost::asio::awaitable<HttpResponse>(HttpRequest, RouteParams)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
  bool operator==(const RouteInfo&) const = default;
};

struct RouteMatch {
  enum class Outcome { kFound, kPathNotFound, kMethodNotAllowed };
  Outcome outcome = Outcome::kPathNotFound;
  const RouteHandler* handler = nullptr;  // kFound: valid while the Router lives
  RouteParams params;                     // kFound: the "{name}" segments
  std::vector<std::string> allowed;       // kMethodNotAllowed: methods of the path, sorted
  // kFound: the route's pattern ("/api/v1/tasks/{id}"); kMethodNotAllowed: the pattern of the
  // first route whose path matched; empty for kPathNotFound. Valid while the Router lives. A
  // bounded label for metrics, unlike the raw path.
  std::string_view pattern;
};

class Router {
 public:
  // Adds a route. Adding the same method and pattern twice is a programming error (aborts).
  void Add(std::string method, std::string pattern, RouteHandler handler);

  RouteMatch Match(std::string_view method, std::string_view path) const;

  // Every (method, pattern) in the order added.
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    RouteHandler handler;
  };
  static bool MatchSegments(const std::vector<std::string>& pattern,
                            const std::vector<std::string_view>& path, RouteParams* params);

  std::vector<Route> routes_;
};

}  // namespace kaizen::daemon
