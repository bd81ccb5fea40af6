// push, fetch, pull and status --cloud: the cache against a remote BlobStore.
//
// Remote keys mirror the cache: `files/md5/ab/cdef...[.dir]` for 3.x objects, `ab/cdef...` for
// legacy ones. Uploads and downloads run in parallel; every download is hashed as it is
// written and placed in the cache only when the hash matches.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "blob/blob.h"
#include "core/hash.h"
#include "core/path.h"
#include "core/strings.h"
#include "data/ops.h"
#include "data/tree.h"

namespace cairn::data {
namespace {

// One object: its id and whether it lives in the legacy layout.
struct Object {
  std::string md5;
  bool legacy = false;
  friend bool operator<(const Object& a, const Object& b) {
    return std::tie(a.md5, a.legacy) < std::tie(b.md5, b.legacy);
  }
};

std::string KeyOf(const Object& o) {
  std::string rel = o.md5.substr(0, 2) + "/" + o.md5.substr(2);
  return o.legacy ? rel : "files/md5/" + rel;
}

std::string ConfigText(const RemoteConfig& remote, std::string_view key) {
  const ConfigValue* v = remote.Find(key);
  if (v == nullptr) return "";
  return v->is_list ? core::Join(v->items, ",") : v->text;
}

struct OpenRemote {
  std::string name;
  std::string url;
  std::unique_ptr<blob::BlobStore> store;
  bool local = false;
  size_t jobs = 0;
};

core::Result<OpenRemote> Open(Repo& repo, const std::string& requested) {
  std::string name = requested.empty() ? repo.config().default_remote() : requested;
  if (name.empty()) {
    return core::Status::InvalidArgument(
        "no remote specified in the config\n"
        "hint: set a default with `remote default NAME`, or pass -r NAME");
  }
  CAIRN_ASSIGN_OR_RETURN(RemoteConfig remote, repo.config().Remote(name));
  CAIRN_ASSIGN_OR_RETURN(core::Uri uri, core::Uri::Parse(remote.url));
  blob::BlobOptions options;
  options.credentials.access_key_id = ConfigText(remote, "access_key_id");
  options.credentials.secret_access_key = ConfigText(remote, "secret_access_key");
  options.credentials.session_token = ConfigText(remote, "session_token");
  options.profile = ConfigText(remote, "profile");
  options.credentials_file = ConfigText(remote, "credentialpath");
  options.region = ConfigText(remote, "region");
  options.endpoint_url = ConfigText(remote, "endpointurl");
  std::string verify = core::ToLower(ConfigText(remote, "ssl_verify"));
  options.verify_tls = verify != "false";
  OpenRemote out;
  out.name = name;
  out.url = remote.url;
  out.local = uri.scheme.empty() || uri.scheme == "file";
  if (std::optional<int64_t> jobs = core::ParseInt64(ConfigText(remote, "jobs"))) {
    out.jobs = static_cast<size_t>(std::max<int64_t>(*jobs, 1));
  }
  core::Result<std::unique_ptr<blob::BlobStore>> store =
      blob::OpenBlobStore(uri, options, repo.env());
  if (!store.ok()) return store.status().WithContext(fmt::format("remote '{}'", name));
  out.store = std::move(*store);
  return out;
}

// Checks the remote before any transfer, so bad credentials or a wrong URL fail at once.
core::Status Check(OpenRemote& remote) {
  core::Status s = remote.store->Check();
  if (!s.ok()) return s.WithContext(fmt::format("remote '{}' ({})", remote.name, remote.url));
  return s;
}

size_t JobsFor(const TransferOptions& options, const OpenRemote& remote) {
  if (options.jobs > 0) return options.jobs;
  if (remote.jobs > 0) return remote.jobs;
  return 4 * sys::ThreadPool::HardwareThreads();
}

// The objects each output needs: its own id, and a tree's files. A tree object missing
// from the cache is looked for on the remote (read into memory, verified) when `remote`
// is given; its files are then known too.
struct Needed {
  std::vector<Object> files;                         // file objects
  std::map<Object, std::vector<Object>> trees;       // tree object -> its files
  std::map<Object, std::string> tree_bytes;          // trees read from the remote
  std::map<Object, std::vector<std::string>> paths;  // object -> the paths that need it
  std::set<Object> unknown_trees;                    // trees found nowhere
};

core::Result<Needed> Collect(Repo& repo, const std::vector<TrackedOut>& outs,
                             blob::BlobStore* remote) {
  Needed needed;
  std::set<Object> seen;
  auto add_file = [&](Object o, const std::string& path) {
    needed.paths[o].push_back(path);
    if (seen.insert(o).second) needed.files.push_back(std::move(o));
  };
  for (const TrackedOut& out : outs) {
    if (out.entry.md5.empty() || !out.entry.push) continue;
    Object self{out.entry.md5, out.entry.legacy};
    if (!out.entry.is_dir()) {
      add_file(self, out.path);
      continue;
    }
    needed.paths[self].push_back(out.path);
    if (needed.trees.count(self) != 0 || needed.unknown_trees.count(self) != 0) continue;
    core::Result<std::string> bytes = repo.cache().Read(self.md5, self.legacy);
    if (!bytes.ok() && remote != nullptr) {
      std::string fetched;
      core::Status got = remote->Get(KeyOf(self), [&](std::string_view chunk) {
        fetched.append(chunk);
        return core::Status::Ok();
      });
      if (got.ok() && TreeIdOf(fetched) == self.md5) {
        bytes = fetched;
        needed.tree_bytes[self] = fetched;
      }
    }
    if (!bytes.ok()) {
      needed.unknown_trees.insert(self);
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(Tree tree,
                           ParseTree(*bytes, repo.cache().ObjectPath(self.md5, self.legacy)));
    std::vector<Object>& files = needed.trees[self];
    for (const TreeEntry& t : tree.entries) {
      Object o{t.md5, self.legacy};
      files.push_back(o);
      add_file(o, out.path + "/" + t.relpath);
    }
  }
  return needed;
}

// Which of `objects` the remote has: one listing for many, one Stat each for a few.
core::Result<std::set<Object>> OnRemote(blob::BlobStore& store, const std::vector<Object>& objects,
                                        sys::ThreadPool& pool) {
  std::set<Object> have;
  if (objects.size() > 256) {
    std::set<std::string> keys;
    for (std::string_view prefix : {"files/md5/", ""}) {
      bool any_legacy =
          std::any_of(objects.begin(), objects.end(), [](auto& o) { return o.legacy; });
      if (prefix.empty() && !any_legacy) continue;
      CAIRN_ASSIGN_OR_RETURN(std::vector<blob::BlobInfo> listed, store.List(prefix));
      for (blob::BlobInfo& b : listed) keys.insert(std::move(b.key));
    }
    for (const Object& o : objects) {
      if (keys.count(KeyOf(o)) != 0) have.insert(o);
    }
    return have;
  }
  std::mutex mu;
  core::Status first_error;
  pool.ParallelFor(objects.size(), [&](size_t i) {
    core::Result<std::optional<blob::BlobInfo>> info = store.Stat(KeyOf(objects[i]));
    std::lock_guard lock(mu);
    if (!info.ok()) {
      if (first_error.ok()) first_error = info.status();
    } else if (info->has_value()) {
      have.insert(objects[i]);
    }
  });
  CAIRN_RETURN_IF_ERROR(first_error);
  return have;
}

// Runs `work` over `items` on a pool of `jobs` threads, collecting failures by item.
template <typename T, typename Fn>
std::vector<std::pair<T, core::Status>> ForEachParallel(const std::vector<T>& items, size_t jobs,
                                                        Fn work) {
  std::vector<std::pair<T, core::Status>> failures;
  std::mutex mu;
  sys::ThreadPool pool(std::min(jobs, std::max<size_t>(items.size(), 1)));
  pool.ParallelFor(items.size(), [&](size_t i) {
    core::Status s = work(items[i]);
    if (!s.ok()) {
      std::lock_guard lock(mu);
      failures.emplace_back(items[i], std::move(s));
    }
  });
  return failures;
}

std::string Describe(const Needed& needed, const Object& o, const core::Status& why) {
  auto it = needed.paths.find(o);
  std::string path = it == needed.paths.end() || it->second.empty() ? o.md5 : it->second.front();
  return fmt::format("{} ({}): {}", path, o.md5, why.message());
}

}  // namespace

core::Result<TransferResult> Push(Repo& repo, const TransferOptions& options) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  CAIRN_ASSIGN_OR_RETURN(std::vector<TrackedOut> outs, CollectOuts(repo, options.targets));
  CAIRN_ASSIGN_OR_RETURN(OpenRemote remote, Open(repo, options.remote));
  if (remote.local) {
    core::Result<core::Uri> uri = core::Uri::Parse(remote.url);
    CAIRN_RETURN_IF_ERROR(repo.env().CreateDirs(uri.ok() ? uri->DecodedPath() : remote.url));
  }
  CAIRN_RETURN_IF_ERROR(Check(remote));
  CAIRN_ASSIGN_OR_RETURN(Needed needed, Collect(repo, outs, nullptr));

