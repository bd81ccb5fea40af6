// Value: the expression language's values (shared immutable containers), GitHub's coercions
// (truthiness, to number, to string), loose equality and ordering, and toJSON's printing.
// Values are immutable once built, so sharing them across threads is safe.
#include <cmath>
#include <string>

#include "core/json.h"
#include "expr/internal.h"

namespace cairn::expr {

struct Value::Rep {
  Kind kind = Kind::kNull;
  bool boolean = false;
  bool filtered = false;  // an array made by the `*` filter
  double number = 0;
  std::string string;
  std::vector<Value> items;
  std::vector<std::pair<std::string, Value>> members;
};

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "Null";
    case Kind::kBoolean:
      return "Boolean";
    case Kind::kNumber:
      return "Number";
    case Kind::kString:
      return "String";
    case Kind::kArray:
      return "Array";
    case Kind::kObject:
      return "Object";
  }
  return "Null";
}

Value::Value() = default;

Value Value::Null() { return Value(); }

Value Value::Boolean(bool b) {
  auto rep = std::make_shared<Rep>();
  rep->kind = Kind::kBoolean;
  rep->boolean = b;
  Value v;
  v.rep_ = std::move(rep);
  return v;
}

Value Value::Number(double d) {
  auto rep = std::make_shared<Rep>();
  rep->kind = Kind::kNumber;
  rep->number = d;
  Value v;
  v.rep_ = std::move(rep);
  return v;
}

Value Value::String(std::string s) {
  auto rep = std::make_shared<Rep>();
  rep->kind = Kind::kString;
  rep->string = std::move(s);
  Value v;
  v.rep_ = std::move(rep);
  return v;
}

Value Value::Array(std::vector<Value> items) {
  auto rep = std::make_shared<Rep>();
  rep->kind = Kind::kArray;
  rep->items = std::move(items);
  Value v;
  v.rep_ = std::move(rep);
  return v;
}

Value Value::Object(std::vector<std::pair<std::string, Value>> members) {
  auto rep = std::make_shared<Rep>();
  rep->kind = Kind::kObject;
  rep->members.reserve(members.size());
  for (auto& [key, value] : members) {
    bool replaced = false;
    for (auto& existing : rep->members) {
      if (internal::EqualsIgnoreCase(existing.first, key)) {
        existing.second = std::move(value);
        replaced = true;
        break;
      }
    }
    if (!replaced) rep->members.emplace_back(std::move(key), std::move(value));
  }
  Value v;
  v.rep_ = std::move(rep);
  return v;
}

Value Value::FromCore(const core::Value& value) {
  switch (value.kind()) {
    case core::ValueKind::kNull:
      return Null();
    case core::ValueKind::kBool:
      return Boolean(value.AsBool());
    case core::ValueKind::kNumber:
      return Number(value.AsDouble());
    case core::ValueKind::kString:
      return String(value.AsString());
    case core::ValueKind::kSequence: {
      std::vector<Value> items;
      items.reserve(value.items().size());
      for (const core::Value& item : value.items()) items.push_back(FromCore(item));
      return Array(std::move(items));
    }
    case core::ValueKind::kMapping: {
      std::vector<std::pair<std::string, Value>> members;
      members.reserve(value.members().size());
      for (const core::Member& m : value.members()) members.emplace_back(m.key, FromCore(m.value));
      return Object(std::move(members));
    }
  }
  return Null();
}

Kind Value::kind() const { return rep_ ? rep_->kind : Kind::kNull; }

bool Value::AsBool() const {
  if (kind() != Kind::kBoolean) std::abort();
  return rep_->boolean;
}
double Value::AsNumber() const {
  if (kind() != Kind::kNumber) std::abort();
  return rep_->number;
}
const std::string& Value::AsString() const {
  if (kind() != Kind::kString) std::abort();
  return rep_->string;
}
const std::vector<Value>& Value::AsArray() const {
  if (kind() != Kind::kArray) std::abort();
  return rep_->items;
}
const std::vector<std::pair<std::string, Value>>& Value::AsObject() const {
  if (kind() != Kind::kObject) std::abort();
  return rep_->members;
}

const Value* Value::Get(std::string_view key) const {
  if (kind() != Kind::kObject) return nullptr;
  for (const auto& [k, v] : rep_->members) {
    if (internal::EqualsIgnoreCase(k, key)) return &v;
  }
  return nullptr;
}

bool Value::Truthy() const {
  switch (kind()) {
    case Kind::kNull:
      return false;
    case Kind::kBoolean:
      return rep_->boolean;
    case Kind::kNumber:
      return rep_->number != 0 && !std::isnan(rep_->number);
    case Kind::kString:
      return !rep_->string.empty();
    default:
      return true;
  }
}

double Value::ToNumber() const {
  switch (kind()) {
    case Kind::kNull:
      return 0;
    case Kind::kBoolean:
      return rep_->boolean ? 1 : 0;
    case Kind::kNumber:
      return rep_->number;
    case Kind::kString:
      return internal::JsNumber(rep_->string);
    default:
      return NAN;
  }
}

