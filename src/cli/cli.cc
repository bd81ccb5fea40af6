#include "cli/cli.h"

#include <CLI/CLI.hpp>

namespace cairn::cli {

int Main(int argc, char** argv) {
  CLI::App app("cairn: the ML CI/CD loop in one native program", "cairn");
  app.set_version_flag("--version", "cairn " CAIRN_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return kExitOk;
}

}  // namespace cairn::cli
