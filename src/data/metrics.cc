#include "data/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/json.h"
#include "core/path.h"
#include "data/pipeline.h"
#include "sys/git.h"

namespace cairn::data {
namespace {

// Reads a repo-relative file from the workspace or from git at `rev`; nullopt when absent.
class Reader {
 public:
  Reader(Repo& repo, Revision rev) : repo_(repo), rev_(std::move(rev)) {}

  core::Result<std::optional<std::string>> Read(const std::string& path) {
    if (rev_.empty()) {
      core::Result<std::string> text = repo_.env().ReadFile(repo_.Abs(path));
      if (!text.ok()) {
        if (text.status().IsNotFound()) return std::optional<std::string>();
        return text.status();
      }
      return std::optional<std::string>(std::move(*text));
    }
    if (!git_) {
      CAIRN_ASSIGN_OR_RETURN(git_, sys::GitRepo::Open(repo_.root()));
      CAIRN_ASSIGN_OR_RETURN(sha_, git_->ResolveCommit(rev_));
    }
    // Paths in git are relative to the git work tree, which may be above the DVC root.
    std::string in_git = core::RelativePath(repo_.Abs(path), git_->work_tree());
    core::Result<std::string> text = git_->ReadFileAt(sha_, in_git);
    if (!text.ok()) {
      if (text.status().IsNotFound()) return std::optional<std::string>();
      return text.status();
    }
    return std::optional<std::string>(std::move(*text));
  }

 private:
  Repo& repo_;
  Revision rev_;
  std::unique_ptr<sys::GitRepo> git_;
  std::string sha_;
};

core::Result<std::vector<std::string>> MetricsPaths(Repo& repo) {
  CAIRN_ASSIGN_OR_RETURN(Repo::StageFiles files, repo.FindStageFiles());
  CAIRN_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, LoadPipelines(repo, files));
  std::vector<std::string> out;
  for (const Pipeline& p : pipelines) {
    for (const StagePath& m : p.file.metrics) out.push_back(m.repo_path);
    for (const PipelineStage& s : p.file.stages) {
      for (const PipelineOutput& o : s.outs) {
        if (o.kind == OutputKind::kMetric) out.push_back(o.repo_path);
      }
    }
  }
  std::vector<std::string> unique;
  for (std::string& p : out) {
    if (std::find(unique.begin(), unique.end(), p) == unique.end()) unique.push_back(std::move(p));
  }
  return unique;
}

std::string PyRepr(const core::Value& v);

std::string PyStrImpl(const core::Value& v, bool repr) {
  switch (v.kind()) {
    case core::ValueKind::kNull:
      return "None";
    case core::ValueKind::kBool:
      return v.AsBool() ? "True" : "False";
    case core::ValueKind::kNumber: {
      std::string json = core::ToJson(v);  // integers exact, floats as Python's repr
      return json == "NaN"         ? "nan"
             : json == "Infinity"  ? "inf"
             : json == "-Infinity" ? "-inf"
                                   : json;
    }
    case core::ValueKind::kString:
      if (!repr) return v.AsString();
      return "'" + v.AsString() + "'";
    case core::ValueKind::kSequence: {
      std::vector<std::string> parts;
      for (const core::Value& item : v.items()) parts.push_back(PyRepr(item));
      return "[" + fmt::format("{}", fmt::join(parts, ", ")) + "]";
    }
    case core::ValueKind::kMapping: {
      std::vector<std::string> parts;
      for (const core::Member& m : v.members())
        parts.push_back("'" + m.key + "': " + PyRepr(m.value));
      return "{" + fmt::format("{}", fmt::join(parts, ", ")) + "}";
    }
  }
  return "";
}

std::string PyRepr(const core::Value& v) { return PyStrImpl(v, true); }

// Keeps from `root` only the dotted names that `tracked` covers (a name, or a prefix of it).
core::Value Restrict(const core::Value& root, const std::vector<std::string>& tracked) {
  core::Value out = core::Value::Mapping();
  for (const std::string& name : tracked) {
    const core::Value* v = FindParam(root, name);
    if (v != nullptr) out.Set(name, *v);
  }
  return out;
}

}  // namespace

std::string PythonStr(const core::Value& value) { return PyStrImpl(value, false); }

