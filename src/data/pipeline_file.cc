#include "data/pipeline_file.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/yaml.h"

namespace cairn::data {
namespace {

using core::Location;
using core::Member;
using core::Result;
using core::Status;
using core::Value;
using core::ValueKind;

// --- Vocabulary ---

constexpr std::string_view kTopKeys[] = {"stages", "vars",      "params",  "metrics",
                                         "plots",  "artifacts", "datasets"};
// A plain stage (DVC's STAGE_DEFINITION); the body of `do` is the same without `matrix`.
constexpr std::string_view kStageKeys[] = {"cmd",     "wdir",  "deps",   "params",         "outs",
                                           "metrics", "plots", "frozen", "always_changed", "desc",
                                           "meta",    "vars",  "matrix"};
constexpr std::string_view kDoKeys[] = {"cmd",     "wdir",  "deps",   "params",         "outs",
                                        "metrics", "plots", "frozen", "always_changed", "desc",
                                        "meta",    "vars"};
constexpr std::string_view kOutFlags[] = {"cache", "persist", "push",   "remote", "checkpoint",
                                          "desc",  "type",    "labels", "meta"};
constexpr std::string_view kPlotFlags[] = {
    "cache", "persist",  "push", "remote", "checkpoint", "desc",    "type",  "labels",
    "meta",  "template", "x",    "y",      "x_label",    "y_label", "title", "header"};
constexpr std::string_view kTopPlotKeys[] = {"x", "y", "x_label", "y_label", "title", "template"};
constexpr std::string_view kArtifactKeys[] = {"path", "desc", "type", "labels", "meta"};

template <size_t N>
bool IsOneOf(std::string_view key, const std::string_view (&keys)[N]) {
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

/// How a kind reads after "got": as core's phrases, but "a list" (the word dvc.yaml users know).
std::string Phrase(ValueKind kind) {
  return kind == ValueKind::kSequence ? "a list" : std::string(core::KindPhrase(kind));
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string Dot(std::string_view field, std::string_view key) {
  if (field.empty()) return std::string(key);
  return std::string(field) + "." + std::string(key);
}

std::string At(std::string_view field, size_t index) {
  return std::string(field) + "[" + std::to_string(index) + "]";
}

Status FieldError(const Location& loc, std::string_view field, std::string_view what) {
  if (field.empty()) return loc.Error(what);
  return loc.Error(std::string(field) + ": " + std::string(what));
}

/// `status` with "<loc>: <field>: " put before its message; its code is kept (an I/O failure
/// reading a `vars` file stays IO_ERROR).
Status WithField(const Status& status, const Location& loc, std::string_view field) {
  Status located = FieldError(loc, field, status.message());
  if (status.code() == core::Code::kInvalidParameterValue) return located;
  return Status(status.code(), located.message());
}

Status Expected(const Value& v, std::string_view field, std::string_view expected) {
  return FieldError(v.location(), field,
                    "expected " + std::string(expected) + ", got " + Phrase(v.kind()));
}

template <size_t N>
Status UnknownKey(const Member& m, std::string_view field, const std::string_view (&keys)[N],
                  std::string_view note = "") {
  std::string what = "unknown key " + Quoted(m.key) + " (expected one of: ";
  bool first = true;
  for (std::string_view k : keys) {
    what += first ? "" : ", ";
    what += k;
    first = false;
  }
  std::string_view best;
  size_t best_distance = 3;  // suggest only close spellings
  for (std::string_view k : keys) {
    size_t d = core::EditDistance(m.key, k);
    if (d < best_distance && d < m.key.size()) {
      best = k;
      best_distance = d;
    }
  }
  if (!best.empty()) what += "; did you mean " + Quoted(best) + "?";
  what += ")";
  if (!note.empty()) what += " " + std::string(note);
  return FieldError(m.key_location, field, what);
}

// --- YAML merge keys (`<<: *base`), as ruamel's safe loader applies them ---

Result<Value> ApplyMergeKeys(const Value& v) {
  if (v.is_sequence()) {
    Value out = Value::Sequence();
    for (const Value& item : v.items()) {
      CAIRN_ASSIGN_OR_RETURN(Value resolved, ApplyMergeKeys(item));
      out.Append(std::move(resolved));
    }
    out.set_location(v.location());
    return out;
  }
  if (!v.is_mapping()) return v;
  // SafeConstructor.flatten_mapping: the merged mappings' members first (of a list of
  // mappings, the last one first), then the mapping's own; a later member replaces an earlier
  // one's value where that one stands (a Python dict).
  std::vector<const Member*> order;
  for (const Member& m : v.members()) {
    if (m.key != "<<") continue;
    std::vector<const Value*> sources;
    if (m.value.is_mapping()) {
      sources.push_back(&m.value);
    } else if (m.value.is_sequence()) {
      for (const Value& s : m.value.items()) {
        if (!s.is_mapping()) return Expected(s, "<<", "a mapping to merge");
        sources.push_back(&s);
      }
      std::reverse(sources.begin(), sources.end());
    } else {
      return Expected(m.value, "<<", "a mapping or a list of mappings to merge");
    }
    for (const Value* s : sources) {
      for (const Member& sm : s->members()) order.push_back(&sm);
    }
  }
  if (order.empty()) {
    Value out = Value::Mapping();
    for (const Member& m : v.members()) {
      CAIRN_ASSIGN_OR_RETURN(Value resolved, ApplyMergeKeys(m.value));
      out.AppendMember(m.key, std::move(resolved), m.key_location);
    }
    out.set_location(v.location());
    return out;
  }
  for (const Member& m : v.members()) {
    if (m.key != "<<") order.push_back(&m);
  }
  Value out = Value::Mapping();
  for (const Member* m : order) {
    CAIRN_ASSIGN_OR_RETURN(Value resolved, ApplyMergeKeys(m->value));
    if (Value* existing = out.Find(m->key)) {
      *existing = std::move(resolved);
    } else {
      out.AppendMember(m->key, std::move(resolved), m->key_location);
    }
  }
  out.set_location(v.location());
  return out;
}

// --- Schema of the text as written (DVC validates before templating) ---

Status CheckStringList(const Value& v, std::string_view field, std::string_view what) {
  if (!v.is_sequence()) return Expected(v, field, "a list of " + std::string(what));
  for (size_t i = 0; i < v.items().size(); ++i) {
    if (!v.items()[i].is_string()) return Expected(v.items()[i], At(field, i), "a string");
  }
  return Status::Ok();
}

Status CheckVarsList(const Value& v, std::string_view field) {
  if (!v.is_sequence()) return Expected(v, field, "a list of file names and mappings");
  for (size_t i = 0; i < v.items().size(); ++i) {
    const Value& item = v.items()[i];
    if (!item.is_string() && !item.is_mapping()) {
      return Expected(item, At(field, i), "a file name or a mapping");
    }
  }
  return Status::Ok();
}

// The flags of one output: DVC's OUT_PSTAGE_DETAILED_SCHEMA, or PLOT_PROPS_SCHEMA for plots.
Status CheckFlags(const Value& flags, std::string_view field, bool plot) {
  if (!flags.is_mapping()) {
    return Expected(flags, field,
                    plot ? "a mapping of output and plot flags" : "a mapping of output flags");
  }
  for (const Member& m : flags.members()) {
    std::string f = Dot(field, m.key);
    if (plot ? !IsOneOf(m.key, kPlotFlags) : !IsOneOf(m.key, kOutFlags)) {
      return plot ? UnknownKey(m, field, kPlotFlags) : UnknownKey(m, field, kOutFlags);
    }
    if (m.key == "cache" || m.key == "persist" || m.key == "push" || m.key == "checkpoint" ||
        m.key == "header") {
      if (!m.value.is_bool()) return Expected(m.value, f, "a boolean");
    } else if (m.key == "labels") {
      CAIRN_RETURN_IF_ERROR(CheckStringList(m.value, f, "labels"));
    } else if (m.key != "meta") {
      if (!m.value.is_string()) return Expected(m.value, f, "a string");
    }
  }
  return Status::Ok();
}

Status CheckOutsList(const Value& v, std::string_view field, bool plot) {
  if (!v.is_sequence()) return Expected(v, field, "a list of paths and {path: flags} mappings");
  for (size_t i = 0; i < v.items().size(); ++i) {
    const Value& item = v.items()[i];
    std::string f = At(field, i);
    if (item.is_string()) continue;
    if (!item.is_mapping()) return Expected(item, f, "a path or a {path: flags} mapping");
    for (const Member& m : item.members()) {
      CAIRN_RETURN_IF_ERROR(CheckFlags(m.value, Dot(f, m.key), plot));
    }
  }
  return Status::Ok();
}

Status CheckStageBody(const Value& def, const Location& name_location, std::string_view field,
                      bool allow_matrix) {
  if (!def.is_mapping()) return Expected(def, field, "a mapping of stage keys");
  for (const Member& m : def.members()) {
    std::string f = Dot(field, m.key);
    const Value& v = m.value;
    if (!IsOneOf(m.key, kStageKeys) || (m.key == "matrix" && !allow_matrix)) {
      if (m.key == "foreach" || m.key == "do" || m.key == "matrix") {
        return FieldError(m.key_location, field,
                          Quoted(m.key) + " cannot be used inside 'do' (expected a plain stage)");
      }
      return allow_matrix ? UnknownKey(m, field, kStageKeys) : UnknownKey(m, field, kDoKeys);
    }
    if (m.key == "cmd") {
      if (!v.is_string() && !v.is_sequence())
        return Expected(v, f, "a string or a list of commands");
    } else if (m.key == "wdir" || m.key == "desc") {
      if (!v.is_string()) return Expected(v, f, "a string");
    } else if (m.key == "deps") {
      CAIRN_RETURN_IF_ERROR(CheckStringList(v, f, "paths"));
    } else if (m.key == "params") {
      if (!v.is_sequence())
        return Expected(v, f, "a list of param names and {file: [names]} mappings");
      for (size_t i = 0; i < v.items().size(); ++i) {
        const Value& item = v.items()[i];
        if (!item.is_string() && !item.is_mapping()) {
          return Expected(item, At(f, i), "a param name or a {file: [names]} mapping");
        }
      }
    } else if (m.key == "vars") {
      CAIRN_RETURN_IF_ERROR(CheckVarsList(v, f));
    } else if (m.key == "frozen" || m.key == "always_changed") {
      if (!v.is_bool()) return Expected(v, f, "a boolean");
    } else if (m.key == "outs" || m.key == "metrics" || m.key == "plots") {
      CAIRN_RETURN_IF_ERROR(CheckOutsList(v, f, m.key == "plots"));
    } else if (m.key == "matrix") {
      if (!v.is_mapping()) return Expected(v, f, "a mapping of axis names to lists");
      for (const Member& axis : v.members()) {
        if (!axis.value.is_string() && !axis.value.is_sequence()) {
          return Expected(axis.value, Dot(f, axis.key), "a list or a ${...} reference to one");
        }
      }
    }
  }
  if (def.Find("cmd") == nullptr) {
    return FieldError(name_location, field, "missing 'cmd' (every stage needs a command)");
  }
  return Status::Ok();
}

Status CheckStageSchema(const Member& entry, std::string_view field) {
  const Value& def = entry.value;
  if (!def.is_mapping()) return Expected(def, field, "a mapping of stage keys");
  const Value* foreach = def.Find("foreach");
  const Value* body = def.Find("do");
  if (foreach == nullptr && body == nullptr) {
    return CheckStageBody(def, entry.key_location, field, /*allow_matrix=*/true);
  }
  // DVC's FOREACH_IN: exactly `foreach` and `do`.
  constexpr std::string_view kForeachKeys[] = {"foreach", "do"};
  for (const Member& m : def.members()) {
    if (!IsOneOf(m.key, kForeachKeys)) {
      return UnknownKey(
          m, field, kForeachKeys,
          "(a 'foreach' stage has only 'foreach' and 'do'; the stage goes under 'do')");
    }
  }
  if (foreach == nullptr) return FieldError(entry.key_location, field, "'do' needs 'foreach'");
  if (body == nullptr) return FieldError(entry.key_location, field, "'foreach' needs 'do'");
  if (!foreach->is_sequence() && !foreach->is_mapping() && !foreach->is_string()) {
    return Expected(*foreach, Dot(field, "foreach"), "a list, a mapping or a ${...} reference");
  }
  const Member* do_member = def.FindMember("do");
  return CheckStageBody(*body, do_member->key_location, Dot(field, "do"), /*allow_matrix=*/false);
}

Status CheckTopPlot(const Value& def, std::string_view field) {
  if (def.is_null()) return Status::Ok();
  if (!def.is_mapping()) return Expected(def, field, "a mapping of plot properties, or null");
  for (const Member& m : def.members()) {
    std::string f = Dot(field, m.key);
    const Value& v = m.value;
    if (!IsOneOf(m.key, kTopPlotKeys)) return UnknownKey(m, field, kTopPlotKeys);
    if (m.key == "x") {
      if (v.is_mapping()) {
        for (const Member& c : v.members()) {
          if (!c.value.is_string()) return Expected(c.value, Dot(f, c.key), "a column name");
        }
      } else if (!v.is_string()) {
        return Expected(v, f, "a column name or a {file: column} mapping");
      }
    } else if (m.key == "y") {
      auto column_or_list = [](const Value& c, const std::string& cf) -> Status {
        if (c.is_string()) return Status::Ok();
        if (c.is_sequence()) return CheckStringList(c, cf, "column names");
        return Expected(c, cf, "a column name or a list of them");
      };
      if (v.is_mapping()) {
        for (const Member& c : v.members()) {
          CAIRN_RETURN_IF_ERROR(column_or_list(c.value, Dot(f, c.key)));
        }
      } else {
        CAIRN_RETURN_IF_ERROR(column_or_list(v, f));
      }
    } else if (!v.is_string()) {
      return Expected(v, f, "a string");
    }
  }
  return Status::Ok();
}

Status CheckTopSchema(const Value& root) {
  for (const Member& m : root.members()) {
    const Value& v = m.value;
    const std::string& f = m.key;
    if (!IsOneOf(m.key, kTopKeys)) return UnknownKey(m, "", kTopKeys);
    if (m.key == "stages") {
      if (!v.is_mapping()) return Expected(v, f, "a mapping of stage names to stages");
      for (const Member& stage : v.members()) {
        if (stage.key.empty() || stage.key.find('@') != std::string::npos) {
          return FieldError(stage.key_location, f,
                            "invalid stage name " + Quoted(stage.key) +
                                " (expected a non-empty name without '@', which DVC keeps for "
                                "foreach and matrix stages)");
        }
        CAIRN_RETURN_IF_ERROR(CheckStageSchema(stage, Dot(f, stage.key)));
      }
    } else if (m.key == "vars") {
      CAIRN_RETURN_IF_ERROR(CheckVarsList(v, f));
    } else if (m.key == "params") {
      CAIRN_RETURN_IF_ERROR(CheckStringList(v, f, "params files"));
    } else if (m.key == "metrics") {
      CAIRN_RETURN_IF_ERROR(CheckStringList(v, f, "metrics files"));
    } else if (m.key == "plots") {
      if (!v.is_sequence()) return Expected(v, f, "a list of paths and {id: properties} mappings");
      for (size_t i = 0; i < v.items().size(); ++i) {
        const Value& item = v.items()[i];
        if (item.is_string()) continue;
        if (!item.is_mapping() || item.members().empty()) {
          return Expected(item, At(f, i), "a path or an {id: properties} mapping");
        }
        for (const Member& p : item.members()) {
          CAIRN_RETURN_IF_ERROR(CheckTopPlot(p.value, Dot(At(f, i), p.key)));
        }
      }
    } else if (m.key == "artifacts") {
      if (!v.is_mapping()) return Expected(v, f, "a mapping of artifact names to artifacts");
      for (const Member& a : v.members()) {
        std::string af = Dot(f, a.key);
        if (!a.value.is_mapping()) return Expected(a.value, af, "a mapping with 'path'");
        for (const Member& k : a.value.members()) {
          std::string kf = Dot(af, k.key);
          if (!IsOneOf(k.key, kArtifactKeys)) return UnknownKey(k, af, kArtifactKeys);
          if (k.key == "labels") {
            CAIRN_RETURN_IF_ERROR(CheckStringList(k.value, kf, "labels"));
          } else if (k.key != "meta" && !k.value.is_string()) {
            return Expected(k.value, kf, "a string");
          }
        }
        if (a.value.Find("path") == nullptr) {
          return FieldError(a.key_location, af, "missing 'path' (every artifact needs one)");
        }
      }
    } else if (m.key == "datasets") {
      if (!v.is_sequence()) return Expected(v, f, "a list of datasets");
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (!v.items()[i].is_mapping()) return Expected(v.items()[i], At(f, i), "a mapping");
      }
    }
  }
  return Status::Ok();
}

// --- Python's str() and friends, for interpolating into strings ---

std::string PyNumber(const Value& v) {
  if (v.IsInteger()) {
    if (std::optional<int64_t> i = v.AsInt64()) return std::to_string(*i);
    return core::ToJson(v);  // beyond 64 bits: the exact canonical decimal
  }
  return core::FormatPythonFloat(v.AsDouble());
}

std::string PyStrRepr(std::string_view s) {
  char quote = (s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos)
                   ? '"'
                   : '\'';
  std::string out(1, quote);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\' || c == quote) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

// shlex.quote.
std::string ShellQuote(std::string_view s) {
  if (s.empty()) return "''";
  bool safe = std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  });
  if (safe) return std::string(s);
  return "'" + core::ReplaceAll(s, "'", "'\"'\"'") + "'";
}

// --- The template context (DVC's Context: a tree of nodes that know where they came from) ---

struct Meta {
  std::string source;  // a file path, "vars[0]", "train.vars[1]"; empty for literals
  std::string path;    // the dotted path within the source
  bool local = true;   // false for values read from a file: those are tracked
};

Meta ChildMeta(const Meta& m, std::string_view part) {
  Meta c = m;
  c.path = m.path.empty() ? std::string(part) : m.path + "." + std::string(part);
  return c;
}

/// A value of the context, or one being resolved. Mappings and sequences hold Vars, so every
/// node keeps its Meta (a list element from params.yaml is "params.yaml" / "models.0").
struct Var {
  ValueKind kind = ValueKind::kNull;
  Value scalar;                         // kind is a scalar kind
  std::vector<Var> children;            // sequence items, or mapping values
  std::vector<std::string> keys;        // mapping keys, parallel to children
  std::vector<Location> key_locations;  // mapping keys' locations
  Location location;
  Meta meta;
  /// A node of the context (DVC's Node), as opposed to a literal of the dvc.yaml: the
  /// difference shows in names generated from booleans (str(True) vs. "true").
  bool node = false;

