#include "data/ignore.h"

#include <algorithm>

#include "core/path.h"
#include "core/strings.h"
#include "core/utf8.h"

namespace cairn::data {
namespace {

using core::Result;
using core::Status;

// Code points of `s`; a byte that is not well-formed UTF-8 becomes U+DC80..U+DCFF, as Python's
// surrogateescape decodes file names.
std::u32string Decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    size_t n = core::DecodeUtf8(s, i, &cp);
    if (n == 0) {
      out.push_back(0xDC00 + static_cast<unsigned char>(s[i]));
      ++i;
    } else {
      out.push_back(cp);
      i += n;
    }
  }
  return out;
}

std::string Encode(std::u32string_view s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp >= 0xDC80 && cp <= 0xDCFF) {
      out.push_back(static_cast<char>(cp - 0xDC00));
    } else {
      core::AppendUtf8(cp, &out);
    }
  }
  return out;
}

// Python's str.isspace().
bool IsPySpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// Python's str.strip().
std::u32string_view PyStrip(std::u32string_view s) {
  while (!s.empty() && IsPySpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsPySpace(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::u32string_view> SplitOn(std::u32string_view s, char32_t sep) {
  std::vector<std::u32string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// posixpath.normpath.
std::string PyNormpath(std::string_view path) {
  int initial = 0;
  if (!path.empty() && path[0] == '/') {
    initial = (path.substr(0, 2) == "//" && path.substr(0, 3) != "///") ? 2 : 1;
  }
  std::vector<std::string_view> comps;
  for (std::string_view comp : core::Split(path, '/')) {
    if (comp.empty() || comp == ".") continue;
    if (comp != ".." || (initial == 0 && comps.empty()) ||
        (!comps.empty() && comps.back() == "..")) {
      comps.push_back(comp);
    } else if (!comps.empty()) {
      comps.pop_back();
    }
  }
  std::string out(static_cast<size_t>(initial), '/');
  out += core::Join(comps, "/");
  return out.empty() ? "." : out;
}

// DVC's pathspec_math.change_rule: a pattern of the .dvcignore in `rel` rewritten to apply
// from the repository root.
std::string ChangeRule(std::string_view rule, std::string_view rel) {
  bool not_ignore = !rule.empty() && rule[0] == '!';
  if (not_ignore) rule.remove_prefix(1);
  bool match_all;
  std::string_view all_but_last = rule.empty() ? rule : rule.substr(0, rule.size() - 1);
  if (all_but_last.find('/') != std::string_view::npos && rule.substr(0, 3) != "**/") {
    if (!rule.empty() && rule[0] == '/') rule.remove_prefix(1);
    match_all = false;
  } else {
    if (rule.substr(0, 3) == "**/") rule.remove_prefix(3);
    match_all = true;
  }
  if (!rule.empty() && rule[0] == '\\') rule.remove_prefix(1);
  std::string out =
      (not_ignore ? "!/" : "/") + std::string(rel) + (match_all ? "/**/" : "/") + std::string(rule);
  return PyNormpath(out);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// IgnorePattern: pathspec 0.11's GitWildMatchPattern.pattern_to_regex, as tokens.

Status IgnorePattern::TranslateSegment(std::u32string_view p, std::vector<Token>* out) {
  size_t i = 0;
  size_t end = p.size();
  bool escape = false;
  while (i < end) {
    char32_t c = p[i++];
    if (escape) {
      escape = false;
      out->push_back(Token{Op::kLiteral, c, false, {}});
    } else if (c == '\\') {
      escape = true;
    } else if (c == '*') {
      out->push_back(Token{Op::kStarRun, 0, false, {}});
    } else if (c == '?') {
      out->push_back(Token{Op::kOne, 0, false, {}});
    } else if (c == '[') {
      size_t j = i;
      if (j < end && p[j] == '!') ++j;
      if (j < end && p[j] == ']') ++j;
      while (j < end && p[j] != ']') ++j;
      if (j >= end) {
        out->push_back(Token{Op::kLiteral, '[', false, {}});
        continue;
      }
      // p[i, j) is the expression and its closing ']' is p[j]. pathspec hands it to Python's
      // re: '!' negates, a leading '^' is escaped (a literal), backslashes are doubled (so
      // literal), and a ']' first is a member.
      Token t{Op::kClass, 0, false, {}};
      if (p[i] == '!') {
        t.negate = true;
        ++i;
      }
      std::u32string_view body = p.substr(i, j - i);
      for (size_t k = 0; k < body.size();) {
        char32_t lo = body[k];
        if (k + 2 < body.size() && body[k + 1] == '-') {
          char32_t hi = body[k + 2];
          if (hi < lo) {
            return Status::InvalidArgument("bad character range " + Encode(body.substr(k, 3)));
          }
          t.ranges.emplace_back(lo, hi);
          k += 3;
        } else {
          t.ranges.emplace_back(lo, lo);
          ++k;
        }
      }
      out->push_back(std::move(t));
      i = j + 1;
    } else {
      out->push_back(Token{Op::kLiteral, c, false, {}});
    }
  }
  if (escape) return Status::InvalidArgument("a trailing backslash escapes nothing");
  return Status::Ok();
}

Result<std::optional<IgnorePattern>> IgnorePattern::Compile(std::string_view text) {
  std::u32string decoded = Decode(text);
  std::u32string_view pattern = PyStrip(decoded);
  if (pattern.empty() || pattern[0] == '#' || pattern == U"/") {
    return std::optional<IgnorePattern>();
  }
  IgnorePattern out;
  out.text_ = Encode(pattern);
  if (pattern[0] == '!') {
    out.negated_ = true;
    pattern.remove_prefix(1);
  }
  auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("invalid pattern '" + out.text_ + "': " + std::string(why));
  };
  std::vector<std::u32string_view> segs = SplitOn(pattern, '/');
  for (size_t i = segs.size() - 1; i > 0; --i) {
    if (segs[i - 1] == U"**" && segs[i] == U"**") segs.erase(segs.begin() + i);
  }
  bool override_all = segs.size() == 2 && segs[0] == U"**" && segs[1].empty();
  if (segs[0].empty()) {
    segs.erase(segs.begin());
  } else if (segs.size() == 1 || (segs.size() == 2 && segs[1].empty())) {
    if (segs[0] != U"**") segs.insert(segs.begin(), U"**");
  }
  if (segs.empty()) return invalid("nothing to match");
  if (segs.size() > 1 && segs.back().empty()) segs.back() = U"**";

  std::vector<Token>& t = out.tokens_;
  if (override_all) {  // `**/`: everything below the root level
    t = {Token{Op::kDotPlus, 0, false, {}}, Token{Op::kLiteral, '/', false, {}},
         Token{Op::kDotStar, 0, false, {}}};
    return std::optional<IgnorePattern>(std::move(out));
  }
  bool need_slash = false;
  size_t last = segs.size() - 1;
  for (size_t i = 0; i < segs.size(); ++i) {
    std::u32string_view seg = segs[i];
    if (seg == U"**") {
      if (i == 0 && i == last) {
        t.push_back(Token{Op::kPlusRun, 0, false, {}});
        t.push_back(Token{Op::kSuffixOpt, 0, false, {}});
      } else if (i == 0) {
        t.push_back(Token{Op::kAnyPrefix, 0, false, {}});
        need_slash = false;
      } else if (i == last) {
        t.push_back(Token{Op::kSuffixReq, 0, false, {}});
      } else {
        t.push_back(Token{Op::kInnerAny, 0, false, {}});
        need_slash = true;
      }
      continue;
    }
    if (need_slash) t.push_back(Token{Op::kLiteral, '/', false, {}});
    if (seg == U"*") {
      t.push_back(Token{Op::kPlusRun, 0, false, {}});
    } else {
      Status st = TranslateSegment(seg, &t);
      if (!st.ok()) return invalid(st.message());
    }
    if (i == last) t.push_back(Token{Op::kSuffixOpt, 0, false, {}});
    need_slash = true;
  }
  return std::optional<IgnorePattern>(std::move(out));
}

bool IgnorePattern::MatchText(const std::u32string& s) const {
  // can[i][p]: tokens i.. match s[p..] up to `$` (the end, or before a final '\n').
  const size_t n = tokens_.size();
  const size_t len = s.size();
  std::vector<std::vector<char>> can(n + 1, std::vector<char>(len + 2, 0));
  for (size_t p = 0; p <= len; ++p) {
    can[n][p] = (p == len) || (p + 1 == len && s[p] == '\n');
  }
  auto at = [&](size_t p) -> char32_t { return p < len ? s[p] : 0; };
  std::vector<char> run(len + 2, 0);
  for (size_t ti = n; ti-- > 0;) {
    const Token& tok = tokens_[ti];
    const std::vector<char>& next = can[ti + 1];
    std::vector<char>& cur = can[ti];
    switch (tok.op) {
      case Op::kLiteral:
        for (size_t p = 0; p < len; ++p) cur[p] = s[p] == tok.ch && next[p + 1];
        break;
      case Op::kOne:
        for (size_t p = 0; p < len; ++p) cur[p] = s[p] != '/' && next[p + 1];
        break;
      case Op::kClass:
        for (size_t p = 0; p < len; ++p) {
          bool in = false;
          for (const auto& [lo, hi] : tok.ranges) {
            if (s[p] >= lo && s[p] <= hi) in = true;
          }
          cur[p] = (in != tok.negate) && next[p + 1];
        }
        break;
      case Op::kStarRun:
      case Op::kPlusRun:
        // run[p]: [^/]* then the rest.
        run[len] = next[len];
        for (size_t p = len; p-- > 0;) run[p] = next[p] || (s[p] != '/' && run[p + 1]);
        for (size_t p = 0; p <= len; ++p) {
          cur[p] = tok.op == Op::kStarRun ? run[p] : (p < len && s[p] != '/' && run[p + 1]);
        }
        break;
      case Op::kAnyPrefix: {
        // run[p]: any non-'\n' code points (possibly none), then '/', then the rest.
        run[len] = 0;
        for (size_t p = len; p-- > 0;) {
          run[p] = (s[p] == '/' && next[p + 1]) || (s[p] != '\n' && run[p + 1]);
        }
        for (size_t p = 0; p <= len; ++p) {
          cur[p] = next[p] || (p < len && s[p] != '\n' && run[p + 1]);
        }
        break;
      }
      case Op::kInnerAny:
      case Op::kDotPlus: {
        // run[p]: `.+` then the rest.
        run[len] = 0;
        for (size_t p = len; p-- > 0;) run[p] = s[p] != '\n' && (next[p + 1] || run[p + 1]);
        for (size_t p = 0; p <= len; ++p) {
          cur[p] = tok.op == Op::kDotPlus ? run[p]
                                          : (next[p] || (at(p) == '/' && p < len && run[p + 1]));
        }
        break;
      }
      case Op::kSuffixOpt:
      case Op::kSuffixReq:
      case Op::kDotStar: {
        // run[p]: `.*` then the rest.
        run[len] = next[len];
        for (size_t p = len; p-- > 0;) run[p] = next[p] || (s[p] != '\n' && run[p + 1]);
        for (size_t p = 0; p <= len; ++p) {
          bool slash_then = p < len && s[p] == '/' && run[p + 1];
          if (tok.op == Op::kDotStar) {
            cur[p] = run[p];
          } else if (tok.op == Op::kSuffixReq) {
            cur[p] = slash_then;
          } else {
            cur[p] = next[p] || slash_then;
          }
        }
        break;
      }
    }
  }
  return can[0][0] != 0;
}

bool IgnorePattern::Matches(std::string_view path, bool is_dir) const {
  std::u32string s = Decode(path);
  if (MatchText(s)) return true;
  if (!is_dir) return false;
  s.push_back('/');
  return MatchText(s);
}

// ---------------------------------------------------------------------------------------------

std::string IgnoreRule::Source() const {
  if (file.empty()) return text;
  return file + ":" + std::to_string(line) + ":" + text;
}

IgnoreRules::IgnoreRules() {
  for (std::string_view builtin : {".hg/", ".git/", ".git", ".dvc/"}) {
    auto pattern = IgnorePattern::Compile(builtin);
    rules_.push_back(IgnoreRule{"", 0, "", std::move(**pattern)});
    by_dir_[""].push_back(rules_.size() - 1);
  }
}

namespace {

// One line of the .dvcignore in `dir` as a rule; nullopt for blanks and comments.
Result<std::optional<IgnoreRule>> MakeRule(std::string_view dir, std::string_view text, int line) {
  std::string file = dir.empty() ? ".dvcignore" : std::string(dir) + "/.dvcignore";
  std::u32string decoded = Decode(text);
  std::string stripped = Encode(PyStrip(decoded));
  if (stripped.empty() || stripped[0] == '#') return std::optional<IgnoreRule>();
  std::string effective = dir.empty() ? stripped : ChangeRule(stripped, dir);
  auto pattern = IgnorePattern::Compile(effective);
  if (!pattern.ok()) {
    return Status::InvalidArgument(file + ":" + std::to_string(line) + ": " +
                                   pattern.status().message());
  }
  if (!pattern->has_value()) return std::optional<IgnoreRule>();
  return std::optional<IgnoreRule>(IgnoreRule{file, line, stripped, std::move(**pattern)});
}

}  // namespace

Status IgnoreRules::AddPattern(std::string_view dir, std::string_view text, int line) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<IgnoreRule> rule, MakeRule(dir, text, line));
  if (rule) {
    rules_.push_back(std::move(*rule));
    by_dir_[std::string(dir)].push_back(rules_.size() - 1);
  }
  return Status::Ok();
}

Status IgnoreRules::AddFile(std::string_view dir, std::string_view text) {
  std::string file = dir.empty() ? ".dvcignore" : std::string(dir) + "/.dvcignore";
  if (size_t bad = core::FindInvalidUtf8(text); bad != std::string_view::npos) {
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
    return Status::InvalidArgument(file + ":" + std::to_string(line) + ": not valid UTF-8");
  }
  // Python's readlines() in text mode: "\n", "\r\n" and "\r" end lines. All or nothing.
  std::vector<IgnoreRule> added;
  int line = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '\n' && text[i] != '\r') continue;
    if (i == text.size() && start == i) break;
    ++line;
    CAIRN_ASSIGN_OR_RETURN(std::optional<IgnoreRule> rule,
                           MakeRule(dir, text.substr(start, i - start), line));
    if (rule) added.push_back(std::move(*rule));
    if (i < text.size() && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  std::vector<size_t>& indexes = by_dir_[std::string(dir)];
  for (IgnoreRule& rule : added) {
    rules_.push_back(std::move(rule));
    indexes.push_back(rules_.size() - 1);
  }
  return Status::Ok();
}

void IgnoreRules::AddSubrepo(std::string_view dir) {
  if (dir.empty() || subrepos_.count(dir)) return;
  std::string name(core::Basename(dir));
  auto pattern = IgnorePattern::Compile("/" + std::string(dir) + "/");
  rules_.push_back(IgnoreRule{"", 0, "in sub_repo:" + name, std::move(**pattern)});
  subrepos_.emplace(std::string(dir), rules_.size() - 1);
}

IgnoreMatch IgnoreRules::MatchEntry(std::string_view path, bool is_dir) const {
  IgnoreMatch result;
  if (is_dir) {
    if (auto it = subrepos_.find(path); it != subrepos_.end()) {
      result.ignored = true;
      result.rule = &rules_[it->second];
      result.matched.push_back(result.rule);
      return result;
    }
  }
  // The rules of the root and of each directory above `path`, root first.
  std::string_view parent = core::Dirname(path);
  auto consider = [&](std::string_view dir) {
    auto it = by_dir_.find(dir);
    if (it == by_dir_.end()) return;
    for (size_t index : it->second) {
      const IgnoreRule& rule = rules_[index];
      if (rule.pattern.Matches(path, is_dir)) {
        result.matched.push_back(&rule);
        result.rule = &rule;
        result.ignored = !rule.pattern.negated();
      }
    }
  };
  consider("");
  if (!parent.empty()) {
    size_t pos = 0;
    while (pos != std::string_view::npos) {
      pos = parent.find('/', pos + 1);
      consider(parent.substr(0, pos));
    }
  }
  return result;
}

IgnoreMatch IgnoreRules::Check(std::string_view path, bool is_dir) const {
  size_t pos = 0;
  while ((pos = path.find('/', pos + 1)) != std::string_view::npos) {
    IgnoreMatch parent = MatchEntry(path.substr(0, pos), true);
    if (parent.ignored) return parent;
  }
  return MatchEntry(path, is_dir);
}

std::vector<std::string> IgnoreRules::Directories() const {
  std::vector<std::string> out;
  for (const auto& [dir, indexes] : by_dir_) out.push_back(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------

IgnoreFilter::IgnoreFilter(sys::Env& env, std::string root) : env_(&env), root_(std::move(root)) {}

Status IgnoreFilter::Load(std::string_view dir) {
  // Ancestors first: whether dir/.dvcignore is read depends on their rules.
  std::vector<std::string_view> chain = {std::string_view()};
  for (size_t pos = 0; !dir.empty() && pos != std::string_view::npos;) {
    pos = dir.find('/', pos + 1);
    chain.push_back(dir.substr(0, pos));
  }
  for (std::string_view d : chain) {
    if (loaded_.count(d)) continue;
    std::string rel = d.empty() ? ".dvcignore" : std::string(d) + "/.dvcignore";
    if (!rules_.MatchEntry(rel, false).ignored) {
      std::string file = core::JoinPath(root_, rel);
      Result<std::string> text = env_->ReadFile(file);
      if (text.ok()) {
        // A file that fails adds nothing and stays unloaded: every later question fails too.
        CAIRN_RETURN_IF_ERROR(rules_.AddFile(d, *text));
      } else if (!text.status().IsNotFound()) {
        return text.status().WithContext("reading " + file);
      }
    }
    loaded_.emplace(std::string(d), true);
  }
  return Status::Ok();
}

Result<IgnoreMatch> IgnoreFilter::MatchEntry(std::string_view path, bool is_dir) {
  CAIRN_RETURN_IF_ERROR(Load(core::Dirname(path)));
  if (is_dir && !path.empty()) {
    std::string dvc_dir = core::JoinPath(core::JoinPath(root_, path), ".dvc");
    if (env_->Exists(dvc_dir)) rules_.AddSubrepo(path);
  }
  return rules_.MatchEntry(path, is_dir);
}

Result<IgnoreMatch> IgnoreFilter::Check(std::string_view path, bool is_dir) {
  size_t pos = 0;
  while ((pos = path.find('/', pos + 1)) != std::string_view::npos) {
    CAIRN_ASSIGN_OR_RETURN(IgnoreMatch parent, MatchEntry(path.substr(0, pos), true));
    if (parent.ignored) return parent;
  }
  return MatchEntry(path, is_dir);
}

bool IgnoreRules::BuiltinVerdict(std::string_view path, bool is_dir) {
  std::string_view base = core::Basename(path);
  return base == ".git" || (is_dir && (base == ".hg" || base == ".dvc"));
}

bool IgnoreFilter::Skip(std::string_view path, bool is_dir) {
  // The common case, a repository whose .dvcignore has no pattern: no matching at all.
  if (!is_dir && rules_.OnlyBuiltins() && loaded_.count(core::Dirname(path)) != 0) {
    return IgnoreRules::BuiltinVerdict(path, is_dir);
  }
  Result<IgnoreMatch> m = MatchEntry(path, is_dir);
  if (!m.ok()) {
    if (status_.ok()) status_ = m.status();
    return true;
  }
  return m->ignored;
}

// ---------------------------------------------------------------------------------------------
// .gitignore

std::string EscapeGitignore(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == '[' || c == ']' || c == '!' || c == '*' || c == '#' || c == '?') out += '\\';
    out += c;
  }
  return out;
}

namespace {

struct GitignoreTarget {
  std::string file;     // the .gitignore beside the path
  std::string entry;    // "/<name>"
  std::string escaped;  // EscapeGitignore(entry)
};

Result<GitignoreTarget> TargetFor(std::string_view path) {
  std::string normal = core::NormalizePath(path);
  std::string_view name = core::Basename(normal);
  if (name.empty() || name == "." || name == "..") {
    return Status::InvalidArgument("cannot gitignore '" + std::string(path) + "': no file name");
  }
  std::string_view dir = core::Dirname(normal);
  GitignoreTarget t;
  t.file = core::JoinPath(dir, ".gitignore");
  t.entry = "/" + std::string(name);
  t.escaped = EscapeGitignore(t.entry);
  return t;
}

// Lines with their terminators, as Python's readlines() keeps them.
std::vector<std::string_view> LinesKeepEnds(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      out.push_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

}  // namespace

Result<bool> AddToGitignore(sys::Env& env, std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(GitignoreTarget t, TargetFor(path));
  std::string text;
  Result<std::string> current = env.ReadFile(t.file);
  if (current.ok()) {
    text = std::move(*current);
  } else if (!current.status().IsNotFound()) {
    return current.status().WithContext("reading " + t.file);
  }
  for (std::string_view line : LinesKeepEnds(text)) {
    if (core::TrimRight(line) == t.escaped) return false;
  }
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += t.escaped;
  text += '\n';
  CAIRN_RETURN_IF_ERROR(env.WriteFile(t.file, text));
  return true;
}

Result<bool> RemoveFromGitignore(sys::Env& env, std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(GitignoreTarget t, TargetFor(path));
  Result<std::string> current = env.ReadFile(t.file);
  if (!current.ok()) {
    if (current.status().IsNotFound()) return false;
    return current.status().WithContext("reading " + t.file);
  }
  std::string kept;
  bool removed = false;
  for (std::string_view line : LinesKeepEnds(*current)) {
    std::string_view stripped = core::Trim(line);
    if (stripped == t.escaped || stripped == t.entry) {
      removed = true;
    } else {
      kept += line;
    }
  }
  if (!removed) return false;
  if (kept.empty()) {
    CAIRN_RETURN_IF_ERROR(env.Remove(t.file));
  } else {
    CAIRN_RETURN_IF_ERROR(env.WriteFile(t.file, kept));
  }
  return true;
}

Status WriteInitIgnoreFiles(sys::Env& env, std::string_view root) {
  std::string dvcignore = core::JoinPath(root, ".dvcignore");
  if (!env.Exists(dvcignore)) CAIRN_RETURN_IF_ERROR(env.WriteFile(dvcignore, kInitialDvcignore));
  std::string dvc_dir = core::JoinPath(root, ".dvc");
  for (std::string_view name : {"config.local", "tmp", "cache"}) {
    Result<bool> added = AddToGitignore(env, core::JoinPath(dvc_dir, name));
    if (!added.ok()) return added.status();
  }
  return Status::Ok();
}

}  // namespace cairn::data
