// YAML writer: core::Value to YAML text exactly as Python's YAML libraries write it, so the
// files cairn shares with DVC (`.dvc`, `dvc.lock`: ruamel.yaml) and MLflow (`MLmodel`: PyYAML)
// come out byte for byte as those tools write them.
//
// The writer is a port of the Emitter that PyYAML and ruamel.yaml share: the scalar analysis
// (which styles a string allows), the style choice (plain when the string allows it and reads
// back as the same type, else single-quoted, else double-quoted), and the four writers with
// their folding past the best width. Block style throughout: mappings indented by 2, sequences
// "indentless" under a mapping key (`outs:\n- md5: ...`), empty containers as `[]` and `{}`.
// The rules, with examples, are in docs/formats/yaml-style.md.
//
// What a Value carries and how it is written:
// - null: ruamel writes nothing after `key:` (and `- ` in a sequence, `null` alone at the root);
//   PyYAML writes `null`.
// - bool: `true` / `false`, whatever the spelling it was loaded from.
// - number: ruamel keeps the spelling of a loaded number (round trip: `1.0e-3` stays as
//   written); a programmatic one prints as Python prints it (core::Value::Double gives repr:
//   `0.1`, `1e-07`). PyYAML prints the value: integers in decimal, floats as repr with `.0`
//   before a bare exponent (`1.0e-07`). Non-finite numbers are `.inf`, `-.inf`, `.nan`.
// - string: analysed and quoted as the library would. A string loaded from a literal block
//   (`|`) stays literal under ruamel, as its round-trip loader keeps that style; other loaded
//   styles are not kept (ruamel re-chooses the quoting of every other string, as here).
// - Mapping keys are strings; a key that is multiline or 128+ characters long is written as an
//   explicit `? key` / `: value` pair, as the libraries do.
// Invalid UTF-8 in a string is written as U+FFFD (neither library can hold such bytes).
//
// Not reproduced (DVC never writes them): comments, anchors and aliases (an alias is written as
// a copy), flow-style collections other than empty ones (a loaded `[1, 2]` comes out as a block
// sequence), folded (`>`) scalars (written as any other string).
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "core/value.h"

namespace cairn::core {

/// Whose emitter to reproduce.
enum class YamlFlavor : uint8_t {
  /// ruamel.yaml 0.17's round-trip dumper, `YAML()` with `default_flow_style = False`, as DVC
  /// writes `.dvc` and `dvc.lock` files: YAML 1.2 typing (`yes`, `no`, `on`, `off` stay plain),
  /// null as an empty value, strings holding a `'` or a line break double-quoted.
  kRuamel,
  /// PyYAML's `safe_dump(default_flow_style=False)`, as MLflow writes `MLmodel`: YAML 1.1
  /// typing (`yes`, `no`, `on`, `off` are quoted), null as `null`.
  kPyYaml,
};

struct YamlEmitOptions {
  YamlFlavor flavor = YamlFlavor::kRuamel;
  /// Write printable non-ASCII characters as they are (ruamel's default; PyYAML's
  /// allow_unicode=True). When false, a string holding one is double-quoted with `\u` escapes.
  bool allow_unicode = true;
  /// Write mapping members sorted by key in code point order (PyYAML's sort_keys=True);
  /// otherwise in stored order.
  bool sort_keys = false;
  /// The libraries' best_width: plain and quoted scalars fold at a space past this column.
  /// Values of 4 or less mean the default, 80 (as the libraries treat them).
  int width = 80;

  /// DVC's settings: ruamel, unicode as is, stored order, width 80.
  static YamlEmitOptions Dvc() { return YamlEmitOptions{}; }
  /// PyYAML's safe_dump defaults: allow_unicode=False, sort_keys=True, width 80.
  static YamlEmitOptions PyYamlSafeDump() {
    return YamlEmitOptions{YamlFlavor::kPyYaml, false, true, 80};
  }
};

/// The YAML document for `value`, ending with a line break. A scalar at the root is followed
/// by the document end marker `...` when the library writes one (plain scalars).
std::string EmitYaml(const Value& value, const YamlEmitOptions& options = {});

}  // namespace cairn::core
