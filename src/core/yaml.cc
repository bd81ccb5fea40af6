#include "core/yaml.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include "core/utf8.h"

namespace cairn::core {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";
// Aliases may add at most this many nodes to a document, in all (the "billion laughs" guard).
constexpr size_t kMaxAliasNodes = 1'000'000;

// Thrown by TreeBuilder to stop yaml-cpp mid-document; caught in Load(), never leaves this file.
struct LoadError {
  Status status;
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsFlowIndicator(char c) { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}'; }

// The text being loaded: turns byte offsets (yaml-cpp's Mark::pos) into locations.
class Source {
 public:
  Source(std::string_view text, std::string_view filename)
      : text_(text), file_(std::make_shared<const std::string>(filename)) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') line_starts_.push_back(i + 1);
    }
  }

  std::string_view text() const { return text_; }
  const std::shared_ptr<const std::string>& file() const { return file_; }

  Location At(size_t pos) const {
    pos = std::min(pos, text_.size());
    size_t line = static_cast<size_t>(
        std::upper_bound(line_starts_.begin(), line_starts_.end(), pos) - line_starts_.begin() - 1);
    // Marks mostly come in order: count the column on from the last answer on the same line.
    size_t from = line_starts_[line];
    int column = 1;
    if (line == cache_line_ && cache_pos_ <= pos) {
      from = cache_pos_;
      column = cache_column_;
    }
    for (size_t i = from; i < pos; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    cache_line_ = line;
    cache_pos_ = pos;
    cache_column_ = column;
    return Location{file_, static_cast<int>(line) + 1, column};
  }

  Location AtMark(const YAML::Mark& mark) const {
    if (mark.pos < 0) return Location{file_, 0, 0};
    return At(static_cast<size_t>(mark.pos));
  }

 private:
  std::string_view text_;
  std::shared_ptr<const std::string> file_;
  std::vector<size_t> line_starts_;  // the offset of each line's first byte
  mutable size_t cache_line_ = std::string_view::npos;
  mutable size_t cache_pos_ = 0;
  mutable int cache_column_ = 1;
};

// ---- Reading the source around a yaml-cpp mark ----
// yaml-cpp's events say neither how a scalar was quoted nor where an empty node is, so the
// builder looks at the text itself. A node's mark is where its properties (anchor, tag) start.

// The offset of a node's content: after the properties at `pos` and the blanks, line breaks and
// comments that follow them. *had_properties tells whether there were any.
size_t SkipProperties(std::string_view text, size_t pos, bool* had_properties) {
  *had_properties = false;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '&' || c == '!') {
      *had_properties = true;
      while (pos < text.size() && !IsSpace(text[pos]) && !IsFlowIndicator(text[pos])) ++pos;
    } else if (*had_properties && IsSpace(c)) {
      ++pos;
    } else if (*had_properties && c == '#' && IsSpace(text[pos - 1])) {
      while (pos < text.size() && text[pos] != '\n') ++pos;
    } else {
      break;
    }
  }
  return pos;
}

ScalarStyle StyleAt(std::string_view text, size_t pos) {
  if (pos >= text.size()) return ScalarStyle::kPlain;
  switch (text[pos]) {
    case '\'':
      return ScalarStyle::kSingleQuoted;
    case '"':
      return ScalarStyle::kDoubleQuoted;
    case '|':
      return ScalarStyle::kLiteral;
    case '>':
      return ScalarStyle::kFolded;
    default:
      return ScalarStyle::kPlain;
  }
}

// Whether the quoted scalar opening at text[pos] is closed (yaml-cpp 0.7 takes a quoted scalar
// that runs into the end of the input, after a line break, as complete).
bool QuotedScalarCloses(std::string_view text, size_t pos) {
  char quote = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
        ++i;  // '' is an escaped quote
      } else {
        return true;
      }
    }
  }
  return false;
}

// The null literal ("~", "null", "Null", "NULL") written at text[pos], or "".
std::string_view NullWordAt(std::string_view text, size_t pos) {
  for (std::string_view word : {"~", "null", "Null", "NULL"}) {
    if (!text.substr(pos).starts_with(word)) continue;
    size_t end = pos + word.size();
    if (end == text.size() || IsSpace(text[end]) || IsFlowIndicator(text[end]) ||
        text[end] == ':') {
      return word;
    }
  }
  return {};
}

