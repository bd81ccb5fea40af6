// OpenArtifactRepository: a run's artifacts by URI (a local directory, file://, s3://,
// mlflow-artifacts: through a tracking server's proxy, or the proxy's http(s) URL), over a
// blob::BlobStore; Upload (a file or a tree) and Download (everything under a path, each file
// written atomically).
//
// Thread-compatible: a repository may be used from one thread at a time (its store is
// thread-safe, the repository adds no state).
#include <fmt/format.h>

#include <algorithm>

#include "blob/blob.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/uri.h"
#include "ml/ml.h"
#include "sys/walk.h"

namespace cairn::ml {
namespace {

constexpr std::string_view kProxyPath = "/api/2.0/mlflow-artifacts/artifacts";

std::string Join(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  return std::string(a) + "/" + std::string(b);
}

// `path` as a key prefix: '/'-separated, no leading or trailing '/', no empty or "." segment;
// ".." is refused (an artifact path stays below its root).
Result<std::string> CleanArtifactPath(std::string_view path) {
  std::string out;
  for (std::string_view segment : core::Split(path, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      return Status::InvalidArgument(fmt::format(
          "artifact path '{}': '..' is not allowed (a path stays below the run's artifact root)",
          path));
    }
    out = Join(out, segment);
  }
  return out;
}

// The URI for messages: without userinfo, query or fragment (where secrets would be).
std::string Display(core::Uri uri) {
  if (uri.scheme.empty()) return uri.path;
  uri.userinfo.clear();
  uri.query.reset();
  uri.fragment.reset();
  return uri.ToString();
}

bool IsTrue(std::optional<std::string> value) {
  if (!value) return false;
  std::string lower = core::ToLower(*value);
  return lower == "true" || lower == "1" || lower == "yes";
}

class BlobArtifactRepository final : public ArtifactRepository {
 public:
  BlobArtifactRepository(sys::Env& env, std::string uri, std::unique_ptr<blob::BlobStore> store)
      : env_(env), uri_(std::move(uri)), store_(std::move(store)) {}

  Status Upload(std::string_view local_path, std::string_view artifact_path) override {
    std::string what = fmt::format("upload '{}' to {}", local_path, uri_);
    CAIRN_ASSIGN_OR_RETURN(std::string dir, CleanArtifactPath(artifact_path));
    Result<sys::FileInfo> info = env_.Stat(local_path);
    if (!info.ok()) return info.status().WithContext(what);
    if (info->is_regular()) {
      std::string key = Join(dir, core::Basename(local_path));
      return store_->PutFile(key, local_path).WithContext(what);
    }
    if (!info->is_directory()) {
      return Status::InvalidArgument(
          fmt::format("{}: '{}' is neither a file nor a directory", what, local_path));
    }
    Result<sys::WalkResult> walk = sys::Walk(env_, local_path);
    if (!walk.ok()) return walk.status().WithContext(what);
    for (const sys::WalkEntry& entry : walk->files) {
      CAIRN_RETURN_IF_ERROR(
          store_->PutFile(Join(dir, entry.path), core::JoinPath(local_path, entry.path))
              .WithContext(what));
    }
    return Status::Ok();
  }

  Status Download(std::string_view artifact_path, std::string_view local_dir) override {
    std::string what = fmt::format("download '{}' from {}", artifact_path, uri_);
    CAIRN_ASSIGN_OR_RETURN(std::string path, CleanArtifactPath(artifact_path));
    // (key, path relative to local_dir)
    std::vector<std::pair<std::string, std::string>> files;
    Result<std::vector<blob::BlobInfo>> listed = store_->List(path.empty() ? "" : path + "/");
    if (!listed.ok() && !listed.status().IsNotFound()) return listed.status().WithContext(what);
    if (listed.ok()) {
      for (blob::BlobInfo& info : *listed) {
        std::string rel = path.empty() ? info.key : info.key.substr(path.size() + 1);
        files.emplace_back(std::move(info.key), std::move(rel));
      }
    }
    if (files.empty() && !path.empty()) {
      // A single file.
      Result<std::optional<blob::BlobInfo>> stat = store_->Stat(path);
      if (!stat.ok() && !stat.status().IsNotFound()) return stat.status().WithContext(what);
      if (stat.ok() && stat->has_value()) {
        files.emplace_back(path, std::string(core::Basename(path)));
      }
    }
    if (files.empty()) {
      return Status::NotFound(path.empty() ? fmt::format("{}: no artifacts there", uri_)
                                           : fmt::format("{}: no artifact at '{}'", uri_, path));
    }
    std::sort(files.begin(), files.end());
    for (const auto& [key, rel] : files) {
      std::string dest = core::JoinPath(local_dir, rel);
      CAIRN_RETURN_IF_ERROR(Fetch(key, dest).WithContext(what));
    }
    return Status::Ok();
  }

 private:
  // The object `key` into the file `dest`, atomically.
  Status Fetch(const std::string& key, const std::string& dest) {
    CAIRN_RETURN_IF_ERROR(env_.CreateDirs(core::Dirname(dest)));
    sys::WriteOptions options;
    options.durability = sys::Durability::kRelaxed;
    CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::AtomicFile> file, env_.OpenAtomic(dest, options));
    CAIRN_RETURN_IF_ERROR(
        store_->Get(key, [&file](std::string_view chunk) { return file->Append(chunk); }));
    return file->Commit();
  }

