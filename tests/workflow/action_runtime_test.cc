// actions/setup-python (installed interpreters, shims, cache: pip) and local actions
// (composite through RunSteps, node with the installed node).
#include <gtest/gtest.h>

#include "action_fixture.h"
#include "core/hash.h"

namespace cairn::workflow::testing {
namespace {

using SetupPythonTest = ActionTest;

TEST_F(SetupPythonTest, FindsAnInstalledPython3AndPutsShimsFirstOnPath) {
  if (!os_->Exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 on this machine";
  auto job = NewJob("j");
  ASSERT_EQ(Main(*job, "actions/setup-python@v5", {{"python-version", "3.x"}}),
            Conclusion::kSuccess);
  ASSERT_EQ(job->paths.size(), 1u);
  EXPECT_TRUE(job->env().at("PATH").starts_with(job->paths[0] + ":"));
  std::string version = job->outputs["python-version"];
  EXPECT_TRUE(version.starts_with("3.")) << version;
  EXPECT_FALSE(job->outputs["python-path"].empty());
  EXPECT_FALSE(job->exported["pythonLocation"].empty());
  // `python` now runs the chosen interpreter.
  ScriptSpec spec;
  spec.argv = {"sh", "-c",
               "python -c 'import sys; print(\"%d.%d.%d\" % sys.version_info[:3])' >&2; "
               "echo v=$(python3 -c 'import sys; print(\"%d.%d.%d\" % sys.version_info[:3])') "
               ">> \"$GITHUB_OUTPUT\""};
  ASSERT_EQ(job->RunProcess(spec).value_or(Conclusion::kFailure), Conclusion::kSuccess);
  EXPECT_EQ(job->outputs["v"], version);

  // A range, and the minor version of what was found.
  std::string minor = version.substr(0, version.rfind('.'));
  auto job2 = NewJob("j2");
  EXPECT_EQ(Main(*job2, "actions/setup-python@v5", {{"python-version", ">=3.0 <4"}}),
            Conclusion::kSuccess);
  auto job3 = NewJob("j3");
  EXPECT_EQ(Main(*job3, "actions/setup-python@v5", {{"python-version", minor}}),
            Conclusion::kSuccess);
  EXPECT_EQ(job3->outputs["python-version"].substr(0, minor.size()), minor);

  // With only /usr/bin on PATH, the system's python3 is found.
  std::string system = Run(root_->path(), {"/usr/bin/python3", "-c",
                                           "import sys; print('%d.%d' % sys.version_info[:2])"});
  base_env_["PATH"] = "/usr/bin:/bin";
  auto job4 = NewJob("j4");
  ASSERT_EQ(Main(*job4, "actions/setup-python@v5", {{"python-version", system}}),
            Conclusion::kSuccess);
  EXPECT_TRUE(job4->outputs["python-path"].starts_with("/usr/bin/python3"))
      << job4->outputs["python-path"];
}

TEST_F(SetupPythonTest, NoMatchFailsListingWhatWasFound) {
  auto job = NewJob("j");
  EXPECT_EQ(Main(*job, "actions/setup-python@v5", {{"python-version", "2.1"}}),
            Conclusion::kFailure);
  EXPECT_TRUE(job->Logged("The version '2.1' with architecture 'x64' was not found"))
      << job->AllLines();
  EXPECT_TRUE(job->Logged("python3")) << job->AllLines();
  auto bad = ResolveAction(Uses("actions/setup-python@v5"), job->workspace());
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE((*bad)->Main(*job, {{"python-version", "pypy3.10"}}).ok());
}

TEST_F(SetupPythonTest, CachePipRestoresPipsCacheKeyedByTheRequirements) {
  if (!os_->Exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 on this machine";
  std::string pip_cache = root_->Path("pip-cache");
  base_env_["PIP_CACHE_DIR"] = pip_cache;
  std::string requirements = "numpy==1.26.4\n";
  std::map<std::string, std::string> with = {{"python-version", "3"}, {"cache", "pip"}};

  auto job1 = NewJob("j1");
  Write(job1->workspace() + "/requirements.txt", requirements);
  std::unique_ptr<Action> action;
  ASSERT_EQ(Main(*job1, "actions/setup-python@v5", with, &action), Conclusion::kSuccess);
  EXPECT_EQ(job1->outputs["cache-hit"], "false");
  Write(pip_cache + "/http/wheel.bin", "wheel");
  ASSERT_TRUE(action->Post(*job1, with).ok());
  // hashFiles: the SHA-256 of the file's SHA-256.
  std::string hash = core::Sha256Hex(core::Sha256(requirements));
  EXPECT_TRUE(job1->Logged("-pip-" + hash)) << job1->AllLines();

  ASSERT_TRUE(os_->RemoveAll(pip_cache).ok());
  auto job2 = NewJob("j2");
  Write(job2->workspace() + "/requirements.txt", requirements);
  ASSERT_EQ(Main(*job2, "actions/setup-python@v5", with, &action), Conclusion::kSuccess);
  EXPECT_EQ(job2->outputs["cache-hit"], "true");
  EXPECT_EQ(Read(pip_cache + "/http/wheel.bin"), "wheel");

  auto job3 = NewJob("j3");  // no requirements file
  EXPECT_EQ(Main(*job3, "actions/setup-python@v5", with), Conclusion::kFailure);
  EXPECT_TRUE(job3->Logged("make sure you have checked out the target repository"));
}

using LocalActionTest = ActionTest;

TEST_F(LocalActionTest, CompositeRunsItsStepsWithInputsAndMapsOutputs) {
  auto job = NewJob("j");
  Write(job->workspace() + "/.github/actions/greet/action.yml", R"(name: Greet
inputs:
  who:
    description: whom to greet
    default: World
  punctuation:
    required: true
  repo:
    default: ${{ github.repository }}
outputs:
  greeting:
    description: the greeting
    value: ${{ steps.say.outputs.text }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: echo "text=Hello ${{ inputs.who }}${{ inputs.punctuation }} from ${{ inputs.repo }}" >> "$GITHUB_OUTPUT"
)");
  ASSERT_EQ(Main(*job, "./.github/actions/greet", {{"punctuation", "!"}}), Conclusion::kSuccess);
  EXPECT_EQ(job->outputs["greeting"], "Hello World! from octo/repo");
  EXPECT_EQ(job->ran_steps, 1);

  auto action = ResolveAction(Uses("./.github/actions/greet"), job->workspace());
  ASSERT_TRUE(action.ok());
  auto missing = (*action)->Main(*job, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "Input required and not supplied: punctuation");
}

TEST_F(LocalActionTest, DefinitionErrorsNameTheFileLineAndColumn) {
  auto job = NewJob("j");
  std::string file = job->workspace() + "/act/action.yaml";
  Write(file, R"(name: Bad
runs:
  using: composite
  steps:
    - run: echo hi
)");
  auto action = ResolveAction(Uses("./act"), job->workspace());
  ASSERT_FALSE(action.ok());
  EXPECT_NE(action.status().message().find(file + ":5:7"), std::string::npos)
      << action.status().message();
  EXPECT_NE(action.status().message().find("shell"), std::string::npos);

  Write(file, "runs:\n  using: docker\n  image: Dockerfile\n");
  auto docker = ResolveAction(Uses("./act"), job->workspace());
  ASSERT_FALSE(docker.ok());
  EXPECT_NE(docker.status().message().find(file + ":2:10"), std::string::npos)
      << docker.status().message();

  auto absent = ResolveAction(Uses("./nothing-here"), job->workspace());
  ASSERT_FALSE(absent.ok());
  EXPECT_NE(absent.status().message().find("no action.yml"), std::string::npos);
}

TEST_F(LocalActionTest, NodeActionRunsWithInputsAndAPostStep) {
  std::string node = FindOnPath("node", base_env_);
  if (node.empty() && os_->Exists("/work/wt-act/.deps/bin/node")) {
    base_env_["PATH"] = "/work/wt-act/.deps/bin:" + base_env_["PATH"];
    node = "/work/wt-act/.deps/bin/node";
  }
  if (node.empty()) GTEST_SKIP() << "no node on PATH: skipping the node action test";
  auto job = NewJob("j");
  std::string dir = job->workspace() + "/.github/actions/hello";
  Write(dir + "/action.yml", R"(name: Hello
inputs:
  my input:
    default: fallback
  who:
    required: true
runs:
  using: node20
  main: main.js
  post: post.js
  post-if: success()
)");
  Write(dir + "/main.js", R"(const fs = require('fs');
fs.appendFileSync(process.env.GITHUB_OUTPUT,
  `out=${process.env['INPUT_MY INPUT'] === undefined ? process.env.INPUT_MY_INPUT : 'bad'}-${process.env.INPUT_WHO}\n`);
console.log('action path ' + process.env.GITHUB_ACTION_PATH);
)");
  Write(dir + "/post.js", "console.log('post ran');\n");
  std::unique_ptr<Action> action;
  ASSERT_EQ(Main(*job, "./.github/actions/hello", {{"who", "cairn"}}, &action),
            Conclusion::kSuccess);
  EXPECT_EQ(job->outputs["out"], "fallback-cairn");
  EXPECT_TRUE(job->Logged("action path " + dir)) << job->AllLines();
  EXPECT_EQ(action->PostIf(), "success()");
  ASSERT_EQ(action->Post(*job, {{"who", "cairn"}}).value_or(Conclusion::kFailure),
            Conclusion::kSuccess);
  EXPECT_TRUE(job->Logged("post ran"));

  Write(dir + "/main.js", "process.exit(3);\n");
  EXPECT_EQ(Main(*job, "./.github/actions/hello", {{"who", "x"}}), Conclusion::kFailure);
}

}  // namespace
}  // namespace cairn::workflow::testing