  bool is_mapping() const { return kind == ValueKind::kMapping; }
  bool is_sequence() const { return kind == ValueKind::kSequence; }
  bool is_scalar() const { return kind <= ValueKind::kString; }
  bool is_container() const { return is_mapping() || is_sequence(); }

  const Var* Find(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == key) return &children[i];
    }
    return nullptr;
  }
  Var* Find(std::string_view key) {
    return const_cast<Var*>(static_cast<const Var*>(this)->Find(key));
  }
  void Set(std::string key, Var value, Location key_location = {}) {
    if (Var* existing = Find(key)) {
      *existing = std::move(value);
      return;
    }
    keys.push_back(std::move(key));
    key_locations.push_back(std::move(key_location));
    children.push_back(std::move(value));
  }
};

Var MakeMapping(Meta meta = {}) {
  Var v;
  v.kind = ValueKind::kMapping;
  v.meta = std::move(meta);
  v.node = true;
  return v;
}

Var FromValue(const Value& v, const Meta& meta, bool node) {
  Var out;
  out.kind = v.kind();
  out.location = v.location();
  out.meta = meta;
  out.node = node;
  if (v.is_sequence()) {
    for (size_t i = 0; i < v.items().size(); ++i) {
      out.children.push_back(FromValue(v.items()[i], ChildMeta(meta, std::to_string(i)), node));
    }
  } else if (v.is_mapping()) {
    for (const Member& m : v.members()) {
      out.keys.push_back(m.key);
      out.key_locations.push_back(m.key_location);
      out.children.push_back(FromValue(m.value, ChildMeta(meta, m.key), node));
    }
  } else {
    out.scalar = v;
  }
  return out;
}

