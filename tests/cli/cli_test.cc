// Runs the built `cairn` binary as a user would and checks its exit codes and output.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "testing/paths.h"

namespace cairn {
namespace {

struct CmdResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CmdResult Cairn(const std::string& args) {
  std::string cmd = testing::BinaryDir() + "/src/cli/cairn " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  CmdResult run{-1, ""};
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.output.append(buf.data(), n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(CliTest, Version) {
  CmdResult r = Cairn("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.rfind("cairn ", 0), 0u) << r.output;
}

TEST(CliTest, Help) {
  CmdResult r = Cairn("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("Usage"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace cairn
