// Status: the outcome of an operation that can fail, as a code and a message.
//
// Codes are MLflow's error codes (databricks.proto's ErrorCode) plus IO_ERROR and CORRUPTION,
// so one table (HttpStatus) maps any failure to the HTTP status MLflow's server would answer.
// An OK status holds no allocation; a failure owns its message. Status is a value type,
// cheap to move, safe to copy. "Not found" is an ordinary answer: callers test the code.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace cairn::core {

enum class Code {
  kOk = 0,
  // MLflow's codes, by the name they carry on the wire.
  kInternalError,           // INTERNAL_ERROR (500)
  kTemporarilyUnavailable,  // TEMPORARILY_UNAVAILABLE (503)
  kIoError,                 // IO_ERROR (500): a file system or network operation failed
  kBadRequest,              // BAD_REQUEST (400)
  kInvalidParameterValue,   // INVALID_PARAMETER_VALUE (400): bad input of any kind
  kEndpointNotFound,        // ENDPOINT_NOT_FOUND (404)
  kMalformedRequest,        // MALFORMED_REQUEST (400)
  kInvalidState,            // INVALID_STATE (500)
  kPermissionDenied,        // PERMISSION_DENIED (403)
  kFeatureDisabled,         // FEATURE_DISABLED (501)
  kCustomerUnauthorized,    // CUSTOMER_UNAUTHORIZED (401)
  kRequestLimitExceeded,    // REQUEST_LIMIT_EXCEEDED (429)
  kResourceAlreadyExists,   // RESOURCE_ALREADY_EXISTS (400, not 409)
  kResourceDoesNotExist,    // RESOURCE_DOES_NOT_EXIST (404)
  kUnauthenticated,         // UNAUTHENTICATED (401)
  kResourceConflict,        // RESOURCE_CONFLICT (409)
  kResourceExhausted,       // RESOURCE_EXHAUSTED (429)
  kAborted,                 // ABORTED (409)
  kCancelled,               // CANCELLED (499)
  kDeadlineExceeded,        // DEADLINE_EXCEEDED (504)
  kNotImplemented,          // NOT_IMPLEMENTED (501)
  kDataLoss,                // DATA_LOSS (500)
  // cairn's own.
  kCorruption,  // CORRUPTION (500): stored bytes do not match their hash or format
};

/// The code's wire name, e.g. "RESOURCE_DOES_NOT_EXIST".
std::string_view CodeName(Code code);
/// The HTTP status MLflow answers for the code (OK is 200).
int HttpStatus(Code code);
/// The code with that wire name; kInternalError for names it does not know (as MLflow does).
Code CodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  Status(Code code, std::string message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;
  ~Status() = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidParameterValue, std::move(msg));
  }
  static Status NotFound(std::string msg) {
    return Status(Code::kResourceDoesNotExist, std::move(msg));
  }
  static Status AlreadyExists(std::string msg) {
    return Status(Code::kResourceAlreadyExists, std::move(msg));
  }
  static Status Internal(std::string msg) { return Status(Code::kInternalError, std::move(msg)); }
  static Status IoError(std::string msg) { return Status(Code::kIoError, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status InvalidState(std::string msg) {
    return Status(Code::kInvalidState, std::move(msg));
  }
  static Status PermissionDenied(std::string msg) {
    return Status(Code::kPermissionDenied, std::move(msg));
  }
  static Status Unauthenticated(std::string msg) {
    return Status(Code::kUnauthenticated, std::move(msg));
  }
  static Status Cancelled(std::string msg) { return Status(Code::kCancelled, std::move(msg)); }
  static Status DeadlineExceeded(std::string msg) {
    return Status(Code::kDeadlineExceeded, std::move(msg));
  }
  static Status NotImplemented(std::string msg) {
    return Status(Code::kNotImplemented, std::move(msg));
  }
  static Status Unavailable(std::string msg) {
    return Status(Code::kTemporarilyUnavailable, std::move(msg));
  }

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  /// The message without the code; empty when OK.
  const std::string& message() const;
  bool IsNotFound() const { return code() == Code::kResourceDoesNotExist; }
  bool IsInvalidArgument() const { return code() == Code::kInvalidParameterValue; }
  bool IsAlreadyExists() const { return code() == Code::kResourceAlreadyExists; }

  /// "OK", or "<CODE_NAME>: <message>".
  std::string ToString() const;

  /// The same failure with "<context>: " put before the message; OK stays OK.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  std::unique_ptr<Rep> rep_;  // null means OK
};

}  // namespace cairn::core

/// Returns from the enclosing function when `expr` (a Status) is not OK.
#define CAIRN_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::cairn::core::Status cairn_status_ = (expr);  \
    if (!cairn_status_.ok()) return cairn_status_; \
  } while (0)
