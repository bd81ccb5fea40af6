// `.dvcignore` rules and `.gitignore` entries (docs/formats/dvcignore.md).
//
// Owns: the gitwildmatch pattern compiler and matcher (IgnorePattern: the regular expression
// pathspec 0.11 builds for a pattern, matched the way Python's `re` does), the rules of a
// repository (IgnoreRules: DVC's built-in rules, every `.dvcignore`, sub-repositories), a lazy
// loader for a tree walk (IgnoreFilter), the `.gitignore` edits of `dvc add` / `dvc remove`,
// and the two files `dvc init` writes (`.dvc/.gitignore`, `.dvcignore`).
//
// Semantics are DVC 3.64's, which differ from git's in a few places (listed in the doc): a
// pattern line is stripped of surrounding whitespace, `[^...]` is a literal caret,
// `dir/**` also ignores `dir` itself, and the patterns of a nested `.dvcignore` are rewritten
// the way DVC's merge_patterns rewrites them.
//
// Paths are repo-relative, '/'-separated, without a leading "./" or "/". Rules and filters are
// not synchronized; IgnorePattern is immutable once compiled (share it freely).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "sys/env.h"

namespace cairn::data {

/// One compiled gitwildmatch pattern (pathspec's GitWildMatchPattern).
class IgnorePattern {
 public:
  /// Compiles one pattern line. nullopt for a line that does nothing (blank, `#` comment, a
  /// lone `/`). InvalidArgument for what pathspec refuses: a trailing backslash, a lone `!`,
  /// a bracket range that runs backwards (`[z-a]`).
  static core::Result<std::optional<IgnorePattern>> Compile(std::string_view pattern);

  /// A `!` pattern: a match re-includes the path.
  bool negated() const { return negated_; }
  /// The pattern as given (stripped, `!` included).
  const std::string& text() const { return text_; }

  /// True when `path` matches, as DVC asks: the path itself, and for a directory also
  /// `path + "/"` (which is what makes `dir/` match only directories).
  bool Matches(std::string_view path, bool is_dir) const;

 private:
  // The pieces of pathspec's regular expression; `.` is any code point but '\n'.
  enum class Op : uint8_t {
    kLiteral,    // one code point
    kStarRun,    // [^/]*
    kOne,        // [^/]
    kPlusRun,    // [^/]+
    kClass,      // [...] from a bracket expression
    kAnyPrefix,  // (?:.+/)?
    kInnerAny,   // (?:/.+)?
    kSuffixOpt,  // (?:/.*)?
    kSuffixReq,  // /.*
    kDotPlus,    // .+
    kDotStar,    // .*
  };
  struct Token {
    Op op;
    char32_t ch = 0;                                    // kLiteral
    bool negate = false;                                // kClass
    std::vector<std::pair<char32_t, char32_t>> ranges;  // kClass: inclusive
  };
  static core::Status TranslateSegment(std::u32string_view seg, std::vector<Token>* out);
  bool MatchText(const std::u32string& s) const;

  std::string text_;
  bool negated_ = false;
  std::vector<Token> tokens_;
};

/// Where a rule came from.
struct IgnoreRule {
  /// The `.dvcignore` that holds it, repo-relative ("sub/.dvcignore"); empty for built-ins.
  std::string file;
  int line = 0;
  /// The line as written (stripped).
  std::string text;
  /// The pattern matched against repo-relative paths (a nested file's pattern rewritten).
  IgnorePattern pattern;

  /// DVC's `check-ignore -d` form "<file>:<line>:<pattern>"; "" for built-ins; for a
  /// sub-repository "in sub_repo:<name>".
  std::string Source() const;
};

/// The answer for one path.
struct IgnoreMatch {
  bool ignored = false;
  /// The rule that decided (the last one that matched), or null when none did. Points into
  /// the IgnoreRules it came from.
  const IgnoreRule* rule = nullptr;
  /// Every rule that matched the path, in file order (`check-ignore -d -a`).
  std::vector<const IgnoreRule*> matched;
};

/// The rules of one repository: the built-ins, then each `.dvcignore` added. A rule of the
/// `.dvcignore` in `dir` applies to the paths under `dir`; later rules win.
class IgnoreRules {
 public:
  /// With DVC's built-in rules: `.hg/`, `.git/`, `.git`, `.dvc/`.
  IgnoreRules();
  IgnoreRules(IgnoreRules&&) = default;
  IgnoreRules& operator=(IgnoreRules&&) = default;
  IgnoreRules(const IgnoreRules&) = delete;
  IgnoreRules& operator=(const IgnoreRules&) = delete;

