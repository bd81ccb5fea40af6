// actions/cache, actions/cache/restore and actions/cache/save over the local cache store
// (cache_store.h): `key`, `restore-keys` (prefix matches, newest first), `path` (multi-line,
// globs, `~`), the `cache-hit` output (an exact match of `key`), and the post step that saves
// when the key did not hit exactly and the job succeeded (post-if: success()).
//
// One CacheAction serves one step (main and post), on the job's thread.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/path.h"
#include "core/strings.h"
#include "sys/env.h"
#include "workflow/action_support.h"
#include "workflow/cache_store.h"

namespace cairn::workflow {
namespace {

std::vector<std::string> NonEmptyLines(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view line : core::SplitLines(text)) {
    std::string_view t = core::Trim(line);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Status NeedCacheDir(const StepHost& host) {
  if (host.options().dirs.cache.empty()) {
    return core::Status::InvalidArgument(
        "actions/cache: the run has no cache directory (RunDirectories::cache is empty)");
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<bool> RestoreCache(StepHost& host, std::string_view path_text, const std::string& key,
                                const std::vector<std::string>& restore_keys, bool lookup_only,
                                std::string* matched_key) {
  CAIRN_RETURN_IF_ERROR(NeedCacheDir(host));
  matched_key->clear();
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  CacheStore store(*env, host.options().dirs.cache);
  std::string version = CacheVersion(NonEmptyLines(path_text));
  CAIRN_ASSIGN_OR_RETURN(std::optional<CacheEntry> entry, store.Find(key, restore_keys, version));
  if (!entry) {
    std::vector<std::string> keys = {key};
    keys.insert(keys.end(), restore_keys.begin(), restore_keys.end());
    host.Log(LineKind::kOutput, "Cache not found for input keys: " + core::Join(keys, ", "));
    return false;
  }
  *matched_key = entry->key;
  if (lookup_only) {
    host.Log(LineKind::kOutput, "Cache found and can be restored from key: " + entry->key);
  } else {
    CAIRN_RETURN_IF_ERROR(store.Restore(*entry, host.workspace()));
    host.Log(LineKind::kOutput, "Cache restored from key: " + entry->key + " (" +
                                    std::to_string(entry->files.size()) + " files)");
  }
  return entry->key == key;
}

void SaveCache(StepHost& host, std::string_view path_text, const std::string& key) {
  if (!NeedCacheDir(host).ok()) {
    host.Log(LineKind::kAnnotation, "Warning: no cache directory: not saving the cache");
    return;
  }
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  PathPatterns patterns = ParsePathPatterns(path_text, host.workspace(), host.env());
  auto files = MatchFiles(*env, patterns);
  if (!files.ok()) {
    host.Log(LineKind::kAnnotation, "Warning: Failed to save: " + files.status().message());
    return;
  }
  if (files->empty()) {
    host.Log(LineKind::kAnnotation,
             "Warning: Path Validation Error: Path(s) specified in the action for caching "
             "do(es) not exist, hence no cache is being saved.");
    return;
  }
  CacheStore store(*env, host.options().dirs.cache);
  core::Status saved = store.Save(key, CacheVersion(NonEmptyLines(path_text)), *files,
                                  host.workspace(), NowMicros());
  if (saved.IsAlreadyExists()) {
    host.Log(LineKind::kAnnotation, "Warning: Failed to save: Unable to reserve cache with key " +
                                        key + ", another job may be creating this cache.");
  } else if (!saved.ok()) {
    host.Log(LineKind::kAnnotation, "Warning: Failed to save: " + saved.message());
  } else {
    host.Log(LineKind::kOutput,
             "Cache saved with key: " + key + " (" + std::to_string(files->size()) + " files)");
  }
}

namespace {

std::vector<ActionInput> CacheInputs(CacheMode mode) {
  std::vector<ActionInput> inputs = {
      {"path", "", true}, {"key", "", true}, {"enableCrossOsArchive", "false", false}};
  if (mode != CacheMode::kSave) {
    inputs.push_back({"restore-keys", "", false});
    inputs.push_back({"fail-on-cache-miss", "false", false});
    inputs.push_back({"lookup-only", "false", false});
  }
  if (mode != CacheMode::kRestore) inputs.push_back({"upload-chunk-size", "", false});
  if (mode == CacheMode::kRestoreAndSave) inputs.push_back({"save-always", "false", false});
  return inputs;
}

class CacheAction : public Action {
 public:
  explicit CacheAction(CacheMode mode) : mode_(mode) {}

  core::Result<Conclusion> Main(StepHost& host, const InputMap& given) override {
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, MergeInputs(host, CacheInputs(mode_), given));
    key_ = std::string(core::Trim(inputs["key"]));
    if (key_.find(',') != std::string::npos) {
      return core::Status::InvalidArgument("Key Validation Error: " + key_ +
                                           " cannot contain commas.");
    }
    path_ = inputs["path"];
    if (mode_ == CacheMode::kSave) {
      SaveCache(host, path_, key_);
      return Conclusion::kSuccess;
    }
    CAIRN_ASSIGN_OR_RETURN(bool fail_on_miss, BoolInput(inputs, "fail-on-cache-miss"));
    CAIRN_ASSIGN_OR_RETURN(bool lookup_only, BoolInput(inputs, "lookup-only"));
    std::string matched;
    CAIRN_ASSIGN_OR_RETURN(exact_hit_,
                           RestoreCache(host, path_, key_, NonEmptyLines(inputs["restore-keys"]),
                                        lookup_only, &matched));
    host.SetOutput("cache-hit", exact_hit_ ? "true" : "false");
    if (mode_ == CacheMode::kRestore) {
      host.SetOutput("cache-primary-key", key_);
      host.SetOutput("cache-matched-key", matched);
    }
    if (matched.empty() && fail_on_miss) {
      host.Log(LineKind::kAnnotation,
               "Error: Failed to restore cache entry. Exiting as fail-on-cache-miss is set. "
               "Input key: " +
                   key_);
      return Conclusion::kFailure;
    }
    return Conclusion::kSuccess;
  }

  std::optional<std::string> PostIf() const override {
    if (mode_ != CacheMode::kRestoreAndSave) return std::nullopt;
    return std::string("success()");
  }

  core::Result<Conclusion> Post(StepHost& host, const InputMap&) override {
    if (mode_ != CacheMode::kRestoreAndSave || key_.empty()) return Conclusion::kSuccess;
    if (exact_hit_) {
      host.Log(LineKind::kOutput,
               "Cache hit occurred on the primary key " + key_ + ", not saving cache.");
      return Conclusion::kSuccess;
    }
    SaveCache(host, path_, key_);
    return Conclusion::kSuccess;
  }

 private:
  CacheMode mode_;
  std::string key_;
  std::string path_;
  bool exact_hit_ = false;
};

}  // namespace

std::unique_ptr<Action> NewCacheAction(CacheMode mode) {
  return std::make_unique<CacheAction>(mode);
}

}  // namespace cairn::workflow
