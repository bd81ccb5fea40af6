#include "workflow/event.h"

#include <gtest/gtest.h>
#include <stdio.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/yaml.h"
#include "sys/git.h"
#include "sys/temp_dir.h"
#include "workflow/trigger_match.h"

namespace cairn::workflow {
namespace {

namespace fs = std::filesystem;

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// One repository for the whole suite (made once: git commands cost milliseconds each):
//
//   c1 (root): README.md, docs/a.md, src/train.py
//   c2: src/train.py changed                      <- feature, conflict branch off here
//   c3: README.md changed      main, newbr, tag v1.0
//   feature: f1 adds src/model.py
//   conflict: x1 changes README.md differently from c3
class EventTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = sys::TempDir::Create("cairn-event-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = new sys::TempDir(std::move(dir).value());
    repo_ = fs::canonical(dir_->path()).string() + "/repo";
    fs::create_directories(repo_);
    Git("init -q -b main");
    Write("README.md", "hello\n");
    Write("docs/a.md", "docs\n");
    Write("src/train.py", "print(1)\n");
    c1_ = Commit("c1");
    Write("src/train.py", "print(2)\n");
    c2_ = Commit("c2");
    Write("README.md", "hello main\n");
    c3_ = Commit("c3");
    Git("tag v1.0");
    Git("branch newbr");
    Git("checkout -q -b feature " + c2_);
    Write("src/model.py", "m\n");
    f1_ = Commit("f1");
    Git("checkout -q -b conflict " + c2_);
    Write("README.md", "hello conflict\n");
    Commit("x1");
    Git("checkout -q main");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string Git(std::string_view args) {
    const std::string home = dir_->path();
    const std::string command =
        "cd " + ShellQuote(repo_) + " && env GIT_CONFIG_NOSYSTEM=1 HOME=" + ShellQuote(home) +
        " XDG_CONFIG_HOME=" + ShellQuote(home + "/.config") +
        " GIT_AUTHOR_NAME=Cairn GIT_AUTHOR_EMAIL=cairn@example.com"
        " GIT_COMMITTER_NAME=Cairn GIT_COMMITTER_EMAIL=cairn@example.com git " +
        std::string(args) + " 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return "";
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    EXPECT_EQ(::pclose(pipe), 0) << command << "\n" << out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  static void Write(std::string_view path, std::string_view content) {
    const fs::path p = fs::path(repo_) / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  static std::string Commit(std::string_view message) {
    Git("add -A");
    Git("commit -q -m " + ShellQuote(message));
    return Git("rev-parse HEAD");
  }

  static Event Build(const EventOptions& options) {
    auto e = BuildEvent(options, repo_);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : Event();
  }

  static TriggerDecision Decide(std::string_view on_yaml, const Event& e) {
    auto doc = core::ParseYaml(on_yaml, "wf.yml");
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    auto triggers = ParseTriggers(*doc->Find("on"));
    EXPECT_TRUE(triggers.ok()) << triggers.status().ToString();
    return Match(*triggers, e);
  }

  static std::string Joined(const TriggerDecision& d) {
    std::string out;
    for (const std::string& r : d.reasons) out += r + "\n";
    return out;
  }

  static inline sys::TempDir* dir_ = nullptr;
  static inline std::string repo_, c1_, c2_, c3_, f1_;
};

constexpr std::string_view kPushMainSrc =
    "on:\n  push:\n    branches: [main]\n    paths: ['src/**']\n";

TEST_F(EventTest, PushToMainTouchingSrcRuns) {
  EventOptions o;
  o.ref = "main";
  o.sha = c2_;
  Event e = Build(o);
  EXPECT_EQ(e.ref, "refs/heads/main");
  EXPECT_EQ(e.sha, c2_);
  EXPECT_EQ(e.before, c1_);
  EXPECT_EQ(e.changed_paths, std::vector<std::string>{"src/train.py"});
  EXPECT_EQ(e.changed_paths_from,
            "git diff " + c1_.substr(0, 7) + ".." + c2_.substr(0, 7) + " (push)");
  EXPECT_EQ(e.payload.Find("after")->AsString(), c2_);
  EXPECT_EQ(e.payload.Find("before")->AsString(), c1_);
  EXPECT_EQ(e.payload.Find("head_commit")->Find("id")->AsString(), c2_);
  TriggerDecision d = Decide(kPushMainSrc, e);
  EXPECT_TRUE(d.runs) << Joined(d);
  EXPECT_EQ(d.reasons[0], "push: branch 'main' matches 'main'");
  EXPECT_EQ(d.reasons[1].substr(0, 62),
            "push: changed path 'src/train.py' matches paths pattern 'src/*");
}

TEST_F(EventTest, PushOfOnlyReadmeDoesNotRun) {
  Event e = Build(EventOptions());  // defaults: the current branch (main) and HEAD (c3)
  EXPECT_EQ(e.ref, "refs/heads/main");
  EXPECT_EQ(e.sha, c3_);
  EXPECT_EQ(e.changed_paths, std::vector<std::string>{"README.md"});
  TriggerDecision d = Decide(kPushMainSrc, e);
  EXPECT_FALSE(d.runs);
  EXPECT_EQ(d.reasons[1],
            "push: no changed path matches paths (src/**) (changed: README.md; "
            "from git diff " +
                c2_.substr(0, 7) + ".." + c3_.substr(0, 7) + " (push))");
  // paths-ignore skips only when every changed path is ignored.
  const char* ignore = "on:\n  push:\n    paths-ignore: ['*.md', 'docs/**']\n";
  EXPECT_FALSE(Decide(ignore, e).runs);
  EventOptions o;
  o.sha = c2_;
  EXPECT_TRUE(Decide(ignore, Build(o)).runs);
}

TEST_F(EventTest, PushToFeatureBranchIsFilteredByBranches) {
  EventOptions o;
  o.ref = "refs/heads/feature";
  Event e = Build(o);
  EXPECT_EQ(e.sha, f1_);
  EXPECT_EQ(e.changed_paths, std::vector<std::string>{"src/model.py"});
  TriggerDecision d = Decide(kPushMainSrc, e);
  EXPECT_FALSE(d.runs);
  EXPECT_EQ(d.reasons[0], "push: branch 'feature' matches none of branches (main)");
  EXPECT_TRUE(Decide("on:\n  push:\n    branches-ignore: [main]\n", e).runs);
  EXPECT_FALSE(Decide("on:\n  push:\n    tags: ['v*']\n", e).runs);
}

TEST_F(EventTest, NewBranchAndRootCommitListEveryFile) {
  EventOptions o;
  o.ref = "newbr";
  o.before = std::string(sys::kGitZeroSha);
  Event e = Build(o);
  EXPECT_EQ(e.sha, c3_);
  EXPECT_EQ(e.changed_paths, (std::vector<std::string>{"README.md", "docs/a.md", "src/train.py"}));
  EXPECT_EQ(e.changed_paths_from,
            "every file of " + c3_.substr(0, 7) + " (a new branch or tag, or a root commit)");
  EXPECT_TRUE(e.payload.Find("created")->AsBool());
  EventOptions root;
  root.sha = c1_;
  Event r = Build(root);
  EXPECT_EQ(r.before, std::string(sys::kGitZeroSha));
  EXPECT_EQ(r.changed_paths.size(), 3u);
}

TEST_F(EventTest, TagPush) {
  EventOptions o;
  o.ref = "v1.0";
  Event e = Build(o);
  EXPECT_EQ(e.ref, "refs/tags/v1.0");
  EXPECT_TRUE(e.IsTag());
  EXPECT_EQ(e.sha, c3_);
  TriggerDecision only_branches = Decide("on:\n  push:\n    branches: ['**']\n", e);
  EXPECT_FALSE(only_branches.runs);
  EXPECT_EQ(only_branches.reasons[0],
            "push: tag 'v1.0' does not trigger: only branch filters are given");
  TriggerDecision tags = Decide("on:\n  push:\n    tags: ['v*']\n    paths: ['src/**']\n", e);
  EXPECT_TRUE(tags.runs) << Joined(tags);
  EXPECT_EQ(tags.reasons[0], "push: tag 'v1.0' matches 'v*'");
  EXPECT_EQ(tags.reasons[1], "push: paths filters are not evaluated for tag pushes");
  EXPECT_FALSE(Decide("on:\n  push:\n    tags: ['v*', '!v1.*']\n", e).runs);
}

TEST_F(EventTest, PullRequestFromFeatureToMain) {
  const std::string refs_before = Git("for-each-ref");
  EventOptions o;
  o.name = "pull_request";
  o.base = "main";
  o.head = "feature";
  o.number = 7;
  Event e = Build(o);
  EXPECT_EQ(e.ref, "refs/pull/7/merge");
  EXPECT_EQ(e.base_ref, "main");
  EXPECT_EQ(e.head_ref, "feature");
  EXPECT_EQ(e.base_sha, c3_);
  EXPECT_EQ(e.head_sha, f1_);
  EXPECT_EQ(e.action, "synchronize");
  // The sha is a real merge commit of main and feature; no ref moved.
  EXPECT_EQ(Git("rev-parse " + e.sha + "^1"), c3_);
  EXPECT_EQ(Git("rev-parse " + e.sha + "^2"), f1_);
  EXPECT_EQ(Git("show " + e.sha + ":README.md"), "hello main");
  EXPECT_EQ(Git("show " + e.sha + ":src/model.py"), "m");
  EXPECT_EQ(Git("for-each-ref"), refs_before);
  EXPECT_EQ(Build(o).sha, e.sha);  // deterministic
  // Changed paths: merge-base(main, feature)..feature, not main's README change.
  EXPECT_EQ(e.changed_paths, std::vector<std::string>{"src/model.py"});
  const core::Value& pr = *e.payload.Find("pull_request");
  EXPECT_EQ(pr.Find("base")->Find("ref")->AsString(), "main");
  EXPECT_EQ(pr.Find("head")->Find("sha")->AsString(), f1_);
  EXPECT_EQ(e.payload.Find("number")->AsInt64(), 7);

  TriggerDecision d =
      Decide("on:\n  pull_request:\n    branches: [main]\n    paths: ['src/**']\n", e);
  EXPECT_TRUE(d.runs) << Joined(d);
  EXPECT_EQ(d.reasons[0],
            "pull_request: activity 'synchronize' is in types (opened, synchronize, reopened) "
            "(the default)");
  EXPECT_EQ(d.reasons[1], "pull_request: base branch 'main' matches 'main'");
  // branches filter the base, not the head.
  EXPECT_FALSE(Decide("on:\n  pull_request:\n    branches: [feature]\n", e).runs);
  EXPECT_FALSE(Decide("on:\n  push:\n", e).runs);
  o.action = "labeled";
  EXPECT_FALSE(Decide("on: pull_request\n", Build(o)).runs);
  EXPECT_TRUE(Decide("on:\n  pull_request:\n    types: [labeled]\n", Build(o)).runs);
}

TEST_F(EventTest, ConflictingPullRequestIsAnError) {
  EventOptions o;
  o.name = "pull_request";
  o.base = "main";
  o.head = "conflict";
  auto e = BuildEvent(o, repo_);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), core::Code::kResourceConflict);
  EXPECT_NE(e.status().message().find("conflicts in README.md"), std::string::npos)
      << e.status().message();
  o.head = "nope";
  e = BuildEvent(o, repo_);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message().substr(0, 13), "--head nope: ");
}

TEST_F(EventTest, WorkflowDispatchInputs) {
  EventOptions o;
  o.name = "workflow_dispatch";
  o.inputs = {"lr=0.1", "flag=true", "empty="};
  Event e = Build(o);
  EXPECT_EQ(e.ref, "refs/heads/main");
  EXPECT_EQ(e.sha, c3_);
  const core::Value& inputs = *e.payload.Find("inputs");
  EXPECT_EQ(inputs.Find("lr")->AsString(), "0.1");
  EXPECT_EQ(inputs.Find("flag")->AsString(), "true");
  EXPECT_EQ(inputs.Find("empty")->AsString(), "");
  EXPECT_FALSE(e.changed_paths_known);
  EXPECT_TRUE(Decide("on:\n  workflow_dispatch:\n  push:\n", e).runs);
  EXPECT_FALSE(Decide("on: push\n", e).runs);
  o.inputs = {"novalue"};
  auto bad = BuildEvent(o, repo_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "--input 'novalue': expected name=value");
}

TEST_F(EventTest, EventPathPayload) {
  // nektos/act's runner/pull-request/event.json: branches this repository does not have.
  const std::string path = dir_->Path("event.json");
  std::ofstream(path) << R"({"pull_request": {"head": {"ref": "sample-head-ref"},
                            "base": {"ref": "sample-base-ref"}}})";
  EventOptions o;
  o.name = "pull_request";
  o.event_path = path;
  Event e = Build(o);
  EXPECT_EQ(e.base_ref, "sample-base-ref");
  EXPECT_EQ(e.head_ref, "sample-head-ref");
  EXPECT_EQ(e.ref, "refs/pull/1/merge");
  EXPECT_EQ(e.sha, c3_);  // HEAD
  EXPECT_FALSE(e.changed_paths_known);
  EXPECT_EQ(e.payload.Find("pull_request")->Find("base")->Find("ref")->AsString(),
            "sample-base-ref");
  TriggerDecision d = Decide("on:\n  pull_request:\n    paths: ['src/**']\n", e);
  EXPECT_TRUE(d.runs) << Joined(d);
  // A payload of real branches and shas is used as given.
  std::ofstream(path) << R"({"ref": "refs/heads/main", "before": ")" << c1_ << R"(", "after": ")"
                      << c3_ << "\"}";
  o.name = "push";
  Event p = Build(o);
  EXPECT_EQ(p.before, c1_);
  EXPECT_EQ(p.changed_paths, (std::vector<std::string>{"README.md", "src/train.py"}));
  std::ofstream(path) << "[1]";
  auto bad = BuildEvent(o, repo_);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("expected a JSON object"), std::string::npos);
}

TEST_F(EventTest, ChangedFilesGivenOverrideGit) {
  EventOptions o;
  o.changed_files = {"src/b.py", "README.md", "src/b.py"};
  o.changed_files_given = true;
  Event e = Build(o);
  EXPECT_EQ(e.changed_paths, (std::vector<std::string>{"README.md", "src/b.py"}));
  EXPECT_EQ(e.changed_paths_from, "--changed-files");
  EXPECT_TRUE(Decide(kPushMainSrc, e).runs);
}

}  // namespace
}  // namespace cairn::workflow