  TransferResult result;
  result.remote = remote.name;
  for (const Object& t : needed.unknown_trees) {
    result.failed.push_back(Describe(needed, t, core::Status::NotFound("not in the cache")));
  }
  std::vector<Object> all = needed.files;
  for (const auto& [tree, files] : needed.trees) all.push_back(tree);
  CAIRN_ASSIGN_OR_RETURN(std::set<Object> have, OnRemote(*remote.store, all, repo.pool()));

  std::vector<Object> files;
  for (const Object& o : needed.files) {
    if (have.count(o) == 0) files.push_back(o);
  }
  std::atomic<size_t> moved{0};
  size_t jobs = JobsFor(options, remote);
  if (options.on_start) options.on_start(files.size() + needed.trees.size());
  auto upload = [&](const Object& o) -> core::Status {
    std::string path = repo.cache().ObjectPath(o.md5, o.legacy);
    if (!repo.env().Exists(path)) return core::Status::NotFound("not in the cache");
    CAIRN_RETURN_IF_ERROR(remote.store->PutFile(KeyOf(o), path));
    ++moved;
    if (options.on_object) options.on_object();
    return core::Status::Ok();
  };
  std::set<Object> failed_files;
  for (auto& [o, why] : ForEachParallel(files, jobs, upload)) {
    failed_files.insert(o);
    result.failed.push_back(Describe(needed, o, why));
  }
  // A tree goes up only when every one of its files is on the remote.
  std::vector<Object> trees;
  for (const auto& [tree, tree_files] : needed.trees) {
    if (have.count(tree) != 0) continue;
    bool complete = std::none_of(tree_files.begin(), tree_files.end(),
                                 [&](const Object& f) { return failed_files.count(f) != 0; });
    if (complete) {
      trees.push_back(tree);
    } else {
      result.failed.push_back(Describe(
          needed, tree,
          core::Status(core::Code::kAborted, "not uploaded: some of its files failed to upload")));
    }
  }
  for (auto& [o, why] : ForEachParallel(trees, jobs, upload))
    result.failed.push_back(Describe(needed, o, why));
  result.transferred = moved;
  return result;
}

core::Result<TransferResult> Fetch(Repo& repo, const TransferOptions& options) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  CAIRN_ASSIGN_OR_RETURN(std::vector<TrackedOut> outs, CollectOuts(repo, options.targets));
  CAIRN_ASSIGN_OR_RETURN(OpenRemote remote, Open(repo, options.remote));
  CAIRN_RETURN_IF_ERROR(Check(remote));
  CAIRN_ASSIGN_OR_RETURN(Needed needed, Collect(repo, outs, remote.store.get()));

