// event: building an Event from options, an optional payload file and the git repository.
#include "workflow/event.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "sys/git.h"

namespace cairn::workflow {
namespace {

using core::Result;
using core::Status;
using core::Value;

std::string Short(std::string_view sha) { return std::string(sha.substr(0, 7)); }

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// The string at payload.k1.k2..., or "" when any part is missing or not a string/number.
std::string PayloadString(const Value& payload, std::initializer_list<std::string_view> keys) {
  const Value* v = &payload;
  for (std::string_view k : keys) {
    v = v->Find(k);
    if (v == nullptr) return "";
  }
  if (v->is_string()) return v->AsString();
  if (v->is_number()) return v->raw();
  return "";
}

// "refs/..." as is; a name that is a branch → refs/heads/<name>; a tag → refs/tags/<name>;
// otherwise refs/heads/<name>.
std::string FullRef(const sys::GitRepo& repo, std::string_view name) {
  if (name.substr(0, 5) == "refs/") return std::string(name);
  const std::string branch = "refs/heads/" + std::string(name);
  if (repo.ResolveCommit(branch).ok()) return branch;
  const std::string tag = "refs/tags/" + std::string(name);
  if (repo.ResolveCommit(tag).ok()) return tag;
  return branch;
}

// A branch name's commit: refs/heads/<name> first, then <name> as any revision.
Result<std::string> BranchCommit(const sys::GitRepo& repo, std::string_view name) {
  auto sha = repo.ResolveCommit("refs/heads/" + std::string(name));
  if (sha.ok()) return sha;
  return repo.ResolveCommit(name);
}

Value RepositoryValue(const sys::GitRepo& repo, const sys::GitHead& head) {
  std::string root = repo.is_bare() ? repo.git_dir() : repo.work_tree();
  std::string name = root.substr(root.find_last_of('/') + 1);
  Value r = Value::Mapping();
  r.AppendMember("name", Value::String(name));
  r.AppendMember("full_name", Value::String("local/" + name));
  r.AppendMember("default_branch", Value::String(head.branch.empty() ? "main" : head.branch));
  return r;
}

Result<std::string> CurrentRef(const sys::GitHead& head) {
  if (head.detached()) {
    return Status::InvalidArgument(
        "HEAD is detached: pass --ref refs/heads/<branch> (or refs/tags/<tag>) to say which ref "
        "the event is for");
  }
  return head.ref;
}

Status BuildPush(const EventOptions& o, const sys::GitRepo& repo, const sys::GitHead& head,
                 const Value* file, Event& e) {
  if (!o.ref.empty()) {
    e.ref = FullRef(repo, o.ref);
  } else if (file != nullptr && !PayloadString(*file, {"ref"}).empty()) {
    e.ref = PayloadString(*file, {"ref"});
  } else {
    CAIRN_ASSIGN_OR_RETURN(e.ref, CurrentRef(head));
  }
  bool sha_known = true;
  if (!o.sha.empty()) {
    auto sha = repo.ResolveCommit(o.sha);
    if (!sha.ok()) return Status::InvalidArgument("--sha: " + sha.status().message());
    e.sha = *sha;
  } else if (file != nullptr && !PayloadString(*file, {"after"}).empty()) {
    e.sha = PayloadString(*file, {"after"});
    auto sha = repo.ResolveCommit(e.sha);
    sha_known = sha.ok();
    if (sha_known) e.sha = *sha;
  } else {
    auto sha = repo.ResolveCommit(e.ref);
    if (!sha.ok()) {
      return Status::InvalidArgument("--ref " + e.ref + ": " + sha.status().message());
    }
    e.sha = *sha;
  }
  if (!o.before.empty()) {
    if (sys::IsGitZeroSha(o.before)) {
      e.before = o.before;
    } else {
      auto before = repo.ResolveCommit(o.before);
      if (!before.ok()) return Status::InvalidArgument("--before: " + before.status().message());
      e.before = *before;
    }
  } else if (file != nullptr && !PayloadString(*file, {"before"}).empty()) {
    e.before = PayloadString(*file, {"before"});
  } else if (sha_known) {
    auto parent = repo.ResolveCommit(e.sha + "^");
    e.before = parent.ok() ? *parent : std::string(sys::kGitZeroSha);
  } else {
    e.before = std::string(sys::kGitZeroSha);
  }
  if (!sha_known) {
    e.changed_paths_from =
        "unknown: the payload's commit " + Short(e.sha) + " is not in this repository";
    return Status::Ok();
  }
  auto changed = repo.ChangedPaths(e.before, e.sha);
  if (!changed.ok()) {
    e.changed_paths_from = "unknown: " + changed.status().message();
    return Status::Ok();
  }
  e.changed_paths = std::move(changed).value();
  e.changed_paths_known = true;
  e.changed_paths_from =
      sys::IsGitZeroSha(e.before)
          ? "every file of " + Short(e.sha) + " (a new branch or tag, or a root commit)"
          : "git diff " + Short(e.before) + ".." + Short(e.sha) + " (push)";
  return Status::Ok();
}

Status BuildPullRequest(const EventOptions& o, const sys::GitRepo& repo, const sys::GitHead& head,
                        const Value* file, Event& e) {
  const Value empty;
  const Value& p = file != nullptr ? *file : empty;
  bool base_from_option = !o.base.empty(), head_from_option = !o.head.empty();
  e.base_ref = o.base;
  if (e.base_ref.empty()) e.base_ref = PayloadString(p, {"pull_request", "base", "ref"});
  if (e.base_ref.empty()) {
    for (const char* candidate : {"main", "master"}) {
      if (repo.ResolveCommit("refs/heads/" + std::string(candidate)).ok()) {
        e.base_ref = candidate;
        break;
      }
    }
    if (e.base_ref.empty()) {
      return Status::InvalidArgument(
          "--base: no base branch given and the repository has no main or master branch: pass "
          "--base <branch>");
    }
  }
  e.head_ref = o.head;
  if (e.head_ref.empty()) e.head_ref = PayloadString(p, {"pull_request", "head", "ref"});
  if (e.head_ref.empty()) {
    if (head.detached()) {
      return Status::InvalidArgument("--head: HEAD is detached: pass --head <branch>");
    }
    e.head_ref = head.branch;
  }
  constexpr std::string_view kHeads = "refs/heads/";
  if (e.base_ref.rfind(kHeads, 0) == 0) e.base_ref.erase(0, kHeads.size());
  if (e.head_ref.rfind(kHeads, 0) == 0) e.head_ref.erase(0, kHeads.size());
  e.number = o.number;
  if (e.number == 0) {
    std::string n = PayloadString(p, {"number"});
    if (n.empty()) n = PayloadString(p, {"pull_request", "number"});
    e.number = n.empty() ? 1 : std::atoll(n.c_str());
  }
  e.action = !o.action.empty()                       ? o.action
             : !PayloadString(p, {"action"}).empty() ? PayloadString(p, {"action"})
                                                     : "synchronize";
  e.ref = "refs/pull/" + std::to_string(e.number) + "/merge";

  auto base_sha = BranchCommit(repo, e.base_ref);
  if (!base_sha.ok() && base_from_option) {
    return Status::InvalidArgument("--base " + e.base_ref + ": " + base_sha.status().message());
  }
  auto head_sha = BranchCommit(repo, e.head_ref);
  if (!head_sha.ok() && head_from_option) {
    return Status::InvalidArgument("--head " + e.head_ref + ": " + head_sha.status().message());
  }
  e.base_sha = base_sha.ok() ? *base_sha : PayloadString(p, {"pull_request", "base", "sha"});
  e.head_sha = head_sha.ok() ? *head_sha : PayloadString(p, {"pull_request", "head", "sha"});
  if (!base_sha.ok() || !head_sha.ok()) {
    // A payload naming branches this repository does not have: run on HEAD, paths unknown.
    e.sha = head.sha;
    e.changed_paths_from = "unknown: branch " + Quote(!base_sha.ok() ? e.base_ref : e.head_ref) +
                           " of the pull request is not in this repository";
    return Status::Ok();
  }
  auto merge = repo.CreateMergeCommit(*base_sha, *head_sha,
                                      "Merge " + *head_sha + " into " + *base_sha +
                                          " (pull request #" + std::to_string(e.number) + ": " +
                                          e.head_ref + " into " + e.base_ref + ")\n");
  if (!merge.ok()) {
    return Status(merge.status().code(), "pull request " + e.head_ref + " into " + e.base_ref +
                                             ": " + merge.status().message());
  }
  e.sha = *merge;
  auto merge_base = repo.MergeBase(*base_sha, *head_sha);
  std::string from = merge_base.ok() ? *merge_base : std::string(sys::kGitZeroSha);
  auto changed = repo.ChangedPaths(from, *head_sha);
  if (!changed.ok()) {
    e.changed_paths_from = "unknown: " + changed.status().message();
    return Status::Ok();
  }
  e.changed_paths = std::move(changed).value();
  e.changed_paths_known = true;
  e.changed_paths_from = "git diff merge-base(" + e.base_ref + ", " + e.head_ref + ").." +
                         e.head_ref + " (" + Short(from) + ".." + Short(*head_sha) +
                         ", pull request)";
  return Status::Ok();
}

Status BuildOther(const EventOptions& o, const sys::GitRepo& repo, const sys::GitHead& head,
                  const Value* file, Event& e) {
  if (!o.ref.empty()) {
    e.ref = FullRef(repo, o.ref);
  } else if (file != nullptr && !PayloadString(*file, {"ref"}).empty()) {
    e.ref = FullRef(repo, PayloadString(*file, {"ref"}));
  } else {
    CAIRN_ASSIGN_OR_RETURN(e.ref, CurrentRef(head));
  }
  if (!o.sha.empty()) {
    auto sha = repo.ResolveCommit(o.sha);
    if (!sha.ok()) return Status::InvalidArgument("--sha: " + sha.status().message());
    e.sha = *sha;
  } else {
    auto sha = repo.ResolveCommit(e.ref);
    if (!sha.ok()) {
      return Status::InvalidArgument("--ref " + e.ref + ": " + sha.status().message());
    }
    e.sha = *sha;
  }
  if (!o.action.empty()) {
    e.action = o.action;
  } else if (file != nullptr) {
    e.action = PayloadString(*file, {"action"});
  }
  e.changed_paths_from = "not applicable to " + e.name + " events";
  return Status::Ok();
}

Result<Value> ReadPayload(std::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) return Status::NotFound("--event-path: cannot read " + Quote(path));
  std::stringstream text;
  text << in.rdbuf();
  auto payload = core::ParseJson(text.str(), path);
  if (!payload.ok()) return Status::InvalidArgument("--event-path: " + payload.status().message());
  if (!payload->is_mapping()) {
    return Status::InvalidArgument("--event-path " + std::string(path) +
                                   ": expected a JSON object (the event payload), got " +
                                   std::string(core::KindPhrase(payload->kind())));
  }
  return payload;
}

}  // namespace

