#include "workflow/status.h"

namespace kaizen {

std::string_view ToString(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kPreconditionFailed: return "precondition_failed";
    case StatusCode::kUnprocessable: return "unprocessable";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(kaizen::ToString(code_));
  out += " (" + reason_ + "): " + message_;
  return out;
}

}  // namespace kaizen
