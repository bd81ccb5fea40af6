// Metrics and params as a pipeline reports them: `metrics show`, `metrics diff`, `metrics get`
// and `params diff`, in the workspace or at a git revision.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"
#include "data/params.h"
#include "data/repo.h"

namespace cairn::data {

/// One metrics (or params) file: repo-relative path and its parsed content.
struct ReportFile {
  std::string path;
  core::Value data;
};

/// Where to read: the workspace (empty revision) or a git revision ("HEAD", a sha, a branch).
using Revision = std::string;

/// The metrics files of the repository's pipelines (stage `metrics:` outputs and the
/// top-level `metrics:` lists), or `targets` (repo paths) when given, read at `rev`. A file
/// missing there is left out.
core::Result<std::vector<ReportFile>> LoadMetrics(Repo& repo,
                                                  const std::vector<std::string>& targets,
                                                  const Revision& rev);

/// The params files the stages use, with only the tracked names (declared keys, whole files,
/// and values used through `${...}`), read at `rev`.
core::Result<std::vector<ReportFile>> LoadTrackedParams(Repo& repo, const Revision& rev);

/// `metrics diff` / `params diff` rows between two reads (see DiffParams).
core::Result<std::vector<ParamDiff>> DiffReports(const std::vector<ReportFile>& old_files,
                                                 const std::vector<ReportFile>& new_files,
                                                 bool with_unchanged);

/// `metrics get KEY`: the value at the dotted KEY in the metrics files (or in `file` when
/// given). NotFound lists the keys there are; InvalidArgument when several files have it.
core::Result<core::Value> GetMetric(Repo& repo, std::string_view key, std::string_view file);

/// A value as Python's str() prints it (DVC's tables): 0.5, True, None, [0.9, 0.999],
/// {'a': 1}; strings as they are.
std::string PythonStr(const core::Value& value);

}  // namespace cairn::data