Value ToValue(const Var& v) {
  Value out;
  if (v.is_sequence()) {
    out = Value::Sequence();
    for (const Var& c : v.children) out.Append(ToValue(c));
  } else if (v.is_mapping()) {
    out = Value::Mapping();
    for (size_t i = 0; i < v.children.size(); ++i) {
      out.AppendMember(v.keys[i], ToValue(v.children[i]), v.key_locations[i]);
    }
  } else {
    out = v.scalar;
  }
  out.set_location(v.location);
  return out;
}

/// str() of a scalar as DVC's to_str() writes it into a string: booleans true/false, null
/// None, floats in repr form. For a context node (generated names), str(node): True/False.
std::string ScalarStr(const Var& v, bool python_bool) {
  switch (v.kind) {
    case ValueKind::kString:
      return v.scalar.AsString();
    case ValueKind::kBool:
      if (python_bool) return v.scalar.AsBool() ? "True" : "False";
      return v.scalar.AsBool() ? "true" : "false";
    case ValueKind::kNull:
      return "None";
    case ValueKind::kNumber:
      return PyNumber(v.scalar);
    default:
      return "";
  }
}

/// Python's repr() (list and dict elements inside str()).
std::string PyRepr(const Var& v) {
  switch (v.kind) {
    case ValueKind::kString:
      return PyStrRepr(v.scalar.AsString());
    case ValueKind::kSequence: {
      std::string out = "[";
      for (size_t i = 0; i < v.children.size(); ++i) {
        out += (i ? ", " : "") + PyRepr(v.children[i]);
      }
      return out + "]";
    }
    case ValueKind::kMapping: {
      std::string out = "{";
      for (size_t i = 0; i < v.children.size(); ++i) {
        out += (i ? ", " : "") + PyStrRepr(v.keys[i]) + ": " + PyRepr(v.children[i]);
      }
      return out + "}";
    }
    default:
      return ScalarStr(v, /*python_bool=*/true);
  }
}

// flatten_dict.flatten(reducer="dot"): nested non-empty mappings walked, empty ones dropped.
Status FlattenArgs(const Var& v, const std::string& prefix,
                   std::vector<std::pair<std::string, const Var*>>* out) {
  for (size_t i = 0; i < v.children.size(); ++i) {
    std::string name = prefix.empty() ? v.keys[i] : prefix + "." + v.keys[i];
    const Var& c = v.children[i];
    if (c.is_mapping()) {
      CAIRN_RETURN_IF_ERROR(FlattenArgs(c, name, out));
      continue;
    }
    for (const auto& [seen, unused] : *out) {
      if (seen == name) {
        return Status::InvalidArgument("cannot unpack the mapping: " + Quoted(name) +
                                       " is written twice");
      }
    }
    out->emplace_back(std::move(name), &c);
  }
  return Status::Ok();
}

/// DVC's to_str() of a mapping (dict unpacking in `cmd`): `--key value` arguments.
Result<std::string> MappingArgs(const Var& v, const ParsingConfig& config) {
  std::vector<std::pair<std::string, const Var*>> leaves;
  CAIRN_RETURN_IF_ERROR(FlattenArgs(v, "", &leaves));
  std::string out;
  for (const auto& [k, leaf] : leaves) {
    if (leaf->kind == ValueKind::kBool) {
      if (leaf->scalar.AsBool()) {
        out += "--" + k + " ";
      } else if (config.bool_optional) {
        out += "--no-" + k + " ";
      }
    } else if (leaf->kind == ValueKind::kString) {
      out += "--" + k + " " + ShellQuote(leaf->scalar.AsString()) + " ";
    } else if (leaf->is_sequence()) {
      for (size_t n = 0; n < leaf->children.size(); ++n) {
        const Var& item = leaf->children[n];
        std::string text;
        if (item.kind == ValueKind::kString) {
          text = ShellQuote(item.scalar.AsString());
        } else if (item.is_container()) {
          return Status::InvalidArgument("cannot interpolate nested iterable in " + Quoted(k) +
                                         " (expected a list of scalars)");
        } else {
          text = ScalarStr(item, /*python_bool=*/true);  // f"{i}": True, None
        }
        if (config.list_append || n == 0) {
          out += "--" + k + " " + text + " ";
        } else {
          out += text + " ";
        }
      }
    } else {
      out += "--" + k + " " + ScalarStr(*leaf, /*python_bool=*/true) + " ";
    }
  }
  return std::string(core::TrimRight(out));
}

// --- ${...} ---

struct Match {
  size_t begin;  // of "${"
  size_t end;    // past "}"
  std::string_view inner;
};

// DVC's KEYCRE: (?<!\\)\$\{(?P<inner>.*?)\} without DOTALL.
std::vector<Match> FindMatches(std::string_view s) {
  std::vector<Match> out;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] != '$' || s[i + 1] != '{' || (i > 0 && s[i - 1] == '\\')) continue;
    size_t j = i + 2;
    while (j < s.size() && s[j] != '}' && s[j] != '\n') ++j;
    if (j < s.size() && s[j] == '}') {
      out.push_back(Match{i, j + 1, s.substr(i + 2, j - i - 2)});
      i = j;
    }
  }
  return out;
}

bool HasInterpolation(std::string_view s) { return !FindMatches(s).empty(); }

/// DVC's expression grammar: name ('.' name | '[' name ']')*, a name being any characters but
/// ".[]". The parts come back as written (spaces are trimmed when they are looked up).
Result<std::vector<std::string>> ParseExpression(std::string_view inner) {
  auto fail = [&](std::string_view why) {
    return Status::InvalidArgument("invalid expression '${" + std::string(inner) +
                                   "}': " + std::string(why));
  };
  std::vector<std::string> parts;
  size_t p = 0;
  auto word = [&]() -> std::optional<std::string> {
    size_t b = p;
    while (p < inner.size() && inner[p] != '.' && inner[p] != '[' && inner[p] != ']') ++p;
    if (p == b) return std::nullopt;
    return std::string(inner.substr(b, p - b));
  };
  std::optional<std::string> first = word();
  if (!first) return fail("expected a name at the start");
  parts.push_back(std::move(*first));
  bool after_bracket = false;
  while (p < inner.size()) {
    char c = inner[p];
    if (c == '.') {
      ++p;
      std::optional<std::string> w = word();
      if (!w) return fail("expected a name after '.'");
      parts.push_back(std::move(*w));
      after_bracket = false;
    } else if (c == '[') {
      ++p;
      std::optional<std::string> w = word();
      if (!w) return fail("expected an index or a key after '['");
      if (p >= inner.size() || inner[p] != ']') return fail("expected ']'");
      ++p;
      parts.push_back(std::move(*w));
      after_bracket = true;
    } else if (after_bracket && core::Trim(inner.substr(p)).empty()) {
      break;  // trailing spaces after ']' (pyparsing skips them)
    } else {
      return fail(after_bracket ? "expected '.' or '[' after ']'" : "unexpected ']'");
    }
  }
  return parts;
}

