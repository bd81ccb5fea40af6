#include "core/yaml_emit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/utf8.h"

// A port of the Emitter of PyYAML 6 / ruamel.yaml 0.17.21 (emitter.py), restricted to what a
// Value can hold: block mappings and sequences, empty flow collections, untagged scalars. The
// member functions keep the Python names (write_indent -> WriteIndent...) and the state keeps
// the Python attributes, so the two can be read side by side. Columns count code points, as
// Python's len() does; scalars are decoded to UTF-32 for that.

namespace cairn::core {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr size_t kMaxSimpleKeyLength = 128;
constexpr size_t kStrTagLength = 5;  // "!!str"
constexpr int kBestIndent = 2;       // best_sequence_indent == best_map_indent == 2

bool IsBreak(char32_t c) { return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029; }

// '\0 \t\r\n\x85\u2028\u2029': what counts as "preceded/followed by whitespace".
bool IsBlankOrBreakOrNul(char32_t c) {
  return c == 0 || c == ' ' || c == '\t' || c == '\r' || IsBreak(c);
}

std::u32string Decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) {
      out.push_back(kReplacement);
      ++i;
    } else {
      out.push_back(cp);
      i += n;
    }
  }
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// ---- The resolver: which type a plain scalar reads back as ----
// Hand-written matchers for the implicit resolvers' regular expressions (ruamel's YAML 1.2 set,
// PyYAML's YAML 1.1 set). Each must match the whole text.

enum class Tag : uint8_t { kStr, kNull, kBool, kInt, kFloat, kOther };

