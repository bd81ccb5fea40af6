// ParseWorkflow: what a user relies on: bad files each give one clear error at file:line:col,
// valid files give the model (jobs in order, needs, conditions, step ids, uses, matrix), and
// reusable workflows are checked against their caller.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "workflow/workflow.h"

namespace cairn::workflow {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Testdata(const std::string& name) {
  return ReadAll(std::string(CAIRN_SOURCE_DIR) + "/tests/workflow/testdata/" + name);
}

// The one error of a bad file.
std::string ErrorOf(const std::string& text, const std::string& file,
                    const ParseOptions& options = {}) {
  auto parsed = ParseWorkflow(text, file, options);
  if (parsed.ok()) return "(no error)";
  return parsed.status().message();
}

TEST(ParseWorkflow, BadFilesGiveOneClearError) {
  EXPECT_EQ(ErrorOf(Testdata("needs-cycle.yml"), "needs-cycle.yml"),
            "needs-cycle.yml:13:12: Job 'evaluate' depends on job 'train' which creates a cycle "
            "in the dependency graph: train -> evaluate -> train");
  EXPECT_EQ(ErrorOf(Testdata("if-unknown-context.yml"), "if-unknown-context.yml"),
            "if-unknown-context.yml:7:13: Unrecognized named-value: 'secrets'. Located at "
            "position 1 within expression: secrets.DEPLOY_KEY != ''; expected one of the contexts "
            "available here: github, inputs, vars, needs, "
            "strategy, matrix, steps, job, runner, env");
  EXPECT_EQ(ErrorOf(Testdata("anchor.yml"), "anchor.yml"),
            "anchor.yml:5:10: Anchors are not currently supported. Remove the anchor 'common'");
  EXPECT_EQ(ErrorOf(Testdata("matrix-type.yml"), "matrix-type.yml"),
            "matrix-type.yml:7:17: Unexpected value '3.11'; expected a sequence");
}

// GitHub's measure: 24 bytes a node, 50 + 2 per character a string (keys too), 26 + 2 per
// character for the file's name. "w.yml" (36) + mapping (24) + on (54) + push (58) + jobs (58)
// + mapping (24) + a (52) + mapping (24) + runs-on (64) + x (52) + steps (60) + sequence (24)
// + mapping (24) + run (56) + é (52) = 662.
TEST(ParseWorkflow, MaximumResultSize) {
  const std::string text =
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: \xc3\xa9\n";
  ParseOptions options;
  options.max_result_size = 662;
  EXPECT_TRUE(ParseWorkflow(text, "w.yml", options).ok());
  options.max_result_size = 661;
  EXPECT_EQ(ErrorOf(text, "w.yml", options), "w.yml: Maximum object size exceeded");
  // A called workflow counts with its caller, and the caller names it at its `uses:`.
  options.workflows["./.github/workflows/c.yml"] =
      "on: workflow_call\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: y\n";
  const std::string caller = "on: push\njobs:\n  a:\n    uses: ./.github/workflows/c.yml\n";
  options.max_result_size = 1000;
  EXPECT_EQ(ErrorOf(caller, "w.yml", options),
            "w.yml:4:11: Error from called workflow ./.github/workflows/c.yml: Maximum object "
            "size exceeded");
  options.max_result_size = 0;
  EXPECT_TRUE(ParseWorkflow(caller, "w.yml", options).ok());
}

TEST(ParseWorkflow, TriggerErrorsComeThrough) {
  std::string types =
      "on:\n  push:\n    branches: [main]\n  issues:\n    types: [nope]\njobs:\n  a:\n"
      "    runs-on: x\n    steps:\n      - run: echo\n";
  EXPECT_NE(ErrorOf(types, "w.yml").find("w.yml:5:"), std::string::npos) << ErrorOf(types, "w.yml");
  std::string cron =
      "on:\n  schedule:\n    - cron: '61 * * * *'\njobs:\n  a:\n    runs-on: x\n    steps:\n"
      "      - run: echo\n";
  EXPECT_NE(ErrorOf(cron, "w.yml").find("w.yml:3:"), std::string::npos) << ErrorOf(cron, "w.yml");
}

TEST(ParseWorkflow, SeedWorkflowsParse) {
  for (const char* name : {"train.yml", "wrong.yml"}) {
    std::string path = std::string(CAIRN_SOURCE_DIR) + "/../shared/seed/" + name;
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path;
    auto parsed = LoadWorkflowFile(path);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  }
}

TEST(ParseWorkflow, ErrorsAreAllReportedInFileOrder) {
  std::string text =
      "on: push\njobs:\n  b:\n    runs-on: x\n    timeout-minutes: \"5\"\n    steps:\n"
      "      - run: echo\n        if: secrets.x\n  0bad:\n    runs-on: x\n    steps:\n"
      "      - uses: nope\n";
  std::vector<ParseError> errors;
  auto parsed = ParseWorkflow(text, "w.yml", {}, &errors);
  ASSERT_FALSE(parsed.ok());
  ASSERT_EQ(errors.size(), 1u) << parsed.status().message();  // schema errors stop conversion
  EXPECT_EQ(errors[0].ToString(), "w.yml:5:22: Unexpected value '5'; expected a number");
  text =
      "on: push\njobs:\n  0bad:\n    runs-on: x\n    steps:\n      - uses: nope\n"
      "        if: secrets.x\n";
  parsed = ParseWorkflow(text, "w.yml", {}, &errors);
  ASSERT_EQ(errors.size(), 3u) << parsed.status().message();
  EXPECT_EQ(errors[0].location.line, 3);
  EXPECT_EQ(errors[1].location.line, 6);
  EXPECT_EQ(errors[2].location.line, 7);
  EXPECT_NE(errors[1].message.find("Expected format {org}/{repo}[/path]@ref"), std::string::npos);
}

TEST(ParseWorkflow, BuildsTheModel) {
  std::string text = R"(name: CI
on: [push]
env:
  A: 1
jobs:
  build:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, macos-latest]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@v4
      - run: make
      - id: test
        run: make test
        if: github.ref == 'refs/heads/main'
      - run: echo
      - uses: docker://alpine:3.19
      - uses: ./local/action
  deploy:
    needs: build
    if: failure()
    uses: owner/repo/.github/workflows/deploy.yml@v1
    secrets: inherit
)";
  auto parsed = ParseWorkflow(text, "ci.yml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const Workflow& w = *parsed;
  ASSERT_EQ(w.jobs.size(), 2u);
  EXPECT_EQ(w.jobs[0].id, "build");
  EXPECT_EQ(w.triggers.events.size(), 1u);
  ASSERT_EQ(w.env.size(), 1u);
  EXPECT_EQ(w.env[0].value.value.text(), "1");
  const Job& build = w.jobs[0];
  ASSERT_TRUE(build.strategy.has_value());
  EXPECT_TRUE(build.strategy->matrix.is_mapping());
  std::vector<std::string> ids;
  for (const Step& s : build.steps) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"__actions_checkout", "__actions_checkout_2", "__run",
                                           "test", "__run_2", "__alpine_3_19", "__self"}));
  EXPECT_EQ(build.steps[3].if_.value.text(), "success() && (github.ref == 'refs/heads/main')");
  EXPECT_EQ(build.steps[0].uses->owner, "actions");
  EXPECT_EQ(build.steps[0].uses->repo, "checkout");
  EXPECT_EQ(build.steps[0].uses->ref, "v4");
  EXPECT_EQ(build.steps[5].uses->kind, UsesRef::Kind::kDocker);
  EXPECT_EQ(build.steps[5].uses->image, "alpine:3.19");
  EXPECT_EQ(build.steps[6].uses->kind, UsesRef::Kind::kLocal);
  const Job& deploy = w.jobs[1];
  ASSERT_EQ(deploy.needs.size(), 1u);
  EXPECT_EQ(deploy.needs[0].id, "build");
  EXPECT_EQ(deploy.if_.value.text(), "failure()");
  ASSERT_TRUE(deploy.is_reusable_call());
  EXPECT_TRUE(deploy.secrets->inherit);
  EXPECT_EQ(deploy.called, nullptr);  // remote: accepted without loading
}