std::string JoinParts(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += '.';
    out += core::Trim(p);
  }
  return out;
}

// Python's int() of an index: optional sign, decimal digits.
std::optional<int64_t> PyIndex(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string_view digits = (s[0] == '+' || s[0] == '-') ? s.substr(1) : s;
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return core::ParseInt64(s[0] == '+' ? s.substr(1) : s);
}

struct Context {
  Var root = MakeMapping();
  /// Files loaded, by repository path: nullopt when whole, else the top-level keys loaded.
  std::map<std::string, std::optional<std::vector<std::string>>> imports;
  /// Keys `vars` may not define (item, key while a foreach/matrix stage is generated).
  std::vector<std::string> reserved;

  Result<const Var*> Select(const std::vector<std::string>& parts) const {
    const std::string full = JoinParts(parts);
    const Var* cur = &root;
    std::string walked;
    for (const std::string& raw : parts) {
      std::string_view key = core::Trim(raw);
      const Var* next = nullptr;
      if (cur->is_mapping()) {
        next = cur->Find(key);
        if (next == nullptr) {
          if (walked.empty()) return Status::InvalidArgument("could not find " + Quoted(full));
          return Status::InvalidArgument("could not find " + Quoted(full) + ": " + Quoted(walked) +
                                         " has no key " + Quoted(key));
        }
      } else if (cur->is_sequence()) {
        std::optional<int64_t> index = PyIndex(key);
        auto size = static_cast<int64_t>(cur->children.size());
        if (!index) {
          return Status::InvalidArgument("could not find " + Quoted(full) + ": " + Quoted(walked) +
                                         " is a list (expected an integer index, got " +
                                         Quoted(key) + ")");
        }
        int64_t i = *index < 0 ? *index + size : *index;
        if (i < 0 || i >= size) {
          return Status::InvalidArgument("could not find " + Quoted(full) + ": index " +
                                         std::string(key) + " is out of range for " +
                                         Quoted(walked) + " (" + std::to_string(size) + " items)");
        }
        next = &cur->children[static_cast<size_t>(i)];
      } else {
        return Status::InvalidArgument("could not find " + Quoted(full) + ": " + Quoted(walked) +
                                       " is " + Phrase(cur->kind) + ", not a mapping or a list");
      }
      walked = walked.empty() ? std::string(key) : walked + "." + std::string(key);
      cur = next;
    }
    return cur;
  }

  // DVC's Context.merge_update (without overwrite): reserved keys first, then _merge.
  Status MergeUpdate(const Var& update, std::string_view item_for_message) {
    std::vector<std::string> hits;
    for (const std::string& r : reserved) {
      if (update.Find(r) != nullptr) hits.push_back(Quoted(r));
    }
    if (!hits.empty()) {
      std::string what = "attempted to modify reserved key";
      what += hits.size() > 1 ? "s " : " ";
      what += core::Join(hits, " and ");
      if (!item_for_message.empty()) what += " in " + Quoted(item_for_message);
      return Status::InvalidArgument(what);
    }
    return Merge(&root, update);
  }

  static Status Merge(Var* into, const Var& update) {
    for (size_t i = 0; i < update.children.size(); ++i) {
      const std::string& key = update.keys[i];
      const Var& val = update.children[i];
      Var* existing = into->Find(key);
      if (existing != nullptr && existing->is_mapping() && val.is_mapping()) {
        CAIRN_RETURN_IF_ERROR(Merge(existing, val));
        continue;
      }
      if (existing != nullptr) {
        return Status::InvalidArgument("cannot redefine " + Quoted(val.meta.path) + " from " +
                                       Quoted(val.meta.source) + " as it already exists in " +
                                       Quoted(existing->meta.source));
      }
      into->Set(key, val, update.key_locations[i]);
    }
    return Status::Ok();
  }
};

/// How one value is resolved.
struct ResolveOptions {
  /// The stage key being resolved, for DVC's validate_value (only scalars, and mappings in
  /// cmd); empty: any value may be interpolated (foreach, matrix, top-level lists).
  std::string_view stage_key;
  /// Where values taken from files are recorded; null: not tracked.
  std::vector<InterpolatedParam>* tracked = nullptr;
  const ParsingConfig* parsing = nullptr;
};

void Track(const Var& v, const ResolveOptions& opt) {
  // DVC's _track_data: nodes read from a file; a mapping has no sources.
  if (opt.tracked == nullptr || v.meta.local || v.meta.source.empty() || v.is_mapping()) return;
  for (InterpolatedParam& p : *opt.tracked) {
    if (p.file == v.meta.source && p.name == v.meta.path) {
      p.value = ToValue(v);
      return;
    }
  }
  opt.tracked->push_back(InterpolatedParam{v.meta.source, v.meta.path, ToValue(v)});
}

Status Validate(const Var& v, std::string_view expr, const ResolveOptions& opt) {
  if (opt.stage_key.empty() || v.is_scalar()) return Status::Ok();
  if (v.is_mapping() && opt.stage_key == "cmd") return Status::Ok();
  std::string what = "cannot interpolate " + Quoted(expr) + ", " + Phrase(v.kind) +
                     " (expected a string, a number, a boolean or null";
  what +=
      opt.stage_key == "cmd" ? "; or in cmd a mapping, unpacked as --key value arguments)" : ")";
  return Status::InvalidArgument(what);
}

/// Checks the syntax of every ${...} in `v` (values and keys), as DVC does for a whole stage
/// before resolving it.
Status CheckSyntax(const Value& v, const std::string& field) {
  auto check = [&](std::string_view s, const Location& loc) -> Status {
    for (const Match& m : FindMatches(s)) {
      Result<std::vector<std::string>> parts = ParseExpression(m.inner);
      if (!parts.ok()) return FieldError(loc, field, parts.status().message());
    }
    return Status::Ok();
  };
  if (v.is_string()) return check(v.AsString(), v.location());
  if (v.is_sequence()) {
    for (size_t i = 0; i < v.items().size(); ++i) {
      CAIRN_RETURN_IF_ERROR(CheckSyntax(v.items()[i], At(field, i)));
    }
  } else if (v.is_mapping()) {
    for (const Member& m : v.members()) {
      CAIRN_RETURN_IF_ERROR(check(m.key, m.key_location));
      CAIRN_RETURN_IF_ERROR(CheckSyntax(m.value, Dot(field, m.key)));
    }
  }
  return Status::Ok();
}

/// DVC's check_interpolations: `vars` may not use ${...} (keys included).
Status CheckNoInterpolation(const Value& v, const std::string& field) {
  if (v.is_string() && HasInterpolation(v.AsString())) {
    return FieldError(v.location(), field, "interpolating is not allowed in 'vars'");
  }
  if (v.is_sequence()) {
    for (size_t i = 0; i < v.items().size(); ++i) {
      CAIRN_RETURN_IF_ERROR(CheckNoInterpolation(v.items()[i], At(field, i)));
    }
  } else if (v.is_mapping()) {
    for (const Member& m : v.members()) {
      if (HasInterpolation(m.key)) {
        return FieldError(m.key_location, field, "interpolating is not allowed in 'vars'");
      }
      CAIRN_RETURN_IF_ERROR(CheckNoInterpolation(m.value, Dot(field, m.key)));
    }
  }
  return Status::Ok();
}

Result<Var> ResolveVar(const Value& t, const Context& ctx, const ResolveOptions& opt,
                       const std::string& field);

Result<Var> ResolveString(const Value& t, const Context& ctx, const ResolveOptions& opt,
                          const std::string& field) {
  const std::string& text = t.AsString();
  std::vector<Match> matches = FindMatches(text);
  auto lookup = [&](const Match& m) -> Result<const Var*> {
    Result<std::vector<std::string>> parts = ParseExpression(m.inner);
    if (!parts.ok()) return FieldError(t.location(), field, parts.status().message());
    Result<const Var*> v = ctx.Select(*parts);
    if (!v.ok()) return FieldError(t.location(), field, v.status().message());
    Status valid = Validate(**v, JoinParts(*parts), opt);
    if (!valid.ok()) return FieldError(t.location(), field, valid.message());
    Track(**v, opt);
    return *v;
  };
  if (matches.size() == 1 && matches[0].begin == 0 && matches[0].end == text.size()) {
    // The whole string is one ${...}: the value itself, type kept.
    CAIRN_ASSIGN_OR_RETURN(const Var* v, lookup(matches[0]));
    Var out = *v;
    out.location = t.location();
    return out;
  }
  Var out;
  out.kind = ValueKind::kString;
  out.location = t.location();
  if (matches.empty()) {
    if (text.find("\\${") == std::string::npos) {
      out.scalar = t;
      return out;
    }
    out.scalar = Value::String(core::ReplaceAll(text, "\\${", "${"));
    out.scalar.set_location(t.location());
    return out;
  }
  std::string buf;
  size_t index = 0;
  for (const Match& m : matches) {
    CAIRN_ASSIGN_OR_RETURN(const Var* v, lookup(m));
    buf.append(text, index, m.begin - index);
    if (v->is_mapping()) {
      Result<std::string> args = MappingArgs(*v, *opt.parsing);
      if (!args.ok()) return FieldError(t.location(), field, args.status().message());
      buf += *args;
    } else if (v->is_sequence()) {
      buf += PyRepr(*v);
    } else {
      buf += ScalarStr(*v, /*python_bool=*/false);
    }
    index = m.end;
  }
  buf.append(text, index, std::string::npos);
  out.scalar = Value::String(core::ReplaceAll(buf, "\\${", "${"));
  out.scalar.set_location(t.location());
  return out;
}