core::Result<std::vector<ReportFile>> LoadMetrics(Repo& repo,
                                                  const std::vector<std::string>& targets,
                                                  const Revision& rev) {
  std::vector<std::string> paths;
  if (targets.empty()) {
    CAIRN_ASSIGN_OR_RETURN(paths, MetricsPaths(repo));
  } else {
    for (const std::string& t : targets) {
      CAIRN_ASSIGN_OR_RETURN(std::string rel, repo.RepoPath(t));
      paths.push_back(rel);
    }
  }
  Reader reader(repo, rev);
  std::vector<ReportFile> out;
  for (const std::string& path : paths) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> text, reader.Read(path));
    if (!text) continue;
    CAIRN_ASSIGN_OR_RETURN(core::Value data, ParseParams(*text, repo.Display(path)));
    out.push_back(ReportFile{path, std::move(data)});
  }
  return out;
}

core::Result<std::vector<ReportFile>> LoadTrackedParams(Repo& repo, const Revision& rev) {
  CAIRN_ASSIGN_OR_RETURN(Repo::StageFiles files, repo.FindStageFiles());
  CAIRN_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, LoadPipelines(repo, files));
  // file -> tracked names (empty optional: the whole file)
  std::vector<std::pair<std::string, std::optional<std::vector<std::string>>>> tracked;
  auto track = [&](const std::string& file, std::optional<std::string> name) {
    auto it =
        std::find_if(tracked.begin(), tracked.end(), [&](auto& t) { return t.first == file; });
    if (it == tracked.end()) {
      tracked.emplace_back(file, std::vector<std::string>());
      it = tracked.end() - 1;
    }
    if (!name) {
      it->second.reset();
    } else if (it->second &&
               std::find(it->second->begin(), it->second->end(), *name) == it->second->end()) {
      it->second->push_back(*name);
    }
  };
  for (const Pipeline& p : pipelines) {
    for (const PipelineStage& s : p.file.stages) {
      std::string wdir = s.repo_wdir == "." ? "" : s.repo_wdir;
      for (const ParamsDeclaration& d : s.ParamsDeclarations()) {
        std::string file = core::NormalizePath(core::JoinPath(wdir, d.file));
        if (d.tracks_all()) {
          track(file, std::nullopt);
        } else {
          for (const std::string& k : d.keys) track(file, k);
        }
      }
      for (const InterpolatedParam& ip : s.interpolated_params) track(ip.file, ip.name);
    }
  }
  Reader reader(repo, rev);
  std::vector<ReportFile> out;
  for (auto& [file, names] : tracked) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> text, reader.Read(file));
    if (!text) continue;
    CAIRN_ASSIGN_OR_RETURN(core::Value data, ParseParams(*text, repo.Display(file)));
    out.push_back(ReportFile{file, names ? Restrict(data, *names) : std::move(data)});
  }
  return out;
}

core::Result<std::vector<ParamDiff>> DiffReports(const std::vector<ReportFile>& old_files,
                                                 const std::vector<ReportFile>& new_files,
                                                 bool with_unchanged) {
  ParamsFiles a, b;
  for (const ReportFile& f : old_files) a.emplace_back(f.path, f.data);
  for (const ReportFile& f : new_files) b.emplace_back(f.path, f.data);
  return DiffParams(a, b, with_unchanged);
}

core::Result<core::Value> GetMetric(Repo& repo, std::string_view key, std::string_view file) {
  std::vector<std::string> targets;
  if (!file.empty()) targets.emplace_back(file);
  CAIRN_ASSIGN_OR_RETURN(std::vector<ReportFile> files, LoadMetrics(repo, targets, ""));
  if (files.empty()) {
    return core::Status::NotFound(
        file.empty() ? std::string("no metrics file: the stages declare none (`metrics:` in "
                                   "dvc.yaml), or none exists yet\nhint: name one with --file")
                     : fmt::format("metrics file '{}' does not exist", file));
  }
  const core::Value* found = nullptr;
  std::string found_in;
  std::vector<std::string> names;
  for (const ReportFile& f : files) {
    if (const core::Value* v = FindParam(f.data, key)) {
      if (found != nullptr) {
        return core::Status::InvalidArgument(
            fmt::format("metric '{}' is in both '{}' and '{}'\nhint: choose with --file", key,
                        found_in, f.path));
      }
      found = v;
      found_in = f.path;
    }
    core::Result<ParamValues> flat = FlattenParams(f.data);
    if (flat.ok()) {
      for (auto& [name, value] : *flat) names.push_back(name);
    }
  }
  if (found == nullptr) {
    return core::Status::NotFound(
        fmt::format("metric '{}' not found; there are: {}", key, fmt::join(names, ", ")));
  }
  return *found;
}

}  // namespace cairn::data
