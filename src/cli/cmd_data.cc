// `cairn data ...` (and, under the name `dvc`, DVC's own command line): the data versioning
// commands over data::Repo. Output follows DVC's, so both names print the same things.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <memory>

#include "cli/command.h"
#include "cli/data_output.h"
#include "cli/terminal.h"
#include "data/config.h"
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
  ProgressBar bar(ctx.env, "files", 0);
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

core::Status RunStatusCloud(Context& ctx, const StatusOptions& o, data::Repo& repo) {
  data::TransferOptions options;
  options.targets = o.targets;
  options.remote = o.remote;
  options.jobs = static_cast<size_t>(std::max(o.jobs, 0));
  CAIRN_ASSIGN_OR_RETURN(data::CloudStatus status, data::StatusCloud(repo, options));
  if (o.quiet) {
    ctx.exit_code = status.changes.empty() ? 0 : 1;
    return core::Status::Ok();
  }
  core::Value tree = core::Value::Mapping();
  for (const auto& [path, state] : status.changes) {
    tree.Set(repo.Display(path), core::Value::String(state));
  }
  if (o.json) {
    Print(ctx, o, DvcJson(tree));
  } else if (status.changes.empty()) {
    Print(ctx, o, fmt::format("Cache and remote '{}' are in sync.\n", status.remote));
  } else {
    Print(ctx, o, StatusText(tree, 1));
  }
  return core::Status::Ok();
}