Result<Var> ResolveVar(const Value& t, const Context& ctx, const ResolveOptions& opt,
                       const std::string& field) {
  if (t.is_string()) return ResolveString(t, ctx, opt, field);
  Var out;
  out.kind = t.kind();
  out.location = t.location();
  if (t.is_sequence()) {
    for (size_t i = 0; i < t.items().size(); ++i) {
      CAIRN_ASSIGN_OR_RETURN(Var item, ResolveVar(t.items()[i], ctx, opt, At(field, i)));
      out.children.push_back(std::move(item));
    }
  } else if (t.is_mapping()) {
    for (const Member& m : t.members()) {
      // Keys are resolved too (DVC's recurse); a key must stay a scalar.
      Value key_template = Value::String(m.key);
      key_template.set_location(m.key_location);
      CAIRN_ASSIGN_OR_RETURN(Var key, ResolveString(key_template, ctx, opt, field));
      if (!key.is_scalar()) {
        return FieldError(m.key_location, field,
                          "a mapping key must be a scalar, got " + Phrase(key.kind));
      }
      std::string key_text = ScalarStr(key, /*python_bool=*/false);
      CAIRN_ASSIGN_OR_RETURN(Var value, ResolveVar(m.value, ctx, opt, Dot(field, key_text)));
      out.Set(std::move(key_text), std::move(value), m.key_location);
    }
  } else {
    out.scalar = t;
  }
  return out;
}

// --- Paths ---

/// Joins `path` (as written) to `base` (a normalized repository-relative directory) and checks
/// it stays inside the repository. `relative_to` completes "expected a path relative to ...".
Result<std::string> RepoPath(std::string_view path, std::string_view base, const Location& loc,
                             std::string_view field, std::string_view relative_to) {
  if (path.empty()) return FieldError(loc, field, "expected a path, got an empty string");
  if (path.find("://") != std::string_view::npos) {
    return FieldError(loc, field,
                      Quoted(path) +
                          " is a URL: external dependencies and outputs are not "
                          "supported (expected a path inside the repository)");
  }
  if (core::IsAbsolutePath(path)) {
    return FieldError(loc, field,
                      Quoted(path) + " is an absolute path (expected a path relative to " +
                          std::string(relative_to) + ")");
  }
  std::string repo = core::NormalizePath(core::JoinPath(base == "." ? "" : base, path));
  if (repo == ".." || repo.rfind("../", 0) == 0) {
    return FieldError(loc, field, Quoted(path) + " is outside the repository");
  }
  return repo;
}

// --- Resolving stages ---

struct ResolvedStage {
  std::string name;
  std::string group;
  Location location;
  Value definition;  // the stage's keys, resolved (without `vars`)
  std::string repo_wdir;
  std::vector<InterpolatedParam> tracked;
};

class Resolver {
 public:
  Resolver(std::string_view filename, const PipelineContext& pctx)
      : filename_(filename), pctx_(pctx) {}

  Result<PipelineFile> Run(std::string_view text);

 private:
  Result<std::optional<std::string>> ReadFile(const std::string& repo_path) const;
  /// DVC's Context.merge_from. `optional`: a missing file is skipped (the default params.yaml).
  Status MergeFrom(Context* ctx, std::string_view item, std::string_view wdir,
                   bool optional = false) const;
  Status LoadVars(Context* ctx, const Value& vars, std::string_view wdir, std::string_view stage,
                  const std::string& field) const;

  Status ResolveEntry(const Context& global, const Member& entry, std::vector<ResolvedStage>* out);
  Status ResolveForeach(const Context& global, const Member& entry,
                        std::vector<ResolvedStage>* out);
  Status ResolveMatrix(const Context& global, const Member& entry, std::vector<ResolvedStage>* out);
  /// DVC's EntryDefinition.resolve_stage: `definition` resolved as stage `name` in `ctx`.
  Result<ResolvedStage> ResolveStage(const Context& ctx, const std::string& name,
                                     const Value& definition, const Location& location,
                                     std::string_view group) const;
  void WarnIfOverwriting(const Context& ctx, const std::vector<std::string>& keys,
                         const Location& loc, std::string_view name);

  Result<PipelineStage> BuildStage(ResolvedStage resolved) const;
  Status BuildOutputs(const Value& list, OutputKind kind, const std::string& field,
                      PipelineStage* stage) const;
  Status BuildTopLevel(const Value& root, const Context& global, PipelineFile* file) const;

  std::string filename_;
  const PipelineContext& pctx_;
  std::string dir_;  // normalized repository-relative directory of the file ("." for the root)
  std::vector<std::string> warnings_;
};

Result<std::optional<std::string>> Resolver::ReadFile(const std::string& repo_path) const {
  if (!pctx_.read_file) return std::optional<std::string>();
  Result<std::string> text = pctx_.read_file(repo_path);
  if (text.ok()) return std::optional<std::string>(std::move(*text));
  if (text.status().IsNotFound()) return std::optional<std::string>();
  return text.status();
}

// DVC's Context.merge_from: `item` is "file" or "file:key1,key2", relative to `wdir`.
Status Resolver::MergeFrom(Context* ctx, std::string_view item, std::string_view wdir,
                           bool optional) const {
  size_t colon = item.find(':');
  std::string_view file = item.substr(0, colon);
  std::optional<std::vector<std::string>> keys;
  if (colon != std::string_view::npos && colon + 1 < item.size()) {
    keys.emplace();
    for (std::string_view k : core::Split(item.substr(colon + 1), ',')) {
      if (!k.empty()) keys->emplace_back(k);
    }
    if (keys->empty()) keys.reset();
  }
  Result<std::string> path = RepoPath(file, wdir, Location(), "", "the file's directory");
  if (!path.ok()) return path.status();
  auto imported = ctx->imports.find(*path);
  if (imported != ctx->imports.end()) {
    if (!keys && !imported->second) return Status::Ok();  // a whole file, loaded again
    // DVC's check_loaded.
    if (!keys) {
      return Status::InvalidArgument("cannot load " + Quoted(item) +
                                     " as it's partially loaded already");
    }
    if (!imported->second) {
      return Status::InvalidArgument("cannot partially load " + Quoted(item) +
                                     " as it's already loaded");
    }
    for (const std::string& k : *keys) {
      if (std::find(imported->second->begin(), imported->second->end(), k) !=
          imported->second->end()) {
        return Status::InvalidArgument("cannot load " + Quoted(item) +
                                       " as it's partially loaded already");
      }
    }
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadFile(*path));
  if (!text && optional) return Status::Ok();
  if (!text) return Status::InvalidArgument(Quoted(*path) + " does not exist");
  CAIRN_ASSIGN_OR_RETURN(Value data, ParseParams(*text, *path));
  if (keys) {
    Value selected = Value::Mapping();
    selected.set_location(data.location());
    for (const std::string& k : *keys) {
      const Member* m = data.FindMember(k);
      if (m == nullptr) {
        return Status::InvalidArgument("could not find " + Quoted(k) + " in " + Quoted(*path));
      }
      selected.Set(k, m->value);
    }
    data = std::move(selected);
  }
  Var loaded = FromValue(data, Meta{*path, "", /*local=*/false}, /*node=*/true);
  CAIRN_RETURN_IF_ERROR(ctx->MergeUpdate(loaded, item));
  if (imported == ctx->imports.end()) {
    ctx->imports.emplace(*path, keys);
  } else if (keys) {
    imported->second->insert(imported->second->end(), keys->begin(), keys->end());
  }
  return Status::Ok();
}

// DVC's Context.load_from_vars (without the default params.yaml).
Status Resolver::LoadVars(Context* ctx, const Value& vars, std::string_view wdir,
                          std::string_view stage, const std::string& field) const {
  for (size_t i = 0; i < vars.items().size(); ++i) {
    const Value& item = vars.items()[i];
    Status s;
    if (item.is_string()) {
      s = MergeFrom(ctx, item.AsString(), wdir);
    } else {
      std::string source =
          (stage.empty() ? "" : std::string(stage) + ".") + "vars[" + std::to_string(i) + "]";
      s = ctx->MergeUpdate(FromValue(item, Meta{source, "", /*local=*/true}, /*node=*/true), "");
    }
    if (!s.ok()) return WithField(s, item.location(), At(field, i));
  }
  return Status::Ok();
}

