#include "core/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/json.h"

namespace cairn::core {
namespace {

[[noreturn]] void KindBug(const Value& v, std::string_view accessor) {
  std::fprintf(stderr, "cairn: bug: Value::%.*s on %.*s at %s\n", static_cast<int>(accessor.size()),
               accessor.data(), static_cast<int>(KindPhrase(v.kind()).size()),
               KindPhrase(v.kind()).data(), v.location().ToString().c_str());
  std::abort();
}

// The integer literal forms the loaders produce: decimal with an optional sign ("-12", YAML's
// "+012"), YAML's "0x1F" and "0o17".
struct IntLiteral {
  bool negative = false;
  int base = 10;
  std::string_view digits;  // without sign or prefix; never empty
};

bool IsDigitIn(char c, int base) {
  if (base == 16) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  return c >= '0' && c < static_cast<char>('0' + base);
}

std::optional<IntLiteral> ParseIntLiteral(std::string_view raw) {
  IntLiteral lit;
  if (raw.size() > 2 && raw[0] == '0' && (raw[1] == 'x' || raw[1] == 'o')) {
    lit.base = raw[1] == 'x' ? 16 : 8;
    raw.remove_prefix(2);
  } else if (!raw.empty() && (raw[0] == '-' || raw[0] == '+')) {
    lit.negative = raw[0] == '-';
    raw.remove_prefix(1);
  }
  if (raw.empty()) return std::nullopt;
  for (char c : raw) {
    if (!IsDigitIn(c, lit.base)) return std::nullopt;
  }
  lit.digits = raw;
  return lit;
}

// The magnitude of a literal, when it fits.
std::optional<uint64_t> Magnitude(const IntLiteral& lit) {
  uint64_t m = 0;
  const char* end = lit.digits.data() + lit.digits.size();
  auto [ptr, ec] = std::from_chars(lit.digits.data(), end, m, lit.base);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return m;
}

}  // namespace

std::string Location::ToString() const {
  std::string out(file_name());
  if (line > 0) {
    if (!out.empty()) out += ':';
    out += std::to_string(line);
    out += ':';
    out += std::to_string(column);
  }
  return out;
}

Status Location::Error(std::string_view message) const {
  std::string where = ToString();
  if (where.empty()) return Status::InvalidArgument(std::string(message));
  where += ": ";
  where += message;
  return Status::InvalidArgument(std::move(where));
}

std::string_view KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kNumber:
      return "number";
    case ValueKind::kString:
      return "string";
    case ValueKind::kSequence:
      return "sequence";
    case ValueKind::kMapping:
      return "mapping";
  }
  return "unknown";
}

std::string_view KindPhrase(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return "a boolean";
    case ValueKind::kNumber:
      return "a number";
    case ValueKind::kString:
      return "a string";
    case ValueKind::kSequence:
      return "a sequence";
    case ValueKind::kMapping:
      return "a mapping";
  }
  return "unknown";
}

Value Value::Null(std::string raw) {
  Value v;
  v.text_ = std::move(raw);
  return v;
}

Value Value::Bool(bool b) { return Bool(b, b ? "true" : "false"); }

Value Value::Bool(bool b, std::string raw) {
  Value v;
  v.kind_ = ValueKind::kBool;
  v.bool_ = b;
  v.text_ = std::move(raw);
  return v;
}

Value Value::Int(int64_t i) { return Number(static_cast<double>(i), std::to_string(i)); }

Value Value::Double(double d) { return Number(d, FormatPythonFloat(d)); }

Value Value::Number(double value, std::string raw) {
  Value v;
  v.kind_ = ValueKind::kNumber;
  v.number_ = value;
  v.text_ = std::move(raw);
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = ValueKind::kString;
  v.text_ = std::move(s);
  return v;
}

Value Value::Sequence() {
  Value v;
  v.kind_ = ValueKind::kSequence;
  return v;
}

Value Value::Mapping() {
  Value v;
  v.kind_ = ValueKind::kMapping;
  return v;
}

