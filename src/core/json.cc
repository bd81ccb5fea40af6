#include "core/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>
#include "core/utf8.h"

namespace cairn::core {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr char kHexDigits[] = "0123456789abcdef";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "U+000A".
std::string CodePointName(char32_t cp) {
  std::string out = "U+";
  const char* upper = "0123456789ABCDEF";
  int digits = cp > 0xFFFF ? (cp > 0xFFFFF ? 6 : 5) : 4;
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += upper[(cp >> shift) & 0xF];
  return out;
}

// The value a literal that from_chars found out of range stands for: ±infinity when its
// magnitude is huge, ±0 when it is tiny (Python's float() does the same).
double OutOfRangeValue(std::string_view raw) {
  bool negative = !raw.empty() && raw[0] == '-';
  if (negative) raw.remove_prefix(1);
  size_t e = raw.find_first_of("eE");
  std::string_view mantissa = raw.substr(0, e);
  int64_t exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp = raw.substr(e + 1);
    bool exp_negative = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
    for (char c : exp) exponent = std::min<int64_t>(exponent * 10 + (c - '0'), int64_t{1} << 40);
    if (exp_negative) exponent = -exponent;
  }
  // The decimal magnitude: digits before the point (without leading zeros), or minus the zeros
  // right after the point.
  size_t dot = mantissa.find('.');
  std::string_view int_part = mantissa.substr(0, dot);
  size_t first_nonzero = int_part.find_first_not_of('0');
  int64_t magnitude;
  if (first_nonzero != std::string_view::npos) {
    magnitude = static_cast<int64_t>(int_part.size() - first_nonzero) + exponent;
  } else {
    std::string_view frac = dot == std::string_view::npos ? "" : mantissa.substr(dot + 1);
    size_t nz = frac.find_first_not_of('0');
    if (nz == std::string_view::npos) return negative ? -0.0 : 0.0;
    magnitude = exponent - static_cast<int64_t>(nz);
  }
  double d = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return negative ? -d : d;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view filename, const JsonParseOptions& options)
      : text_(text), file_(std::make_shared<const std::string>(filename)), options_(options) {}

  Result<Value> Parse() {
    if (text_.starts_with(kUtf8Bom)) pos_ = line_start_ = col_pos_ = kUtf8Bom.size();
    SkipWhitespace();
    Value root;
    CAIRN_RETURN_IF_ERROR(ParseValue(&root, 0));
    SkipWhitespace();
    if (pos_ < text_.size()) return ErrorAt(pos_, "expected end of input after the JSON value");
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  // The location of byte `pos`. Positions are asked for in increasing order, so the column is
  // counted on from the last answer; newlines only occur in whitespace (SkipWhitespace).
  Location LocAt(size_t pos) {
    if (pos < col_pos_ || col_pos_ < line_start_) {
      col_pos_ = line_start_;
      col_ = 1;
    }
    for (; col_pos_ < pos && col_pos_ < text_.size(); ++col_pos_) {
      if ((static_cast<unsigned char>(text_[col_pos_]) & 0xC0) != 0x80) ++col_;
    }
    return Location{file_, line_, col_};
  }

  Status ErrorAt(size_t pos, std::string_view message) { return LocAt(pos).Error(message); }

  // An error at the current position; at the end of the input it says so.
  Status ErrorHere(std::string message) {
    if (AtEnd()) message += ", got end of input";
    return ErrorAt(pos_, message);
  }

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        line_start_ = col_pos_ = pos_ + 1;
        col_ = 1;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        return;
      }
      ++pos_;
    }
  }

  Status ParseValue(Value* out, int depth) {
    switch (Peek()) {
      case '{':
        return ParseObject(out, depth);
      case '[':
        return ParseArray(out, depth);
      case '"': {
        Location loc = LocAt(pos_);
        std::string s;
        CAIRN_RETURN_IF_ERROR(ParseString(&s));
        *out = Value::String(std::move(s));
        out->set_style(ScalarStyle::kDoubleQuoted);
        out->set_location(std::move(loc));
        return Status::Ok();
      }
      case 't':
        return ParseWord("true", Value::Bool(true), out);
      case 'f':
        return ParseWord("false", Value::Bool(false), out);
      case 'n':
        return ParseWord("null", Value::Null("null"), out);
      case 'N':
        return ParseWord("NaN", Value::Number(std::numeric_limits<double>::quiet_NaN(), "NaN"),
                         out);
      case 'I':
        return ParseWord("Infinity",
                         Value::Number(std::numeric_limits<double>::infinity(), "Infinity"), out);
      default:
        if (Peek() == '-' || IsDigit(Peek())) return ParseNumber(out);
        return ValueExpected();
    }
  }

  // "expected a value", with a hint for the usual non-JSON spellings.
  Status ValueExpected() {
    std::string message = "expected a value";
    std::string_view rest = text_.substr(std::min(pos_, text_.size()));
    if (rest.starts_with("/")) {
      message += " (JSON does not allow comments)";
    } else if (rest.starts_with("'")) {
      message += " (JSON strings take double quotes)";
    } else if (rest.starts_with("NaN") || rest.starts_with("Infinity") ||
               rest.starts_with("-Infinity")) {
      message += " (NaN and Infinity are not JSON)";
    }
    return ErrorHere(std::move(message));
  }

  Status ParseWord(std::string_view word, Value value, Value* out) {
    bool non_standard = word == "NaN" || word == "Infinity";
    if ((non_standard && !options_.allow_nan) || !text_.substr(pos_).starts_with(word)) {
      return ValueExpected();
    }
    *out = std::move(value);
    out->set_location(LocAt(pos_));
    pos_ += word.size();
    return Status::Ok();
  }

  Status ParseNumber(Value* out) {
    size_t start = pos_;
    Location loc = LocAt(start);
    if (Peek() == '-') {
      ++pos_;
      if (options_.allow_nan && text_.substr(pos_).starts_with("Infinity")) {
        pos_ += 8;
        *out = Value::Number(-std::numeric_limits<double>::infinity(), "-Infinity");
        out->set_location(std::move(loc));
        return Status::Ok();
      }
      if (!IsDigit(Peek())) {
        if (text_.substr(pos_).starts_with("Infinity"))
          return ErrorAt(start, "expected a value (NaN and Infinity are not JSON)");
        return ErrorHere("expected a digit after '-'");
      }
    }
    if (Peek() == '0') {
      ++pos_;
      if (IsDigit(Peek())) return ErrorAt(pos_ - 1, "expected no leading zeros in a number");
    } else {
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == '.') {
      ++pos_;
      if (!IsDigit(Peek())) return ErrorHere("expected a digit after '.' in a number");
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!IsDigit(Peek())) return ErrorHere("expected a digit in the exponent of a number");
      while (IsDigit(Peek())) ++pos_;
    }
    std::string_view raw = text_.substr(start, pos_ - start);
    double d = 0;
    auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), d);
    if (ec == std::errc::result_out_of_range) d = OutOfRangeValue(raw);
    *out = Value::Number(d, std::string(raw));
    out->set_location(std::move(loc));
    return Status::Ok();
  }

  // A string at the current '"', unescaped into *out.
  Status ParseString(std::string* out) {
    ++pos_;  // the opening quote
    while (true) {
      size_t run = pos_;
      while (pos_ < text_.size()) {
        auto c = static_cast<unsigned char>(text_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      out->append(text_.substr(run, pos_ - run));
      if (AtEnd()) return ErrorHere("expected '\"' to end the string");
      auto c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (c == '\n' || c == '\r') {
        return ErrorAt(pos_,
                       "expected '\"' before the end of the line (a string cannot span lines)");
      }
      if (c < 0x20) {
        return ErrorAt(pos_, "expected " + CodePointName(c) + " to be escaped in a string");
      }
      if (c >= 0x80) {
        char32_t cp;
        size_t len = DecodeUtf8(text_, pos_, &cp);
        if (len == 0) {
          std::string message = "invalid UTF-8 in a string (byte 0x";
          message += kHexDigits[c >> 4];
          message += kHexDigits[c & 0xF];
          message += ')';
          return ErrorAt(pos_, message);
        }
        out->append(text_.substr(pos_, len));
        pos_ += len;
        continue;
      }
      CAIRN_RETURN_IF_ERROR(ParseEscape(out));
    }
  }

  // The four hex digits at text_[at], or -1.
  int32_t Hex4(size_t at) const {
    if (at + 4 > text_.size()) return -1;
    int32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int h = HexValue(text_[at + k]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    return v;
  }

  // An escape at the current '\'.
  Status ParseEscape(std::string* out) {
    size_t esc = pos_;
    if (esc + 1 >= text_.size()) {
      pos_ = text_.size();
      return ErrorHere("expected '\"' to end the string");
    }
    char e = text_[esc + 1];
    char simple = 0;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        simple = e;
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default: {
        std::string message = "invalid escape ";
        auto u = static_cast<unsigned char>(e);
        if (u > 0x20 && u < 0x7F) {
          message += "'\\";
          message += e;
          message += "'";
        } else {
          message += "'\\' followed by ";
          message += u < 0x80 ? CodePointName(u) : "a non-ASCII character";
        }
        message += " in a string";
        return ErrorAt(esc, message);
      }
    }
    if (simple != 0) {
      *out += simple;
      pos_ += 2;
      return Status::Ok();
    }
    int32_t unit = Hex4(esc + 2);
    if (unit < 0) return ErrorAt(esc, "expected 4 hex digits after '\\u'");
    pos_ = esc + 6;
    char32_t cp = static_cast<char32_t>(unit);
    std::string written(text_.substr(esc, 6));
    if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return ErrorAt(esc, "unpaired surrogate " + written +
                              ": a low surrogate must follow a high one (\\ud800-\\udbff)");
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int32_t low = -1;
      if (text_.substr(pos_).starts_with("\\u")) low = Hex4(pos_ + 2);
      if (low < 0xDC00 || low > 0xDFFF) {
        return ErrorAt(esc, "unpaired surrogate " + written +
                                ": expected a low surrogate (\\udc00-\\udfff) after it");
      }
      cp = 0x10000 + ((static_cast<char32_t>(unit) - 0xD800) << 10) +
           (static_cast<char32_t>(low) - 0xDC00);
      pos_ += 6;
    }
    AppendUtf8(cp, out);
    return Status::Ok();
  }

  Status CheckDepth(int depth) {
    if (depth < options_.max_depth) return Status::Ok();
    return ErrorAt(pos_,
                   "expected at most " + std::to_string(options_.max_depth) + " levels of nesting");
  }

  Status ParseArray(Value* out, int depth) {
    CAIRN_RETURN_IF_ERROR(CheckDepth(depth));
    *out = Value::Sequence();
    out->set_location(LocAt(pos_));
    ++pos_;
    SkipWhitespace();
    if (Peek() == ']') {
      ++pos_;
      return Status::Ok();
    }
    bool after_comma = false;
    while (true) {
      if (AtEnd() || (Peek() == ']' && after_comma)) {
        std::string message =
            after_comma ? "expected a value after ','" : "expected a value or ']'";
        if (Peek() == ']') message += " (JSON does not allow a trailing comma)";
        return ErrorHere(std::move(message));
      }
      if (Peek() == ',')
        return ErrorHere(after_comma ? "expected a value after ','" : "expected a value or ']'");
      Value item;
      CAIRN_RETURN_IF_ERROR(ParseValue(&item, depth + 1));
      out->mutable_items().push_back(std::move(item));
      SkipWhitespace();
      if (Peek() == ',') {
        ++pos_;
        SkipWhitespace();
        after_comma = true;
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        return Status::Ok();
      }
      return ErrorHere("expected ',' or ']' after an array element");
    }
  }

  Status ParseObject(Value* out, int depth) {
    CAIRN_RETURN_IF_ERROR(CheckDepth(depth));
    *out = Value::Mapping();
    out->set_location(LocAt(pos_));
    ++pos_;
    SkipWhitespace();
    if (Peek() == '}') {
      ++pos_;
      return Status::Ok();
    }
    std::vector<Member>& members = out->mutable_members();
    // Built once a mapping grows past kLinear members, so duplicate checks stay linear overall.
    constexpr size_t kLinear = 16;
    std::unordered_map<std::string, size_t> index;
    bool after_comma = false;
    while (true) {
      if (Peek() != '"') {
        std::string message =
            after_comma ? "expected a string key after ','" : "expected a string key or '}'";
        if (after_comma && Peek() == '}') message += " (JSON does not allow a trailing comma)";
        if (Peek() == '\'') message += " (JSON strings take double quotes)";
        return ErrorHere(std::move(message));
      }
      Location key_location = LocAt(pos_);
      std::string key;
      CAIRN_RETURN_IF_ERROR(ParseString(&key));
      SkipWhitespace();
      if (Peek() != ':') return ErrorHere("expected ':' after an object key");
      ++pos_;
      SkipWhitespace();
      Value value;
      CAIRN_RETURN_IF_ERROR(ParseValue(&value, depth + 1));

      Member* existing = nullptr;
      if (members.size() < kLinear) {
        for (Member& m : members) {
          if (m.key == key) existing = &m;
        }
      } else {
        if (index.empty()) {
          for (size_t i = 0; i < members.size(); ++i) index.emplace(members[i].key, i);
        }
        auto it = index.find(key);
        if (it != index.end()) existing = &members[it->second];
      }
      if (existing != nullptr) {
        existing->key_location = std::move(key_location);
        existing->value = std::move(value);
      } else {
        if (!index.empty()) index.emplace(key, members.size());
        members.push_back(
            Member{std::move(key), std::move(key_location), std::move(value), false, false});
      }

      SkipWhitespace();
      if (Peek() == ',') {
        ++pos_;
        SkipWhitespace();
        after_comma = true;
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        return Status::Ok();
      }
      return ErrorHere("expected ',' or '}' after an object member");
    }
  }

  std::string_view text_;
  std::shared_ptr<const std::string> file_;
  const JsonParseOptions& options_;
  size_t pos_ = 0;         // the next byte to read
  int line_ = 1;           // the line of pos_
  size_t line_start_ = 0;  // the offset where line_ starts
  size_t col_pos_ = 0;     // LocAt's cursor: byte col_pos_ (on line_) is at column col_
  int col_ = 1;
};

