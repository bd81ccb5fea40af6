#include "data/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "core/path.h"
#include "dag/dag.h"
#include "data/ignore.h"
#include "data/params.h"
#include "data/workspace.h"
#include "sys/subprocess.h"

namespace cairn::data {
namespace {

const Entry* FindEntry(const std::vector<Entry>& entries, std::string_view path) {
  std::string want = core::NormalizePath(path);
  for (const Entry& e : entries) {
    if (e.path == path || core::NormalizePath(e.path) == want) return &e;
  }
  return nullptr;
}

std::string LockPathOf(std::string_view dvcyaml) {
  return core::NormalizePath(core::JoinPath(core::Dirname(dvcyaml), "dvc.lock"));
}

// The values dvc.lock recorded for one params file, as name/value pairs.
ParamValues LockedValues(const LockStage* locked, std::string_view file) {
  ParamValues out;
  if (locked == nullptr) return out;
  const LockParams* params = locked->FindParams(file);
  if (params == nullptr || !params->values.is_mapping()) return out;
  for (const core::Member& m : params->values.members()) out.emplace_back(m.key, m.value);
  return out;
}

std::string ParamsFileRepoPath(const PipelineStage& stage, std::string_view file) {
  std::string wdir = stage.repo_wdir == "." ? "" : stage.repo_wdir;
  return core::NormalizePath(core::JoinPath(wdir, file));
}

}  // namespace

core::Result<std::vector<Pipeline>> LoadPipelines(Repo& repo, const Repo::StageFiles& files) {
  std::vector<Pipeline> out;
  std::vector<OutputClaim> claims;
  for (const auto& [path, file] : files.dvc_files) {
    for (const Entry& o : file.outs) {
      claims.push_back(OutputClaim{OutPath(path, file.wdir, o.path), path, core::Location()});
    }
  }
  for (const std::string& dvcyaml : files.pipelines) {
    Pipeline p;
    p.dvcyaml = dvcyaml;
    p.lock_path = LockPathOf(dvcyaml);
    CAIRN_ASSIGN_OR_RETURN(std::string text, repo.env().ReadFile(repo.Abs(dvcyaml)));
    std::string dir(core::Dirname(dvcyaml));
    PipelineContext ctx = PipelineContextFromEnv(repo.env(), repo.root(), dir);
    CAIRN_ASSIGN_OR_RETURN(p.file, ParsePipelineFile(text, repo.Display(dvcyaml), ctx));
    core::Result<std::string> lock_text = repo.env().ReadFile(repo.Abs(p.lock_path));
    if (lock_text.ok()) {
      CAIRN_ASSIGN_OR_RETURN(p.lock, ParseLockFile(*lock_text, repo.Display(p.lock_path)));
      p.lock_exists = true;
    } else if (!lock_text.status().IsNotFound()) {
      return lock_text.status();
    }
    std::vector<OutputClaim> mine = OutputClaims(p.file, dvcyaml);
    claims.insert(claims.end(), mine.begin(), mine.end());
    out.push_back(std::move(p));
  }
  CAIRN_RETURN_IF_ERROR(CheckOutputConflicts(claims));
  return out;
}

core::Result<StageStatus> PipelineStageStatus(Repo& repo, WorkspaceHasher& hasher,
                                              const Pipeline& pipeline,
                                              const PipelineStage& stage) {
  StageStatus status;
  status.name = StageAddress(pipeline.dvcyaml, stage.name);
  const LockStage* locked = pipeline.lock.FindStage(stage.name);
  auto state_of = [&](const std::string& repo_path, const Entry* recorded,
                      bool check_cache) -> core::Result<std::string> {
    if (recorded != nullptr) return EntryState(repo, hasher, repo_path, *recorded, check_cache);
    // Nothing recorded: DVC reports an existing path as modified, a missing one as deleted.
    Entry none;
    CAIRN_ASSIGN_OR_RETURN(std::string state, EntryState(repo, hasher, repo_path, none, false));
    return state == "new" ? std::string("modified") : state;
  };
  if (!stage.frozen) {
    for (const StagePath& dep : stage.deps) {
      const Entry* recorded = locked != nullptr ? FindEntry(locked->deps, dep.path) : nullptr;
      CAIRN_ASSIGN_OR_RETURN(std::string state, state_of(dep.repo_path, recorded, false));
      if (!state.empty()) status.changed_deps.push_back(PathChange{dep.path, state, {}});
    }
    for (const ParamsDeclaration& decl : stage.ParamsDeclarations()) {
      core::Result<core::Value> workspace =
          LoadParamsFile(repo.env(), repo.Abs(ParamsFileRepoPath(stage, decl.file)));
      if (!workspace.ok()) {
        if (!workspace.status().IsNotFound()) return workspace.status();
        status.changed_deps.push_back(PathChange{decl.file, "deleted", {}});
        continue;
      }
      PathChange change{decl.file, "", {}};
      for (const ParamStatus& p :
           CompareParams(decl, LockedValues(locked, decl.file), *workspace)) {
        change.params.emplace_back(p.name, std::string(ParamChangeName(p.change)));
      }
      if (!change.params.empty()) status.changed_deps.push_back(std::move(change));
    }
  }
  for (const PipelineOutput& out : stage.outs) {
    const Entry* recorded = locked != nullptr ? FindEntry(locked->outs, out.path) : nullptr;
    CAIRN_ASSIGN_OR_RETURN(std::string state, state_of(out.repo_path, recorded, out.cache));
    if (!state.empty()) status.changed_outs.push_back(PathChange{out.path, state, {}});
  }
  status.always_changed = stage.always_changed || (stage.deps.empty() && stage.outs.empty());
  if (locked != nullptr && (locked->cmd != stage.cmd || locked->cmd_is_list != stage.cmd_is_list)) {
    status.changed_command = true;
  }
  if (locked == nullptr && status.changed_deps.empty() && status.changed_outs.empty()) {
    status.changed_command = true;  // never run: there is nothing to compare the command with
  }
  return status;
}

// ---------------------------------------------------------------------------------------------
// repro

namespace {

struct Node {
  Pipeline* pipeline = nullptr;          // null for a .dvc file
  const PipelineStage* stage = nullptr;  // null for a .dvc file
  std::string address;                   // "train", "sub/dvc.yaml:train", or "a.txt.dvc"
  std::vector<std::string> outs;         // repo paths
  std::vector<std::string> deps;         // repo paths
};

class Reproducer {
 public:
  Reproducer(Repo& repo, const ReproOptions& options, const ReproEvents& events)
      : repo_(repo),
        options_(options),
        events_(events),
        hasher_(repo.env(), repo.state(), repo.pool(), repo.root()) {}

