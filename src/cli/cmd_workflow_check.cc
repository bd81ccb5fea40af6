// `cairn workflow check [FILE...]`: parses and validates workflow files as GitHub does; prints
// each error as file:line:col: message and "ok: FILE (N jobs)" for each valid file; exit 2 when
// any file is invalid. --json prints one object per file. --lint adds the ML-pipeline advice of
// workflow/lint.h for valid files ("file:line:col: warning: message [rule]" then "  fix: ...");
// warnings alone leave the exit code 0.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "cli/workflow_commands.h"
#include "cli/workflow_files.h"
#include "core/json.h"
#include "core/strings.h"
#include "core/value.h"
#include "workflow/workflow.h"

namespace cairn::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> files;
  bool json = false;
  bool lint = false;
};

void RunCheck(Context& ctx, const CheckOptions& o) {
  auto files = WorkflowFiles(o.files, ctx.cwd);
  if (!files.ok()) {
    ctx.status = files.status();
    return;
  }
  bool any_invalid = false;
  core::Value json = core::Value::Sequence();
  for (const std::string& file : *files) {
    auto parsed = workflow::LoadWorkflowFile(file);
    std::vector<std::string> errors;
    if (!parsed.ok()) {
      const std::string message = parsed.status().message();
      for (std::string_view line : core::SplitLines(message)) {
        if (!line.empty()) errors.emplace_back(line);
      }
    }
    core::Value entry = core::Value::Mapping();
    entry.Set("file", core::Value::String(file));
    entry.Set("ok", core::Value::Bool(errors.empty()));
    if (errors.empty() && o.lint) {
      core::Value warnings = core::Value::Sequence();
      for (const workflow::LintWarning& w : workflow::Lint(*parsed)) {
        if (!o.json) fmt::print(ctx.out, "{}\n", w.ToString());
        core::Value item = core::Value::Mapping();
        item.Set("rule", core::Value::String(w.rule));
        item.Set("location", core::Value::String(w.location.ToString()));
        item.Set("message", core::Value::String(w.message));
        item.Set("fix", core::Value::String(w.fix));
        warnings.Append(std::move(item));
      }
      entry.Set("warnings", std::move(warnings));
    }
    if (errors.empty()) {
      size_t jobs = parsed->jobs.size();
      entry.Set("jobs", core::Value::Int(static_cast<int64_t>(jobs)));
      if (!o.json) fmt::print(ctx.out, "ok: {} ({} job{})\n", file, jobs, jobs == 1 ? "" : "s");
    } else {
      any_invalid = true;
      core::Value list = core::Value::Sequence();
      for (const std::string& e : errors) {
        list.Append(core::Value::String(e));
        if (!o.json) fmt::print(ctx.out, "{}\n", e);
      }
      entry.Set("errors", std::move(list));
    }
    json.Append(std::move(entry));
  }
  if (o.json) fmt::print(ctx.out, "{}\n", core::ToPrettyJson(json));
  ctx.exit_code = any_invalid ? 2 : 0;
}

}  // namespace

void AddWorkflowCheckCommand(CLI::App& workflow, Context& ctx) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = workflow.add_subcommand(
      "check", "Parse and validate workflow files as GitHub does (default: the repository's)");
  cmd->add_option("files", o->files, "Workflow files (default: .github/workflows/*.yml|*.yaml)");
  cmd->add_flag("--json", o->json, "One JSON object per file: file, ok, jobs or errors");
  cmd->add_flag("--lint", o->lint,
                "Also warn about ML-pipeline mistakes (timeouts, data pulls, model gates...)");
  cmd->callback([&ctx, o] { RunCheck(ctx, *o); });
}

}  // namespace cairn::cli
