// Test helper for the action tests: a temporary root with a git repository (two commits on
// main), the run's directories (artifacts, cache, temp), a HOME of its own, and FakeStepHosts
// ("jobs") each with a fresh workspace.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/path.h"
#include "core/strings.h"
#include "fake_step_host.h"
#include "sys/env.h"
#include "sys/subprocess.h"
#include "sys/temp_dir.h"
#include "workflow/action_support.h"
#include "workflow/actions.h"

namespace cairn::workflow::testing {

class ActionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto root = sys::TempDir::Create("cairn-actions-");
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    root_ = std::make_unique<sys::TempDir>(std::move(*root));
    os_ = sys::NewPosixEnv();
    home_ = root_->Path("home");
    repo_ = root_->Path("repo");
    ASSERT_TRUE(os_->CreateDirs(home_).ok());
    const char* path = std::getenv("PATH");
    base_env_ = {{"PATH", path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin"},
                 {"HOME", home_},
                 {"LANG", "C"},
                 {"GIT_AUTHOR_NAME", "Test"},
                 {"GIT_AUTHOR_EMAIL", "test@example.com"},
                 {"GIT_COMMITTER_NAME", "Test"},
                 {"GIT_COMMITTER_EMAIL", "test@example.com"},
                 {"GIT_CONFIG_NOSYSTEM", "1"}};
    options_.run_id = "42";
    options_.repository_name = "octo/repo";
    options_.dirs.repository = repo_;
    options_.dirs.artifacts = root_->Path("artifacts");
    options_.dirs.cache = root_->Path("cache");
    options_.dirs.temp_root = root_->Path("tmp");
  }

  // Runs a command; its output (stdout and stderr), trimmed. Fails the test on a non-zero exit.
  std::string Run(const std::string& cwd, std::vector<std::string> argv) {
    sys::SubprocessOptions options;
    options.argv = std::move(argv);
    options.cwd = cwd;
    options.merge_stderr = true;
    std::vector<std::string> env;
    for (const auto& [k, v] : base_env_) env.push_back(k + "=" + v);
    options.env = env;
    std::string out;
    auto status =
        sys::Run(options, [&](std::string_view line) { out += std::string(line) + "\n"; });
    EXPECT_TRUE(status.ok() && status->ok()) << core::Join(options.argv, " ") << " failed:\n"
                                             << out;
    return std::string(core::Trim(out));
  }
  std::string Git(const std::string& dir, std::vector<std::string> args) {
    args.insert(args.begin(), "git");
    return Run(dir, std::move(args));
  }

  void Write(const std::string& path, std::string_view text) {
    ASSERT_TRUE(os_->CreateDirs(core::Dirname(path)).ok());
    ASSERT_TRUE(os_->WriteFile(path, text).ok());
  }
  std::string Read(const std::string& path) {
    auto text = os_->ReadFile(path);
    return text.ok() ? *text : "<missing: " + text.status().message() + ">";
  }

  // repo_: main with commits "one" (a.txt) and "two" (b.txt), tag v1 at "one". Returns the
  // tip's sha.
  std::string MakeRepo() {
    Run(root_->path(), {"git", "init", "-q", "-b", "main", repo_});
    Write(repo_ + "/a.txt", "a\n");
    Git(repo_, {"add", "a.txt"});
    Git(repo_, {"commit", "-q", "-m", "one"});
    Git(repo_, {"tag", "v1"});
    Write(repo_ + "/b.txt", "b\n");
    Git(repo_, {"add", "b.txt"});
    Git(repo_, {"commit", "-q", "-m", "two"});
    return Git(repo_, {"rev-parse", "HEAD"});
  }

  Event PushEvent(const std::string& sha, const std::string& ref = "refs/heads/main") {
    Event event;
    event.name = "push";
    event.ref = ref;
    event.sha = sha;
    return event;
  }

  // A job: a fresh workspace and RUNNER_TEMP under the root.
  std::unique_ptr<FakeStepHost> NewJob(const std::string& name, const Event& event = {}) {
    std::string ws = root_->Path(name + "/ws");
    std::string temp = root_->Path(name + "/tmp");
    EXPECT_TRUE(os_->CreateDirs(ws).ok());
    EXPECT_TRUE(os_->CreateDirs(temp).ok());
    return std::make_unique<FakeStepHost>(options_, event, ws, temp, base_env_);
  }

  static UsesRef Uses(const std::string& text) {
    UsesRef uses;
    uses.text = text;
    if (text.starts_with("./")) {
      uses.kind = UsesRef::Kind::kLocal;
      uses.path = text;
      return uses;
    }
    if (text.starts_with("docker://")) {
      uses.kind = UsesRef::Kind::kDocker;
      uses.image = text.substr(9);
      return uses;
    }
    size_t at = text.find('@');
    std::vector<std::string_view> parts = core::Split(std::string_view(text).substr(0, at), '/');
    uses.owner = std::string(parts[0]);
    uses.repo = std::string(parts[1]);
    for (size_t i = 2; i < parts.size(); ++i) {
      uses.path += (uses.path.empty() ? "" : "/") + std::string(parts[i]);
    }
    uses.ref = text.substr(at + 1);
    return uses;
  }

  // Resolves `uses` and runs its main with `with`.
  Conclusion Main(FakeStepHost& host, const std::string& uses,
                  const std::map<std::string, std::string>& with,
                  std::unique_ptr<Action>* keep = nullptr) {
    auto action = ResolveAction(Uses(uses), host.workspace());
    EXPECT_TRUE(action.ok()) << action.status().ToString();
    if (!action.ok()) return Conclusion::kFailure;
    auto result = (*action)->Main(host, with);
    EXPECT_TRUE(result.ok()) << result.status().ToString() << "\n" << host.AllLines();
    if (keep != nullptr) *keep = std::move(*action);
    return result.ok() ? *result : Conclusion::kFailure;
  }

  std::unique_ptr<sys::TempDir> root_;
  std::unique_ptr<sys::Env> os_;
  std::string home_;
  std::string repo_;
  std::map<std::string, std::string> base_env_;
  RunOptions options_;
};

}  // namespace cairn::workflow::testing