// Whether text[pos] (after blanks) is a ':' that ends a mapping key.
bool KeyColonAt(std::string_view text, size_t pos) {
  while (pos < text.size() && IsBlank(text[pos])) ++pos;
  return pos < text.size() && text[pos] == ':' &&
         (pos + 1 == text.size() || IsSpace(text[pos + 1]) || IsFlowIndicator(text[pos + 1]));
}

// The last line before `pos` with content, with its comment and trailing blanks cut off, and
// the offset where it starts; nullopt when there is none.
std::optional<std::pair<size_t, std::string_view>> ContentBefore(std::string_view text,
                                                                 size_t pos) {
  size_t end = std::min(pos, text.size());
  while (true) {
    size_t start = end == 0 ? 0 : text.rfind('\n', end - 1);
    start = start == std::string_view::npos ? 0 : (end == 0 ? 0 : start + 1);
    std::string_view line = text.substr(start, end - start);
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || IsBlank(line[i - 1]))) {
        line = line.substr(0, i);
        break;
      }
    }
    while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
    if (!line.empty()) return std::make_pair(start, line);
    if (start == 0) return std::nullopt;
    end = start - 1;  // the '\n' ending the line before
  }
}

// An empty node gets the mark of whatever token follows it. Its place is right after the
// indicator before it (': ', '- ', '? ', ',', '[', '{'): that offset, or nullopt.
std::optional<size_t> EmptyNodeOffset(std::string_view text, size_t pos) {
  auto before = ContentBefore(text, pos);
  if (!before) return std::nullopt;
  char last = before->second.back();
  if (last == ':' || last == '-' || last == '?' || last == ',' || last == '[' || last == '{') {
    return before->first + before->second.size();
  }
  return std::nullopt;
}

// Whether a document that yaml-cpp reports at `pos` was really started as a new document
// ("---", a directive, or after a "..." end marker) rather than being stray content after the
// previous one (yaml-cpp 0.7 reads "- a\nb: c" as two documents).
bool StartsNewDocument(std::string_view text, size_t pos) {
  std::string_view rest = text.substr(std::min(pos, text.size()));
  if (rest.starts_with("---") || rest.starts_with("%")) return true;
  auto before = ContentBefore(text, pos);
  return before && before->second.starts_with("...");
}

// ---- Tagged block scalars as block sequence entries ----
// yaml-cpp 0.7 cannot read `- !!str |` when the block's lines are indented less than two
// columns past the tag (jbeder/yaml-cpp#1163: its ScanTag records a possible simple key, which
// pushes an indentation level at the tag's column, and the block scalar then takes its minimum
// indentation from that level; "end of sequence not found"). Untagged `- |` and `key: !!str |`
// read fine. So when a text fails, Load reads it again with such tags blanked out (the same
// length: marks keep their offsets), and gives each tag back to the block scalar it preceded.

struct MovedTag {
  size_t tag_pos = 0;  // where the tag was written
  std::string tag;     // as yaml-cpp would report it: "tag:yaml.org,2002:str", "!local", "!"
  bool claimed = false;
};
using MovedTags = std::map<size_t, MovedTag>;  // by the offset of the block header ('|' / '>')

// The tag yaml-cpp reports for `token` ("!", "!x", "!!x", "!<uri>"), or nullopt for the forms
// left alone (named handles need the document's %TAG directives; '%' escapes).
std::optional<std::string> ResolvedTag(std::string_view token) {
  if (token.find('%') != std::string_view::npos) return std::nullopt;
  if (token == "!") return std::string(token);
  if (token.starts_with("!<") && token.ends_with(">")) {
    return std::string(token.substr(2, token.size() - 3));
  }
  if (token.starts_with("!!")) {
    if (token.size() == 2) return std::nullopt;
    return std::string(kCoreTagPrefix) + std::string(token.substr(2));
  }
  if (token.find('!', 1) != std::string_view::npos) return std::nullopt;
  return std::string(token);
}

