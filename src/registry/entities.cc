// The registry's enums by name: stages (None, Staging, Production, Archived) and version
// statuses, as MLflow writes them on the wire. Pure functions; thread-safe.
#include <array>

#include "core/strings.h"
#include "registry/registry.h"

namespace cairn::registry {

namespace {

constexpr std::array<std::pair<Stage, std::string_view>, 4> kStages = {{
    {Stage::kNone, "None"},
    {Stage::kStaging, "Staging"},
    {Stage::kProduction, "Production"},
    {Stage::kArchived, "Archived"},
}};

}  // namespace

std::string_view StageName(Stage stage) {
  for (const auto& [value, name] : kStages) {
    if (value == stage) return name;
  }
  return "None";
}

Result<Stage> ParseStage(std::string_view name) {
  for (const auto& [value, canonical] : kStages) {
    if (core::EqualsIgnoreCase(name, canonical)) return value;
  }
  return Status::InvalidArgument("Invalid Model Version stage: " + std::string(name) +
                                 ". Value must be one of None, Staging, Production, Archived.");
}

std::string_view VersionStatusName(VersionStatus status) {
  switch (status) {
    case VersionStatus::kPendingRegistration:
      return "PENDING_REGISTRATION";
    case VersionStatus::kFailedRegistration:
      return "FAILED_REGISTRATION";
    case VersionStatus::kReady:
      return "READY";
  }
  return "READY";
}

Result<VersionStatus> ParseVersionStatus(std::string_view name) {
  for (VersionStatus status : {VersionStatus::kPendingRegistration,
                               VersionStatus::kFailedRegistration, VersionStatus::kReady}) {
    if (name == VersionStatusName(status)) return status;
  }
  return Status::InvalidArgument("Invalid model version status: " + std::string(name) +
                                 ". Value must be one of PENDING_REGISTRATION, "
                                 "FAILED_REGISTRATION, READY.");
}

}  // namespace cairn::registry
