#include "core/status.h"

#include <array>

namespace cairn::core {
namespace {

struct CodeInfo {
  Code code;
  std::string_view name;
  int http;
};

// One row per code: the wire name and MLflow's HTTP status (mlflow/exceptions.py).
constexpr std::array kCodes = {
    CodeInfo{Code::kOk, "OK", 200},
    CodeInfo{Code::kInternalError, "INTERNAL_ERROR", 500},
    CodeInfo{Code::kTemporarilyUnavailable, "TEMPORARILY_UNAVAILABLE", 503},
    CodeInfo{Code::kIoError, "IO_ERROR", 500},
    CodeInfo{Code::kBadRequest, "BAD_REQUEST", 400},
    CodeInfo{Code::kInvalidParameterValue, "INVALID_PARAMETER_VALUE", 400},
    CodeInfo{Code::kEndpointNotFound, "ENDPOINT_NOT_FOUND", 404},
    CodeInfo{Code::kMalformedRequest, "MALFORMED_REQUEST", 400},
    CodeInfo{Code::kInvalidState, "INVALID_STATE", 500},
    CodeInfo{Code::kPermissionDenied, "PERMISSION_DENIED", 403},
    CodeInfo{Code::kFeatureDisabled, "FEATURE_DISABLED", 501},
    CodeInfo{Code::kCustomerUnauthorized, "CUSTOMER_UNAUTHORIZED", 401},
    CodeInfo{Code::kRequestLimitExceeded, "REQUEST_LIMIT_EXCEEDED", 429},
    CodeInfo{Code::kResourceAlreadyExists, "RESOURCE_ALREADY_EXISTS", 400},
    CodeInfo{Code::kResourceDoesNotExist, "RESOURCE_DOES_NOT_EXIST", 404},
    CodeInfo{Code::kUnauthenticated, "UNAUTHENTICATED", 401},
    CodeInfo{Code::kResourceConflict, "RESOURCE_CONFLICT", 409},
    CodeInfo{Code::kResourceExhausted, "RESOURCE_EXHAUSTED", 429},
    CodeInfo{Code::kAborted, "ABORTED", 409},
    CodeInfo{Code::kCancelled, "CANCELLED", 499},
    CodeInfo{Code::kDeadlineExceeded, "DEADLINE_EXCEEDED", 504},
    CodeInfo{Code::kNotImplemented, "NOT_IMPLEMENTED", 501},
    CodeInfo{Code::kDataLoss, "DATA_LOSS", 500},
    CodeInfo{Code::kCorruption, "CORRUPTION", 500},
};

const CodeInfo& Info(Code code) {
  for (const CodeInfo& info : kCodes) {
    if (info.code == code) return info;
  }
  return kCodes[1];  // INTERNAL_ERROR
}

const std::string kEmpty;

}  // namespace

std::string_view CodeName(Code code) { return Info(code).name; }

int HttpStatus(Code code) { return Info(code).http; }

Code CodeFromName(std::string_view name) {
  for (const CodeInfo& info : kCodes) {
    if (info.name == name) return info.code;
  }
  return Code::kInternalError;
}

Status::Status(Code code, std::string message) {
  if (code != Code::kOk) rep_ = std::make_unique<Rep>(Rep{code, std::move(message)});
}

Status::Status(const Status& other)
    : rep_(other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

const std::string& Status::message() const { return rep_ ? rep_->message : kEmpty; }

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(rep_->code));
  out += ": ";
  out += rep_->message;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  std::string msg(context);
  msg += ": ";
  msg += rep_->message;
  return Status(rep_->code, std::move(msg));
}

}  // namespace cairn::core
