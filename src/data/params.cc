#include "data/params.h"

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>

#include <toml++/toml.h>

#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/yaml.h"

namespace cairn::data {
namespace {

using core::Location;
using core::Result;
using core::Status;
using core::Value;

// --- TOML, over toml++ (which throws; nothing escapes this file) ---

Location TomlLocation(const toml::node& node, const std::shared_ptr<const std::string>& file) {
  Location loc;
  loc.file = file;
  loc.line = static_cast<int>(node.source().begin.line);
  loc.column = static_cast<int>(node.source().begin.column);
  return loc;
}

Value FromToml(const toml::node& node, const std::shared_ptr<const std::string>& file) {
  Value out;
  if (const toml::table* t = node.as_table()) {
    out = Value::Mapping();
    // toml++ keeps keys sorted; put them back in document order.
    std::vector<std::pair<const toml::key*, const toml::node*>> members;
    for (const auto& [key, child] : *t) members.emplace_back(&key, &child);
    std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
      const auto& sa = a.first->source().begin;
      const auto& sb = b.first->source().begin;
      return sa.line != sb.line ? sa.line < sb.line : sa.column < sb.column;
    });
    for (const auto& [key, child] : members) {
      Location key_loc;
      key_loc.file = file;
      key_loc.line = static_cast<int>(key->source().begin.line);
      key_loc.column = static_cast<int>(key->source().begin.column);
      out.AppendMember(std::string(key->str()), FromToml(*child, file), key_loc);
    }
  } else if (const toml::array* a = node.as_array()) {
    out = Value::Sequence();
    for (const toml::node& child : *a) out.Append(FromToml(child, file));
  } else if (auto s = node.value<std::string>(); s && node.is_string()) {
    out = Value::String(*s);
  } else if (node.is_integer()) {
    out = Value::Int(*node.value<int64_t>());
  } else if (node.is_floating_point()) {
    out = Value::Double(*node.value<double>());
  } else if (node.is_boolean()) {
    out = Value::Bool(*node.value<bool>());
  } else {
    // Dates and times: their TOML text (tomlkit would give Python datetime objects).
    std::ostringstream text;
    if (auto d = node.as_date()) text << *d;
    if (auto t = node.as_time()) text << *t;
    if (auto dt = node.as_date_time()) text << *dt;
    out = Value::String(text.str());
  }
  out.set_location(TomlLocation(node, file));
  return out;
}

Result<Value> ParseToml(std::string_view text, std::string_view filename) {
  auto file = std::make_shared<const std::string>(filename);
  try {
    toml::table table = toml::parse(text, filename);
    return FromToml(table, file);
  } catch (const toml::parse_error& e) {
    Location loc;
    loc.file = file;
    loc.line = static_cast<int>(e.source().begin.line);
    loc.column = static_cast<int>(e.source().begin.column);
    return loc.Error(e.description());
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string(filename) + ": " + e.what());
  }
}

// --- Python semantics ---

bool IsNumeric(const Value& v) { return v.is_number() || v.is_bool(); }

double NumberOf(const Value& v) { return v.is_bool() ? (v.AsBool() ? 1 : 0) : v.AsDouble(); }

std::optional<int64_t> IntegerOf(const Value& v) {
  if (v.is_bool()) return v.AsBool() ? 1 : 0;
  return v.AsInt64();
}

// flatten_dict's walk: nested mappings joined with '.', in document order; an empty mapping
// contributes nothing.
Status Flatten(const Value& mapping, const std::string& prefix, ParamValues* out,
               std::map<std::string, const Location*>* seen) {
  for (const core::Member& m : mapping.members()) {
    std::string name = prefix.empty() ? m.key : prefix + "." + m.key;
    if (m.value.is_mapping()) {
      CAIRN_RETURN_IF_ERROR(Flatten(m.value, name, out, seen));
      continue;
    }
    auto [it, inserted] = seen->emplace(name, &m.key_location);
    if (!inserted) {
      return m.key_location.Error("param '" + name + "' is written twice (also at " +
                                  it->second->ToString() + ")");
    }
    out->emplace_back(std::move(name), m.value);
  }
  return Status::Ok();
}

const Value* Lookup(const ParamValues& values, std::string_view name) {
  for (const auto& [k, v] : values) {
    if (k == name) return &v;
  }
  return nullptr;
}

}  // namespace

