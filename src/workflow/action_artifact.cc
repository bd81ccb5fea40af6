// actions/upload-artifact and actions/download-artifact (v4 semantics) over the local
// artifact store (artifacts.h), and PruneArtifacts.
//
// Upload: `name` (default "artifact"), `path` (multi-line globs, `!` excludes; files are
// stored relative to the least common ancestor of the search paths, or to the one directory
// given, or beside the one file given), `if-no-files-found` (warn | error | ignore),
// `retention-days` (default 90, at most 90), `overwrite`, `include-hidden-files` (hidden
// files are left out by default, as in v4.4+). Download: by `name` into `path` (default the
// workspace), or every artifact of the run (optionally those whose name matches `pattern`),
// each into a directory of its name unless `merge-multiple`.
//
// The actions are stateless; PruneArtifacts is a plain function.
#include <fnmatch.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/value.h"
#include "sys/env.h"
#include "sys/temp_dir.h"
#include "sys/walk.h"
#include "workflow/action_support.h"
#include "workflow/artifacts.h"

namespace cairn::workflow {
namespace {

constexpr int kMaxRetentionDays = 90;
constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000000;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Status CheckName(std::string_view name) {
  if (name.empty()) return core::Status::InvalidArgument("Artifact name is empty");
  for (char c : name) {
    if (std::string_view("\":<>|*?\r\n\\/").find(c) != std::string_view::npos) {
      return core::Status::InvalidArgument(
          "The artifact name is not valid: " + std::string(name) +
          ". Contains the following character: " + std::string(1, c) +
          "\nInvalid characters include: Double quote \", Colon :, Less than <, Greater than >, "
          "Vertical bar |, Asterisk *, Question mark ?, Carriage return \\r, Line feed \\n, "
          "Backslash \\, Forward slash /");
    }
  }
  if (name == "." || name == "..") {
    return core::Status::InvalidArgument("The artifact name is not valid: " + std::string(name));
  }
  return core::Status::Ok();
}

core::Status NeedArtifactDir(const StepHost& host) {
  if (host.options().dirs.artifacts.empty()) {
    return core::Status::InvalidArgument(
        "the run has no artifact directory (RunDirectories::artifacts is empty)");
  }
  return core::Status::Ok();
}

std::string RunDir(const StepHost& host) {
  return core::JoinPath(host.options().dirs.artifacts, host.options().run_id);
}

bool IsHidden(std::string_view relative) {
  for (std::string_view seg : core::Split(relative, '/')) {
    if (!seg.empty() && seg[0] == '.') return true;
  }
  return false;
}

// Copies `from` over `to` (replacing it), creating its directory.
core::Status CopyReplacing(sys::Env& env, const std::string& from, const std::string& to,
                           uint32_t mode) {
  CAIRN_RETURN_IF_ERROR(env.CreateDirs(core::Dirname(to)));
  std::string temp = to + ".cairn-tmp";
  (void)env.Remove(temp);
  CAIRN_RETURN_IF_ERROR(env.CopyFile(from, temp, mode));
  return env.Rename(temp, to);
}

const std::vector<ActionInput>& UploadInputs() {
  static const std::vector<ActionInput> kInputs = {{"name", "artifact", false},
                                                   {"path", "", true},
                                                   {"if-no-files-found", "warn", false},
                                                   {"retention-days", "", false},
                                                   {"compression-level", "6", false},
                                                   {"overwrite", "false", false},
                                                   {"include-hidden-files", "false", false}};
  return kInputs;
}

class UploadArtifactAction : public Action {
 public:
  core::Result<Conclusion> Main(StepHost& host, const InputMap& given) override {
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, MergeInputs(host, UploadInputs(), given));
    CAIRN_RETURN_IF_ERROR(NeedArtifactDir(host));
    const std::string name = std::string(core::Trim(inputs["name"]));
    CAIRN_RETURN_IF_ERROR(CheckName(name));
    std::string if_none = core::ToLower(core::Trim(inputs["if-no-files-found"]));
    if (if_none != "warn" && if_none != "error" && if_none != "ignore") {
      return core::Status::InvalidArgument(
          "Unrecognized if-no-files-found input. Provided: " + inputs["if-no-files-found"] +
          ". Available options: warn, error, ignore");
    }
    int retention = kMaxRetentionDays;
    if (!core::Trim(inputs["retention-days"]).empty()) {
      auto days = core::ParseInt64(core::Trim(inputs["retention-days"]));
      if (!days || *days < 1) {
        return core::Status::InvalidArgument("Invalid retention-days: '" +
                                             inputs["retention-days"] +
                                             "'; expected a whole number of days >= 1");
      }
      if (*days > kMaxRetentionDays) {
        host.Log(LineKind::kAnnotation,
                 "Warning: Retention days cannot be greater than the "
                 "maximum allowed retention set within the repository. "
                 "Using " +
                     std::to_string(kMaxRetentionDays) + " instead.");
      }
      retention = static_cast<int>(std::min<int64_t>(*days, kMaxRetentionDays));
    }
    CAIRN_ASSIGN_OR_RETURN(bool overwrite, BoolInput(inputs, "overwrite"));
    CAIRN_ASSIGN_OR_RETURN(bool hidden, BoolInput(inputs, "include-hidden-files"));

