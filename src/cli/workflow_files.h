// Module-private: the workflow files `cairn workflow` commands work on: the ones named, or
// every .github/workflows/*.yml|*.yaml of the repository containing the working directory.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace cairn::cli {

/// `files` when not empty; else the workflow files of the repository containing `cwd`, sorted.
/// NOT_FOUND when there is no .github/workflows directory above `cwd`.
core::Result<std::vector<std::string>> WorkflowFiles(const std::vector<std::string>& files,
                                                     const std::string& cwd);

}  // namespace cairn::cli
