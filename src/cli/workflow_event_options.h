// Module-private: the event options shared by `cairn workflow explain` and `workflow run`:
//   --event push --ref refs/heads/B [--sha S] [--before S]
//   --event pull_request --base B --head H [--number N] [--type opened]
//   --event workflow_dispatch --input k=v ...
//   --event-path FILE (a full payload), --changed-files a,b (instead of asking git)
#pragma once

#include "workflow/event.h"

namespace CLI {
class App;
}

namespace cairn::cli {

/// Adds the options to `cmd`; they fill `options` when the command line is parsed.
void AddEventOptions(CLI::App& cmd, workflow::EventOptions& options);

}  // namespace cairn::cli
