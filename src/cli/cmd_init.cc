// `cairn init [--data]`: makes the repository's .cairn/ (config.yaml with the defaults
// commented, environments.yaml with a commented example) and adds what must not be committed
// (secrets, history, stores) to .gitignore. Idempotent: a second init changes nothing and says
// so. --data also makes the DVC repository (`cairn data init`). Files are written atomically.
// Also registers the setup group's other commands (hooks, schedule).
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/setup_commands.h"
#include "core/path.h"
#include "core/strings.h"
#include "data/repo.h"
#include "sys/git.h"
#include "workflow/workflow.h"

namespace cairn::cli {
namespace {

constexpr std::string_view kConfigYaml =
    R"(# cairn's runner settings for this repository (docs/workflows.md, section "Settings").
# Every key is optional: the values shown, commented out, are the defaults.
#
# parallel-jobs: 4               # jobs (matrix legs included) running at once; default: the CPUs
# default-timeout-minutes: 360   # a job's timeout when it sets no timeout-minutes (GitHub's)
# temp-root: .cairn/tmp          # where fresh job workspaces are made (relative to the root)
# artifact-retention-days: 90    # artifacts older than this go at `cairn run prune`
# history-keep: 0                # runs `cairn run prune` keeps in the history; 0 keeps all
# notify:                        # post a Slack-compatible message when a run ends
#   webhook: https://hooks.slack.com/services/T000/B000/XXXX
#   # webhook-secret: SLACK_WEBHOOK   # instead: the URL from .cairn/secrets.env
#   on: failure                  # failure (failed or cancelled runs) | always
)";

constexpr std::string_view kEnvironmentsYaml =
    R"(# Deployment environments (a job's `environment:`) and the refs allowed to use each
# (docs/workflows.md, section "Settings"). A job whose ref is not allowed fails before its
# first step, naming the rule. An environment not listed here is allowed everywhere, as
# GitHub creates an unknown environment on first use. Patterns use GitHub's filter syntax
# (*, **, ?, +, [a-z], and a leading ! to exclude); a pull request is judged by its head
# branch. An environment's own secrets go in .cairn/secrets.<name>.env (git-ignored) and
# override the repository's (.cairn/secrets.env) for its jobs.
#
# ml-prod:
#   branches: [main]              # only main may deploy to production
#   # tags: ['v*']                # and, if written, tags like v1.2
#   secrets: [REGISTRY_TOKEN]     # the names secrets.ml-prod.env may define
)";

constexpr std::string_view kIgnored[] = {
    ".cairn/secrets*.env", ".cairn/runs/",      ".cairn/runs.db*",    ".cairn/tmp/",
    ".cairn/cache/",       ".cairn/artifacts/", ".cairn/tool-cache/", ".cairn/*.log",
};

struct InitOptions {
  bool data = false;
};

// Writes `path` with `content` unless it exists; true when written.
core::Result<bool> CreateIfMissing(sys::Env& env, const std::string& path,
                                   std::string_view content) {
  if (env.Exists(path)) return false;
  CAIRN_RETURN_IF_ERROR(env.WriteFile(path, content));
  return true;
}

// Appends the missing kIgnored lines to .gitignore; how many were added.
core::Result<int> UpdateGitignore(sys::Env& env, const std::string& path) {
  std::string text;
  if (env.Exists(path)) {
    CAIRN_ASSIGN_OR_RETURN(text, env.ReadFile(path));
  }
  std::vector<std::string_view> present;
  for (std::string_view line : core::SplitLines(text)) present.push_back(core::Trim(line));
  std::string added;
  int count = 0;
  for (std::string_view line : kIgnored) {
    if (std::find(present.begin(), present.end(), line) != present.end()) continue;
    added += std::string(line) + "\n";
    ++count;
  }
  if (count == 0) return 0;
  if (!text.empty() && text.back() != '\n') text += "\n";
  if (!text.empty()) text += "\n";
  text += "# cairn: secrets, run history and runner stores stay local\n" + added;
  CAIRN_RETURN_IF_ERROR(env.WriteFile(path, text));
  return count;
}

core::Status RunInit(Context& ctx, const InitOptions& o) {
  std::string root = RepositoryRoot(ctx.cwd);
  workflow::CairnLayout layout = workflow::LayoutAt(root);
  std::vector<std::string> changes;
  if (!ctx.env.IsDirectory(layout.dir)) {
    CAIRN_RETURN_IF_ERROR(ctx.env.CreateDirs(layout.dir));
    changes.push_back("created .cairn/");
  }
  CAIRN_ASSIGN_OR_RETURN(bool config, CreateIfMissing(ctx.env, layout.Config(), kConfigYaml));
  if (config) changes.push_back("wrote .cairn/config.yaml (the defaults, commented)");
  CAIRN_ASSIGN_OR_RETURN(bool envs,
                         CreateIfMissing(ctx.env, layout.Environments(), kEnvironmentsYaml));
  if (envs) changes.push_back("wrote .cairn/environments.yaml (a commented example)");
  CAIRN_ASSIGN_OR_RETURN(int ignored, UpdateGitignore(ctx.env, core::JoinPath(root, ".gitignore")));
  if (ignored > 0) {
    changes.push_back(fmt::format("added {} line{} to .gitignore (secrets, history, stores)",
                                  ignored, ignored == 1 ? "" : "s"));
  }
  bool cairn_changed = !changes.empty();
  if (o.data) {
    if (ctx.env.IsDirectory(core::JoinPath(root, ".dvc"))) {
      fmt::print(ctx.out, "DVC repository: already initialized\n");
    } else {
      CAIRN_RETURN_IF_ERROR(data::Repo::Init(ctx.env, root, /*no_scm=*/false, /*force=*/false));
      changes.push_back("initialized the DVC repository (.dvc/)");
    }
  }
  if (changes.empty()) {
    fmt::print(ctx.out, "{}/.cairn is already initialized: nothing changed\n", root);
    return core::Status::Ok();
  }
  for (const std::string& c : changes) fmt::print(ctx.out, "{}\n", c);
  if (!cairn_changed) return core::Status::Ok();
  fmt::print(ctx.out,
             "Initialized {}/.cairn. Commit config.yaml, environments.yaml and .gitignore.\n",
             root);
  return core::Status::Ok();
}

}  // namespace

std::string RepositoryRoot(const std::string& cwd) {
  auto repo = sys::GitRepo::Open(cwd);
  if (repo.ok() && !(*repo)->is_bare()) return (*repo)->work_tree();
  return cwd;
}

std::string SelfExecutable() {
  std::string buf(4096, '\0');
  ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return "cairn";
  buf.resize(static_cast<size_t>(n));
  return buf;
}

void RegisterSetupCommands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<InitOptions>();
  CLI::App* init = app.add_subcommand(
      "init", "Set this repository up for cairn: .cairn/ (config, environments), .gitignore");
  init->add_flag("--data", o->data, "Also make the DVC repository (`cairn data init`)");
  init->callback([&ctx, o] { ctx.status = RunInit(ctx, *o); });
  AddHooksCommands(app, ctx);
  AddScheduleCommand(app, ctx);
}

}  // namespace cairn::cli