  /// Adds the `.dvcignore` in repo-relative `dir` ("" is the root) whose content is `text`.
  /// Errors: InvalidArgument "<dir>/.dvcignore:<line>: ..." for a pattern pathspec refuses or
  /// text that is not UTF-8 (DVC fails on both).
  core::Status AddFile(std::string_view dir, std::string_view text);
  /// Adds one rule as if it were line `line` of `dir`'s `.dvcignore`.
  core::Status AddPattern(std::string_view dir, std::string_view pattern, int line = 0);
  /// Marks `dir` (repo-relative, not the root) as a sub-repository: it is ignored.
  void AddSubrepo(std::string_view dir);

  /// The verdict for an entry of a walk: `path`, whose parent directories are not ignored,
  /// against the rules of the root and of every `.dvcignore` above it.
  IgnoreMatch MatchEntry(std::string_view path, bool is_dir) const;
  /// The verdict for any path: a parent directory that is ignored ignores it (a walk never
  /// gets there), and the first such parent's match is returned.
  IgnoreMatch Check(std::string_view path, bool is_dir) const;

  /// Directories with a `.dvcignore` that was added.
  std::vector<std::string> Directories() const;
  /// True while no rule but the built-ins exists (no .dvcignore pattern, no sub-repository):
  /// then BuiltinVerdict() decides, without pattern matching.
  bool OnlyBuiltins() const { return rules_.size() == kBuiltinCount; }
  /// The built-ins' verdict: `.git` (file or directory), `.hg/`, `.dvc/`, at any depth.
  static bool BuiltinVerdict(std::string_view path, bool is_dir);

  static constexpr size_t kBuiltinCount = 4;

 private:
  std::deque<IgnoreRule> rules_;  // stable addresses: IgnoreMatch points into it
  // dir ("" for the root, which also holds the built-ins) -> indexes into rules_, in order.
  std::map<std::string, std::vector<size_t>, std::less<>> by_dir_;
  std::map<std::string, size_t, std::less<>> subrepos_;  // dir -> index of its rule
};

/// Rules for a repository on disk, loaded as paths are asked about: the `.dvcignore` of a
/// directory is read the first time something under it is checked (unless that `.dvcignore`
/// is itself ignored), and a directory holding `.dvc` is a sub-repository (ignored).
class IgnoreFilter {
 public:
  /// `root`: the repository's root directory, absolute or relative to the process's cwd.
  IgnoreFilter(sys::Env& env, std::string root);

  /// As IgnoreRules::MatchEntry, loading what is needed.
  core::Result<IgnoreMatch> MatchEntry(std::string_view path, bool is_dir);
  /// As IgnoreRules::Check, loading what is needed.
  core::Result<IgnoreMatch> Check(std::string_view path, bool is_dir);
  /// For sys::WalkOptions::skip: true when ignored. An error is kept (see status()) and the
  /// entry is skipped.
  bool Skip(std::string_view path, bool is_dir);
  /// The first error Skip() met.
  const core::Status& status() const { return status_; }

  const IgnoreRules& rules() const { return rules_; }

 private:
  core::Status Load(std::string_view dir);

  sys::Env* env_;
  std::string root_;
  IgnoreRules rules_;
  std::map<std::string, bool, std::less<>> loaded_;  // dirs whose .dvcignore was looked at
  core::Status status_;
};

/// pathspec's GitWildMatchPattern.escape (what DVC writes): a backslash before each of
/// `[`, `]`, `!`, `*`, `#`, `?`. Other characters, a backslash included, are kept.
std::string EscapeGitignore(std::string_view name);

/// `dvc add`'s .gitignore entry for `path` (a file or directory, absolute or relative to the
/// cwd): "/<escaped basename>" appended to the `.gitignore` beside it, after a newline when the
/// file does not end with one; the file is created when missing. Returns false (and writes
/// nothing) when that exact line is already there. Written atomically.
core::Result<bool> AddToGitignore(sys::Env& env, std::string_view path);
/// Removes `path`'s entry (escaped, or unescaped as older DVC wrote it) from the `.gitignore`
/// beside it; deletes the file when nothing is left. Returns false when there was no entry.
core::Result<bool> RemoveFromGitignore(sys::Env& env, std::string_view path);

/// `.dvc/.gitignore` as `dvc init` writes it.
inline constexpr std::string_view kDvcDirGitignore = "/config.local\n/tmp\n/cache\n";
/// `.dvcignore` as `dvc init` writes it.
inline constexpr std::string_view kInitialDvcignore =
    "# Add patterns of files dvc should ignore, which could improve\n"
    "# the performance. Learn more at\n"
    "# https://dvc.org/doc/user-guide/dvcignore\n";
/// Writes both for the repository at `root` (which has `.dvc/`): `.dvcignore` only when it does
/// not exist yet; the three `.dvc/.gitignore` entries each unless already present.
core::Status WriteInitIgnoreFiles(sys::Env& env, std::string_view root);

}  // namespace cairn::data