  core::Result<ReproResult> Run() {
    CAIRN_ASSIGN_OR_RETURN(Repo::StageFiles files, repo_.FindStageFiles());
    CAIRN_ASSIGN_OR_RETURN(pipelines_, LoadPipelines(repo_, files));
    BuildNodes(files);
    CAIRN_ASSIGN_OR_RETURN(std::vector<size_t> selected, Select());
    dag::Graph graph;
    for (size_t i : selected) CAIRN_RETURN_IF_ERROR(graph.AddNode(nodes_[i].address).status());
    for (size_t i : selected) {
      for (size_t j : selected) {
        if (i != j && Needs(nodes_[i], nodes_[j])) {
          CAIRN_RETURN_IF_ERROR(graph.AddEdge(nodes_[j].address, nodes_[i].address));
        }
      }
    }
    CAIRN_ASSIGN_OR_RETURN(dag::Plan plan, dag::Plan::Create(graph));
    std::map<std::string, size_t> by_address;
    for (size_t i : selected) by_address[nodes_[i].address] = i;
    dag::ExecuteOptions exec;
    exec.parallelism = std::max<size_t>(options_.jobs, 1);
    exec.fail_fast = true;
    CAIRN_RETURN_IF_ERROR(dag::Execute(
        plan, exec, [&](dag::NodeId id) { return RunNode(nodes_[by_address[graph.name(id)]]); }));
    CAIRN_RETURN_IF_ERROR(repo_.SaveState());
    for (dag::NodeId id = 0; id < graph.size(); ++id) {
      const dag::NodeResult* r = plan.result(id);
      if (r != nullptr && r->outcome == dag::Outcome::kFailed) {
        return core::Status(core::Code::kAborted,
                            fmt::format("failed to reproduce '{}': {}", graph.name(id), r->reason));
      }
    }
    std::sort(result_.git_files.begin(), result_.git_files.end());
    result_.git_files.erase(std::unique(result_.git_files.begin(), result_.git_files.end()),
                            result_.git_files.end());
    return std::move(result_);
  }