// ---- Writing ----

// Canonical decimal text of an integer literal in `base` (digits only, no sign or prefix),
// without leading zeros: the digits are converted exactly, whatever their length.
std::string DecimalDigits(std::string_view digits, int base) {
  if (base == 10) {
    size_t nz = digits.find_first_not_of('0');
    return nz == std::string_view::npos ? "0" : std::string(digits.substr(nz));
  }
  std::vector<uint32_t> limbs;  // base 1e9, least significant first
  for (char c : digits) {
    uint64_t carry = static_cast<uint64_t>(HexValue(c));
    for (uint32_t& limb : limbs) {
      uint64_t v = static_cast<uint64_t>(limb) * static_cast<uint64_t>(base) + carry;
      limb = static_cast<uint32_t>(v % 1000000000);
      carry = v / 1000000000;
    }
    if (carry != 0) limbs.push_back(static_cast<uint32_t>(carry));
  }
  if (limbs.empty()) return "0";
  std::string out = std::to_string(limbs.back());
  for (size_t i = limbs.size() - 1; i-- > 0;) {
    std::string part = std::to_string(limbs[i]);
    out.append(9 - part.size(), '0');
    out += part;
  }
  return out;
}

void WriteNumber(const Value& v, std::string* out) {
  std::string_view raw = v.raw();
  if (v.IsInteger()) {
    bool negative = false;
    int base = 10;
    if (raw.size() > 2 && raw[0] == '0' && (raw[1] == 'x' || raw[1] == 'o')) {
      base = raw[1] == 'x' ? 16 : 8;
      raw.remove_prefix(2);
    } else if (raw[0] == '-' || raw[0] == '+') {
      negative = raw[0] == '-';
      raw.remove_prefix(1);
    }
    std::string digits = DecimalDigits(raw, base);
    if (negative && digits != "0") *out += '-';
    *out += digits;
    return;
  }
  double d = v.AsDouble();
  if (std::isnan(d)) {
    *out += "NaN";
  } else if (std::isinf(d)) {
    *out += d < 0 ? "-Infinity" : "Infinity";
  } else {
    *out += FormatPythonFloat(d);
  }
}

