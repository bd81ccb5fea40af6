// Module-private: the data commands' output, as DVC prints it (text and --json), so that the
// `dvc` personality matches DVC byte for byte and `cairn data` says the same things.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "core/value.h"
#include "data/ops.h"

namespace cairn::cli {

/// `dvc status` as a JSON-ready tree: {stage: [{"changed deps": {...}}, ..., "changed command"]}.
core::Value StatusToValue(const std::vector<data::StageStatus>& stages);

/// DVC's _show over a status tree (TAB indents, "state:" padded to 20 columns).
std::string StatusText(const core::Value& status, int indent = 0);

/// Python's json.dumps(value) (", " and ": " separators, ASCII escapes) plus a newline.
std::string DvcJson(const core::Value& value);

/// A table as DVC prints it (tabulate's "plain" format): columns left-aligned, each as wide
/// as its widest cell and at least its header plus 2, separated by 2 spaces, lines
/// right-trimmed. Missing cells are "-".
std::string Table(const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows);

/// The hint DVC prints after changing files git should track.
std::string GitAddHint(const std::vector<std::string>& files, bool dvc);

}  // namespace cairn::cli
