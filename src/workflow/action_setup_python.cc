// actions/setup-python without downloads: finds an installed interpreter matching
// `python-version` ("3.11", "3.x", "3", ">=3.9", ">=3.9 <3.12", "3.11.4"; the last line of a
// multi-line value; else `python-version-file`, else .python-version, else any python 3) among
// python3 and python3.N on PATH, /usr/local/bin and /usr/bin, and puts a directory of shims
// first on PATH: python, python3 and python3.N (symlinks to it) and pip, pip3 (scripts running
// `python -m pip`). Outputs python-version and python-path; exports pythonLocation and
// Python_ROOT_DIR / Python3_ROOT_DIR (update-environment). Fails listing the interpreters it
// found when none matches.
//
// `cache: pip`: pip's cache directory restored from the cache store under
// setup-python-Linux-x64-python-<version>-pip-<hash of the requirements files> (hashFiles'
// algorithm over `cache-dependency-path`, default **/requirements*.txt), saved by the post
// step when there was no exact hit and the job succeeded.
//
// One SetupPythonAction serves one step (main and post), on the job's thread.
#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/path.h"
#include "core/strings.h"
#include "sys/env.h"
#include "sys/hash_file.h"
#include "workflow/action_support.h"

namespace cairn::workflow {
namespace {

using Version = std::vector<int>;

std::optional<Version> ParseVersion(std::string_view text, bool allow_x) {
  Version out;
  for (std::string_view part : core::Split(text, '.')) {
    if (allow_x && (part == "x" || part == "X" || part == "*")) break;
    auto n = core::ParseInt64(part);
    if (!n || *n < 0) return std::nullopt;
    out.push_back(static_cast<int>(*n));
  }
  if (out.empty() && !allow_x) return std::nullopt;
  return out;
}

std::string VersionText(const Version& v) {
  std::vector<std::string> parts;
  for (int p : v) parts.push_back(std::to_string(p));
  return core::Join(parts, ".");
}

// One comparison of a spec: `op` against the first `want.size()` parts of a version.
struct Constraint {
  std::string op;  // "=", ">=", ">", "<=", "<", "^", "~"
  Version want;
};

core::Result<std::vector<Constraint>> ParseSpec(std::string_view spec) {
  std::vector<Constraint> out;
  std::string text = core::ReplaceAll(spec, ",", " ");
  for (std::string_view word : core::Split(text, ' ')) {
    if (word.empty()) continue;
    Constraint c;
    for (std::string_view op : {">=", "<=", "==", ">", "<", "=", "^", "~"}) {
      if (word.starts_with(op)) {
        c.op = op == "==" ? "=" : std::string(op);
        word.remove_prefix(op.size());
        break;
      }
    }
    if (c.op.empty()) c.op = "=";
    auto v = ParseVersion(core::Trim(word), true);
    if (!v) {
      return core::Status::InvalidArgument(
          "actions/setup-python: python-version '" + std::string(spec) +
          "' is not a version cairn understands (examples: 3.11, 3.x, >=3.9, '>=3.9 <3.12'); "
          "PyPy, GraalPy and free-threaded builds are not supported");
    }
    c.want = *v;
    out.push_back(std::move(c));
  }
  return out;
}

bool Satisfies(const Version& have, const Constraint& c) {
  Version head(have.begin(), have.begin() + std::min(have.size(), c.want.size()));
  while (head.size() < c.want.size()) head.push_back(0);
  if (c.op == "=") return head == c.want;
  if (c.op == ">=") return head >= c.want;
  if (c.op == ">") return head > c.want;
  if (c.op == "<=") return head <= c.want;
  if (c.op == "<") return head < c.want;
  if (c.op == "^")
    return head >= c.want && !have.empty() && !c.want.empty() && have[0] == c.want[0];
  if (c.op == "~") {
    size_t n = std::min<size_t>(2, c.want.size());
    return head >= c.want && Version(have.begin(), have.begin() + std::min(n, have.size())) ==
                                 Version(c.want.begin(), c.want.begin() + n);
  }
  return false;
}

struct Interpreter {
  std::string path;  // as found (e.g. /usr/bin/python3.11)
  Version version;   // from running it; from its name (python3.N) when it was not run
  bool queried = false;
};

// Whether a python named for `name_version` (major.minor) could satisfy `c`.
bool CouldSatisfy(const Version& name_version, const Constraint& c) {
  if (c.want.size() <= name_version.size()) return Satisfies(name_version, c);
  Version want(c.want.begin(), c.want.begin() + name_version.size());
  if (c.op == "=" || c.op == "~") return name_version == want;
  if (c.op == ">=" || c.op == ">" || c.op == "^") return name_version >= want;
  return name_version <= want;  // "<=", "<"
}

// The directories searched: PATH, /usr/local/bin, /usr/bin; a pyenv shims directory is
// replaced by the bin directories of its versions (running a shim costs a pyenv startup).
std::vector<std::string> SearchDirs(StepHost& host, sys::Env& env) {
  std::vector<std::string> raw;
  auto path = host.env().find("PATH");
  if (path != host.env().end()) {
    for (std::string_view d : core::Split(path->second, ':')) {
      if (!d.empty()) raw.emplace_back(d);
    }
  }
  raw.push_back("/usr/local/bin");
  raw.push_back("/usr/bin");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& dir : raw) {
    if (dir.find("_setup-python") != std::string::npos) continue;  // our own shims
    std::string versions = core::JoinPath(core::Dirname(dir), "versions");
    if (core::Basename(dir) == "shims" && env.IsDirectory(versions)) {
      auto listing = env.ListDir(versions);
      if (!listing.ok()) continue;
      std::vector<std::string> names;
      for (const sys::DirEntry& e : *listing) names.push_back(e.name);
      std::sort(names.begin(), names.end());
      for (const std::string& n : names) {
        std::string bin = core::JoinPath(core::JoinPath(versions, n), "bin");
        if (seen.insert(bin).second) out.push_back(bin);
      }
      continue;
    }
    if (seen.insert(dir).second) out.push_back(dir);
  }
  return out;
}

std::optional<Version> Query(StepHost& host, const std::string& exe) {
  std::string output;
  core::Status ran =
      RunTool(host, {exe, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"},
              host.workspace(), &output, true);
  if (!ran.ok()) return std::nullopt;
  return ParseVersion(core::Trim(output), false);
}

// The best interpreter for `constraints`, or null; `found` lists every candidate. Named ones
// (python3.N) that could match are run from the highest N down until one matches; plain
// `python3`s are run only when none does.
std::optional<Interpreter> SelectInterpreter(StepHost& host, sys::Env& env,
                                             const std::vector<Constraint>& constraints,
                                             std::vector<Interpreter>* found) {
  std::vector<Interpreter> named;
  std::vector<Interpreter> plain;
  std::set<std::string> seen_files;
  for (const std::string& dir : SearchDirs(host, env)) {
    auto listing = env.ListDir(dir);
    if (!listing.ok()) continue;
    std::vector<std::string> names;
    for (const sys::DirEntry& e : *listing) names.push_back(e.name);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      std::optional<Version> by_name;
      if (name != "python3") {
        if (!name.starts_with("python3.")) continue;
        by_name = ParseVersion(std::string_view(name).substr(6), false);
        if (!by_name || by_name->size() != 2) continue;
      }
      std::string exe = core::JoinPath(dir, name);
      auto info = env.Stat(exe);
      if (!info.ok() || !info->is_regular() || !info->executable()) continue;
      std::string identity = std::to_string(info->device) + ":" + std::to_string(info->inode);
      if (!seen_files.insert(identity + (by_name ? "" : "+plain")).second) continue;
      (by_name ? named : plain).push_back({exe, by_name.value_or(Version{}), false});
    }
  }
  std::stable_sort(named.begin(), named.end(), [](const Interpreter& a, const Interpreter& b) {
    return a.version > b.version;
  });
  auto satisfies_all = [&](const Version& v) {
    return std::all_of(constraints.begin(), constraints.end(),
                       [&](const Constraint& c) { return Satisfies(v, c); });
  };
  std::optional<Interpreter> best;
  for (Interpreter& i : named) {
    bool possible = std::all_of(constraints.begin(), constraints.end(),
                                [&](const Constraint& c) { return CouldSatisfy(i.version, c); });
    if (!possible || best) continue;
    if (auto v = Query(host, i.path)) {
      i.version = *v;
      i.queried = true;
      if (satisfies_all(*v)) best = i;
    }
  }
  if (!best) {
    for (Interpreter& i : plain) {
      if (auto v = Query(host, i.path)) {
        i.version = *v;
        i.queried = true;
        if (satisfies_all(*v) && (!best || i.version > best->version)) best = i;
      }
    }
  }
  found->insert(found->end(), named.begin(), named.end());
  found->insert(found->end(), plain.begin(), plain.end());
  return best;
}

const std::vector<ActionInput>& SetupPythonInputs() {
  static const std::vector<ActionInput> kInputs = {{"python-version", "", false},
                                                   {"python-version-file", "", false},
                                                   {"cache", "", false},
                                                   {"architecture", "", false},
                                                   {"check-latest", "false", false},
                                                   {"token", "", false},
                                                   {"cache-dependency-path", "", false},
                                                   {"update-environment", "true", false},
                                                   {"allow-prereleases", "false", false},
                                                   {"freethreaded", "false", false}};
  return kInputs;
}

class SetupPythonAction : public Action {
 public:
  core::Result<Conclusion> Main(StepHost& host, const InputMap& given) override {
    CAIRN_ASSIGN_OR_RETURN(InputMap inputs, MergeInputs(host, SetupPythonInputs(), given));
    std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
    CAIRN_ASSIGN_OR_RETURN(std::string spec, VersionSpec(host, *env, inputs));
    CAIRN_ASSIGN_OR_RETURN(std::vector<Constraint> constraints, ParseSpec(spec));
    std::string arch = core::ToLower(core::Trim(inputs["architecture"]));
    if (!arch.empty() && arch != "x64") {
      host.Log(LineKind::kAnnotation,
               "Warning: architecture '" + arch + "' ignored: cairn uses the host's interpreters");
    }
    std::vector<Interpreter> found;
    std::optional<Interpreter> best = SelectInterpreter(host, *env, constraints, &found);
    if (!best) {
      std::vector<std::string> listed;
      for (const Interpreter& i : found)
        listed.push_back(i.path + " (" + VersionText(i.version) + ")");
      host.Log(LineKind::kAnnotation,
               "Error: The version '" + spec +
                   "' with architecture 'x64' was not found among the installed interpreters: " +
                   (listed.empty() ? std::string("none") : core::Join(listed, ", ")) +
                   ". cairn does not download Python: install a matching one (your package "
                   "manager, pyenv, or 'uv python install') so that python3.N is on PATH.");
      return Conclusion::kFailure;
    }
    version_ = VersionText(best->version);
    CAIRN_ASSIGN_OR_RETURN(std::string shims, MakeShims(host, *env, *best));
    host.AddPath(shims);
    host.Log(LineKind::kOutput,
             "Successfully set up CPython (" + version_ + ") from " + best->path);
    host.SetOutput("python-version", version_);
    host.SetOutput("python-path", best->path);
    CAIRN_ASSIGN_OR_RETURN(bool update_env, BoolInput(inputs, "update-environment"));
    if (update_env) {
      std::string prefix(core::Dirname(core::Dirname(best->path)));
      host.ExportEnv("pythonLocation", prefix);
      host.ExportEnv("Python_ROOT_DIR", prefix);
      host.ExportEnv("Python3_ROOT_DIR", prefix);
    }
    std::string cache = core::ToLower(core::Trim(inputs["cache"]));
    if (cache.empty()) return Conclusion::kSuccess;
    if (cache != "pip") {
      return core::Status::InvalidArgument("actions/setup-python: cache '" + inputs["cache"] +
                                           "' is not supported by cairn (only 'pip')");
    }
    return RestorePip(host, *env, *best, inputs["cache-dependency-path"]);
  }

