// ResolveAction, inputs, and actions/checkout on real git repositories.
#include <gtest/gtest.h>

#include "action_fixture.h"
#include "workflow/actions.h"

namespace cairn::workflow::testing {
namespace {

using ResolveTest = ActionTest;

TEST_F(ResolveTest, BuiltinsByOwnerRepoAnyCaseAnyRef) {
  for (const char* uses :
       {"actions/checkout@v4", "Actions/Checkout@main", "actions/setup-python@v5",
        "actions/cache@v4", "actions/cache/restore@v4", "actions/cache/save@v4",
        "actions/upload-artifact@v4", "actions/download-artifact@v4"}) {
    auto action = ResolveAction(Uses(uses), root_->path());
    EXPECT_TRUE(action.ok()) << uses << ": " << action.status().ToString();
  }
}

TEST_F(ResolveTest, OtherActionsNameTheBuiltinsAndHowToVendor) {
  UsesRef uses = Uses("actions/setup-node@v4");
  uses.location.file = std::make_shared<const std::string>(".github/workflows/ci.yml");
  uses.location.line = 12;
  uses.location.column = 15;
  auto action = ResolveAction(uses, root_->path());
  ASSERT_FALSE(action.ok());
  EXPECT_TRUE(action.status().IsInvalidArgument());
  std::string m = action.status().message();
  EXPECT_NE(m.find(".github/workflows/ci.yml:12:15"), std::string::npos) << m;
  EXPECT_NE(m.find("actions/upload-artifact"), std::string::npos) << m;
  EXPECT_NE(m.find("uses: ./.github/actions/setup-node"), std::string::npos) << m;

  auto docker = ResolveAction(Uses("docker://alpine:3"), root_->path());
  ASSERT_FALSE(docker.ok());
  EXPECT_NE(docker.status().message().find("Docker"), std::string::npos);
  EXPECT_FALSE(ResolveAction(Uses("actions/cache/other@v4"), root_->path()).ok());
}

TEST_F(ResolveTest, UnknownInputWarnsAndMissingRequiredInputFails) {
  auto job = NewJob("j");
  auto action = ResolveAction(Uses("actions/cache@v4"), job->workspace());
  ASSERT_TRUE(action.ok());
  auto result = (*action)->Main(*job, {{"path", "x"}, {"kee", "k"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "Input required and not supplied: key");
  EXPECT_TRUE(job->Logged("Unexpected input(s) 'kee', valid inputs are ['path', 'key'"))
      << job->AllLines();
}

using CheckoutTest = ActionTest;

TEST_F(CheckoutTest, PushCreatesTheBranchAtTheShaTrackingOrigin) {
  std::string tip = MakeRepo();
  auto job = NewJob("j", PushEvent(tip));
  ASSERT_EQ(Main(*job, "actions/checkout@v4", {}), Conclusion::kSuccess);
  const std::string& ws = job->workspace();
  EXPECT_EQ(Git(ws, {"rev-parse", "HEAD"}), tip);
  EXPECT_EQ(Git(ws, {"symbolic-ref", "HEAD"}), "refs/heads/main");
  EXPECT_EQ(Git(ws, {"rev-parse", "--abbrev-ref", "main@{upstream}"}), "origin/main");
  EXPECT_EQ(Git(ws, {"remote", "get-url", "origin"}), repo_);
  EXPECT_EQ(Git(ws, {"rev-list", "--count", "HEAD"}), "1");  // fetch-depth 1: shallow
  EXPECT_EQ(Read(ws + "/b.txt"), "b\n");
  EXPECT_EQ(job->outputs["commit"], tip);
  EXPECT_EQ(job->outputs["ref"], "refs/heads/main");
  // The origin has a work tree: the notice says pushes to its branch will be refused.
  EXPECT_TRUE(job->Logged("receive.denyCurrentBranch updateInstead")) << job->AllLines();
}

TEST_F(CheckoutTest, FetchDepthZeroFetchesAllHistoryAndTagsIntoPath) {
  std::string tip = MakeRepo();
  auto job = NewJob("j", PushEvent(tip));
  ASSERT_EQ(Main(*job, "actions/checkout@v4", {{"fetch-depth", "0"}, {"path", "src"}}),
            Conclusion::kSuccess);
  std::string dir = job->workspace() + "/src";
  EXPECT_EQ(Git(dir, {"rev-list", "--count", "HEAD"}), "2");
  EXPECT_EQ(Git(dir, {"rev-parse", "v1^{commit}"}), Git(repo_, {"rev-parse", "HEAD~1"}));
  EXPECT_EQ(Git(dir, {"symbolic-ref", "HEAD"}), "refs/heads/main");

  auto bad = NewJob("k", PushEvent(tip));
  auto action = ResolveAction(Uses("actions/checkout@v4"), bad->workspace());
  ASSERT_TRUE(action.ok());
  EXPECT_FALSE((*action)->Main(*bad, {{"fetch-depth", "-1"}}).ok());
  EXPECT_FALSE((*action)->Main(*bad, {{"path", "../out"}}).ok());
}

TEST_F(CheckoutTest, PullRequestChecksOutTheMergeCommitDetached) {
  std::string tip = MakeRepo();
  // A merge commit that exists only as an object (as BuildEvent makes it).
  std::string merge = Git(repo_, {"commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "merge"});
  Event event;
  event.name = "pull_request";
  event.ref = "refs/pull/7/merge";
  event.sha = merge;
  event.number = 7;
  auto job = NewJob("j", event);
  ASSERT_EQ(Main(*job, "actions/checkout@v4", {}), Conclusion::kSuccess);
  EXPECT_EQ(Git(job->workspace(), {"rev-parse", "HEAD"}), merge);
  EXPECT_EQ(Git(job->workspace(), {"rev-parse", "--abbrev-ref", "HEAD"}), "HEAD");  // detached
  EXPECT_NE(tip, merge);
}

TEST_F(CheckoutTest, RefInputChecksOutATag) {
  MakeRepo();
  auto job = NewJob("j", PushEvent(Git(repo_, {"rev-parse", "HEAD"})));
  ASSERT_EQ(Main(*job, "actions/checkout@v4", {{"ref", "v1"}}), Conclusion::kSuccess);
  EXPECT_EQ(Git(job->workspace(), {"rev-parse", "HEAD"}), Git(repo_, {"rev-parse", "v1"}));
  EXPECT_FALSE(os_->Exists(job->workspace() + "/b.txt"));
}

TEST_F(CheckoutTest, PushFromTheCheckoutReachesABareOrigin) {
  MakeRepo();
  std::string bare = root_->Path("origin.git");
  Run(root_->path(), {"git", "clone", "-q", "--bare", repo_, bare});
  options_.dirs.repository = bare;
  std::string tip = Git(bare, {"rev-parse", "main"});
  auto job = NewJob("j", PushEvent(tip));
  ASSERT_EQ(Main(*job, "actions/checkout@v4", {}), Conclusion::kSuccess);
  EXPECT_FALSE(job->Logged("denyCurrentBranch")) << "no notice for a bare origin";
  const std::string& ws = job->workspace();
  Write(ws + "/c.txt", "c\n");
  Git(ws, {"add", "c.txt"});
  Git(ws, {"commit", "-q", "-m", "from the job"});
  Git(ws, {"push", "-q"});
  EXPECT_EQ(Git(bare, {"rev-parse", "main"}), Git(ws, {"rev-parse", "HEAD"}));
  EXPECT_EQ(Git(bare, {"log", "-1", "--format=%s", "main"}), "from the job");
}

TEST_F(CheckoutTest, PushFromTheCheckoutReachesTheRepositorysOrigin) {
  MakeRepo();
  // repo_ is a clone of a shared bare upstream, named by a relative path as `git clone ../x`
  // would not, but `git remote add` may.
  std::string bare = root_->Path("upstream.git");
  Run(root_->path(), {"git", "clone", "-q", "--bare", repo_, bare});
  Git(repo_, {"remote", "add", "origin", "../upstream.git"});
  std::string tip = Git(repo_, {"rev-parse", "main"});
  auto job = NewJob("j", PushEvent(tip));
  ASSERT_EQ(Main(*job, "actions/checkout@v4", {}), Conclusion::kSuccess);
  EXPECT_FALSE(job->Logged("denyCurrentBranch")) << job->AllLines();
  EXPECT_TRUE(job->Logged("Pushes go to " + bare)) << job->AllLines();
  const std::string& ws = job->workspace();
  EXPECT_EQ(Git(ws, {"remote", "get-url", "origin"}), repo_);  // fetches stay local
  EXPECT_EQ(Git(ws, {"remote", "get-url", "--push", "origin"}), bare);
  Write(ws + "/c.txt", "c\n");
  Git(ws, {"add", "c.txt"});
  Git(ws, {"commit", "-q", "-m", "from the job"});
  Git(ws, {"push", "-q"});
  EXPECT_EQ(Git(bare, {"log", "-1", "--format=%s", "main"}), "from the job");
  EXPECT_EQ(Git(repo_, {"rev-parse", "main"}), tip);  // the local repository is untouched
}

TEST_F(CheckoutTest, WorktreeCopiesUncommittedChanges) {
  std::string tip = MakeRepo();
  Write(repo_ + "/.gitignore", "*.log\n");
  Write(repo_ + "/a.txt", "changed\n");
  Write(repo_ + "/new.txt", "untracked\n");
  Write(repo_ + "/debug.log", "ignored\n");
  options_.worktree = true;
  auto job = NewJob("j", PushEvent(tip));
  ASSERT_EQ(Main(*job, "actions/checkout@v4", {}), Conclusion::kSuccess);
  const std::string& ws = job->workspace();
  EXPECT_EQ(Read(ws + "/a.txt"), "changed\n");
  EXPECT_EQ(Read(ws + "/new.txt"), "untracked\n");
  EXPECT_FALSE(os_->Exists(ws + "/debug.log"));
  EXPECT_EQ(Git(ws, {"rev-parse", "HEAD"}), tip);
  EXPECT_EQ(Git(ws, {"symbolic-ref", "HEAD"}), "refs/heads/main");
  std::string status = Git(ws, {"status", "--porcelain"});
  EXPECT_NE(status.find("M a.txt"), std::string::npos) << status;
  EXPECT_NE(status.find("?? new.txt"), std::string::npos) << status;
}

}  // namespace
}  // namespace cairn::workflow::testing
