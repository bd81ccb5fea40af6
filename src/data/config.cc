#include "data/config.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/path.h"
#include "core/strings.h"
#include "data/config_schema.h"

namespace cairn::data {
namespace {

using core::Result;
using core::Status;

// ---------------------------------------------------------------------------------------------
// configobj's reader. Each matcher below mirrors one of configobj 5.0.8's regular expressions
// and takes the same match Python's backtracking engine takes (alternatives in order, lazy
// quantifiers shortest first); see docs/formats/dvc-config.md for the grammar.

// Python's `\s` for ASCII text.
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && IsSpace(s[i])) ++i;
  return i;
}

// `\s*(\#.*)?$` at `i`: the comment (possibly empty) when it matches.
std::optional<std::string_view> MatchTail(std::string_view s, size_t i) {
  i = SkipSpace(s, i);
  if (i == s.size()) return std::string_view();
  if (s[i] == '#') return s.substr(i);
  return std::nullopt;
}

// configobj's _unquote: strips one pair of matching quotes.
std::string Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == v.back() && (v.front() == '"' || v.front() == '\'')) {
    return std::string(v.substr(1, v.size() - 2));
  }
  if (v.size() == 1 && (v[0] == '"' || v[0] == '\'')) return {};
  return std::string(v);
}

struct SectionMatch {
  int open = 0;
  int close = 0;
  std::string name;  // unquoted
};

// `((?:\s*\])+)\s*(\#.*)?$` at `i`: the number of closing brackets, or 0.
int MatchSectionClose(std::string_view s, size_t i) {
  int count = 0;
  for (;;) {
    size_t j = SkipSpace(s, i);
    if (j < s.size() && s[j] == ']') {
      ++count;
      i = j + 1;
    } else {
      break;
    }
  }
  if (count == 0 || !MatchTail(s, i)) return 0;
  return count;
}

// configobj's _sectionmarker.
std::optional<SectionMatch> MatchSection(std::string_view line) {
  size_t start = SkipSpace(line, 0);
  // Positions after each `[\s*` group; the regex is greedy, so the most groups first.
  std::vector<size_t> after_open;
  size_t i = start;
  while (i < line.size() && line[i] == '[') {
    i = SkipSpace(line, i + 1);
    after_open.push_back(i);
  }
  for (size_t k = after_open.size(); k > 0; --k) {
    size_t q = after_open[k - 1];
    if (q >= line.size()) continue;
    char first = line[q];
    if (first == '"' || first == '\'') {
      bool seen_text = false;
      for (size_t j = q + 1; j < line.size(); ++j) {
        if (line[j] == first && seen_text) {
          if (int close = MatchSectionClose(line, j + 1)) {
            return SectionMatch{static_cast<int>(k), close, Unquote(line.substr(q, j - q + 1))};
          }
        }
        if (!IsSpace(line[j])) seen_text = true;
      }
    } else if (!IsSpace(first)) {
      for (size_t j = q + 1; j <= line.size(); ++j) {
        if (int close = MatchSectionClose(line, j)) {
          return SectionMatch{static_cast<int>(k), close, Unquote(line.substr(q, j - q))};
        }
      }
    }
  }
  return std::nullopt;
}

// `\s*=` at `i`: the position after '='.
std::optional<size_t> MatchEquals(std::string_view s, size_t i) {
  i = SkipSpace(s, i);
  if (i < s.size() && s[i] == '=') return i + 1;
  return std::nullopt;
}

struct KeywordMatch {
  std::string key;  // unquoted
  std::string_view value;
};

// configobj's _keyword: `^(\s*)((?:".*?")|(?:'.*?')|(?:[^'"=].*?))\s*=\s*(.*)$`.
std::optional<KeywordMatch> MatchKeyword(std::string_view line) {
  size_t indent = SkipSpace(line, 0);
  auto finish = [&](size_t key_start, size_t key_end, size_t after_eq) {
    return KeywordMatch{Unquote(line.substr(key_start, key_end - key_start)),
                        line.substr(SkipSpace(line, after_eq))};
  };
  // Greedy indentation first; giving indentation back lets the key start with a space.
  for (size_t s = indent + 1; s-- > 0;) {
    if (s >= line.size()) continue;
    char first = line[s];
    if (s == indent && (first == '"' || first == '\'')) {
      for (size_t j = s + 1; j < line.size(); ++j) {
        if (line[j] != first) continue;
        if (auto eq = MatchEquals(line, j + 1)) return finish(s, j + 1, *eq);
      }
      continue;
    }
    if (first == '"' || first == '\'' || first == '=') continue;
    for (size_t e = s + 1; e <= line.size(); ++e) {
      if (auto eq = MatchEquals(line, e)) return finish(s, e, *eq);
    }
  }
  return std::nullopt;
}

// The parsed value of one `key = value` line (configobj's _handle_value with lists on).
struct ValueParse {
  std::vector<std::string_view> items;  // list items before the last one, quoted as written
  std::string_view list_text;           // group 1: the items with their commas
  std::optional<std::string_view> single;
  bool empty_list = false;
};

class ValueMatcher {
 public:
  explicit ValueMatcher(std::string_view v) : v_(v) {}

  std::optional<ValueParse> Match() {
    std::vector<std::string_view> items;
    if (Items(0, &items)) return result_;
    // The alternative: a single comma, an empty list.
    if (!v_.empty() && v_[0] == ',' && MatchTail(v_, 1)) {
      ValueParse p;
      p.empty_list = true;
      return p;
    }
    return std::nullopt;
  }

 private:
  // After an item: `\s*,\s*`; calls `next` with each position the trailing \s* may leave,
  // longest first.
  template <typename F>
  bool Comma(size_t i, F&& next) {
    i = SkipSpace(v_, i);
    if (i >= v_.size() || v_[i] != ',') return false;
    size_t after = i + 1;
    size_t end = SkipSpace(v_, after);
    for (size_t k = end + 1; k-- > after;) {
      if (next(k)) return true;
    }
    return false;
  }

  // `(?:item\s*,\s*)*` then the last item and the tail, greedy.
  bool Items(size_t i, std::vector<std::string_view>* items) {
    if (i < v_.size()) {
      char c = v_[i];
      auto more = [&](size_t item_end) {
        return Comma(item_end, [&](size_t next) {
          items->push_back(v_.substr(i, item_end - i));
          if (Items(next, items)) return true;
          items->pop_back();
          return false;
        });
      };
      if (c == '"' || c == '\'') {
        for (size_t j = i + 1; j < v_.size(); ++j) {
          if (v_[j] == c && more(j + 1)) return true;
        }
      } else if (c != ',' && c != '#') {
        for (size_t e = i + 1; e <= v_.size(); ++e) {
          if (more(e)) return true;
          if (e < v_.size() && (v_[e] == ',' || v_[e] == '#')) break;
        }
      }
    }
    return Last(i, *items);
  }

