// `cairn hooks install [--force]` / `cairn hooks uninstall`: git hooks that make this machine a
// CI runner for the repository:
//   post-commit  fires the push workflows matching the new commit, in the background (detached
//                with setsid/nohup, every descriptor redirected, so the commit never waits);
//                their output goes to .cairn/hooks.log.
//   pre-push     runs the pull_request workflows that target the default branch for each
//                pushed branch, in the foreground; a failure refuses the push (`git push
//                --no-verify` skips the hook, as git allows).
// The scripts are plain sh; they run the cairn that installed them (its absolute path), or the
// one on PATH when that is gone, or $CAIRN_BIN when set. CAIRN_HOOKS=0 turns them off for one
// command. A hook that is not cairn's is kept: install refuses to replace it unless --force,
// which renames it <hook>.pre-cairn and has cairn's hook run it first (chaining); uninstall
// puts it back.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/setup_commands.h"
#include "cli/shell_quote.h"
#include "core/path.h"
#include "core/strings.h"
#include "sys/git.h"
#include "sys/subprocess.h"

namespace cairn::cli {
namespace {

constexpr std::string_view kMarker = "# cairn-hook: installed by `cairn hooks install`";
constexpr std::string_view kHooks[] = {"post-commit", "pre-push"};

// Shared start of both scripts: finds cairn and the repository root, runs the chained hook.
std::string Prologue(std::string_view hook, std::string_view cairn) {
  return fmt::format(R"SH(#!/bin/sh
{marker}
# `cairn hooks uninstall` removes it (and restores a {hook}.pre-cairn it chained).
[ "${{CAIRN_HOOKS:-1}}" = 0 ] && exit 0
CAIRN=${{CAIRN_BIN:-{cairn}}}
if [ ! -x "$CAIRN" ]; then
  CAIRN=$(command -v cairn) || {{ echo "cairn hook: cairn not found (installed from {cairn})" >&2; exit 0; }}
fi
root=$(git rev-parse --show-toplevel) || exit 0
previous="$(dirname "$0")/{hook}.pre-cairn"
)SH",
                     fmt::arg("marker", kMarker), fmt::arg("hook", hook),
                     fmt::arg("cairn", ShellQuote(cairn)));
}

std::string PostCommit(std::string_view cairn) {
  return Prologue("post-commit", cairn) + R"SH(if [ -x "$previous" ]; then "$previous" "$@"; fi
# Local CI: the push workflows matching the new commit, in the background.
branch=$(git symbolic-ref --quiet --short HEAD) || exit 0
# Not for each commit a rebase replays.
gitdir=$(git rev-parse --git-dir)
if [ -d "$gitdir/rebase-merge" ] || [ -d "$gitdir/rebase-apply" ]; then exit 0; fi
mkdir -p "$root/.cairn" || exit 0
detach=nohup
if command -v setsid >/dev/null 2>&1; then detach="setsid nohup"; fi
(
  cd "$root" &&
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git rev-parse --short HEAD) on $branch" &&
  $detach "$CAIRN" workflow run --event push --ref "refs/heads/$branch" --all-matching
) >> "$root/.cairn/hooks.log" 2>&1 < /dev/null &
exit 0
)SH";
}