void Resolver::WarnIfOverwriting(const Context& ctx, const std::vector<std::string>& keys,
                                 const Location& loc, std::string_view name) {
  std::vector<std::string> present;
  for (const std::string& k : keys) {
    if (ctx.root.Find(k) != nullptr) present.push_back(k);
  }
  if (present.empty()) return;
  warnings_.push_back(loc.ToString() + ": " + core::Join(present, " and ") +
                      (present.size() == 1 ? " is" : " are") +
                      " already specified, will be overwritten for stages generated from " +
                      Quoted(name));
}

Result<ResolvedStage> Resolver::ResolveStage(const Context& base, const std::string& name,
                                             const Value& definition, const Location& location,
                                             std::string_view group) const {
  const std::string field = "stages." + name;
  ResolvedStage out;
  out.name = name;
  out.group = std::string(group);
  out.location = location;
  ResolveOptions untracked;
  untracked.parsing = &pctx_.parsing;

  // wdir first, without the stage's vars (DVC's _resolve_wdir), stringified.
  std::string wdir = ".";
  if (const Value* w = definition.Find("wdir")) {
    CAIRN_ASSIGN_OR_RETURN(Var resolved, ResolveVar(*w, base, untracked, field + ".wdir"));
    if (!resolved.is_scalar()) {
      return FieldError(w->location(), field + ".wdir",
                        "expected a string, got " + Phrase(resolved.kind));
    }
    std::string text = ScalarStr(resolved, /*python_bool=*/false);
    if (!text.empty()) wdir = text;
    Result<std::string> repo =
        RepoPath(wdir, dir_, w->location(), field + ".wdir", "the dvc.yaml's directory");
    if (!repo.ok()) return repo.status();
    out.repo_wdir = *repo;
  } else {
    out.repo_wdir = dir_;
  }

  // The stage's vars, on a copy of the context.
  std::optional<Context> own;
  if (const Value* vars = definition.Find("vars")) {
    CAIRN_RETURN_IF_ERROR(CheckNoInterpolation(*vars, field + ".vars"));
    if (!vars->items().empty()) {
      own.emplace(base);
      CAIRN_RETURN_IF_ERROR(LoadVars(&*own, *vars, out.repo_wdir, name, field + ".vars"));
    }
  }
  const Context& ctx = own ? *own : base;

  Value resolved = Value::Mapping();
  resolved.set_location(definition.location());
  for (const Member& m : definition.members()) {
    if (m.key == "vars") continue;
    ResolveOptions opt;
    opt.stage_key = m.key;
    opt.tracked = &out.tracked;
    opt.parsing = &pctx_.parsing;
    CAIRN_ASSIGN_OR_RETURN(Var v, ResolveVar(m.value, ctx, opt, Dot(field, m.key)));
    resolved.AppendMember(m.key, ToValue(v), m.key_location);
  }
  out.definition = std::move(resolved);
  return out;
}

Status Resolver::ResolveEntry(const Context& global, const Member& entry,
                              std::vector<ResolvedStage>* out) {
  const Value& def = entry.value;
  if (def.Find("foreach") != nullptr) return ResolveForeach(global, entry, out);
  if (def.Find("matrix") != nullptr) return ResolveMatrix(global, entry, out);
  for (const Member& m : def.members()) {
    CAIRN_RETURN_IF_ERROR(CheckSyntax(m.value, "stages." + entry.key + "." + m.key));
  }
  CAIRN_ASSIGN_OR_RETURN(ResolvedStage stage,
                         ResolveStage(global, entry.key, def, entry.key_location, ""));
  out->push_back(std::move(stage));
  return Status::Ok();
}

/// A generated name given twice is refused (DVC would silently keep the last one).
Status CheckGeneratedName(std::map<std::string, size_t>* seen, const std::string& name,
                          size_t index, const Location& loc, const std::string& field) {
  auto [it, inserted] = seen->emplace(name, index);
  if (inserted) return Status::Ok();
  return FieldError(loc, field,
                    "generates the stage name " + Quoted(name) + " twice (items " +
                        std::to_string(it->second) + " and " + std::to_string(index) +
                        "; expected distinct values)");
}

Status Resolver::ResolveForeach(const Context& global, const Member& entry,
                                std::vector<ResolvedStage>* out) {
  const std::string& name = entry.key;
  const std::string field = "stages." + name;
  const Value& foreach = *entry.value.Find("foreach");
  const Value& body = *entry.value.Find("do");
  ResolveOptions untracked;
  untracked.parsing = &pctx_.parsing;
  CAIRN_ASSIGN_OR_RETURN(Var iterable, ResolveVar(foreach, global, untracked, field + ".foreach"));
  if (!iterable.is_container()) {
    return FieldError(foreach.location(), field + ".foreach",
                      "expected a list or a mapping, got " + Phrase(iterable.kind));
  }
  std::vector<std::string> inserted = {"item"};
  if (iterable.is_mapping()) inserted.push_back("key");
  WarnIfOverwriting(global, inserted, foreach.location(), name);
  for (const Member& m : body.members()) {
    CAIRN_RETURN_IF_ERROR(CheckSyntax(m.value, field + "." + m.key));
  }

  // DVC's normalized_iterable: a mapping by its keys; a list by its values, or by the
  // indexes when any element is a list or a mapping.
  std::vector<std::string> suffixes;
  if (iterable.is_mapping()) {
    suffixes = iterable.keys;
  } else {
    bool composite = std::any_of(iterable.children.begin(), iterable.children.end(),
                                 [](const Var& v) { return v.is_container(); });
    for (size_t i = 0; i < iterable.children.size(); ++i) {
      suffixes.push_back(composite ? std::to_string(i)
                                   : ScalarStr(iterable.children[i], iterable.children[i].node));
    }
  }
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < suffixes.size(); ++i) {
    CAIRN_RETURN_IF_ERROR(CheckGeneratedName(&seen, name + "@" + suffixes[i], i, foreach.location(),
                                             field + ".foreach"));
  }

  Context ctx = global;
  ctx.reserved = inserted;
  for (size_t i = 0; i < suffixes.size(); ++i) {
    ctx.root.Set("item", iterable.children[i]);
    if (iterable.is_mapping()) {
      Var key;
      key.kind = ValueKind::kString;
      key.scalar = Value::String(suffixes[i]);
      key.node = true;
      ctx.root.Set("key", std::move(key));
    }
    CAIRN_ASSIGN_OR_RETURN(ResolvedStage stage, ResolveStage(ctx, name + "@" + suffixes[i], body,
                                                             entry.key_location, name));
    out->push_back(std::move(stage));
  }
  return Status::Ok();
}

Status Resolver::ResolveMatrix(const Context& global, const Member& entry,
                               std::vector<ResolvedStage>* out) {
  const std::string& name = entry.key;
  const std::string field = "stages." + name;
  const Value& matrix = *entry.value.Find("matrix");
  ResolveOptions untracked;
  untracked.parsing = &pctx_.parsing;
  CAIRN_ASSIGN_OR_RETURN(Var axes, ResolveVar(matrix, global, untracked, field + ".matrix"));
  if (axes.children.empty()) {
    return FieldError(matrix.location(), field + ".matrix",
                      "expected at least one axis (a mapping of names to lists)");
  }
  for (size_t a = 0; a < axes.children.size(); ++a) {
    if (!axes.children[a].is_sequence()) {
      return FieldError(matrix.members()[a].value.location(), Dot(field + ".matrix", axes.keys[a]),
                        "expected a list, got " + Phrase(axes.children[a].kind));
    }
  }
  WarnIfOverwriting(global, {"key", "item"}, matrix.location(), name);
  Value body = Value::Mapping();
  body.set_location(entry.value.location());
  for (const Member& m : entry.value.members()) {
    if (m.key == "matrix") continue;
    CAIRN_RETURN_IF_ERROR(CheckSyntax(m.value, field + "." + m.key));
    body.AppendMember(m.key, m.value, m.key_location);
  }

  // itertools.product: the first axis outermost.
  struct Combination {
    std::string suffix;
    Var item;
  };
  std::vector<Combination> combinations;
  std::vector<size_t> index(axes.children.size(), 0);
  bool empty = std::any_of(axes.children.begin(), axes.children.end(),
                           [](const Var& v) { return v.children.empty(); });
  while (!empty) {
    Combination c;
    c.item = MakeMapping();
    std::vector<std::string> fragments;
    for (size_t a = 0; a < axes.children.size(); ++a) {
      const Var& v = axes.children[a].children[index[a]];
      fragments.push_back(v.is_container() ? axes.keys[a] + std::to_string(index[a])
                                           : ScalarStr(v, v.node));
      c.item.Set(axes.keys[a], v);
    }
    c.suffix = core::Join(fragments, "-");
    combinations.push_back(std::move(c));
    size_t a = axes.children.size();
    while (a > 0) {
      --a;
      if (++index[a] < axes.children[a].children.size()) break;
      index[a] = 0;
      if (a == 0) empty = true;
    }
  }
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < combinations.size(); ++i) {
    CAIRN_RETURN_IF_ERROR(CheckGeneratedName(&seen, name + "@" + combinations[i].suffix, i,
                                             matrix.location(), field + ".matrix"));
  }

  Context ctx = global;
  ctx.reserved = {"key", "item"};
  for (Combination& c : combinations) {
    Var key;
    key.kind = ValueKind::kString;
    key.scalar = Value::String(c.suffix);
    key.node = true;
    ctx.root.Set("key", std::move(key));
    ctx.root.Set("item", std::move(c.item));
    CAIRN_ASSIGN_OR_RETURN(ResolvedStage stage, ResolveStage(ctx, name + "@" + c.suffix, body,
                                                             entry.key_location, name));
    out->push_back(std::move(stage));
  }
  return Status::Ok();
}

