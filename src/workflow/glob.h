// glob: GitHub Actions' filter patterns (`on.push.branches`, `tags`, `paths` and their
// `-ignore` forms), compiled once and matched without std::regex.
//
// Syntax (GitHub's "filter pattern cheat sheet"):
//   *      any run of characters except '/' (possibly empty)
//   **     any run of characters, '/' included (possibly empty)
//   ?      zero or one of the preceding character
//   +      one or more of the preceding character
//   [...]  one character of a set: single characters and ranges a-z, A-Z, 0-9
//   \c     the character c literally (for the specials * ? + [ ] ! \)
//   !      as the first character of a pattern of a list: a negation (see PatternList)
// A pattern matches the whole name ("main", "releases/v1", "docs/a.md"), case-sensitively.
//
// Glob and PatternList are immutable after Compile: share a const one between threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"

namespace cairn::workflow {

using core::Result;
using core::Status;

/// One compiled pattern (without the list-level `!`).
class Glob {
 public:
  /// InvalidArgument "invalid pattern '<text>': <what is wrong>" (an unclosed '[', a range
  /// like 'z-a' or 'a-Z', a '?' or '+' with nothing before it, a trailing '\', an empty
  /// pattern).
  static Result<Glob> Compile(std::string_view pattern);

  /// Whether the whole of `name` matches.
  bool Matches(std::string_view name) const;

  const std::string& text() const { return text_; }

  /// One element of the compiled pattern (public for the matcher in glob.cc).
  struct Token {
    // kStar: `*`; kDoubleStar: `**`; kDoubleStarSlash: `**/` (empty, or a run ending in '/').
    enum Kind : unsigned char { kChar, kSet, kStar, kDoubleStar, kDoubleStarSlash } kind = kChar;
    enum Repeat : unsigned char { kOnce, kOptional, kOneOrMore } repeat = kOnce;
    char ch = 0;                 // kChar
    std::string set;             // kSet: "a-z" ranges stored as triples lo '-' hi; singles as is
    bool Accepts(char c) const;  // kChar / kSet: whether `c` is one of this token's characters
  };

 private:
  std::string text_;
  std::vector<Token> tokens_;
};

/// A pattern of a list as written: its text (with a leading '!' for a negation) and where.
struct PatternSource {
  std::string text;
  core::Location location;
};

/// The outcome of PatternList::Match: whether the name is included, and which pattern decided.
struct PatternMatch {
  bool matched = false;  // the last pattern matching the name is a positive one
  int index = -1;        // that last matching pattern (positive or negated); -1: none matched
};

/// An ordered list of patterns where '!' negates and the last matching pattern wins:
/// ['releases/**', '!releases/**-alpha'] includes "releases/v2" but not "releases/v2-alpha".
class PatternList {
 public:
  struct Entry {
    std::string text;         // as written, '!' included
    core::Location location;  // of the pattern's node
    bool negated = false;
    Glob glob;  // the pattern without its '!'
  };

  /// Compiles every pattern. Errors are "<file:line:col>: invalid pattern ..." at the bad
  /// pattern; a list whose patterns are all negations is an error at `list_location` ("only
  /// '!' patterns: a list needs at least one positive pattern to match anything").
  static Result<PatternList> Compile(const std::vector<PatternSource>& patterns,
                                     const core::Location& list_location = {});
  /// For tests and callers with plain strings (no locations).
  static Result<PatternList> Compile(const std::vector<std::string>& patterns);

  /// Whether `name` is included, and by which pattern (see PatternMatch).
  PatternMatch Match(std::string_view name) const;
  /// Match(name).matched.
  bool Matches(std::string_view name) const { return Match(name).matched; }

  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace cairn::workflow