  bool Accept(size_t items_end, const std::vector<std::string_view>& items,
              std::optional<std::string_view> single) {
    result_.items = items;
    result_.list_text = v_.substr(0, items_end);
    result_.single = single;
    return true;
  }

  // The optional last item (`".*?"`, `'.*?'`, `[^'",\#\s][^,]*?`, or empty when not after a
  // comma), then `\s*(\#.*)?$`.
  bool Last(size_t i, const std::vector<std::string_view>& items) {
    if (i < v_.size()) {
      char c = v_[i];
      if (c == '"' || c == '\'') {
        for (size_t j = i + 1; j < v_.size(); ++j) {
          if (v_[j] == c && MatchTail(v_, j + 1)) {
            return Accept(i, items, v_.substr(i, j + 1 - i));
          }
        }
      } else if (c != ',' && c != '#' && !IsSpace(c)) {
        for (size_t e = i + 1; e <= v_.size(); ++e) {
          if (MatchTail(v_, e)) return Accept(i, items, v_.substr(i, e - i));
          if (e < v_.size() && v_[e] == ',') break;
        }
      }
    }
    if ((i == 0 || v_[i - 1] != ',') && MatchTail(v_, i)) {
      return Accept(i, items, v_.substr(i, 0));
    }
    if (MatchTail(v_, i)) return Accept(i, items, std::nullopt);
    return false;
  }

  std::string_view v_;
  ValueParse result_;
};

// `((?:".*?")|(?:'.*?')|(?:[^'",\#]?.*?))\s*,\s*` at `i`: the item and the end of the match.
std::optional<std::pair<std::string_view, size_t>> MatchListItem(std::string_view s, size_t i) {
  auto comma = [&](size_t e) -> std::optional<size_t> {
    size_t j = SkipSpace(s, e);
    if (j < s.size() && s[j] == ',') return SkipSpace(s, j + 1);
    return std::nullopt;
  };
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    for (size_t j = i + 1; j < s.size(); ++j) {
      if (s[j] != s[i]) continue;
      if (auto end = comma(j + 1)) return std::make_pair(s.substr(i, j + 1 - i), *end);
    }
  }
  bool can_take = i < s.size() && s[i] != '\'' && s[i] != '"' && s[i] != ',' && s[i] != '#';
  for (size_t first = can_take ? 1 : 0;; --first) {
    for (size_t e = i + first; e <= s.size(); ++e) {
      if (auto end = comma(e)) return std::make_pair(s.substr(i, e - i), *end);
    }
    if (first == 0) break;
  }
  return std::nullopt;
}

// _listvalueexp.findall(list_text).
std::optional<std::vector<std::string_view>> FindAllListItems(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    if (auto m = MatchListItem(s, i)) {
      out.push_back(m->first);
      i = m->second;
    } else {
      ++i;
    }
  }
  return out;
}

// configobj's _handle_value (list_values=True). nullopt is configobj's "Parse error in value".
std::optional<ConfigValue> HandleValue(std::string_view text) {
  std::optional<ValueParse> p = ValueMatcher(text).Match();
  if (!p) return std::nullopt;
  if (p->empty_list) return ConfigValue::List({});
  if (p->list_text.empty() && !p->single) return std::nullopt;
  std::optional<std::string> single;
  if (p->single) {
    if (!p->list_text.empty() && p->single->empty()) {
      single.reset();
    } else {
      single = p->single->empty() ? std::string() : Unquote(*p->single);
    }
  }
  if (p->list_text.empty()) return ConfigValue::Str(std::move(*single));
  // configobj re-splits the list part with _listvalueexp.findall; an empty piece there is
  // its "Parse error in value".
  std::vector<std::string> items;
  std::optional<std::vector<std::string_view>> pieces = FindAllListItems(p->list_text);
  if (!pieces) return std::nullopt;
  for (std::string_view item : *pieces) {
    if (item.empty()) return std::nullopt;
    items.push_back(Unquote(item));
  }
  if (single) items.push_back(std::move(*single));
  return ConfigValue::List(std::move(items));
}

// `^'''(.*?)'''\s*(#.*)?$` (or with """): the value when it is on one line.
std::optional<std::string> MatchTripleOneLine(std::string_view v, std::string_view quot) {
  for (size_t j = 3; j + 3 <= v.size(); ++j) {
    if (v.substr(j, 3) == quot && MatchTail(v, j + 3)) return std::string(v.substr(3, j - 3));
  }
  return std::nullopt;
}

// `^(.*?)'''\s*(#.*)?$`: the part of the last line of a multi-line value.
std::optional<std::string> MatchTripleEnd(std::string_view line, std::string_view quot) {
  for (size_t j = 0; j + 3 <= line.size(); ++j) {
    if (line.substr(j, 3) == quot && MatchTail(line, j + 3)) {
      return std::string(line.substr(0, j));
    }
  }
  return std::nullopt;
}

