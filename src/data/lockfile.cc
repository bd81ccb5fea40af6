#include "data/lockfile.h"

#include <algorithm>
#include <utility>

#include "core/json.h"
#include "core/yaml.h"
#include "core/yaml_emit.h"

namespace cairn::data {
namespace {

using core::Member;
using core::Result;
using core::Status;
using core::Value;
using core::ValueKind;

// The params file DVC lists first (data/params.h's kDefaultParamsFile, not included here).
constexpr std::string_view kFirstParamsFile = "params.yaml";

std::string Indexed(std::string_view where, size_t i) {
  return std::string(where) + "[" + std::to_string(i) + "]";
}

void Add(std::vector<Member>* members, std::string key, Value value) {
  members->push_back(Member{std::move(key), {}, std::move(value), false, false});
}

Status ReadEntries(const Value& v, std::string_view where, std::vector<Entry>* out) {
  if (!v.is_sequence()) return ExpectedError(v, where, "a sequence of entries");
  for (size_t i = 0; i < v.items().size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(Entry e, ParseEntry(v.items()[i], Indexed(where, i)));
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

Status ReadCmd(const Value& v, std::string_view where, LockStage* stage) {
  if (v.is_string()) {
    stage->cmd = {v.AsString()};
    stage->cmd_is_list = false;
    return Status::Ok();
  }
  if (!v.is_sequence()) return ExpectedError(v, where, "a string or a sequence of strings");
  stage->cmd_is_list = true;
  for (size_t i = 0; i < v.items().size(); ++i) {
    const Value& item = v.items()[i];
    if (!item.is_string()) return ExpectedError(item, Indexed(where, i), "a string");
    stage->cmd.push_back(item.AsString());
  }
  return Status::Ok();
}

Status ReadParams(const Value& v, std::string_view where, LockStage* stage) {
  if (!v.is_mapping()) return ExpectedError(v, where, "a mapping from params file to values");
  for (const Member& m : v.members()) {
    if (!m.value.is_mapping()) {
      return ExpectedError(m.value, FieldPath(where, m.key), "a mapping from param to value");
    }
    stage->params.push_back(LockParams{m.key, m.value});
  }
  return Status::Ok();
}

Result<LockStage> ReadStage(const Member& member) {
  std::string where = "stages." + member.key;
  const Value& v = member.value;
  if (!v.is_mapping()) return ExpectedError(v, where, "a mapping with `cmd:`");
  LockStage stage;
  stage.name = member.key;
  bool has_cmd = false;
  for (const Member& m : v.members()) {
    std::string at = FieldPath(where, m.key);
    if (m.key == "cmd") {
      CAIRN_RETURN_IF_ERROR(ReadCmd(m.value, at, &stage));
      has_cmd = true;
    } else if (m.key == "deps") {
      CAIRN_RETURN_IF_ERROR(ReadEntries(m.value, at, &stage.deps));
    } else if (m.key == "params") {
      CAIRN_RETURN_IF_ERROR(ReadParams(m.value, at, &stage));
    } else if (m.key == "outs") {
      CAIRN_RETURN_IF_ERROR(ReadEntries(m.value, at, &stage.outs));
    } else {
      stage.extra.push_back(m);
    }
    stage.key_order.push_back(m.key);
  }
  if (!has_cmd) return v.Error(where + ": expected a `cmd:` key in this stage");
  return stage;
}

Value EntriesValue(const std::vector<Entry>& entries) {
  Value list = Value::Sequence();
  for (const Entry& e : entries) list.Append(EntryToValue(e, EntryLayout::kLockFile));
  return list;
}

Value StageValue(const LockStage& stage) {
  // to_single_stage_lockfile: cmd, then deps, params, outs when not empty.
  std::vector<Member> known;
  if (stage.cmd_is_list || stage.cmd.size() != 1) {
    Value list = Value::Sequence();
    for (const std::string& c : stage.cmd) list.Append(Value::String(c));
    Add(&known, "cmd", std::move(list));
  } else {
    Add(&known, "cmd", Value::String(stage.cmd.front()));
  }
  if (!stage.deps.empty()) Add(&known, "deps", EntriesValue(stage.deps));
  if (!stage.params.empty()) {
    Value params = Value::Mapping();
    for (const LockParams& p : stage.params) params.AppendMember(p.path, p.values);
    Add(&known, "params", std::move(params));
  }
  if (!stage.outs.empty()) Add(&known, "outs", EntriesValue(stage.outs));
  return OrderedMapping(std::move(known), stage.extra, stage.key_order);
}

bool ByPath(const Entry& a, const Entry& b) { return a.path < b.path; }

}  // namespace

const LockParams* LockStage::FindParams(std::string_view path) const {
  for (const LockParams& p : params) {
    if (p.path == path) return &p;
  }
  return nullptr;
}

void SortLikeDvc(LockStage* stage) {
  std::stable_sort(stage->deps.begin(), stage->deps.end(), ByPath);
  std::stable_sort(stage->outs.begin(), stage->outs.end(), ByPath);
  std::stable_sort(stage->params.begin(), stage->params.end(),
                   [](const LockParams& a, const LockParams& b) {
                     bool a_default = a.path == kFirstParamsFile;
                     bool b_default = b.path == kFirstParamsFile;
                     if (a_default != b_default) return a_default;
                     return a.path < b.path;
                   });
  for (LockParams& p : stage->params) {
    if (!p.values.is_mapping()) continue;
    std::vector<Member>& members = p.values.mutable_members();
    std::stable_sort(members.begin(), members.end(),
                     [](const Member& a, const Member& b) { return a.key < b.key; });
  }
}

Value LockParamValue(const Value& loaded) {
  switch (loaded.kind()) {
    case ValueKind::kNull:
      return Value::Null();
    case ValueKind::kBool:
      return Value::Bool(loaded.AsBool());
    case ValueKind::kNumber:
      if (loaded.IsInteger()) {
        if (std::optional<int64_t> i = loaded.AsInt64()) return Value::Int(*i);
        // Beyond 64 bits: Python's int is exact; the JSON writer gives its canonical decimal.
        return Value::Number(loaded.AsDouble(), core::ToJson(loaded));
      }
      return Value::Double(loaded.AsDouble());
    case ValueKind::kString:
      return Value::String(loaded.AsString());
    case ValueKind::kSequence: {
      Value out = Value::Sequence();
      for (const Value& item : loaded.items()) out.Append(LockParamValue(item));
      return out;
    }
    case ValueKind::kMapping: {
      Value out = Value::Mapping();
      for (const Member& m : loaded.members()) out.AppendMember(m.key, LockParamValue(m.value));
      return out;
    }
  }
  return Value::Null();
}

const LockStage* LockFile::FindStage(std::string_view name) const {
  for (const LockStage& s : stages) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

LockStage* LockFile::FindStage(std::string_view name) {
  return const_cast<LockStage*>(static_cast<const LockFile*>(this)->FindStage(name));
}

void LockFile::SetStage(LockStage stage) {
  stage.key_order.clear();
  for (Entry& e : stage.deps) e.key_order.clear();
  for (Entry& e : stage.outs) e.key_order.clear();
  if (LockStage* existing = FindStage(stage.name)) {
    *existing = std::move(stage);
  } else {
    stages.push_back(std::move(stage));
  }
}

bool LockFile::RemoveStage(std::string_view name) {
  auto it = std::find_if(stages.begin(), stages.end(),
                         [&](const LockStage& s) { return s.name == name; });
  if (it == stages.end()) return false;
  stages.erase(it);
  return true;
}

Result<LockFile> ParseLockFile(std::string_view text, std::string_view filename) {
  CAIRN_ASSIGN_OR_RETURN(Value root, core::ParseYaml(text, filename));
  LockFile file;
  if (root.is_null()) return file;  // an empty file: DVC starts a new one
  if (!root.is_mapping()) {
    return ExpectedError(root, "", "a mapping with `schema: '2.0'` and `stages:` (a dvc.lock)");
  }
  const Member* schema = root.FindMember("schema");
  if (schema == nullptr) {
    return root.Error(
        "expected `schema: '2.0'` first: a dvc.lock without a schema is DVC 1.x's format, "
        "which DVC 3 no longer reads (run `dvc repro` with DVC 2 to convert it)");
  }
  if (!schema->value.is_string() || schema->value.AsString() != kLockSchema) {
    return ExpectedError(schema->value, "schema", "'2.0', the only dvc.lock schema DVC 3 reads");
  }
  for (const Member& m : root.members()) {
    if (m.key == "schema") {
      // checked above
    } else if (m.key == "stages") {
      if (!m.value.is_mapping() && !m.value.is_null()) {
        return ExpectedError(m.value, "stages", "a mapping from stage name to stage");
      }
      for (const Member& s : m.value.members()) {
        CAIRN_ASSIGN_OR_RETURN(LockStage stage, ReadStage(s));
        file.stages.push_back(std::move(stage));
      }
    } else {
      file.extra.push_back(m);
    }
    file.key_order.push_back(m.key);
  }
  return file;
}

std::string SerializeLockFile(const LockFile& file) {
  std::vector<Member> known;
  Add(&known, "schema", Value::String(std::string(kLockSchema)));
  Value stages = Value::Mapping();
  for (const LockStage& s : file.stages) stages.AppendMember(s.name, StageValue(s));
  Add(&known, "stages", std::move(stages));
  Value root = OrderedMapping(std::move(known), file.extra, file.key_order);
  return core::EmitYaml(root, core::YamlEmitOptions::Dvc());
}

}  // namespace cairn::data