  sys::Env& env_;
  const std::string uri_;
  const std::unique_ptr<blob::BlobStore> store_;
};

blob::MlflowArtifactsOptions ProxyOptions(const ArtifactAccess& access) {
  blob::MlflowArtifactsOptions options;
  options.username = access.username;
  options.password = access.password;
  options.token = access.token;
  options.verify_tls = access.verify_tls;
  return options;
}

// The proxy's server and the directory below it for an mlflow-artifacts: URI.
Result<std::pair<std::string, std::string>> ProxyLocation(const core::Uri& uri,
                                                          std::string_view text,
                                                          const ArtifactAccess& access) {
  Result<core::Uri> tracking = core::Uri::Parse(access.tracking_uri);
  bool tracking_is_http = !access.tracking_uri.empty() && tracking.ok() &&
                          (tracking->scheme == "http" || tracking->scheme == "https");
  std::string root = uri.DecodedPath();
  if (uri.has_authority && !uri.host.empty()) {
    // mlflow-artifacts://host:port/path names the server; the scheme is the tracking URI's.
    std::string server = (tracking_is_http ? tracking->scheme : std::string("http")) + "://" +
                         uri.host + (uri.port ? ":" + std::to_string(*uri.port) : "");
    return std::make_pair(std::move(server), std::move(root));
  }
  if (!tracking_is_http) {
    std::string now =
        access.tracking_uri.empty()
            ? "it is not set"
            : fmt::format("it is a '{}' URI", tracking.ok() && !tracking->scheme.empty()
                                                  ? tracking->scheme + ":"
                                                  : std::string("plain path"));
    return Status::InvalidArgument(fmt::format(
        "'{}': mlflow-artifacts: URIs need an http(s) tracking URI (MLFLOW_TRACKING_URI); {}\n"
        "hint: set MLFLOW_TRACKING_URI to the address of the server that holds the artifacts, "
        "e.g. http://127.0.0.1:5000",
        text, now));
  }
  return std::make_pair(access.tracking_uri, std::move(root));
}

}  // namespace

Result<std::unique_ptr<ArtifactRepository>> OpenArtifactRepository(sys::Env& env,
                                                                   std::string_view artifact_uri,
                                                                   const ArtifactAccess& access) {
  std::string text(artifact_uri);
  if (text.empty()) return Status::InvalidArgument("empty artifact URI");
  CAIRN_ASSIGN_OR_RETURN(core::Uri uri, core::Uri::Parse(text));
  if (uri.scheme.empty()) {
    // A plain path is the whole text ('?' and '#' are file name characters here).
    uri = core::Uri();
    uri.path = text;
  }
  std::unique_ptr<blob::BlobStore> store;
  if (uri.scheme.empty() || uri.scheme == "file") {
    CAIRN_ASSIGN_OR_RETURN(store, blob::OpenBlobStore(uri, blob::BlobOptions{}, env));
  } else if (uri.scheme == "s3") {
    // As MLflow's S3 artifact repository: a custom endpoint from MLFLOW_S3_ENDPOINT_URL.
    blob::BlobOptions options;
    options.endpoint_url = env.GetVar("MLFLOW_S3_ENDPOINT_URL").value_or("");
    options.verify_tls = !IsTrue(env.GetVar("MLFLOW_S3_IGNORE_TLS"));
    CAIRN_ASSIGN_OR_RETURN(store, blob::OpenBlobStore(uri, options, env));
  } else if (uri.scheme == "mlflow-artifacts") {
    CAIRN_ASSIGN_OR_RETURN(auto location, ProxyLocation(uri, text, access));
    CAIRN_ASSIGN_OR_RETURN(store, blob::OpenMlflowArtifactsStore(location.first, location.second,
                                                                 ProxyOptions(access), env));
  } else if (uri.scheme == "http" || uri.scheme == "https") {
    // The proxy's own URL: <server>/api/2.0/mlflow-artifacts/artifacts/<path>.
    size_t at = uri.path.find(kProxyPath);
    if (at == std::string::npos || uri.query || uri.fragment ||
        (uri.path.size() > at + kProxyPath.size() && uri.path[at + kProxyPath.size()] != '/')) {
      return Status::InvalidArgument(
          fmt::format("'{}': an http(s) artifact URI must be a tracking server's artifact proxy "
                      "(<server>{}/<path>)",
                      Display(uri), kProxyPath));
    }
    core::Uri server = uri;
    server.path = uri.path.substr(0, at);
    core::Uri rest;
    rest.path = uri.path.substr(at + kProxyPath.size());
    CAIRN_ASSIGN_OR_RETURN(store,
                           blob::OpenMlflowArtifactsStore(server.ToString(), rest.DecodedPath(),
                                                          ProxyOptions(access), env));
  } else if (uri.scheme == "runs" || uri.scheme == "models") {
    return Status::InvalidArgument(
        fmt::format("'{}' is a model URI, not an artifact URI\nhint: resolve it first "
                    "(ResolveModelUri), or use FetchModel",
                    text));
  } else {
    return Status::InvalidArgument(fmt::format(
        "'{}': cairn cannot reach artifacts at a '{}:' URI\nhint: use a directory (a path or "
        "file:///...), s3://bucket/prefix, or mlflow-artifacts:/<path> with MLFLOW_TRACKING_URI "
        "naming the server",
        text, uri.scheme));
  }
  return std::unique_ptr<ArtifactRepository>(
      std::make_unique<BlobArtifactRepository>(env, Display(uri), std::move(store)));
}

}  // namespace cairn::ml
