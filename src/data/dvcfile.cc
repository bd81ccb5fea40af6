#include "data/dvcfile.h"

#include <utility>

#include "core/yaml.h"
#include "core/yaml_emit.h"

namespace cairn::data {
namespace {

using core::Member;
using core::Result;
using core::Status;
using core::Value;

Status ReadEntries(const Value& v, std::string_view key, std::vector<Entry>* out) {
  if (!v.is_sequence()) return ExpectedError(v, key, "a sequence of entries");
  for (size_t i = 0; i < v.items().size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(
        Entry e, ParseEntry(v.items()[i], std::string(key) + "[" + std::to_string(i) + "]"));
    out->push_back(std::move(e));
  }
  return Status::Ok();
}

Result<std::string> ReadString(const Value& v, std::string_view key) {
  if (!v.is_string()) return ExpectedError(v, key, "a string");
  return v.AsString();
}

Value EntriesValue(const std::vector<Entry>& entries) {
  Value list = Value::Sequence();
  for (const Entry& e : entries) list.Append(EntryToValue(e, EntryLayout::kDvcFile));
  return list;
}

void Add(std::vector<Member>* members, std::string key, Value value) {
  members->push_back(Member{std::move(key), {}, std::move(value), false, false});
}

}  // namespace

const Entry* DvcFile::FindOut(std::string_view path) const {
  for (const Entry& e : outs) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

Entry* DvcFile::FindOut(std::string_view path) {
  return const_cast<Entry*>(static_cast<const DvcFile*>(this)->FindOut(path));
}

Result<DvcFile> ParseDvcFile(std::string_view text, std::string_view filename) {
  CAIRN_ASSIGN_OR_RETURN(Value root, core::ParseYaml(text, filename));
  if (!root.is_mapping()) {
    return ExpectedError(root, "", "a mapping with `outs:` (a .dvc file)");
  }
  DvcFile file;
  for (const Member& m : root.members()) {
    const Value& v = m.value;
    if (m.key == "outs") {
      CAIRN_RETURN_IF_ERROR(ReadEntries(v, "outs", &file.outs));
    } else if (m.key == "deps") {
      CAIRN_RETURN_IF_ERROR(ReadEntries(v, "deps", &file.deps));
    } else if (m.key == "md5") {
      if (!v.is_null()) {
        CAIRN_ASSIGN_OR_RETURN(file.md5, ReadString(v, "md5"));
      }
    } else if (m.key == "desc") {
      CAIRN_ASSIGN_OR_RETURN(file.desc, ReadString(v, "desc"));
    } else if (m.key == "wdir") {
      CAIRN_ASSIGN_OR_RETURN(file.wdir, ReadString(v, "wdir"));
    } else if (m.key == "frozen") {
      if (!v.is_bool()) return ExpectedError(v, "frozen", "true or false");
      file.frozen = v.AsBool();
    } else if (m.key == "meta") {
      file.meta = v;
    } else {
      file.extra.push_back(m);
    }
    file.key_order.push_back(m.key);
  }
  return file;
}

std::string SerializeDvcFile(const DvcFile& file) {
  // Stage.dumpd (get_dump): every key only when truthy.
  std::vector<Member> known;
  if (!file.desc.empty()) Add(&known, "desc", Value::String(file.desc));
  if (!file.md5.empty()) Add(&known, "md5", Value::String(file.md5));
  if (!file.wdir.empty() && file.wdir != ".") Add(&known, "wdir", Value::String(file.wdir));
  if (file.frozen) Add(&known, "frozen", Value::Bool(true));
  if (!file.deps.empty()) Add(&known, "deps", EntriesValue(file.deps));
  if (!file.outs.empty()) Add(&known, "outs", EntriesValue(file.outs));
  if (Truthy(file.meta)) Add(&known, "meta", file.meta);
  Value root = OrderedMapping(std::move(known), file.extra, file.key_order);
  return core::EmitYaml(root, core::YamlEmitOptions::Dvc());
}

}  // namespace cairn::data
