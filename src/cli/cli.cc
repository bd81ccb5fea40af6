#include "cli/cli.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <array>
#include <memory>

#include "cli/command.h"
#include "cli/terminal.h"
#include "core/path.h"
#include "core/strings.h"

namespace cairn::cli {
namespace {

// Every command group of the binary, in the order `cairn --help` lists them.
constexpr std::array kCommandGroups = {
    CommandGroup{"data", RegisterDataCommands},
    CommandGroup{"hash", RegisterHashCommands},
    CommandGroup{"pipeline", RegisterPipelineCommands},
    CommandGroup{"track", RegisterTrackCommands},
    CommandGroup{"model", RegisterModelCommands},
    CommandGroup{"server", RegisterServerCommands},
    CommandGroup{"workflow", RegisterWorkflowCommands},
    CommandGroup{"run", RegisterRunCommands},
    CommandGroup{"setup", RegisterSetupCommands},
    CommandGroup{"ml", RegisterMlCommands},
    CommandGroup{"gate", RegisterGateCommands},
};

// The hint line printed after a UsageError's message, if any, follows this marker.
constexpr std::string_view kHintMarker = "\nhint: ";

int ExitCodeOf(const core::Status& status) {
  switch (status.code()) {
    case core::Code::kOk:
      return kExitOk;
    case core::Code::kInvalidParameterValue:
    case core::Code::kBadRequest:
    case core::Code::kMalformedRequest:
      return kExitUsage;
    default:
      return kExitFailed;
  }
}

void PrintError(const Context& ctx, std::string_view message) {
  bool color = UseColor(ctx.err, ctx.env);
  std::string_view what = message;
  std::string_view hint;
  if (size_t at = message.find(kHintMarker); at != std::string_view::npos) {
    what = message.substr(0, at);
    hint = message.substr(at + kHintMarker.size());
  }
  fmt::print(ctx.err, "cairn: {} {}\n", Red("error:", color), what);
  if (!hint.empty()) fmt::print(ctx.err, "hint: {}\n", hint);
}

// The names of `app`'s subcommands.
std::vector<std::string> SubcommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

// Follows the command words of argv down the command tree: `path` is the deepest command
// named ("cairn data push"); `error` is set when a word names no command where one is
// expected, explained better than CLI11's "arguments were not expected".
struct CommandWords {
  std::string path = "cairn";
  std::optional<core::Status> error;
};

CommandWords ReadCommandWords(CLI::App& root, int argc, char** argv) {
  CommandWords result;
  CLI::App* app = &root;
  std::string& path = result.path;
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "--") break;
    if (word.starts_with("-")) continue;
    std::vector<std::string> names = SubcommandNames(*app);
    if (names.empty()) break;  // a leaf command: the rest are its arguments
    CLI::App* sub = nullptr;
    try {
      sub = app->get_subcommand(std::string(word));
    } catch (const CLI::OptionNotFound&) {
    }
    if (sub == nullptr) {
      std::string best;
      size_t best_distance = 3;  // suggest only close names
      for (const std::string& name : names) {
        size_t d = core::EditDistance(word, name);
        if (d < best_distance) {
          best_distance = d;
          best = name;
        }
      }
      std::string hint = best.empty() ? fmt::format("run '{} --help' to see the commands", path)
                                      : fmt::format("did you mean '{} {}'?", path, best);
      result.error = UsageError(fmt::format("unknown command '{}' for '{}'", word, path), hint);
      break;
    }
    app = sub;
    path += " " + std::string(word);
  }
  return result;
}

}  // namespace

core::Status UsageError(std::string what, std::string hint) {
  if (!hint.empty()) what += std::string(kHintMarker) + hint;
  return core::Status::InvalidArgument(std::move(what));
}

int Main(int argc, char** argv) {
  if (argc > 0 && core::Basename(argv[0]) == "dvc") return DvcMain(argc, argv);
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  char cwd[4096];
  Context ctx{*env,
              stdout,
              stderr,
              core::Status(),
              -1,
              false,
              ::getcwd(cwd, sizeof(cwd)) != nullptr ? cwd : "."};

  CLI::App app(
      "cairn: the ML CI/CD loop in one program. Runs GitHub Actions workflows locally, versions\n"
      "data in DVC 3's formats, and serves MLflow's tracking and registry API.",
      "cairn");
  app.set_version_flag("--version", "cairn " CAIRN_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough(false);
  for (const CommandGroup& group : kCommandGroups) group.Register(app, ctx);

  CommandWords words = ReadCommandWords(app, argc, argv);
  if (words.error) {
    PrintError(ctx, words.error->message());
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {  // --help, --version
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(
        ctx, UsageError(e.what(), fmt::format("run '{} --help' for usage", words.path)).message());
    return kExitUsage;
  }
  if (argc <= 1) {
    std::fputs(app.help().c_str(), ctx.out);
    return kExitUsage;
  }
  // What the command printed comes before its error, also when stdout is a pipe.
  std::fflush(ctx.out);
  if (!ctx.status.ok()) PrintError(ctx, ctx.status.message());
  if (ctx.status.ok() && ctx.exit_code >= 0) return ctx.exit_code;
  return ExitCodeOf(ctx.status);
}

}  // namespace cairn::cli
