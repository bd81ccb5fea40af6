// The names of track.h's enums as MLflow spells them on the wire, and their parsers.
// Pure functions; thread-safe.
#include <array>
#include <string>
#include <utility>

#include "core/strings.h"
#include "track/track.h"

namespace cairn::track {
namespace {

constexpr std::array<std::pair<RunStatus, std::string_view>, 5> kRunStatusNames = {{
    {RunStatus::kRunning, "RUNNING"},
    {RunStatus::kScheduled, "SCHEDULED"},
    {RunStatus::kFinished, "FINISHED"},
    {RunStatus::kFailed, "FAILED"},
    {RunStatus::kKilled, "KILLED"},
}};

constexpr std::array<std::pair<LoggedModelStatus, std::string_view>, 4> kLoggedModelStatusNames = {{
    {LoggedModelStatus::kUnspecified, "LOGGED_MODEL_STATUS_UNSPECIFIED"},
    {LoggedModelStatus::kPending, "LOGGED_MODEL_PENDING"},
    {LoggedModelStatus::kReady, "LOGGED_MODEL_READY"},
    {LoggedModelStatus::kUploadFailed, "LOGGED_MODEL_UPLOAD_FAILED"},
}};

}  // namespace

std::string_view LifecycleStageName(LifecycleStage stage) {
  return stage == LifecycleStage::kDeleted ? "deleted" : "active";
}

std::string_view ViewTypeName(ViewType view) {
  switch (view) {
    case ViewType::kActiveOnly:
      return "ACTIVE_ONLY";
    case ViewType::kDeletedOnly:
      return "DELETED_ONLY";
    case ViewType::kAll:
      return "ALL";
  }
  return "ACTIVE_ONLY";
}

Result<ViewType> ParseViewType(std::string_view name, std::string_view field) {
  for (ViewType view : {ViewType::kActiveOnly, ViewType::kDeletedOnly, ViewType::kAll}) {
    if (core::EqualsIgnoreCase(name, ViewTypeName(view))) return view;
  }
  return Status::InvalidArgument("Invalid value '" + std::string(name) + "' for parameter '" +
                                 std::string(field) +
                                 "': expected one of ACTIVE_ONLY, DELETED_ONLY, ALL");
}

std::string_view RunStatusName(RunStatus status) {
  for (const auto& [value, name] : kRunStatusNames) {
    if (value == status) return name;
  }
  return "RUNNING";
}

Result<RunStatus> ParseRunStatus(std::string_view name) {
  for (const auto& [value, spelled] : kRunStatusNames) {
    if (spelled == name) return value;
  }
  return Status::InvalidArgument("Invalid run status '" + std::string(name) +
                                 "': expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED");
}

std::string_view LoggedModelStatusName(LoggedModelStatus status) {
  for (const auto& [value, name] : kLoggedModelStatusNames) {
    if (value == status) return name;
  }
  return "LOGGED_MODEL_STATUS_UNSPECIFIED";
}

Result<LoggedModelStatus> ParseLoggedModelStatus(std::string_view name) {
  for (const auto& [value, spelled] : kLoggedModelStatusNames) {
    if (spelled == name) return value;
  }
  return Status::InvalidArgument(
      "Invalid logged model status '" + std::string(name) +
      "': expected one of LOGGED_MODEL_STATUS_UNSPECIFIED, LOGGED_MODEL_PENDING, "
      "LOGGED_MODEL_READY, LOGGED_MODEL_UPLOAD_FAILED");
}

}  // namespace cairn::track