bool Event::IsBranch() const { return ref.rfind("refs/heads/", 0) == 0; }
bool Event::IsTag() const { return ref.rfind("refs/tags/", 0) == 0; }

std::string Event::RefName() const {
  if (IsBranch()) return ref.substr(11);
  if (IsTag()) return ref.substr(10);
  return ref;
}

Result<Event> BuildEvent(const EventOptions& options, std::string_view repo_path) {
  if (options.name.empty()) return Status::InvalidArgument("--event: expected an event name");
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::GitRepo> repo, sys::GitRepo::Open(repo_path));
  CAIRN_ASSIGN_OR_RETURN(sys::GitHead head, repo->Head());
  Value file_payload;
  const Value* file = nullptr;
  if (!options.event_path.empty()) {
    CAIRN_ASSIGN_OR_RETURN(file_payload, ReadPayload(options.event_path));
    file = &file_payload;
  }
  Event e;
  e.name = options.name;
  const bool is_pr = e.name == "pull_request" || e.name == "pull_request_target";
  if (is_pr) {
    CAIRN_RETURN_IF_ERROR(BuildPullRequest(options, *repo, head, file, e));
  } else if (e.name == "push") {
    CAIRN_RETURN_IF_ERROR(BuildPush(options, *repo, head, file, e));
  } else {
    CAIRN_RETURN_IF_ERROR(BuildOther(options, *repo, head, file, e));
  }

  for (const std::string& kv : options.inputs) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--input " + Quote(kv) + ": expected name=value");
    }
    e.inputs.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (file != nullptr) {
    if (const Value* inputs = file->Find("inputs"); inputs != nullptr && inputs->is_mapping()) {
      for (const core::Member& m : inputs->members()) {
        bool given = std::any_of(e.inputs.begin(), e.inputs.end(),
                                 [&](const auto& kv) { return kv.first == m.key; });
        if (!given && m.value.is_scalar()) {
          e.inputs.emplace_back(m.key, m.value.is_string() ? m.value.AsString() : m.value.raw());
        }
      }
    }
  }

  if (options.changed_files_given) {
    e.changed_paths = options.changed_files;
    std::sort(e.changed_paths.begin(), e.changed_paths.end());
    e.changed_paths.erase(std::unique(e.changed_paths.begin(), e.changed_paths.end()),
                          e.changed_paths.end());
    e.changed_paths_known = true;
    e.changed_paths_from = "--changed-files";
  }

  if (file != nullptr) {
    e.payload = std::move(file_payload);
    return e;
  }
  Value p = Value::Mapping();
  if (e.name == "push") {
    p.AppendMember("ref", Value::String(e.ref));
    p.AppendMember("before", Value::String(e.before));
    p.AppendMember("after", Value::String(e.sha));
    p.AppendMember("created", Value::Bool(sys::IsGitZeroSha(e.before)));
    p.AppendMember("deleted", Value::Bool(false));
    p.AppendMember("forced", Value::Bool(false));
    p.AppendMember("base_ref", Value::Null());
    Value commit = Value::Mapping();
    commit.AppendMember("id", Value::String(e.sha));
    p.AppendMember("head_commit", std::move(commit));
  } else if (is_pr) {
    p.AppendMember("action", Value::String(e.action));
    p.AppendMember("number", Value::Int(e.number));
    Value pr = Value::Mapping();
    pr.AppendMember("number", Value::Int(e.number));
    pr.AppendMember("state", Value::String("open"));
    pr.AppendMember("merged", Value::Bool(false));
    Value head_v = Value::Mapping();
    head_v.AppendMember("ref", Value::String(e.head_ref));
    head_v.AppendMember("sha", Value::String(e.head_sha));
    pr.AppendMember("head", std::move(head_v));
    Value base_v = Value::Mapping();
    base_v.AppendMember("ref", Value::String(e.base_ref));
    base_v.AppendMember("sha", Value::String(e.base_sha));
    pr.AppendMember("base", std::move(base_v));
    p.AppendMember("pull_request", std::move(pr));
  } else if (e.name == "workflow_dispatch") {
    Value inputs = Value::Mapping();
    for (const auto& [k, v] : e.inputs) inputs.Set(k, Value::String(v));
    p.AppendMember("inputs", std::move(inputs));
    p.AppendMember("ref", Value::String(e.ref));
  } else if (!e.action.empty()) {
    p.AppendMember("action", Value::String(e.action));
  }
  p.AppendMember("repository", RepositoryValue(*repo, head));
  e.payload = std::move(p);
  return e;
}

}  // namespace cairn::workflow
