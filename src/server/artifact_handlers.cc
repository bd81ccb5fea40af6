// The artifact proxy (reference section 8): upload, download, list and delete files under the
// server's artifacts destination, MLflow's multipart endpoints (not supported: 501), and the
// run artifact listing of the tracking API (GET /mlflow/artifacts/list).
//
// Unlike MLflow, a download of a missing file is 404 RESOURCE_DOES_NOT_EXIST (MLflow answers
// 500, which its client retries for minutes). With artifacts not served, every proxy endpoint
// answers a plain-text 503, as MLflow does.
#include <fmt/format.h>

#include <array>
#include <cctype>

#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "server/artifacts.h"
#include "server/routes.h"
#include "server/wire.h"

namespace cairn::server {
namespace {

// True (after answering 503) when the server does not serve artifacts.
bool RefuseWhenNotServing(const ServerState& state, const net::ServerRequest& request,
                          net::ServerResponse& response) {
  if (state.artifacts != nullptr) return false;
  response.SetText(503, fmt::format("Endpoint: {} disabled due to the cairn server running with "
                                    "`--no-serve-artifacts`. To enable artifacts server "
                                    "functionality, run `cairn server` with `--serve-artifacts`",
                                    request.path));
  return true;
}

// The proxied path of a request to .../artifacts/{path...}, checked.
Result<std::string> ProxiedPath(const net::ServerRequest& request) {
  CAIRN_RETURN_IF_ERROR(CheckRawPath(request.raw_path));
  if (request.path_params.empty()) return Status::InvalidArgument("Invalid path");
  return SafeArtifactPath(request.path_params.back(), false);
}

// Files MLflow serves as text/plain, by extension (or by name when there is none).
constexpr std::array<std::string_view, 24> kTextExtensions = {
    "txt",        "log",  "err",   "cfg",  "conf", "cnf", "cf",  "ini",
    "properties", "prop", "hocon", "toml", "yaml", "yml", "xml", "json",
    "js",         "py",   "py3",   "csv",  "tsv",  "md",  "rst", "MLmodel"};

struct MimeType {
  std::string_view extension;
  std::string_view type;
};
// The common part of Python's mimetypes table.
constexpr std::array kMimeTypes = {
    MimeType{"html", "text/html"},      MimeType{"htm", "text/html"},
    MimeType{"css", "text/css"},        MimeType{"png", "image/png"},
    MimeType{"jpg", "image/jpeg"},      MimeType{"jpeg", "image/jpeg"},
    MimeType{"gif", "image/gif"},       MimeType{"svg", "image/svg+xml"},
    MimeType{"bmp", "image/bmp"},       MimeType{"webp", "image/webp"},
    MimeType{"tif", "image/tiff"},      MimeType{"tiff", "image/tiff"},
    MimeType{"pdf", "application/pdf"}, MimeType{"zip", "application/zip"},
    MimeType{"gz", "application/gzip"}, MimeType{"tar", "application/x-tar"},
    MimeType{"mp4", "video/mp4"},       MimeType{"wav", "audio/x-wav"},
    MimeType{"mp3", "audio/mpeg"},
};

std::string GuessMimeType(std::string_view filename) {
  std::string_view extension = core::Extension(filename);
  extension = extension.empty() ? filename : extension.substr(1);
  for (std::string_view text : kTextExtensions) {
    if (extension == text || extension == "mlproject") return "text/plain";
  }
  std::string lower = core::ToLower(extension);
  for (const MimeType& mime : kMimeTypes) {
    if (lower == mime.extension) return std::string(mime.type);
  }
  return "application/octet-stream";
}

// `attachment; filename=<name>`, quoted when needed, with RFC 5987's filename* for non-ASCII.
std::string ContentDisposition(std::string_view name) {
  bool token = !name.empty();
  bool ascii = true;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) ascii = false;
    if (!(std::isalnum(u) || std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos)) {
      token = false;
    }
  }
  if (token) return fmt::format("attachment; filename={}", name);
  std::string quoted;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x80 || u < 0x20) {
      quoted += '_';
      continue;
    }
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  std::string header = fmt::format("attachment; filename=\"{}\"", quoted);
  if (!ascii) header += fmt::format("; filename*=UTF-8''{}", core::PercentEncode(name));
  return header;
}

