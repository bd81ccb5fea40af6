// Module-private: what the built-in and local actions share: declared inputs with defaults
// (merged with a step's `with:` as the runner does, unknown ones warned about), the path
// patterns of actions/cache and upload-artifact (multi-line, globs, `!` excludes, `~`), and
// running a helper command (git, python) with its lines in the step's log.
//
// Everything here is a plain function of its arguments; thread-safe as long as the StepHost is
// used from one thread (which the job runner guarantees).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sys/env.h"
#include "workflow/actions.h"

namespace cairn::workflow {

/// One input an action declares (as in its action.yml).
struct ActionInput {
  std::string name;
  std::string default_value;
  bool required = false;
};

using InputMap = std::map<std::string, std::string>;

/// The step's `with:` values plus the defaults of the inputs it does not give (names compared
/// case-insensitively; the result uses the declared names). An unknown input logs GitHub's
/// warning ("Unexpected input(s) 'x', valid inputs are ['a', 'b']"); a required input that is
/// missing or empty is InvalidArgument "Input required and not supplied: <name>".
core::Result<InputMap> MergeInputs(StepHost& host, const std::vector<ActionInput>& specs,
                                   const InputMap& given);

/// "true" (any case) → true; "false" / "" → false; anything else InvalidArgument naming the
/// input (as @actions/core's getBooleanInput).
core::Result<bool> BoolInput(const InputMap& inputs, std::string_view name);

/// `~` and `~/x` become $HOME (of the step's environment) and $HOME/x.
std::string ExpandHome(std::string_view path, const std::map<std::string, std::string>& env);

/// The patterns of a multi-line `path:` input: lines trimmed, blanks and `#` comments dropped,
/// `!` lines as excludes; each made absolute against `base` after `~` expansion.
struct PathPatterns {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
};
PathPatterns ParsePathPatterns(std::string_view text, std::string_view base,
                               const std::map<std::string, std::string>& env);

/// The literal directory a pattern's search starts from (its segments before the first one
/// with a glob character); the pattern itself when it has none.
std::string SearchRoot(std::string_view pattern);

/// Whether absolute `path` matches absolute `pattern` (* ? [..] within a segment, ** across
/// segments, as @actions/glob: dot files match).
bool PathMatches(std::string_view pattern, std::string_view path);

/// Every regular file the patterns select (a match on a directory selects all under it),
/// absolute, sorted, without duplicates.
core::Result<std::vector<std::string>> MatchFiles(sys::Env& env, const PathPatterns& patterns);

/// The deepest directory containing all of `paths` (absolute).
std::string CommonAncestor(const std::vector<std::string>& paths);

/// Runs `argv` in `cwd` with the step's environment (plus `extra_env`), logging
/// "[command]<argv>" and each output line unless `quiet`. The output (stdout and stderr
/// merged) goes to `output` when non-null. Failure: a status naming the command and how it
/// ended (with its last output line).
core::Status RunTool(StepHost& host, const std::vector<std::string>& argv, std::string_view cwd,
                     std::string* output = nullptr, bool quiet = false,
                     const std::map<std::string, std::string>& extra_env = {});

/// The step's environment as NAME=VALUE entries.
std::vector<std::string> EnvEntries(const std::map<std::string, std::string>& env);

/// A program looked up in the PATH of `env` ("" when not found).
std::string FindOnPath(std::string_view program, const std::map<std::string, std::string>& env);

/// actions/cache's restore over the cache store (RunDirectories::cache): the paths of the
/// multi-line `path_text` (relative to the workspace), `key` then `restore_keys`. Logs what
/// happened; sets `matched_key` ("" when nothing matched). True on an exact hit.
core::Result<bool> RestoreCache(StepHost& host, std::string_view path_text, const std::string& key,
                                const std::vector<std::string>& restore_keys, bool lookup_only,
                                std::string* matched_key);
/// actions/cache's save: the files `path_text` selects under `key`; problems (no files, the
/// key saved already) are warnings in the log, as actions/cache makes them.
void SaveCache(StepHost& host, std::string_view path_text, const std::string& key);

/// The built-in actions and local ones (action_*.cc).
std::unique_ptr<Action> NewCheckoutAction();
std::unique_ptr<Action> NewSetupPythonAction();
enum class CacheMode { kRestoreAndSave, kRestore, kSave };
std::unique_ptr<Action> NewCacheAction(CacheMode mode);
std::unique_ptr<Action> NewUploadArtifactAction();
std::unique_ptr<Action> NewDownloadArtifactAction();
core::Result<std::unique_ptr<Action>> LoadLocalAction(const UsesRef& uses,
                                                      std::string_view workspace);

}  // namespace cairn::workflow
