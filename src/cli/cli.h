// cli: the `cairn` command line. The only module that picks concrete implementations
// (stores, environments) and wires the lower modules together.
#pragma once

namespace cairn::cli {

/// Exit codes of every cairn command.
inline constexpr int kExitOk = 0;      // success
inline constexpr int kExitFailed = 1;  // the operation ran and failed
inline constexpr int kExitUsage = 2;   // bad command line or bad input

/// Runs `cairn argv[1..]`; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace cairn::cli
