// Module-private: hashFiles() as GitHub's runner computes it (gha.md 5.3): the patterns are
// @actions/glob patterns relative to the workspace (`*`, `?`, `[...]`, `**` as a whole segment,
// `!` excludes, `#` comments, a pattern matching a directory matches everything under it);
// files are visited in the globber's order (depth first, each directory's entries sorted by
// byte value, search roots in pattern order); each regular file's SHA-256 feeds an outer
// SHA-256, whose hex is the result; '' when no file matches. Files outside the workspace are
// skipped; symbolic links are not followed into directories unless the first argument is
// `--follow-symbolic-links`.
//
// Pure function over the file system: thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cairn::workflow {

/// hashFiles(patterns...) evaluated in `workspace` (absolute).
core::Result<std::string> HashFiles(std::string_view workspace,
                                    std::span<const std::string> patterns);

}  // namespace cairn::workflow
