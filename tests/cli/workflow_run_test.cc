// `cairn workflow run` as a user runs it, in a git repository with .cairn/ settings: secrets
// never reach the console, a log or the history in any form; environment protection refuses a
// branch before the job's first step; artifacts pass from one job to another; the run is
// recorded and `cairn run view` shows it; the exit code is the run's.
#include <gtest/gtest.h>

#include <string>

#include "cli/dvc_sandbox.h"
#include "core/strings.h"

namespace cairn::testing {
namespace {

constexpr const char* kSecret = "s3cr3t-Tok/en+42";

class WorkflowRunTest : public DvcSandbox {
 protected:
  void SetUp() override {
    DvcSandbox::SetUp();
    ASSERT_EQ(
        Sh("git checkout -q -b main && mkdir -p .github/workflows && cairn init >/dev/null").rc, 0);
  }
  void Commit() { ASSERT_EQ(Sh("git add -A && git commit -qm wf").rc, 0); }
};

TEST_F(WorkflowRunTest, SecretsAreMaskedEverywhere) {
  // The secret printed as is, base64-encoded and URL-encoded, from a step and from a job
  // output (which GitHub drops when it holds a secret).
  ASSERT_EQ(Sh(R"SH(cat > .github/workflows/leak.yml <<'EOF'
on: push
jobs:
  leak:
    runs-on: ubuntu-latest
    outputs:
      token: ${{ steps.s.outputs.token }}
    steps:
      - id: s
        env:
          TOKEN: ${{ secrets.API_TOKEN }}
        run: |
          echo "plain $TOKEN"
          echo "b64 $(printf %s "$TOKEN" | base64)"
          echo "url $(printf %s "$TOKEN" | sed 's|/|%2F|g; s|+|%2B|g')"
          echo "token=$TOKEN" >> "$GITHUB_OUTPUT"
          echo "summary $TOKEN" >> "$GITHUB_STEP_SUMMARY"
  after:
    needs: leak
    runs-on: ubuntu-latest
    steps:
      - run: echo "got ${{ needs.leak.outputs.token }}"
EOF
)SH")
                .rc,
            0);
  ASSERT_EQ(Sh("printf 'API_TOKEN=%s\\n' '" + std::string(kSecret) + "' > .cairn/secrets.env").rc,
            0);
  Commit();
  Ran run = Sh("cairn workflow run leak.yml", "", true);
  EXPECT_EQ(run.rc, 0) << run.out;
  EXPECT_NE(run.out.find("plain ***"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("b64 ***"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("url ***"), std::string::npos) << run.out;

  std::string b64 = core::Base64Encode(kSecret);
  std::string url = core::ReplaceAll(core::ReplaceAll(kSecret, "/", "%2F"), "+", "%2B");
  for (const std::string& form : {std::string(kSecret), b64, url}) {
    EXPECT_EQ(run.out.find(form), std::string::npos) << form << "\n" << run.out;
    // Every file of the history: runs.db (and its WAL), logs, summaries.
    Ran grep = Sh("grep -rlF -e '" + form + "' .cairn/runs .cairn/runs.db* || true");
    EXPECT_EQ(grep.out, "") << "the secret (" << form << ") is in " << grep.out;
  }
  Ran view = Sh("cairn run view 1 --log", "", true);
  EXPECT_EQ(view.rc, 0) << view.out;
  EXPECT_NE(view.out.find("plain ***"), std::string::npos) << view.out;
  EXPECT_EQ(view.out.find(kSecret), std::string::npos) << view.out;
}

TEST_F(WorkflowRunTest, EnvironmentProtectionRefusesABranch) {
  ASSERT_EQ(Sh(R"SH(cat > .github/workflows/deploy.yml <<'EOF'
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: ml-prod
    steps:
      - run: touch "$RUNNER_TEMP/../deployed" && echo deployed
EOF
printf 'ml-prod:\n  branches: [main]\n' > .cairn/environments.yaml)SH")
                .rc,
            0);
  Commit();
  Ran tune = Sh("git checkout -q -b tune && cairn workflow run deploy.yml", "", true);
  EXPECT_EQ(tune.rc, 1) << tune.out;
  EXPECT_NE(tune.out.find("environment 'ml-prod'"), std::string::npos) << tune.out;
  EXPECT_NE(tune.out.find("environments.yaml:2:"), std::string::npos) << tune.out;
  EXPECT_EQ(tune.out.find("| deployed"), std::string::npos) << "a step ran:\n" << tune.out;

  Ran main = Sh("git checkout -q main && cairn workflow run deploy.yml", "", true);
  EXPECT_EQ(main.rc, 0) << main.out;
  EXPECT_NE(main.out.find("| deployed"), std::string::npos) << main.out;
}

TEST_F(WorkflowRunTest, ArtifactsPassBetweenJobsAndTheRunIsRecorded) {
  ASSERT_EQ(Sh(R"SH(cat > .github/workflows/train.yml <<'EOF'
name: Train
on: push
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: |
          mkdir -p out && echo '{"accuracy": 0.91}' > out/metrics.json
      - uses: actions/upload-artifact@v4
        with:
          name: metrics
          path: out/metrics.json
  gate:
    needs: train
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: metrics
      - run: grep -q 0.91 metrics.json && echo gate passed
      - run: exit 3
      - run: echo cleanup after failure
        if: failure()
EOF
)SH")
                .rc,
            0);
  Commit();
  Ran run = Sh("cairn workflow run Train", "", true);
  EXPECT_EQ(run.rc, 1) << run.out;  // the run failed: exit 3
  EXPECT_NE(run.out.find("| gate passed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("| cleanup after failure"), std::string::npos) << run.out;

  Ran list = Sh("cairn run list", "", true);
  EXPECT_NE(list.out.find("failure"), std::string::npos) << list.out;
  Ran view = Sh("cairn run view 1", "", true);
  EXPECT_NE(view.out.find("job train: success"), std::string::npos) << view.out;
  EXPECT_NE(view.out.find("job gate: failure"), std::string::npos) << view.out;
  EXPECT_NE(view.out.find("exited with code 3"), std::string::npos) << view.out;

  // Only the failed job again (and what it needs).
  Ran rerun = Sh("cairn run rerun 1 --failed", "", true);
  EXPECT_EQ(rerun.rc, 1) << rerun.out;
  EXPECT_NE(rerun.out.find("jobs gate"), std::string::npos) << rerun.out;
}

TEST_F(WorkflowRunTest, AnEventThatDoesNotTriggerIsRefusedWithTheReason) {
  ASSERT_EQ(Sh(R"SH(cat > .github/workflows/only-src.yml <<'EOF'
on:
  push:
    paths: ['src/**']
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo ran
EOF
)SH")
                .rc,
            0);
  Commit();
  Ran refused = Sh("cairn workflow run only-src.yml", "", true);
  EXPECT_EQ(refused.rc, 2) << refused.out;
  EXPECT_NE(refused.out.find("does not run for this push event"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("--force"), std::string::npos) << refused.out;
  Ran forced = Sh("cairn workflow run only-src.yml --force", "", true);
  EXPECT_EQ(forced.rc, 0) << forced.out;
  EXPECT_NE(forced.out.find("| ran"), std::string::npos) << forced.out;
}

}  // namespace
}  // namespace cairn::testing
