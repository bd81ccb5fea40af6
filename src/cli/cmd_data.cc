// `cairn data ...` (and, under the name `dvc`, DVC's own command line): the data versioning
// commands over data::Repo. Output follows DVC's, so both names print the same things.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/command.h"
#include "cli/data_output.h"
#include "cli/terminal.h"
#include "data/ops.h"
#include "data/repo.h"

namespace cairn::cli {
namespace {

struct Common {
  bool quiet = false;
  bool verbose = false;
  int jobs = 0;
  bool wait_for_lock = false;
};

void AddCommon(CLI::App* cmd, Common& common) {
  cmd->add_flag("-q,--quiet", common.quiet, "Print nothing but errors");
  cmd->add_flag("-v,--verbose", common.verbose, "Say more");
}

core::Result<std::unique_ptr<data::Repo>> OpenRepo(Context& ctx, const Common& common) {
  data::RepoOptions options;
  options.jobs = static_cast<size_t>(std::max(common.jobs, 0));
  options.wait_for_lock = common.wait_for_lock;
  return data::Repo::Open(ctx.env, ctx.cwd, options);
}

void Print(Context& ctx, const Common& common, std::string_view text) {
  if (!common.quiet && !text.empty()) std::fwrite(text.data(), 1, text.size(), ctx.out);
}

// --- init ---

struct InitOptions : Common {
  bool no_scm = false;
  bool force = false;
};

core::Status RunInit(Context& ctx, const InitOptions& o) {
  CAIRN_RETURN_IF_ERROR(data::Repo::Init(ctx.env, ctx.cwd, o.no_scm, o.force));
  Print(ctx, o,
        fmt::format("Initialized DVC repository.\n\nYou can now commit the changes to git.\n"));
  return core::Status::Ok();
}

// --- add ---

struct AddOptions : Common {
  std::vector<std::string> targets;
};

core::Status RunAdd(Context& ctx, const AddOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  ProgressBar bar(ctx.env, "adding", 0);
  CAIRN_ASSIGN_OR_RETURN(data::AddResult result,
                         data::Add(*repo, o.targets, [&bar] { bar.Add(); }));
  bar.Finish();
  std::vector<std::string> files;
  for (const std::string& g : result.gitignores) files.push_back(repo->Display(g));
  for (const std::string& f : result.dvc_files) files.push_back(repo->Display(f));
  Print(ctx, o, GitAddHint(files, ctx.dvc));
  return core::Status::Ok();
}

// --- status ---

struct StatusOptions : Common {
  std::vector<std::string> targets;
  bool json = false;
  bool cloud = false;
  std::string remote;
};

core::Status RunStatus(Context& ctx, const StatusOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(std::vector<data::StageStatus> stages, data::Status(*repo, o.targets));
  core::Value tree = StatusToValue(stages);
  if (o.quiet) {
    ctx.exit_code = stages.empty() ? 0 : 1;
    return core::Status::Ok();
  }
  if (o.json) {
    Print(ctx, o, DvcJson(tree));
  } else if (stages.empty()) {
    Print(ctx, o, "Data and pipelines are up to date.\n");
  } else {
    Print(ctx, o, StatusText(tree));
  }
  return core::Status::Ok();
}

}  // namespace

void AddDataSubcommands(CLI::App& parent, Context& ctx) {
  {
    auto o = std::make_shared<InitOptions>();
    CLI::App* cmd = parent.add_subcommand("init", "Make this git repository a DVC repository");
    AddCommon(cmd, *o);
    cmd->add_flag("--no-scm", o->no_scm, "Without git");
    cmd->add_flag("-f,--force", o->force, "Start over when .dvc/ exists (it is removed)");
    cmd->callback([&ctx, o] { ctx.status = RunInit(ctx, *o); });
  }
  {
    auto o = std::make_shared<AddOptions>();
    CLI::App* cmd = parent.add_subcommand(
        "add", "Track files or directories: cache them and write <target>.dvc");
    AddCommon(cmd, *o);
    cmd->add_option("targets", o->targets, "Files or directories")->required();
    cmd->add_option("-j,--jobs", o->jobs, "Threads (default: one per core)")
        ->check(CLI::Range(0, 1024));
    cmd->callback([&ctx, o] { ctx.status = RunAdd(ctx, *o); });
  }
  {
    auto o = std::make_shared<StatusOptions>();
    CLI::App* cmd =
        parent.add_subcommand("status", "Show what changed in tracked data and pipeline stages");
    AddCommon(cmd, *o);
    cmd->add_option("targets", o->targets, "Stage files, stages or tracked paths");
    cmd->add_flag("--json", o->json, "As JSON");
    cmd->add_flag("-c,--cloud", o->cloud, "Compare the cache with a remote");
    cmd->add_option("-r,--remote", o->remote, "The remote (default: core.remote)");
    cmd->add_option("-j,--jobs", o->jobs, "Threads (default: one per core)")
        ->check(CLI::Range(0, 1024));
    cmd->callback([&ctx, o] { ctx.status = RunStatus(ctx, *o); });
  }
}

void RegisterDataCommands(CLI::App& app, Context& ctx) {
  CLI::App* data = app.add_subcommand(
      "data", "Version data and pipelines in DVC 3's formats (`cairn data --help`)");
  data->require_subcommand(1);
  AddDataSubcommands(*data, ctx);
}

}  // namespace cairn::cli