// --- Reading the resolved values ---

Result<std::string> StringOf(const Value& v, const std::string& field) {
  if (!v.is_string()) return Expected(v, field, "a string");
  return v.AsString();
}

Result<std::vector<std::string>> StringsOf(const Value& v, const std::string& field) {
  std::vector<std::string> out;
  for (size_t i = 0; i < v.items().size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(std::string s, StringOf(v.items()[i], At(field, i)));
    out.push_back(std::move(s));
  }
  return out;
}

Status Resolver::BuildOutputs(const Value& list, OutputKind kind, const std::string& field,
                              PipelineStage* stage) const {
  auto add = [&](const std::string& path, const Location& loc, const Value* flags,
                 const std::string& f) -> Status {
    CAIRN_ASSIGN_OR_RETURN(std::string repo,
                           RepoPath(path, stage->repo_wdir, loc, f, "the stage's wdir"));
    if (repo == ".") {
      return FieldError(loc, f,
                        "an output cannot be the repository root (expected a file or a "
                        "directory inside it)");
    }
    if (const PipelineOutput* other = stage->FindOut(repo)) {
      return FieldError(loc, f,
                        "output " + Quoted(path) + " is listed twice in stage " +
                            Quoted(stage->name) + " (also at " + other->location.ToString() +
                            "; expected each output once, in one of outs, metrics, plots)");
    }
    PipelineOutput out;
    out.kind = kind;
    out.path = path;
    out.repo_path = std::move(repo);
    out.location = loc;
    if (flags != nullptr) {
      for (const Member& m : flags->members()) {
        std::string ff = Dot(f, m.key);
        const Value& v = m.value;
        if (m.key == "cache" || m.key == "persist" || m.key == "push" || m.key == "header" ||
            m.key == "checkpoint") {
          if (!v.is_bool()) return Expected(v, ff, "a boolean");
          if (m.key == "cache") out.cache = v.AsBool();
          if (m.key == "persist") out.persist = v.AsBool();
          if (m.key == "push") out.push = v.AsBool();
          if (m.key == "header") out.plot.header = v.AsBool();
        } else if (m.key == "labels") {
          if (!v.is_sequence()) return Expected(v, ff, "a list of labels");
          CAIRN_ASSIGN_OR_RETURN(out.labels, StringsOf(v, ff));
        } else if (m.key == "meta") {
          out.meta = v;
        } else {
          CAIRN_ASSIGN_OR_RETURN(std::string s, StringOf(v, ff));
          if (m.key == "remote") out.remote = s;
          if (m.key == "desc") out.desc = s;
          if (m.key == "type") out.type = s;
          if (m.key == "template") out.plot.template_name = s;
          if (m.key == "x") out.plot.x = s;
          if (m.key == "y") out.plot.y = s;
          if (m.key == "x_label") out.plot.x_label = s;
          if (m.key == "y_label") out.plot.y_label = s;
          if (m.key == "title") out.plot.title = s;
        }
      }
    }
    stage->outs.push_back(std::move(out));
    return Status::Ok();
  };
  for (size_t i = 0; i < list.items().size(); ++i) {
    const Value& item = list.items()[i];
    std::string f = At(field, i);
    if (item.is_string()) {
      CAIRN_RETURN_IF_ERROR(add(item.AsString(), item.location(), nullptr, f));
    } else if (item.is_mapping()) {
      for (const Member& m : item.members()) {
        if (!m.value.is_mapping()) return Expected(m.value, Dot(f, m.key), "a mapping of flags");
        CAIRN_RETURN_IF_ERROR(add(m.key, m.key_location, &m.value, f));
      }
    } else {
      return Expected(item, f, "a path or a {path: flags} mapping");
    }
  }
  return Status::Ok();
}

Result<PipelineStage> Resolver::BuildStage(ResolvedStage resolved) const {
  PipelineStage stage;
  stage.name = resolved.name;
  stage.group = resolved.group;
  stage.location = resolved.location;
  stage.repo_wdir = resolved.repo_wdir;
  stage.interpolated_params = std::move(resolved.tracked);
  const std::string field = "stages." + stage.name;
  const Value& def = resolved.definition;

  const Value& cmd = *def.Find("cmd");
  if (cmd.is_string()) {
    stage.cmd.push_back(cmd.AsString());
  } else if (cmd.is_sequence()) {
    stage.cmd_is_list = true;
    CAIRN_ASSIGN_OR_RETURN(stage.cmd, StringsOf(cmd, field + ".cmd"));
  } else {
    return Expected(cmd, field + ".cmd", "a string or a list of strings");
  }
  if (const Value* w = def.Find("wdir")) {
    std::string text = w->is_string() ? w->AsString() : ScalarStr(FromValue(*w, {}, false), false);
    stage.wdir = core::NormalizePath(text);
  }
  if (const Value* deps = def.Find("deps")) {
    for (size_t i = 0; i < deps->items().size(); ++i) {
      const Value& d = deps->items()[i];
      std::string f = At(field + ".deps", i);
      CAIRN_ASSIGN_OR_RETURN(std::string path, StringOf(d, f));
      CAIRN_ASSIGN_OR_RETURN(std::string repo,
                             RepoPath(path, stage.repo_wdir, d.location(), f, "the stage's wdir"));
      stage.deps.push_back(StagePath{std::move(path), std::move(repo), d.location()});
    }
  }
  if (const Value* params = def.Find("params")) {
    for (size_t i = 0; i < params->items().size(); ++i) {
      const Value& p = params->items()[i];
      std::string f = At(field + ".params", i);
      if (p.is_string()) {
        stage.params.push_back(ParamsItem{"", {p.AsString()}, false});
        stage.params_locations.push_back(p.location());
        continue;
      }
      if (!p.is_mapping()) return Expected(p, f, "a param name or a {file: [names]} mapping");
      for (const Member& m : p.members()) {
        std::string ff = Dot(f, m.key);
        CAIRN_RETURN_IF_ERROR(
            RepoPath(m.key, stage.repo_wdir, m.key_location, f, "the stage's wdir").status());
        ParamsItem item;
        item.file = m.key;
        if (m.value.is_null() || (m.value.is_sequence() && m.value.items().empty())) {
          item.whole_file = true;
        } else if (m.value.is_sequence()) {
          CAIRN_ASSIGN_OR_RETURN(item.keys, StringsOf(m.value, ff));
        } else {
          return Expected(m.value, ff,
                          "a list of param names, or null (or []) for every param of the file");
        }
        stage.params.push_back(std::move(item));
        stage.params_locations.push_back(m.key_location);
      }
    }
  }
  const std::pair<std::string_view, OutputKind> kLists[] = {
      {"outs", OutputKind::kOut}, {"metrics", OutputKind::kMetric}, {"plots", OutputKind::kPlot}};
  for (const auto& [key, kind] : kLists) {
    if (const Value* list = def.Find(key)) {
      CAIRN_RETURN_IF_ERROR(BuildOutputs(*list, kind, Dot(field, key), &stage));
    }
  }
  if (const Value* v = def.Find("frozen")) stage.frozen = v->AsBool();
  if (const Value* v = def.Find("always_changed")) stage.always_changed = v->AsBool();
  if (const Value* v = def.Find("desc")) {
    // An interpolated number stays a number in DVC; a description reads it as text.
    stage.desc = v->is_string() ? v->AsString() : ScalarStr(FromValue(*v, {}, false), false);
  }
  if (const Value* v = def.Find("meta")) stage.meta = *v;
  return stage;
}

