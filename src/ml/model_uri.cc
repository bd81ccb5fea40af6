// ResolveModelUri and FetchModel: runs:/ and models:/ URIs (as MLflow's client resolves them,
// ../shared/reference/mlflow-api.md section 10), plain paths and file:// URIs, and artifact
// URIs; the model they point at loaded, downloaded first when it is remote.
//
// Thread-compatible: no state of its own; the stores are thread-safe.
#include <fmt/format.h>

#include <algorithm>

#include "core/path.h"
#include "core/strings.h"
#include "core/uri.h"
#include "ml/ml.h"
#include "registry/registry.h"
#include "track/track.h"

namespace cairn::ml {
namespace {

// A version's source may name another models:/ or runs:/ URI; more links than this is a loop.
constexpr int kMaxIndirections = 8;

bool IsDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string JoinUri(std::string_view base, std::string_view path) {
  std::string out(base);
  while (out.ends_with('/')) out.pop_back();
  std::string_view rest = path;
  while (rest.starts_with('/')) rest.remove_prefix(1);
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (!rest.empty()) out += "/" + std::string(rest);
  return out;
}

const registry::ModelVersion* Highest(const std::vector<registry::ModelVersion>& versions) {
  auto it = std::max_element(versions.begin(), versions.end(),
                             [](const registry::ModelVersion& a, const registry::ModelVersion& b) {
                               return a.version < b.version;
                             });
  return it == versions.end() ? nullptr : &*it;
}

class Resolver {
 public:
  Resolver(track::TrackingStore& tracking, registry::RegistryStore* registry)
      : tracking_(tracking), registry_(registry) {}

  Result<ModelLocation> Resolve(std::string_view uri, int depth) {
    if (depth > kMaxIndirections) {
      return Status::InvalidArgument(
          fmt::format("'{}': more than {} model URIs lead to one another (a loop of sources?)", uri,
                      kMaxIndirections));
    }
    if (uri.empty()) return Status::InvalidArgument("empty model URI");
    if (uri.starts_with("runs:")) return ResolveRun(uri);
    if (uri.starts_with("models:")) return ResolveModel(uri, depth);
    CAIRN_ASSIGN_OR_RETURN(core::Uri parsed, core::Uri::Parse(uri));
    ModelLocation location;
    if (parsed.scheme.empty()) {
      location.local_path = std::string(uri);
    } else if (parsed.scheme == "file") {
      if (!parsed.host.empty() && parsed.host != "localhost") {
        return Status::InvalidArgument(
            fmt::format("'{}' names a file on host '{}'\nhint: write a local path as "
                        "file:///<path> or as a plain path",
                        uri, parsed.host));
      }
      location.local_path = parsed.DecodedPath();
    } else {
      // An artifact URI (s3://, mlflow-artifacts:, ...): OpenArtifactRepository judges it.
      location.artifact_uri = std::string(uri);
    }
    return location;
  }

 private:
  // runs:/<run_id>/<path>
  Result<ModelLocation> ResolveRun(std::string_view uri) {
    std::string_view rest = uri.substr(5);
    if (!rest.starts_with('/') || rest.starts_with("//")) {
      return Status::InvalidArgument(
          fmt::format("'{}' is not a runs:/ URI: expected runs:/<run_id>/<artifact path>", uri));
    }
    rest.remove_prefix(1);
    size_t slash = rest.find('/');
    std::string run_id(rest.substr(0, slash));
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (run_id.empty()) {
      return Status::InvalidArgument(
          fmt::format("'{}' names no run: expected runs:/<run_id>/<artifact path>", uri));
    }
    Result<track::Run> run = tracking_.GetRun(run_id);
    if (!run.ok()) {
      if (run.status().IsNotFound()) {
        return Status::NotFound(
            fmt::format("'{}': no run '{}' in the tracking store", uri, run_id));
      }
      return run.status().WithContext(fmt::format("'{}'", uri));
    }
    if (run->info.artifact_uri.empty()) {
      return Status::InvalidState(fmt::format("'{}': run '{}' has no artifact URI", uri, run_id));
    }
    ModelLocation location;
    location.artifact_uri = JoinUri(run->info.artifact_uri, path);
    location.run_id = run_id;
    return location;
  }

  // The registry's error for a missing version, alias or stage, said plainly: a missing
  // model, or what the model lacks.
  Status Missing(std::string_view uri, const std::string& name, const Status& status,
                 std::string_view lacks) {
    if (!status.ok() && !status.IsNotFound()) return status.WithContext(fmt::format("'{}'", uri));
    Result<registry::RegisteredModel> model = registry_->GetRegisteredModel(name);
    if (!model.ok() && model.status().IsNotFound()) {
      return Status::NotFound(fmt::format("'{}': no registered model '{}'", uri, name));
    }
    if (!model.ok()) return model.status().WithContext(fmt::format("'{}'", uri));
    return Status::NotFound(fmt::format("'{}': registered model '{}' has {}", uri, name, lacks));
  }

