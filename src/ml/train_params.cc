// ParseTrainParams and ParamsForLogging: TrainParams from a params file's value tree, checked
// key by key with the key's file:line:col, and back to text as MLflow params.
//
// Pure functions; thread-safe.
#include <cmath>
#include <limits>

#include "core/json.h"
#include "core/strings.h"
#include "ml/ml.h"

namespace cairn::ml {
namespace {

using core::Value;

enum class Kind { kInt, kDouble, kSeed };

/// A parameter's spelling in the file, the field it sets, and the values it allows.
struct Field {
  const char* name;
  const char* canonical;  // the field's name when `name` is an alias (eta), else `name`
  Kind kind;
  int TrainParams::*int_field = nullptr;
  double TrainParams::*double_field = nullptr;
  double min = 0;
  bool min_open = false;  // true: > min, else >= min
  double max = std::numeric_limits<double>::infinity();
  bool max_open = true;  // true: < max (or no bound), else <= max
};

const std::vector<Field>& Fields() {
  static const std::vector<Field> kFields = [] {
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<Field> f;
    auto add_int = [&](const char* name, int TrainParams::*field, double min) {
      f.push_back({name, name, Kind::kInt, field, nullptr, min, false, inf, true});
    };
    auto add_double = [&](const char* name, const char* canonical, double TrainParams::*field,
                          double min, bool min_open, double max, bool max_open) {
      f.push_back({name, canonical, Kind::kDouble, nullptr, field, min, min_open, max, max_open});
    };
    add_int("n_estimators", &TrainParams::n_estimators, 1);
    add_int("max_depth", &TrainParams::max_depth, 0);
    add_double("learning_rate", "learning_rate", &TrainParams::learning_rate, 0, true, inf, true);
    add_double("eta", "learning_rate", &TrainParams::learning_rate, 0, true, inf, true);
    add_double("subsample", "subsample", &TrainParams::subsample, 0, true, 1, false);
    add_double("colsample_bytree", "colsample_bytree", &TrainParams::colsample_bytree, 0, true, 1,
               false);
    add_double("min_child_weight", "min_child_weight", &TrainParams::min_child_weight, 0, false,
               inf, true);
    add_double("reg_lambda", "reg_lambda", &TrainParams::reg_lambda, 0, false, inf, true);
    add_double("lambda", "reg_lambda", &TrainParams::reg_lambda, 0, false, inf, true);
    add_double("reg_alpha", "reg_alpha", &TrainParams::reg_alpha, 0, false, inf, true);
    add_double("alpha", "reg_alpha", &TrainParams::reg_alpha, 0, false, inf, true);
    add_double("gamma", "gamma", &TrainParams::gamma, 0, false, inf, true);
    add_int("max_bin", &TrainParams::max_bin, 2);
    add_double("validation_fraction", "validation_fraction", &TrainParams::validation_fraction, 0,
               false, 1, true);
    add_int("early_stopping_rounds", &TrainParams::early_stopping_rounds, 0);
    f.push_back({"seed", "seed", Kind::kSeed});
    return f;
  }();
  return kFields;
}

/// "an integer >= 1", "a number in (0, 1]", "a number >= 0".
std::string Expected(const Field& f) {
  const std::string what = f.kind == Kind::kDouble ? "a number" : "an integer";
  if (f.kind == Kind::kSeed) return "an integer in [0, 2^63)";
  if (std::isinf(f.max)) {
    return what + (f.min_open ? " > " : " >= ") + core::FormatDouble(f.min);
  }
  return what + " in " + (f.min_open ? "(" : "[") + core::FormatDouble(f.min) + ", " +
         core::FormatDouble(f.max) + (f.max_open ? ")" : "]");
}

std::string Got(const Value& v) {
  if (v.is_number()) return v.raw();
  if (v.is_string()) return "the string '" + v.AsString() + "'";
  return std::string(core::KindPhrase(v.kind()));
}

/// "<file>:<line>:<col>: <message>", with the file alone when the node has no location.
Status ErrorAt(const core::Location& location, std::string_view filename,
               std::string_view message) {
  if (location.known()) return location.Error(message);
  if (filename.empty()) return Status::InvalidArgument(std::string(message));
  return Status::InvalidArgument(std::string(filename) + ": " + std::string(message));
}

bool InRange(const Field& f, double v) {
  if (std::isnan(v)) return false;
  if (f.min_open ? !(v > f.min) : !(v >= f.min)) return false;
  if (std::isinf(f.max)) return std::isfinite(v);
  return f.max_open ? v < f.max : v <= f.max;
}

}  // namespace

Result<TrainParams> ParseTrainParams(const core::Value& root, std::string_view filename) {
  TrainParams params;
  const Value* section = &root;
  std::string prefix;
  if (root.is_mapping()) {
    if (const core::Member* train = root.FindMember("train")) {
      section = &train->value;
      prefix = "train.";
      if (!section->is_mapping() && !section->is_null()) {
        return ErrorAt(section->location(), filename,
                       "train: expected a mapping of training parameters, got " +
                           std::string(core::KindPhrase(section->kind())));
      }
    }
  } else if (!root.is_null()) {
    return ErrorAt(root.location(), filename,
                   "expected a mapping of training parameters, got " +
                       std::string(core::KindPhrase(root.kind())));
  }

  std::vector<std::pair<const char*, const core::Member*>> set;  // canonical name -> member
  for (const core::Member& member : section->members()) {
    const std::string key = prefix + member.key;
    const Value& value = member.value;
    if (member.key == "threads") {
      return ErrorAt(member.key_location, filename,
                     key +
                         ": the number of threads is not read from the params file (it is a "
                         "property of the machine, not of the model): pass --threads");
    }
    const Field* field = nullptr;
    for (const Field& f : Fields()) {
      if (member.key == f.name) field = &f;
    }
    if (field == nullptr) {
      std::string message = key + ": unknown training parameter";
      for (const Field& f : Fields()) {
        if (core::EditDistance(member.key, f.name) <= 2) {
          message += std::string(" (did you mean '") + f.name + "'?)";
          break;
        }
      }
      message += "; known: ";
      for (size_t i = 0; i < Fields().size(); ++i) {
        message += (i == 0 ? "" : ", ") + std::string(Fields()[i].name);
      }
      return ErrorAt(member.key_location, filename, message);
    }
    for (const auto& [canonical, other] : set) {
      if (std::string_view(canonical) == field->canonical) {
        return ErrorAt(member.key_location, filename,
                       key + ": the same parameter as " + prefix + other->key + " (at " +
                           other->key_location.ToString() + "): give one of them");
      }
    }
    set.emplace_back(field->canonical, &member);

    const std::string expected = Expected(*field);
    auto bad = [&] {
      return ErrorAt(value.location(), filename,
                     key + ": expected " + expected + ", got " + Got(value));
    };
    if (!value.is_number()) return bad();
    switch (field->kind) {
      case Kind::kInt: {
        const std::optional<int64_t> i = value.AsInt64();
        if (!i || *i > std::numeric_limits<int>::max() ||
            !InRange(*field, static_cast<double>(*i))) {
          return bad();
        }
        params.*(field->int_field) = static_cast<int>(*i);
        break;
      }
      case Kind::kDouble: {
        const double d = value.AsDouble();
        if (!InRange(*field, d)) return bad();
        params.*(field->double_field) = d;
        break;
      }
      case Kind::kSeed: {
        const std::optional<int64_t> i = value.AsInt64();
        if (!i || *i < 0) return bad();
        params.seed = static_cast<uint64_t>(*i);
        break;
      }
    }
  }

  if (params.early_stopping_rounds > 0 && params.validation_fraction == 0) {
    const core::Member* esr = section->FindMember("early_stopping_rounds");
    return ErrorAt(esr != nullptr ? esr->value.location() : section->location(), filename,
                   prefix + "early_stopping_rounds: early stopping needs validation rows (" +
                       prefix + "validation_fraction > 0)");
  }
  return params;
}

std::vector<std::pair<std::string, std::string>> ParamsForLogging(const TrainParams& p) {
  auto f = [](double d) { return core::FormatPythonFloat(d); };
  auto i = [](int64_t n) { return std::to_string(n); };
  return {
      {"n_estimators", i(p.n_estimators)},
      {"max_depth", i(p.max_depth)},
      {"learning_rate", f(p.learning_rate)},
      {"subsample", f(p.subsample)},
      {"colsample_bytree", f(p.colsample_bytree)},
      {"min_child_weight", f(p.min_child_weight)},
      {"reg_lambda", f(p.reg_lambda)},
      {"reg_alpha", f(p.reg_alpha)},
      {"gamma", f(p.gamma)},
      {"max_bin", i(p.max_bin)},
      {"validation_fraction", f(p.validation_fraction)},
      {"early_stopping_rounds", i(p.early_stopping_rounds)},
      {"seed", std::to_string(p.seed)},
      {"threads", i(p.threads)},
  };
}

}  // namespace cairn::ml
