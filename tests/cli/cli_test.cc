// Runs the built `cairn` binary as a user would and checks its exit codes and output.
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

TEST(CliTest, HelpOnEveryLevel) {
  CmdResult r = Cairn("hash --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("--sha256"), std::string::npos) << r.output;
}

TEST(CliTest, NoCommandPrintsHelpAndExits2) {
  CmdResult r = Cairn("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("hash"), std::string::npos) << r.output;
}

TEST(CliTest, UnknownCommandExits2WithAHint) {
  CmdResult r = Cairn("hahs x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output,
            "cairn: error: unknown command 'hahs' for 'cairn'\nhint: did you mean 'cairn hash'?\n");
  r = Cairn("frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("run 'cairn --help' to see the commands"), std::string::npos) << r.output;
}

TEST(CliTest, BadOptionExits2) {
  CmdResult r = Cairn("hash --jobs=-3 x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output.rfind("cairn: error: ", 0), 0u) << r.output;
  r = Cairn("--no-such-flag");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTest, FailedOperationExits1) {
  CmdResult r = Cairn("hash /nonexistent-cairn-file");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output.find("\033["), std::string::npos);  // not a terminal: no color
  EXPECT_NE(r.output.find("cairn: error: stat '/nonexistent-cairn-file'"), std::string::npos)
      << r.output;
}

// On a terminal errors are red, unless NO_COLOR is set. script(1) gives the command a pty.
TEST(CliTest, ColorOnATerminalOnlyWithoutNoColor) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1)";
  std::string bin = testing::BinaryDir() + "/src/cli/cairn";
  auto on_tty = [&](const std::string& env) {
    std::string cmd = "env " + env + " TERM=xterm script -qec '" + bin +
                      " hash /nonexistent-cairn-file' /dev/null 2>&1";
    return testing::Shell(cmd).output;
  };
  std::string colored = on_tty("-u NO_COLOR");
  EXPECT_NE(colored.find("\033[1;31merror:"), std::string::npos) << colored;
  std::string plain = on_tty("NO_COLOR=1");
  EXPECT_NE(plain.find("cairn: error: stat"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("\033["), std::string::npos) << plain;
}

TEST(CliTest, HashPrintsLikeMd5sum) {
  std::string dir = ::testing::TempDir() + "cairn-cli-hash";
  std::string cmd = "rm -rf " + dir + " && mkdir -p " + dir + "/d/sub && printf abc > " + dir +
                    "/d/sub/a && printf '' > " + dir + "/d/b";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  CmdResult r = Cairn("hash " + dir + "/d/sub/a " + dir + "/d");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "900150983cd24fb0d6963f7d28e17f72  " + dir + "/d/sub/a\n" +
                          "d41d8cd98f00b204e9800998ecf8427e  " + dir + "/d/b\n" +
                          "900150983cd24fb0d6963f7d28e17f72  " + dir + "/d/sub/a\n");
  // Names with a backslash or a newline: byte for byte what md5sum prints.
  ASSERT_EQ(
      std::system(("cd " + dir + " && printf x > 'back\\slash' && printf y > 'new\nline'").c_str()),
      0);
  r = Cairn("hash " + dir + "/back*slash " + dir + "/new*line");
  FILE* pipe = ::popen(("md5sum " + dir + "/back*slash " + dir + "/new*line").c_str(), "r");
  std::string expected;
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) expected.append(buf, n);
  ::pclose(pipe);
  EXPECT_EQ(r.output, expected);
  EXPECT_EQ(expected[0], '\\');
  r = Cairn("hash --sha256 " + dir + "/d/sub/a");
  EXPECT_EQ(r.output, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  " + dir +
                          "/d/sub/a\n");
}

}  // namespace
}  // namespace cairn