bool Value::AsBool() const {
  if (!is_bool()) KindBug(*this, "AsBool");
  return bool_;
}

double Value::AsDouble() const {
  if (!is_number()) KindBug(*this, "AsDouble");
  return number_;
}

const std::string& Value::AsString() const {
  if (!is_string()) KindBug(*this, "AsString");
  return text_;
}

bool Value::IsInteger() const { return is_number() && ParseIntLiteral(text_).has_value(); }

std::optional<int64_t> Value::AsInt64() const {
  if (!is_number()) return std::nullopt;
  std::optional<IntLiteral> lit = ParseIntLiteral(text_);
  if (!lit) return std::nullopt;
  std::optional<uint64_t> m = Magnitude(*lit);
  if (!m) return std::nullopt;
  constexpr uint64_t kMax = static_cast<uint64_t>(INT64_MAX);
  if (lit->negative) {
    if (*m > kMax + 1) return std::nullopt;
    return *m == kMax + 1 ? INT64_MIN : -static_cast<int64_t>(*m);
  }
  if (*m > kMax) return std::nullopt;
  return static_cast<int64_t>(*m);
}

std::optional<uint64_t> Value::AsUint64() const {
  if (!is_number()) return std::nullopt;
  std::optional<IntLiteral> lit = ParseIntLiteral(text_);
  if (!lit) return std::nullopt;
  std::optional<uint64_t> m = Magnitude(*lit);
  if (!m || (lit->negative && *m != 0)) return std::nullopt;
  return m;
}

size_t Value::size() const {
  if (is_sequence()) return items_.size();
  if (is_mapping()) return members_.size();
  return 0;
}

const Member* Value::FindMember(std::string_view key) const {
  for (const Member& m : members_) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

const Value* Value::Find(std::string_view key) const {
  const Member* m = FindMember(key);
  return m ? &m->value : nullptr;
}

Value* Value::Find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->Find(key));
}

Value& Value::Append(Value item) {
  if (!is_sequence()) KindBug(*this, "Append");
  items_.push_back(std::move(item));
  return items_.back();
}

Value& Value::Set(std::string key, Value value) {
  if (!is_mapping()) KindBug(*this, "Set");
  if (Value* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  return AppendMember(std::move(key), std::move(value));
}

Value& Value::AppendMember(std::string key, Value value, Location key_location) {
  if (!is_mapping()) KindBug(*this, "AppendMember");
  members_.push_back(
      Member{std::move(key), std::move(key_location), std::move(value), false, false});
  return members_.back().value;
}

Status Value::ExpectKind(ValueKind expected) const {
  if (kind_ == expected) return Status::Ok();
  std::string message = "expected ";
  message += KindPhrase(expected);
  message += ", got ";
  message += KindPhrase(kind_);
  return Error(message);
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case ValueKind::kNull:
      return true;
    case ValueKind::kBool:
      return a.bool_ == b.bool_;
    case ValueKind::kNumber: {
      if (a.IsInteger() && b.IsInteger()) {
        std::optional<IntLiteral> la = ParseIntLiteral(a.text_);
        std::optional<IntLiteral> lb = ParseIntLiteral(b.text_);
        std::optional<uint64_t> ma = Magnitude(*la);
        std::optional<uint64_t> mb = Magnitude(*lb);
        if (ma && mb) return *ma == *mb && (la->negative == lb->negative || *ma == 0);
        // Beyond 64 bits: compare the canonical decimal text the writers print.
        return ToJson(a) == ToJson(b);
      }
      return a.number_ == b.number_;
    }
    case ValueKind::kString:
      return a.text_ == b.text_;
    case ValueKind::kSequence:
      return a.items_ == b.items_;
    case ValueKind::kMapping: {
      if (a.members_.size() != b.members_.size()) return false;
      for (const Member& m : a.members_) {
        const Value* other = b.Find(m.key);
        if (other == nullptr || !(m.value == *other)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace cairn::core