std::vector<std::string_view> SplitConfigLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      lines.push_back(text.substr(start, i - start));
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// `^\s*(remote|machine|db)\s*"(.*)"\s*$` on a lowercased section name.
std::optional<std::pair<NamedKind, std::string>> ParseNamed(std::string_view name) {
  size_t i = SkipSpace(name, 0);
  static constexpr std::pair<std::string_view, NamedKind> kKinds[] = {
      {"remote", NamedKind::kRemote}, {"machine", NamedKind::kMachine}, {"db", NamedKind::kDb}};
  for (const auto& [word, kind] : kKinds) {
    if (name.substr(i, word.size()) != word) continue;
    size_t q = SkipSpace(name, i + word.size());
    if (q >= name.size() || name[q] != '"') continue;
    std::string_view rest = core::TrimRight(name.substr(q + 1));
    if (rest.empty() || rest.back() != '"') continue;
    return std::make_pair(kind, std::string(rest.substr(0, rest.size() - 1)));
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// configobj's writer (_quote).

constexpr std::string_view kWspacePlus = " \r\n\v\t'\"";

bool Contains(std::string_view s, char c) { return s.find(c) != std::string_view::npos; }

Result<std::string> SingleQuote(std::string_view v) {
  if (Contains(v, '\'') && Contains(v, '"')) {
    return Status::InvalidArgument("value \"" + std::string(v) + "\" cannot be safely quoted");
  }
  return (Contains(v, '"') ? "'" : "\"") + std::string(v) + (Contains(v, '"') ? "'" : "\"");
}

Result<std::string> QuoteString(std::string_view v, bool multiline) {
  if (v.empty()) return std::string("\"\"");
  bool need_triple = multiline && ((Contains(v, '\'') && Contains(v, '"')) || Contains(v, '\n'));
  if (need_triple) {
    bool has_dq3 = v.find("\"\"\"") != std::string_view::npos;
    bool has_sq3 = v.find("'''") != std::string_view::npos;
    if (has_dq3 && has_sq3) {
      return Status::InvalidArgument("value \"" + std::string(v) + "\" cannot be safely quoted");
    }
    std::string_view q = has_dq3 ? "\"\"\"" : "'''";
    return std::string(q) + std::string(v) + std::string(q);
  }
  if (Contains(v, '\n')) {
    return Status::InvalidArgument("value \"" + std::string(v) + "\" cannot be safely quoted");
  }
  if (!Contains(kWspacePlus, v.front()) && !Contains(kWspacePlus, v.back()) && !Contains(v, ',') &&
      !Contains(v, '#')) {
    return std::string(v);
  }
  return SingleQuote(v);
}

Result<std::string> QuoteValue(const ConfigValue& value) {
  if (!value.is_list) return QuoteString(value.text, /*multiline=*/true);
  if (value.items.empty()) return std::string(",");
  std::string out;
  for (size_t i = 0; i < value.items.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(std::string item, QuoteString(value.items[i], false));
    if (i > 0) out += ", ";
    out += item;
  }
  if (value.items.size() == 1) out += ',';
  return out;
}

Status AppendSection(std::string_view header_name, const ConfigSection& section,
                     std::vector<std::string>* out) {
  CAIRN_ASSIGN_OR_RETURN(std::string header, QuoteString(header_name, false));
  out->push_back("[" + header + "]");
  for (const ConfigOption& option : section.options) {
    CAIRN_ASSIGN_OR_RETURN(std::string key, QuoteString(option.key, false));
    CAIRN_ASSIGN_OR_RETURN(std::string value, QuoteValue(option.value));
    out->push_back("    " + key + " = " + value);
  }
  return Status::Ok();
}

// Python's repr() of a str.
std::string PyRepr(std::string_view s) {
  char quote = (Contains(s, '\'') && !Contains(s, '"')) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

std::string Location(std::string_view file, int line) {
  if (line <= 0) return std::string(file);
  return std::string(file) + ":" + std::to_string(line);
}

}  // namespace

// ---------------------------------------------------------------------------------------------

ConfigValue ConfigValue::Str(std::string s) {
  ConfigValue v;
  v.text = std::move(s);
  return v;
}

ConfigValue ConfigValue::List(std::vector<std::string> items) {
  ConfigValue v;
  v.is_list = true;
  v.items = std::move(items);
  return v;
}

std::string ConfigValue::Display() const {
  if (!is_list) return text;
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += PyRepr(items[i]);
  }
  return out + "]";
}

const ConfigValue* ConfigSection::Find(std::string_view key) const {
  for (const ConfigOption& option : options) {
    if (option.key == key) return &option.value;
  }
  return nullptr;
}

void ConfigSection::Set(std::string_view key, ConfigValue value) {
  for (ConfigOption& option : options) {
    if (option.key == key) {
      option.value = std::move(value);
      return;
    }
  }
  options.push_back(ConfigOption{std::string(key), std::move(value)});
}

bool ConfigSection::Erase(std::string_view key) {
  auto it = std::find_if(options.begin(), options.end(),
                         [&](const ConfigOption& o) { return o.key == key; });
  if (it == options.end()) return false;
  options.erase(it);
  return true;
}

std::string_view NamedKindName(NamedKind kind) {
  switch (kind) {
    case NamedKind::kRemote:
      return "remote";
    case NamedKind::kMachine:
      return "machine";
    case NamedKind::kDb:
      return "db";
  }
  return "remote";
}

Result<ConfigDocument> ConfigDocument::Parse(std::string_view text, std::string_view filename) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::string_view> lines = SplitConfigLines(text);
  auto error = [&](size_t index, std::string_view what) {
    return Status::InvalidArgument(Location(filename, static_cast<int>(index) + 1) + ": " +
                                   std::string(what));
  };

  // First as configobj builds it (names as written), then lowercased as DVC does.
  struct RawSection {
    std::string name;
    int line;
    std::vector<std::pair<std::string, ConfigValue>> options;
  };
  std::vector<RawSection> raw;
  for (size_t index = 0; index < lines.size(); ++index) {
    std::string_view line = lines[index];
    std::string_view stripped = core::Trim(line);
    if (stripped.empty() || stripped[0] == '#') continue;

    if (std::optional<SectionMatch> m = MatchSection(line)) {
      if (m->open != m->close) {
        return error(index, "cannot compute the section depth: " + std::to_string(m->open) +
                                " '[' but " + std::to_string(m->close) + " ']'");
      }
      if (m->open != 1) {
        return error(index, "nested section [[" + m->name +
                                "]]: DVC config sections are one "
                                "level deep");
      }
      for (const RawSection& s : raw) {
        if (s.name == m->name) {
          return error(index, "duplicate section [" + m->name + "] (first at line " +
                                  std::to_string(s.line) + ")");
        }
      }
      raw.push_back(RawSection{m->name, static_cast<int>(index) + 1, {}});
      continue;
    }

    std::optional<KeywordMatch> kw = MatchKeyword(line);
    if (!kw) {
      return error(index,
                   "expected `[section]` or `key = value`, got '" + std::string(stripped) + "'");
    }
    if (core::Trim(kw->key).empty()) return error(index, "expected an option name before '='");
    ConfigValue value;
    int first_line = static_cast<int>(index) + 1;
    std::string_view v = kw->value;
    if (v.substr(0, 3) == "'''" || v.substr(0, 3) == "\"\"\"") {
      std::string_view quot = v.substr(0, 3);
      if (std::optional<std::string> one = MatchTripleOneLine(v, quot)) {
        value = ConfigValue::Str(std::move(*one));
      } else if (v.substr(3).find(quot) != std::string_view::npos) {
        return error(index, "bad multi-line value: text after the closing " + std::string(quot));
      } else {
        std::string joined(v.substr(3));
        size_t end = index;
        bool closed = false;
        while (end + 1 < lines.size()) {
          ++end;
          joined += '\n';
          if (lines[end].find(quot) == std::string_view::npos) {
            joined += lines[end];
            continue;
          }
          std::optional<std::string> last = MatchTripleEnd(lines[end], quot);
          if (!last)
            return error(end, "bad multi-line value: text after the closing " + std::string(quot));
          joined += *last;
          closed = true;
          break;
        }
        if (!closed) {
          return error(index,
                       "multi-line value opened with " + std::string(quot) + " is never closed");
        }
        index = end;
        value = ConfigValue::Str(std::move(joined));
      }
    } else {
      std::optional<ConfigValue> parsed = HandleValue(v);
      if (!parsed) {
        return error(index, "bad value '" + std::string(v) +
                                "': unbalanced quotes or a malformed comma list");
      }
      value = std::move(*parsed);
    }
    value.line = first_line;
    if (raw.empty()) {
      return error(first_line - 1, "option '" + kw->key + "' is outside of any [section]");
    }
    RawSection& section = raw.back();
    for (const auto& [key, existing] : section.options) {
      if (key == kw->key) {
        return error(first_line - 1, "duplicate option '" + kw->key + "' in [" + section.name +
                                         "] (first at line " + std::to_string(existing.line) + ")");
      }
    }
    section.options.emplace_back(kw->key, std::move(value));
  }

  // DVC: _lower_keys (a later duplicate replaces an earlier one in place), then _parse_named.
  ConfigDocument doc;
  doc.filename_ = std::string(filename);
  std::vector<RawSection> lowered;
  for (RawSection& s : raw) {
    RawSection l{core::ToLower(s.name), s.line, {}};
    for (auto& [key, value] : s.options) {
      std::string lk = core::ToLower(key);
      auto it = std::find_if(l.options.begin(), l.options.end(),
                             [&](const auto& o) { return o.first == lk; });
      if (it != l.options.end()) {
        it->second = std::move(value);
      } else {
        l.options.emplace_back(std::move(lk), std::move(value));
      }
    }
    auto it = std::find_if(lowered.begin(), lowered.end(),
                           [&](const RawSection& o) { return o.name == l.name; });
    if (it != lowered.end()) {
      it->options = std::move(l.options);
      it->line = l.line;
    } else {
      lowered.push_back(std::move(l));
    }
  }
  for (RawSection& s : lowered) {
    ConfigSection section;
    section.line = s.line;
    for (auto& [key, value] : s.options) {
      section.options.push_back(ConfigOption{std::move(key), std::move(value)});
    }
    if (auto named = ParseNamed(s.name)) {
      section.name = std::move(named->second);
      auto& list = doc.named_[static_cast<int>(named->first)];
      auto it = std::find_if(list.begin(), list.end(),
                             [&](const ConfigSection& o) { return o.name == section.name; });
      if (it != list.end()) {
        *it = std::move(section);
      } else {
        list.push_back(std::move(section));
      }
      continue;
    }
    if (s.name == "remote" || s.name == "machine" || s.name == "db") {
      return Status::InvalidArgument(Location(filename, s.line) + ": section [" + s.name +
                                     "] needs a name: ['" + s.name + " \"NAME\"']");
    }
    section.name = std::move(s.name);
    doc.sections_.push_back(std::move(section));
  }
  return doc;
}

