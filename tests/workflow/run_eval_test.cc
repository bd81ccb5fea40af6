// EvalYaml: GitHub's template evaluation of YAML values holding `${{ }}` (expression keys,
// `${{ insert }}`, arrays spliced into sequences, kinds kept, errors located), and nektos/act's
// evalmatrix fixtures run end to end through the `cairn workflow run` binary.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/json.h"
#include "core/yaml.h"
#include "sys/temp_dir.h"
#include "testing/paths.h"
#include "workflow/run_internal.h"

namespace cairn::workflow {
namespace {

class RunEvalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::Result<core::Value> needs = core::ParseJson(
        R"({"prepare": {"outputs": {"helix": "steady", "matrix": "[\"a\", \"b\"]"}}})",
        "needs.json");
    ASSERT_TRUE(needs.ok());
    contexts_.Set("needs", expr::Value::FromCore(*needs));
  }
  core::Result<core::Value> Eval(std::string_view yaml) {
    core::Result<core::Value> doc = core::ParseYaml(yaml, "w.yml");
    if (!doc.ok()) return doc.status();
    return internal::EvalYaml(*doc, contexts_);
  }
  std::string Json(std::string_view yaml) {
    core::Result<core::Value> v = Eval(yaml);
    if (!v.ok()) return "error: " + v.status().message();
    return core::ToJson(*v);
  }
  expr::Contexts contexts_;
};

TEST_F(RunEvalTest, ExpressionKeyEvaluatesToAStringKey) {
  EXPECT_EQ(Json("${{needs.prepare.outputs.helix}}: |-\n"
                 "  ${{fromJson(needs.prepare.outputs.matrix)}}\n"),
            R"({"steady":["a","b"]})");
  EXPECT_EQ(Json("k-${{ needs.prepare.outputs.helix }}: 1\n${{ 2 }}: x\n"),
            R"({"k-steady":1,"2":"x"})");
}

TEST_F(RunEvalTest, InsertMergesAMappingAndAnObject) {
  EXPECT_EQ(Json("key1: val1\n"
                 "${{insert}}:\n"
                 "  key2: ${{ needs.prepare.outputs.helix }}\n"
                 "${{ insert }}: ${{fromJSON('{\"key3\":\"val3\"}')}}\n"),
            R"({"key1":"val1","key2":"steady","key3":"val3"})");
}

TEST_F(RunEvalTest, ArrayExpressionItemIsSplicedIntoTheSequence) {
  EXPECT_EQ(Json("- a\n- ${{ fromJSON('[1, {\"b\":true}]') }}\n- c\n"),
            R"(["a",1,{"b":true},"c"])");
  // Only a sequence item is spliced; an array value of a key stays one value.
  EXPECT_EQ(Json("k: ${{ fromJSON('[1, 2]') }}\n"), R"({"k":[1,2]})");
  // Text around the expression makes a string.
  EXPECT_EQ(Json("- x${{ fromJSON('[1]') }}\n"), R"(["xArray"])");
}

TEST_F(RunEvalTest, NumbersAndBooleansKeepTheirKinds) {
  core::Result<core::Value> v =
      Eval("a: ${{ 3 }}\nb: ${{ 1.5 }}\nc: ${{ true }}\nd: 7\ne: ${{ null }}\n");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->Find("a")->AsInt64(), 3);
  EXPECT_EQ(v->Find("a")->raw(), "3");
  EXPECT_DOUBLE_EQ(v->Find("b")->AsDouble(), 1.5);
  EXPECT_TRUE(v->Find("c")->is_bool() && v->Find("c")->AsBool());
  EXPECT_EQ(v->Find("d")->raw(), "7");
  EXPECT_TRUE(v->Find("e")->is_null());
  EXPECT_EQ(v->Find("a")->location().ToString(), "w.yml:1:4");
}

TEST_F(RunEvalTest, ErrorsNameTheFileLineAndColumn) {
  EXPECT_EQ(Json("a: 1\n${{ insert }}: ${{ fromJSON('[1]') }}\n"),
            "error: w.yml:2:16: the value of '${{ insert }}' must be a mapping (or an expression "
            "evaluating to an object), got a sequence");
  EXPECT_EQ(Json("a: 1\n${{ fromJSON('[1]') }}: x\n"),
            "error: w.yml:2:1: a mapping key expression must evaluate to a string, got an array");
  EXPECT_EQ(Json("steady: 1\n${{ needs.prepare.outputs.helix }}: 2\n"),
            "error: w.yml:2:1: 'steady' is already defined");
  EXPECT_EQ(Json("KEY3: 1\n${{ insert }}: ${{fromJSON('{\"key3\":\"val3\"}')}}\n"),
            "error: w.yml:2:16: 'key3' is already defined");
  EXPECT_EQ(Json("a: x\nb: ${{ fromJSON('{') }}\n").substr(0, 17), "error: w.yml:2:4:");
  EXPECT_EQ(Json("${{ needs.nope.outputs.x }}: 1\n"),
            "error: w.yml:1:1: the mapping key '${{ needs.nope.outputs.x }}' evaluated to an "
            "empty string");
}

// act's three fixtures, each committed in its own repository and run by the CLI.
class EvalMatrixFixtureTest : public ::testing::TestWithParam<const char*> {};

TEST_P(EvalMatrixFixtureTest, RunsGreenThroughTheCli) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  const std::string fixture =
      shared + "/conformance/actions/nektos-act/runner/" + GetParam() + "/push.yml";
  core::Result<sys::TempDir> dir = sys::TempDir::Create("evalmatrix-");
  ASSERT_TRUE(dir.ok());
  const std::string repo = dir->path();
  const std::string cairn = testing::BinaryDir() + "/src/cli/cairn";
  const std::string script =
      "cd '" + repo + "' && git init -q -b main && git config user.email t@t && " +
      "git config user.name t && mkdir -p .github/workflows && cp '" + fixture +
      "' .github/workflows/push.yml && git add -A && git commit -qm w && HOME='" + repo + "' '" +
      cairn + "' workflow run --force .github/workflows/push.yml > out.txt 2>&1";
  int rc = std::system(script.c_str());
  std::string out;
  if (FILE* f = std::fopen((repo + "/out.txt").c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    std::fclose(f);
  }
  EXPECT_EQ(rc, 0) << out;
}

INSTANTIATE_TEST_SUITE_P(Act, EvalMatrixFixtureTest,
                         ::testing::Values("evalmatrixneeds2", "evalmatrix-merge-map",
                                           "evalmatrix-merge-array"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace cairn::workflow