    std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
    PathPatterns patterns = ParsePathPatterns(inputs["path"], host.workspace(), host.env());
    CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> files, MatchFiles(*env, patterns));
    std::string root = StorageRoot(*env, patterns);
    if (!hidden) {
      std::erase_if(files,
                    [&](const std::string& f) { return IsHidden(core::RelativePath(f, root)); });
    }
    if (files.empty()) {
      std::string message = "No files were found with the provided path: " +
                            core::Join(core::SplitLines(core::Trim(inputs["path"])), ", ") +
                            ". No artifacts will be uploaded.";
      if (if_none == "error") {
        host.Log(LineKind::kAnnotation, "Error: " + message);
        return Conclusion::kFailure;
      }
      host.Log(if_none == "warn" ? LineKind::kAnnotation : LineKind::kOutput,
               (if_none == "warn" ? "Warning: " : "") + message);
      return Conclusion::kSuccess;
    }

    std::string run_dir = RunDir(host);
    CAIRN_RETURN_IF_ERROR(env->CreateDirs(run_dir));
    CAIRN_ASSIGN_OR_RETURN(sys::TempDir temp, sys::TempDir::Create(".upload-", run_dir));
    core::Value list = core::Value::Sequence();
    uint64_t total = 0;
    for (const std::string& file : files) {
      std::string relative = core::RelativePath(file, root);
      CAIRN_ASSIGN_OR_RETURN(sys::FileInfo info, env->Stat(file));
      CAIRN_RETURN_IF_ERROR(
          CopyReplacing(*env, file, temp.Path("files/" + relative), info.mode & 0777));
      core::Value entry = core::Value::Mapping();
      entry.Set("path", core::Value::String(relative));
      entry.Set("size", core::Value::Int(static_cast<int64_t>(info.size)));
      list.Append(std::move(entry));
      total += info.size;
    }
    int64_t now = NowMicros();
    core::Value manifest = core::Value::Mapping();
    manifest.Set("name", core::Value::String(name));
    manifest.Set("run_id", core::Value::String(host.options().run_id));
    manifest.Set("job", core::Value::String(host.job().display_name));
    manifest.Set("created_us", core::Value::Int(now));
    manifest.Set("retention_days", core::Value::Int(retention));
    manifest.Set("expires_us", core::Value::Int(now + retention * kMicrosPerDay));
    manifest.Set("size", core::Value::Int(static_cast<int64_t>(total)));
    manifest.Set("files", std::move(list));
    std::string manifest_text = core::ToPrettyJson(manifest);
    CAIRN_RETURN_IF_ERROR(env->WriteFile(temp.Path("manifest.json"), manifest_text));