Result<std::string> ConfigDocument::Serialize() const {
  std::vector<std::string> lines;
  // Plain sections: as read, then those an edit added, in DVC's schema order (load_one adds
  // the missing schema sections after the file's, in schema order).
  std::vector<const ConfigSection*> plain;
  for (const ConfigSection& s : sections_) {
    if (s.line > 0) plain.push_back(&s);
  }
  std::vector<const ConfigSection*> added;
  for (const ConfigSection& s : sections_) {
    if (s.line <= 0) added.push_back(&s);
  }
  std::stable_sort(added.begin(), added.end(), [](const ConfigSection* a, const ConfigSection* b) {
    return SchemaSectionRank(a->name) < SchemaSectionRank(b->name);
  });
  plain.insert(plain.end(), added.begin(), added.end());
  for (const ConfigSection* s : plain) {
    if (s->options.empty()) continue;
    CAIRN_RETURN_IF_ERROR(AppendSection(s->name, *s, &lines));
  }
  for (int k = 0; k < 3; ++k) {
    for (const ConfigSection& s : named_[k]) {
      std::string header =
          std::string(NamedKindName(static_cast<NamedKind>(k))) + " \"" + s.name + "\"";
      CAIRN_RETURN_IF_ERROR(AppendSection(header, s, &lines));
    }
  }
  std::string out = core::Join(lines, "\n");
  out += '\n';
  return out;
}

const ConfigSection* ConfigDocument::FindSection(std::string_view name) const {
  for (const ConfigSection& s : sections_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

ConfigSection* ConfigDocument::FindSection(std::string_view name) {
  return const_cast<ConfigSection*>(std::as_const(*this).FindSection(name));
}

ConfigSection& ConfigDocument::GetOrAddSection(std::string_view name) {
  if (ConfigSection* s = FindSection(name)) return *s;
  sections_.push_back(ConfigSection{std::string(name), 0, {}});
  return sections_.back();
}

const ConfigSection* ConfigDocument::FindNamed(NamedKind kind, std::string_view name) const {
  for (const ConfigSection& s : named_[static_cast<int>(kind)]) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

ConfigSection* ConfigDocument::FindNamed(NamedKind kind, std::string_view name) {
  return const_cast<ConfigSection*>(std::as_const(*this).FindNamed(kind, name));
}

ConfigSection& ConfigDocument::GetOrAddNamed(NamedKind kind, std::string_view name) {
  if (ConfigSection* s = FindNamed(kind, name)) return *s;
  auto& list = named_[static_cast<int>(kind)];
  list.push_back(ConfigSection{std::string(name), 0, {}});
  return list.back();
}

bool ConfigDocument::EraseNamed(NamedKind kind, std::string_view name) {
  auto& list = named_[static_cast<int>(kind)];
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const ConfigSection& s) { return s.name == name; });
  if (it == list.end()) return false;
  list.erase(it);
  return true;
}

bool ConfigDocument::RenameNamed(NamedKind kind, std::string_view from, std::string_view to) {
  auto& list = named_[static_cast<int>(kind)];
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const ConfigSection& s) { return s.name == from; });
  if (it == list.end()) return false;
  ConfigSection moved = std::move(*it);
  list.erase(it);
  moved.name = std::string(to);
  EraseNamed(kind, to);
  list.push_back(std::move(moved));
  return true;
}

// ---------------------------------------------------------------------------------------------
// Levels, merge and validation.

namespace {

constexpr ConfigLevel kAllLevels[] = {ConfigLevel::kSystem, ConfigLevel::kGlobal,
                                      ConfigLevel::kRepo, ConfigLevel::kLocal};

// One option of the merged view, with the document it came from.
struct MergedOption {
  std::string key;
  const ConfigValue* value;
  const ConfigDocument* doc;
};

struct MergedSection {
  std::string name;
  const ConfigDocument* doc;  // the first document with this section
  int line;
  std::vector<MergedOption> options;