std::string PrePush(std::string_view cairn) {
  return Prologue("pre-push", cairn) + R"SH(input=$(cat)
if [ -x "$previous" ]; then
  printf '%s\n' "$input" | "$previous" "$@" || exit $?
fi
remote=${1:-origin}
# The default branch: the remote's HEAD, else main, else master.
default=$(git symbolic-ref --quiet --short "refs/remotes/$remote/HEAD" 2>/dev/null)
default=${default#"$remote/"}
if [ -z "$default" ]; then
  if git show-ref --verify --quiet refs/heads/main; then default=main
  elif git show-ref --verify --quiet refs/heads/master; then default=master
  else exit 0; fi
fi
zero=0000000000000000000000000000000000000000
status=0
printf '%s\n' "$input" | {
  while read -r local_ref local_sha remote_ref remote_sha; do
    case "$local_ref" in refs/heads/*) ;; *) continue ;; esac
    [ "$local_sha" = "$zero" ] && continue
    branch=${local_ref#refs/heads/}
    [ "$branch" = "$default" ] && continue
    echo "cairn: running the pull_request workflows for $branch -> $default (skip: git push --no-verify)" >&2
    if ! (cd "$root" && "$CAIRN" workflow run --event pull_request --base "$default" --head "$branch" --all-matching) >&2; then
      echo "cairn: pull_request workflows failed for $branch; push refused. Fix them, or skip the check with git push --no-verify." >&2
      status=1
    fi
  done
  exit $status
}
)SH";
}

std::string Script(std::string_view hook, std::string_view cairn) {
  return hook == "post-commit" ? PostCommit(cairn) : PrePush(cairn);
}

// `git rev-parse --git-path hooks` in `cwd` (honours core.hooksPath and linked worktrees).
core::Result<std::string> HooksDir(const std::string& cwd) {
  sys::SubprocessOptions options;
  options.argv = {"git", "rev-parse", "--git-path", "hooks"};
  options.cwd = cwd;
  CAIRN_ASSIGN_OR_RETURN(auto child, sys::Subprocess::Start(options));
  std::string out, err;
  CAIRN_ASSIGN_OR_RETURN(
      sys::ExitStatus status,
      child->Wait([&](std::string_view l) { out += l; }, [&](std::string_view l) { err += l; }));
  if (!status.ok()) {
    return core::Status::NotFound(
        fmt::format("{} is not in a git repository (git rev-parse: {})", cwd, err));
  }
  std::string dir(core::Trim(out));
  if (!core::IsAbsolutePath(dir)) dir = core::JoinPath(cwd, dir);
  return core::NormalizePath(dir);
}

struct HooksOptions {
  bool force = false;
};

core::Status Install(Context& ctx, const HooksOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::string dir, HooksDir(ctx.cwd));
  CAIRN_RETURN_IF_ERROR(ctx.env.CreateDirs(dir));
  std::string cairn = SelfExecutable();
  // Check every hook before changing any.
  for (std::string_view hook : kHooks) {
    std::string path = core::JoinPath(dir, hook);
    if (!ctx.env.Exists(path)) continue;
    CAIRN_ASSIGN_OR_RETURN(std::string text, ctx.env.ReadFile(path));
    if (text.find(kMarker) != std::string::npos) continue;
    if (!o.force) {
      return core::Status::AlreadyExists(fmt::format(
          "{} exists and is not cairn's: rerun with --force to keep it as {}.pre-cairn and run it "
          "before cairn's",
          path, hook));
    }
    if (ctx.env.Exists(path + ".pre-cairn")) {
      return core::Status::AlreadyExists(
          fmt::format("{} is not cairn's and {}.pre-cairn exists too: move one of them away first",
                      path, path));
    }
  }
  for (std::string_view hook : kHooks) {
    std::string path = core::JoinPath(dir, hook);
    std::string what = "installed";
    if (ctx.env.Exists(path)) {
      CAIRN_ASSIGN_OR_RETURN(std::string text, ctx.env.ReadFile(path));
      if (text.find(kMarker) != std::string::npos) {
        what = "updated";
      } else {
        CAIRN_RETURN_IF_ERROR(ctx.env.Rename(path, path + ".pre-cairn"));
        what = fmt::format("installed (the previous hook is kept as {}.pre-cairn and runs first)",
                           hook);
      }
    }
    CAIRN_RETURN_IF_ERROR(
        ctx.env.WriteFile(path, Script(hook, cairn), sys::WriteOptions{.mode = 0755}));
    CAIRN_RETURN_IF_ERROR(ctx.env.SetMode(path, 0755));
    fmt::print(ctx.out, "{}: {}\n", hook, what);
  }
  fmt::print(ctx.out,
             "A commit now runs the matching push workflows in the background (log: "
             ".cairn/hooks.log);\na push runs the pull_request workflows first and is refused "
             "when one fails (git push --no-verify skips them).\n");
  return core::Status::Ok();
}

core::Status Uninstall(Context& ctx) {
  CAIRN_ASSIGN_OR_RETURN(std::string dir, HooksDir(ctx.cwd));
  for (std::string_view hook : kHooks) {
    std::string path = core::JoinPath(dir, hook);
    if (!ctx.env.Exists(path)) {
      fmt::print(ctx.out, "{}: not installed\n", hook);
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(std::string text, ctx.env.ReadFile(path));
    if (text.find(kMarker) == std::string::npos) {
      fmt::print(ctx.out, "{}: not cairn's, left as it is\n", hook);
      continue;
    }
    if (ctx.env.Exists(path + ".pre-cairn")) {
      CAIRN_RETURN_IF_ERROR(ctx.env.Rename(path + ".pre-cairn", path));
      fmt::print(ctx.out, "{}: removed; the previous hook is restored\n", hook);
    } else {
      CAIRN_RETURN_IF_ERROR(ctx.env.Remove(path));
      fmt::print(ctx.out, "{}: removed\n", hook);
    }
  }
  return core::Status::Ok();
}

}  // namespace

void AddHooksCommands(CLI::App& app, Context& ctx) {
  CLI::App* hooks = app.add_subcommand(
      "hooks", "Git hooks: push workflows on every commit, pull_request workflows before a push");
  hooks->require_subcommand(1);
  auto o = std::make_shared<HooksOptions>();
  CLI::App* install = hooks->add_subcommand(
      "install", "Install the post-commit and pre-push hooks into this repository");
  install->add_flag("--force", o->force,
                    "Replace hooks that are not cairn's (kept as <hook>.pre-cairn and chained)");
  install->callback([&ctx, o] { ctx.status = Install(ctx, *o); });
  CLI::App* uninstall =
      hooks->add_subcommand("uninstall", "Remove cairn's hooks (restoring chained ones)");
  uninstall->callback([&ctx] { ctx.status = Uninstall(ctx); });
}

}  // namespace cairn::cli