TEST(ParseWorkflow, ContextsFollowTheKey) {
  auto with_step = [](const std::string& step) {
    return "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n" + step;
  };
  // secrets in a step's env is fine; in its if it is not.
  EXPECT_TRUE(ParseWorkflow(with_step("      - run: echo\n        env:\n          T: "
                                      "${{ secrets.T }}\n"),
                            "w.yml")
                  .ok());
  EXPECT_FALSE(
      ParseWorkflow(with_step("      - run: echo\n        if: ${{ secrets.T }}\n"), "w.yml").ok());
  // matrix is not available in a job's if.
  EXPECT_NE(ErrorOf("on: push\njobs:\n  a:\n    if: matrix.x\n    runs-on: x\n    steps:\n"
                    "      - run: echo\n",
                    "w.yml")
                .find("Unrecognized named-value: 'matrix'"),
            std::string::npos);
  // No expression in a workflow's name.
  EXPECT_EQ(ErrorOf("name: a ${{ format('b') }}\non: push\njobs:\n  a:\n    runs-on: x\n"
                    "    steps:\n      - run: echo\n",
                    "w.yml"),
            "w.yml:1:7: A template expression is not allowed in this context");
}

TEST(ParseWorkflow, IdsAndNeeds) {
  EXPECT_EQ(
      ErrorOf("on: push\njobs:\n  __a:\n    runs-on: x\n    steps:\n      - run: echo\n", "w.yml"),
      "w.yml:3:3: The identifier '__a' is invalid. IDs starting with '__' are reserved.");
  EXPECT_EQ(ErrorOf("on: push\njobs:\n  a:\n    needs: b\n    runs-on: x\n    steps:\n"
                    "      - run: echo\n  c:\n    runs-on: x\n    steps:\n      - run: echo\n",
                    "w.yml"),
            "w.yml:4:12: Job 'a' depends on unknown job 'b'.");
  EXPECT_EQ(ErrorOf("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n"
                    "        uses: actions/checkout@v4\n",
                    "w.yml"),
            "w.yml:7:9: Unexpected value 'uses'; expected one of: name, id, if, timeout-minutes, "
            "run, continue-on-error, env, working-directory, shell");
}