  // models:/<name>/<version|stage|latest>, models:/<name>@<alias>, models:/m-<id>
  Result<ModelLocation> ResolveModel(std::string_view uri, int depth) {
    std::string_view rest = uri.substr(7);
    if (!rest.starts_with('/') || rest.starts_with("//")) {
      return Status::InvalidArgument(
          fmt::format("'{}' is not a models:/ URI: expected models:/<name>/<version>, "
                      "models:/<name>/<stage>, models:/<name>/latest or models:/<name>@<alias>",
                      uri));
    }
    rest.remove_prefix(1);
    while (rest.ends_with('/')) rest.remove_suffix(1);
    size_t slash = rest.find('/');
    std::string name;
    std::string suffix;
    std::string alias;
    if (slash == std::string_view::npos) {
      size_t at = rest.rfind('@');
      if (at == std::string_view::npos) {
        if (rest.starts_with("m-")) return ResolveLoggedModel(uri, std::string(rest));
        return Status::InvalidArgument(fmt::format(
            "'{}' names no version: expected models:/<name>/<version>, models:/<name>/<stage>, "
            "models:/<name>/latest or models:/<name>@<alias>",
            uri));
      }
      name = std::string(rest.substr(0, at));
      alias = std::string(rest.substr(at + 1));
      if (alias.empty()) {
        return Status::InvalidArgument(fmt::format("'{}' names an empty alias", uri));
      }
    } else {
      name = std::string(rest.substr(0, slash));
      suffix = std::string(core::Trim(rest.substr(slash + 1)));
      if (suffix.empty() || suffix.find('/') != std::string::npos) {
        return Status::InvalidArgument(
            fmt::format("'{}': expected models:/<name>/<version>, models:/<name>/<stage> or "
                        "models:/<name>/latest after the name",
                        uri));
      }
    }
    if (core::Trim(name).empty()) {
      return Status::InvalidArgument(fmt::format("'{}' names no registered model", uri));
    }
    if (registry_ == nullptr) {
      return Status::InvalidArgument(fmt::format(
          "'{}': models:/ URIs need a model registry (MLFLOW_REGISTRY_URI or MLFLOW_TRACKING_URI)",
          uri));
    }

    registry::ModelVersion version;
    if (!alias.empty()) {
      Result<registry::ModelVersion> found = registry_->GetModelVersionByAlias(name, alias);
      if (!found.ok()) {
        return Missing(uri, name, found.status(), fmt::format("no alias '{}'", alias));
      }
      version = std::move(*found);
    } else if (IsDigits(suffix)) {
      Result<registry::ModelVersion> found = registry_->GetModelVersion(name, suffix);
      if (!found.ok()) {
        return Missing(uri, name, found.status(), fmt::format("no version {}", suffix));
      }
      version = std::move(*found);
    } else {
      std::vector<std::string> stages;
      std::string lacks = "no versions";
      if (core::ToLower(suffix) != "latest") {
        Result<registry::Stage> stage = registry::ParseStage(suffix);
        if (!stage.ok()) {
          return Status::InvalidArgument(fmt::format(
              "'{}': '{}' is neither a version number, a stage (None, Staging, Production, "
              "Archived) nor 'latest'",
              uri, suffix));
        }
        stages.emplace_back(registry::StageName(*stage));
        lacks = fmt::format("no version in stage '{}'", registry::StageName(*stage));
      }
      Result<std::vector<registry::ModelVersion>> latest =
          registry_->GetLatestVersions(name, stages);
      if (!latest.ok()) return Missing(uri, name, latest.status(), lacks);
      const registry::ModelVersion* highest = Highest(*latest);
      if (highest == nullptr) return Missing(uri, name, Status::NotFound(""), lacks);
      version = *highest;
    }

    std::string source =
        version.storage_location.empty() ? version.source : version.storage_location;
    if (source.empty()) {
      return Status::InvalidState(
          fmt::format("'{}': version {} of registered model '{}' has no "
                      "source",
                      uri, version.version, name));
    }
    // A runs:/ or models:/ source is resolved again; anything else is the artifact URI of the
    // version's files (a local directory included: the registry stores URIs).
    Result<ModelLocation> location = ModelLocation{};
    if (source.starts_with("runs:") || source.starts_with("models:")) {
      location = Resolve(source, depth + 1);
    } else {
      location->artifact_uri = source;
    }
    if (!location.ok()) {
      return location.status().WithContext(
          fmt::format("'{}' (version {}, source '{}')", uri, version.version, source));
    }
    location->model_name = name;
    location->version = std::to_string(version.version);
    if (location->run_id.empty()) location->run_id = version.run_id;
    return location;
  }