// `text` with the tag of each line "- [- ...]!tag |" (or '>', with indicators and a comment)
// blanked out; the tags go to *moved.
std::string BlankSequenceBlockTags(std::string_view text, MovedTags* moved) {
  std::string out(text);
  size_t line = 0;
  while (line < text.size()) {
    size_t eol = text.find('\n', line);
    if (eol == std::string_view::npos) eol = text.size();
    size_t i = line;
    auto skip_blanks = [&] {
      while (i < eol && IsBlank(text[i])) ++i;
    };
    skip_blanks();
    bool entry = false;
    while (i + 1 < eol && text[i] == '-' && IsBlank(text[i + 1])) {
      entry = true;
      ++i;
      skip_blanks();
    }
    if (entry && i < eol && text[i] == '!') {
      size_t tag_pos = i;
      while (i < eol && !IsSpace(text[i])) ++i;
      std::optional<std::string> tag = ResolvedTag(text.substr(tag_pos, i - tag_pos));
      size_t tag_end = i;
      skip_blanks();
      size_t header = i;
      bool block = i > tag_end && i < eol && (text[i] == '|' || text[i] == '>');
      if (block) {
        ++i;
        for (int k = 0; k < 2 && i < eol &&
                        (text[i] == '+' || text[i] == '-' || (text[i] >= '1' && text[i] <= '9'));
             ++k) {
          ++i;
        }
        size_t after = i;
        skip_blanks();
        block = i == eol || text[i] == '\r' || (text[i] == '#' && i > after);
      }
      if (block && tag) {
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(tag_pos),
                  out.begin() + static_cast<std::ptrdiff_t>(tag_end), ' ');
        (*moved)[header] = MovedTag{tag_pos, *std::move(tag), false};
      }
    }
    line = eol + 1;
  }
  return out;
}

// ---- Typing scalars (YAML 1.2 core schema) ----

bool IsNullWord(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                         : (c >= '0' && c < static_cast<char>('0' + base));
    if (!ok) return false;
  }
  return true;
}

double DigitsValue(std::string_view digits, int base) {
  double v = 0;
  for (char c : digits) {
    int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    v = v * base + d;
  }
  return v;
}

// [0-9]+(\.[0-9]*)? or \.[0-9]+, then ([eE][-+]?[0-9]+)?; without a sign.
bool IsCoreFloat(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  size_t before = digits();
  size_t after = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    after = digits();
    if (before == 0 && after == 0) return false;
  } else if (before == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// The number a plain scalar is by the core schema, or nullopt.
std::optional<Value> CoreNumber(const std::string& s) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    return Value::Number(std::numeric_limits<double>::quiet_NaN(), s);
  }
  std::string_view body = s;
  if (body.size() > 2 && body[0] == '0' && body[1] == 'x' && AllDigits(body.substr(2), 16)) {
    return Value::Number(DigitsValue(body.substr(2), 16), s);
  }
  if (body.size() > 2 && body[0] == '0' && body[1] == 'o' && AllDigits(body.substr(2), 8)) {
    return Value::Number(DigitsValue(body.substr(2), 8), s);
  }
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return Value::Number(negative ? -kInf : kInf, s);
  }
  if (!AllDigits(body, 10) && !IsCoreFloat(body)) return std::nullopt;
  double d = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  if (ec == std::errc::result_out_of_range) {
    // Huge or tiny: an exponent with a '-' makes it tiny.
    size_t e = body.find_first_of("eE");
    bool tiny = e != std::string_view::npos && e + 1 < body.size() && body[e + 1] == '-';
    d = tiny ? 0.0 : kInf;
  }
  return Value::Number(negative ? -d : d, s);
}

Value ResolvePlain(const std::string& s) {
  if (IsNullWord(s)) return Value::Null(s);
  if (s == "true" || s == "True" || s == "TRUE") return Value::Bool(true, s);
  if (s == "false" || s == "False" || s == "FALSE") return Value::Bool(false, s);
  if (std::optional<Value> number = CoreNumber(s)) return *std::move(number);
  return Value::String(s);
}

