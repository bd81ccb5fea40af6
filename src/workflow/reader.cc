// The schema reader: GitHub's template-reader rules over core::Value trees.
#include "workflow/reader.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "core/strings.h"

namespace cairn::workflow {
namespace {

constexpr std::string_view kOpen = "${{";
constexpr size_t kMaxExpressionLength = 21000;

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// A `${{ }}` whose whole content is one '...' literal: the literal's text.
std::optional<std::string> StringLiteralOnly(std::string_view expr) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < expr.size(); ++i) {
    char c = expr[i];
    if (c == '\'') {
      in_string = !in_string;
      if (in_string && i != 0) out.push_back(c);
    } else if (!in_string) {
      return std::nullopt;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// JavaScript's String.prototype.trim: ASCII whitespace and Unicode spaces (U+00A0, U+1680,
// U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF).
size_t UnicodeSpaceAt(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  auto at = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  if (c == 0xC2 && at(1) == 0xA0) return 2;
  if (c == 0xE1 && at(1) == 0x9A && at(2) == 0x80) return 3;
  if (c == 0xE2 && at(1) == 0x80 &&
      ((at(2) >= 0x80 && at(2) <= 0x8A) || at(2) == 0xA8 || at(2) == 0xA9 || at(2) == 0xAF)) {
    return 3;
  }
  if (c == 0xE2 && at(1) == 0x81 && at(2) == 0x9F) return 3;
  if (c == 0xE3 && at(1) == 0x80 && at(2) == 0x80) return 3;
  if (c == 0xEF && at(1) == 0xBB && at(2) == 0xBF) return 3;
  return 0;
}

bool IsBackgroundProperty(std::string_view key) {
  return key == "background" || key == "wait" || key == "wait-all" || key == "cancel";
}

}  // namespace

std::string_view TrimUnicode(std::string_view s) {
  while (!s.empty()) {
    size_t n = UnicodeSpaceAt(s, 0);
    if (n == 0) break;
    s.remove_prefix(n);
  }
  for (;;) {
    bool trimmed = false;
    for (size_t n = 1; n <= 3 && n <= s.size(); ++n) {
      if (UnicodeSpaceAt(s, s.size() - n) == n) {
        s.remove_suffix(n);
        trimmed = true;
        break;
      }
    }
    if (!trimmed) break;
  }
  return s;
}

std::string ScalarText(const core::Value& node) {
  if (node.is_string()) return node.AsString();
  if (node.is_null()) return "";
  return node.raw();
}

void ErrorList::AddStatus(const core::Status& status) {
  const std::string text = status.message();
  for (std::string_view line : core::SplitLines(text)) {
    if (line.empty()) continue;
    // "<file>:<line>:<col>: <message>": the position back as a Location.
    core::Location location;
    std::string message(line);
    for (size_t colon = line.find(':'); colon != std::string_view::npos;
         colon = line.find(':', colon + 1)) {
      size_t a = colon + 1;
      size_t b = a;
      while (b < line.size() && std::isdigit(static_cast<unsigned char>(line[b]))) ++b;
      if (b == a || b >= line.size() || line[b] != ':') continue;
      size_t c = b + 1;
      size_t d = c;
      while (d < line.size() && std::isdigit(static_cast<unsigned char>(line[d]))) ++d;
      if (d == c || line.substr(d, 2) != ": ") continue;
      location.file = std::make_shared<const std::string>(line.substr(0, colon));
      location.line = std::stoi(std::string(line.substr(a, b - a)));
      location.column = std::stoi(std::string(line.substr(c, d - c)));
      message = std::string(line.substr(d + 2));
      break;
    }
    errors_.push_back(ParseError{location, std::move(message)});
  }
}

void ErrorList::Add(const core::Location& location, std::string message) {
  // GitHub cuts an error, with its "file (Line: L, Col: C): " prefix, at 500 characters.
  constexpr size_t kMaxMessage = 500;
  if (location.known()) {
    size_t prefix = location.file_name().size() + std::string(" (Line: , Col: ): ").size() +
                    std::to_string(location.line).size() + std::to_string(location.column).size();
    if (prefix + message.size() > kMaxMessage && prefix < kMaxMessage) {
      message = message.substr(0, kMaxMessage - prefix) + "[...]";
    }
  }
  errors_.push_back(ParseError{location, std::move(message)});
}

expr::Allowed ToAllowed(const ContextList& contexts) {
  return expr::Allowed::FromSchema(std::span<const std::string_view>(contexts));
}

bool SplitExpressions(std::string_view text, std::vector<ExpressionPiece>* pieces,
                      std::string* error) {
  size_t start = text.find(kOpen);
  while (start != std::string_view::npos) {
    size_t end = std::string_view::npos;
    bool in_string = false;
    size_t i = start + kOpen.size();
    for (; i < text.size(); ++i) {
      if (text[i] == '\'') {
        in_string = !in_string;
      } else if (!in_string && text[i] == '}' && text[i - 1] == '}') {
        end = i;
        break;
      }
    }
    if (end == std::string_view::npos) {
      *error =
          "The expression is not closed. An unescaped ${{ sequence was found, but the closing }} "
          "sequence was not found.";
      return false;
    }
    std::string_view inner = text.substr(start + kOpen.size(), end - 1 - start - kOpen.size());
    pieces->push_back(ExpressionPiece{std::string(inner), start});
    start = text.find(kOpen, end + 1);
  }
  return true;
}

void Reader::Read(const core::Value& node, std::string_view type) {
  Info root;
  root.def = schema::Find(type);
  if (root.def == nullptr) return;
  for (std::string_view c : root.def->context) root.contexts.push_back(c);
  ReadValue(node, root);
}

const ContextList& Reader::ContextsOf(const core::Value& node) const {
  static const ContextList kNone;
  auto it = contexts_.find(&node);
  return it == contexts_.end() ? kNone : it->second;
}

Reader::Info Reader::Child(const Info& parent, std::string_view type) const {
  Info info;
  info.def = schema::Find(type);
  info.contexts = parent.contexts;
  if (info.def != nullptr) {
    for (std::string_view c : info.def->context) {
      bool seen = std::any_of(info.contexts.begin(), info.contexts.end(),
                              [&](std::string_view s) { return core::EqualsIgnoreCase(s, c); });
      if (!seen) info.contexts.push_back(c);
    }
  }
  return info;
}

namespace {

std::vector<const schema::Definition*> DefinitionsOfKind(const schema::Definition* def,
                                                         schema::Kind kind) {
  std::vector<const schema::Definition*> out;
  if (def == nullptr) return out;
  if (def->kind == kind) {
    out.push_back(def);
  } else if (def->kind == schema::Kind::kOneOf) {
    for (std::string_view name : def->one_of) {
      const schema::Definition* nested = schema::Find(name);
      if (nested != nullptr && nested->kind == kind) out.push_back(nested);
    }
  }
  return out;
}

void ScalarDefinitions(const schema::Definition* def, std::vector<const schema::Definition*>* out) {
  if (def == nullptr) return;
  switch (def->kind) {
    case schema::Kind::kNull:
    case schema::Kind::kBoolean:
    case schema::Kind::kNumber:
    case schema::Kind::kString:
      out->push_back(def);
      break;
    case schema::Kind::kOneOf:
      for (std::string_view name : def->one_of) ScalarDefinitions(schema::Find(name), out);
      break;
    default:
      break;
  }
}

bool MatchesString(const schema::Definition& def, std::string_view value) {
  if (!def.constant.empty()) return def.constant == value;
  if (!def.allowed_values.empty()) {
    return std::find(def.allowed_values.begin(), def.allowed_values.end(), value) !=
           def.allowed_values.end();
  }
  if (def.require_non_empty) return !value.empty();
  return true;
}

// "a sequence", "a boolean or a string", "one of 'read', 'write', 'none'": what `def` takes.
void Describe(const schema::Definition* def, std::vector<std::string>* kinds,
              std::vector<std::string>* constants) {
  if (def == nullptr) return;
  auto add = [&](std::string s) {
    if (std::find(kinds->begin(), kinds->end(), s) == kinds->end()) kinds->push_back(std::move(s));
  };
  switch (def->kind) {
    case schema::Kind::kNull:
      add("null");
      break;
    case schema::Kind::kBoolean:
      add("a boolean");
      break;
    case schema::Kind::kNumber:
      add("a number");
      break;
    case schema::Kind::kString:
      if (!def->constant.empty()) {
        constants->push_back("'" + std::string(def->constant) + "'");
      } else if (!def->allowed_values.empty()) {
        for (std::string_view v : def->allowed_values)
          constants->push_back("'" + std::string(v) + "'");
      } else {
        add(def->require_non_empty ? "a non-empty string" : "a string");
      }
      break;
    case schema::Kind::kSequence:
      add("a sequence");
      break;
    case schema::Kind::kMapping:
      add("a mapping");
      break;
    case schema::Kind::kOneOf:
      for (std::string_view name : def->one_of) Describe(schema::Find(name), kinds, constants);
      break;
  }
}

std::string Expected(const schema::Definition* def) {
  std::vector<std::string> kinds;
  std::vector<std::string> constants;
  Describe(def, &kinds, &constants);
  if (!constants.empty()) kinds.push_back("one of " + core::Join(constants, ", "));
  if (kinds.empty()) return "";
  return "; expected " + core::Join(kinds, " or ");
}

}  // namespace

void Reader::ReadValue(const core::Value& node, const Info& info) {
  contexts_[&node] = info.contexts;
  if (node.is_scalar()) {
    std::string text = ScalarText(node);
    Scalar scalar = ParseScalar(node, text, node.location(), info);
    Validate(node, scalar, node.location(), info);
    return;
  }
  if (node.is_sequence()) {
    auto defs = DefinitionsOfKind(info.def, schema::Kind::kSequence);
    if (defs.empty()) {
      errors_->Add(node.location(), "A sequence was not expected" + Expected(info.def));
      return;
    }
    Info item = Child(info, defs[0]->item_type);
    for (const core::Value& v : node.items()) ReadValue(v, item);
    return;
  }
  auto defs = DefinitionsOfKind(info.def, schema::Kind::kMapping);
  if (defs.empty()) {
    errors_->Add(node.location(), "A mapping was not expected" + Expected(info.def));
    return;
  }
  if (defs.size() > 1 || !defs[0]->properties.empty() || defs[0]->loose_key_type.empty()) {
    ReadMapping(node, info, std::move(defs));
  } else {
    ReadLooseMapping(node, info, *defs[0]);
  }
}

Reader::Scalar Reader::ParseScalar(const core::Value& node, std::string_view text,
                                   const core::Location& location, const Info& info) {
  Scalar out;
  if (!node.is_string() || text.empty()) return out;
  if (text.find(kOpen) == std::string_view::npos) return out;
  std::vector<ExpressionPiece> pieces;
  std::string error;
  if (!SplitExpressions(text, &pieces, &error)) {
    errors_->Add(location, error);
    out.kind = ScalarKind::kError;
    return out;
  }
  expr::Allowed allowed = ToAllowed(info.contexts);
  bool failed = false;
  if (text.size() > kMaxExpressionLength) {
    errors_->Add(location,
                 "Exceeded max expression length " + std::to_string(kMaxExpressionLength));
    out.kind = ScalarKind::kError;
    return out;
  }
  bool whole = false;
  for (const ExpressionPiece& piece : pieces) {
    std::string_view trimmed = TrimUnicode(piece.text);
    if (trimmed.empty()) {
      errors_->Add(location, "An expression was expected");
      failed = true;
      continue;
    }
    size_t piece_end = piece.offset + kOpen.size() + piece.text.size() + 2;
    if (trimmed.substr(0, 6) == "insert" && (trimmed.size() == 6 || IsSpace(trimmed[6]))) {
      if (trimmed.size() > 6 && !core::Trim(trimmed.substr(6)).empty()) {
        size_t count = 0;
        for (std::string_view p : core::Split(core::Trim(trimmed.substr(6)), ' ')) {
          if (!p.empty()) ++count;
        }
        errors_->Add(location,
                     "Exactly 0 parameter(s) were expected following the directive "
                     "'insert'. Actual parameter count: " +
                         std::to_string(count));
        failed = true;
        continue;
      }
      if (piece.offset != 0 || piece_end < text.size()) {
        errors_->Add(location,
                     "The directive 'insert' is not allowed in this context. Directives are not "
                     "supported for expressions that are embedded within a string. Directives "
                     "are only supported when the entire value is an expression.");
        out.kind = ScalarKind::kError;
        return out;
      }
      whole = true;
      continue;
    }
    if (trimmed.size() > kMaxExpressionLength) {
      errors_->Add(location,
                   "Exceeded max expression length " + std::to_string(kMaxExpressionLength));
      failed = true;
      continue;
    }
    auto parsed = expr::Expression::Parse(trimmed, allowed);
    if (!parsed.ok()) {
      errors_->Add(location, WithAvailable(parsed.status().message(), allowed));
      failed = true;
    }
  }
  (void)whole;
  if (failed) {
    out.kind = ScalarKind::kError;
    return out;
  }
  if (pieces.size() == 1 && pieces[0].offset == 0 &&
      pieces[0].offset + kOpen.size() + pieces[0].text.size() + 2 == text.size()) {
    if (auto literal = StringLiteralOnly(TrimUnicode(pieces[0].text))) {
      out.kind = ScalarKind::kLiteral;
      out.literal = *literal;
      out.from_expression = true;
      return out;
    }
  }
  out.kind = ScalarKind::kExpression;
  return out;
}

void Reader::Validate(const core::Value& node, const Scalar& scalar, const core::Location& location,
                      const Info& info) {
  // After an expression error the value is checked as the plain string it is (GitHub does).
  if (scalar.kind == ScalarKind::kExpression) {
    if (info.contexts.empty()) {
      errors_->Add(location, "A template expression is not allowed in this context");
    }
    return;
  }
  std::vector<const schema::Definition*> defs;
  ScalarDefinitions(info.def, &defs);
  schema::Kind kind = schema::Kind::kString;
  if (!scalar.from_expression) {
    switch (node.kind()) {
      case core::ValueKind::kNull:
        kind = schema::Kind::kNull;
        break;
      case core::ValueKind::kBool:
        kind = schema::Kind::kBoolean;
        break;
      case core::ValueKind::kNumber:
        kind = schema::Kind::kNumber;
        break;
      default:
        break;
    }
  }
  std::string text = scalar.from_expression ? scalar.literal : ScalarText(node);
  for (const schema::Definition* d : defs) {
    if (d->kind != kind) continue;
    if (kind != schema::Kind::kString || MatchesString(*d, text)) return;
  }
  if (kind != schema::Kind::kString) {
    for (const schema::Definition* d : defs) {
      if (d->kind == schema::Kind::kString && MatchesString(*d, text)) return;
    }
  }
  errors_->Add(location, "Unexpected value '" + text + "'" + Expected(info.def));
}

void Reader::ValidateKey(std::string_view key, const core::Location& location, const Info& info) {
  core::Value as_string = core::Value::String(std::string(key));
  Scalar scalar;
  Validate(as_string, scalar, location, info);
}

bool Reader::IsExpressionKey(const core::Member& member, const Info& info, bool* error) {
  *error = false;
  if (member.key.find(kOpen) == std::string::npos) return false;
  core::Value key = core::Value::String(member.key);
  Scalar scalar = ParseScalar(key, member.key, member.key_location, info);
  if (scalar.kind == ScalarKind::kError) {
    *error = true;
    return true;
  }
  return scalar.kind == ScalarKind::kExpression;
}

void Reader::ReadMapping(const core::Value& node, const Info& info,
                         std::vector<const schema::Definition*> defs) {
  std::set<std::string> seen;
  bool has_expression_key = false;
  for (const core::Member& m : node.members()) {
    bool key_error = false;
    if (IsExpressionKey(m, info, &key_error)) {
      has_expression_key = true;
      if (key_error) continue;
      if (!info.contexts.empty()) {
        ReadValue(m.value, Child(info, "any"));
      } else {
        errors_->Add(m.key_location, "A template expression is not allowed in this context");
      }
      continue;
    }
    if (!m.key.empty()) {
      if (!seen.insert(core::ToUpper(m.key)).second) {
        errors_->Add(m.key_location, "'" + m.key + "' is already defined");
        continue;
      }
    }
    // A known property: keep the definitions that have it.
    const schema::Property* property = nullptr;
    bool missing_somewhere = false;
    for (const schema::Definition* d : defs) {
      if (const schema::Property* p = d->FindProperty(m.key)) {
        property = p;
      } else {
        missing_somewhere = true;
      }
    }
    if (property != nullptr) {
      if (missing_somewhere) {
        std::erase_if(
            defs, [&](const schema::Definition* d) { return d->FindProperty(m.key) == nullptr; });
      }
      if (!allow_background_steps_ && IsBackgroundProperty(m.key)) {
        errors_->Add(m.key_location, "Unexpected value '" + m.key + "'");
        continue;
      }
      ReadValue(m.value, Child(info, property->type));
      continue;
    }
    if (!defs[0]->loose_key_type.empty()) {
      ValidateKey(m.key, m.key_location, Child(info, defs[0]->loose_key_type));
      ReadValue(m.value, Child(info, defs[0]->loose_value_type));
      continue;
    }
    std::vector<std::string> known;
    for (const schema::Definition* d : defs) {
      for (const schema::Property& p : d->properties) {
        if (allow_background_steps_ || !IsBackgroundProperty(p.name)) {
          if (std::find(known.begin(), known.end(), p.name) == known.end())
            known.emplace_back(p.name);
        }
      }
    }
    errors_->Add(m.key_location,
                 "Unexpected value '" + m.key + "'; expected one of: " + core::Join(known, ", "));
  }
  if (defs.size() > 1) {
    std::map<std::string_view, int> hits;
    for (const schema::Definition* d : defs) {
      for (const schema::Property& p : d->properties) ++hits[p.name];
    }
    std::vector<std::string> names;
    for (const auto& [name, count] : hits) {
      if (count == 1 &&
          (allow_background_steps_ || (name != "wait" && name != "wait-all" && name != "cancel"))) {
        names.emplace_back(name);
      }
    }
    std::sort(names.begin(), names.end());
    errors_->Add(node.location(),
                 "There's not enough info to determine what you meant. Add one of these "
                 "properties: " +
                     core::Join(names, ", "));
  } else if (!has_expression_key) {
    for (const schema::Property& p : defs[0]->properties) {
      if (p.required && seen.count(core::ToUpper(p.name)) == 0) {
        errors_->Add(node.location(), "Required property is missing: " + std::string(p.name));
      }
    }
  }
}

void Reader::ReadLooseMapping(const core::Value& node, const Info& info,
                              const schema::Definition& def) {
  Info key_info = Child(info, def.loose_key_type);
  Info value_info = Child(info, def.loose_value_type);
  std::set<std::string> seen;
  for (const core::Member& m : node.members()) {
    bool key_error = false;
    if (IsExpressionKey(m, info, &key_error)) {
      if (key_error) continue;
      if (!info.contexts.empty()) {
        ReadValue(m.value, value_info);
      } else {
        errors_->Add(m.key_location, "A template expression is not allowed in this context");
      }
      continue;
    }
    if (!m.key.empty() && !seen.insert(core::ToUpper(m.key)).second) {
      errors_->Add(m.key_location, "'" + m.key + "' is already defined");
      continue;
    }
    ValidateKey(m.key, m.key_location, key_info);
    ReadValue(m.value, value_info);
  }
}

// GitHub's message for an unknown context or function, plus what this key may use.
std::string WithAvailable(const std::string& message, const expr::Allowed& allowed) {
  if (message.starts_with("Unrecognized named-value")) {
    return message + "; expected one of the contexts available here: " +
           (allowed.contexts.empty() ? std::string("none") : core::Join(allowed.contexts, ", "));
  }
  if (message.starts_with("Unrecognized function")) {
    std::vector<std::string> names = {"contains", "startsWith", "endsWith", "format",
                                      "join",     "toJSON",     "fromJSON", "case"};
    for (const expr::FunctionSpec& f : allowed.functions) names.push_back(f.name);
    return message + "; expected one of the functions available here: " + core::Join(names, ", ");
  }
  return message;
}

}  // namespace cairn::workflow
