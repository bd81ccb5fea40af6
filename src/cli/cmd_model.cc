// `cairn model ...`: the MLflow model registry (registered models, versions, stages, aliases)
// in a sqlite:/// database or behind a `cairn server` / MLflow server. Lines and tables by
// default, MLflow's JSON with --json.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>

#include "cli/command.h"
#include "cli/data_output.h"
#include "cli/mlflow_stores.h"
#include "core/strings.h"
#include "ml/ml.h"

namespace cairn::cli {
namespace {

using core::Value;

struct ModelOptions : MlflowFlags {
  std::string name;
  std::string version;
  std::string source;
  std::string run_id;
  std::string description;
  std::string filter;
  std::string stage;
  std::string alias;
  bool archive_existing = false;
  bool remove = false;
};

void Print(Context& ctx, std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), ctx.out);
}

template <class T, class F>
core::Result<std::vector<T>> AllPages(F search) {
  std::vector<T> items;
  std::string token;
  do {
    CAIRN_ASSIGN_OR_RETURN(registry::Page<T> page, search(token));
    for (T& item : page.items) items.push_back(std::move(item));
    token = std::move(page.next_page_token);
  } while (!token.empty());
  return items;
}

// A filter string matching `name` exactly, quoted as MLflow's parser reads it.
std::string NameFilter(std::string_view name) {
  char quote = name.find('\'') == std::string_view::npos ? '\'' : '"';
  return fmt::format("name = {}{}{}", quote, name, quote);
}

std::string VersionText(const registry::ModelVersion& v) {
  std::string text =
      FieldLines({{"name", v.name},
                  {"version", std::to_string(v.version)},
                  {"current_stage", std::string(registry::StageName(v.current_stage))},
                  {"status", std::string(registry::VersionStatusName(v.status))},
                  {"source", v.source},
                  {"run_id", v.run_id},
                  {"description", v.description},
                  {"creation_timestamp", FormatMillis(v.creation_timestamp)},
                  {"last_updated_timestamp", FormatMillis(v.last_updated_timestamp)}});
  if (!v.aliases.empty()) text += fmt::format("aliases: {}\n", core::Join(v.aliases, ", "));
  if (!v.tags.empty()) {
    text += "tags:\n";
    for (const registry::Tag& t : v.tags) text += fmt::format("  {}: {}\n", t.key, t.value);
  }
  return text;
}

std::string AliasesText(const std::vector<registry::AliasEntry>& aliases) {
  std::vector<std::string> parts;
  for (const registry::AliasEntry& a : aliases) parts.push_back(a.alias + "=" + a.version);
  return core::Join(parts, ",");
}