size_t CountNodes(const Value& v) {
  size_t n = 1;
  for (const Value& item : v.items()) n += CountNodes(item);
  for (const Member& m : v.members()) n += CountNodes(m.value);
  return n;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

// Builds one Value per document from yaml-cpp's events.
class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(const Source& source, bool single_document, MovedTags* moved_tags)
      : source_(source), single_document_(single_document), moved_tags_(moved_tags) {}

  std::vector<Value> TakeDocuments() { return std::move(documents_); }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (!documents_.empty()) {
      size_t pos = mark.pos < 0 ? 0 : static_cast<size_t>(mark.pos);
      if (!StartsNewDocument(source_.text(), pos)) {
        Fail(source_.AtMark(mark),
             "expected the end of the document (a new document must start with '---')");
      }
      if (single_document_) {
        Fail(source_.AtMark(mark), "expected a single YAML document, found a second one");
      }
    }
    document_location_ = source_.AtMark(mark);
    anchors_.clear();
    root_.reset();
  }

  void OnDocumentEnd() override {
    if (root_) {
      documents_.push_back(std::move(*root_));
    } else {
      Value empty;
      empty.set_location(document_location_);
      documents_.push_back(std::move(empty));
    }
    root_.reset();
  }

  void OnAnchor(const YAML::Mark& /*mark*/, const std::string& name) override {
    pending_anchor_name_ = name;
  }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    std::string_view text = source_.text();
    size_t pos = mark.pos < 0 ? text.size() : static_cast<size_t>(mark.pos);
    bool had_properties;
    size_t content = SkipProperties(text, pos, &had_properties);
    std::string_view word = NullWordAt(text, content);
    bool key_position =
        !stack_.empty() && stack_.back().node.is_mapping() && !stack_.back().has_key;
    Location location;
    if (!word.empty() && (key_position || !KeyColonAt(text, content + word.size()))) {
      location = source_.AtMark(mark);  // a written null: its mark is its own
    } else {
      word = {};
      if (had_properties) {
        location = source_.AtMark(mark);
      } else if (std::optional<size_t> offset = EmptyNodeOffset(text, pos)) {
        location = source_.At(*offset);
      } else if (!stack_.empty() && stack_.back().has_key) {
        location = stack_.back().pending.key_location;
      } else {
        location = source_.AtMark(mark);
      }
    }
    Value v = Value::Null(std::string(word));
    v.set_location(std::move(location));
    Add(std::move(v), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Location location = source_.AtMark(mark);
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) Fail(location, "expected an anchor defined before this alias");
    const Anchor& target = it->second;
    if (!target.complete) {
      Fail(location, "alias *" + target.name + " refers to a node that contains it");
    }
    alias_nodes_ += target.nodes;
    if (alias_nodes_ > kMaxAliasNodes) {
      Fail(location, "aliases expand to more than " + std::to_string(kMaxAliasNodes) + " nodes");
    }
    Value v = target.value;
    v.set_location(std::move(location));
    v.set_anchored(false);
    v.set_alias(true);
    Add(std::move(v), YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& reported_tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Location location = source_.AtMark(mark);
    const std::string* tag = &reported_tag;
    if (moved_tags_ != nullptr && mark.pos >= 0) {
      if (auto it = moved_tags_->find(static_cast<size_t>(mark.pos)); it != moved_tags_->end()) {
        it->second.claimed = true;
        tag = &it->second.tag;
        location = source_.At(it->second.tag_pos);
      }
    }
    ScalarStyle style = ScalarStyle::kPlain;
    if (*tag != "?" && mark.pos >= 0) {
      bool had_properties;
      size_t content =
          SkipProperties(source_.text(), static_cast<size_t>(mark.pos), &had_properties);
      style = StyleAt(source_.text(), content);
      if ((style == ScalarStyle::kSingleQuoted || style == ScalarStyle::kDoubleQuoted) &&
          !QuotedScalarCloses(source_.text(), content)) {
        Fail(source_.At(content), style == ScalarStyle::kSingleQuoted
                                      ? "expected a closing \"'\" for this quoted scalar"
                                      : "expected a closing '\"' for this quoted scalar");
      }
    }
    Value v = Typed(*tag, value, style, location);
    v.set_style(style);
    v.set_location(std::move(location));
    Add(std::move(v), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    Push(Value::Sequence(), mark, anchor);
  }
  void OnSequenceEnd() override { Pop(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    Push(Value::Mapping(), mark, anchor);
  }
  void OnMapEnd() override { Pop(); }

 private:
  // A sequence or mapping being read.
  struct Frame {
    Value node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    bool has_key = false;  // mappings: `pending` holds a key waiting for its value
    Member pending;
    // Mappings past kLinearKeys members: key -> index in node.members(), for duplicate checks.
    std::unordered_map<std::string, size_t> index;
  };
  static constexpr size_t kLinearKeys = 16;

  struct Anchor {
    std::string name;
    Value value;       // a copy of the anchored node, once complete
    size_t nodes = 0;  // CountNodes(value)
    bool complete = false;
  };

  [[noreturn]] static void Fail(const Location& location, std::string_view message) {
    throw LoadError{location.Error(message)};
  }

  void Push(Value node, const YAML::Mark& mark, YAML::anchor_t anchor) {
    node.set_location(source_.AtMark(mark));
    if (anchor != YAML::NullAnchor) {
      Anchor& a = anchors_[anchor];
      a = Anchor{pending_anchor_name_, Value(), 0, false};
      pending_anchor_name_.clear();
    }
    stack_.push_back(Frame{std::move(node), anchor, false, Member{}, {}});
  }

  void Pop() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Add(std::move(frame.node), frame.anchor);
  }

  // A complete node: the document's root, a sequence element, a mapping key or its value.
  void Add(Value node, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      node.set_anchored(true);
      Anchor& a = anchors_[anchor];
      if (a.name.empty()) a.name = pending_anchor_name_;
      pending_anchor_name_.clear();
      a.value = node;
      a.nodes = CountNodes(node);
      a.complete = true;
    }
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& frame = stack_.back();
    if (frame.node.is_sequence()) {
      frame.node.mutable_items().push_back(std::move(node));
      return;
    }
    if (frame.has_key) {
      frame.pending.value = std::move(node);
      std::vector<Member>& members = frame.node.mutable_members();
      if (!frame.index.empty()) frame.index.emplace(frame.pending.key, members.size());
      members.push_back(std::move(frame.pending));
      frame.pending = Member{};
      frame.has_key = false;
      return;
    }
    if (!node.is_scalar()) {
      Fail(node.location(), std::string("expected a scalar as a mapping key, got ") +
                                std::string(KindPhrase(node.kind())));
    }
    if (const Member* first = FindKey(frame, node.raw())) {
      Fail(node.location(), "duplicate key " + Quoted(node.raw()) + " (first at " +
                                first->key_location.ToString() + ")");
    }
    frame.pending.key = node.raw();
    frame.pending.key_location = node.location();
    frame.pending.key_anchored = node.anchored();
    frame.pending.key_alias = node.alias();
    frame.has_key = true;
  }

  static const Member* FindKey(Frame& frame, const std::string& key) {
    const std::vector<Member>& members = frame.node.members();
    if (members.size() < kLinearKeys) return frame.node.FindMember(key);
    if (frame.index.empty()) {
      for (size_t i = 0; i < members.size(); ++i) frame.index.emplace(members[i].key, i);
    }
    auto it = frame.index.find(key);
    return it == frame.index.end() ? nullptr : &members[it->second];
  }

  // The value of a scalar with yaml-cpp's `tag`: "?" for plain, "!" for quoted or block, or an
  // explicit tag.
  static Value Typed(const std::string& tag, const std::string& value, ScalarStyle style,
                     const Location& location) {
    if (tag == "?") return ResolvePlain(value);
    if (tag == "!") return Value::String(value);
    if (!std::string_view(tag).starts_with(kCoreTagPrefix)) {
      // A local or unknown tag: typed as if untagged.
      return style == ScalarStyle::kPlain ? ResolvePlain(value) : Value::String(value);
    }
    std::string_view name = std::string_view(tag).substr(kCoreTagPrefix.size());
    if (name == "str") return Value::String(value);
    Value resolved = ResolvePlain(value);
    std::string_view expected;
    if (name == "null") {
      if (resolved.is_null()) return resolved;
      expected = "a null";
    } else if (name == "bool") {
      if (resolved.is_bool()) return resolved;
      expected = "a boolean";
    } else if (name == "int") {
      if (resolved.IsInteger()) return resolved;
      expected = "an integer";
    } else if (name == "float") {
      if (resolved.is_number()) return resolved;
      expected = "a number";
    } else {
      return style == ScalarStyle::kPlain ? resolved : Value::String(value);
    }
    Fail(location, "expected " + std::string(expected) + " for the tag !!" + std::string(name) +
                       ", got " + Quoted(value));
  }

  const Source& source_;
  const bool single_document_;
  MovedTags* const moved_tags_;  // tags blanked out before yaml-cpp read the text, or null
  std::vector<Frame> stack_;
  std::optional<Value> root_;
  Location document_location_;
  std::unordered_map<YAML::anchor_t, Anchor> anchors_;  // this document's, by yaml-cpp's id
  std::string pending_anchor_name_;  // from OnAnchor, for the node event that follows
  size_t alias_nodes_ = 0;           // nodes added by aliases so far
  std::vector<Value> documents_;
};

