// `cairn workflow check --lint`: the ML-pipeline warnings as a user sees them, and exit codes.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "testing/paths.h"
#include "testing/shell.h"

namespace cairn {
namespace {

struct CmdResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CmdResult Cairn(const std::string& args) {
  std::string cmd = testing::BinaryDir() + "/src/cli/cairn " + args + " 2>&1";
  testing::ShellResult r = testing::Shell(cmd);
  return {r.exit_code, std::move(r.output)};
}

std::string Fixture(const std::string& name) {
  return std::string(CAIRN_SOURCE_DIR) + "/tests/workflow/testdata/lint/" + name;
}

TEST(WorkflowLintCliTest, WarningsWithFixesAndExitZero) {
  std::string wrong = Fixture("seed_wrong.yml");
  CmdResult r = Cairn("workflow check --lint " + wrong);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind(wrong + ":4:3: warning: this workflow trains a model", 0), 0u)
      << r.output;
  EXPECT_NE(r.output.find(" [push-paths]\n  fix: add `paths:` under `push:`"), std::string::npos);
  for (std::string rule : {"timeout", "data-pull", "register-gate", "register-condition"}) {
    EXPECT_NE(r.output.find(" [" + rule + "]\n  fix: "), std::string::npos) << rule;
  }
  EXPECT_NE(r.output.find("ok: " + wrong + " (1 job)\n"), std::string::npos) << r.output;
}

TEST(WorkflowLintCliTest, NoLintNoWarnings) {
  CmdResult r = Cairn("workflow check " + Fixture("seed_wrong.yml"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.find("warning:"), std::string::npos) << r.output;
  r = Cairn("workflow check --lint " + Fixture("seed_train.yml"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.find("warning:"), std::string::npos) << r.output;
}

TEST(WorkflowLintCliTest, JsonCarriesTheWarnings) {
  CmdResult r = Cairn("workflow check --lint --json " + Fixture("timeout_bad.yml"));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("\"rule\": \"timeout\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("timeout_bad.yml:3:3\""), std::string::npos) << r.output;
}

}  // namespace
}  // namespace cairn