  const MergedOption* Find(std::string_view key) const {
    for (const MergedOption& o : options) {
      if (o.key == key) return &o;
    }
    return nullptr;
  }
};

// DVC's merge(): sections merge option by option, later documents win.
struct Merged {
  std::vector<MergedSection> plain;
  std::array<std::vector<MergedSection>, 3> named;
};

void MergeSection(const ConfigDocument* doc, const ConfigSection& section,
                  std::vector<MergedSection>* into) {
  auto it = std::find_if(into->begin(), into->end(),
                         [&](const MergedSection& m) { return m.name == section.name; });
  if (it == into->end()) {
    into->push_back(MergedSection{section.name, doc, section.line, {}});
    it = into->end() - 1;
  }
  for (const ConfigOption& o : section.options) {
    auto oit = std::find_if(it->options.begin(), it->options.end(),
                            [&](const MergedOption& m) { return m.key == o.key; });
    if (oit != it->options.end()) {
      oit->value = &o.value;
      oit->doc = doc;
    } else {
      it->options.push_back(MergedOption{o.key, &o.value, doc});
    }
  }
}

Merged Merge(const std::vector<const ConfigDocument*>& docs) {
  Merged m;
  for (const ConfigDocument* doc : docs) {
    for (const ConfigSection& s : doc->sections()) MergeSection(doc, s, &m.plain);
    for (int k = 0; k < 3; ++k) {
      for (const ConfigSection& s : doc->named(static_cast<NamedKind>(k))) {
        MergeSection(doc, s, &m.named[k]);
      }
    }
  }
  return m;
}

std::string SpecKeys(const std::vector<ConfigKeySpec>& spec) {
  std::string out;
  for (const ConfigKeySpec& k : spec) {
    if (!out.empty()) out += ", ";
    out += k.key;
  }
  return out;
}

const ConfigKeySpec* FindSpec(const std::vector<ConfigKeySpec>& spec, std::string_view key) {
  for (const ConfigKeySpec& k : spec) {
    if (k.key == key) return &k;
  }
  return nullptr;
}

Status OptionError(const MergedOption& o, std::string_view message) {
  return Status::InvalidArgument(Location(o.doc->filename(), o.value->line) + ": " +
                                 std::string(message));
}

Status CheckOptions(const MergedSection& section, std::string_view display, std::string_view prefix,
                    const std::vector<ConfigKeySpec>& spec, std::string_view accepts_what) {
  for (const MergedOption& o : section.options) {
    const ConfigKeySpec* k = FindSpec(spec, o.key);
    if (k == nullptr) {
      return OptionError(o, "unknown option '" + o.key + "' in " + std::string(display) + "; " +
                                std::string(accepts_what) + ": " + SpecKeys(spec));
    }
    std::string problem = CheckConfigValue(*k, *o.value);
    if (!problem.empty()) {
      return OptionError(o, std::string(prefix) + o.key + ": " + problem);
    }
  }
  return Status::Ok();
}

// `\w+://` at the start.
bool HasScheme(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && (std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '_')) ++i;
  return i > 0 && v.substr(i, 3) == "://";
}

}  // namespace

Status ValidateConfig(const std::vector<const ConfigDocument*>& levels) {
  Merged m = Merge(levels);
  for (const MergedSection& s : m.plain) {
    std::string display = "[" + s.name + "]";
    const std::vector<ConfigKeySpec>* spec = PlainSectionSpec(s.name);
    if (spec == nullptr) {
      std::string known;
      for (std::string_view n : PlainSectionNames())
        known += (known.empty() ? "" : ", ") + std::string(n);
      return Status::InvalidArgument(Location(s.doc->filename(), s.line) +
                                     ": unknown config section " + display +
                                     "; DVC knows: " + known +
                                     ", and ['remote \"NAME\"'], ['machine \"NAME\"'], "
                                     "['db \"NAME\"']");
    }
    if (SectionAcceptsAnyOption(s.name)) {
      for (const MergedOption& o : s.options) {
        if (const ConfigKeySpec* k = FindSpec(*spec, o.key)) {
          std::string problem = CheckConfigValue(*k, *o.value);
          if (!problem.empty()) return OptionError(o, s.name + "." + o.key + ": " + problem);
        }
      }
      continue;
    }
    CAIRN_RETURN_IF_ERROR(CheckOptions(s, display, s.name + ".", *spec, display + " accepts"));
  }
  for (const MergedSection& s : m.named[static_cast<int>(NamedKind::kRemote)]) {
    std::string display = "remote '" + s.name + "'";
    const MergedOption* url = s.Find("url");
    if (url == nullptr) {
      return Status::InvalidArgument(Location(s.doc->filename(), s.line) + ": " + display +
                                     " has no url (expected 'url')");
    }
    if (url->value->is_list) {
      return OptionError(*url, "remote." + s.name + ".url: expected a single value, got a list");
    }
    std::string scheme;
    bool any = false;
    const std::vector<ConfigKeySpec>* spec = RemoteSpecForUrl(url->value->text, &scheme, &any);
    if (any) continue;
    if (spec == nullptr) {
      std::string known;
      for (std::string_view sc : RemoteSchemes()) {
        if (!sc.empty()) known += (known.empty() ? "" : ", ") + std::string(sc);
      }
      return OptionError(*url, "remote." + s.name + ".url: unsupported URL type " + scheme +
                                   ":// (DVC supports " + known + ", remote, and local paths)");
    }
    std::string kind = scheme.empty() ? "local" : scheme;
    CAIRN_RETURN_IF_ERROR(CheckOptions(s, display + " (" + kind + ")", "remote." + s.name + ".",
                                       *spec, kind + " remotes accept"));
  }
  for (const MergedSection& s : m.named[static_cast<int>(NamedKind::kMachine)]) {
    CAIRN_RETURN_IF_ERROR(CheckOptions(s, "machine '" + s.name + "'", "machine." + s.name + ".",
                                       MachineSpec(), "machines accept"));
  }
  for (const MergedSection& s : m.named[static_cast<int>(NamedKind::kDb)]) {
    CAIRN_RETURN_IF_ERROR(
        CheckOptions(s, "db '" + s.name + "'", "db." + s.name + ".", DbSpec(), "dbs accept"));
  }
  return Status::Ok();
}

std::string_view ConfigLevelName(ConfigLevel level) {
  switch (level) {
    case ConfigLevel::kSystem:
      return "system";
    case ConfigLevel::kGlobal:
      return "global";
    case ConfigLevel::kRepo:
      return "repo";
    case ConfigLevel::kLocal:
      return "local";
  }
  return "repo";
}