core::Status RunCreate(Context& ctx, const ModelOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenRegistry(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(registry::RegisteredModel m,
                         store->CreateRegisteredModel(o.name, {}, o.description));
  Print(ctx, o.json ? JsonText(JsonWith("registered_model", RegisteredModelJson(m)))
                    : fmt::format("Created registered model '{}'\n", m.name));
  return core::Status::Ok();
}

// The tags a new version carries: where it came from (github.sha, github.ref, github.run_id
// from the runner's environment) and the data it was trained on (the run's cairn.data.md5).
core::Result<std::vector<registry::Tag>> VersionTags(Context& ctx, const ModelOptions& o,
                                                     std::string_view run_id) {
  std::vector<registry::Tag> tags;
  for (auto& [key, value] : ml::LineageTags(ctx.env, ctx.cwd)) {
    if (key.starts_with("github.")) tags.push_back({key, value});
  }
  if (run_id.empty()) return tags;
  CAIRN_ASSIGN_OR_RETURN(auto tracking, OpenTracking(ctx, o));
  core::Result<track::Run> run = tracking->GetRun(run_id);
  if (!run.ok()) return run.status().WithContext("the model's run");
  for (const track::Tag& t : run->data.tags) {
    if (t.key == "cairn.data.md5") tags.push_back({t.key, t.value});
  }
  return tags;
}

// As mlflow.register_model: the registered model is created when it does not exist yet. Then,
// as the seed's register_model.py does, the stage transition and the alias.
core::Status RunRegister(Context& ctx, const ModelOptions& o) {
  if (o.name.empty()) return UsageError("model register: the model's name is needed (--name)");
  if (o.source.empty()) {
    return UsageError("model register: the model is needed (--model-uri runs:/<run_id>/model)");
  }
  std::string run_id = o.run_id;
  if (run_id.empty() && o.source.starts_with("runs:/")) {
    std::string_view rest = std::string_view(o.source).substr(6);
    while (rest.starts_with('/')) rest.remove_prefix(1);
    run_id = std::string(rest.substr(0, rest.find('/')));
  }
  std::optional<registry::Stage> stage;
  if (!o.stage.empty()) {
    CAIRN_ASSIGN_OR_RETURN(registry::Stage parsed, registry::ParseStage(o.stage));
    stage = parsed;
  }
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenRegistry(ctx, o));
  core::Result<registry::RegisteredModel> created = store->CreateRegisteredModel(o.name, {}, "");
  if (!created.ok() && !created.status().IsAlreadyExists()) return created.status();
  registry::CreateModelVersionRequest request;
  request.name = o.name;
  request.source = o.source;
  request.run_id = run_id;
  CAIRN_ASSIGN_OR_RETURN(request.tags, VersionTags(ctx, o, run_id));
  CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion v, store->CreateModelVersion(request));
  std::string version = std::to_string(v.version);
  if (stage) {
    CAIRN_ASSIGN_OR_RETURN(
        v, store->TransitionModelVersionStage(o.name, version, registry::StageName(*stage),
                                              o.archive_existing));
  }
  if (!o.alias.empty()) {
    CAIRN_RETURN_IF_ERROR(store->SetAlias(o.name, o.alias, version));
    CAIRN_ASSIGN_OR_RETURN(v, store->GetModelVersion(o.name, version));
  }
  if (o.json) {
    Print(ctx, JsonText(JsonWith("model_version", ModelVersionJson(v))));
    return core::Status::Ok();
  }
  std::string text;
  if (created.ok()) text += fmt::format("Created registered model '{}'\n", v.name);
  text += fmt::format("Registered version {} of '{}' (source {})\n", v.version, v.name, v.source);
  if (stage) {
    text += fmt::format("Version {} is now in stage {}{}\n", v.version, registry::StageName(*stage),
                        o.archive_existing ? " (the versions there before are archived)" : "");
  }
  if (!o.alias.empty())
    text += fmt::format("Alias '{}' points at version {}\n", o.alias, v.version);
  Print(ctx, text);
  return core::Status::Ok();
}