// A cursor over the text being matched.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return i_ == s_.size(); }
  size_t pos() const { return i_; }
  void set_pos(size_t i) { i_ = i; }
  char Peek(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  bool Eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool EatOneOf(std::string_view set) {
    if (i_ < s_.size() && set.find(s_[i_]) != std::string_view::npos) {
      ++i_;
      return true;
    }
    return false;
  }
  bool EatDigit() {
    if (!IsDigit(Peek())) return false;  // Peek() is '\0' at the end
    ++i_;
    return true;
  }
  // Eats characters while `pred` holds; returns how many.
  template <typename Pred>
  size_t EatWhile(Pred pred) {
    size_t start = i_;
    while (i_ < s_.size() && pred(s_[i_])) ++i_;
    return i_ - start;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool DigitOrUnderscore(char c) { return IsDigit(c) || c == '_'; }

// [eE][-+]?[0-9]+ (sign_required: [eE][-+][0-9]+), optional as a whole; false when it starts
// but does not complete (the regex then fails at the end anchor anyway).
bool EatExponent(Cursor& c, bool sign_required) {
  if (!c.EatOneOf("eE")) return true;
  bool sign = c.EatOneOf("+-");
  if (sign_required && !sign) return false;
  return c.EatWhile(IsDigit) > 0;
}

// (?::[0-5]?[0-9])+
bool EatSexagesimalGroups(Cursor& c) {
  int groups = 0;
  while (c.Peek() == ':') {
    c.Eat(':');
    if (c.Peek() >= '0' && c.Peek() <= '5' && IsDigit(c.Peek(1))) {
      c.set_pos(c.pos() + 2);
    } else if (!c.EatDigit()) {
      return false;
    }
    ++groups;
  }
  return groups > 0;
}

// [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN): the same in both schemas.
bool IsInfOrNan(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  return s == ".inf" || s == ".Inf" || s == ".INF";
}

// ruamel, YAML 1.2:
//   [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)? | [-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
//   | [-+]?\.[0-9_]+([eE][-+][0-9]+)? | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
bool IsFloat12(std::string_view s) {
  if (IsInfOrNan(s)) return true;
  Cursor c(s);
  c.EatOneOf("+-");
  if (c.Eat('.')) {
    if (c.EatWhile(DigitOrUnderscore) == 0) return false;
    return EatExponent(c, true) && c.AtEnd();
  }
  if (!c.EatDigit()) return false;
  c.EatWhile(DigitOrUnderscore);
  if (c.Eat('.')) {
    c.EatWhile(DigitOrUnderscore);
    return EatExponent(c, false) && c.AtEnd();
  }
  if (!c.EatOneOf("eE")) return false;
  c.EatOneOf("+-");
  return c.EatWhile(IsDigit) > 0 && c.AtEnd();
}

// PyYAML, YAML 1.1:
//   [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)?
//   | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
bool IsFloat11(std::string_view s) {
  if (IsInfOrNan(s)) return true;
  Cursor c(s);
  if (c.Eat('.')) {
    if (!c.EatDigit()) return false;
    c.EatWhile(DigitOrUnderscore);
    return EatExponent(c, true) && c.AtEnd();
  }
  c.EatOneOf("+-");
  if (!c.EatDigit()) return false;
  c.EatWhile(DigitOrUnderscore);
  if (c.Peek() == ':') {
    if (!EatSexagesimalGroups(c) || !c.Eat('.')) return false;
    c.EatWhile(DigitOrUnderscore);
    return c.AtEnd();
  }
  if (!c.Eat('.')) return false;
  c.EatWhile(DigitOrUnderscore);
  return EatExponent(c, true) && c.AtEnd();
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// ruamel, YAML 1.2: [-+]?(0b[0-1_]+ | 0o?[0-7_]+ | [0-9_]+ | 0x[0-9a-fA-F_]+),
// starting with one of -+0-9.
bool IsInt12(std::string_view s) {
  if (s.empty() || !(s[0] == '-' || s[0] == '+' || IsDigit(s[0]))) return false;
  if (s[0] == '-' || s[0] == '+') s.remove_prefix(1);
  auto binary = [](char c) { return c == '0' || c == '1' || c == '_'; };
  auto octal = [](char c) { return (c >= '0' && c <= '7') || c == '_'; };
  auto hex = [](char c) { return IsHexDigit(c) || c == '_'; };
  if (s.starts_with("0b") && AllOf(s.substr(2), binary)) return true;
  if (s.starts_with("0o") && AllOf(s.substr(2), octal)) return true;
  if (s.starts_with("0x") && AllOf(s.substr(2), hex)) return true;
  return AllOf(s, DigitOrUnderscore);
}

// PyYAML, YAML 1.1: [-+]?(0b[0-1_]+ | 0[0-7_]+ | (0|[1-9][0-9_]*) | 0x[0-9a-fA-F_]+
// | [1-9][0-9_]*(:[0-5]?[0-9])+).
bool IsInt11(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  auto binary = [](char c) { return c == '0' || c == '1' || c == '_'; };
  auto octal = [](char c) { return (c >= '0' && c <= '7') || c == '_'; };
  auto hex = [](char c) { return IsHexDigit(c) || c == '_'; };
  if (s.starts_with("0b") && AllOf(s.substr(2), binary)) return true;
  if (s.starts_with("0x") && AllOf(s.substr(2), hex)) return true;
  if (s[0] == '0') return s.size() == 1 || AllOf(s.substr(1), octal);
  if (s[0] < '1' || s[0] > '9') return false;
  Cursor c(s);
  c.EatDigit();
  c.EatWhile(DigitOrUnderscore);
  if (c.AtEnd()) return true;
  return EatSexagesimalGroups(c) && c.AtEnd();
}

// [0-9]{4}-[0-9]{2}-[0-9]{2}
// | [0-9]{4}-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}(\.[0-9]*)?
//   ([ \t]*(Z|[-+][0-9][0-9]?(:[0-9]{2})?))?
bool IsTimestamp(std::string_view s) {
  Cursor c(s);
  auto digits = [&](int min, int max) {
    int n = 0;
    while (n < max && c.EatDigit()) ++n;
    return n >= min;
  };
  if (!digits(4, 4) || !c.Eat('-') || !digits(1, 2) || !c.Eat('-') || !digits(1, 2)) return false;
  if (c.AtEnd()) return s.size() == 10;  // the date-only form has two-digit month and day
  if (!c.EatOneOf("Tt") && c.EatWhile([](char ch) { return ch == ' ' || ch == '\t'; }) == 0) {
    return false;
  }
  if (!digits(1, 2) || !c.Eat(':') || !digits(2, 2) || !c.Eat(':') || !digits(2, 2)) return false;
  if (c.Eat('.')) c.EatWhile(IsDigit);
  size_t before_zone = c.pos();
  c.EatWhile([](char ch) { return ch == ' ' || ch == '\t'; });
  if (c.Eat('Z')) {
  } else if (c.EatOneOf("+-")) {
    if (!digits(1, 2)) return false;
    if (c.Eat(':') && !digits(2, 2)) return false;
  } else {
    c.set_pos(before_zone);
  }
  return c.AtEnd();
}

// The tag a plain scalar with this text resolves to (the resolvers are tried in the order the
// libraries register them: bool, float, int, merge, null, timestamp, value, yaml).
Tag Resolve(std::string_view s, YamlFlavor flavor) {
  bool yaml11 = flavor == YamlFlavor::kPyYaml;
  if (s.empty()) return Tag::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    return Tag::kBool;
  }
  if (yaml11) {
    for (std::string_view word :
         {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"}) {
      if (s == word) return Tag::kBool;
    }
  }
  if (yaml11 ? IsFloat11(s) : IsFloat12(s)) return Tag::kFloat;
  if (yaml11 ? IsInt11(s) : IsInt12(s)) return Tag::kInt;
  if (s == "<<") return Tag::kOther;
  if (s == "~" || s == "null" || s == "Null" || s == "NULL") return Tag::kNull;
  if (IsDigit(s[0]) && IsTimestamp(s)) return Tag::kOther;
  if (s == "=" || s == "!" || s == "&" || s == "*") return Tag::kOther;
  return Tag::kStr;
}

// ---- Scalar analysis ----

struct ScalarAnalysis {
  bool empty = false;
  bool multiline = false;
  bool allow_flow_plain = true;
  bool allow_block_plain = true;
  bool allow_single_quoted = true;
  bool allow_double_quoted = true;
  bool allow_block = true;
};

// The emitter's ScalarEvent: the text, and whether it reads back as its type when plain.
struct ScalarEvent {
  std::u32string text;
  Tag tag = Tag::kStr;
  bool implicit_plain = true;  // implicit[0]: resolving the text plain gives `tag`
  bool literal = false;        // the style asked for is '|' (ruamel's LiteralScalarString)
};

enum class Style : uint8_t { kPlain, kSingle, kDouble, kLiteral };

class Emitter {
 public:
  explicit Emitter(const YamlEmitOptions& options)
      : options_(options),
        ruamel_(options.flavor == YamlFlavor::kRuamel),
        best_width_(options.width > 2 * kBestIndent ? options.width : 80) {}

  std::string Run(const Value& root) {
    // Stream start, then the first document, always implicit: check_empty_document() wants an
    // untagged event, and the representers tag every scalar.
    Node(root, /*root=*/true, false, false, false);
    // Document end.
    WriteIndent();
    // Stream end.
    if (open_ended_) {
      WriteIndicator("...", true);
      WriteIndent();
    }
    return std::move(out_);
  }

 private:
  // ---- Events from values ----

  ScalarEvent ValueScalar(const Value& v) const {
    ScalarEvent ev;
    std::string text;
    switch (v.kind()) {
      case ValueKind::kNull:
        ev.tag = Tag::kNull;
        // ruamel's represent_none: "" except for a lone root null.
        text = ruamel_ && !root_context_ ? "" : "null";
        break;
      case ValueKind::kBool:
        ev.tag = Tag::kBool;
        text = v.AsBool() ? "true" : "false";
        break;
      case ValueKind::kNumber:
        ev.tag = v.IsInteger() ? Tag::kInt : Tag::kFloat;
        text = NumberText(v);
        break;
      case ValueKind::kString:
        ev.tag = Tag::kStr;
        text = v.AsString();
        ev.literal = ruamel_ && v.style() == ScalarStyle::kLiteral;
        break;
      case ValueKind::kSequence:
      case ValueKind::kMapping:
        break;
    }
    Tag resolved = Resolve(text, options_.flavor);
    ev.implicit_plain = resolved == ev.tag || (ev.tag == Tag::kInt && resolved == Tag::kFloat) ||
                        (ev.tag == Tag::kFloat && resolved == Tag::kInt);
    ev.text = Decode(text);
    return ev;
  }

  ScalarEvent KeyScalar(const std::string& key) const {
    ScalarEvent ev;
    ev.tag = Tag::kStr;
    ev.implicit_plain = Resolve(key, options_.flavor) == Tag::kStr;
    ev.text = Decode(key);
    return ev;
  }

  std::string NumberText(const Value& v) const {
    double d = v.AsDouble();
    if (std::isnan(d)) return ".nan";
    if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
    if (ruamel_) {
      // The round-trip dumper keeps a loaded number's spelling, mostly.
      Tag t = Resolve(v.raw(), options_.flavor);
      if (t == Tag::kInt && v.IsInteger()) return RuamelIntText(v.raw());
      if (t == Tag::kInt || t == Tag::kFloat) return v.raw();
    }
    if (v.IsInteger()) {
      if (std::optional<int64_t> i = v.AsInt64()) return std::to_string(*i);
      // Beyond 64 bits: the canonical decimal the JSON writer gives (Python's str(int)).
      return ToJson(v);
    }
    std::string text = FormatPythonFloat(d);
    if (!ruamel_ && text.find('.') == std::string::npos && text.find('e') != std::string::npos) {
      // PyYAML's represent_float: YAML 1.1 floats need a '.' ("1e-07" -> "1.0e-07").
      text.insert(text.find('e'), ".0");
    }
    return text;
  }

  // How ruamel's round trip writes back an integer literal (its ScalarInt, HexInt... keep the
  // digits and their width, not the sign '+'): "+12" -> "12", "-0" -> "0", "-007" -> "-07",
  // "0x0a" and "0xA" as written.
  static std::string RuamelIntText(const std::string& raw) {
    std::string_view s = raw;
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
      negative = s[0] == '-';
      s.remove_prefix(1);
    }
    if (s.starts_with("0x") || s.starts_with("0o")) return raw;  // the loader signs neither
    if (s == "0") return "0";
    if (!s.starts_with("0")) return negative ? "-" + std::string(s) : std::string(s);
    // Leading zeros: Python's '{:0{width}d}'.format(value, width=len(digits)), where the
    // sign counts in the width.
    size_t first = s.find_first_not_of('0');
    if (!negative || first == std::string_view::npos) return std::string(s);  // "-00" is 0
    std::string digits(s.substr(first));
    std::string out = "-";
    if (digits.size() + 1 < s.size()) out.append(s.size() - 1 - digits.size(), '0');
    return out + digits;
  }

  // ---- Nodes (expect_node and the states it leads to) ----

  void Node(const Value& v, bool root, bool sequence, bool mapping, bool simple_key) {
    root_context_ = root;
    sequence_context_ = sequence;
    mapping_context_ = mapping;
    simple_key_context_ = simple_key;
    switch (v.kind()) {
      // Block style (default_flow_style=False), except for empty collections.
      case ValueKind::kSequence:
        if (v.items().empty()) {
          EmptyFlowCollection("[", "]");
        } else {
          BlockSequence(v);
        }
        break;
      case ValueKind::kMapping:
        if (v.members().empty()) {
          EmptyFlowCollection("{", "}");
        } else {
          BlockMapping(v);
        }
        break;
      default:
        Scalar(ValueScalar(v));
        break;
    }
  }

  void KeyNode(const ScalarEvent& key, bool simple_key) {
    root_context_ = false;
    sequence_context_ = false;
    mapping_context_ = true;
    simple_key_context_ = simple_key;
    Scalar(key);
  }

  // expect_scalar
  void Scalar(const ScalarEvent& ev) {
    IncreaseIndent(/*flow=*/true, /*indentless=*/false);
    ProcessScalar(ev);
    PopIndent();
  }

  // Only empty collections are written in flow style (default_flow_style=False), and nothing
  // is ever written inside one.
  void EmptyFlowCollection(std::string_view open, std::string_view close) {
    // ruamel's seq_flow_align() adds spaces before the indicator only after comments, or for
    // nested flow collections: never here.
    WriteIndicator(open, true, /*whitespace=*/true);
    IncreaseIndent(/*flow=*/true, /*indentless=*/false);
    ++flow_level_;
    PopIndent();
    --flow_level_;
    WriteIndicator(close, false);
    if (ruamel_ && flow_level_ == 0) WriteLineBreak();
  }

  void BlockSequence(const Value& v) {
    bool indentless = mapping_context_ && !indention_;
    IncreaseIndent(/*flow=*/false, indentless);
    for (const Value& item : v.items()) {
      WriteIndent();
      WriteIndicator("-", true, false, /*indention=*/true);
      Node(item, false, /*sequence=*/true, false, false);
    }
    PopIndent();
  }

  void BlockMapping(const Value& v) {
    IncreaseIndent(/*flow=*/false, /*indentless=*/false);
    std::vector<const Member*> members;
    members.reserve(v.members().size());
    for (const Member& m : v.members()) members.push_back(&m);
    if (options_.sort_keys) {
      std::stable_sort(members.begin(), members.end(),
                       [](const Member* a, const Member* b) { return a->key < b->key; });
    }
    for (const Member* m : members) {
      WriteIndent();
      ScalarEvent key = KeyScalar(m->key);
      if (CheckSimpleKey(key)) {
        KeyNode(key, /*simple_key=*/true);
        WriteIndicator(":", false);
      } else {
        WriteIndicator("?", true, false, /*indention=*/true);
        KeyNode(key, /*simple_key=*/false);
        WriteIndent();
        WriteIndicator(":", true, false, /*indention=*/true);
      }
      Node(m->value, false, false, /*mapping=*/true, false);
    }
    PopIndent();
  }

  bool CheckSimpleKey(const ScalarEvent& key) const {
    ScalarAnalysis a = Analyze(key.text);
    // The libraries count the tag they would write ("!!str") in the length, though they do
    // not write it.
    if (key.text.size() + kStrTagLength >= kMaxSimpleKeyLength || a.multiline) return false;
    // PyYAML writes an empty key as `? ''`; ruamel as `'':`.
    return ruamel_ || !a.empty;
  }

  // ---- Indentation ----

  // ruamel also records whether the new level is a sequence, for seq_flow_align(), which
  // adds nothing for the collections written here.
  void IncreaseIndent(bool flow, bool indentless) {
    indents_.push_back(indent_);
    if (indent_ < 0) {
      // At the top level: ruamel uses requested_indent (None) for a flow node, PyYAML
      // best_indent.
      indent_ = flow ? (ruamel_ ? -1 : kBestIndent) : 0;
    } else if (!indentless) {
      indent_ += kBestIndent;
    }
  }

  void PopIndent() {
    indent_ = indents_.back();
    indents_.pop_back();
  }

  // ---- Scalars ----

  ScalarAnalysis Analyze(const std::u32string& s) const {
    ScalarAnalysis a;
    if (s.empty()) {
      a.empty = true;
      a.allow_flow_plain = false;
      a.allow_block = false;
      return a;
    }
    bool block_indicators = false;
    bool flow_indicators = false;
    bool line_breaks = false;
    bool special_characters = false;
    bool leading_space = false;
    bool leading_break = false;
    bool trailing_space = false;
    bool trailing_break = false;
    bool break_space = false;
    bool space_break = false;

    std::u32string_view view(s);
    if (view.starts_with(U"---") || view.starts_with(U"...")) {
      block_indicators = true;
      flow_indicators = true;
    }
    bool preceded_by_whitespace = true;
    bool followed_by_whitespace = s.size() == 1 || IsBlankOrBreakOrNul(s[1]);
    bool previous_space = false;
    bool previous_break = false;

    for (size_t index = 0; index < s.size(); ++index) {
      char32_t ch = s[index];
      if (index == 0) {
        if (std::u32string_view(U"#,[]{}&*!|>'\"%@`").find(ch) != std::u32string_view::npos) {
          flow_indicators = true;
          block_indicators = true;
        }
        if (ch == '?' || ch == ':') {
          // ruamel (YAML 1.2): a leading '?' or ':' is a flow indicator only when alone.
          if (!ruamel_ || s.size() == 1) flow_indicators = true;
          if (followed_by_whitespace) block_indicators = true;
        }
        if (ch == '-' && followed_by_whitespace) {
          flow_indicators = true;
          block_indicators = true;
        }
      } else {
        if (ch == ',' || ch == '[' || ch == ']' || ch == '{' || ch == '}') flow_indicators = true;
        if (ch == '?' && !ruamel_) flow_indicators = true;
        if (ch == ':') {
          if (!ruamel_) flow_indicators = true;
          if (followed_by_whitespace) {
            flow_indicators = true;
            block_indicators = true;
          }
        }
        if (ch == '#' && preceded_by_whitespace) {
          flow_indicators = true;
          block_indicators = true;
        }
      }

      if (IsBreak(ch)) line_breaks = true;
      if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
        bool printable = ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) ||
                         (ch >= 0xE000 && ch <= 0xFFFD) ||
                         (ch >= 0x10000 && (ruamel_ ? ch <= 0x10FFFF : ch < 0x10FFFF));
        if (printable && ch != 0xFEFF) {
          if (!options_.allow_unicode) special_characters = true;
        } else {
          special_characters = true;
        }
      }

      if (ch == ' ') {
        if (index == 0) leading_space = true;
        if (index == s.size() - 1) trailing_space = true;
        if (previous_break) break_space = true;
        previous_space = true;
        previous_break = false;
      } else if (IsBreak(ch)) {
        if (index == 0) leading_break = true;
        if (index == s.size() - 1) trailing_break = true;
        if (previous_space) space_break = true;
        previous_space = false;
        previous_break = true;
      } else {
        previous_space = false;
        previous_break = false;
      }

      preceded_by_whitespace = IsBlankOrBreakOrNul(ch);
      followed_by_whitespace = index + 2 >= s.size() || IsBlankOrBreakOrNul(s[index + 2]);
    }

    if (leading_space || leading_break || trailing_space || trailing_break) {
      a.allow_flow_plain = a.allow_block_plain = false;
    }
    if (trailing_space) a.allow_block = false;
    if (break_space) a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = false;
    if (space_break || special_characters) {
      a.allow_flow_plain = a.allow_block_plain = a.allow_single_quoted = a.allow_block = false;
    }
    if (line_breaks) a.allow_flow_plain = a.allow_block_plain = false;
    if (flow_indicators) a.allow_flow_plain = false;
    if (block_indicators) a.allow_block_plain = false;
    a.multiline = line_breaks;
    return a;
  }

  Style ChooseStyle(const ScalarEvent& ev, ScalarAnalysis& a) const {
    if (!ev.literal && ev.implicit_plain) {
      if (!(simple_key_context_ && (a.empty || a.multiline)) &&
          ((flow_level_ > 0 && a.allow_flow_plain) || (flow_level_ == 0 && a.allow_block_plain))) {
        return Style::kPlain;
      }
    }
    if (ruamel_) a.allow_block = true;  // sic: ruamel keeps a requested block style regardless
    if (ev.literal) {
      if (flow_level_ == 0 && !simple_key_context_ && a.allow_block) return Style::kLiteral;
      return Style::kDouble;
    }
    if (ruamel_ && a.allow_double_quoted) {
      for (char32_t ch : ev.text) {
        if (ch == '\'' || ch == '\n') return Style::kDouble;
      }
    }
    if (a.allow_single_quoted && !(simple_key_context_ && a.multiline)) return Style::kSingle;
    return Style::kDouble;
  }

  void ProcessScalar(const ScalarEvent& event) {
    ScalarAnalysis a = Analyze(event.text);
    Style style = ChooseStyle(event, a);
    const ScalarEvent* ev = &event;
    ScalarEvent null_word;
    if (ruamel_ && event.text.empty() && style == Style::kSingle && event.tag == Tag::kNull) {
      // ruamel's alt_null: an empty null that cannot be plain is written `null`.
      null_word = event;
      null_word.text = U"null";
      ev = &null_word;
      a = Analyze(ev->text);
      style = ChooseStyle(*ev, a);
    }
    bool split = !simple_key_context_;
    if (ruamel_ && sequence_context_ && flow_level_ == 0) WriteIndent();
    switch (style) {
      case Style::kDouble:
        WriteDoubleQuoted(ev->text, split);
        break;
      case Style::kSingle:
        WriteSingleQuoted(ev->text, split);
        break;
      case Style::kLiteral:
        WriteLiteral(ev->text);
        break;
      case Style::kPlain:
        WritePlain(ev->text, split);
        break;
    }
  }

  // ---- Writers ----

  void Write(std::u32string_view data) {
    column_ += static_cast<int>(data.size());
    for (char32_t c : data) AppendUtf8(c, &out_);
  }

  void WriteAscii(std::string_view data) {
    column_ += static_cast<int>(data.size());
    out_ += data;
  }

  void WriteIndicator(std::string_view indicator, bool need_whitespace, bool whitespace = false,
                      bool indention = false) {
    if (!whitespace_ && need_whitespace) WriteAscii(" ");
    WriteAscii(indicator);
    whitespace_ = whitespace;
    indention_ = indention_ && indention;
    open_ended_ = false;
  }

  void WriteIndent() {
    int indent = indent_ < 0 ? 0 : indent_;
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) {
      WriteLineBreak();
    }
    if (column_ < indent) {
      whitespace_ = true;
      out_.append(static_cast<size_t>(indent - column_), ' ');
      column_ = indent;
    }
  }

  void WriteLineBreak(char32_t br = '\n') {
    whitespace_ = true;
    indention_ = true;
    column_ = 0;
    AppendUtf8(br, &out_);
  }

  void WriteLineBreaks(std::u32string_view breaks) {
    for (char32_t br : breaks) WriteLineBreak(br);
  }

  void WritePlain(const std::u32string& text, bool split) {
    if (root_context_) open_ended_ = true;
    if (text.empty()) return;
    if (!whitespace_) WriteAscii(" ");
    whitespace_ = false;
    indention_ = false;
    bool spaces = false;
    bool breaks = false;
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      bool has = end < t.size();
      char32_t ch = has ? t[end] : 0;
      if (spaces) {
        if (!has || ch != ' ') {
          if (start + 1 == end && column_ > best_width_ && split) {
            WriteIndent();
            whitespace_ = false;
            indention_ = false;
          } else {
            Write(t.substr(start, end - start));
          }
          start = end;
        }
      } else if (breaks) {
        // Unreachable in practice: a string with a line break is never plain.
        if (!has || !IsBreak(ch)) {
          if (t[start] == '\n') WriteLineBreak();
          WriteLineBreaks(t.substr(start, end - start));
          WriteIndent();
          whitespace_ = false;
          indention_ = false;
          start = end;
        }
      } else if (!has || ch == ' ' || IsBreak(ch)) {
        Write(t.substr(start, end - start));
        start = end;
      }
      if (has) {
        spaces = ch == ' ';
        breaks = IsBreak(ch);
      }
    }
  }

  void WriteSingleQuoted(const std::u32string& text, bool split) {
    WriteIndicator("'", true);
    bool spaces = false;
    bool breaks = false;
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      bool has = end < t.size();
      char32_t ch = has ? t[end] : 0;
      if (spaces) {
        if (!has || ch != ' ') {
          if (start + 1 == end && column_ > best_width_ && split && start != 0 && end != t.size()) {
            WriteIndent();
          } else {
            Write(t.substr(start, end - start));
          }
          start = end;
        }
      } else if (breaks) {
        if (!has || !IsBreak(ch)) {
          if (t[start] == '\n') WriteLineBreak();
          WriteLineBreaks(t.substr(start, end - start));
          WriteIndent();
          start = end;
        }
      } else if (!has || ch == ' ' || IsBreak(ch) || ch == '\'') {
        if (start < end) {
          Write(t.substr(start, end - start));
          start = end;
        }
      }
      if (has && ch == '\'') {
        WriteAscii("''");
        start = end + 1;
      }
      if (has) {
        spaces = ch == ' ';
        breaks = IsBreak(ch);
      }
    }
    WriteIndicator("'", false);
  }

  static std::string_view EscapeFor(char32_t ch) {
    switch (ch) {
      case 0x00:
        return "0";
      case 0x07:
        return "a";
      case 0x08:
        return "b";
      case 0x09:
        return "t";
      case 0x0A:
        return "n";
      case 0x0B:
        return "v";
      case 0x0C:
        return "f";
      case 0x0D:
        return "r";
      case 0x1B:
        return "e";
      case '"':
        return "\"";
      case '\\':
        return "\\";
      case 0x85:
        return "N";
      case 0xA0:
        return "_";
      case 0x2028:
        return "L";
      case 0x2029:
        return "P";
      default:
        return {};
    }
  }

  void WriteDoubleQuoted(const std::u32string& text, bool split) {
    WriteIndicator("\"", true);
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      bool has = end < t.size();
      char32_t ch = has ? t[end] : 0;
      bool plain_char = ch >= 0x20 && ch <= 0x7E;
      if (options_.allow_unicode) {
        plain_char = plain_char || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD);
      }
      bool escaped = ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 ||
                     ch == 0xFEFF || !plain_char;
      if (!has || escaped) {
        if (start < end) {
          Write(t.substr(start, end - start));
          start = end;
        }
        if (has) {
          std::string data = "\\";
          if (std::string_view e = EscapeFor(ch); !e.empty()) {
            data += e;
          } else {
            char buf[16];
            if (ch <= 0xFF) {
              std::snprintf(buf, sizeof buf, "x%02X", static_cast<unsigned>(ch));
            } else if (ch <= 0xFFFF) {
              std::snprintf(buf, sizeof buf, "u%04X", static_cast<unsigned>(ch));
            } else {
              std::snprintf(buf, sizeof buf, "U%08X", static_cast<unsigned>(ch));
            }
            data += buf;
          }
          WriteAscii(data);
          start = end + 1;
        }
      }
      if (end > 0 && end + 1 < t.size() && (ch == ' ' || start >= end) &&
          column_ + static_cast<int>(end - start) > best_width_ && split) {
        // Fold: end this line with an escaped line break...
        std::u32string_view data = t.substr(start, end > start ? end - start : 0);
        Write(data);
        WriteAscii("\\");
        if (start < end) start = end;
        WriteIndent();
        whitespace_ = false;
        indention_ = false;
        // ...and escape a space that starts the next one, which would be folded away.
        if (t[start] == ' ') WriteAscii("\\");
      }
    }
    WriteIndicator("\"", false);
  }

  // determine_block_hints: the indentation indicator (when the text starts with a space or a
  // break) and the chomping indicator ('-' without a final break, '+' with several).
  std::string BlockHints(const std::u32string& text, int* block_indent, char* chomping) const {
    std::string hints;
    *block_indent = 0;
    *chomping = 0;
    if (text.empty()) return hints;
    if (text[0] == ' ' || IsBreak(text[0])) {
      *block_indent = kBestIndent;
      hints += std::to_string(kBestIndent);
    } else if (root_context_) {
      std::u32string_view t(text);
      size_t pos = std::u32string_view::npos;
      for (std::u32string_view marker : {U"\n---", U"\n..."}) {
        size_t from = 0;
        while (true) {
          pos = t.find(marker, from);
          if (pos == std::u32string_view::npos) break;
          if (pos + 4 < t.size() &&
              (t[pos + 4] == ' ' || t[pos + 4] == '\r' || t[pos + 4] == '\n')) {
            break;
          }
          from = pos + 1;
        }
        if (pos != std::u32string_view::npos) break;
      }
      if (pos != std::u32string_view::npos && pos > 0) *block_indent = kBestIndent;
    }
    if (!IsBreak(text.back())) {
      *chomping = '-';
    } else if (text.size() == 1 || IsBreak(text[text.size() - 2])) {
      *chomping = '+';
    }
    if (*chomping != 0) hints += *chomping;
    return hints;
  }

  void WriteLiteral(const std::u32string& text) {
    int block_indent;
    char chomping;
    std::string hints = BlockHints(text, &block_indent, &chomping);
    WriteIndicator("|" + hints, true);
    if (chomping == '+') open_ended_ = true;
    WriteLineBreak();
    bool breaks = true;
    size_t start = 0;
    std::u32string_view t(text);
    for (size_t end = 0; end <= t.size(); ++end) {
      bool has = end < t.size();
      char32_t ch = has ? t[end] : 0;
      if (breaks) {
        if (!has || !IsBreak(ch)) {
          WriteLineBreaks(t.substr(start, end - start));
          if (has) {
            if (root_context_) {
              // ruamel writes this indentation without counting it in the column.
              out_.append(static_cast<size_t>(block_indent + (indent_ < 0 ? 0 : indent_)), ' ');
            } else {
              WriteIndent();
            }
          }
          start = end;
        }
      } else if (!has || IsBreak(ch)) {
        // Written without counting the column, as ruamel does.
        for (char32_t c : t.substr(start, end - start)) AppendUtf8(c, &out_);
        if (!has) WriteLineBreak();
        start = end;
      }
      if (has) breaks = IsBreak(ch);
    }
  }

  const YamlEmitOptions options_;
  const bool ruamel_;
  const int best_width_;

  std::string out_;
  std::vector<int> indents_;  // the stack of enclosing indents
  int indent_ = -1;           // -1: None (the top level)
  int flow_level_ = 0;
  int column_ = 0;
  bool whitespace_ = true;  // the last character written is whitespace
  bool indention_ = true;   // ...and only indentation (spaces, '-', '?', ':') so far on the line
  bool open_ended_ = false;
  bool root_context_ = false;
  bool sequence_context_ = false;
  bool mapping_context_ = false;
  bool simple_key_context_ = false;
};

}  // namespace

std::string EmitYaml(const Value& value, const YamlEmitOptions& options) {
  return Emitter(options).Run(value);
}

}  // namespace cairn::core