ConfigPaths DefaultConfigPaths(const sys::Env& env, std::string_view root) {
  ConfigPaths paths;
  auto nonempty = [&](std::string_view name) -> std::optional<std::string> {
    std::optional<std::string> v = env.GetVar(name);
    if (v && !v->empty()) return v;
    return std::nullopt;
  };
  std::string system_dir;
  if (auto d = nonempty("DVC_SYSTEM_CONFIG_DIR")) {
    system_dir = *d;
  } else {
    std::string dirs = nonempty("XDG_CONFIG_DIRS").value_or("/etc/xdg");
    system_dir = core::JoinPath(core::Split(dirs, ':')[0], "dvc");
  }
  std::string global_dir;
  if (auto d = nonempty("DVC_GLOBAL_CONFIG_DIR")) {
    global_dir = *d;
  } else if (auto x = nonempty("XDG_CONFIG_HOME")) {
    global_dir = core::JoinPath(*x, "dvc");
  } else {
    global_dir = core::JoinPath(core::JoinPath(env.GetVar("HOME").value_or("/"), ".config"), "dvc");
  }
  paths.files[static_cast<int>(ConfigLevel::kSystem)] = core::JoinPath(system_dir, "config");
  paths.files[static_cast<int>(ConfigLevel::kGlobal)] = core::JoinPath(global_dir, "config");
  if (!root.empty()) {
    paths.files[static_cast<int>(ConfigLevel::kRepo)] = core::JoinPath(root, ".dvc/config");
    paths.files[static_cast<int>(ConfigLevel::kLocal)] = core::JoinPath(root, ".dvc/config.local");
    paths.root = std::string(root);
  }
  return paths;
}

std::string ConfigListEntry::Format(bool show_origin) const {
  std::string line = name + "=" + value;
  return show_origin ? origin + "\t" + line : line;
}

const ConfigValue* RemoteConfig::Find(std::string_view key) const {
  for (const ConfigOption& o : options) {
    if (o.key == key) return &o.value;
  }
  return nullptr;
}

Result<ConfigName> ParseConfigName(std::string_view name) {
  std::vector<std::string_view> parts = core::Split(name, '.');
  ConfigName out;
  if (parts.size() == 3 && (parts[0] == "remote" || parts[0] == "db")) {
    out.kind = parts[0] == "remote" ? NamedKind::kRemote : NamedKind::kDb;
    out.section = core::ToLower(parts[1]);
    out.option = core::ToLower(parts[2]);
    return out;
  }
  if (parts.size() == 2) {
    out.section = core::ToLower(parts[0]);
    out.option = core::ToLower(parts[1]);
    return out;
  }
  return Status::InvalidArgument("config name '" + std::string(name) +
                                 "' should look like remote.name.option or db.name.option or "
                                 "section.option");
}

std::vector<std::string> KnownConfigKeys() {
  std::vector<std::string> out;
  for (std::string_view section : PlainSectionNames()) {
    std::string line = std::string(section) + ": " + SpecKeys(*PlainSectionSpec(section));
    if (SectionAcceptsAnyOption(section)) line += " (other options are ignored)";
    out.push_back(std::move(line));
  }
  for (std::string_view scheme : RemoteSchemes()) {
    out.push_back("remote (" + std::string(scheme.empty() ? "local" : scheme) +
                  "): " + SpecKeys(RemoteSpecForScheme(scheme)));
  }
  out.push_back("remote (remote://): any option");
  out.push_back("machine: " + SpecKeys(MachineSpec()));
  out.push_back("db: " + SpecKeys(DbSpec()));
  return out;
}

Result<Config> Config::Load(sys::Env& env, ConfigPaths paths, Options options) {
  Config config(env, std::move(paths), std::move(options));
  std::vector<const ConfigDocument*> loaded;
  for (ConfigLevel level : kAllLevels) {
    const std::string& file = config.paths_.file(level);
    if (file.empty()) continue;
    ConfigDocument& doc = config.mutable_level(level);
    Result<std::string> text = env.ReadFile(file);
    if (text.ok()) {
      CAIRN_ASSIGN_OR_RETURN(doc, ConfigDocument::Parse(*text, file));
    } else if (!text.status().IsNotFound()) {
      return text.status().WithContext("reading DVC config " + file);
    }
    doc.set_filename(file);
    loaded.push_back(&doc);
  }
  if (config.options_.validate) CAIRN_RETURN_IF_ERROR(ValidateConfig(loaded));
  return config;
}

const ConfigValue* Config::Get(std::string_view section, std::string_view key) const {
  for (int i = kConfigLevelCount; i-- > 0;) {
    if (const ConfigSection* s = levels_[i].FindSection(section)) {
      if (const ConfigValue* v = s->Find(key)) return v;
    }
  }
  return nullptr;
}

std::optional<std::string> Config::ResolvedPath(std::string_view section,
                                                std::string_view key) const {
  for (int i = kConfigLevelCount; i-- > 0;) {
    if (const ConfigSection* s = levels_[i].FindSection(section)) {
      if (const ConfigValue* v = s->Find(key)) {
        return DisplayValue(static_cast<ConfigLevel>(i), section, key, *v);
      }
    }
  }
  return std::nullopt;
}

std::string Config::default_remote() const {
  const ConfigValue* v = Get("core", "remote");
  return v ? core::ToLower(v->Display()) : std::string();
}

Result<RemoteConfig> Config::Remote(std::string_view name) const {
  RemoteConfig out;
  out.name = core::ToLower(name);
  bool found = false;
  for (ConfigLevel level : kAllLevels) {
    const ConfigSection* s = level_ref(level).FindNamed(NamedKind::kRemote, out.name);
    if (s == nullptr) continue;
    found = true;
    for (const ConfigOption& o : s->options) {
      if (o.key == "url") {
        out.url = DisplayValue(level, "remote", "url", o.value);
        continue;
      }
      ConfigValue v = o.value;
      if (IsPathOption("remote", o.key))
        v = ConfigValue::Str(DisplayValue(level, "remote", o.key, v));
      auto it = std::find_if(out.options.begin(), out.options.end(),
                             [&](const ConfigOption& x) { return x.key == o.key; });
      if (it != out.options.end()) {
        it->value = std::move(v);
      } else {
        out.options.push_back(ConfigOption{o.key, std::move(v)});
      }
    }
  }
  if (!found) return Status::NotFound("remote '" + out.name + "' doesn't exist.");
  return out;
}

std::string Config::Origin(ConfigLevel level) const {
  const std::string& file = paths_.file(level);
  if ((level == ConfigLevel::kRepo || level == ConfigLevel::kLocal) && !paths_.root.empty()) {
    return core::RelativePath(file, paths_.root);
  }
  return file;
}

std::string Config::DisplayValue(ConfigLevel level, std::string_view section_kind,
                                 std::string_view key, const ConfigValue& value) const {
  if (value.is_list || !IsPathOption(section_kind, key)) return value.Display();
  const std::string& v = value.text;
  if (HasScheme(v) || core::IsAbsolutePath(v)) return v;
  if (v == "~" || v.rfind("~/", 0) == 0) {
    if (std::optional<std::string> home = env_->GetVar("HOME")) {
      std::string expanded = *home + v.substr(1);
      if (core::IsAbsolutePath(expanded)) return expanded;
    }
  }
  std::string dir(core::Dirname(paths_.file(level)));
  return core::NormalizePath(core::JoinPath(dir, v));
}