core::Status RunList(Context& ctx, const ModelOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenRegistry(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(std::vector<registry::RegisteredModel> models,
                         AllPages<registry::RegisteredModel>([&](const std::string& token) {
                           registry::SearchRequest request;
                           request.filter = o.filter;
                           request.page_token = token;
                           return store->SearchRegisteredModels(request);
                         }));
  if (o.json) {
    Value list = Value::Sequence();
    for (const registry::RegisteredModel& m : models) list.Append(RegisteredModelJson(m));
    Value out = Value::Mapping();
    if (!models.empty()) out.Set("registered_models", std::move(list));
    Print(ctx, JsonText(out));
    return core::Status::Ok();
  }
  std::vector<std::vector<std::string>> rows;
  for (const registry::RegisteredModel& m : models) {
    int64_t latest = 0;
    for (const registry::ModelVersion& v : m.latest_versions) latest = std::max(latest, v.version);
    rows.push_back({m.name, latest > 0 ? std::to_string(latest) : "", AliasesText(m.aliases),
                    FormatMillis(m.last_updated_timestamp), m.description});
  }
  Print(ctx, Table({"name", "latest_version", "aliases", "last_updated", "description"}, rows));
  return core::Status::Ok();
}

core::Status RunGet(Context& ctx, const ModelOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenRegistry(ctx, o));
  if (!o.version.empty()) {
    CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion v, store->GetModelVersion(o.name, o.version));
    Print(ctx, o.json ? JsonText(JsonWith("model_version", ModelVersionJson(v))) : VersionText(v));
    return core::Status::Ok();
  }
  CAIRN_ASSIGN_OR_RETURN(registry::RegisteredModel m, store->GetRegisteredModel(o.name));
  if (o.json) {
    Print(ctx, JsonText(JsonWith("registered_model", RegisteredModelJson(m))));
    return core::Status::Ok();
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<registry::ModelVersion> versions,
                         AllPages<registry::ModelVersion>([&](const std::string& token) {
                           registry::SearchRequest request;
                           request.filter = NameFilter(o.name);
                           request.order_by = {"version_number DESC"};
                           request.page_token = token;
                           return store->SearchModelVersions(request);
                         }));
  std::string text =
      FieldLines({{"name", m.name},
                  {"description", m.description},
                  {"creation_timestamp", FormatMillis(m.creation_timestamp)},
                  {"last_updated_timestamp", FormatMillis(m.last_updated_timestamp)}});
  if (!m.aliases.empty()) text += fmt::format("aliases: {}\n", AliasesText(m.aliases));
  if (!m.tags.empty()) {
    text += "tags:\n";
    for (const registry::Tag& t : m.tags) text += fmt::format("  {}: {}\n", t.key, t.value);
  }
  if (!versions.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const registry::ModelVersion& v : versions) {
      rows.push_back({std::to_string(v.version), std::string(registry::StageName(v.current_stage)),
                      core::Join(v.aliases, ","), v.source, v.run_id});
    }
    text += "\n" + Table({"version", "stage", "aliases", "source", "run_id"}, rows);
  }
  Print(ctx, text);
  return core::Status::Ok();
}

core::Status RunTransition(Context& ctx, const ModelOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenRegistry(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(
      registry::ModelVersion v,
      store->TransitionModelVersionStage(o.name, o.version, o.stage, o.archive_existing));
  Print(ctx, o.json ? JsonText(JsonWith("model_version", ModelVersionJson(v)))
                    : fmt::format("Version {} of '{}' is now in stage {}\n", v.version, v.name,
                                  registry::StageName(v.current_stage)));
  return core::Status::Ok();
}

core::Status RunAlias(Context& ctx, const ModelOptions& o) {
  if (o.remove && !o.version.empty()) {
    return UsageError("alias: --delete takes no VERSION",
                      fmt::format("cairn model alias {} {} --delete", o.name, o.alias));
  }
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenRegistry(ctx, o));
  if (o.remove) {
    CAIRN_RETURN_IF_ERROR(store->DeleteAlias(o.name, o.alias));
    Print(ctx, o.json ? JsonText(Value::Mapping())
                      : fmt::format("Deleted alias '{}' of '{}'\n", o.alias, o.name));
    return core::Status::Ok();
  }
  if (o.version.empty()) {  // where does it point?
    CAIRN_ASSIGN_OR_RETURN(registry::ModelVersion v,
                           store->GetModelVersionByAlias(o.name, o.alias));
    Print(ctx, o.json ? JsonText(JsonWith("model_version", ModelVersionJson(v)))
                      : fmt::format("{}\n", v.version));
    return core::Status::Ok();
  }
  CAIRN_RETURN_IF_ERROR(store->SetAlias(o.name, o.alias, o.version));
  Print(ctx, o.json ? JsonText(Value::Mapping())
                    : fmt::format("Alias '{}' of '{}' points at version {}\n", o.alias, o.name,
                                  o.version));
  return core::Status::Ok();
}

