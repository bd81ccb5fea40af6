// `cairn repro` (and `dvc repro`): run the pipeline stages that changed.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>
#include <mutex>

#include "cli/command.h"
#include "cli/data_output.h"
#include "data/pipeline.h"

namespace cairn::cli {
namespace {

struct ReproCliOptions {
  std::vector<std::string> targets;
  bool force = false;
  bool quiet = false;
  bool verbose = false;
  int jobs = 1;
};

core::Status RunRepro(Context& ctx, const ReproCliOptions& o) {
  data::RepoOptions repo_options;
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo,
                         data::Repo::Open(ctx.env, ctx.cwd, repo_options));
  data::ReproOptions options;
  options.targets = o.targets;
  options.force = o.force;
  options.jobs = static_cast<size_t>(std::max(o.jobs, 1));
  std::mutex out_mu;
  data::ReproEvents events;
  events.message = [&](std::string_view line) {
    if (o.quiet) return;
    std::lock_guard lock(out_mu);
    fmt::print(ctx.out, "{}\n", line);
    std::fflush(ctx.out);
  };
  events.output = [&](std::string_view line, bool is_stderr) {
    std::lock_guard lock(out_mu);
    fmt::print(is_stderr ? ctx.err : ctx.out, "{}\n", line);
  };
  CAIRN_ASSIGN_OR_RETURN(data::ReproResult result, data::Repro(*repo, options, events));
  if (o.quiet) return core::Status::Ok();
  if (result.ran.empty()) {
    fmt::print(ctx.out, "Data and pipelines are up to date.\n");
    return core::Status::Ok();
  }
  std::vector<std::string> files;
  for (const std::string& f : result.git_files) files.push_back(repo->Display(f));
  fmt::print(ctx.out, "{}", GitAddHint(files, ctx.dvc));
  fmt::print(ctx.out, "Use `{}` to send your updates to remote storage.\n",
             ctx.dvc ? "dvc push" : "cairn data push");
  return core::Status::Ok();
}

}  // namespace

void AddPipelineSubcommands(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<ReproCliOptions>();
  CLI::App* cmd = parent.add_subcommand(
      "repro", "Run the dvc.yaml stages whose command, deps, params or outs changed");
  cmd->add_option("targets", o->targets, "Stages (name, or dvc.yaml:name) or dvc.yaml files");
  cmd->add_flag("-f,--force", o->force, "Run every selected stage, changed or not");
  cmd->add_option("-j,--jobs", o->jobs, "Independent stages to run at once (default 1)")
      ->check(CLI::Range(1, 256));
  cmd->add_flag("-q,--quiet", o->quiet, "Print nothing but errors and the stages' output");
  cmd->add_flag("-v,--verbose", o->verbose, "Say more");
  cmd->callback([&ctx, o] { ctx.status = RunRepro(ctx, *o); });
}

void RegisterPipelineCommands(CLI::App& app, Context& ctx) { AddPipelineSubcommands(app, ctx); }

}  // namespace cairn::cli
