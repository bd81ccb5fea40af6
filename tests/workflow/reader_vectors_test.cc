// GitHub's official workflow reader vectors (actions/languageservices workflow-parser/testdata/
// reader, copied to ../shared/conformance): each file holds options, a workflow, the workflows
// it calls (for reusable-workflow vectors), and the expected result: the converted workflow, or
// errors. ParseWorkflow must accept exactly the ones with no errors; messages are compared too
// (without their positions) and counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/strings.h"
#include "core/yaml.h"
#include "workflow/workflow.h"

namespace cairn::workflow {
namespace {

const char* const kVectorDir =
    CAIRN_SOURCE_DIR "/../shared/conformance/actions/languageservices/workflow-parser/reader";

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The documents of a vector file: split at lines that are exactly "---".
std::vector<std::string> SplitDocuments(const std::string& text) {
  std::vector<std::string> docs(1);
  for (std::string_view line : core::SplitLines(text)) {
    if (core::TrimRight(line) == "---") {
      docs.emplace_back();
      continue;
    }
    docs.back() += std::string(line) + "\n";
  }
  return docs;
}

// "file (Line: 3, Col: 5): msg" / "file:3:5: msg" / "file: msg" -> "msg".
std::string BareMessage(const std::string& message) {
  static const std::regex kGithub(R"(^(In )?\S+ \(Line: \d+, Col: \d+\): )");
  static const std::regex kOurs(R"(^\S+?:\d+:\d+: )");
  static const std::regex kFile(R"(^\S+\.ya?ml(@\S+)?: )");
  // Our messages add "; expected ..." to GitHub's.
  const std::string text = message.substr(0, message.find("; expected "));
  const auto first = std::regex_constants::format_first_only;
  std::string out = std::regex_replace(text, kGithub, "", first);
  if (out == text) out = std::regex_replace(text, kOurs, "", first);
  if (out == text) out = std::regex_replace(text, kFile, "", first);
  return out;
}

// Vectors cairn does not follow yet, and why. The test fails when one of them starts agreeing,
// so the list only shrinks.
const std::map<std::string, std::string> kKnownDisagreements = {};

struct Vector {
  std::string name;
  ParseOptions options;
  std::string workflow;
  bool expect_errors = false;
  std::vector<std::string> expected_messages;
};

Vector Load(const std::filesystem::path& path) {
  Vector v;
  v.name = path.filename().string();
  std::vector<std::string> docs = SplitDocuments(ReadAll(path));
  if (docs.size() < 3) return v;
  auto options = core::ParseYaml(docs[0], "options");
  if (options.ok() && options->is_mapping()) {
    if (const core::Value* d = options->Find("max-depth"))
      v.options.max_depth = static_cast<int>(d->AsDouble());
    if (const core::Value* s = options->Find("max-file-size")) {
      v.options.max_file_size = static_cast<size_t>(s->AsDouble());
    }
    if (const core::Value* r = options->Find("max-result-size")) {
      v.options.max_result_size = static_cast<size_t>(r->AsDouble());
    }
    if (const core::Value* j = options->Find("max-job-limit"))
      v.options.max_jobs = static_cast<int>(j->AsDouble());
    if (const core::Value* n = options->Find("max-nested-reusable-workflows-depth")) {
      v.options.max_nesting = static_cast<int>(n->AsDouble());
    }
    if (const core::Value* p = options->Find("permissions-policy"); p && p->is_string()) {
      if (p->AsString() == "LimitedRead") {
        v.options.permissions_policy = ParseOptions::PermissionsPolicy::kLimitedRead;
      }
    }
    if (const core::Value* f = options->Find("experimental-features"); f && f->is_mapping()) {
      if (const core::Value* b = f->Find("allowBackgroundSteps"); b && b->is_bool()) {
        v.options.allow_background_steps = b->AsBool();
      }
    }
  }
  v.workflow = docs[1];
  for (size_t i = 2; i + 2 < docs.size(); i += 2) {
    std::string ref(core::Trim(docs[i]));
    v.options.workflows[ref] = docs[i + 1];
  }
  auto expected = core::ParseJson(docs.back(), "expected");
  if (expected.ok() && expected->is_mapping()) {
    if (const core::Value* errors = expected->Find("errors")) {
      v.expect_errors = true;
      for (const core::Value& e : errors->items()) {
        if (const core::Value* m = e.Find("Message"); m && m->is_string()) {
          v.expected_messages.push_back(BareMessage(m->AsString()));
        }
      }
    }
  }
  return v;
}

TEST(ReaderVectors, AcceptAndRejectAsGitHub) {
  if (!std::filesystem::is_directory(kVectorDir)) {
    GTEST_SKIP() << "no reader vectors at " << kVectorDir;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kVectorDir)) {
    if (entry.path().extension() == ".yml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  int agree = 0;
  int exact = 0;
  int with_errors = 0;
  std::vector<std::string> disagree;
  for (const auto& path : files) {
    Vector v = Load(path);
    std::vector<ParseError> errors;
    auto parsed = ParseWorkflow(v.workflow, ".github/workflows/" + v.name, v.options, &errors);
    bool rejected = !parsed.ok();
    if (rejected == v.expect_errors) {
      ++agree;
      if (kKnownDisagreements.count(v.name) != 0) {
        ADD_FAILURE() << v.name << " now agrees: remove it from kKnownDisagreements";
      }
    } else if (kKnownDisagreements.count(v.name) == 0) {
      std::string detail = v.name + (v.expect_errors ? ": accepted, expected: " : ": rejected: ");
      detail += v.expect_errors ? (v.expected_messages.empty() ? "" : v.expected_messages[0])
                                : parsed.status().message();
      disagree.push_back(detail);
    }
    if (v.expect_errors) {
      ++with_errors;
      std::vector<std::string> ours;
      for (const ParseError& e : errors) ours.push_back(BareMessage(e.ToString()));
      std::vector<std::string> theirs = v.expected_messages;
      std::sort(ours.begin(), ours.end());
      std::sort(theirs.begin(), theirs.end());
      if (ours == theirs) {
        ++exact;
      } else if (std::getenv("CAIRN_SHOW_MESSAGES") != nullptr) {
        std::printf("%s\n  github: %s\n  cairn:  %s\n", v.name.c_str(),
                    core::Join(theirs, " | ").c_str(), core::Join(ours, " | ").c_str());
      }
    }
  }
  std::printf(
      "reader vectors: %d/%zu agree on accept/reject; %d/%d with errors have exactly "
      "GitHub's messages\n",
      agree, files.size(), exact, with_errors);
  for (const std::string& d : disagree) ADD_FAILURE() << d;
}

}  // namespace
}  // namespace cairn::workflow
