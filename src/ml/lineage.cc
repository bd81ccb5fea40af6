// Lineage tags: where a run or a model version came from (the runner's environment, else git).
// Thread-compatible.
#include <algorithm>
#include <memory>

#include "ml/ml.h"
#include "sys/git.h"
#include "sys/hash_file.h"

namespace cairn::ml {
namespace {

std::string Var(sys::Env& env, std::string_view name) {
  std::optional<std::string> value = env.GetVar(name);
  return value ? *value : "";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> LineageTags(sys::Env& env, std::string_view cwd) {
  std::string sha = Var(env, "GITHUB_SHA");
  std::string ref = Var(env, "GITHUB_REF");
  // A pull request's branch is its head branch; GITHUB_REF_NAME is then "1/merge".
  std::string branch = Var(env, "GITHUB_HEAD_REF");
  if (branch.empty() && ref.starts_with("refs/heads/")) branch = ref.substr(11);
  if (sha.empty() || branch.empty()) {
    core::Result<std::unique_ptr<sys::GitRepo>> repo = sys::GitRepo::Open(cwd);
    if (repo.ok()) {
      core::Result<sys::GitHead> head = (*repo)->Head();
      if (head.ok()) {
        if (sha.empty()) sha = head->sha;
        if (branch.empty() && ref.empty()) branch = head->branch;
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> tags;
  auto add = [&](std::string key, std::string value) {
    if (!value.empty()) tags.emplace_back(std::move(key), std::move(value));
  };
  add("mlflow.source.git.commit", sha);
  add("mlflow.source.git.branch", branch);
  add("github.sha", Var(env, "GITHUB_SHA"));
  add("github.ref", ref);
  add("github.run_id", Var(env, "GITHUB_RUN_ID"));
  add("github.workflow", Var(env, "GITHUB_WORKFLOW"));
  std::sort(tags.begin(), tags.end());
  return tags;
}

Result<std::string> DataMd5(sys::Env& env, std::string_view path) {
  return sys::HashFile(env, path);
}

}  // namespace cairn::ml