Status Resolver::BuildTopLevel(const Value& root, const Context& global, PipelineFile* file) const {
  ResolveOptions opt;  // DVC's TopDefinition: no type check, not tracked
  opt.parsing = &pctx_.parsing;
  auto resolve = [&](const Value& v, const std::string& field) -> Result<Value> {
    CAIRN_RETURN_IF_ERROR(CheckSyntax(v, field));
    CAIRN_ASSIGN_OR_RETURN(Var r, ResolveVar(v, global, opt, field));
    return ToValue(r);
  };
  auto paths = [&](const char* key, std::vector<TopLevelPath>* out) -> Status {
    const Value* list = root.Find(key);
    if (list == nullptr) return Status::Ok();
    for (size_t i = 0; i < list->items().size(); ++i) {
      std::string f = At(key, i);
      CAIRN_ASSIGN_OR_RETURN(Value v, resolve(list->items()[i], f));
      CAIRN_ASSIGN_OR_RETURN(std::string path, StringOf(v, f));
      CAIRN_ASSIGN_OR_RETURN(std::string repo,
                             RepoPath(path, dir_, v.location(), f, "the dvc.yaml's directory"));
      out->push_back(StagePath{std::move(path), std::move(repo), v.location()});
    }
    return Status::Ok();
  };
  CAIRN_RETURN_IF_ERROR(paths("params", &file->params));
  CAIRN_RETURN_IF_ERROR(paths("metrics", &file->metrics));
  if (const Value* plots = root.Find("plots")) {
    for (size_t i = 0; i < plots->items().size(); ++i) {
      std::string f = At("plots", i);
      CAIRN_ASSIGN_OR_RETURN(Value v, resolve(plots->items()[i], f));
      if (v.is_string()) {
        file->plots.push_back(TopLevelPlot{v.AsString(), Value(), v.location()});
        continue;
      }
      if (!v.is_mapping()) return Expected(v, f, "a path or an {id: properties} mapping");
      for (const Member& m : v.members()) {
        file->plots.push_back(TopLevelPlot{m.key, m.value, m.key_location});
      }
    }
  }
  if (const Value* artifacts = root.Find("artifacts")) {
    for (const Member& m : artifacts->members()) {
      std::string f = "artifacts." + m.key;
      Value name_template = Value::String(m.key);
      name_template.set_location(m.key_location);
      CAIRN_ASSIGN_OR_RETURN(Value name, resolve(name_template, f));
      if (!name.is_string()) return Expected(name, f, "a string as the artifact's name");
      CAIRN_ASSIGN_OR_RETURN(Value def, resolve(m.value, f));
      Artifact a;
      a.name = name.AsString();
      a.location = m.key_location;
      for (const Member& k : def.members()) {
        std::string kf = Dot(f, k.key);
        if (k.key == "path") {
          CAIRN_ASSIGN_OR_RETURN(a.path.path, StringOf(k.value, kf));
          a.path.location = k.value.location();
          // Artifacts may name what is not in the workspace: no repo_path then, no error.
          Result<std::string> repo = RepoPath(a.path.path, dir_, a.path.location, kf, "");
          if (repo.ok()) a.path.repo_path = *repo;
        } else if (k.key == "labels") {
          CAIRN_ASSIGN_OR_RETURN(a.labels, StringsOf(k.value, kf));
        } else if (k.key == "meta") {
          a.meta = k.value;
        } else {
          CAIRN_ASSIGN_OR_RETURN(std::string s, StringOf(k.value, kf));
          (k.key == "desc" ? a.desc : a.type) = s;
        }
      }
      file->artifacts.push_back(std::move(a));
    }
  }
  if (const Value* datasets = root.Find("datasets")) {
    for (size_t i = 0; i < datasets->items().size(); ++i) {
      CAIRN_ASSIGN_OR_RETURN(Value v, resolve(datasets->items()[i], At("datasets", i)));
      file->datasets.push_back(std::move(v));
    }
  }
  return Status::Ok();
}

Result<PipelineFile> Resolver::Run(std::string_view text) {
  if (core::IsAbsolutePath(pctx_.dir)) {
    return Status::InvalidArgument("pipeline context: dir must be repository-relative, got '" +
                                   pctx_.dir + "'");
  }
  dir_ = core::NormalizePath(pctx_.dir);
  if (dir_ == ".." || dir_.rfind("../", 0) == 0) {
    return Status::InvalidArgument("pipeline context: dir '" + pctx_.dir +
                                   "' is outside the repository");
  }
  CAIRN_ASSIGN_OR_RETURN(Value loaded, core::ParseYaml(text, filename_));
  CAIRN_ASSIGN_OR_RETURN(Value root, ApplyMergeKeys(loaded));
  PipelineFile file;
  if (root.is_null()) return file;
  if (!root.is_mapping()) return Expected(root, "", "a mapping at the top level");
  CAIRN_RETURN_IF_ERROR(CheckTopSchema(root));

  // The file's context: its directory's params.yaml, then `vars`.
  Context global;
  const Value* vars = root.Find("vars");
  if (vars != nullptr) CAIRN_RETURN_IF_ERROR(CheckNoInterpolation(*vars, "vars"));
  CAIRN_RETURN_IF_ERROR(MergeFrom(&global, kDefaultParamsFile, dir_, /*optional=*/true));
  if (vars != nullptr) CAIRN_RETURN_IF_ERROR(LoadVars(&global, *vars, dir_, "", "vars"));

  if (const Value* stages = root.Find("stages")) {
    std::set<std::string> names;
    for (const Member& entry : stages->members()) {
      std::vector<ResolvedStage> resolved;
      CAIRN_RETURN_IF_ERROR(ResolveEntry(global, entry, &resolved));
      for (ResolvedStage& r : resolved) {
        if (!names.insert(r.name).second) {
          return FieldError(r.location, "stages",
                            "duplicate stage name " + Quoted(r.name) + " (expected unique names)");
        }
        CAIRN_ASSIGN_OR_RETURN(PipelineStage stage, BuildStage(std::move(r)));
        file.stages.push_back(std::move(stage));
      }
    }
  }
  CAIRN_RETURN_IF_ERROR(BuildTopLevel(root, global, &file));
  file.warnings = std::move(warnings_);
  return file;
}

}  // namespace

PipelineContext PipelineContextFromEnv(sys::Env& env, std::string_view repo_root,
                                       std::string_view dir) {
  PipelineContext ctx;
  ctx.dir = std::string(dir);
  ctx.read_file =
      [&env, root = std::string(repo_root)](std::string_view repo_path) -> Result<std::string> {
    std::string full = core::JoinPath(root, repo_path);
    if (env.IsDirectory(full)) {
      return Status::InvalidArgument(Quoted(repo_path) + " is a directory (expected a file)");
    }
    return env.ReadFile(full);
  };
  return ctx;
}

std::string_view OutputKindName(OutputKind kind) {
  switch (kind) {
    case OutputKind::kOut:
      return "outs";
    case OutputKind::kMetric:
      return "metrics";
    case OutputKind::kPlot:
      return "plots";
  }
  return "outs";
}

Value PipelineStage::CmdValue() const {
  if (!cmd_is_list) return Value::String(cmd.empty() ? std::string() : cmd.front());
  Value out = Value::Sequence();
  for (const std::string& c : cmd) out.Append(Value::String(c));
  return out;
}

const PipelineOutput* PipelineStage::FindOut(std::string_view repo_path) const {
  for (const PipelineOutput& o : outs) {
    if (o.repo_path == repo_path) return &o;
  }
  return nullptr;
}

const PipelineStage* PipelineFile::FindStage(std::string_view name) const {
  for (const PipelineStage& s : stages) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Result<PipelineFile> ParsePipelineFile(std::string_view text, std::string_view filename,
                                       const PipelineContext& ctx) {
  Resolver resolver(filename, ctx);
  return resolver.Run(text);
}

std::string StageAddress(std::string_view dvcyaml_path, std::string_view name) {
  if (core::NormalizePath(dvcyaml_path) == "dvc.yaml") return std::string(name);
  return std::string(dvcyaml_path) + ":" + std::string(name);
}

std::vector<OutputClaim> OutputClaims(const PipelineFile& file, std::string_view dvcyaml_path) {
  std::vector<OutputClaim> out;
  for (const PipelineStage& s : file.stages) {
    for (const PipelineOutput& o : s.outs) {
      out.push_back(OutputClaim{o.repo_path, StageAddress(dvcyaml_path, s.name), o.location});
    }
  }
  return out;
}

Status CheckOutputConflicts(const std::vector<OutputClaim>& claims) {
  std::map<std::string, const OutputClaim*> seen;
  auto overlap = [](const OutputClaim& outer, const OutputClaim& inner, const OutputClaim& at) {
    return at.location.Error("output " + Quoted(inner.repo_path) + " (of " + Quoted(inner.owner) +
                             ") is inside output " + Quoted(outer.repo_path) + " (of " +
                             Quoted(outer.owner) +
                             "): outputs must not overlap (expected separate directories, or "
                             "one output for the whole directory)");
  };
  for (const OutputClaim& c : claims) {
    if (auto it = seen.find(c.repo_path); it != seen.end()) {
      const OutputClaim& first = *it->second;
      if (first.owner == c.owner) {
        return c.location.Error("output " + Quoted(c.repo_path) + " is specified twice in " +
                                Quoted(c.owner) + " (also at " + first.location.ToString() + ")");
      }
      return c.location.Error("output " + Quoted(c.repo_path) + " is specified in:\n\t- " +
                              first.owner + "\n\t- " + c.owner);
    }
    // A claimed directory above this path...
    std::string_view path = c.repo_path;
    for (size_t slash = path.find('/'); slash != std::string_view::npos;
         slash = path.find('/', slash + 1)) {
      if (auto it = seen.find(std::string(path.substr(0, slash))); it != seen.end()) {
        return overlap(*it->second, c, c);
      }
    }
    // ...or a claimed path below it.
    std::string prefix = c.repo_path + "/";
    if (auto it = seen.lower_bound(prefix);
        it != seen.end() && it->first.compare(0, prefix.size(), prefix) == 0) {
      return overlap(c, *it->second, c);
    }
    seen.emplace(c.repo_path, &c);
  }
  return Status::Ok();
}

}  // namespace cairn::data
