// registry: MLflow's model registry. Registered models, their versions (numbered 1, 2, ...,
// never reused), tags, stages (None, Staging, Production, Archived) and aliases; the
// RegistryStore interface every backend implements and the factory that picks one by URI
// (sqlite:/// in-process, http(s):// MLflow's REST API), as track/track.h does for tracking.
//
// Semantics are MLflow's (../shared/reference/mlflow-api.md section 5): deleting a registered
// model deletes its versions, tags and aliases; deleting a tag that does not exist is fine;
// an alias points at one version and re-pointing moves it; transitioning with
// archive_existing_versions moves the other versions in the target stage (Staging or
// Production only) to Archived; versions are READY as soon as they are created.
// Errors: kInvalidParameterValue for bad input, kResourceDoesNotExist for an unknown model,
// version or alias, kResourceAlreadyExists for a taken name.
//
// Ownership and threads: a RegistryStore is thread-safe; entities are plain values. Times are
// milliseconds since the epoch.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "core/uri.h"

namespace cairn::registry {

using core::Result;
using core::Status;

template <class T>
struct Page {
  std::vector<T> items;
  std::string next_page_token;  // empty on the last page
};

struct Tag {
  std::string key;
  std::string value;
  friend bool operator==(const Tag&, const Tag&) = default;
};

enum class Stage { kNone, kStaging, kProduction, kArchived };
/// "None", "Staging", "Production", "Archived".
std::string_view StageName(Stage stage);
/// Case-insensitive ("production" is Production); kInvalidParameterValue otherwise, listing
/// the four.
Result<Stage> ParseStage(std::string_view name);

enum class VersionStatus { kPendingRegistration, kFailedRegistration, kReady };
/// "PENDING_REGISTRATION", "FAILED_REGISTRATION", "READY".
std::string_view VersionStatusName(VersionStatus status);
/// The inverse of VersionStatusName (exact names); kInvalidParameterValue otherwise.
Result<VersionStatus> ParseVersionStatus(std::string_view name);

struct ModelVersion {
  std::string name;
  int64_t version = 0;  // a string on the wire
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string user_id;
  Stage current_stage = Stage::kNone;
  std::string description;
  std::string source;
  std::string run_id;
  VersionStatus status = VersionStatus::kReady;
  std::string status_message;
  std::vector<Tag> tags;
  std::string run_link;
  std::vector<std::string> aliases;
  std::string model_id;          // MLflow 3
  std::string storage_location;  // what the download URI resolves to, when not `source`
};

struct AliasEntry {
  std::string alias;
  std::string version;
};

struct RegisteredModel {
  std::string name;
  int64_t creation_timestamp = 0;
  int64_t last_updated_timestamp = 0;
  std::string user_id;
  std::string description;
  std::vector<ModelVersion> latest_versions;  // the latest version in each stage that has one
  std::vector<Tag> tags;
  std::vector<AliasEntry> aliases;
};

struct CreateModelVersionRequest {
  std::string name;
  std::string source;
  std::string run_id;
  std::vector<Tag> tags;
  std::string run_link;
  std::string description;
  std::string model_id;
  std::string storage_location;
};

struct SearchRequest {
  std::string filter;
  std::optional<int64_t> max_results;  // unset: the endpoint's default
  std::vector<std::string> order_by;
  std::string page_token;
};

// Limits (MLflow 3).
inline constexpr size_t kMaxRegistryTagKeyLength = 250;
inline constexpr size_t kMaxRegistryTagValueLength = 100'000;
inline constexpr size_t kMaxAliasLength = 255;
inline constexpr int64_t kDefaultModelSearchResults = 100;
inline constexpr int64_t kMaxModelSearchResults = 1000;
inline constexpr int64_t kDefaultVersionSearchResults = 10'000;
inline constexpr int64_t kMaxVersionSearchResults = 200'000;

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // Registered models.
  virtual Result<RegisteredModel> CreateRegisteredModel(std::string_view name,
                                                        const std::vector<Tag>& tags,
                                                        std::string_view description) = 0;
  virtual Result<RegisteredModel> RenameRegisteredModel(std::string_view name,
                                                        std::string_view new_name) = 0;
  virtual Result<RegisteredModel> UpdateRegisteredModel(std::string_view name,
                                                        std::string_view description) = 0;
  virtual Status DeleteRegisteredModel(std::string_view name) = 0;
  virtual Result<RegisteredModel> GetRegisteredModel(std::string_view name) = 0;
  virtual Result<Page<RegisteredModel>> SearchRegisteredModels(const SearchRequest& request) = 0;
  /// The highest version in each of `stages` (all four when empty) that has one.
  virtual Result<std::vector<ModelVersion>> GetLatestVersions(
      std::string_view name, const std::vector<std::string>& stages) = 0;
  virtual Status SetRegisteredModelTag(std::string_view name, const Tag& tag) = 0;
  virtual Status DeleteRegisteredModelTag(std::string_view name, std::string_view key) = 0;

  // Versions. `version` is the wire's string ("3"); not an integer: kInvalidParameterValue.
  virtual Result<ModelVersion> CreateModelVersion(const CreateModelVersionRequest& request) = 0;
  virtual Result<ModelVersion> UpdateModelVersion(std::string_view name, std::string_view version,
                                                  std::string_view description) = 0;
  virtual Result<ModelVersion> TransitionModelVersionStage(std::string_view name,
                                                           std::string_view version,
                                                           std::string_view stage,
                                                           bool archive_existing_versions) = 0;
  virtual Status DeleteModelVersion(std::string_view name, std::string_view version) = 0;
  virtual Result<ModelVersion> GetModelVersion(std::string_view name, std::string_view version) = 0;
  virtual Result<Page<ModelVersion>> SearchModelVersions(const SearchRequest& request) = 0;
  /// storage_location when set, else source.
  virtual Result<std::string> GetModelVersionDownloadUri(std::string_view name,
                                                         std::string_view version) = 0;
  virtual Status SetModelVersionTag(std::string_view name, std::string_view version,
                                    const Tag& tag) = 0;
  virtual Status DeleteModelVersionTag(std::string_view name, std::string_view version,
                                       std::string_view key) = 0;

  // Aliases.
  virtual Status SetAlias(std::string_view name, std::string_view alias,
                          std::string_view version) = 0;
  virtual Status DeleteAlias(std::string_view name, std::string_view alias) = 0;
  virtual Result<ModelVersion> GetModelVersionByAlias(std::string_view name,
                                                      std::string_view alias) = 0;
};

struct StoreOptions {
  bool durable = false;  // SQLite: synchronous=FULL
  // REST credentials (see track::StoreOptions).
  std::string username;
  std::string password;
  std::string token;
  bool verify_tls = true;
};

/// sqlite:/// (the same database file as tracking may hold both: each store owns its tables)
/// or http(s)://.
Result<std::unique_ptr<RegistryStore>> OpenRegistryStore(const core::Uri& uri,
                                                         const StoreOptions& options);

}  // namespace cairn::registry
