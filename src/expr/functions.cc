// The functions: the built-ins every key may call (contains, startsWith, endsWith, format,
// join, toJSON, fromJSON, case) with GitHub's arities, coercions and error messages, and the
// runtime ones (success, failure, cancelled, always, hashFiles) delegated to a Runtime.
// Pure apart from the Runtime callbacks; thread-safe.
#include <cmath>
#include <string>

#include "core/json.h"
#include "expr/internal.h"

namespace cairn::expr::internal {

namespace {

constexpr size_t kMaxMemory = 1048576;  // GitHub's evaluation limit, in bytes

struct Builtin {
  std::string_view name;
  int min_args;
  int max_args;
};

constexpr Builtin kBuiltins[] = {
    {"case", 3, FunctionSpec::kUnlimited},
    {"contains", 2, 2},
    {"endswith", 2, 2},
    {"format", 1, 255},
    {"fromjson", 1, 1},
    {"join", 1, 2},
    {"startswith", 2, 2},
    {"tojson", 1, 1},
};

Status EvalError(std::string message) {
  return MakeError(ErrorKind::kEvaluation, std::move(message));
}

Result<Value> Format(std::span<const Value> args) {
  const std::string fs = args[0].ToString();
  auto invalid = [&] { return EvalError("The following format string is invalid: " + fs); };
  auto at = [&](size_t i) { return i < fs.size() ? fs[i] : '\0'; };
  std::string out;
  size_t index = 0;
  while (index < fs.size()) {
    size_t lbrace = fs.find('{', index);
    size_t rbrace = fs.find('}', index);
    if (lbrace != std::string::npos && (rbrace == std::string::npos || rbrace > lbrace)) {
      if (at(lbrace + 1) == '{') {
        out.append(fs, index, lbrace - index + 1);
        index = lbrace + 2;
        continue;
      }
      if (rbrace != std::string::npos && rbrace > lbrace + 1) {
        size_t len = 0;
        while (at(lbrace + 1 + len) >= '0' && at(lbrace + 1 + len) <= '9') ++len;
        if (len > 0) {
          double arg = 0;
          for (size_t k = 0; k < len; ++k) arg = arg * 10 + (fs[lbrace + 1 + k] - '0');
          if (1 + arg > static_cast<double>(args.size()) - 1) {
            return EvalError(
                "The following format string references more arguments than were supplied: " + fs);
          }
          out.append(fs, index, lbrace - index);
          out += args[1 + static_cast<size_t>(arg)].ToString();
          index = rbrace + 1;
          continue;
        }
      }
      return invalid();
    }
    if (rbrace != std::string::npos) {
      if (at(rbrace + 1) != '}') return invalid();
      out.append(fs, index, rbrace - index + 1);
      index = rbrace + 2;
    } else {
      out.append(fs, index);
      break;
    }
  }
  return Value::String(std::move(out));
}

Result<Value> FromJson(const Value& arg) {
  std::string text = arg.ToString();
  if (TrimJs(text).empty()) return EvalError("empty input");
  core::JsonParseOptions options;
  options.max_depth = 100000;
  auto parsed = core::ParseJson(text, "fromJSON", options);
  if (!parsed.ok()) return EvalError("Error parsing JSON when evaluating fromJson");
  return Value::FromCore(*parsed);
}

bool StartsOrEnds(const Value& l, const Value& r, bool starts) {
  if (!Access::IsPrimitive(l) || !Access::IsPrimitive(r)) return false;
  std::string ls = Upper(l.ToString());
  std::string rs = Upper(r.ToString());
  if (rs.size() > ls.size()) return false;
  return starts ? ls.compare(0, rs.size(), rs) == 0
                : ls.compare(ls.size() - rs.size(), rs.size(), rs) == 0;
}

Value Contains(const Value& l, const Value& r) {
  if (Access::IsPrimitive(l)) {
    if (!Access::IsPrimitive(r)) return Value::Boolean(false);
    return Value::Boolean(Upper(l.ToString()).find(Upper(r.ToString())) != std::string::npos);
  }
  if (l.kind() == Kind::kArray) {
    for (const Value& v : l.AsArray()) {
      if (LooseEquals(r, v)) return Value::Boolean(true);
    }
  }
  return Value::Boolean(false);
}

Value Join(std::span<const Value> args) {
  if (Access::IsPrimitive(args[0])) return Value::String(args[0].ToString());
  if (args[0].kind() != Kind::kArray) return Value::String("");
  std::string separator = ",";
  if (args.size() > 1 && Access::IsPrimitive(args[1])) separator = args[1].ToString();
  std::string out;
  bool first = true;
  for (const Value& item : args[0].AsArray()) {
    if (!first) out += separator;
    first = false;
    out += item.ToString();
  }
  return Value::String(std::move(out));
}

Result<Value> Case(std::span<const Value> args) {
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    if (args[i].kind() != Kind::kBoolean) {
      return EvalError("case predicate must evaluate to a boolean value");
    }
    if (args[i].AsBool()) return args[i + 1];
  }
  return args.back();
}

Result<Value> CallRuntime(std::string_view name, std::span<const Value> args,
                          const EvalOptions& options) {
  const Runtime* rt = options.runtime;
  if (name == "hashfiles") {
    if (rt == nullptr || !rt->hash_files) {
      return EvalError("The function 'hashFiles' is not available in this evaluation");
    }
    std::vector<std::string> patterns;
    for (const Value& a : args) patterns.push_back(a.ToString());
    CAIRN_ASSIGN_OR_RETURN(std::string digest, rt->hash_files(patterns));
    return Value::String(std::move(digest));
  }
  if (IsStatusFunction(name)) {
    if (rt == nullptr || !rt->status) {
      return EvalError("The function '" + std::string(name) +
                       "' is not available in this evaluation");
    }
    CAIRN_ASSIGN_OR_RETURN(bool b, rt->status(name, args));
    return Value::Boolean(b);
  }
  return EvalError("Unrecognized function: '" + std::string(name) + "'");
}

}  // namespace

bool BuiltinArity(std::string_view lower_name, int& min_args, int& max_args) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == lower_name) {
      min_args = b.min_args;
      max_args = b.max_args;
      return true;
    }
  }
  return false;
}

bool IsStatusFunction(std::string_view name) {
  return EqualsIgnoreCase(name, "success") || EqualsIgnoreCase(name, "failure") ||
         EqualsIgnoreCase(name, "cancelled") || EqualsIgnoreCase(name, "always");
}

Result<Value> CallFunction(std::string_view name, std::span<const Value> args,
                           const EvalOptions& options, size_t& memory) {
  Result<Value> result = Value::Null();
  if (name == "contains") {
    result = Contains(args[0], args[1]);
  } else if (name == "startswith") {
    result = Value::Boolean(StartsOrEnds(args[0], args[1], true));
  } else if (name == "endswith") {
    result = Value::Boolean(StartsOrEnds(args[0], args[1], false));
  } else if (name == "format") {
    result = Format(args);
  } else if (name == "join") {
    result = Join(args);
  } else if (name == "tojson") {
    result = Value::String(args[0].ToJson());
  } else if (name == "fromjson") {
    result = FromJson(args[0]);
  } else if (name == "case") {
    result = Case(args);
  } else {
    result = CallRuntime(name, args, options);
  }
  if (result.ok() && result->kind() == Kind::kString) {
    memory += result->AsString().size() * 2;
    if (memory > kMaxMemory) return EvalError("The maximum allowed memory size was exceeded");
  }
  return result;
}

}  // namespace cairn::expr::internal
