// Status and Result<T>: how every module of kaizen reports an expected failure.
//
// A Status is a small closed set of codes, a stable machine-readable `reason` (snake_case, part
// of the public API: it becomes error.code in HTTP answers), a human message and optional JSON
// details. Each boundary translates its own errors into a Status once (SQLite in storage/, HTTP
// in notifiers/); daemon/ has the one function that turns a Status into an HTTP answer.
// Thread-safe as values; no executor affinity.
#pragma once

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kaizen {

enum class StatusCode {
  kOk,
  kInvalidArgument,     // the request itself is malformed (HTTP 400)
  kUnauthenticated,     // HTTP 401
  kPermissionDenied,    // the actor may not do this (HTTP 403)
  kNotFound,            // HTTP 404
  kConflict,            // not allowed in the current state (HTTP 409)
  kPreconditionFailed,  // a stale version (HTTP 412)
  kUnprocessable,       // well-formed but refers to unknown things or breaks a rule (HTTP 422)
  kUnavailable,         // the storage or a peer cannot serve now; retrying may help (HTTP 503)
  kInternal,            // a bug or a broken environment (HTTP 500)
};

std::string_view ToString(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(StatusCode code, std::string reason, std::string message, nlohmann::json details = nullptr)
      : code_(code),
        reason_(std::move(reason)),
        message_(std::move(message)),
        details_(std::move(details)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // Stable snake_case identifier, e.g. "transition_not_allowed".
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }
  // null, or a JSON object with machine-readable specifics (allowed transitions, field path).
  const nlohmann::json& details() const { return details_; }

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string reason_;
  std::string message_;
  nlohmann::json details_;
};

// Shorthands for the common codes; reason and message are required so that every error
// a user sees says what went wrong.
inline Status InvalidArgument(std::string reason, std::string message,
                              nlohmann::json details = nullptr) {
  return {StatusCode::kInvalidArgument, std::move(reason), std::move(message), std::move(details)};
}
inline Status NotFound(std::string reason, std::string message) {
  return {StatusCode::kNotFound, std::move(reason), std::move(message)};
}
inline Status Conflict(std::string reason, std::string message, nlohmann::json details = nullptr) {
  return {StatusCode::kConflict, std::move(reason), std::move(message), std::move(details)};
}
inline Status Unprocessable(std::string reason, std::string message,
                            nlohmann::json details = nullptr) {
  return {StatusCode::kUnprocessable, std::move(reason), std::move(message), std::move(details)};
}
inline Status PermissionDenied(std::string reason, std::string message,
                               nlohmann::json details = nullptr) {
  return {StatusCode::kPermissionDenied, std::move(reason), std::move(message), std::move(details)};
}
inline Status PreconditionFailed(std::string reason, std::string message,
                                 nlohmann::json details = nullptr) {
  return {StatusCode::kPreconditionFailed, std::move(reason), std::move(message),
          std::move(details)};
}
inline Status Internal(std::string reason, std::string message) {
  return {StatusCode::kInternal, std::move(reason), std::move(message)};
}
inline Status Unavailable(std::string reason, std::string message) {
  return {StatusCode::kUnavailable, std::move(reason), std::move(message)};
}

// Result<T> holds either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) {
      // An ok Status carries no value: a programming error, never a runtime condition.
      std::abort();
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kaizen
