// The artifact store of upload-artifact / download-artifact (RunDirectories::artifacts,
// `.cairn/artifacts`): <dir>/<run_id>/<name>/ holds manifest.json (name, run, created, the
// retention in days and the expiry time, the files with their sizes) and files/ (the uploaded
// files under their stored paths). An artifact appears whole or not at all (written in a
// temporary directory, then renamed into place).
//
// Thread safety: stateless functions; concurrent uploads of one name in one run: one wins,
// the other fails with a conflict.
#pragma once

#include <chrono>
#include <string_view>

#include "core/result.h"

namespace cairn::workflow {

/// Removes every artifact whose retention has expired at `now` (and run directories left
/// empty). Returns how many artifacts were removed. A missing `dir` removes nothing.
core::Result<int> PruneArtifacts(std::string_view dir, std::chrono::system_clock::time_point now);

}  // namespace cairn::workflow