Result<Value> ParseParams(std::string_view text, std::string_view filename) {
  std::string_view ext = core::Extension(filename);
  Value root;
  if (ext == ".py") {
    return Status::NotImplemented(std::string(filename) +
                                  ": Python params files are not supported (cairn does not run "
                                  "Python); use params.yaml, .json or .toml");
  } else if (ext == ".json") {
    core::JsonParseOptions options;
    options.allow_nan = true;
    CAIRN_ASSIGN_OR_RETURN(root, core::ParseJson(text, filename, options));
  } else if (ext == ".toml") {
    CAIRN_ASSIGN_OR_RETURN(root, ParseToml(text, filename));
  } else {
    CAIRN_ASSIGN_OR_RETURN(root, core::ParseYaml(text, filename));
  }
  if (root.is_null()) {
    Value empty = Value::Mapping();
    empty.set_location(root.location());
    return empty;
  }
  if (!root.is_mapping()) {
    return root.Error("expected a mapping of params at the top level, got " +
                      std::string(core::KindPhrase(root.kind())));
  }
  return root;
}

Result<Value> LoadParamsFile(sys::Env& env, std::string_view path) {
  Result<std::string> text = env.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("params file '" + std::string(path) + "' does not exist");
    }
    return text.status().WithContext("reading params file " + std::string(path));
  }
  return ParseParams(*text, path);
}

Result<ParamValues> FlattenParams(const Value& root) {
  ParamValues out;
  std::map<std::string, const Location*> seen;
  if (!root.is_mapping()) return out;
  CAIRN_RETURN_IF_ERROR(Flatten(root, "", &out, &seen));
  return out;
}