core::Status RunDelete(Context& ctx, const ModelOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenRegistry(ctx, o));
  std::string text;
  if (o.version.empty()) {
    CAIRN_RETURN_IF_ERROR(store->DeleteRegisteredModel(o.name));
    text = fmt::format("Deleted registered model '{}' and its versions\n", o.name);
  } else {
    CAIRN_RETURN_IF_ERROR(store->DeleteModelVersion(o.name, o.version));
    text = fmt::format("Deleted version {} of '{}'\n", o.version, o.name);
  }
  Print(ctx, o.json ? JsonText(Value::Mapping()) : text);
  return core::Status::Ok();
}

}  // namespace

void RegisterModelCommands(CLI::App& app, Context& ctx) {
  CLI::App* model = app.add_subcommand(
      "model", "MLflow model registry: models, versions, stages, aliases (`cairn model --help`)");
  model->require_subcommand(1);
  auto sub = [&](const char* name, const char* help,
                 core::Status (*run)(Context&, const ModelOptions&)) {
    auto o = std::make_shared<ModelOptions>();
    CLI::App* cmd = model->add_subcommand(name, help);
    AddMlflowFlags(cmd, *o, true);
    cmd->add_option("name", o->name, "The registered model's name")->required();
    cmd->callback([&ctx, o, run] { ctx.status = run(ctx, *o); });
    return std::make_pair(cmd, o);
  };
  {
    auto [cmd, o] = sub("create", "Create a registered model", RunCreate);
    cmd->add_option("--description", o->description, "What it is");
  }
  {
    // The name and the model as positionals (`cairn model register NAME SOURCE`) or as the
    // seed's register_model.py flags (--name, --model-uri).
    auto o = std::make_shared<ModelOptions>();
    CLI::App* cmd = model->add_subcommand(
        "register", "Register a new version (creating the model when needed), stage and alias it");
    AddMlflowFlags(cmd, *o, true);
    cmd->add_option("name", o->name, "The registered model's name");
    cmd->add_option("source", o->source, "Where the model is, e.g. runs:/<run_id>/model");
    cmd->add_option("--name", o->name, "The registered model's name");
    cmd->add_option("--model-uri", o->source, "Where the model is, e.g. runs:/<run_id>/model");
    cmd->add_option("--run-id", o->run_id, "The run that produced it (default: from runs:/)");
    cmd->add_option("--stage", o->stage, "Move the version to this stage (e.g. Production)");
    cmd->add_option("--alias", o->alias, "Point this alias at the version (e.g. champion)");
    cmd->add_flag("--archive-existing", o->archive_existing,
                  "With --stage: archive the versions now in that stage");
    cmd->callback([&ctx, o] { ctx.status = RunRegister(ctx, *o); });
  }
  {
    auto o = std::make_shared<ModelOptions>();
    CLI::App* cmd = model->add_subcommand("list", "List registered models");
    AddMlflowFlags(cmd, *o, true);
    cmd->add_option("--filter", o->filter, "e.g. \"name LIKE 'churn%'\"");
    cmd->callback([&ctx, o] { ctx.status = RunList(ctx, *o); });
  }
  {
    auto [cmd, o] = sub("get", "Show a registered model and its versions, or one version", RunGet);
    cmd->add_option("version", o->version, "A version number");
  }
  {
    auto [cmd, o] = sub("transition", "Move a version to a stage", RunTransition);
    cmd->add_option("version", o->version, "The version number")->required();
    cmd->add_option("stage", o->stage, "None, Staging, Production or Archived")->required();
    cmd->add_flag("--archive-existing", o->archive_existing,
                  "Archive the versions now in that stage (Staging or Production)");
  }
  {
    auto [cmd, o] = sub("alias", "Point an alias at a version, show it, or --delete it", RunAlias);
    cmd->add_option("alias", o->alias, "The alias, e.g. champion")->required();
    cmd->add_option("version", o->version, "The version to point at (without: show it)");
    cmd->add_flag("--delete", o->remove, "Delete the alias");
  }
  {
    auto [cmd, o] =
        sub("delete", "Delete a registered model (with its versions) or one version", RunDelete);
    cmd->add_option("version", o->version, "Only this version");
  }
}

}  // namespace cairn::cli
