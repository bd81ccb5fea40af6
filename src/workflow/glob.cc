// glob: compiling GitHub's filter patterns into tokens, and matching them with a
// position-set simulation (O(tokens x length), no backtracking).
#include "workflow/glob.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace cairn::workflow {
namespace {

bool IsRangeEnd(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Same class: both lowercase, both uppercase or both digits.
bool SameRangeClass(char a, char b) {
  auto cls = [](char c) { return c >= 'a' && c <= 'z' ? 0 : c >= 'A' && c <= 'Z' ? 1 : 2; };
  return cls(a) == cls(b);
}

Status PatternError(std::string_view pattern, std::string_view what) {
  return Status::InvalidArgument("invalid pattern '" + std::string(pattern) +
                                 "': " + std::string(what));
}

}  // namespace

bool Glob::Token::Accepts(char c) const {
  if (kind == kChar) return c == ch;
  for (size_t i = 0; i + 1 < set.size(); i += 2) {
    if (c >= set[i] && c <= set[i + 1]) return true;
  }
  return false;
}

Result<Glob> Glob::Compile(std::string_view pattern) {
  if (pattern.empty()) return PatternError(pattern, "a pattern may not be empty");
  Glob glob;
  glob.text_ = std::string(pattern);
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    Token token;
    if (c == '*') {
      if (i + 1 < pattern.size() && pattern[i + 1] == '*') {
        if (i + 2 < pattern.size() && pattern[i + 2] == '/') {
          token.kind = Token::kDoubleStarSlash;
          i += 3;
        } else {
          token.kind = Token::kDoubleStar;
          i += 2;
        }
      } else {
        token.kind = Token::kStar;
        ++i;
      }
    } else if (c == '?' || c == '+') {
      if (glob.tokens_.empty()) {
        return PatternError(pattern, "'" + std::string(1, c) +
                                         "' at the start repeats nothing (escape it as '\\" +
                                         std::string(1, c) + "' to match it literally)");
      }
      Token& prev = glob.tokens_.back();
      if (prev.kind != Token::kChar && prev.kind != Token::kSet) {
        return PatternError(
            pattern, "'" + std::string(1, c) + "' must follow a character or a [set], not '*'");
      }
      if (prev.repeat != Token::kOnce) {
        return PatternError(pattern, "'" + std::string(1, c) + "' follows another '?' or '+'");
      }
      prev.repeat = c == '?' ? Token::kOptional : Token::kOneOrMore;
      ++i;
      continue;
    } else if (c == '[') {
      token.kind = Token::kSet;
      size_t j = i + 1;
      bool closed = false;
      while (j < pattern.size()) {
        char lo = pattern[j];
        if (lo == ']') {
          closed = true;
          break;
        }
        if (lo == '\\') {
          if (j + 1 >= pattern.size()) break;
          lo = pattern[++j];
        }
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
          char hi = pattern[j + 2];
          if (!IsRangeEnd(lo) || !IsRangeEnd(hi) || !SameRangeClass(lo, hi) || lo > hi) {
            return PatternError(pattern, "bad range '" + std::string(1, lo) + "-" +
                                             std::string(1, hi) +
                                             "': ranges go upward within a-z, A-Z or 0-9");
          }
          token.set += lo;
          token.set += hi;
          j += 3;
        } else {
          token.set += lo;
          token.set += lo;
          ++j;
        }
      }
      if (!closed) return PatternError(pattern, "'[' without a closing ']'");
      if (token.set.empty()) return PatternError(pattern, "empty set '[]'");
      i = j + 1;
    } else if (c == '\\') {
      if (i + 1 >= pattern.size()) {
        return PatternError(pattern, "'\\' at the end escapes nothing");
      }
      token.ch = pattern[i + 1];
      i += 2;
    } else {
      token.ch = c;
      ++i;
    }
    glob.tokens_.push_back(std::move(token));
  }
  return glob;
}

bool Glob::Matches(std::string_view name) const {
  const size_t n = name.size();
  // reach[p]: some prefix of the tokens so far matches name[0, p).
  std::vector<char> reach(n + 1, 0), next(n + 1, 0);
  reach[0] = 1;
  for (const Token& t : tokens_) {
    std::fill(next.begin(), next.end(), 0);
    switch (t.kind) {
      case Token::kStar:
        for (size_t p = 0; p <= n; ++p) {
          next[p] = reach[p] || (p > 0 && next[p - 1] && name[p - 1] != '/');
        }
        break;
      case Token::kDoubleStar:
        for (size_t p = 0; p <= n; ++p) next[p] = reach[p] || (p > 0 && next[p - 1]);
        break;
      case Token::kDoubleStarSlash: {
        // Empty, or at least one character followed by '/' (as "(.+/)?").
        bool seen = false;  // reach[q] for some q <= p - 2
        for (size_t p = 0; p <= n; ++p) {
          if (p >= 2 && reach[p - 2]) seen = true;
          next[p] = reach[p] || (p > 0 && seen && name[p - 1] == '/');
        }
        break;
      }
      case Token::kChar:
      case Token::kSet:
        for (size_t p = 1; p <= n; ++p) {
          if (!t.Accepts(name[p - 1])) continue;
          bool from = reach[p - 1] || (t.repeat == Token::kOneOrMore && next[p - 1]);
          if (from) next[p] = 1;
        }
        if (t.repeat == Token::kOptional) {
          for (size_t p = 0; p <= n; ++p) next[p] = next[p] || reach[p];
        }
        break;
    }
    std::swap(reach, next);
  }
  return reach[n] != 0;
}

Result<PatternList> PatternList::Compile(const std::vector<PatternSource>& patterns,
                                         const core::Location& list_location) {
  PatternList list;
  bool any_positive = false;
  for (const PatternSource& source : patterns) {
    Entry entry;
    entry.text = source.text;
    entry.location = source.location;
    std::string_view body = source.text;
    if (!body.empty() && body[0] == '!') {
      entry.negated = true;
      body.remove_prefix(1);
    } else {
      any_positive = true;
    }
    Result<Glob> glob = Glob::Compile(body);
    if (!glob.ok()) {
      std::string message = glob.status().message();
      if (entry.negated)
        message = "invalid pattern '" + source.text + "'" + message.substr(message.find("':") + 1);
      return source.location.Error(message);
    }
    entry.glob = std::move(glob).value();
    list.entries_.push_back(std::move(entry));
  }
  if (!list.entries_.empty() && !any_positive) {
    return list_location.Error(
        "only '!' patterns: a list needs at least one positive pattern to match anything");
  }
  return list;
}

Result<PatternList> PatternList::Compile(const std::vector<std::string>& patterns) {
  std::vector<PatternSource> sources;
  sources.reserve(patterns.size());
  for (const std::string& p : patterns) sources.push_back({p, {}});
  return Compile(sources);
}

PatternMatch PatternList::Match(std::string_view name) const {
  PatternMatch result;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].glob.Matches(name)) {
      result.index = static_cast<int>(i);
      result.matched = !entries_[i].negated;
    }
  }
  return result;
}

}  // namespace cairn::workflow