  TransferResult result;
  result.remote = remote.name;
  for (const Object& t : needed.unknown_trees) {
    result.failed.push_back(Describe(needed, t, core::Status::NotFound("not on the remote")));
  }
  std::atomic<size_t> moved{0};
  // Trees read from the remote: verified when read, stored now.
  for (const auto& [tree, bytes] : needed.tree_bytes) {
    CAIRN_RETURN_IF_ERROR(repo.cache().AddBytes(tree.md5, bytes, tree.legacy));
    ++moved;
  }
  std::vector<Object> missing;
  for (const Object& o : needed.files) {
    if (!repo.cache().Has(o.md5, o.legacy)) missing.push_back(o);
  }
  if (options.on_start) options.on_start(missing.size());
  auto download = [&](const Object& o) -> core::Status {
    std::string temp = repo.cache().NewTempPath();
    CAIRN_RETURN_IF_ERROR(repo.env().CreateDirs(core::Dirname(temp)));
    CAIRN_ASSIGN_OR_RETURN(
        std::unique_ptr<sys::AtomicFile> file,
        repo.env().OpenAtomic(temp, {.durability = sys::Durability::kRelaxed, .mode = 0444}));
    core::Digest digest(core::Digest::Algorithm::kMd5);
    core::Status got = remote.store->Get(KeyOf(o), [&](std::string_view chunk) {
      digest.Update(chunk);
      return file->Append(chunk);
    });
    if (!got.ok()) return got;  // `file` is dropped with its temporary
    std::string actual = digest.FinishHex();
    if (!o.legacy && actual != o.md5) {
      return core::Status::Corruption(fmt::format(
          "the remote's object is corrupt: its bytes hash to {}; it was not placed in the cache",
          actual));
    }
    CAIRN_RETURN_IF_ERROR(file->Commit());
    // Legacy objects hash with the dos2unix rule: InstallTemp checks them that way.
    core::Status placed = o.legacy ? repo.cache().InstallTemp(temp, o.md5, true)
                                   : repo.cache().AdoptTemp(temp, o.md5, false);
    if (!placed.ok()) return placed;
    ++moved;
    if (options.on_object) options.on_object();
    return core::Status::Ok();
  };
  for (auto& [o, why] : ForEachParallel(missing, JobsFor(options, remote), download)) {
    result.failed.push_back(Describe(needed, o, why));
  }
  result.transferred = moved;
  return result;
}

