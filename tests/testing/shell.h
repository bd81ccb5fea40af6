// Running a shell command line from a test and keeping what it printed.
#pragma once

#include <string>

namespace cairn::testing {

struct ShellResult {
  int exit_code = -1;  // -1 when the command could not start or was killed by a signal
  std::string output;  // stdout (and stderr when the command line redirects it: "2>&1")
};

/// Runs `command` with /bin/sh (popen) and waits for it.
ShellResult Shell(const std::string& command);

}  // namespace cairn::testing
