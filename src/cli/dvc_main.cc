// The `dvc` personality: when the binary runs under the name `dvc` (a symlink), it takes
// DVC's command line for the commands cairn implements and answers as DVC does: the same
// output, "ERROR: ..." on stderr, and DVC's exit codes (1 a command failed, 253 not in a
// repository, 254 a bad command line).
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/cli.h"
#include "cli/command.h"
#include "sys/env.h"

namespace cairn::cli {
namespace {

constexpr int kDvcFailed = 1;
constexpr int kDvcNotARepo = 253;
constexpr int kDvcBadUsage = 254;

std::string CurrentDir() {
  char buf[4096];
  return ::getcwd(buf, sizeof(buf)) != nullptr ? std::string(buf) : std::string(".");
}

}  // namespace

int DvcMain(int argc, char** argv) {
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  Context ctx{*env, stdout, stderr, core::Status(), -1, /*dvc=*/true, CurrentDir()};
  CLI::App app("Data Version Control (cairn's implementation of DVC 3's command line)", "dvc");
  app.set_version_flag("--version", "cairn " CAIRN_VERSION " (DVC 3 compatible)");
  app.require_subcommand(1);
  AddDataSubcommands(app, ctx);
  AddPipelineSubcommands(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "ERROR: {}\n", e.what());
    return kDvcBadUsage;
  }
  if (!ctx.status.ok()) {
    const std::string& message = ctx.status.message();
    fmt::print(stderr, "ERROR: {}\n", message);
    if (message.rfind("you are not inside of a DVC repository", 0) == 0) return kDvcNotARepo;
    return kDvcFailed;
  }
  return ctx.exit_code >= 0 ? ctx.exit_code : 0;
}

}  // namespace cairn::cli
