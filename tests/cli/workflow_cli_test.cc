// `cairn workflow explain|check|list` run as a user would, in a git repository holding the
// seed's pipeline (../shared/seed/train.yml) at .github/workflows/train.yml: the four events
// of the issue (push to main touching src/, push touching only README.md, a pull request from a
// feature branch, a push to a feature branch), and the register step's condition for each.
#include <gtest/gtest.h>

#include <string>

#include "cli/dvc_sandbox.h"
#include "core/json.h"
#include "testing/paths.h"

namespace cairn::testing {
namespace {

class WorkflowCliTest : public DvcSandbox {
 protected:
  // The repository: train.yml, src/train.py, README.md on main, committed.
  void MakeRepo(const std::string& shared) {
    ASSERT_EQ(Sh("git checkout -q -b main && mkdir -p .github/workflows src && cp '" + shared +
                 "/seed/train.yml' .github/workflows/ && echo 'print(1)' > src/train.py && "
                 "echo '# demo' > README.md && git add -A && git commit -qm init")
                  .rc,
              0);
  }

  core::Value Explain(const std::string& args) {
    Ran r = Sh("cairn workflow explain .github/workflows/train.yml --json " + args, "", true);
    EXPECT_EQ(r.rc, 0) << r.out;
    auto v = core::ParseJson(r.out, "explain");
    EXPECT_TRUE(v.ok()) << v.status().ToString() << "\n" << r.out;
    return v.ok() ? *v : core::Value::Mapping();
  }

  // The decided value of the step named `name` of job train: "true", "false" or "run time".
  static std::string StepCondition(const core::Value& explain, const std::string& name) {
    const core::Value* jobs = explain.Find("plan") ? explain.Find("plan")->Find("jobs") : nullptr;
    if (jobs == nullptr || !jobs->is_sequence()) return "no jobs";
    for (const core::Value& job : jobs->items()) {
      const core::Value* steps = job.Find("steps");
      if (steps == nullptr) continue;
      for (const core::Value& step : steps->items()) {
        const core::Value* n = step.Find("name");
        if (n == nullptr || !n->is_string() || n->AsString() != name) continue;
        const core::Value* condition = step.Find("if");
        if (condition == nullptr) return "no if";
        const core::Value* value = condition->Find("value");
        if (value == nullptr || value->is_null()) return "run time";
        return value->AsBool() ? "true" : "false";
      }
    }
    return "no step " + name;
  }

  static bool Runs(const core::Value& explain) {
    const core::Value* runs = explain.Find("runs");
    return runs != nullptr && runs->is_bool() && runs->AsBool();
  }
};

TEST_F(WorkflowCliTest, SeedPipelineOnTheFourEvents) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  MakeRepo(shared);

  // A push to main touching src/train.py: runs, and the register step's condition is true.
  ASSERT_EQ(Sh("echo 'print(2)' > src/train.py && git commit -qam 'train change'").rc, 0);
  core::Value push_src = Explain("--event push --ref refs/heads/main");
  EXPECT_TRUE(Runs(push_src)) << core::ToPrettyJson(push_src);
  EXPECT_EQ(StepCondition(push_src, "Register model to MLflow"), "true");
  EXPECT_EQ(StepCondition(push_src, "Commit DVC lock updates"), "true");
  EXPECT_EQ(StepCondition(push_src, "Upload test results"), "true");

  // A push to main touching only README.md: the paths filter stops it.
  ASSERT_EQ(Sh("echo more >> README.md && git commit -qam 'docs'").rc, 0);
  core::Value push_readme = Explain("--event push --ref refs/heads/main");
  EXPECT_FALSE(Runs(push_readme)) << core::ToPrettyJson(push_readme);
  ASSERT_NE(push_readme.Find("reasons"), nullptr);
  EXPECT_NE(core::ToJson(*push_readme.Find("reasons")).find("README.md"), std::string::npos)
      << core::ToPrettyJson(push_readme);

  // A pull request from a feature branch to main: runs; the register step's condition is false.
  ASSERT_EQ(Sh("git checkout -q -b feature && echo 'print(3)' > src/train.py && "
               "git commit -qam 'feature work'")
                .rc,
            0);
  core::Value pr = Explain("--event pull_request --base main --head feature");
  EXPECT_TRUE(Runs(pr)) << core::ToPrettyJson(pr);
  ASSERT_NE(pr.Find("event"), nullptr);
  EXPECT_EQ(pr.Find("event")->Find("ref")->AsString(), "refs/pull/1/merge");
  EXPECT_EQ(StepCondition(pr, "Register model to MLflow"), "false");
  EXPECT_EQ(StepCondition(pr, "Commit DVC lock updates"), "false");