    std::string final_dir = core::JoinPath(run_dir, name);
    std::string old_dir;
    if (env->Exists(final_dir)) {
      if (!overwrite) {
        host.Log(LineKind::kAnnotation,
                 "Error: Failed to CreateArtifact: an artifact named '" + name +
                     "' already exists in run " + host.options().run_id +
                     " (artifact names are unique within a run; set 'overwrite: true' to "
                     "replace it)");
        return Conclusion::kFailure;
      }
      old_dir = temp.path() + ".old";
      CAIRN_RETURN_IF_ERROR(env->Rename(final_dir, old_dir));
    }
    core::Status moved = env->Rename(temp.path(), final_dir);
    if (!moved.ok()) {
      host.Log(LineKind::kAnnotation, "Error: Failed to CreateArtifact: an artifact named '" +
                                          name + "' was uploaded at the same time (" +
                                          moved.message() + ")");
      return Conclusion::kFailure;
    }
    temp.Keep();
    if (!old_dir.empty()) (void)env->RemoveAll(old_dir);
    host.Log(LineKind::kOutput, "Artifact " + name + " has been successfully uploaded! (" +
                                    std::to_string(files.size()) + " files, " +
                                    std::to_string(total) + " bytes, kept " +
                                    std::to_string(retention) + " days)");
    host.SetOutput("artifact-id", std::to_string(now));
    host.SetOutput("artifact-url", "file://" + final_dir);
    host.SetOutput("artifact-digest", core::Sha256Hex(manifest_text));
    return Conclusion::kSuccess;
  }

 private:
  // The directory stored paths are relative to (upload-artifact's getSearchResults).
  static std::string StorageRoot(sys::Env& env, const PathPatterns& patterns) {
    std::vector<std::string> roots;
    for (const std::string& p : patterns.include) roots.push_back(SearchRoot(p));
    if (roots.size() == 1) {
      return env.IsDirectory(roots[0]) ? roots[0] : std::string(core::Dirname(roots[0]));
    }
    return CommonAncestor(roots);
  }
};

const std::vector<ActionInput>& DownloadInputs() {
  static const std::vector<ActionInput> kInputs = {{"name", "", false},
                                                   {"artifact-ids", "", false},
                                                   {"path", "", false},
                                                   {"pattern", "", false},
                                                   {"merge-multiple", "false", false},
                                                   {"github-token", "", false},
                                                   {"repository", "", false},
                                                   {"run-id", "", false}};
  return kInputs;
}

