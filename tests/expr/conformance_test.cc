// Runs GitHub's official expression vectors (actions/languageservices expressions/testdata)
// through Expression::Parse and Evaluate: the value and kind must match, or both must fail with
// the same error kind and the vector's message as a substring.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/json.h"
#include "expr/expr.h"

namespace cairn::expr {
namespace {

const char* const kVectorDir =
    CAIRN_SOURCE_DIR "/../shared/conformance/actions/languageservices/expressions";

bool SameValue(const Value& got, const core::Value& want) {
  switch (want.kind()) {
    case core::ValueKind::kNull:
      return got.kind() == Kind::kNull;
    case core::ValueKind::kBool:
      return got.kind() == Kind::kBoolean && got.AsBool() == want.AsBool();
    case core::ValueKind::kNumber: {
      if (got.kind() != Kind::kNumber) return false;
      double a = got.AsNumber(), b = want.AsDouble();
      return a == b || (std::isnan(a) && std::isnan(b));
    }
    case core::ValueKind::kString:
      return got.kind() == Kind::kString && got.AsString() == want.AsString();
    case core::ValueKind::kSequence: {
      if (got.kind() != Kind::kArray || got.AsArray().size() != want.items().size()) return false;
      for (size_t i = 0; i < want.items().size(); ++i) {
        if (!SameValue(got.AsArray()[i], want.items()[i])) return false;
      }
      return true;
    }
    case core::ValueKind::kMapping: {
      if (got.kind() != Kind::kObject || got.AsObject().size() != want.members().size()) {
        return false;
      }
      for (const core::Member& m : want.members()) {
        const Value* v = got.Get(m.key);
        if (v == nullptr || !SameValue(*v, m.value)) return false;
      }
      return true;
    }
  }
  return false;
}

// Returns "" when the case passes, else what went wrong.
std::string RunCase(const core::Value& c) {
  const std::string& text = c.Find("expr")->AsString();
  Allowed allowed;
  Contexts contexts;
  if (const core::Value* ctx = c.Find("contexts")) {
    for (const core::Member& m : ctx->members()) {
      allowed.contexts.push_back(m.key);
      contexts.Set(m.key, Value::FromCore(m.value));
    }
  }
  Result<Value> got = Status::Ok();
  auto parsed = Expression::Parse(text, allowed);
  if (parsed.ok()) {
    got = parsed->Evaluate({.contexts = &contexts});
  } else {
    got = parsed.status();
  }
  if (const core::Value* err = c.Find("err")) {
    const std::string& kind = err->Find("kind")->AsString();
    const std::string& message = err->Find("value")->AsString();
    if (got.ok()) return "expected " + kind + " error, got " + got->ToJson();
    auto k = KindOf(got.status());
    if (!k || ErrorKindName(*k) != kind) {
      return "error kind " + std::string(k ? ErrorKindName(*k) : "none") + " != " + kind + ": " +
             got.status().message();
    }
    if (got.status().message().find(message) == std::string::npos) {
      return "message '" + got.status().message() + "' lacks '" + message + "'";
    }
    return "";
  }
  const core::Value* result = c.Find("result");
  if (!got.ok()) return "unexpected error: " + got.status().message();
  const std::string& kind = result->Find("kind")->AsString();
  if (KindName(got->kind()) != kind) {
    return "kind " + std::string(KindName(got->kind())) + " != " + kind + " (" + got->ToJson() +
           ")";
  }
  if (!SameValue(*got, *result->Find("value"))) return "value " + got->ToJson();
  return "";
}

bool SkipsTypescript(const core::Value& c) {
  const core::Value* options = c.Find("options");
  const core::Value* skip = options ? options->Find("skip") : nullptr;
  if (skip == nullptr) return false;
  for (const core::Value& s : skip->items()) {
    if (s.is_string() && s.AsString() == "typescript") return true;
  }
  return false;
}

TEST(ExprConformance, OfficialVectors) {
  if (!std::filesystem::is_directory(kVectorDir)) {
    GTEST_SKIP() << "the official vectors are not present at " << kVectorDir;
  }
  int runnable = 0, passed = 0, ts_skipped = 0, ts_skipped_passed = 0;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kVectorDir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    auto doc = core::ParseJson(buf.str(), path.string());
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    for (const core::Member& group : doc->members()) {
      for (const core::Value& c : group.value.items()) {
        std::string failure = RunCase(c);
        if (SkipsTypescript(c)) {
          ++ts_skipped;
          if (failure.empty()) {
            ++ts_skipped_passed;
          } else {
            std::cout << "  (typescript-skipped case not passed) " << c.Find("expr")->AsString()
                      << ": " << failure << "\n";
          }
          continue;
        }
        ++runnable;
        if (failure.empty()) {
          ++passed;
        } else {
          ADD_FAILURE() << path.filename().string() << " / " << group.key << ": "
                        << c.Find("expr")->AsString() << "\n  " << failure;
        }
      }
    }
  }
  std::cout << "official expression vectors: " << passed << "/" << runnable
            << " runnable passed; typescript-skipped cases passed: " << ts_skipped_passed << "/"
            << ts_skipped << "\n";
  EXPECT_EQ(passed, runnable);
  EXPECT_GT(runnable, 1000);
}

}  // namespace
}  // namespace cairn::expr
