// `cairn workflow list [FILE...]`: each workflow file with its name and its triggers on one
// line, e.g. `train.yml  "Train"  push [branches: main; paths: src/**], workflow_dispatch`.
// --json prints [{file, name, triggers: [{event, config}]}].
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
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

struct ListOptions {
  std::vector<std::string> files;
  bool json = false;
};

std::string ScalarString(const core::Value& v) {
  if (v.is_string()) return v.AsString();
  if (v.is_null()) return "";
  return v.raw();
}

// One value of an event's configuration, short: lists joined with ", ", mappings by their
// keys (workflow_dispatch inputs), schedule entries by their cron.
std::string Summary(const core::Value& v) {
  if (v.is_scalar()) return ScalarString(v);
  std::vector<std::string> parts;
  if (v.is_sequence()) {
    for (const core::Value& item : v.items()) {
      if (item.is_mapping() && item.Find("cron") != nullptr) {
        parts.push_back(ScalarString(*item.Find("cron")));
      } else {
        parts.push_back(Summary(item));
      }
    }
  } else {
    for (const core::Member& m : v.members()) parts.push_back(m.key);
  }
  return core::Join(parts, ", ");
}

std::string EventText(const workflow::EventTrigger& event) {
  const core::Value& config = event.config;
  if (config.is_null()) return event.name;
  std::vector<std::string> parts;
  if (config.is_mapping()) {
    for (const core::Member& m : config.members()) {
      parts.push_back(m.key + ": " + Summary(m.value));
    }
  } else {
    parts.push_back(Summary(config));
  }
  if (parts.empty()) return event.name;
  return event.name + " [" + core::Join(parts, "; ") + "]";
}

void RunList(Context& ctx, const ListOptions& o) {
  auto files = WorkflowFiles(o.files, ctx.cwd);
  if (!files.ok()) {
    ctx.status = files.status();
    return;
  }
  bool any_invalid = false;
  core::Value json = core::Value::Sequence();
  for (const std::string& file : *files) {
    std::string base = std::filesystem::path(file).filename().string();
    auto parsed = workflow::LoadWorkflowFile(file);
    if (!parsed.ok()) {
      any_invalid = true;
      fmt::print(ctx.err, "{}\n", parsed.status().message());
      continue;
    }
    std::string name = parsed->name ? parsed->name->value.text() : "";
    std::vector<std::string> events;
    core::Value triggers = core::Value::Sequence();
    for (const workflow::EventTrigger& event : parsed->triggers.events) {
      events.push_back(EventText(event));
      core::Value t = core::Value::Mapping();
      t.Set("event", core::Value::String(event.name));
      t.Set("config", event.config);
      triggers.Append(std::move(t));
    }
    if (o.json) {
      core::Value entry = core::Value::Mapping();
      entry.Set("file", core::Value::String(file));
      entry.Set("name", core::Value::String(name));
      entry.Set("triggers", std::move(triggers));
      json.Append(std::move(entry));
    } else {
      fmt::print(ctx.out, "{}  \"{}\"  {}\n", base, name.empty() ? file : name,
                 core::Join(events, ", "));
    }
  }
  if (o.json) fmt::print(ctx.out, "{}\n", core::ToPrettyJson(json));
  if (any_invalid) ctx.exit_code = 2;
}

}  // namespace

void AddWorkflowListCommand(CLI::App& workflow, Context& ctx) {
  auto o = std::make_shared<ListOptions>();
  CLI::App* cmd = workflow.add_subcommand(
      "list", "Each workflow file with its name and triggers (default: the repository's)");
  cmd->add_option("files", o->files, "Workflow files (default: .github/workflows/*.yml|*.yaml)");
  cmd->add_flag("--json", o->json, "[{file, name, triggers: [{event, config}]}]");
  cmd->callback([&ctx, o] { RunList(ctx, *o); });
}

}  // namespace cairn::cli