 private:
  void BuildNodes(const Repo::StageFiles& files) {
    for (Pipeline& p : pipelines_) {
      for (const PipelineStage& s : p.file.stages) {
        Node n{&p, &s, StageAddress(p.dvcyaml, s.name), {}, {}};
        for (const PipelineOutput& o : s.outs) n.outs.push_back(o.repo_path);
        for (const StagePath& d : s.deps) n.deps.push_back(d.repo_path);
        nodes_.push_back(std::move(n));
      }
    }
    for (const auto& [path, file] : files.dvc_files) {
      Node n{nullptr, nullptr, path, {}, {}};
      for (const Entry& o : file.outs) n.outs.push_back(OutPath(path, file.wdir, o.path));
      nodes_.push_back(std::move(n));
    }
  }

  // True when `a` has a dep that `b` produces (at, under or above one of b's outputs).
  static bool Needs(const Node& a, const Node& b) {
    for (const std::string& d : a.deps) {
      for (const std::string& o : b.outs) {
        if (core::PathIsWithin(d, o) || core::PathIsWithin(o, d)) return true;
      }
    }
    return false;
  }

  // The targets' nodes and everything upstream of them; every pipeline stage without targets.
  core::Result<std::vector<size_t>> Select() {
    std::vector<bool> chosen(nodes_.size(), false);
    std::vector<size_t> todo;
    if (options_.targets.empty()) {
      for (size_t i = 0; i < nodes_.size(); ++i) {
        if (nodes_[i].stage != nullptr) todo.push_back(i);
      }
    }
    for (const std::string& target : options_.targets) {
      bool found = false;
      core::Result<std::string> as_path = repo_.RepoPath(target);
      for (size_t i = 0; i < nodes_.size(); ++i) {
        const Node& n = nodes_[i];
        bool match = n.address == target ||
                     (as_path.ok() && n.pipeline != nullptr && n.pipeline->dvcyaml == *as_path) ||
                     (as_path.ok() && n.pipeline == nullptr && n.address == *as_path) ||
                     (n.pipeline != nullptr && n.pipeline->dvcyaml != "dvc.yaml" && as_path.ok() &&
                      n.address == *as_path);
        if (match) {
          todo.push_back(i);
          found = true;
        }
      }
      if (!found) {
        return core::Status::NotFound(fmt::format(
            "'{}' does not exist as a stage name in any dvc.yaml, nor as a dvc.yaml or .dvc file",
            target));
      }
    }
    while (!todo.empty()) {
      size_t i = todo.back();
      todo.pop_back();
      if (chosen[i]) continue;
      chosen[i] = true;
      for (size_t j = 0; j < nodes_.size(); ++j) {
        if (!chosen[j] && j != i && Needs(nodes_[i], nodes_[j])) todo.push_back(j);
      }
    }
    std::vector<size_t> out;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (chosen[i]) out.push_back(i);
    }
    return out;
  }