  std::optional<std::string> PostIf() const override { return std::string("success()"); }

  core::Result<Conclusion> Post(StepHost& host, const InputMap&) override {
    if (cache_key_.empty()) return Conclusion::kSuccess;
    if (cache_hit_) {
      host.Log(LineKind::kOutput,
               "Cache hit occurred on the primary key " + cache_key_ + ", not saving cache.");
      return Conclusion::kSuccess;
    }
    SaveCache(host, cache_dir_, cache_key_);
    return Conclusion::kSuccess;
  }

 private:
  static core::Result<std::string> VersionSpec(StepHost& host, sys::Env& env,
                                               const InputMap& inputs) {
    std::string spec;
    for (std::string_view line : core::SplitLines(inputs.at("python-version"))) {
      if (!core::Trim(line).empty()) spec = std::string(core::Trim(line));
    }
    if (!spec.empty()) return spec;
    std::string file = std::string(core::Trim(inputs.at("python-version-file")));
    bool explicit_file = !file.empty();
    if (!explicit_file) file = ".python-version";
    std::string full = core::IsAbsolutePath(file) ? file : core::JoinPath(host.workspace(), file);
    auto text = env.ReadFile(full);
    if (!text.ok()) {
      if (explicit_file) {
        return core::Status::NotFound("actions/setup-python: python-version-file '" + file +
                                      "' does not exist in the workspace");
      }
      host.Log(LineKind::kAnnotation,
               "Warning: Neither 'python-version' nor 'python-version-file' inputs were "
               "supplied. Attempting to find '.python-version' file. .python-version doesn't "
               "exist. The python binary on the PATH will be used.");
      return std::string("3");
    }
    for (std::string_view line : core::SplitLines(*text)) {
      std::string_view t = core::Trim(line);
      if (!t.empty() && t[0] != '#') return std::string(t);
    }
    return core::Status::InvalidArgument("actions/setup-python: " + file + " names no version");
  }

