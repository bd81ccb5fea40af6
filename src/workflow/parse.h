// workflow/parse.h: reading a workflow file into the model (workflow/model.h), with GitHub's
// validation: the schema's keys and types, which contexts and functions each expression may use,
// ids, `needs` (unknown jobs, cycles), `uses:` syntax, matrix shapes, and reusable workflows
// (a called local file is loaded and its inputs and secrets checked against the caller).
//
// Every problem is reported, not only the first, in file order, each as
// "file:line:col: what is wrong" (Result's status message joins them one per line).
// Functions are pure apart from reading the files they are asked to; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "workflow/model.h"

namespace cairn::workflow {

struct ParseOptions {
  /// Where `uses: ./.github/workflows/x.yml` is read from ("" : such files are not loaded, and
  /// not checked, unless `workflows` holds them).
  std::string repository_root;
  /// Called workflows by reference ("./.github/workflows/x.yml",
  /// "owner/repo/.github/workflows/x.yml@v1") -> their text. Looked up before the disk.
  std::map<std::string, std::string, std::less<>> workflows;
  /// How deep reusable workflows may call each other (GitHub's default: 4 levels in total).
  int max_nesting = 4;
  /// Limits GitHub applies (0: none): the file's size in characters, the depth of nested
  /// mappings and sequences, the number of jobs (counting the jobs of called workflows).
  size_t max_file_size = 0;
  int max_depth = 50;
  int max_jobs = 0;
  /// The size of the parsed result, measured as GitHub's reader measures its tokens (24 bytes
  /// a node, 50 more plus 2 per UTF-16 unit for a string, and each file's name), for the file
  /// and the workflows it calls together ("Maximum object size exceeded"); 0: none.
  size_t max_result_size = 0;
  /// The GITHUB_TOKEN permissions a job gets when neither it nor its workflow sets any (the
  /// repository setting): all scopes write, or only contents and packages read. Called
  /// workflows may not ask for more than their caller has.
  enum class PermissionsPolicy { kWrite, kLimitedRead };
  PermissionsPolicy permissions_policy = PermissionsPolicy::kWrite;
  /// GitHub's preview: step `background`, `wait`, `wait-all`, `cancel`.
  bool allow_background_steps = false;
};

/// One error, with where it was found.
struct ParseError {
  core::Location location;
  std::string message;  // without the location
  /// "file:line:col: message".
  std::string ToString() const;
};

/// Parses `text` (the contents of `filename`, used in locations). On failure, the status is
/// INVALID_PARAMETER_VALUE with every error on its own line.
core::Result<Workflow> ParseWorkflow(std::string_view text, std::string_view filename,
                                     const ParseOptions& options = {});

/// The same, also returning every error separately (empty when the workflow is valid; the
/// Workflow is then complete).
core::Result<Workflow> ParseWorkflow(std::string_view text, std::string_view filename,
                                     const ParseOptions& options, std::vector<ParseError>* errors);

/// Reads and parses a file. When `options.repository_root` is empty, the repository is the one
/// containing the file (the directory above `.github/workflows/`), if any.
core::Result<Workflow> LoadWorkflowFile(std::string_view path, ParseOptions options = {});

}  // namespace cairn::workflow