void AppendUnicodeEscape(uint32_t unit, std::string* out) {
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) *out += kHexDigits[(unit >> shift) & 0xF];
}

void WriteString(std::string_view s, bool ensure_ascii, std::string* out) {
  *out += '"';
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          *out += "\\\"";
          break;
        case '\\':
          *out += "\\\\";
          break;
        case '\n':
          *out += "\\n";
          break;
        case '\r':
          *out += "\\r";
          break;
        case '\t':
          *out += "\\t";
          break;
        case '\b':
          *out += "\\b";
          break;
        case '\f':
          *out += "\\f";
          break;
        default:
          if (c < 0x20 || (c == 0x7F && ensure_ascii)) {
            AppendUnicodeEscape(c, out);
          } else {
            *out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    char32_t cp;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {
      cp = 0xFFFD;  // an invalid byte
      len = 1;
    }
    if (!ensure_ascii) {
      if (cp == 0xFFFD && s.substr(i, len) != "\xEF\xBF\xBD") {
        *out += "\xEF\xBF\xBD";
      } else {
        out->append(s.substr(i, len));
      }
    } else if (cp >= 0x10000) {
      char32_t v = cp - 0x10000;
      AppendUnicodeEscape(0xD800 + (v >> 10), out);
      AppendUnicodeEscape(0xDC00 + (v & 0x3FF), out);
    } else {
      AppendUnicodeEscape(cp, out);
    }
    i += len;
  }
  *out += '"';
}