const Value* FindParam(const Value& root, std::string_view dotted) {
  const Value* cur = &root;
  for (std::string_view part : core::Split(dotted, '.')) {
    if (cur->is_mapping()) {
      cur = cur->Find(part);
    } else if (cur->is_sequence()) {
      std::optional<int64_t> index = core::ParseInt64(part);
      if (!index || part.empty() || part[0] == '+') return nullptr;
      int64_t size = static_cast<int64_t>(cur->items().size());
      if (*index < 0) *index += size;  // Python's negative indexes
      if (*index < 0 || *index >= size) return nullptr;
      cur = &cur->items()[static_cast<size_t>(*index)];
    } else {
      return nullptr;
    }
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

bool ParamValuesEqual(const Value& a, const Value& b) {
  if (IsNumeric(a) && IsNumeric(b)) {
    std::optional<int64_t> ia = IntegerOf(a);
    std::optional<int64_t> ib = IntegerOf(b);
    if (ia && ib) return *ia == *ib;
    return NumberOf(a) == NumberOf(b);
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case core::ValueKind::kNull:
      return true;
    case core::ValueKind::kString:
      return a.AsString() == b.AsString();
    case core::ValueKind::kSequence:
      if (a.items().size() != b.items().size()) return false;
      for (size_t i = 0; i < a.items().size(); ++i) {
        if (!ParamValuesEqual(a.items()[i], b.items()[i])) return false;
      }
      return true;
    case core::ValueKind::kMapping:
      if (a.size() != b.size()) return false;
      for (const core::Member& m : a.members()) {
        const Value* other = b.Find(m.key);
        if (other == nullptr || !ParamValuesEqual(m.value, *other)) return false;
      }
      return true;
    default:
      return false;
  }
}

std::vector<ParamsDeclaration> MergeParamsItems(const std::vector<ParamsItem>& items) {
  auto file_of = [](const ParamsItem& item) {
    return item.file.empty() ? std::string(kDefaultParamsFile) : item.file;
  };
  std::vector<std::string> whole;
  for (const ParamsItem& item : items) {
    if (item.whole_file) whole.push_back(file_of(item));
  }
  auto is_whole = [&](const std::string& f) {
    return std::find(whole.begin(), whole.end(), f) != whole.end();
  };
  std::vector<ParamsDeclaration> out;
  auto entry = [&](const std::string& f) -> ParamsDeclaration& {
    for (ParamsDeclaration& d : out) {
      if (d.file == f) return d;
    }
    out.push_back(ParamsDeclaration{f, {}});
    return out.back();
  };
  for (const ParamsItem& item : items) {
    std::string f = file_of(item);
    ParamsDeclaration& d = entry(f);
    if (is_whole(f)) {
      d.keys.clear();
      continue;
    }
    d.keys.insert(d.keys.end(), item.keys.begin(), item.keys.end());
  }
  return out;
}

ParamValues ReadParamValues(const Value& root, const ParamsDeclaration& declaration) {
  ParamValues out;
  if (declaration.tracks_all()) {
    for (const core::Member& m : root.members()) out.emplace_back(m.key, m.value);
  } else {
    for (const std::string& key : declaration.keys) {
      if (Lookup(out, key) != nullptr) continue;
      if (const Value* v = FindParam(root, key)) out.emplace_back(key, *v);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void SortParamsFilesForLock(std::vector<std::string>* files) {
  std::stable_sort(files->begin(), files->end(), [](const std::string& a, const std::string& b) {
    bool da = a == kDefaultParamsFile;
    bool db = b == kDefaultParamsFile;
    if (da != db) return da;
    return a < b;
  });
}

std::string_view ParamChangeName(ParamChange change) {
  switch (change) {
    case ParamChange::kModified:
      return "modified";
    case ParamChange::kNew:
      return "new";
    case ParamChange::kDeleted:
      return "deleted";
  }
  return "modified";
}

std::vector<ParamStatus> CompareParams(const ParamsDeclaration& declaration,
                                       const ParamValues& locked, const Value& workspace) {
  ParamValues actual;
  if (declaration.tracks_all()) {
    for (const core::Member& m : workspace.members()) actual.emplace_back(m.key, m.value);
  } else {
    actual = ReadParamValues(workspace, declaration);
  }
  std::vector<std::string> names;
  if (declaration.tracks_all()) {
    for (const auto& [k, v] : actual) names.push_back(k);
    for (const auto& [k, v] : locked) {
      if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
    }
  } else {
    names = declaration.keys;
  }
  std::vector<ParamStatus> out;
  for (const std::string& name : names) {
    const Value* a = Lookup(actual, name);
    const Value* l = Lookup(locked, name);
    if (a == nullptr) {
      out.push_back(ParamStatus{name, ParamChange::kDeleted});
    } else if (l == nullptr) {
      out.push_back(ParamStatus{name, ParamChange::kNew});
    } else if (!ParamValuesEqual(*a, *l)) {
      out.push_back(ParamStatus{name, ParamChange::kModified});
    }
  }
  return out;
}

Result<std::vector<ParamDiff>> DiffParams(const ParamsFiles& old_files,
                                          const ParamsFiles& new_files, bool with_unchanged) {
  std::map<std::string, std::pair<ParamValues, ParamValues>> by_file;
  for (const auto& [file, root] : old_files) {
    CAIRN_ASSIGN_OR_RETURN(by_file[file].first, FlattenParams(root));
  }
  for (const auto& [file, root] : new_files) {
    CAIRN_ASSIGN_OR_RETURN(by_file[file].second, FlattenParams(root));
  }
  std::vector<ParamDiff> out;
  for (const auto& [file, sides] : by_file) {
    std::map<std::string, std::pair<const Value*, const Value*>> names;
    for (const auto& [k, v] : sides.first) names[k].first = &v;
    for (const auto& [k, v] : sides.second) names[k].second = &v;
    for (const auto& [name, pair] : names) {
      const Value* o = pair.first;
      const Value* n = pair.second;
      // A one-element list on both sides compares by its element.
      if (o && n && o->is_sequence() && n->is_sequence() && o->items().size() == 1 &&
          n->items().size() == 1) {
        o = &o->items()[0];
        n = &n->items()[0];
      }
      bool same = o && n ? ParamValuesEqual(*o, *n) : (o == nullptr && n == nullptr);
      if (same && !with_unchanged) continue;
      ParamDiff d;
      d.file = file;
      d.name = name;
      if (o) d.old_value = *o;
      if (n) d.new_value = *n;
      d.changed = !same;
      if (o && n && IsNumeric(*o) && IsNumeric(*n)) {
        std::optional<int64_t> io = IntegerOf(*o);
        std::optional<int64_t> in = IntegerOf(*n);
        if (io && in) {
          d.diff = Value::Int(*in - *io);
        } else {
          d.diff = Value::Double(NumberOf(*n) - NumberOf(*o));
        }
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace cairn::data
