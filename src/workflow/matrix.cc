// matrix: the cartesian product, exclude and include of strategy.matrix (see matrix.h).
#include "workflow/matrix.h"

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/strings.h"
#include "expr/expr.h"

namespace cairn::workflow {
namespace {

using core::Result;
using core::Status;
using core::Value;
using core::ValueKind;

// More product combinations than this are refused before being enumerated.
constexpr size_t kMaxProduct = 1'000'000;

const Value* FindIgnoreCase(const Value& mapping, std::string_view key) {
  for (const core::Member& m : mapping.members()) {
    if (core::EqualsIgnoreCase(m.key, key)) return &m.value;
  }
  return nullptr;
}

// One leaf of an include/exclude entry: the path from the matrix to it, and its literal.
struct Leaf {
  std::vector<std::variant<std::string, size_t>> path;
  const Value* literal;
};

void CollectLeaves(const Value& node, Leaf prefix, std::vector<Leaf>* out) {
  if (node.is_mapping()) {
    for (const core::Member& m : node.members()) {
      Leaf next = prefix;
      next.path.emplace_back(m.key);
      CollectLeaves(m.value, std::move(next), out);
    }
  } else if (node.is_sequence()) {
    for (size_t i = 0; i < node.items().size(); ++i) {
      Leaf next = prefix;
      next.path.emplace_back(i);
      CollectLeaves(node.items()[i], std::move(next), out);
    }
  } else {
    prefix.literal = &node;
    out->push_back(std::move(prefix));
  }
}

bool LeafMatches(const Value& combination, const Leaf& leaf) {
  static const Value kNull;
  const Value* at = &combination;
  for (const auto& step : leaf.path) {
    const Value* next = nullptr;
    if (const std::string* key = std::get_if<std::string>(&step)) {
      if (at->is_mapping()) next = FindIgnoreCase(*at, *key);
    } else if (at->is_sequence()) {
      size_t index = std::get<size_t>(step);
      if (index < at->items().size()) next = &at->items()[index];
    }
    at = next != nullptr ? next : &kNull;
    if (next == nullptr) break;
  }
  return MatrixValuesEqual(*at, *leaf.literal);
}

bool AllLeavesMatch(const Value& combination, const std::vector<Leaf>& leaves) {
  for (const Leaf& leaf : leaves) {
    if (!LeafMatches(combination, leaf)) return false;
  }
  return true;
}

void NameSegments(const Value& node, std::vector<std::string>* out) {
  switch (node.kind()) {
    case ValueKind::kNull:
      return;
    case ValueKind::kBool:
      out->push_back(node.AsBool() ? "true" : "false");
      return;
    case ValueKind::kNumber:
      out->push_back(expr::FormatNumber(node.AsDouble()));
      return;
    case ValueKind::kString:
      if (!node.AsString().empty()) out->push_back(node.AsString());
      return;
    case ValueKind::kSequence:
      for (const Value& item : node.items()) NameSegments(item, out);
      return;
    case ValueKind::kMapping:
      for (const core::Member& m : node.members()) NameSegments(m.value, out);
      return;
  }
}

struct Include {
  Value filter = Value::Mapping();  // the entry's keys that are vectors
  Value extra = Value::Mapping();   // the others
  std::vector<Leaf> leaves;         // of `filter`
  bool matched = false;
};

bool IsVectorKey(const std::vector<const core::Member*>& vectors, std::string_view key) {
  for (const core::Member* v : vectors) {
    if (core::EqualsIgnoreCase(v->key, key)) return true;
  }
  return false;
}

std::string VectorNames(const std::vector<const core::Member*>& vectors) {
  std::vector<std::string_view> names;
  for (const core::Member* v : vectors) names.push_back(v->key);
  return names.empty() ? std::string("no vector") : "one of " + core::Join(names, ", ");
}

Status ExpectEntries(const core::Member& member) {
  if (!member.value.is_sequence()) {
    return member.value.Error("matrix " + member.key + " is " +
                              std::string(core::KindPhrase(member.value.kind())) +
                              "; expected a sequence of mappings");
  }
  for (const Value& item : member.value.items()) {
    if (!item.is_mapping()) {
      return item.Error("matrix " + member.key + " item is " +
                        std::string(core::KindPhrase(item.kind())) + "; expected a mapping");
    }
  }
  return Status::Ok();
}

Status TooMany(const Value& matrix, size_t count) {
  return matrix.Error("matrix produces " + std::to_string(count) + " jobs; expected at most " +
                      std::to_string(kMaxMatrixLegs));
}

MatrixLeg MakeLeg(Value values, bool from_include) {
  MatrixLeg leg;
  NameSegments(values, &leg.name_segments);
  leg.values = std::move(values);
  leg.from_include = from_include;
  return leg;
}

}  // namespace

bool MatrixValuesEqual(const Value& a, const Value& b) {
  if (!a.is_scalar() || !b.is_scalar()) return false;
  return expr::LooseEquals(expr::Value::FromCore(a), expr::Value::FromCore(b));
}

std::string MatrixLeg::NameSuffix() const { return core::Join(name_segments, ", "); }

std::string MatrixLeg::DisplayName(std::string_view job_name) const {
  std::string name(job_name);
  if (!name_segments.empty()) name += " (" + NameSuffix() + ")";
  // GitHub counts UTF-16 code units (.NET string length): an astral character counts 2.
  constexpr size_t kMaxLength = 100;
  size_t units = 0;
  size_t cut = std::string::npos;  // byte offset where the first 97 units end
  for (size_t i = 0; i < name.size();) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    size_t width = len == 4 ? 2 : 1;
    if (units + width > kMaxLength - 3 && cut == std::string::npos) cut = i;
    units += width;
    i += len;
  }
  if (units > kMaxLength) name = name.substr(0, cut) + "...";
  return name;
}