std::vector<ConfigListEntry> Config::List(std::optional<ConfigLevel> only) const {
  std::vector<ConfigListEntry> out;
  for (ConfigLevel level : kAllLevels) {
    if (!has_level(level) || (only && *only != level)) continue;
    const ConfigDocument& doc = level_ref(level);
    std::string origin = Origin(level);
    for (int k = 0; k < 3; ++k) {
      std::string kind(NamedKindName(static_cast<NamedKind>(k)));
      for (const ConfigSection& s : doc.named(static_cast<NamedKind>(k))) {
        for (const ConfigOption& o : s.options) {
          out.push_back(ConfigListEntry{origin, kind + "." + s.name + "." + o.key,
                                        DisplayValue(level, kind, o.key, o.value)});
        }
      }
    }
    for (const ConfigSection& s : doc.sections()) {
      for (const ConfigOption& o : s.options) {
        out.push_back(ConfigListEntry{origin, s.name + "." + o.key,
                                      DisplayValue(level, s.name, o.key, o.value)});
      }
    }
  }
  return out;
}

std::vector<RemoteListEntry> Config::ListRemotes(std::optional<ConfigLevel> only) const {
  std::vector<RemoteListEntry> out;
  std::string default_name;
  for (ConfigLevel level : kAllLevels) {
    if (!has_level(level) || (only && *only != level)) continue;
    const ConfigDocument& doc = level_ref(level);
    if (const ConfigSection* core_section = doc.FindSection("core")) {
      if (const ConfigValue* v = core_section->Find("remote")) default_name = v->Display();
    }
    for (const ConfigSection& s : doc.named(NamedKind::kRemote)) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const RemoteListEntry& e) { return e.name == s.name; });
      if (it == out.end()) {
        out.push_back(RemoteListEntry{s.name, "", false});
        it = out.end() - 1;
      }
      if (const ConfigValue* url = s.Find("url"))
        it->url = DisplayValue(level, "remote", "url", *url);
    }
  }
  for (RemoteListEntry& e : out) e.is_default = e.name == default_name;
  return out;
}

namespace {

// DVC's _check: a plain section "exists" when the file has it or DVC's schema does.
Status CheckExists(const ConfigDocument& doc, const ConfigName& name, bool need_option,
                   const ConfigValue** value) {
  const ConfigSection* section =
      name.kind ? doc.FindNamed(*name.kind, name.section) : doc.FindSection(name.section);
  std::string what = name.kind ? std::string(NamedKindName(*name.kind)) : "section";
  bool exists = section != nullptr || (!name.kind && (PlainSectionSpec(name.section) != nullptr));
  if (!exists) return Status::NotFound(what + " '" + name.section + "' doesn't exist");
  const ConfigValue* v = section ? section->Find(name.option) : nullptr;
  if (need_option && v == nullptr) {
    return Status::NotFound("option '" + name.option + "' doesn't exist in " + what + " '" +
                            name.section + "'");
  }
  if (value) *value = v;
  return Status::Ok();
}

}  // namespace

Result<std::optional<ConfigListEntry>> Config::GetOption(std::optional<ConfigLevel> only,
                                                         std::string_view name_text) const {
  CAIRN_ASSIGN_OR_RETURN(ConfigName name, ParseConfigName(name_text));
  if (only) CAIRN_RETURN_IF_ERROR(CheckLevel(*only));
  for (int i = kConfigLevelCount; i-- > 0;) {
    ConfigLevel level = static_cast<ConfigLevel>(i);
    if (!has_level(level) || (only && *only != level)) continue;
    const ConfigValue* value = nullptr;
    Status st = CheckExists(level_ref(level), name, /*need_option=*/true, &value);
    if (!st.ok()) {
      if (only) return st;
      continue;
    }
    std::string kind = name.kind ? std::string(NamedKindName(*name.kind)) : name.section;
    std::string full = name.kind ? kind + "." + name.section + "." + name.option
                                 : name.section + "." + name.option;
    return std::optional<ConfigListEntry>(
        ConfigListEntry{Origin(level), full, DisplayValue(level, kind, name.option, *value)});
  }
  return std::optional<ConfigListEntry>();
}

Result<std::string> Config::GetDefaultRemote(std::optional<ConfigLevel> only) const {
  if (only) CAIRN_RETURN_IF_ERROR(CheckLevel(*only));
  for (int i = kConfigLevelCount; i-- > 0;) {
    ConfigLevel level = static_cast<ConfigLevel>(i);
    if (!has_level(level) || (only && *only != level)) continue;
    if (const ConfigSection* s = level_ref(level).FindSection("core")) {
      if (const ConfigValue* v = s->Find("remote")) return v->Display();
    }
  }
  return Status::NotFound("No default remote set");
}

Status Config::CheckLevel(ConfigLevel level) const {
  if (has_level(level)) return Status::Ok();
  return Status::InvalidArgument("not inside a DVC repository: there is no " +
                                 std::string(ConfigLevelName(level)) + " config");
}

void Config::SavePaths(ConfigDocument& doc, ConfigLevel level) const {
  std::string dir(core::Dirname(paths_.file(level)));
  std::string cwd = options_.cwd.empty() ? paths_.root : options_.cwd;
  auto fix = [&](std::string_view kind, ConfigSection& section) {
    for (ConfigOption& o : section.options) {
      if (!IsPathOption(kind, o.key) || o.value.is_list) continue;
      const std::string& v = o.value.text;
      if (v.empty() || HasScheme(v) || core::IsAbsolutePath(v) || v[0] == '~') continue;
      // Read from the file: relative to its directory; given by an edit: relative to cwd.
      std::string base = o.value.line > 0 ? dir : cwd;
      std::string abs = core::NormalizePath(core::JoinPath(base, v));
      o.value.text = core::RelativePath(abs, dir);
    }
  };
  if (ConfigSection* cache = doc.FindSection("cache")) fix("cache", *cache);
  for (int k = 0; k < 3; ++k) {
    NamedKind kind = static_cast<NamedKind>(k);
    for (const ConfigSection& s : doc.named(kind)) {
      fix(NamedKindName(kind), *doc.FindNamed(kind, s.name));
    }
  }
}

