// ParseWorkflow and LoadWorkflowFile: YAML loading, the YAML rules GitHub adds (no anchors, no
// tags beyond the core schema), the schema reader, the model builder, and errors in file order.
#include "workflow/parse.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>

#include "core/path.h"
#include "core/strings.h"
#include "core/yaml.h"
#include "workflow/build.h"
#include "workflow/reader.h"

namespace cairn::workflow {
namespace {

// The name of the anchor written just before `location` on its line ("&name").
std::string AnchorNameAt(std::string_view text, const core::Location& location) {
  std::vector<std::string_view> lines = core::SplitLines(text);
  if (location.line < 1 || static_cast<size_t>(location.line) > lines.size()) return "";
  std::string_view line = lines[location.line - 1];
  size_t end = std::min(line.size(), static_cast<size_t>(std::max(location.column, 1)) + 1);
  size_t amp = line.substr(0, end).rfind('&');
  if (amp == std::string_view::npos) amp = line.find('&');
  if (amp == std::string_view::npos) return "";
  size_t stop = amp + 1;
  while (stop < line.size() && line[stop] != ' ' && line[stop] != '\t' && line[stop] != ',' &&
         line[stop] != ']' && line[stop] != '}') {
    ++stop;
  }
  return std::string(line.substr(amp + 1, stop - amp - 1));
}

// GitHub refuses anchors (and so aliases): reports the first anchor.
bool CheckAnchors(const core::Value& node, std::string_view text, std::string_view filename,
                  ErrorList* errors) {
  (void)filename;
  auto report = [&](const core::Location& location) {
    errors->Add(location, "Anchors are not currently supported. Remove the anchor '" +
                              AnchorNameAt(text, location) + "'");
    return true;
  };
  if (node.anchored() && !node.alias()) return report(node.location());
  for (const core::Value& item : node.items()) {
    if (CheckAnchors(item, text, filename, errors)) return true;
  }
  for (const core::Member& m : node.members()) {
    if (m.key_anchored && !m.key_alias) return report(m.key_location);
    if (CheckAnchors(m.value, text, filename, errors)) return true;
  }
  return false;
}

// Tags other than the core schema's (`!!timestamp`, `!custom`) are refused, and so is a quoted
// scalar tagged as a number, boolean or null. Tags are looked for where a node starts.
bool CheckTags(std::string_view text, std::string_view filename, ErrorList* errors) {
  std::vector<std::string_view> lines = core::SplitLines(text);
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string_view line = lines[n];
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      char c = line[i];
      if (quote != 0) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '#' && (i == 0 || line[i - 1] == ' ')) break;
      bool node_start =
          i == 0 || line[i - 1] == '[' || line[i - 1] == '{' ||
          (line[i - 1] == ' ' &&
           (core::Trim(line.substr(0, i)).empty() ||
            (i >= 2 && (line[i - 2] == ':' || line[i - 2] == '-' || line[i - 2] == ','))));
      if ((c == '"' || c == '\'') && node_start) {
        quote = c;
        continue;
      }
      if (c != '!' || !node_start || i + 1 >= line.size()) continue;
      char next = line[i + 1];
      if (!std::isalpha(static_cast<unsigned char>(next)) && next != '!' && next != '<') continue;
      size_t stop = i + 1;
      if (next == '<') {
        stop = line.find('>', i);
        stop = stop == std::string_view::npos ? line.size() : stop + 1;
      }
      while (stop < line.size() && line[stop] != ' ' && line[stop] != ',' && line[stop] != ']') {
        ++stop;
      }
      std::string_view tag = line.substr(i, stop - i);
      std::string name;
      if (tag.substr(0, 2) == "!!") {
        name = std::string(tag.substr(2));
      } else if (tag.substr(0, 20) == "!<tag:yaml.org,2002:" && tag.back() == '>') {
        name = std::string(tag.substr(20, tag.size() - 21));
      } else {
        errors->Add(core::Location{},
                    std::string(filename) + ": Unexpected tag '" + std::string(tag) + "'");
        return true;
      }
      static const std::vector<std::string_view> kCore = {"str",  "int", "float", "bool",
                                                          "null", "map", "seq"};
      if (std::find(kCore.begin(), kCore.end(), name) == kCore.end()) {
        errors->Add(core::Location{},
                    std::string(filename) + ": Unexpected tag 'tag:yaml.org,2002:" + name + "'");
        return true;
      }
      size_t value = stop;
      while (value < line.size() && line[value] == ' ') ++value;
      if (value < line.size() && (line[value] == '"' || line[value] == '\'') && name != "str" &&
          name != "map" && name != "seq") {
        errors->Add(core::Location{},
                    std::string(filename) + ": The scalar style '" +
                        (line[value] == '"' ? "DoubleQuoted" : "SingleQuoted") + "' on line " +
                        std::to_string(n + 1) + " and column " + std::to_string(i + 1) +
                        " is not valid with the tag 'tag:yaml.org,2002:" + name + "'");
        return true;
      }
      i = stop;
    }
  }
  return false;
}

int Depth(const core::Value& node) {
  int depth = 0;
  for (const core::Value& item : node.items()) depth = std::max(depth, Depth(item));
  for (const core::Member& m : node.members()) depth = std::max(depth, Depth(m.value));
  return node.is_scalar() ? 0 : depth + 1;
}