  void Say(std::string_view line) {
    std::lock_guard lock(say_mu_);
    if (events_.message) events_.message(line);
  }

  dag::NodeResult Fail(std::string reason) {
    return dag::NodeResult{dag::Outcome::kFailed, std::move(reason)};
  }

  dag::NodeResult RunNode(const Node& node) {
    if (node.stage == nullptr) {  // a .dvc file: data, not a command
      Say(fmt::format("'{}' didn't change, skipping", repo_.Display(node.address)));
      return dag::NodeResult{dag::Outcome::kSucceeded, "data source"};
    }
    const PipelineStage& stage = *node.stage;
    if (stage.frozen && !options_.force) {
      Say(fmt::format("Stage '{}' is frozen. Its dependencies are not going to be reproduced.",
                      node.address));
      return dag::NodeResult{dag::Outcome::kSucceeded, "frozen"};
    }
    if (!options_.force) {
      core::Result<StageStatus> status = PipelineStageStatus(repo_, hasher_, *node.pipeline, stage);
      if (!status.ok()) return Fail(status.status().message());
      if (!status->changed()) {
        Say(fmt::format("Stage '{}' didn't change, skipping", node.address));
        return dag::NodeResult{dag::Outcome::kSucceeded, "unchanged"};
      }
    }
    core::Status ran = RunStage(*node.pipeline, stage, node.address);
    if (!ran.ok()) return Fail(ran.message());
    return dag::NodeResult{dag::Outcome::kSucceeded, "ran"};
  }

  core::Status RunStage(Pipeline& pipeline, const PipelineStage& stage,
                        const std::string& address) {
    for (const StagePath& dep : stage.deps) {
      if (!repo_.env().Exists(repo_.Abs(dep.repo_path))) {
        return core::Status::NotFound(
            fmt::format("missing dependency '{}' of stage '{}'", dep.path, address));
      }
    }
    {
      std::lock_guard lock(say_mu_);
      if (ran_any_ && events_.message) events_.message("");
      ran_any_ = true;
      if (events_.message) events_.message(fmt::format("Running stage '{}':", address));
    }
    for (const PipelineOutput& out : stage.outs) {
      if (!out.persist) CAIRN_RETURN_IF_ERROR(repo_.env().RemoveAll(repo_.Abs(out.repo_path)));
    }
    std::string shell = repo_.env().GetVar("SHELL").value_or("/bin/sh");
    if (shell.empty()) shell = "/bin/sh";
    std::vector<std::string> env;
    for (const auto& [k, v] : repo_.env().Vars()) {
      if (k != "DVC_ROOT" && k != "DVC_STAGE") env.push_back(k + "=" + v);
    }
    env.push_back("DVC_ROOT=" + repo_.root());
    env.push_back("DVC_STAGE=" + address);
    for (const std::string& cmd : stage.cmd) {
      Say("> " + cmd);
      sys::SubprocessOptions run;
      run.argv = {shell, "-c", cmd};
      run.env = env;
      run.cwd = repo_.Abs(stage.repo_wdir);
      auto line = [this](bool is_stderr) {
        return [this, is_stderr](std::string_view l) {
          if (events_.output) events_.output(l, is_stderr);
        };
      };
      CAIRN_ASSIGN_OR_RETURN(sys::ExitStatus exit, sys::Run(run, line(false), line(true)));
      if (!exit.ok()) {
        return core::Status(core::Code::kAborted,
                            fmt::format("failed to run: {}, {}", cmd, exit.ToString()));
      }
    }
    return RecordStage(pipeline, stage);
  }