core::Result<TransferResult> Pull(Repo& repo, const TransferOptions& options, bool force) {
  CAIRN_ASSIGN_OR_RETURN(TransferResult result, Fetch(repo, options));
  if (!result.failed.empty()) return result;  // a partial pull checks nothing out
  CAIRN_ASSIGN_OR_RETURN(result.checkout, Checkout(repo, options.targets, force));
  return result;
}

core::Result<CloudStatus> StatusCloud(Repo& repo, const TransferOptions& options) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  CAIRN_ASSIGN_OR_RETURN(std::vector<TrackedOut> outs, CollectOuts(repo, options.targets));
  CAIRN_ASSIGN_OR_RETURN(OpenRemote remote, Open(repo, options.remote));
  CAIRN_RETURN_IF_ERROR(Check(remote));
  CAIRN_ASSIGN_OR_RETURN(Needed needed, Collect(repo, outs, remote.store.get()));
  std::vector<Object> all = needed.files;
  for (const auto& [tree, files] : needed.trees) all.push_back(tree);
  for (const Object& t : needed.unknown_trees) all.push_back(t);
  CAIRN_ASSIGN_OR_RETURN(std::set<Object> have, OnRemote(*remote.store, all, repo.pool()));

  CloudStatus status;
  status.remote = remote.name;
  std::vector<std::pair<std::string, std::string>> deleted, added, missing;
  std::set<std::string> listed;
  for (const Object& o : all) {
    bool local = repo.cache().Has(o.md5, o.legacy) && needed.tree_bytes.count(o) == 0;
    bool there = have.count(o) != 0;
    if (local && there) continue;
    auto& group = local ? added : (there ? deleted : missing);
    std::string state = local ? "new" : (there ? "deleted" : "missing");
    for (const std::string& path : needed.paths[o]) {
      if (listed.insert(path).second) group.emplace_back(path, state);
    }
  }
  for (auto* group : {&deleted, &added, &missing}) {
    status.changes.insert(status.changes.end(), group->begin(), group->end());
  }
  return status;
}

}  // namespace cairn::data