core::Status RunStatus(Context& ctx, const StatusOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  if (o.cloud || !o.remote.empty()) return RunStatusCloud(ctx, o, *repo);
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

// --- push, fetch, pull ---

std::string Plural(size_t n, std::string_view what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

struct TransferCliOptions : Common {
  std::vector<std::string> targets;
  std::string remote;
  bool force = false;
};

data::TransferOptions ToTransfer(const TransferCliOptions& o, ProgressBar* bar) {
  data::TransferOptions options;
  options.targets = o.targets;
  options.remote = o.remote;
  options.jobs = static_cast<size_t>(std::max(o.jobs, 0));
  if (bar != nullptr && !o.quiet) {
    options.on_start = [bar](size_t total) { bar->SetTotal(total); };
    options.on_object = [bar] { bar->Add(); };
  }
  return options;
}

core::Status TransferFailed(std::string_view verb, std::string_view noun,
                            const data::TransferResult& r) {
  std::string list;
  for (const std::string& f : r.failed) list += "\n  " + f;
  return core::Status(core::Code::kIoError,
                      fmt::format("failed to {} data {} the cloud - {} files failed to {}{}", verb,
                                  verb == "push" ? "to" : "from", r.failed.size(), noun, list));
}

std::string CheckoutSummary(const data::Repo& repo, const data::CheckoutResult& r);

core::Status RunPush(Context& ctx, const TransferCliOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  ProgressBar bar(ctx.env, "pushing", 0);
  CAIRN_ASSIGN_OR_RETURN(data::TransferResult r, data::Push(*repo, ToTransfer(o, &bar)));
  bar.Finish();
  if (!r.failed.empty()) return TransferFailed("push", "upload", r);
  Print(ctx, o,
        r.transferred == 0 ? std::string("Everything is up to date.\n")
                           : fmt::format("{} pushed\n", Plural(r.transferred, "file")));
  return core::Status::Ok();
}

core::Status RunFetch(Context& ctx, const TransferCliOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  ProgressBar bar(ctx.env, "fetching", 0);
  CAIRN_ASSIGN_OR_RETURN(data::TransferResult r, data::Fetch(*repo, ToTransfer(o, &bar)));
  bar.Finish();
  if (!r.failed.empty()) return TransferFailed("fetch", "download", r);
  Print(ctx, o,
        r.transferred == 0 ? std::string("Everything is up to date.\n")
                           : fmt::format("{} fetched\n", Plural(r.transferred, "file")));
  return core::Status::Ok();
}

core::Status RunPull(Context& ctx, const TransferCliOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  ProgressBar bar(ctx.env, "pulling", 0);
  CAIRN_ASSIGN_OR_RETURN(data::TransferResult r, data::Pull(*repo, ToTransfer(o, &bar), o.force));
  bar.Finish();
  if (!r.failed.empty()) return TransferFailed("pull", "download", r);
  std::string text = CheckoutSummary(*repo, r.checkout);
  Print(ctx, o, text.empty() ? std::string("Everything is up to date.\n") : text);
  if (!r.checkout.failed.empty()) {
    return core::Status(core::Code::kResourceDoesNotExist, "Checkout failed for some targets");
  }
  return core::Status::Ok();
}

// --- checkout, commit, gc ---

struct TargetsOptions : Common {
  std::vector<std::string> targets;
  bool force = false;
};

std::string CheckoutSummary(const data::Repo& repo, const data::CheckoutResult& r) {
  const data::Repo* repo_ptr = &repo;
  std::string text;
  auto shown = [&](const std::string& p) {  // a directory keeps its trailing '/'
    return p.ends_with("/") ? repo_ptr->Display(p.substr(0, p.size() - 1)) + "/"
                            : repo_ptr->Display(p);
  };
  for (const std::string& p : r.added) text += "A       " + shown(p) + "\n";
  for (const std::string& p : r.modified) text += "M       " + shown(p) + "\n";
  std::vector<std::string> summary;
  if (r.files_added > 0) summary.push_back(Plural(r.files_added, "file") + " added");
  if (r.files_modified > 0) summary.push_back(Plural(r.files_modified, "file") + " modified");
  if (r.files_deleted > 0) summary.push_back(Plural(r.files_deleted, "file") + " deleted");
  if (!summary.empty()) text += fmt::format("{}\n", fmt::join(summary, " and "));
  return text;
}

core::Status RunCheckout(Context& ctx, const TargetsOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(data::CheckoutResult r, data::Checkout(*repo, o.targets, o.force));
  Print(ctx, o, CheckoutSummary(*repo, r));
  if (!r.failed.empty()) {
    std::string failed;
    for (const std::string& p : r.failed) failed += "\n" + repo->Display(p);
    return core::Status(core::Code::kResourceDoesNotExist,
                        "Checkout failed for following targets:" + failed +
                            "\nIs your cache up to date?\nhint: `pull` (or `fetch`) the data");
  }
  return core::Status::Ok();
}

core::Status RunCommit(Context& ctx, const TargetsOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(data::AddResult result, data::Commit(*repo, o.targets));
  std::vector<std::string> files;
  for (const std::string& f : result.dvc_files) files.push_back(repo->Display(f));
  Print(ctx, o, GitAddHint(files, ctx.dvc));
  return core::Status::Ok();
}

struct GcOptions : Common {
  bool workspace = false;
  bool force = false;
};

core::Status RunGc(Context& ctx, const GcOptions& o) {
  if (!o.workspace) {
    return UsageError("gc: say what to keep",
                      "-w/--workspace keeps what the workspace uses (the only scope cairn has)");
  }
  if (!o.force) {
    if (!::isatty(STDIN_FILENO)) {
      return UsageError("gc removes every cache object the workspace does not use, and asks first",
                        "pass -f/--force to confirm when not on a terminal");
    }
    std::fputs(
        "WARNING: This will remove all cache except items used in the workspace of the "
        "current repo.\nAre you sure you want to proceed? [y/n] ",
        ctx.err);
    char answer[16] = {0};
    if (std::fgets(answer, sizeof(answer), stdin) == nullptr ||
        (answer[0] != 'y' && answer[0] != 'Y')) {
      return core::Status::Cancelled("gc: nothing removed");
    }
  }
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<data::Repo> repo, OpenRepo(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(data::GcResult r, data::GarbageCollect(*repo));
  std::string text;
  text += r.removed == 0 ? "No unused 'local' cache to remove.\n"
                         : fmt::format("Removed {} objects from 'local' cache.\n", r.removed);
  text += r.removed_legacy == 0
              ? "No unused 'legacy' cache to remove.\n"
              : fmt::format("Removed {} objects from 'legacy' cache.\n", r.removed_legacy);
  Print(ctx, o, text);
  return core::Status::Ok();
}

// --- remote and config: they edit one level of the configuration ---

struct LevelOptions : Common {
  bool global = false;
  bool system = false;
  bool local = false;
  bool project = false;
};

void AddLevelFlags(CLI::App* cmd, LevelOptions& o) {
  cmd->add_flag("--global", o.global, "The global config (~/.config/dvc/config)");
  cmd->add_flag("--system", o.system, "The system config (/etc/xdg/dvc/config)");
  cmd->add_flag("--project", o.project, "The repository's .dvc/config (the default)");
  cmd->add_flag("--local", o.local, "The repository's .dvc/config.local (not in git: secrets)");
}

std::optional<data::ConfigLevel> ChosenLevel(const LevelOptions& o) {
  if (o.global) return data::ConfigLevel::kGlobal;
  if (o.system) return data::ConfigLevel::kSystem;
  if (o.local) return data::ConfigLevel::kLocal;
  if (o.project) return data::ConfigLevel::kRepo;
  return std::nullopt;
}

// The configuration, unchecked (edits are checked one by one), for a command run from cwd.
core::Result<data::Config> LoadConfig(Context& ctx, const LevelOptions& o) {
  std::string root;
  core::Result<std::string> found = data::Repo::FindRoot(ctx.env, ctx.cwd);
  if (found.ok()) {
    root = *found;
  } else {
    std::optional<data::ConfigLevel> level = ChosenLevel(o);
    if (!level || *level == data::ConfigLevel::kRepo || *level == data::ConfigLevel::kLocal) {
      return found.status();
    }
  }
  data::Config::Options options;
  options.validate = false;
  options.cwd = ctx.cwd;
  return data::Config::Load(ctx.env, data::DefaultConfigPaths(ctx.env, root), options);
}

struct RemoteOptions : LevelOptions {
  std::string name;
  std::string url;
  std::string option;
  std::string value;
  std::string new_name;
  bool make_default = false;
  bool force = false;
  bool unset = false;
};

core::Status RunRemote(Context& ctx, const RemoteOptions& o, std::string_view action) {
  CAIRN_ASSIGN_OR_RETURN(data::Config config, LoadConfig(ctx, o));
  data::ConfigLevel level = ChosenLevel(o).value_or(data::ConfigLevel::kRepo);
  if (action == "add") {
    CAIRN_RETURN_IF_ERROR(config.AddRemote(level, o.name, o.url, o.make_default, o.force));
    if (o.make_default) {
      Print(ctx, o, fmt::format("Setting '{}' as a default remote.\n", o.name));
    }
    return core::Status::Ok();
  }
  if (action == "modify") {
    if (!o.unset && o.value.empty()) {
      return UsageError(fmt::format("remote modify {} {}: a value is expected", o.name, o.option),
                        "give a VALUE, or --unset to remove the option");
    }
    std::optional<std::string_view> value;
    if (!o.unset) value = o.value;
    return config.ModifyRemote(level, o.name, o.option, value);
  }
  if (action == "remove") return config.RemoveRemote(level, o.name);
  if (action == "rename") return config.RenameRemote(level, o.name, o.new_name);
  if (action == "default") {
    if (o.unset) return config.SetDefaultRemote(level, std::nullopt);
    if (!o.name.empty()) return config.SetDefaultRemote(level, o.name);
    CAIRN_ASSIGN_OR_RETURN(std::string name, config.GetDefaultRemote(ChosenLevel(o)));
    Print(ctx, o, name + "\n");
    return core::Status::Ok();
  }
  // list
  std::string text;
  for (const data::RemoteListEntry& r : config.ListRemotes(ChosenLevel(o))) {
    text += r.name + "\t" + r.url + (r.is_default ? "\t(default)" : "") + "\n";
  }
  Print(ctx, o, text);
  return core::Status::Ok();
}

struct ConfigOptions : LevelOptions {
  std::string name;
  std::string value;
  bool unset = false;
  bool list = false;
  bool show_origin = false;
};

core::Status RunConfig(Context& ctx, const ConfigOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(data::Config config, LoadConfig(ctx, o));
  std::optional<data::ConfigLevel> level = ChosenLevel(o);
  if (o.list) {
    if (!o.name.empty()) return UsageError("-l/--list takes no NAME");
    std::string text;
    for (const data::ConfigListEntry& e : config.List(level)) {
      text += e.Format(o.show_origin) + "\n";
    }
    Print(ctx, o, text);
    return core::Status::Ok();
  }
  if (o.name.empty()) return UsageError("config: a NAME is expected", "or -l to list the options");
  if (o.unset) return config.UnsetOption(level.value_or(data::ConfigLevel::kRepo), o.name);
  if (!o.value.empty()) {
    return config.SetOption(level.value_or(data::ConfigLevel::kRepo), o.name, o.value);
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<data::ConfigListEntry> entry,
                         config.GetOption(level, o.name));
  if (entry) Print(ctx, o, (o.show_origin ? entry->origin + "\t" : "") + entry->value + "\n");
  return core::Status::Ok();
}

void AddRemoteCommands(CLI::App& parent, Context& ctx) {
  CLI::App* remote = parent.add_subcommand("remote", "Set up data remotes (local directories, S3)");
  remote->require_subcommand(1);
  auto sub = [&](const char* name, const char* help) {
    auto o = std::make_shared<RemoteOptions>();
    CLI::App* cmd = remote->add_subcommand(name, help);
    AddCommon(cmd, *o);
    AddLevelFlags(cmd, *o);
    std::string action = name;
    cmd->callback([&ctx, o, action] { ctx.status = RunRemote(ctx, *o, action); });
    return std::make_pair(cmd, o);
  };
  {
    auto [cmd, o] = sub("add", "Add a remote: NAME URL");
    cmd->add_option("name", o->name, "Name")->required();
    cmd->add_option("url", o->url, "URL: a directory, or s3://bucket/prefix")->required();
    cmd->add_flag("-d,--default", o->make_default, "Make it the default remote");
    cmd->add_flag("-f,--force", o->force, "Replace a remote of that name");
  }
  {
    auto [cmd, o] = sub("modify", "Set an option of a remote: NAME OPTION VALUE");
    cmd->add_option("name", o->name, "Remote")->required();
    cmd->add_option("option", o->option, "Option (url, endpointurl, access_key_id, ...)")
        ->required();
    cmd->add_option("value", o->value, "Value");
    cmd->add_flag("-u,--unset", o->unset, "Remove the option");
  }
  {
    auto [cmd, o] = sub("remove", "Remove a remote");
    cmd->add_option("name", o->name, "Remote")->required();
  }
  {
    auto [cmd, o] = sub("rename", "Rename a remote: NAME NEW");
    cmd->add_option("name", o->name, "Remote")->required();
    cmd->add_option("new", o->new_name, "New name")->required();
  }
  {
    auto [cmd, o] = sub("default", "Show, set or --unset the default remote");
    cmd->add_option("name", o->name, "Remote");
    cmd->add_flag("-u,--unset", o->unset, "No default remote");
  }
  sub("list", "List the remotes");
}

void AddConfigCommand(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<ConfigOptions>();
  CLI::App* cmd = parent.add_subcommand("config", "Get or set configuration options");
  AddCommon(cmd, *o);
  AddLevelFlags(cmd, *o);
  cmd->add_option("name", o->name, "section.option or remote.NAME.option");
  cmd->add_option("value", o->value, "New value");
  cmd->add_flag("-u,--unset", o->unset, "Remove the option");
  cmd->add_flag("-l,--list", o->list, "List every option");
  cmd->add_flag("--show-origin", o->show_origin, "With the file each one comes from");
  cmd->callback([&ctx, o] { ctx.status = RunConfig(ctx, *o); });
}

}  // namespace

void AddDataSubcommands(CLI::App& parent, Context& ctx) {
  struct Transfer {
    const char* name;
    const char* help;
    core::Status (*run)(Context&, const TransferCliOptions&);
  };
  for (const Transfer& t :
       {Transfer{"push", "Upload the tracked data to a remote", RunPush},
        Transfer{"pull", "Download the tracked data and check it out", RunPull},
        Transfer{"fetch", "Download the tracked data into the cache", RunFetch}}) {
    auto o = std::make_shared<TransferCliOptions>();
    CLI::App* cmd = parent.add_subcommand(t.name, t.help);
    AddCommon(cmd, *o);
    cmd->add_option("targets", o->targets, "Stage files, stages or tracked paths (default: all)");
    cmd->add_option("-r,--remote", o->remote, "The remote (default: core.remote)");
    cmd->add_option("-j,--jobs", o->jobs, "Parallel transfers (default: 4 per core)")
        ->check(CLI::Range(0, 1024));
    if (std::string_view(t.name) == "pull") {
      cmd->add_flag("-f,--force", o->force,
                    "Overwrite workspace changes that are not in the cache");
    }
    auto run = t.run;
    cmd->callback([&ctx, o, run] { ctx.status = run(ctx, *o); });
  }
  {
    auto o = std::make_shared<TargetsOptions>();
    CLI::App* cmd = parent.add_subcommand(
        "checkout", "Make the workspace match the stage files, from the cache");
    AddCommon(cmd, *o);
    cmd->add_option("targets", o->targets, "Stage files or tracked paths (default: all)");
    cmd->add_flag("-f,--force", o->force, "Overwrite changes that are not in the cache");
    cmd->callback([&ctx, o] { ctx.status = RunCheckout(ctx, *o); });
  }
  {
    auto o = std::make_shared<TargetsOptions>();
    CLI::App* cmd =
        parent.add_subcommand("commit", "Record the workspace's state of tracked outputs");
    AddCommon(cmd, *o);
    cmd->add_option("targets", o->targets, "Stage files or tracked paths (default: all)");
    cmd->add_flag("-f,--force", o->force, "Do not ask");
    cmd->callback([&ctx, o] { ctx.status = RunCommit(ctx, *o); });
  }
  {
    auto o = std::make_shared<GcOptions>();
    CLI::App* cmd = parent.add_subcommand("gc", "Remove cache objects the workspace does not use");
    AddCommon(cmd, *o);
    cmd->add_flag("-w,--workspace", o->workspace, "Keep what the workspace uses");
    cmd->add_flag("-f,--force", o->force, "Do not ask");
    cmd->callback([&ctx, o] { ctx.status = RunGc(ctx, *o); });
  }
  AddRemoteCommands(parent, ctx);
  AddConfigCommand(parent, ctx);
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