Result<Matrix> ExpandMatrix(const Value& matrix) {
  if (!matrix.is_mapping()) {
    return matrix.Error("strategy.matrix is " + std::string(core::KindPhrase(matrix.kind())) +
                        "; expected a mapping of vectors");
  }
  std::vector<const core::Member*> vectors;
  const core::Member* include_member = nullptr;
  const core::Member* exclude_member = nullptr;
  for (const core::Member& m : matrix.members()) {
    if (m.key == "include") {
      include_member = &m;
      continue;
    }
    if (m.key == "exclude") {
      exclude_member = &m;
      continue;
    }
    if (!m.value.is_sequence()) {
      return m.value.Error("matrix vector '" + m.key + "' is " +
                           std::string(core::KindPhrase(m.value.kind())) +
                           "; expected a sequence of values");
    }
    if (m.value.items().empty()) {
      return m.value.Error("matrix vector '" + m.key +
                           "' does not contain any values; expected a non-empty sequence");
    }
    vectors.push_back(&m);
  }

  std::vector<std::vector<Leaf>> excludes;
  if (exclude_member != nullptr) {
    CAIRN_RETURN_IF_ERROR(ExpectEntries(*exclude_member));
    for (const Value& entry : exclude_member->value.items()) {
      if (entry.members().empty()) {
        return entry.Error("matrix exclude entry is empty; expected at least one key");
      }
      for (const core::Member& m : entry.members()) {
        if (!IsVectorKey(vectors, m.key)) {
          return m.key_location.Error("matrix exclude key '" + m.key +
                                      "' does not match any key within the matrix; expected " +
                                      VectorNames(vectors));
        }
      }
      std::vector<Leaf> leaves;
      CollectLeaves(entry, Leaf{}, &leaves);
      excludes.push_back(std::move(leaves));
    }
  }

  std::vector<Include> includes;
  if (include_member != nullptr) {
    CAIRN_RETURN_IF_ERROR(ExpectEntries(*include_member));
    for (const Value& entry : include_member->value.items()) {
      if (entry.members().empty()) {
        return entry.Error("matrix include entry is empty; expected at least one key");
      }
      Include include;
      for (const core::Member& m : entry.members()) {
        Value& part = IsVectorKey(vectors, m.key) ? include.filter : include.extra;
        part.AppendMember(m.key, m.value, m.key_location);
      }
      CollectLeaves(include.filter, Leaf{}, &include.leaves);
      includes.push_back(std::move(include));
    }
  }

  size_t product = vectors.empty() ? 0 : 1;
  for (const core::Member* v : vectors) {
    product *= v->value.items().size();
    if (product > kMaxProduct) return TooMany(matrix, product);
  }

  Matrix result;
  size_t overflow = 0;  // combinations beyond kMaxMatrixLegs
  for (size_t index = 0; index < product; ++index) {
    Value combination = Value::Mapping();
    size_t block = product;
    for (const core::Member* v : vectors) {
      const std::vector<Value>& items = v->value.items();
      block /= items.size();
      combination.AppendMember(v->key, items[(index / block) % items.size()], v->key_location);
    }
    bool excluded = false;
    for (const std::vector<Leaf>& leaves : excludes) {
      if (AllLeavesMatch(combination, leaves)) {
        excluded = true;
        break;
      }
    }
    if (excluded) continue;
    if (result.legs.size() >= kMaxMatrixLegs) {
      ++overflow;  // counted for the message only
      continue;
    }
    MatrixLeg leg = MakeLeg(combination, false);  // the name is of the original values
    for (Include& include : includes) {
      if (!AllLeavesMatch(combination, include.leaves)) continue;
      include.matched = true;
      for (const core::Member& m : include.extra.members()) {
        bool replaced = false;
        for (core::Member& existing : leg.values.mutable_members()) {
          if (core::EqualsIgnoreCase(existing.key, m.key)) {
            existing.value = m.value;
            replaced = true;
            break;
          }
        }
        if (!replaced) leg.values.AppendMember(m.key, m.value, m.key_location);
      }
    }
    result.legs.push_back(std::move(leg));
  }
  for (const Include& include : includes) {
    if (include.matched) continue;
    if (overflow > 0) {
      ++overflow;
      continue;
    }
    Value combination = include.filter;
    for (const core::Member& m : include.extra.members()) {
      combination.AppendMember(m.key, m.value, m.key_location);
    }
    result.legs.push_back(MakeLeg(std::move(combination), true));
  }
  if (overflow > 0 || result.legs.size() > kMaxMatrixLegs) {
    return TooMany(matrix, result.legs.size() + overflow);
  }
  return result;
}

}  // namespace cairn::workflow
