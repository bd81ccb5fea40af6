// The built-in and local actions end to end through RunJob (the job runner's StepHost): a
// checkout of a real repository, a local composite action, actions/cache with its post step
// (a hit on the second run), and an artifact uploaded by one job and downloaded by another.
#include <gtest/gtest.h>

#include <mutex>

#include "action_fixture.h"
#include "parsed.h"
#include "workflow/github_context.h"
#include "workflow/job_run.h"

namespace cairn::workflow::testing {
namespace {

class Lines : public RunObserver {
 public:
  void Line(const JobRef&, int, LineKind, std::string_view line) override {
    std::lock_guard lock(mu_);
    text += std::string(line) + "\n";
  }
  std::string text;

 private:
  std::mutex mu_;
};

class ActionJobTest : public ActionTest {
 protected:
  JobResult RunJobYaml(std::string_view yaml, Lines& lines, const Event& event) {
    workflow_ = Parsed(yaml);
    options_.base_env = base_env_;
    options_.masker = std::make_shared<core::SecretMasker>();
    JobContext ctx;
    ctx.workflow = &workflow_;
    ctx.job = &workflow_.jobs.at(0);
    ctx.ref = {ctx.job->id, ctx.job->id};
    ctx.event = &event;
    ctx.options = &options_;
    ctx.contexts.Set("github", GithubContext(event, {.repository = "octo/repo",
                                                     .actor = "mona",
                                                     .workflow = "CI",
                                                     .workspace = ""}));
    for (const char* name : {"secrets", "vars", "inputs", "needs", "matrix"}) {
      ctx.contexts.Set(name, expr::Value::Object({}));
    }
    ctx.event_path = root_->Path("event.json");
    Write(ctx.event_path, "{}");
    auto result = RunJob(ctx, lines);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : JobResult();
  }

  Workflow workflow_;
};

TEST_F(ActionJobTest, CheckoutCompositeCacheAndArtifactsThroughRunJob) {
  Run(root_->path(), {"git", "init", "-q", "-b", "main", repo_});
  Write(repo_ + "/data.txt", "payload\n");
  Write(repo_ + "/.github/actions/greet/action.yml", R"(name: Greet
inputs:
  who:
    default: World
outputs:
  greeting:
    value: ${{ steps.say.outputs.text }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: echo "text=Hello ${{ inputs.who }}" >> "$GITHUB_OUTPUT"
)");
  Git(repo_, {"add", "-A"});
  Git(repo_, {"commit", "-q", "-m", "init"});
  Event event = PushEvent(Git(repo_, {"rev-parse", "HEAD"}));
  constexpr std::string_view kBuild = R"(
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: greet
        uses: ./.github/actions/greet
        with:
          who: cairn
      - run: echo "greeting=${{ steps.greet.outputs.greeting }}"
      - id: cache
        uses: actions/cache@v4
        with:
          path: build-cache
          key: build-${{ hashFiles('data.txt') }}
      - run: echo "hit=${{ steps.cache.outputs.cache-hit }}"
      - run: mkdir -p build-cache && cp data.txt build-cache/
      - uses: actions/upload-artifact@v4
        with:
          name: data
          path: data.txt
          overwrite: true
)";
  Lines first;
  JobResult r1 = RunJobYaml(kBuild, first, event);
  EXPECT_EQ(r1.conclusion, Conclusion::kSuccess) << r1.reason << "\n" << first.text;
  EXPECT_NE(first.text.find("greeting=Hello cairn"), std::string::npos) << first.text;
  EXPECT_NE(first.text.find("hit=false"), std::string::npos) << first.text;
  EXPECT_NE(first.text.find("Cache saved with key: build-"), std::string::npos) << first.text;

  Lines second;
  JobResult r2 = RunJobYaml(kBuild, second, event);
  EXPECT_EQ(r2.conclusion, Conclusion::kSuccess) << r2.reason << "\n" << second.text;
  EXPECT_NE(second.text.find("hit=true"), std::string::npos) << second.text;

  Lines third;
  JobResult r3 = RunJobYaml(R"(
on: push
jobs:
  use:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: data
      - run: cat data.txt
)",
                            third, event);
  EXPECT_EQ(r3.conclusion, Conclusion::kSuccess) << r3.reason << "\n" << third.text;
  EXPECT_NE(third.text.find("payload"), std::string::npos) << third.text;
}

}  // namespace
}  // namespace cairn::workflow::testing
