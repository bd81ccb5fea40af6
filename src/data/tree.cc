#include "data/tree.h"

#include <algorithm>

#include "core/hash.h"
#include "core/json.h"
#include "core/value.h"

namespace cairn::data {
namespace {

bool IsHex32(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

uint64_t Tree::TotalSize() const {
  uint64_t total = 0;
  for (const TreeEntry& e : entries) total += e.size;
  return total;
}

std::string Tree::Serialize() const {
  // Equivalent to ToPythonJson of the list, written directly: trees can have 100k entries.
  std::string out = "[";
  out.reserve(entries.size() * 72 + 2);
  const core::JsonWriteOptions ascii{.ensure_ascii = true};
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ", ";
    out += "{\"md5\": \"";
    out += entries[i].md5;
    out += "\", \"relpath\": ";
    const std::string& p = entries[i].relpath;
    bool plain = std::all_of(
        p.begin(), p.end(), [](char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; });
    if (plain) {  // nothing to escape: the common case
      out += '"';
      out += p;
      out += '"';
    } else {
      out += core::ToJson(core::Value::String(p), ascii);
    }
    out += '}';
  }
  out += ']';
  return out;
}

std::string Tree::Id() const { return TreeIdOf(Serialize()); }

std::string TreeIdOf(std::string_view bytes) { return core::Md5Hex(bytes) + ".dir"; }

bool IsTreeId(std::string_view md5) {
  return md5.size() == 36 && md5.substr(32) == ".dir" && IsHex32(md5.substr(0, 32));
}

core::Result<Tree> ParseTree(std::string_view bytes, std::string_view source) {
  CAIRN_ASSIGN_OR_RETURN(core::Value list, core::ParseJson(bytes, source));
  if (!list.is_sequence()) return list.ExpectKind(core::ValueKind::kSequence);
  Tree tree;
  tree.entries.reserve(list.items().size());
  for (const core::Value& item : list.items()) {
    if (!item.is_mapping()) return item.ExpectKind(core::ValueKind::kMapping);
    const core::Value* md5 = item.Find("md5");
    const core::Value* relpath = item.Find("relpath");
    if (md5 == nullptr || !md5->is_string() || !IsHex32(md5->AsString())) {
      return item.Error("expected \"md5\": 32 lowercase hex digits");
    }
    if (relpath == nullptr || !relpath->is_string() || relpath->AsString().empty()) {
      return item.Error("expected \"relpath\": a relative path");
    }
    tree.entries.push_back(TreeEntry{relpath->AsString(), md5->AsString(), 0, false});
  }
  std::sort(tree.entries.begin(), tree.entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.relpath < b.relpath; });
  return tree;
}

}  // namespace cairn::data