class Writer {
 public:
  explicit Writer(const JsonWriteOptions& options) : options_(options) {}

  void Write(const Value& v, int level) {
    switch (v.kind()) {
      case ValueKind::kNull:
        out_ += "null";
        return;
      case ValueKind::kBool:
        out_ += v.AsBool() ? "true" : "false";
        return;
      case ValueKind::kNumber:
        WriteNumber(v, &out_);
        return;
      case ValueKind::kString:
        WriteString(v.AsString(), options_.ensure_ascii, &out_);
        return;
      case ValueKind::kSequence: {
        if (v.items().empty()) {
          out_ += "[]";
          return;
        }
        out_ += '[';
        bool first = true;
        for (const Value& item : v.items()) {
          if (!first) out_ += options_.item_separator;
          first = false;
          Newline(level + 1);
          Write(item, level + 1);
        }
        Newline(level);
        out_ += ']';
        return;
      }
      case ValueKind::kMapping: {
        if (v.members().empty()) {
          out_ += "{}";
          return;
        }
        std::vector<const Member*> members;
        members.reserve(v.members().size());
        for (const Member& m : v.members()) members.push_back(&m);
        if (options_.sort_keys) {
          // std::string compares as unsigned bytes: UTF-8 byte order is code point order.
          std::stable_sort(members.begin(), members.end(),
                           [](const Member* a, const Member* b) { return a->key < b->key; });
        }
        out_ += '{';
        bool first = true;
        for (const Member* m : members) {
          if (!first) out_ += options_.item_separator;
          first = false;
          Newline(level + 1);
          WriteString(m->key, options_.ensure_ascii, &out_);
          out_ += options_.key_separator;
          Write(m->value, level + 1);
        }
        Newline(level);
        out_ += '}';
        return;
      }
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  void Newline(int level) {
    if (options_.indent < 0) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(level) * static_cast<size_t>(options_.indent), ' ');
  }

  const JsonWriteOptions& options_;
  std::string out_;
};

}  // namespace

