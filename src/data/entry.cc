#include "data/entry.h"

#include <utility>

namespace cairn::data {
namespace {

using core::Member;
using core::Result;
using core::Status;
using core::Value;
using core::ValueKind;

Value UintValue(uint64_t n) { return Value::Number(static_cast<double>(n), std::to_string(n)); }

Result<std::string> ReadString(const Value& v, std::string_view where) {
  if (!v.is_string()) return ExpectedError(v, where, "a string");
  return v.AsString();
}

Result<bool> ReadBool(const Value& v, std::string_view where) {
  if (!v.is_bool()) return ExpectedError(v, where, "true or false");
  return v.AsBool();
}

Result<uint64_t> ReadCount(const Value& v, std::string_view where) {
  std::optional<uint64_t> n = v.AsUint64();
  if (!n) return ExpectedError(v, where, "a non-negative integer");
  return *n;
}

// `metric:` and `plot:`: true/false, or a mapping of options.
Result<Value> ReadFlagOrOptions(const Value& v, std::string_view where) {
  if (!v.is_bool() && !v.is_mapping()) {
    return ExpectedError(v, where, "true, false or a mapping of options");
  }
  return v;
}

Result<std::vector<std::string>> ReadStrings(const Value& v, std::string_view where) {
  if (!v.is_sequence()) return ExpectedError(v, where, "a sequence of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < v.items().size(); ++i) {
    const Value& item = v.items()[i];
    if (!item.is_string()) {
      return ExpectedError(item, std::string(where) + "[" + std::to_string(i) + "]", "a string");
    }
    out.push_back(item.AsString());
  }
  return out;
}

// Reads member `m` of an entry into `e`; unknown keys go to e->extra.
Status ReadMember(const Member& m, std::string_view where, Entry* e) {
  const std::string& key = m.key;
  const Value& v = m.value;
  std::string at = FieldPath(where, key);
  if (key == "path") {
    CAIRN_ASSIGN_OR_RETURN(e->path, ReadString(v, at));
    if (e->path.empty()) return ExpectedError(v, at, "a path");
  } else if (key == "md5") {
    // DVC reads an empty or null checksum as none.
    if (!v.is_null()) {
      CAIRN_ASSIGN_OR_RETURN(e->md5, ReadString(v, at));
    }
  } else if (key == "hash") {
    CAIRN_ASSIGN_OR_RETURN(std::string name, ReadString(v, at));
    if (name != kHashMd5) {
      return ExpectedError(v, at, "md5 (the only hash DVC 3 writes; no `hash:` means 2.x)");
    }
  } else if (key == "size") {
    CAIRN_ASSIGN_OR_RETURN(e->size, ReadCount(v, at));
  } else if (key == "nfiles") {
    CAIRN_ASSIGN_OR_RETURN(e->nfiles, ReadCount(v, at));
  } else if (key == "isexec") {
    CAIRN_ASSIGN_OR_RETURN(e->isexec, ReadBool(v, at));
  } else if (key == "desc") {
    CAIRN_ASSIGN_OR_RETURN(e->desc, ReadString(v, at));
  } else if (key == "type") {
    CAIRN_ASSIGN_OR_RETURN(e->type, ReadString(v, at));
  } else if (key == "labels") {
    CAIRN_ASSIGN_OR_RETURN(e->labels, ReadStrings(v, at));
  } else if (key == "meta") {
    e->meta = v;
  } else if (key == "cache") {
    CAIRN_ASSIGN_OR_RETURN(e->cache, ReadBool(v, at));
  } else if (key == "metric") {
    CAIRN_ASSIGN_OR_RETURN(e->metric, ReadFlagOrOptions(v, at));
  } else if (key == "plot") {
    CAIRN_ASSIGN_OR_RETURN(e->plot, ReadFlagOrOptions(v, at));
  } else if (key == "persist") {
    CAIRN_ASSIGN_OR_RETURN(e->persist, ReadBool(v, at));
  } else if (key == "remote") {
    CAIRN_ASSIGN_OR_RETURN(e->remote, ReadString(v, at));
  } else if (key == "push") {
    CAIRN_ASSIGN_OR_RETURN(e->push, ReadBool(v, at));
  } else if (key == "cloud") {
    if (!v.is_mapping()) return ExpectedError(v, at, "a mapping of remote names");
    e->cloud = v;
  } else if (key == "files") {
    if (!v.is_sequence()) return ExpectedError(v, at, "a sequence of file entries");
    for (size_t i = 0; i < v.items().size(); ++i) {
      if (!v.items()[i].is_mapping()) {
        return ExpectedError(v.items()[i], at + "[" + std::to_string(i) + "]",
                             "a mapping (relpath, md5, size)");
      }
    }
    e->files = v;
  } else {
    e->extra.push_back(m);
  }
  return Status::Ok();
}

void Add(std::vector<Member>* members, std::string key, Value value) {
  members->push_back(Member{std::move(key), {}, std::move(value), false, false});
}

// The out options, in DVC's order (Output.dumpd after `path`).
void AddOptions(const Entry& e, std::vector<Member>* m) {
  if (!e.desc.empty()) Add(m, "desc", Value::String(e.desc));
  if (!e.type.empty()) Add(m, "type", Value::String(e.type));
  if (!e.labels.empty()) {
    Value labels = Value::Sequence();
    for (const std::string& label : e.labels) labels.Append(Value::String(label));
    Add(m, "labels", std::move(labels));
  }
  if (Truthy(e.meta)) Add(m, "meta", e.meta);
  if (!e.cache) Add(m, "cache", Value::Bool(false));
  if (Truthy(e.metric)) Add(m, "metric", e.metric);
  if (Truthy(e.plot)) Add(m, "plot", e.plot);
  if (e.persist) Add(m, "persist", Value::Bool(true));
  if (!e.remote.empty()) Add(m, "remote", Value::String(e.remote));
  if (!e.push) Add(m, "push", Value::Bool(false));
}

// The checksum and file meta: md5 size nfiles isexec cloud.
void AddChecksumAndMeta(const Entry& e, std::vector<Member>* m) {
  if (!e.md5.empty()) Add(m, "md5", Value::String(e.md5));
  if (e.size) Add(m, "size", UintValue(*e.size));
  if (e.nfiles) Add(m, "nfiles", UintValue(*e.nfiles));
  if (e.isexec) Add(m, "isexec", Value::Bool(true));
  if (Truthy(e.cloud)) Add(m, "cloud", e.cloud);
}

}  // namespace

Entry Entry::File(std::string path, std::string md5, uint64_t size, bool isexec) {
  Entry e;
  e.path = std::move(path);
  e.md5 = std::move(md5);
  e.size = size;
  e.isexec = isexec;
  return e;
}

Entry Entry::Directory(std::string path, std::string md5, uint64_t size, uint64_t nfiles) {
  Entry e;
  e.path = std::move(path);
  e.md5 = std::move(md5);
  e.size = size;
  e.nfiles = nfiles;
  return e;
}

bool Entry::is_dir() const { return md5.ends_with(kDirSuffix); }

Result<Entry> ParseEntry(const Value& value, std::string_view where) {
  if (!value.is_mapping()) return ExpectedError(value, where, "a mapping with a `path:` key");
  Entry e;
  bool has_path = false;
  bool has_hash = false;
  for (const Member& m : value.members()) {
    CAIRN_RETURN_IF_ERROR(ReadMember(m, where, &e));
    e.key_order.push_back(m.key);
    has_path = has_path || m.key == "path";
    has_hash = has_hash || m.key == "hash";
  }
  if (!has_path) {
    return value.Error(std::string(where) + ": expected a `path:` key in this entry");
  }
  e.legacy = !has_hash;
  return e;
}

Value EntryToValue(const Entry& e, EntryLayout layout) {
  std::vector<Member> known;
  if (layout == EntryLayout::kDvcFile) {
    // Output.dumpd: checksum, meta (with cloud), hash, path, options, files.
    AddChecksumAndMeta(e, &known);
    if (!e.legacy) Add(&known, "hash", Value::String(std::string(kHashMd5)));
    Add(&known, "path", Value::String(e.path));
    AddOptions(e, &known);
    if (Truthy(e.files)) Add(&known, "files", e.files);
  } else {
    // to_single_stage_lockfile's _dumpd: path, hash, then files or checksum and meta.
    Add(&known, "path", Value::String(e.path));
    if (!e.legacy) Add(&known, "hash", Value::String(std::string(kHashMd5)));
    if (Truthy(e.files)) Add(&known, "files", e.files);
    AddChecksumAndMeta(e, &known);
    AddOptions(e, &known);  // not DVC's: a lock entry has none, but keep what was set
  }
  return OrderedMapping(std::move(known), e.extra, e.key_order);
}

Value OrderedMapping(std::vector<Member> known, const std::vector<Member>& extra,
                     const std::vector<std::string>& key_order) {
  Value out = Value::Mapping();
  std::vector<bool> known_done(known.size(), false);
  std::vector<bool> extra_done(extra.size(), false);
  auto take = [&](const std::string& key) {
    for (size_t i = 0; i < known.size(); ++i) {
      if (!known_done[i] && known[i].key == key) {
        known_done[i] = true;
        out.AppendMember(std::move(known[i].key), std::move(known[i].value));
        return;
      }
    }
    for (size_t i = 0; i < extra.size(); ++i) {
      if (!extra_done[i] && extra[i].key == key) {
        extra_done[i] = true;
        out.AppendMember(extra[i].key, extra[i].value);
        return;
      }
    }
  };
  for (const std::string& key : key_order) take(key);
  for (size_t i = 0; i < known.size(); ++i) {
    if (!known_done[i]) out.AppendMember(std::move(known[i].key), std::move(known[i].value));
  }
  for (size_t i = 0; i < extra.size(); ++i) {
    if (!extra_done[i]) out.AppendMember(extra[i].key, extra[i].value);
  }
  return out;
}

bool Truthy(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return false;
    case ValueKind::kBool:
      return v.AsBool();
    case ValueKind::kNumber:
      return v.AsDouble() != 0;
    case ValueKind::kString:
      return !v.AsString().empty();
    case ValueKind::kSequence:
    case ValueKind::kMapping:
      return v.size() > 0;
  }
  return false;
}

std::string DescribeValue(const Value& v) {
  constexpr size_t kMaxShown = 40;
  switch (v.kind()) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return v.AsBool() ? "true" : "false";
    case ValueKind::kNumber:
      return "the number " + v.raw();
    case ValueKind::kString: {
      const std::string& s = v.AsString();
      if (s.size() <= kMaxShown) return "the string \"" + s + "\"";
      size_t cut = kMaxShown;
      while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
      return "the string \"" + s.substr(0, cut) + "...\"";
    }
    case ValueKind::kSequence:
      return "a sequence";
    case ValueKind::kMapping:
      return "a mapping";
  }
  return "a value";
}

Status ExpectedError(const Value& value, std::string_view where, std::string_view what) {
  std::string message(where);
  if (!message.empty()) message += ": ";
  message += "expected ";
  message += what;
  message += ", got ";
  message += DescribeValue(value);
  return value.Error(message);
}

std::string FieldPath(std::string_view where, std::string_view key) {
  if (where.empty()) return std::string(key);
  std::string out(where);
  out += '.';
  out += key;
  return out;
}

}  // namespace cairn::data
