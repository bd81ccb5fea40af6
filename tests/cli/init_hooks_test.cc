// `cairn init`, `cairn hooks install|uninstall` and `cairn schedule --once` run as a user
// would, in a real git repository: init is idempotent; the post-commit hook never blocks the
// commit and fires the push workflows; the pre-push hook refuses a push when the pull_request
// workflows fail (and --no-verify skips it); hooks that are not cairn's are kept and chained.
// `cairn workflow run` is replaced by a fake (CAIRN_BIN) that records its command line.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "cli/dvc_sandbox.h"
#include "workflow/settings.h"

namespace cairn::testing {
namespace {

class InitHooksTest : public DvcSandbox {
 protected:
  void SetUp() override {
    DvcSandbox::SetUp();
    ASSERT_EQ(
        Sh("git checkout -q -b main && echo a > a.txt && git add a.txt && git commit -qm a").rc, 0);
    calls_ = scratch_->Path("calls.log");
    fake_ = scratch_->Path("fake-cairn");
    // A stand-in for `cairn workflow run`: records its arguments, fails pull_request runs
    // when FAKE_PR_RC says so, and takes a while otherwise (a real run would).
    ASSERT_EQ(Sh("printf '%s\\n' '#!/bin/sh' 'echo \"$@\" >> \"" + calls_ +
                 "\"' 'case \"$*\" in *pull_request*) exit ${FAKE_PR_RC:-0};; esac' "
                 "'sleep 2' > '" +
                 fake_ + "' && chmod +x '" + fake_ + "'")
                  .rc,
              0);
  }

  std::string Calls() { return Read(calls_); }