Result<Value> ParseJson(std::string_view text, std::string_view filename,
                        const JsonParseOptions& options) {
  return Parser(text, filename, options).Parse();
}

std::string ToJson(const Value& value, const JsonWriteOptions& options) {
  Writer writer(options);
  writer.Write(value, 0);
  return writer.Take();
}

std::string ToPrettyJson(const Value& value, int indent) {
  JsonWriteOptions options;
  options.indent = indent < 0 ? 0 : indent;
  options.key_separator = ": ";
  return ToJson(value, options);
}

std::string ToPythonJson(const Value& value) {
  JsonWriteOptions options;
  options.sort_keys = true;
  options.ensure_ascii = true;
  options.item_separator = ", ";
  options.key_separator = ": ";
  return ToJson(value, options);
}

std::string FormatPythonFloat(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  // Shortest round-trip digits, in scientific form: "-1.2345e+02".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  std::string out;
  if (sci[0] == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

  if (exponent < -4 || exponent >= 16) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    std::string mag = std::to_string(exponent < 0 ? -exponent : exponent);
    if (mag.size() < 2) out += '0';
    out += mag;
    return out;
  }
  int point = exponent + 1;  // digits before the decimal point
  int n = static_cast<int>(digits.size());
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (point >= n) {
    out += digits;
    out.append(static_cast<size_t>(point - n), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<size_t>(point));
    out += '.';
    out.append(digits, static_cast<size_t>(point));
  }
  return out;
}

}  // namespace cairn::core
