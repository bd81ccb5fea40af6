// Inputs, path patterns and helper commands shared by the actions (see action_support.h).
#include "workflow/action_support.h"

#include <fnmatch.h>

#include <algorithm>
#include <set>
#include <utility>

#include "core/path.h"
#include "core/strings.h"
#include "sys/subprocess.h"
#include "sys/walk.h"

namespace cairn::workflow {

core::Result<InputMap> MergeInputs(StepHost& host, const std::vector<ActionInput>& specs,
                                   const InputMap& given) {
  InputMap merged;
  std::vector<std::string> unknown;
  for (const auto& [name, value] : given) {
    auto it = std::find_if(specs.begin(), specs.end(), [&](const ActionInput& s) {
      return core::EqualsIgnoreCase(s.name, name);
    });
    if (it == specs.end()) {
      unknown.push_back(name);
      merged[name] = value;
    } else {
      merged[it->name] = value;
    }
  }
  if (!unknown.empty()) {
    std::vector<std::string> quoted_unknown;
    for (const std::string& u : unknown) quoted_unknown.push_back("'" + u + "'");
    std::vector<std::string> valid;
    for (const ActionInput& s : specs) valid.push_back("'" + s.name + "'");
    host.Log(LineKind::kAnnotation, "Warning: Unexpected input(s) " +
                                        core::Join(quoted_unknown, ", ") + ", valid inputs are [" +
                                        core::Join(valid, ", ") + "]");
  }
  for (const ActionInput& spec : specs) {
    auto it = merged.find(spec.name);
    if (it == merged.end()) it = merged.emplace(spec.name, spec.default_value).first;
    if (spec.required && it->second.empty()) {
      return core::Status::InvalidArgument("Input required and not supplied: " + spec.name);
    }
  }
  return merged;
}

core::Result<bool> BoolInput(const InputMap& inputs, std::string_view name) {
  auto it = inputs.find(std::string(name));
  if (it == inputs.end()) return false;
  std::string value = core::ToLower(core::Trim(it->second));
  if (value == "true") return true;
  if (value == "false" || value.empty()) return false;
  return core::Status::InvalidArgument(
      "Input does not meet YAML 1.2 \"Core Schema\" specification: " + std::string(name) +
      "\nSupport boolean input list: `true | True | TRUE | false | False | FALSE`");
}

std::string ExpandHome(std::string_view path, const std::map<std::string, std::string>& env) {
  if (path.empty() || path[0] != '~') return std::string(path);
  if (path.size() > 1 && path[1] != '/') return std::string(path);
  auto home = env.find("HOME");
  std::string base = home != env.end() ? home->second : "";
  return base + std::string(path.substr(1));
}

PathPatterns ParsePathPatterns(std::string_view text, std::string_view base,
                               const std::map<std::string, std::string>& env) {
  PathPatterns out;
  for (std::string_view raw : core::SplitLines(text)) {
    std::string_view line = core::Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    bool exclude = false;
    while (!line.empty() && line[0] == '!') {
      exclude = !exclude;
      line.remove_prefix(1);
    }
    std::string path = ExpandHome(line, env);
    if (!core::IsAbsolutePath(path)) path = core::JoinPath(base, path);
    path = core::NormalizePath(path);
    (exclude ? out.exclude : out.include).push_back(std::move(path));
  }
  return out;
}

namespace {

bool HasGlob(std::string_view segment) {
  return segment.find_first_of("*?[") != std::string_view::npos;
}

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  for (std::string_view s : core::Split(path, '/')) {
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

bool MatchSegments(const std::vector<std::string_view>& pattern, size_t pi,
                   const std::vector<std::string_view>& path, size_t si) {
  if (pi == pattern.size()) return si == path.size();
  if (pattern[pi] == "**") {
    for (size_t k = si; k <= path.size(); ++k) {
      if (MatchSegments(pattern, pi + 1, path, k)) return true;
    }
    return false;
  }
  if (si == path.size()) return false;
  std::string p(pattern[pi]);
  std::string s(path[si]);
  if (fnmatch(p.c_str(), s.c_str(), 0) != 0) return false;
  return MatchSegments(pattern, pi + 1, path, si + 1);
}

// Whether `path` or one of its ancestors matches `pattern`.
bool SelectedBy(std::string_view pattern, std::string_view path) {
  std::vector<std::string_view> pat = Segments(pattern);
  std::vector<std::string_view> segs = Segments(path);
  while (true) {
    if (MatchSegments(pat, 0, segs, 0)) return true;
    if (segs.empty()) return false;
    segs.pop_back();
  }
}

}  // namespace

std::string SearchRoot(std::string_view pattern) {
  std::string root;
  for (std::string_view seg : Segments(pattern)) {
    if (HasGlob(seg)) break;
    root += "/";
    root += seg;
  }
  return root.empty() ? "/" : root;
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  return MatchSegments(Segments(pattern), 0, Segments(path), 0);
}

core::Result<std::vector<std::string>> MatchFiles(sys::Env& env, const PathPatterns& patterns) {
  std::set<std::string> files;
  for (const std::string& pattern : patterns.include) {
    std::string root = SearchRoot(pattern);
    auto info = env.Stat(root);
    if (!info.ok()) continue;
    if (info->is_regular()) {
      if (SelectedBy(pattern, root)) files.insert(root);
      continue;
    }
    if (!info->is_directory()) continue;
    CAIRN_ASSIGN_OR_RETURN(sys::WalkResult walk, sys::Walk(env, root));
    for (const sys::WalkEntry& entry : walk.files) {
      if (!entry.info.is_regular()) continue;
      std::string full = core::JoinPath(root, entry.path);
      if (SelectedBy(pattern, full)) files.insert(std::move(full));
    }
  }
  std::vector<std::string> out;
  for (const std::string& file : files) {
    bool excluded = std::any_of(patterns.exclude.begin(), patterns.exclude.end(),
                                [&](const std::string& ex) { return SelectedBy(ex, file); });
    if (!excluded) out.push_back(file);
  }
  return out;
}

std::string CommonAncestor(const std::vector<std::string>& paths) {
  if (paths.empty()) return "/";
  std::vector<std::string_view> common = Segments(paths[0]);
  for (size_t i = 1; i < paths.size(); ++i) {
    std::vector<std::string_view> segs = Segments(paths[i]);
    size_t n = 0;
    while (n < common.size() && n < segs.size() && common[n] == segs[n]) ++n;
    common.resize(n);
  }
  std::string out;
  for (std::string_view s : common) {
    out += "/";
    out += s;
  }
  return out.empty() ? "/" : out;
}

std::vector<std::string> EnvEntries(const std::map<std::string, std::string>& env) {
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::string FindOnPath(std::string_view program, const std::map<std::string, std::string>& env) {
  auto path = env.find("PATH");
  std::string dirs = path != env.end() ? path->second : "/usr/local/bin:/usr/bin:/bin";
  std::unique_ptr<sys::Env> os = sys::NewPosixEnv();
  for (std::string_view dir : core::Split(dirs, ':')) {
    if (dir.empty()) continue;
    std::string candidate = core::JoinPath(dir, program);
    auto info = os->Stat(candidate);
    if (info.ok() && info->is_regular() && info->executable()) return candidate;
  }
  return "";
}

core::Status RunTool(StepHost& host, const std::vector<std::string>& argv, std::string_view cwd,
                     std::string* output, bool quiet,
                     const std::map<std::string, std::string>& extra_env) {
  std::map<std::string, std::string> env = host.env();
  for (const auto& [k, v] : extra_env) env[k] = v;
  sys::SubprocessOptions options;
  options.argv = argv;
  options.env = EnvEntries(env);
  options.cwd = std::string(cwd);
  options.merge_stderr = true;
  options.stop = host.stop();
  std::string command = core::Join(argv, " ");
  if (!quiet) host.Log(LineKind::kCommand, "[command]" + command);
  std::string last_line;
  auto status = sys::Run(options, [&](std::string_view line) {
    if (output != nullptr) {
      output->append(line);
      output->push_back('\n');
    }
    if (!core::Trim(line).empty()) last_line = std::string(line);
    if (!quiet) host.Log(LineKind::kOutput, line);
  });
  if (!status.ok()) return status.status();
  if (!status->ok()) {
    std::string message = "'" + command + "' " + status->ToString();
    if (!last_line.empty()) message += ": " + last_line;
    if (status->cancelled) return core::Status::Cancelled(message);
    return core::Status::Internal(message);
  }
  return core::Status::Ok();
}

}  // namespace cairn::workflow