  // A push to the feature branch: the branches filter stops it.
  core::Value push_feature = Explain("--event push --ref refs/heads/feature");
  EXPECT_FALSE(Runs(push_feature)) << core::ToPrettyJson(push_feature);
}

TEST_F(WorkflowCliTest, ExplainTextSaysWhy) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  MakeRepo(shared);
  ASSERT_EQ(Sh("echo more >> README.md && git commit -qam 'docs'").rc, 0);
  Ran r = Sh("cairn workflow explain .github/workflows/train.yml", "", true);
  EXPECT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("does not run for this event"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("README.md"), std::string::npos) << r.out;
}

TEST_F(WorkflowCliTest, CheckAndLintTheSeedPipelines) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  MakeRepo(shared);
  Ran ok = Sh("cairn workflow check", "", true);
  EXPECT_EQ(ok.rc, 0) << ok.out;
  EXPECT_NE(ok.out.find("train.yml"), std::string::npos) << ok.out;

  Ran lint = Sh("cairn workflow check --lint '" + shared + "/seed/wrong.yml'", "", true);
  EXPECT_EQ(lint.rc, 0) << lint.out;  // warnings do not fail the check
  for (const char* where : {"wrong.yml:6:3", "wrong.yml:4:3", "wrong.yml:10:9", "wrong.yml:11:9"}) {
    EXPECT_NE(lint.out.find(where), std::string::npos) << where << "\n" << lint.out;
  }
  Ran clean = Sh("cairn workflow check --lint .github/workflows/train.yml", "", true);
  EXPECT_EQ(clean.rc, 0) << clean.out;
  EXPECT_EQ(clean.out.find("warning"), std::string::npos) << clean.out;
}

TEST_F(WorkflowCliTest, BadFileExitsTwoWithThePosition) {
  // prepare has no needs; train and evaluate need each other.
  ASSERT_EQ(Sh("mkdir -p .github/workflows && printf 'on: push\\njobs:\\n"
               "  prepare:\\n    runs-on: x\\n    steps: [{run: echo}]\\n"
               "  train:\\n    needs: [prepare, evaluate]\\n    runs-on: x\\n"
               "    steps: [{run: echo}]\\n"
               "  evaluate:\\n    needs: train\\n    runs-on: x\\n    steps: [{run: echo}]\\n'"
               " > .github/workflows/cycle.yml")
                .rc,
            0);
  Ran r = Sh("cairn workflow check", "", true);
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_NE(r.out.find(".github/workflows/cycle.yml:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("train -> evaluate -> train"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cairn::testing

namespace cairn::testing {
namespace {

TEST_F(WorkflowCliTest, EvalPrintsValueKindAndTheIfRewrite) {
  ASSERT_EQ(Sh("printf '{\"github\": {\"ref\": \"refs/heads/main\", \"event_name\": \"push\"}}' "
               "> ctx.json")
                .rc,
            0);
  Ran cond =
      Sh("cairn workflow eval --if --contexts ctx.json "
         "\"github.event_name == 'push' && github.ref == 'refs/heads/main'\"",
         "", true);
  EXPECT_EQ(cond.rc, 0) << cond.out;
  auto v = core::ParseJson(cond.out, "eval");
  ASSERT_TRUE(v.ok()) << cond.out;
  EXPECT_EQ(v->Find("kind")->AsString(), "Boolean");
  EXPECT_TRUE(v->Find("value")->AsBool());
  EXPECT_EQ(v->Find("expression")->AsString(),
            "success() && (github.event_name == 'push' && github.ref == 'refs/heads/main')");

  // `&&` returns an operand; numbers print as GitHub prints them.
  Ran op = Sh("cairn workflow eval --contexts ctx.json \"github.ref && 1e20\"", "", true);
  EXPECT_EQ(op.rc, 0) << op.out;
  EXPECT_NE(op.out.find("\"kind\": \"Number\""), std::string::npos) << op.out;

  // A context the file does not give is a parse error, with its position.
  Ran bad = Sh("cairn workflow eval --contexts ctx.json \"secrets.TOKEN == ''\"", "", true);
  EXPECT_EQ(bad.rc, 1) << bad.out;
  EXPECT_NE(bad.out.find("Unrecognized named-value: 'secrets'. Located at position 1"),
            std::string::npos)
      << bad.out;
}

}  // namespace
}  // namespace cairn::testing