void DownloadArtifact(ServerState& state, const net::ServerRequest& request,
                      net::ServerResponse& response) {
  if (RefuseWhenNotServing(state, request, response)) return;
  Result<std::string> key = ProxiedPath(request);
  if (!key.ok()) return response.SetError(key.status());
  Status missing = Status::NotFound(fmt::format("No artifact at '{}'", *key));
  std::string name(core::Basename(*key));
  if (!state.artifacts_dir.empty()) {
    std::string path = core::JoinPath(state.artifacts_dir, *key);
    Result<sys::FileInfo> info = state.env->Stat(path);
    if (!info.ok() && !info.status().IsNotFound()) return response.SetError(info.status());
    if (!info.ok() || !info->is_regular()) return response.SetError(missing);
    response.body_file = path;
  } else {
    std::string body;
    Status status = state.artifacts->Get(*key, [&body](std::string_view chunk) {
      body.append(chunk);
      return Status::Ok();
    });
    if (status.IsNotFound()) return response.SetError(missing);
    if (!status.ok()) return response.SetError(status);
    response.body = std::move(body);
  }
  response.status = 200;
  response.content_type = GuessMimeType(name);
  response.headers.emplace_back("Content-Disposition", ContentDisposition(name));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
}

void UploadArtifact(ServerState& state, const net::ServerRequest& request,
                    net::ServerResponse& response) {
  if (RefuseWhenNotServing(state, request, response)) return;
  Result<std::string> key = ProxiedPath(request);
  if (!key.ok()) return response.SetError(key.status());
  if (!state.artifacts_dir.empty()) {
    // A directory where the file goes, or a file where a directory goes, is the client's
    // mistake (400), not the server's (500).
    std::string path = core::JoinPath(state.artifacts_dir, *key);
    if (state.env->IsDirectory(path)) {
      return response.SetError(Status::InvalidArgument(
          fmt::format("Cannot upload to '{}': it is a directory of artifacts", *key)));
    }
    for (std::string_view parent = core::Dirname(*key); !parent.empty() && parent != ".";
         parent = core::Dirname(parent)) {
      std::string parent_path = core::JoinPath(state.artifacts_dir, parent);
      if (state.env->Exists(parent_path) && !state.env->IsDirectory(parent_path)) {
        return response.SetError(Status::InvalidArgument(
            fmt::format("Cannot upload to '{}': '{}' is a file, not a directory", *key, parent)));
      }
    }
  }
  Status status = state.artifacts->Put(*key, request.body);
  if (!status.ok()) return response.SetError(status);
  response.SetJson(200, "{}");
}

Status DeleteUnder(ServerState& state, const std::string& key) {
  if (!state.artifacts_dir.empty()) {
    std::string path = core::JoinPath(state.artifacts_dir, key);
    Result<sys::FileInfo> info = state.env->LStat(path);
    if (!info.ok()) return info.status().IsNotFound() ? Status::Ok() : info.status();
    if (info->is_directory()) return state.env->RemoveAll(path);
    return state.artifacts->Delete(key);
  }
  CAIRN_RETURN_IF_ERROR(state.artifacts->Delete(key));
  CAIRN_ASSIGN_OR_RETURN(std::vector<blob::BlobInfo> objects, state.artifacts->List(key + "/"));
  for (const blob::BlobInfo& object : objects) {
    CAIRN_RETURN_IF_ERROR(state.artifacts->Delete(object.key));
  }
  return Status::Ok();
}