std::string Value::ToString() const {
  switch (kind()) {
    case Kind::kNull:
      return "";
    case Kind::kBoolean:
      return rep_->boolean ? "true" : "false";
    case Kind::kNumber:
      return FormatNumber(rep_->number);
    case Kind::kString:
      return rep_->string;
    case Kind::kArray:
      return "Array";
    case Kind::kObject:
      return "Object";
  }
  return "";
}

namespace {

void AppendJsonString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void WriteJson(const Value& v, int level, std::string& out) {
  auto indent = [&](int n) { out.append(static_cast<size_t>(n) * 2, ' '); };
  switch (v.kind()) {
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBoolean:
      out += v.AsBool() ? "true" : "false";
      return;
    case Kind::kNumber:
      out += FormatNumber(v.AsNumber());
      return;
    case Kind::kString:
      AppendJsonString(out, v.AsString());
      return;
    case Kind::kArray: {
      const auto& items = v.AsArray();
      if (items.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < items.size(); ++i) {
        indent(level + 1);
        WriteJson(items[i], level + 1, out);
        out += i + 1 < items.size() ? ",\n" : "\n";
      }
      indent(level);
      out += ']';
      return;
    }
    case Kind::kObject: {
      const auto& members = v.AsObject();
      if (members.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      for (size_t i = 0; i < members.size(); ++i) {
        indent(level + 1);
        AppendJsonString(out, members[i].first);
        out += ": ";
        WriteJson(members[i].second, level + 1, out);
        out += i + 1 < members.size() ? ",\n" : "\n";
      }
      indent(level);
      out += '}';
      return;
    }
  }
}

// GitHub's coercion for comparisons: same kinds stay; number vs string makes the string a
// number; null and booleans become numbers, then the pair is coerced again.
void Coerce(Value& l, Value& r) {
  if (l.kind() == r.kind()) return;
  if (l.kind() == Kind::kNumber && r.kind() == Kind::kString) {
    r = Value::Number(r.ToNumber());
    return;
  }
  if (l.kind() == Kind::kString && r.kind() == Kind::kNumber) {
    l = Value::Number(l.ToNumber());
    return;
  }
  if (l.kind() == Kind::kNull || l.kind() == Kind::kBoolean) {
    l = Value::Number(l.ToNumber());
    Coerce(l, r);
    return;
  }
  if (r.kind() == Kind::kNull || r.kind() == Kind::kBoolean) {
    r = Value::Number(r.ToNumber());
    Coerce(l, r);
  }
}

// -1, 0, 1, or 2 when not ordered (NaN, different kinds, containers).
int Compare(const Value& a, const Value& b) {
  Value l = a, r = b;
  Coerce(l, r);
  if (l.kind() != r.kind()) return 2;
  switch (l.kind()) {
    case Kind::kNumber: {
      double x = l.AsNumber(), y = r.AsNumber();
      if (std::isnan(x) || std::isnan(y)) return 2;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Kind::kString: {
      int c = internal::Upper(l.AsString()).compare(internal::Upper(r.AsString()));
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case Kind::kBoolean:
      return (l.AsBool() ? 1 : 0) - (r.AsBool() ? 1 : 0);
    default:
      return 2;
  }
}

}  // namespace

std::string Value::ToJson() const {
  std::string out;
  WriteJson(*this, 0, out);
  return out;
}

core::Value Value::ToCore() const {
  switch (kind()) {
    case Kind::kNull:
      return core::Value::Null();
    case Kind::kBoolean:
      return core::Value::Bool(rep_->boolean);
    case Kind::kNumber:
      return core::Value::Double(rep_->number);
    case Kind::kString:
      return core::Value::String(rep_->string);
    case Kind::kArray: {
      core::Value seq = core::Value::Sequence();
      for (const Value& item : rep_->items) seq.Append(item.ToCore());
      return seq;
    }
    case Kind::kObject: {
      core::Value map = core::Value::Mapping();
      for (const auto& [k, v] : rep_->members) map.AppendMember(k, v.ToCore());
      return map;
    }
  }
  return core::Value::Null();
}

bool Value::SameContainer(const Value& other) const {
  return rep_ != nullptr && rep_ == other.rep_ &&
         (kind() == Kind::kArray || kind() == Kind::kObject);
}

bool LooseEquals(const Value& a, const Value& b) {
  Value l = a, r = b;
  Coerce(l, r);
  if (l.kind() != r.kind()) return false;
  switch (l.kind()) {
    case Kind::kNull:
      return true;
    case Kind::kArray:
    case Kind::kObject:
      return l.SameContainer(r);
    default:
      return Compare(l, r) == 0;
  }
}

namespace internal {

Value Access::FilteredArray(std::vector<Value> items) {
  Value v = Value::Array(std::move(items));
  const_cast<Value::Rep*>(v.rep_.get())->filtered = true;  // not shared yet
  return v;
}

bool Access::IsFiltered(const Value& v) { return v.rep_ && v.rep_->filtered; }

bool GreaterThan(const Value& a, const Value& b) { return Compare(a, b) == 1; }
bool LessThan(const Value& a, const Value& b) { return Compare(a, b) == -1; }

}  // namespace internal
}  // namespace cairn::expr