// One reading of `feed` (the text, or the text with tags blanked out into *moved).
Result<std::vector<Value>> Read(const Source& source, const std::string& feed, bool single_document,
                                MovedTags* moved) {
  try {
    std::istringstream in{feed};
    YAML::Parser parser(in);
    TreeBuilder builder(source, single_document, moved);
    while (parser.HandleNextDocument(builder)) {
    }
    return builder.TakeDocuments();
  } catch (const LoadError& e) {
    return e.status;
  } catch (const YAML::DeepRecursion& e) {
    return source.AtMark(e.mark).Error("expected less deeply nested sequences and mappings");
  } catch (const YAML::Exception& e) {
    return source.AtMark(e.mark).Error(e.msg);
  } catch (const std::exception& e) {
    return Status::Internal(*source.file() + ": loading YAML failed: " + e.what());
  } catch (...) {
    return Status::Internal(*source.file() + ": loading YAML failed");
  }
}

Result<std::vector<Value>> Load(std::string_view text, std::string_view filename,
                                bool single_document) {
  if (text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
  Source source(text, filename);
  if (size_t bad = FindInvalidUtf8(text); bad != std::string_view::npos) {
    constexpr char kHex[] = "0123456789abcdef";
    auto c = static_cast<unsigned char>(text[bad]);
    std::string message = "invalid UTF-8 (byte 0x";
    message += kHex[c >> 4];
    message += kHex[c & 0xF];
    message += "); YAML files must be UTF-8";
    return source.At(bad).Error(message);
  }
  MovedTags moved;
  std::string feed = BlankSequenceBlockTags(text, &moved);
  if (moved.empty()) return Read(source, feed, single_document, nullptr);
  // The text has "- !tag |" lines. The reading without their tags stands when each tag came
  // back to its block scalar (a line inside another scalar would not have one); a text that
  // reads fine as written is never turned into an error.
  Result<std::vector<Value>> rewritten = Read(source, feed, single_document, &moved);
  bool all_claimed = std::all_of(moved.begin(), moved.end(),
                                 [](const auto& entry) { return entry.second.claimed; });
  if (rewritten.ok() && all_claimed) return rewritten;
  Result<std::vector<Value>> original = Read(source, std::string(text), single_document, nullptr);
  if (original.ok() || rewritten.ok()) return original;
  return rewritten;
}

}  // namespace

Result<Value> ParseYaml(std::string_view text, std::string_view filename) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<Value> documents, Load(text, filename, true));
  if (documents.empty()) {
    Value empty;
    empty.set_location(Location{std::make_shared<const std::string>(filename), 1, 1});
    return empty;
  }
  return std::move(documents.front());
}

Result<std::vector<Value>> ParseYamlDocuments(std::string_view text, std::string_view filename) {
  return Load(text, filename, false);
}

}  // namespace cairn::core