TEST(ParseWorkflow, ReusableWorkflowsAreChecked) {
  ParseOptions options;
  options.workflows["./.github/workflows/train.yml"] =
      "on:\n  workflow_call:\n    inputs:\n      epochs:\n        type: number\n"
      "        required: true\n    secrets:\n      token:\n        required: false\n"
      "jobs:\n  train:\n    runs-on: x\n    steps:\n      - run: echo\n";
  std::string caller =
      "on: push\njobs:\n  call:\n    uses: ./.github/workflows/train.yml\n    with:\n"
      "      epochs: ten\n    secrets:\n      other: x\n";
  std::vector<ParseError> errors;
  auto parsed = ParseWorkflow(caller, "w.yml", options, &errors);
  ASSERT_FALSE(parsed.ok());
  std::vector<std::string> messages;
  for (const ParseError& e : errors) messages.push_back(e.ToString());
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "w.yml:6:15: Unexpected value 'ten'",
                          "w.yml:8:14: Invalid secret, other is not defined in the referenced "
                          "workflow."}));
  caller = "on: push\njobs:\n  call:\n    uses: ./.github/workflows/train.yml\n";
  EXPECT_EQ(ErrorOf(caller, "w.yml", options),
            "w.yml:4:11: Input epochs is required, but not provided while calling.");
  caller += "    with:\n      epochs: 3\n";
  parsed = ParseWorkflow(caller, "w.yml", options);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  ASSERT_NE(parsed->jobs[0].called, nullptr);
  EXPECT_EQ(parsed->jobs[0].called->jobs[0].id, "train");
}

}  // namespace
}  // namespace cairn::workflow