  // Waits up to 5 s for calls.log to hold `text`.
  bool WaitForCall(const std::string& text) {
    for (int i = 0; i < 100; ++i) {
      if (Calls().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::string Fake() { return "CAIRN_BIN='" + fake_ + "'"; }

  std::string calls_;
  std::string fake_;
};

TEST_F(InitHooksTest, InitIsIdempotentAndIgnoresWhatStaysLocal) {
  ASSERT_EQ(Sh("printf 'node_modules/\\n.cairn/runs/' > .gitignore").rc, 0);
  Ran first = Sh("cairn init", "", true);
  ASSERT_EQ(first.rc, 0) << first.out;
  EXPECT_NE(first.out.find("wrote .cairn/config.yaml"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("added 7 lines to .gitignore"), std::string::npos) << first.out;
  std::string gitignore = Read(repo_ + "/.gitignore");
  EXPECT_EQ(gitignore,
            "node_modules/\n.cairn/runs/\n\n"
            "# cairn: secrets, run history and runner stores stay local\n"
            ".cairn/secrets*.env\n.cairn/runs.db*\n.cairn/tmp/\n.cairn/cache/\n"
            ".cairn/artifacts/\n.cairn/tool-cache/\n.cairn/*.log\n");
  std::string config = Read(repo_ + "/.cairn/config.yaml");
  std::string environments = Read(repo_ + "/.cairn/environments.yaml");

  // git agrees: secrets and history are ignored, the settings are not.
  ASSERT_EQ(Sh("mkdir -p .cairn/runs/1 && touch .cairn/secrets.env .cairn/secrets.ml-prod.env "
               ".cairn/runs.db .cairn/runs.db-wal .cairn/runs/1/log .cairn/hooks.log")
                .rc,
            0);
  EXPECT_EQ(Sh("git status --porcelain --untracked-files=all .cairn").out,
            "?? .cairn/config.yaml\n?? .cairn/environments.yaml\n");

  // A second init changes nothing and says so, from a subdirectory too.
  ASSERT_EQ(Sh("mkdir -p src/deep").rc, 0);
  Ran second = Sh("cairn init", repo_ + "/src/deep", true);
  ASSERT_EQ(second.rc, 0) << second.out;
  EXPECT_NE(second.out.find("already initialized: nothing changed"), std::string::npos)
      << second.out;
  EXPECT_EQ(Read(repo_ + "/.gitignore"), gitignore);
  EXPECT_EQ(Read(repo_ + "/.cairn/config.yaml"), config);

  // The files it wrote load: the config gives the defaults, the environments none.
  auto parsed = workflow::ParseRunnerConfig(config, "config.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->default_job_timeout, std::chrono::minutes(360));
  auto rules = workflow::EnvironmentRules::Parse(environments, "environments.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_TRUE((*rules)->rules().empty());
  // ...and its commented example, uncommented, keeps ml-prod to main.
  std::string example = environments.substr(environments.find("# ml-prod:"));
  example = core::ReplaceAll(example, "\n#", "\n");
  example = example.substr(2);
  auto example_rules = workflow::EnvironmentRules::Parse(example, "example");
  ASSERT_TRUE(example_rules.ok()) << example_rules.status().ToString() << "\n" << example;
  workflow::Event push;
  push.name = "push";
  push.ref = "refs/heads/main";
  EXPECT_TRUE((*example_rules)->Check("ml-prod", push).ok());
  push.ref = "refs/heads/tune";
  EXPECT_EQ((*example_rules)->Check("ml-prod", push).code(), core::Code::kPermissionDenied);
}

TEST_F(InitHooksTest, InitDataAlsoMakesTheDvcRepository) {
  Ran r = Sh("cairn init --data", "", true);
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_EQ(Sh("test -d .dvc && test -f .cairn/config.yaml").rc, 0);
  Ran again = Sh("cairn init --data", "", true);
  ASSERT_EQ(again.rc, 0) << again.out;
  EXPECT_NE(again.out.find("DVC repository: already initialized"), std::string::npos);
  EXPECT_NE(again.out.find("nothing changed"), std::string::npos) << again.out;
}

TEST_F(InitHooksTest, PostCommitFiresPushWorkflowsWithoutBlockingAndChainsTheOldHook) {
  ASSERT_EQ(Sh("printf '%s\\n' '#!/bin/sh' 'echo previous >> prev.log' > .git/hooks/post-commit "
               "&& chmod +x .git/hooks/post-commit")
                .rc,
            0);
  std::string original = Read(repo_ + "/.git/hooks/post-commit");
  Ran refused = Sh("cairn hooks install", "", true);
  EXPECT_NE(refused.rc, 0);
  EXPECT_NE(refused.out.find("exists and is not cairn's: rerun with --force"), std::string::npos)
      << refused.out;
  EXPECT_EQ(Read(repo_ + "/.git/hooks/post-commit"), original);

  Ran forced = Sh("cairn hooks install --force", "", true);
  ASSERT_EQ(forced.rc, 0) << forced.out;
  EXPECT_EQ(Read(repo_ + "/.git/hooks/post-commit.pre-cairn"), original);
  EXPECT_EQ(Sh("test -x .git/hooks/post-commit && test -x .git/hooks/pre-push").rc, 0);

  // The commit returns at once although the run it fires takes 2 s.
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Sh("echo b > b.txt && git add b.txt && git commit -qm b", "", false, Fake()).rc, 0);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  EXPECT_TRUE(WaitForCall("workflow run --event push --ref refs/heads/main --all-matching\n"))
      << Calls();
  EXPECT_EQ(Read(repo_ + "/prev.log"), "previous\n");  // the chained hook ran
  EXPECT_NE(Read(repo_ + "/.cairn/hooks.log").find("on main"), std::string::npos);

  // CAIRN_HOOKS=0 turns the hook off for one command.
  ASSERT_EQ(Sh("git commit -q --allow-empty -m c", "", false, Fake() + " CAIRN_HOOKS=0").rc, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Read(repo_ + "/prev.log"), "previous\n");

  // Uninstall restores the old hook and removes pre-push.
  Ran un = Sh("cairn hooks uninstall", "", true);
  ASSERT_EQ(un.rc, 0) << un.out;
  EXPECT_EQ(Read(repo_ + "/.git/hooks/post-commit"), original);
  EXPECT_NE(Sh("test -e .git/hooks/post-commit.pre-cairn || test -e .git/hooks/pre-push").rc, 0);
  Ran again = Sh("cairn hooks uninstall", "", true);
  EXPECT_NE(again.out.find("post-commit: not cairn's, left as it is"), std::string::npos)
      << again.out;
}

TEST_F(InitHooksTest, PrePushRefusesAPushWhosePullRequestWorkflowsFail) {
  ASSERT_EQ(Sh("git init -q --bare ../origin.git && git remote add origin ../origin.git && "
               "git push -q origin main && git checkout -q -b feature && echo f > f.txt && "
               "git add f.txt && CAIRN_HOOKS=0 git commit -qm f")
                .rc,
            0);
  ASSERT_EQ(Sh("cairn hooks install", "", true).rc, 0);

  Ran refused = Sh("git push -q origin feature", "", true, Fake() + " FAKE_PR_RC=1");
  EXPECT_NE(refused.rc, 0) << refused.out;
  EXPECT_NE(refused.out.find("pull_request workflows failed for feature; push refused"),
            std::string::npos)
      << refused.out;
  EXPECT_NE(Calls().find("workflow run --event pull_request --base main --head feature "
                         "--all-matching"),
            std::string::npos)
      << Calls();
  EXPECT_NE(Sh("git --git-dir=../origin.git rev-parse -q --verify refs/heads/feature").rc, 0);

  // --no-verify skips the hook, as git allows.
  ASSERT_EQ(Sh("git push -q --no-verify origin feature", "", true, Fake() + " FAKE_PR_RC=1").rc, 0);
  // Passing workflows let the push through; pushing main itself runs none.
  ASSERT_EQ(Sh("echo g > g.txt && git add g.txt && CAIRN_HOOKS=0 git commit -qm g").rc, 0);
  Ran passed = Sh("git push -q origin feature", "", true, Fake());
  EXPECT_EQ(passed.rc, 0) << passed.out;
  size_t calls_before = Calls().size();
  ASSERT_EQ(Sh("git checkout -q main && git commit -q --allow-empty -m m && git push -q origin "
               "main",
               "", true, Fake() + " CAIRN_HOOKS=1")
                .rc,
            0);
  EXPECT_TRUE(WaitForCall("--event push --ref refs/heads/main"));  // the post-commit run
  EXPECT_EQ(Calls().substr(calls_before).find("pull_request"), std::string::npos) << Calls();
}

TEST_F(InitHooksTest, ScheduleOnceRunsTheWorkflowsWhoseCronMatches) {
  ASSERT_EQ(Sh("mkdir -p .github/workflows && printf '%s\\n' 'on:' '  schedule:' "
               "'    - cron: \"30 5 * * 1\"' '    - cron: \"30 5 * * *\"' 'jobs:' '  a:' "
               "'    runs-on: ubuntu-latest' '    steps:' '      - run: true' "
               "> .github/workflows/nightly.yml && printf '%s\\n' 'on: push' 'jobs:' '  a:' "
               "'    runs-on: ubuntu-latest' '    steps:' '      - run: true' "
               "> .github/workflows/ci.yml")
                .rc,
            0);
  Ran monday = Sh("cairn schedule --once --now 2026-01-05T05:30Z --dry-run", "", true);
  ASSERT_EQ(monday.rc, 0) << monday.out;
  // Once per workflow even when two of its crons match; ci.yml has no schedule.
  EXPECT_EQ(monday.out.find("would run:"), monday.out.rfind("would run:")) << monday.out;
  EXPECT_NE(monday.out.find("2026-01-05T05:30Z .github/workflows/nightly.yml (cron '30 5 * * "
                            "1'): would run: "),
            std::string::npos)
      << monday.out;
  EXPECT_NE(monday.out.find(" workflow run .github/workflows/nightly.yml --event schedule --ref "
                            "refs/heads/main"),
            std::string::npos)
      << monday.out;
  EXPECT_EQ(monday.out.find("ci.yml"), std::string::npos);

  Ran other = Sh("cairn schedule --once --now 2026-01-05T05:31Z --dry-run", "", true);
  ASSERT_EQ(other.rc, 0);
  EXPECT_EQ(other.out, "");

  // Without --dry-run the run is a child process (this branch's `cairn workflow run` may not
  // take these flags yet: only that it ran and was logged matters here).
  ASSERT_EQ(Sh("mkdir -p .cairn").rc, 0);
  Ran real = Sh("cairn schedule --once --now 2026-01-05T05:30Z", "", true);
  ASSERT_EQ(real.rc, 0) << real.out;
  EXPECT_NE(real.out.find("2026-01-05T05:30Z .github/workflows/nightly.yml: finished: exited "
                          "with code"),
            std::string::npos)
      << real.out;
  EXPECT_NE(Read(repo_ + "/.cairn/schedule.log")
                .find("== 2026-01-05T05:30Z .github/workflows/nightly.yml\n"),
            std::string::npos);

  // The daemon ends cleanly on SIGTERM.
  Ran daemon =
      Sh("cairn schedule > daemon.log 2>&1 & pid=$!; sleep 0.5; kill -TERM $pid; "
         "wait $pid; echo rc=$?; cat daemon.log",
         "", true);
  EXPECT_NE(daemon.out.find("rc=0"), std::string::npos) << daemon.out;
  EXPECT_NE(daemon.out.find("cairn schedule: stopping"), std::string::npos) << daemon.out;

  Ran bad = Sh("cairn schedule --once --now 2026-01-05 --dry-run", "", true);
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.out.find("--now '2026-01-05': expected a UTC time like 2026-01-05T05:30Z"),
            std::string::npos)
      << bad.out;
}

}  // namespace
}  // namespace cairn::testing