  core::Result<std::string> MakeShims(StepHost& host, sys::Env& env, const Interpreter& python) {
    std::string dir = core::JoinPath(
        core::JoinPath(core::JoinPath(host.runner_temp(), "_setup-python"), version_), "bin");
    CAIRN_RETURN_IF_ERROR(env.CreateDirs(dir));
    std::string minor = "python" + std::to_string(python.version[0]) +
                        (python.version.size() > 1 ? "." + std::to_string(python.version[1]) : "");
    for (const std::string& name : {std::string("python"), std::string("python3"), minor}) {
      std::string link = core::JoinPath(dir, name);
      (void)env.Remove(link);
      CAIRN_RETURN_IF_ERROR(env.Symlink(python.path, link));
    }
    std::string pip = "#!/bin/sh\nexec '" + python.path + "' -m pip \"$@\"\n";
    for (const char* name : {"pip", "pip3"}) {
      CAIRN_RETURN_IF_ERROR(
          env.WriteFile(core::JoinPath(dir, name), pip, sys::WriteOptions{.mode = 0755}));
    }
    return dir;
  }

  core::Result<Conclusion> RestorePip(StepHost& host, sys::Env& env, const Interpreter& python,
                                      const std::string& dependency_path) {
    std::string patterns_text =
        core::Trim(dependency_path).empty() ? "**/requirements*.txt" : dependency_path;
    PathPatterns patterns = ParsePathPatterns(patterns_text, host.workspace(), host.env());
    CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> files, MatchFiles(env, patterns));
    if (files.empty()) {
      host.Log(LineKind::kAnnotation,
               "Error: No file in " + host.workspace() + " matched to [" +
                   core::Join(core::SplitLines(core::Trim(patterns_text)), ", ") +
                   "], make sure you have checked out the target repository");
      return Conclusion::kFailure;
    }
    // hashFiles: SHA-256 of each file, fed (as bytes) into an outer SHA-256.
    core::Digest outer(core::Digest::Algorithm::kSha256);
    for (const std::string& file : files) {
      CAIRN_ASSIGN_OR_RETURN(std::string hex,
                             sys::HashFile(env, file, core::Digest::Algorithm::kSha256));
      outer.Update(*core::HexDecode(hex));
    }
    // pip's cache directory: PIP_CACHE_DIR when set (pip uses it), else what pip says.
    auto pip_env = host.env().find("PIP_CACHE_DIR");
    std::string dir = pip_env != host.env().end() ? pip_env->second : "";
    if (dir.empty()) {
      std::string output;
      core::Status asked = RunTool(host, {python.path, "-m", "pip", "cache", "dir"},
                                   host.workspace(), &output, true);
      dir = std::string(core::Trim(output));
      if (!asked.ok() || dir.empty() || dir.find('\n') != std::string::npos) {
        dir = ExpandHome("~/.cache/pip", host.env());
      }
    }
    cache_dir_ = dir;
    cache_key_ = "setup-python-Linux-x64-python-" + version_ + "-pip-" + outer.FinishHex();
    std::string matched;
    CAIRN_ASSIGN_OR_RETURN(cache_hit_,
                           RestoreCache(host, cache_dir_, cache_key_, {}, false, &matched));
    host.SetOutput("cache-hit", cache_hit_ ? "true" : "false");
    return Conclusion::kSuccess;
  }

  std::string version_;
  std::string cache_dir_;
  std::string cache_key_;
  bool cache_hit_ = false;
};

}  // namespace

std::unique_ptr<Action> NewSetupPythonAction() { return std::make_unique<SetupPythonAction>(); }

}  // namespace cairn::workflow