class DownloadArtifactAction : public Action {
 public:
  core::Result<Conclusion> Main(StepHost& host, const InputMap& given) override {
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, MergeInputs(host, DownloadInputs(), given));
    CAIRN_RETURN_IF_ERROR(NeedArtifactDir(host));
    CAIRN_ASSIGN_OR_RETURN(bool merge, BoolInput(inputs, "merge-multiple"));
    std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
    std::string run_dir = RunDir(host);
    if (!core::Trim(inputs["run-id"]).empty()) {
      run_dir = core::JoinPath(host.options().dirs.artifacts, core::Trim(inputs["run-id"]));
    }
    std::string dest = host.workspace();
    if (!core::Trim(inputs["path"]).empty()) {
      dest = ExpandHome(core::Trim(inputs["path"]), host.env());
      if (!core::IsAbsolutePath(dest)) dest = core::JoinPath(host.workspace(), dest);
      dest = core::NormalizePath(dest);
    }
    std::string name = std::string(core::Trim(inputs["name"]));
    std::vector<std::string> names;
    bool single = !name.empty();
    if (single) {
      if (!env->Exists(core::JoinPath(core::JoinPath(run_dir, name), "manifest.json"))) {
        host.Log(
            LineKind::kAnnotation,
            "Error: Unable to download artifact(s): Artifact not found for name: " + name +
                "\n        Please ensure that your artifact is not expired and the "
                "artifact was uploaded using a compatible version of toolkit/upload-artifact.");
        return Conclusion::kFailure;
      }
      names.push_back(name);
    } else {
      auto listing = env->ListDir(run_dir);
      if (listing.ok()) {
        std::string pattern = std::string(core::Trim(inputs["pattern"]));
        for (const sys::DirEntry& e : *listing) {
          if (e.type != sys::FileType::kDirectory || e.name.starts_with(".")) continue;
          if (!pattern.empty() && fnmatch(pattern.c_str(), e.name.c_str(), 0) != 0) continue;
          if (!env->Exists(core::JoinPath(core::JoinPath(run_dir, e.name), "manifest.json"))) {
            continue;
          }
          names.push_back(e.name);
        }
      }
      std::sort(names.begin(), names.end());
      host.Log(LineKind::kOutput, "Found " + std::to_string(names.size()) + " artifact(s)");
    }
    for (const std::string& n : names) {
      std::string target = single || merge ? dest : core::JoinPath(dest, n);
      std::string files_dir = core::JoinPath(core::JoinPath(run_dir, n), "files");
      int count = 0;
      if (env->IsDirectory(files_dir)) {
        CAIRN_ASSIGN_OR_RETURN(sys::WalkResult walk, sys::Walk(*env, files_dir));
        for (const sys::WalkEntry& f : walk.files) {
          CAIRN_RETURN_IF_ERROR(CopyReplacing(*env, core::JoinPath(files_dir, f.path),
                                              core::JoinPath(target, f.path), f.info.mode & 0777));
          ++count;
        }
      }
      CAIRN_RETURN_IF_ERROR(env->CreateDirs(target));
      host.Log(LineKind::kOutput,
               "Artifact " + n + " (" + std::to_string(count) + " files) downloaded to " + target);
    }
    host.SetOutput("download-path", dest);
    return Conclusion::kSuccess;
  }
};

}  // namespace

std::unique_ptr<Action> NewUploadArtifactAction() {
  return std::make_unique<UploadArtifactAction>();
}

std::unique_ptr<Action> NewDownloadArtifactAction() {
  return std::make_unique<DownloadArtifactAction>();
}

core::Result<int> PruneArtifacts(std::string_view dir, std::chrono::system_clock::time_point now) {
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  auto runs = env->ListDir(dir);
  if (!runs.ok()) {
    if (runs.status().IsNotFound()) return 0;
    return runs.status();
  }
  int removed = 0;
  for (const sys::DirEntry& run : *runs) {
    if (run.type != sys::FileType::kDirectory) continue;
    std::string run_dir = core::JoinPath(dir, run.name);
    CAIRN_ASSIGN_OR_RETURN(std::vector<sys::DirEntry> artifacts, env->ListDir(run_dir));
    size_t left = artifacts.size();
    for (const sys::DirEntry& artifact : artifacts) {
      if (artifact.type != sys::FileType::kDirectory || artifact.name.starts_with(".")) continue;
      std::string artifact_dir = core::JoinPath(run_dir, artifact.name);
      std::string manifest_path = core::JoinPath(artifact_dir, "manifest.json");
      auto text = env->ReadFile(manifest_path);
      if (!text.ok()) continue;
      auto manifest = core::ParseJson(*text, manifest_path);
      if (!manifest.ok()) continue;
      const core::Value* expires = manifest->Find("expires_us");
      if (expires == nullptr || expires->AsInt64().value_or(INT64_MAX) > now_us) continue;
      CAIRN_RETURN_IF_ERROR(env->RemoveAll(artifact_dir));
      ++removed;
      --left;
    }
    if (left == 0) (void)env->Remove(run_dir);
  }
  return removed;
}

}  // namespace cairn::workflow
