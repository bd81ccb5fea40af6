#include "cli/data_output.h"

#include <algorithm>

#include <fmt/format.h>

#include "cli/shell_quote.h"
#include "core/json.h"

namespace cairn::cli {
namespace {

constexpr size_t kStatusLen = 20;  // DVC's STATUS_LEN

std::string Normalize(std::string_view state) {
  std::string s(state);
  s += ':';
  if (s.size() < kStatusLen) s.append(kStatusLen - s.size(), ' ');
  return s;
}

core::Value Changes(const std::vector<data::PathChange>& changes) {
  core::Value map = core::Value::Mapping();
  for (const data::PathChange& c : changes) {
    if (c.params.empty()) {
      map.Set(c.path, core::Value::String(c.state));
      continue;
    }
    core::Value keys = core::Value::Mapping();
    for (const auto& [key, state] : c.params) keys.Set(key, core::Value::String(state));
    map.Set(c.path, std::move(keys));
  }
  return map;
}

}  // namespace

core::Value StatusToValue(const std::vector<data::StageStatus>& stages) {
  core::Value out = core::Value::Mapping();
  for (const data::StageStatus& s : stages) {
    core::Value list = core::Value::Sequence();
    if (!s.changed_deps.empty()) {
      core::Value m = core::Value::Mapping();
      m.Set("changed deps", Changes(s.changed_deps));
      list.Append(std::move(m));
    }
    if (!s.changed_outs.empty()) {
      core::Value m = core::Value::Mapping();
      m.Set("changed outs", Changes(s.changed_outs));
      list.Append(std::move(m));
    }
    if (s.always_changed) list.Append(core::Value::String("always changed"));
    if (s.changed_command) list.Append(core::Value::String("changed command"));
    out.Set(s.name, std::move(list));
  }
  return out;
}

std::string StatusText(const core::Value& status, int indent) {
  std::string ind(static_cast<size_t>(indent), '\t');
  std::string out;
  if (status.is_string()) return ind + status.AsString() + "\n";
  if (status.is_sequence()) {
    for (const core::Value& item : status.items()) out += StatusText(item, indent);
    return out;
  }
  if (!status.is_mapping()) return out;
  for (const core::Member& m : status.members()) {
    if (m.value.is_string()) {
      out += ind + Normalize(m.value.AsString()) + m.key + "\n";
    } else if (m.value.size() > 0) {
      out += ind + m.key + ":\n";
      out += StatusText(m.value, indent + 1);
    }
  }
  return out;
}

std::string DvcJson(const core::Value& value) {
  core::JsonWriteOptions options;
  options.ensure_ascii = true;
  options.item_separator = ", ";
  options.key_separator = ": ";
  return core::ToJson(value, options) + "\n";
}

std::string Table(const std::vector<std::string>& headers,
                  const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t c = 0; c < headers.size(); ++c) width[c] = headers[c].size() + 2;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < width.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < headers.size(); ++c) {
      std::string cell = c < cells.size() ? cells[c] : "-";
      if (c > 0) out += "  ";
      out += cell;
      if (c + 1 < headers.size()) out.append(width[c] - std::min(width[c], cell.size()), ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers);
  for (const auto& row : rows) out += line(row);
  return out;
}

std::string GitAddHint(const std::vector<std::string>& files, bool dvc) {
  if (files.empty()) return "";
  std::vector<std::string> quoted;
  for (const std::string& f : files) {
    std::string q = ShellQuote(f);
    if (std::find(quoted.begin(), quoted.end(), q) == quoted.end()) quoted.push_back(q);
  }
  return fmt::format(
      "\nTo track the changes with git, run:\n\n\tgit add {}\n\nTo enable auto staging, run:\n\n"
      "\t{} config core.autostage true\n",
      fmt::join(quoted, " "), dvc ? "dvc" : "cairn data");
}

}  // namespace cairn::cli