  // Hashes what the stage used and made, caches its outputs, writes dvc.lock atomically.
  core::Status RecordStage(Pipeline& pipeline, const PipelineStage& stage) {
    LockStage locked;
    locked.name = stage.name;
    locked.cmd = stage.cmd;
    locked.cmd_is_list = stage.cmd_is_list;
    auto entry = [&](const std::string& path, const std::string& repo_path, bool cache,
                     const char* what) -> core::Result<Entry> {
      HashOptions options;
      if (cache) options.cache = &repo_.cache();
      options.skip = [this, repo_path](std::string_view sub, bool is_dir) {
        return repo_.Ignored(repo_path + "/" + std::string(sub), is_dir);
      };
      CAIRN_ASSIGN_OR_RETURN(std::optional<PathHash> h, hasher_.Hash(repo_path, options));
      if (!h) {
        return core::Status::NotFound(fmt::format("{} '{}' does not exist", what, path));
      }
      return h->is_dir ? Entry::Directory(path, h->md5, h->size, h->nfiles)
                       : Entry::File(path, h->md5, h->size, h->isexec);
    };
    for (const StagePath& dep : stage.deps) {
      CAIRN_ASSIGN_OR_RETURN(Entry e, entry(dep.path, dep.repo_path, false, "dependency"));
      locked.deps.push_back(std::move(e));
    }
    for (const ParamsDeclaration& decl : stage.ParamsDeclarations()) {
      CAIRN_ASSIGN_OR_RETURN(
          core::Value workspace,
          LoadParamsFile(repo_.env(), repo_.Abs(ParamsFileRepoPath(stage, decl.file))));
      LockParams params;
      params.path = decl.file;
      for (auto& [name, value] : ReadParamValues(workspace, decl)) {
        params.values.Set(name, LockParamValue(value));
      }
      locked.params.push_back(std::move(params));
    }
    std::vector<std::string> gitignores;
    for (const PipelineOutput& out : stage.outs) {
      CAIRN_ASSIGN_OR_RETURN(Entry e, entry(out.path, out.repo_path, out.cache, "output"));
      locked.outs.push_back(std::move(e));
      if (out.cache) {
        CAIRN_ASSIGN_OR_RETURN(bool changed, AddToGitignore(repo_.env(), repo_.Abs(out.repo_path)));
        if (changed) {
          gitignores.push_back(
              core::NormalizePath(core::JoinPath(core::Dirname(out.repo_path), ".gitignore")));
        }
      }
    }
    SortLikeDvc(&locked);

    std::lock_guard lock(lock_mu_);
    bool generating = !pipeline.lock_exists;
    pipeline.lock.SetStage(std::move(locked));
    CAIRN_RETURN_IF_ERROR(
        repo_.env().WriteFile(repo_.Abs(pipeline.lock_path), SerializeLockFile(pipeline.lock)));
    pipeline.lock_exists = true;
    std::string shown = repo_.Display(pipeline.lock_path);
    if (generating) Say(fmt::format("Generating lock file '{}'", shown));
    Say(fmt::format("Updating lock file '{}'", shown));
    result_.ran.push_back(StageAddress(pipeline.dvcyaml, stage.name));
    result_.git_files.push_back(pipeline.lock_path);
    for (std::string& g : gitignores) result_.git_files.push_back(std::move(g));
    return core::Status::Ok();
  }

  Repo& repo_;
  const ReproOptions& options_;
  const ReproEvents& events_;
  WorkspaceHasher hasher_;
  std::vector<Pipeline> pipelines_;
  std::vector<Node> nodes_;
  std::mutex say_mu_;  // one message at a time; guards ran_any_
  bool ran_any_ = false;
  std::mutex lock_mu_;  // dvc.lock writes and result_
  ReproResult result_;
};

}  // namespace

core::Result<ReproResult> Repro(Repo& repo, const ReproOptions& options,
                                const ReproEvents& events) {
  CAIRN_ASSIGN_OR_RETURN(sys::FileLock lock, repo.Lock());
  Reproducer reproducer(repo, options, events);
  return reproducer.Run();
}

}  // namespace cairn::data