Status Config::Commit(ConfigLevel level, ConfigDocument doc) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  const std::string& file = paths_.file(level);
  doc.set_filename(file);
  SavePaths(doc, level);
  std::vector<const ConfigDocument*> stack;
  for (ConfigLevel l : kAllLevels) {
    if (l == level) break;
    if (has_level(l)) stack.push_back(&level_ref(l));
  }
  stack.push_back(&doc);
  CAIRN_RETURN_IF_ERROR(ValidateConfig(stack));
  Result<std::string> text = doc.Serialize();
  if (!text.ok()) return text.status().WithContext(file);
  Result<std::string> current = env_->ReadFile(file);
  bool unchanged =
      current.ok() ? *current == *text : (current.status().IsNotFound() && *text == "\n");
  if (!current.ok() && !current.status().IsNotFound()) {
    return current.status().WithContext("reading DVC config " + file);
  }
  if (!unchanged) {
    CAIRN_RETURN_IF_ERROR(env_->CreateDirs(core::Dirname(file)));
    CAIRN_RETURN_IF_ERROR(env_->WriteFile(file, *text));
  }
  CAIRN_ASSIGN_OR_RETURN(mutable_level(level), ConfigDocument::Parse(*text, file));
  return Status::Ok();
}

Status Config::AddRemote(ConfigLevel level, std::string_view name_in, std::string_view url,
                         bool make_default, bool force) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  std::string name = core::ToLower(name_in);
  ConfigDocument doc = level_ref(level);
  if (ConfigSection* existing = doc.FindNamed(NamedKind::kRemote, name)) {
    if (!force) {
      return Status::AlreadyExists("remote '" + name +
                                   "' already exists. Use `-f|--force` to overwrite it.");
    }
    existing->options.clear();
  }
  doc.GetOrAddNamed(NamedKind::kRemote, name).Set("url", ConfigValue::Str(std::string(url)));
  if (make_default) doc.GetOrAddSection("core").Set("remote", ConfigValue::Str(name));
  return Commit(level, std::move(doc));
}

Status Config::ModifyRemote(ConfigLevel level, std::string_view name_in, std::string_view option,
                            std::optional<std::string_view> value) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  std::string name = core::ToLower(name_in);
  bool exists = false;
  for (ConfigLevel l : kAllLevels) {
    if (static_cast<int>(l) > static_cast<int>(level)) break;
    if (level_ref(l).FindNamed(NamedKind::kRemote, name)) exists = true;
  }
  if (!exists) return Status::NotFound("remote '" + name + "' doesn't exist.");
  ConfigDocument doc = level_ref(level);
  ConfigSection& section = doc.GetOrAddNamed(NamedKind::kRemote, name);
  if (value) {
    section.Set(option, ConfigValue::Str(std::string(*value)));
  } else {
    section.Erase(option);
  }
  return Commit(level, std::move(doc));
}

Status Config::RemoveRemote(ConfigLevel level, std::string_view name_in) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  std::string name = core::ToLower(name_in);
  ConfigDocument doc = level_ref(level);
  if (!doc.EraseNamed(NamedKind::kRemote, name)) {
    return Status::NotFound("remote '" + name + "' doesn't exist.");
  }
  CAIRN_RETURN_IF_ERROR(Commit(level, std::move(doc)));
  // Remove core.remote references to it in this level and the ones that shadow it.
  for (int i = kConfigLevelCount; i-- > static_cast<int>(level);) {
    ConfigLevel l = static_cast<ConfigLevel>(i);
    if (!has_level(l)) continue;
    ConfigDocument other = level_ref(l);
    ConfigSection* core_section = other.FindSection("core");
    const ConfigValue* v = core_section ? core_section->Find("remote") : nullptr;
    if (v && !v->is_list && v->text == name) {
      core_section->Erase("remote");
      CAIRN_RETURN_IF_ERROR(Commit(l, std::move(other)));
    }
  }
  return Status::Ok();
}

Status Config::RenameRemote(ConfigLevel level, std::string_view name_in,
                            std::string_view new_name) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  std::string name = core::ToLower(name_in);
  for (ConfigLevel l : kAllLevels) {
    if (has_level(l) && level_ref(l).FindNamed(NamedKind::kRemote, new_name)) {
      return Status::AlreadyExists("Rename failed. Remote name '" + std::string(new_name) +
                                   "' already exists.");
    }
  }
  auto rename_default = [&](ConfigDocument& doc) {
    ConfigSection* core_section = doc.FindSection("core");
    const ConfigValue* v = core_section ? core_section->Find("remote") : nullptr;
    if (v && !v->is_list && v->text == name) {
      core_section->Set("remote", ConfigValue::Str(std::string(new_name)));
      return true;
    }
    return false;
  };
  ConfigDocument doc = level_ref(level);
  if (!doc.RenameNamed(NamedKind::kRemote, name, new_name)) {
    return Status::NotFound("remote '" + name + "' doesn't exist.");
  }
  rename_default(doc);
  CAIRN_RETURN_IF_ERROR(Commit(level, std::move(doc)));
  for (int i = kConfigLevelCount; i-- > static_cast<int>(level) + 1;) {
    ConfigLevel l = static_cast<ConfigLevel>(i);
    if (!has_level(l)) continue;
    ConfigDocument other = level_ref(l);
    if (rename_default(other)) CAIRN_RETURN_IF_ERROR(Commit(l, std::move(other)));
  }
  return Status::Ok();
}

Status Config::SetDefaultRemote(ConfigLevel level, std::optional<std::string_view> name_in) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  ConfigDocument doc = level_ref(level);
  if (!name_in) {
    if (ConfigSection* core_section = doc.FindSection("core")) core_section->Erase("remote");
    return Commit(level, std::move(doc));
  }
  std::string name = core::ToLower(*name_in);
  bool exists = false;
  for (ConfigLevel l : kAllLevels) {
    if (static_cast<int>(l) > static_cast<int>(level)) break;
    if (level_ref(l).FindNamed(NamedKind::kRemote, name)) exists = true;
  }
  if (!exists) return Status::NotFound("default remote must be present in remote list.");
  doc.GetOrAddSection("core").Set("remote", ConfigValue::Str(name));
  return Commit(level, std::move(doc));
}

Status Config::SetOption(ConfigLevel level, std::string_view name_text, std::string_view value) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  CAIRN_ASSIGN_OR_RETURN(ConfigName name, ParseConfigName(name_text));
  ConfigDocument doc = level_ref(level);
  ConfigSection& section =
      name.kind ? doc.GetOrAddNamed(*name.kind, name.section) : doc.GetOrAddSection(name.section);
  section.Set(name.option, ConfigValue::Str(std::string(value)));
  return Commit(level, std::move(doc));
}

Status Config::UnsetOption(ConfigLevel level, std::string_view name_text) {
  CAIRN_RETURN_IF_ERROR(CheckLevel(level));
  CAIRN_ASSIGN_OR_RETURN(ConfigName name, ParseConfigName(name_text));
  ConfigDocument doc = level_ref(level);
  CAIRN_RETURN_IF_ERROR(CheckExists(doc, name, /*need_option=*/true, nullptr));
  ConfigSection* section =
      name.kind ? doc.FindNamed(*name.kind, name.section) : doc.FindSection(name.section);
  section->Erase(name.option);
  return Commit(level, std::move(doc));
}

}  // namespace cairn::data
