// plan: the job graph and order, matrix legs, conditions decided from the event, output
// wiring, and the text/JSON `cairn workflow explain` prints.
#include "workflow/plan.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "model_builder.h"
#include "parsed.h"

namespace cairn::workflow {
namespace {

expr::Contexts Event(std::string_view github_json) {
  core::Result<core::Value> github = core::ParseJson(github_json, "event.json");
  EXPECT_TRUE(github.ok()) << github.status().ToString();
  expr::Contexts contexts;
  contexts.Set("github", expr::Value::FromCore(*github));
  contexts.Set("inputs", expr::Value::Object({}));
  contexts.Set("vars", expr::Value::Object({}));
  return contexts;
}

Plan MakeOk(const Workflow& wf, const PlanOptions& options = {}) {
  core::Result<Plan> plan = MakePlan(wf, options);
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return plan.ok() ? *plan : Plan();
}

std::string PlanError(std::string_view yaml) {
  Workflow wf = testing::BuildWorkflow(yaml);
  core::Result<Plan> plan = MakePlan(wf);
  EXPECT_FALSE(plan.ok());
  return plan.ok() ? "" : plan.status().message();
}

TEST(PlanTest, GraphAndOrderFollowNeeds) {
  Workflow wf = testing::BuildWorkflow(R"(
on: push
jobs:
  deploy:
    needs: [test, build]
    steps: [{run: ./deploy}]
  build:
    steps: [{run: make}]
  test:
    needs: build
    steps: [{run: make test}]
  lint:
    steps: [{run: make lint}]
)");
  Plan plan = MakeOk(wf);
  EXPECT_EQ(plan.order, (std::vector<std::string>{"build", "test", "deploy", "lint"}));
  ASSERT_EQ(plan.jobs.size(), 4u);
  EXPECT_EQ(plan.jobs[0].id, "deploy");  // jobs stay in file order, node i = jobs[i]
  EXPECT_EQ(plan.graph.name(0), "deploy");
  EXPECT_EQ(plan.jobs[0].needs, (std::vector<std::string>{"test", "build"}));
  EXPECT_EQ(plan.graph.inputs(*plan.graph.Find("deploy")).size(), 2u);
}

TEST(PlanTest, UnknownNeedIsNamedWithItsLocation) {
  EXPECT_EQ(PlanError("jobs:\n  a:\n    steps: []\n  b:\n    needs: [a, trian]\n"),
            "ci.yml:5:16: job 'b' needs unknown job 'trian'; expected one of: a, b");
}

TEST(PlanTest, CycleIsNamedByItsPath) {
  EXPECT_EQ(PlanError("jobs:\n  a:\n    needs: c\n  b:\n    needs: a\n  c:\n    needs: b\n"),
            "ci.yml:3:12: jobs depend on each other in a cycle: a -> b -> c -> a; expected "
            "needs without cycles");
}

TEST(PlanTest, StaticMatrixLegsAndStrategy) {
  Workflow wf = testing::BuildWorkflow(R"(
jobs:
  build:
    strategy:
      max-parallel: 2
      matrix:
        os: [ubuntu-latest, macos-latest]
        python: ['3.11', 3.10]
    steps: [{run: make}]
  named:
    name: test on ${{ matrix.os }}
    strategy:
      fail-fast: false
      matrix:
        os: [linux]
    steps: [{run: make}]
)");
  Plan plan = MakeOk(wf);
  const JobPlan& build = *plan.FindJob("build");
  EXPECT_EQ(build.matrix_kind, JobPlan::MatrixKind::kStatic);
  EXPECT_EQ(build.leg_names,
            (std::vector<std::string>{"build (ubuntu-latest, 3.11)", "build (ubuntu-latest, 3.1)",
                                      "build (macos-latest, 3.11)", "build (macos-latest, 3.1)"}));
  EXPECT_EQ(build.fail_fast, true);  // GitHub's default
  EXPECT_EQ(build.max_parallel, 2);
  const JobPlan& named = *plan.FindJob("named");
  EXPECT_EQ(named.fail_fast, false);
  EXPECT_FALSE(named.max_parallel.has_value());
  // A name with expressions is evaluated per leg, without the suffix.
  EXPECT_EQ(named.leg_names, (std::vector<std::string>{"test on linux"}));
}

TEST(PlanTest, MatrixFromAnExpressionIsExpandedAtRunTime) {
  Workflow wf = testing::BuildWorkflow(R"(
jobs:
  setup:
    outputs:
      matrix: ${{ steps.m.outputs.matrix }}
    steps: [{id: m, run: echo}]
  build:
    needs: setup
    strategy:
      matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}
    steps: [{run: make}]
  test:
    strategy:
      matrix:
        os: ${{ fromJSON(vars.OSES) }}
    steps: [{run: make}]
)");
  Plan plan = MakeOk(wf);
  EXPECT_EQ(plan.FindJob("setup")->matrix_kind, JobPlan::MatrixKind::kNone);
  const JobPlan& build = *plan.FindJob("build");
  EXPECT_EQ(build.matrix_kind, JobPlan::MatrixKind::kRunTime);
  EXPECT_EQ(build.matrix_expression, "${{ fromJSON(needs.setup.outputs.matrix) }}");
  EXPECT_EQ(plan.FindJob("test")->matrix_kind, JobPlan::MatrixKind::kRunTime);
  EXPECT_NE(plan.ToText().find("matrix: expanded at run time from ${{ fromJSON("),
            std::string::npos);
}

TEST(PlanTest, BadStaticMatrixIsAnError) {
  EXPECT_EQ(PlanError("jobs:\n  a:\n    strategy:\n      matrix:\n        os: []\n"),
            "ci.yml:5:13: matrix vector 'os' does not contain any values; expected a non-empty "
            "sequence");
}

TEST(PlanTest, JobConditionDecidedFromTheEventWhenItReadsOnlyTheEvent) {
  Workflow wf = testing::BuildWorkflow(R"(
jobs:
  a:
    if: github.ref == 'refs/heads/main'
    steps: []
  b:
    needs: a
    if: needs.a.outputs.go == 'true'
    steps: []
  c:
    if: always()
    steps: []
)");
  expr::Contexts main = Event(R"({"event_name": "push", "ref": "refs/heads/main"})");
  expr::Contexts dev = Event(R"({"event_name": "push", "ref": "refs/heads/dev"})");
  Plan on_main = MakeOk(wf, {.event = &main});
  Plan on_dev = MakeOk(wf, {.event = &dev});
  const ConditionPlan& a = on_main.FindJob("a")->condition;
  EXPECT_EQ(a.text, "success() && (github.ref == 'refs/heads/main')");
  EXPECT_EQ(a.value, true);
  EXPECT_EQ(on_dev.FindJob("a")->condition.value, false);
  const ConditionPlan& b = on_main.FindJob("b")->condition;
  EXPECT_FALSE(b.value.has_value());
  EXPECT_EQ(b.run_time_reason, "reads needs");
  EXPECT_EQ(on_main.FindJob("c")->condition.value, true);
  // Without an event nothing is decided.
  EXPECT_EQ(MakeOk(wf).FindJob("a")->condition.run_time_reason, "no event given");
}

TEST(PlanTest, StepConditionsForExplain) {
  Workflow wf = testing::BuildWorkflow(R"(
jobs:
  train:
    steps:
      - run: python train.py
      - name: register
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        run: cairn model register
      - if: steps.check.outputs.ok == 'true'
        run: echo ok
      - if: hashFiles('**/requirements.txt') != ''
        run: pip install -r requirements.txt
      - if: failure()
        uses: actions/upload-artifact@v4
)");
  expr::Contexts push = Event(R"({"event_name": "push", "ref": "refs/heads/main"})");
  expr::Contexts pr = Event(R"({"event_name": "pull_request", "ref": "refs/pull/1/merge"})");
  Plan plan = MakeOk(wf, {.event = &push});
  const std::vector<StepPlan>& steps = plan.FindJob("train")->steps;
  ASSERT_EQ(steps.size(), 5u);
  EXPECT_EQ(steps[0].display_name, "Run python train.py");
  EXPECT_EQ(steps[1].display_name, "register");
  EXPECT_EQ(steps[1].condition.value, true);
  EXPECT_EQ(MakeOk(wf, {.event = &pr}).FindJob("train")->steps[1].condition.value, false);
  EXPECT_EQ(steps[2].condition.run_time_reason, "reads steps");
  EXPECT_FALSE(steps[3].condition.value.has_value());  // hashFiles needs the workspace
  EXPECT_NE(steps[3].condition.run_time_reason.find("hashFiles"), std::string::npos);
  EXPECT_EQ(steps[4].condition.value, false);  // failure(), assuming earlier steps succeed
  EXPECT_EQ(steps[4].display_name, "Run actions/upload-artifact@v4");
  EXPECT_NE(plan.ToText().find("2. register: condition true: success() && (github.event_name "
                               "== 'push' && github.ref == 'refs/heads/main')"),
            std::string::npos)
      << plan.ToText();
}

TEST(PlanTest, OutputsWiringAndWarnings) {
  Workflow wf = testing::BuildWorkflow(R"(
jobs:
  train:
    outputs:
      model_uri: ${{ steps.t.outputs.uri }}
    steps: [{id: t, run: train}]
  deploy:
    needs: train
    if: needs.train.outputs.model_uri != ''
    steps:
      - run: deploy ${{ needs.train.outputs.model_uri }} ${{ needs['train'].outputs['modelUri'] }}
      - env:
          X: ${{ needs.other.outputs.y }}
        run: echo
  other:
    steps: []
)");
  Plan plan = MakeOk(wf);
  ASSERT_EQ(plan.outputs.size(), 4u);
  EXPECT_EQ(plan.outputs[0].job, "deploy");
  EXPECT_EQ(plan.outputs[0].need, "train");
  EXPECT_EQ(plan.outputs[0].output, "model_uri");
  EXPECT_TRUE(plan.outputs[0].declared);
  EXPECT_EQ(plan.outputs[0].location.line, 9);  // the job's if:, written without ${{ }}
  EXPECT_EQ(plan.outputs[2].output, "modelUri");
  EXPECT_FALSE(plan.outputs[2].declared);
  EXPECT_FALSE(plan.outputs[3].need_listed);
  ASSERT_EQ(plan.warnings.size(), 2u);
  EXPECT_EQ(plan.warnings[0].ToString(),
            "ci.yml:11:14: warning: job 'deploy' reads needs.train.outputs.modelUri but job "
            "'train' declares no output 'modelUri', so it reads as ''; declare it under "
            "jobs.train.outputs");
  EXPECT_EQ(plan.warnings[1].ToString(),
            "ci.yml:13:14: warning: job 'deploy' reads needs.other.outputs.y but does not need "
            "'other', so it reads as ''; add 'other' to its needs");
  EXPECT_NE(plan.ToText().find("outputs read: model_uri -> deploy"), std::string::npos);
}

TEST(PlanTest, FindOutputReferencesForms) {
  using Refs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(FindOutputReferences("needs.a.outputs.b == NEEDS.c-1.OUTPUTS.d_2"),
            (Refs{{"a", "b"}, {"c-1", "d_2"}}));
  EXPECT_EQ(FindOutputReferences("fromJSON(needs[ 'a' ].outputs['x y'])"), (Refs{{"a", "x y"}}));
  EXPECT_EQ(FindOutputReferences("needs.a.result || steps.needs.outputs.x || myneeds.a.outputs.b"),
            Refs{});
}

TEST(PlanTest, ExplainTheSeedPipeline) {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/tests/workflow/testdata/lint/seed_train.yml");
  std::stringstream text;
  text << in.rdbuf();
  Workflow wf = testing::Parsed(text.str(), "train.yml");
  expr::Contexts pr = Event(R"({"event_name": "pull_request", "ref": "refs/pull/7/merge"})");
  Plan plan = MakeOk(wf, {.event = &pr});
  std::string explained = plan.ToText();
  EXPECT_EQ(explained.substr(0, explained.find("  steps:")),
            "workflow Train and Register Model (train.yml)\n"
            "order: train\n"
            "\n"
            "job train\n"
            "  needs: nothing\n"
            "  if: none (runs)\n");
  EXPECT_NE(explained.find("8. Register model to MLflow: condition false: success() && "
                           "(github.event_name == 'push' && github.ref == 'refs/heads/main')"),
            std::string::npos)
      << explained;
  EXPECT_NE(explained.find("10. Upload test results: condition true: always()"), std::string::npos);

  core::Value json = plan.ToJson();
  EXPECT_EQ(core::ToJson(*json.Find("order")), R"(["train"])");
  const core::Value& step = json.Find("jobs")->items()[0].Find("steps")->items()[7];
  EXPECT_EQ(core::ToJson(step),
            R"j({"id":"__run_6","name":"Register model to MLflow","if":{"written":"github.)j"
            R"j(event_name == 'push' && github.ref == 'refs/heads/main'","text":"success() && )j"
            R"j((github.event_name == 'push' && github.ref == 'refs/heads/main')","value":false,)j"
            R"j("run_time_reason":""}})j");
}

}  // namespace
}  // namespace cairn::workflow