  // models:/m-<id>: an MLflow 3 logged model.
  Result<ModelLocation> ResolveLoggedModel(std::string_view uri, const std::string& model_id) {
    Result<track::LoggedModel> model = tracking_.GetLoggedModel(model_id);
    if (!model.ok()) {
      if (model.status().IsNotFound()) {
        return Status::NotFound(fmt::format("'{}': no logged model '{}'", uri, model_id));
      }
      return model.status().WithContext(fmt::format("'{}'", uri));
    }
    ModelLocation location;
    location.artifact_uri = model->artifact_uri;
    location.run_id = model->source_run_id;
    return location;
  }

  track::TrackingStore& tracking_;
  registry::RegistryStore* registry_;
};

// A local artifact URI's path (a plain path or file://), or nullopt for a remote one.
std::optional<std::string> LocalPathOf(std::string_view artifact_uri) {
  Result<core::Uri> uri = core::Uri::Parse(artifact_uri);
  if (!uri.ok()) return std::nullopt;
  if (uri->scheme.empty()) return std::string(artifact_uri);
  if (uri->scheme == "file" && (uri->host.empty() || uri->host == "localhost")) {
    return uri->DecodedPath();
  }
  return std::nullopt;
}

// A directory name for what `location` names: "spam-v3", "<run_id>-model", "model".
std::string ScratchName(const ModelLocation& location) {
  std::string name;
  if (!location.model_name.empty()) {
    name = location.model_name + "-v" + location.version;
  } else if (!location.run_id.empty()) {
    name = location.run_id + "-" + std::string(core::Basename(location.artifact_uri));
  } else {
    name = "model-" + std::string(core::Basename(location.artifact_uri));
  }
  for (char& c : name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
    if (!plain) c = '_';
  }
  if (name.starts_with('.')) name.insert(0, "_");
  return name;
}

}  // namespace

Result<ModelLocation> ResolveModelUri(std::string_view uri, track::TrackingStore& tracking,
                                      registry::RegistryStore* registry) {
  return Resolver(tracking, registry).Resolve(uri, 0);
}

Result<Model> FetchModel(sys::Env& env, std::string_view uri, track::TrackingStore& tracking,
                         registry::RegistryStore* registry, const ArtifactAccess& access,
                         std::string_view scratch_dir) {
  CAIRN_ASSIGN_OR_RETURN(ModelLocation location, ResolveModelUri(uri, tracking, registry));
  std::string local = location.local_path;
  if (local.empty()) local = LocalPathOf(location.artifact_uri).value_or("");
  if (!local.empty()) {
    Result<Model> model = LoadModelPath(env, local);
    if (!model.ok()) return model.status().WithContext(fmt::format("'{}'", uri));
    return model;
  }

  // Remote: into <scratch_dir>/<name>, filled under a temporary name and renamed into place.
  std::string what = fmt::format("'{}': download {}", uri, location.artifact_uri);
  std::string dest = core::JoinPath(scratch_dir, ScratchName(location));
  std::string partial = fmt::format("{}.partial.{}", dest, env.NowMicros());
  CAIRN_RETURN_IF_ERROR(env.CreateDirs(scratch_dir).WithContext(what));
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<ArtifactRepository> repository,
                         OpenArtifactRepository(env, location.artifact_uri, access));
  std::string load = dest;
  Status status = repository->Download("", partial);
  if (status.IsNotFound()) {
    // Not a directory: perhaps a model file. Fetch it from its parent.
    std::string_view artifact_uri = location.artifact_uri;
    size_t slash = artifact_uri.rfind('/');
    if (slash != std::string_view::npos && slash + 1 < artifact_uri.size()) {
      std::string file(artifact_uri.substr(slash + 1));
      Result<std::unique_ptr<ArtifactRepository>> parent =
          OpenArtifactRepository(env, artifact_uri.substr(0, slash), access);
      if (parent.ok()) {
        Status single = (*parent)->Download(file, partial);
        if (single.ok()) {
          status = single;
          load = core::JoinPath(dest, file);
        } else if (!single.IsNotFound()) {
          status = single;
        }
      }
    }
  }
  if (!status.ok()) {
    (void)env.RemoveAll(partial);
    return status.WithContext(fmt::format("'{}'", uri));
  }
  CAIRN_RETURN_IF_ERROR(env.RemoveAll(dest).WithContext(what));
  Status renamed = env.Rename(partial, dest);
  if (!renamed.ok()) {
    (void)env.RemoveAll(partial);
    return renamed.WithContext(what);
  }
  Result<Model> model = LoadModelPath(env, load);
  if (!model.ok()) return model.status().WithContext(fmt::format("'{}'", uri));
  return model;
}

}  // namespace cairn::ml
