// `cairn hash`: content digests of files and trees, printed as md5sum prints them, computed
// on every core.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/terminal.h"
#include "core/path.h"
#include "core/strings.h"
#include "sys/hash_file.h"
#include "sys/thread_pool.h"
#include "sys/walk.h"

namespace cairn::cli {
namespace {

struct HashOptions {
  std::vector<std::string> paths;
  bool sha256 = false;
  int jobs = 0;
};

core::Status RunHash(Context& ctx, const HashOptions& opts) {
  // Expand directories into their files (sorted, as DVC lists them).
  std::vector<std::string> files;
  for (const std::string& path : opts.paths) {
    core::Result<sys::FileInfo> info = ctx.env.Stat(path);
    if (!info.ok()) return info.status();
    if (!info->is_directory()) {
      files.push_back(path);
      continue;
    }
    core::Result<sys::WalkResult> walk = sys::Walk(ctx.env, path);
    if (!walk.ok()) return walk.status();
    for (const sys::WalkEntry& e : walk->files) files.push_back(core::JoinPath(path, e.path));
  }

  sys::ThreadPool pool(static_cast<size_t>(opts.jobs));
  auto algorithm = opts.sha256 ? core::Digest::Algorithm::kSha256 : core::Digest::Algorithm::kMd5;
  ProgressBar bar(ctx.env, "hashing", files.size());
  std::vector<core::Result<std::string>> digests =
      sys::HashFiles(ctx.env, files, pool, algorithm, [&bar] { bar.Add(); });
  bar.Finish();

  std::string out;
  out.reserve(files.size() * 80);
  size_t failed = 0;
  core::Status first_error;
  for (size_t i = 0; i < files.size(); ++i) {
    if (digests[i].ok()) {
      // md5sum's escape: a name with a backslash or a newline starts its line with one.
      bool escape = files[i].find_first_of("\\\n") != std::string::npos;
      if (escape) out += '\\';
      out += *digests[i];
      out += "  ";
      out += escape ? core::ReplaceAll(core::ReplaceAll(files[i], "\\", "\\\\"), "\n", "\\n")
                    : files[i];
      out += '\n';
    } else {
      if (failed++ == 0) first_error = digests[i].status();
    }
  }
  std::fwrite(out.data(), 1, out.size(), ctx.out);
  if (failed > 0) {
    return first_error.WithContext(failed == 1
                                       ? "1 file could not be hashed"
                                       : fmt::format("{} files could not be hashed", failed));
  }
  return core::Status::Ok();
}

}  // namespace

void RegisterHashCommands(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<HashOptions>();
  CLI::App* cmd = app.add_subcommand(
      "hash", "Print the MD5 (or SHA-256) of files, and of every file under directories");
  cmd->add_option("paths", opts->paths, "Files or directories")->required();
  cmd->add_flag("--sha256", opts->sha256, "SHA-256 instead of MD5");
  cmd->add_option("-j,--jobs", opts->jobs, "Threads to hash with (default: one per core)")
      ->check(CLI::Range(0, 1024));
  cmd->callback([&ctx, opts] { ctx.status = RunHash(ctx, *opts); });
}

}  // namespace cairn::cli
