// DvcSandbox: a scratch directory with `dvc` (a symlink to the built cairn) first on PATH and a
// fresh git repository in `repo/`, where tests run shell scripts as a user would, with no
// global or system DVC config and a fixed git identity.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "core/strings.h"
#include "sys/temp_dir.h"
#include "testing/paths.h"
#include "testing/shell.h"

namespace cairn::testing {

struct Ran {
  int rc = -1;
  std::string out;  // stdout, and stderr too when asked for
};

class DvcSandbox : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = sys::TempDir::Create("cairn-dvc-case-");
    ASSERT_TRUE(dir.ok());
    scratch_ = std::make_unique<sys::TempDir>(std::move(*dir));
    ASSERT_EQ(Sh("mkdir bin && ln -s " + BinaryDir() + "/src/cli/cairn bin/dvc && " + "ln -s " +
                     BinaryDir() + "/src/cli/cairn bin/cairn && git init -q repo",
                 scratch_->path())
                  .rc,
              0);
    repo_ = scratch_->Path("repo");
  }

  /// Runs `script` with sh in `dir` (default: the repo). Only stdout is kept unless
  /// `with_stderr`; the exit code is the script's. `env` prefixes extra NAME=value words.
  Ran Sh(const std::string& script, std::string dir = "", bool with_stderr = false,
         const std::string& env = "") {
    if (dir.empty()) dir = repo_;
    std::string vars =
        "PATH='" + scratch_->Path("bin") + "':\"$PATH\" LC_ALL=C.UTF-8 DVC_GLOBAL_CONFIG_DIR='" +
        scratch_->Path("empty") + "' DVC_SYSTEM_CONFIG_DIR='" + scratch_->Path("empty") +
        "' GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@t "
        "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@t HOME='" +
        scratch_->path() + "' " + env + " ";
    std::string cmd = "cd '" + dir + "' && " + vars + "sh -c '" +
                      core::ReplaceAll(script, "'", "'\\''") + "'" + (with_stderr ? " 2>&1" : "");
    testing::ShellResult r = testing::Shell(cmd);
    return Ran{r.exit_code, std::move(r.output)};
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  /// The repo's cache objects, sorted as `LC_ALL=C sort` sorts.
  std::string CacheObjects() {
    return Sh("cd .dvc/cache 2>/dev/null && find . -type f | sed 's|^\\./||' | LC_ALL=C sort").out;
  }

  std::unique_ptr<sys::TempDir> scratch_;
  std::string repo_;
};

}  // namespace cairn::testing