void DeleteArtifact(ServerState& state, const net::ServerRequest& request,
                    net::ServerResponse& response) {
  if (RefuseWhenNotServing(state, request, response)) return;
  Result<std::string> key = ProxiedPath(request);
  if (!key.ok()) return response.SetError(key.status());
  Status status = DeleteUnder(state, *key);
  if (!status.ok()) return response.SetError(status);
  response.SetJson(200, "{}");
}

Result<core::Value> ListProxied(ServerState& state, const net::ServerRequest& request) {
  CAIRN_RETURN_IF_ERROR(CheckRawPath(request.raw_path));
  std::string path(request.Query("path").value_or(""));
  CAIRN_ASSIGN_OR_RETURN(std::string dir, SafeArtifactPath(path, true));
  CAIRN_ASSIGN_OR_RETURN(ArtifactLocation root, ArtifactLocation::ProxyRoot(state));
  CAIRN_ASSIGN_OR_RETURN(std::vector<ArtifactEntry> entries, root.List(dir));
  return JsonObject()
      .List("files", JsonList(entries,
                              [](const ArtifactEntry& entry) {
                                return FileInfoJson(entry.name, entry.is_dir, entry.size);
                              }))
      .Build();
}

void ListArtifacts(ServerState& state, const net::ServerRequest& request,
                   net::ServerResponse& response) {
  if (RefuseWhenNotServing(state, request, response)) return;
  Result<core::Value> body = ListProxied(state, request);
  if (!body.ok()) return response.SetError(body.status());
  response.SetJson(200, core::ToJson(*body));
}

void MultipartUpload(ServerState& state, const net::ServerRequest& request,
                     net::ServerResponse& response) {
  if (RefuseWhenNotServing(state, request, response)) return;
  Result<std::string> key = ProxiedPath(request);
  if (!key.ok()) return response.SetError(key.status());
  // MLflow only offers presigned multipart uploads for cloud stores; its client falls back to
  // a plain PUT on this answer.
  response.SetError(Status::NotImplemented(
      "Multipart upload is not supported for the current artifact repository"));
}

// GET /mlflow/artifacts/list: a run's artifacts, paths relative to the run's root.
Result<core::Value> ListRunArtifacts(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string run_id, call.params.RunId());
  CAIRN_ASSIGN_OR_RETURN(std::string path, call.params.String("path"));
  CAIRN_ASSIGN_OR_RETURN(path, SafeArtifactPath(path, true));
  CAIRN_ASSIGN_OR_RETURN(track::Run run, call.state.tracking->GetRun(run_id));
  return ListUnderRootJson(call.state, run.info.artifact_uri, path);
}

}  // namespace

void AddArtifactRoutes(Routes& routes) {
  ServerState* state = &routes.state();
  auto bind =
      [state](void (*handler)(ServerState&, const net::ServerRequest&, net::ServerResponse&)) {
        return [state, handler](const net::ServerRequest& request, net::ServerResponse& response) {
          handler(*state, request, response);
        };
      };
  routes.Raw("GET", "/mlflow-artifacts/artifacts/{path...}", bind(DownloadArtifact));
  routes.Raw("PUT", "/mlflow-artifacts/artifacts/{path...}", bind(UploadArtifact));
  routes.Raw("DELETE", "/mlflow-artifacts/artifacts/{path...}", bind(DeleteArtifact));
  routes.Raw("GET", "/mlflow-artifacts/artifacts", bind(ListArtifacts));
  routes.Raw("POST", "/mlflow-artifacts/mpu/create/{path...}", bind(MultipartUpload));
  routes.Raw("POST", "/mlflow-artifacts/mpu/complete/{path...}", bind(MultipartUpload));
  routes.Raw("POST", "/mlflow-artifacts/mpu/abort/{path...}", bind(MultipartUpload));

  routes.Json("GET", "/mlflow/artifacts/list", ListRunArtifacts);
}

}  // namespace cairn::server