// The bytes GitHub's reader counts for a string: its UTF-16 length, doubled, and overhead.
size_t StringBytes(std::string_view s) {
  size_t units = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++units;  // one per code point,
    if (c >= 0xF0) ++units;           // two for those past U+FFFF
  }
  return 26 + 2 * units;
}

// The bytes GitHub's reader counts for a node and all it holds (TemplateMemory: 24 a node).
size_t ResultBytes(const core::Value& node) {
  constexpr size_t kNode = 24;
  if (node.is_string()) return kNode + StringBytes(node.AsString());
  size_t bytes = kNode;
  for (const core::Value& item : node.items()) bytes += ResultBytes(item);
  for (const core::Member& m : node.members()) {
    bytes += kNode + StringBytes(m.key) + ResultBytes(m.value);
  }
  return bytes;
}

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::string ParseError::ToString() const {
  if (location.known()) return location.ToString() + ": " + message;
  return message;
}

Workflow ParseAtDepth(std::string_view text, std::string_view filename, const ParseOptions& options,
                      int depth, ParseState* state, ErrorList* errors) {
  Workflow workflow;
  workflow.file = std::string(filename);
  if (options.max_file_size > 0 && text.size() > options.max_file_size) {
    errors->Add(core::Location{}, std::string(filename) + ": The maximum file size of " +
                                      std::to_string(options.max_file_size) +
                                      " characters has been exceeded");
    return workflow;
  }
  auto root = core::ParseYaml(text, filename);
  if (!root.ok()) {
    errors->AddStatus(root.status());
    return workflow;
  }
  if (CheckAnchors(*root, text, filename, errors)) return workflow;
  if (CheckTags(text, filename, errors)) return workflow;
  if (options.max_depth > 0 && Depth(*root) > options.max_depth) {
    errors->Add(core::Location{}, std::string(filename) + ": Maximum object depth exceeded");
    return workflow;
  }
  if (options.max_result_size > 0) {
    // Cumulative over the caller and the workflows it calls, as GitHub's parent memory is.
    state->result_bytes += StringBytes(filename) + ResultBytes(*root);
    if (state->result_bytes > options.max_result_size) {
      if (depth > 1) {
        state->result_too_large = true;  // the caller reports it at its `uses:`
      } else {
        errors->Add(core::Location{}, std::string(filename) + ": Maximum object size exceeded");
      }
      return workflow;
    }
  }
  size_t before = errors->size();
  Reader reader(errors, options.allow_background_steps);
  reader.Read(*root, "workflow-root");
  if (errors->size() > before) return workflow;
  Builder builder(reader, errors, options, depth, state);
  builder.BuildWorkflow(*root, &workflow);
  return workflow;
}

core::Result<Workflow> ParseWorkflow(std::string_view text, std::string_view filename,
                                     const ParseOptions& options, std::vector<ParseError>* errors) {
  ErrorList list;
  ParseState state;
  Workflow workflow = ParseAtDepth(text, filename, options, 1, &state, &list);
  if (list.empty()) CheckCallPermissions(workflow, options, &list);
  if (list.empty() && options.max_jobs > 0 && CountJobs(workflow) > options.max_jobs) {
    list.Add(core::Location{}, "The workflow may not contain more than " +
                                   std::to_string(options.max_jobs) + " jobs");
  }
  std::vector<ParseError> sorted = list.errors();
  // File order: by file (in order of first appearance), then line and column.
  std::vector<std::string> files;
  auto file_index = [&](const ParseError& e) {
    std::string name(e.location.file_name());
    auto it = std::find(files.begin(), files.end(), name);
    if (it != files.end()) return static_cast<size_t>(it - files.begin());
    files.push_back(name);
    return files.size() - 1;
  };
  for (const ParseError& e : sorted) file_index(e);
  std::stable_sort(sorted.begin(), sorted.end(), [&](const ParseError& a, const ParseError& b) {
    size_t fa = file_index(a);
    size_t fb = file_index(b);
    if (fa != fb) return fa < fb;
    if (a.location.line != b.location.line) return a.location.line < b.location.line;
    return a.location.column < b.location.column;
  });
  if (errors != nullptr) *errors = sorted;
  if (sorted.empty()) return workflow;
  std::vector<std::string> lines;
  for (const ParseError& e : sorted) lines.push_back(e.ToString());
  return core::Status::InvalidArgument(core::Join(lines, "\n"));
}

core::Result<Workflow> ParseWorkflow(std::string_view text, std::string_view filename,
                                     const ParseOptions& options) {
  return ParseWorkflow(text, filename, options, nullptr);
}

core::Result<Workflow> LoadWorkflowFile(std::string_view path, ParseOptions options) {
  std::optional<std::string> text = ReadWholeFile(std::string(path));
  if (!text) {
    return core::Status::NotFound(std::string(path) + ": cannot read the workflow file");
  }
  if (options.repository_root.empty()) {
    size_t at = path.rfind(".github/workflows/");
    if (at != std::string_view::npos) {
      options.repository_root = at == 0 ? "." : std::string(path.substr(0, at));
    }
  }
  return ParseWorkflow(*text, path, options);
}

}  // namespace cairn::workflow
