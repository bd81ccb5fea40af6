// YAML: loads YAML text into core::Value (every node with its file:line:col), over yaml-cpp's
// event parser, which stays inside yaml.cc.
//
// Plain scalars are typed by the YAML 1.2 core schema: `~`, `null`, `Null`, `NULL` and the empty
// node are null; `true`/`True`/`TRUE`/`false`/... are booleans (`yes`, `no`, `on` are strings);
// decimal, `0x` hex and `0o` octal integers and decimal/exponent floats, `.inf`, `-.inf` and
// `.nan` are numbers, keeping their raw text (`3.10` stays "3.10"). Quoted and block scalars are
// always strings. The tags !!str, !!int, !!float, !!bool and !!null are honoured; other tags are
// ignored (the scalar is typed as if untagged).
//
// Mapping keys are strings: a scalar key is taken as written (`on:` is "on", `1:` is "1"); a
// sequence or mapping as a key is an error, and so is a key written twice (the message names
// both places). Merge keys (`<<`) get no special meaning. An alias is replaced by a copy of the
// node its anchor names: the copy is marked alias() and the anchored node anchored() (mapping
// keys: Member::key_alias/key_anchored), so a caller can refuse them with a precise location.
//
// Errors are InvalidArgument "<file>:<line>:<col>: <message>" (1-based; columns count code
// points). The text must be UTF-8 (a leading byte order mark is skipped). All functions are
// pure and thread-safe; no exception escapes them.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"

namespace cairn::core {

/// Loads the one document of `text`. An empty text (or only comments) is a null at 1:1. A
/// second document ("---") is an error: use ParseYamlDocuments for multi-document streams.
/// `filename` is only used for locations and messages.
Result<Value> ParseYaml(std::string_view text, std::string_view filename);

/// Loads every document of a stream, in order (none for an empty text). Anchors are local to
/// their document.
Result<std::vector<Value>> ParseYamlDocuments(std::string_view text, std::string_view filename);

}  // namespace cairn::core
