#include "sys/git.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace cairn::sys {
namespace {

namespace fs = std::filesystem;

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Each test gets a fresh temp dir holding a HOME for git and a repository, made with the git
// command line: the oracle the libgit2 answers are checked against.
class GitRepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cairn-git-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = fs::canonical(tmpl).string();
    home_ = root_ + "/home";
    repo_ = root_ + "/repo";
    fs::create_directories(home_);
    fs::create_directories(repo_);
  }
  void TearDown() override { fs::remove_all(root_); }

  /// Runs `git <args>` in `dir` (the repository by default) with a hermetic configuration;
  /// returns its stdout without the final newline. A failure fails the test.
  std::string Git(std::string_view args, std::string_view dir = {}) {
    const std::string cwd = dir.empty() ? repo_ : std::string(dir);
    const std::string command = "cd " + ShellQuote(cwd) +
                                " && env GIT_CONFIG_NOSYSTEM=1 HOME=" + ShellQuote(home_) +
                                " XDG_CONFIG_HOME=" + ShellQuote(home_ + "/.config") +
                                " GIT_AUTHOR_NAME=Cairn GIT_AUTHOR_EMAIL=cairn@example.com"
                                " GIT_COMMITTER_NAME=Cairn GIT_COMMITTER_EMAIL=cairn@example.com"
                                " git -c advice.detachedHead=false " +
                                std::string(args);
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "popen failed: " << command;
      return "";
    }
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    const int rc = ::pclose(pipe);
    EXPECT_EQ(rc, 0) << command << "\n" << out;
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

  void Init() { Git("init -q -b main"); }

  void Write(std::string_view path, std::string_view content) {
    const fs::path p = fs::path(repo_) / path;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }

  /// Stages everything and commits; returns the new commit's sha.
  std::string Commit(std::string_view message) {
    Git("add -A");
    Git("commit -q --allow-empty -m " + ShellQuote(message));
    return Git("rev-parse HEAD");
  }

  std::unique_ptr<GitRepo> OpenRepo(std::string_view path = {}) {
    Result<std::unique_ptr<GitRepo>> repo = GitRepo::Open(path.empty() ? repo_ : path);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    return repo.ok() ? std::move(*repo) : nullptr;
  }

  std::string root_;
  std::string home_;
  std::string repo_;
};

TEST_F(GitRepoTest, ResolvesEveryRevisionForm) {
  Init();
  Write("a.txt", "one\n");
  const std::string first = Commit("first");
  Git("tag light");
  Git("tag -a -m 'release one' v1");
  Write("a.txt", "two\n");
  const std::string second = Commit("second");
  Git("branch other " + first);

  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"HEAD", second},        {"main", second},       {"refs/heads/main", second},
      {"other", first},        {"light", first},       {"v1", first},
      {"refs/tags/v1", first}, {"v1^{commit}", first}, {second.substr(0, 7), second},
      {first, first},          {"HEAD~1", first},      {"main^", first},
      {"HEAD@{0}", second},
  };
  for (const auto& [revision, want] : cases) {
    Result<std::string> sha = repo->ResolveCommit(revision);
    ASSERT_TRUE(sha.ok()) << revision << ": " << sha.status().ToString();
    EXPECT_EQ(*sha, want) << revision;
    EXPECT_EQ(*sha, Git("rev-parse " + ShellQuote(revision + "^{commit}"))) << revision;
  }
  // The annotated tag is an object of its own; what we return is the commit it tags.
  EXPECT_NE(Git("rev-parse v1"), first);
}

TEST_F(GitRepoTest, UnknownRevisionIsNotFoundAndNamesIt) {
  Init();
  Write("a.txt", "one\n");
  Commit("first");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  for (std::string_view revision : {"no-such-branch", "HEAD~5", "refs/tags/nope", "abc",
                                    "0123456789abcdef0123456789abcdef01234567"}) {
    Result<std::string> sha = repo->ResolveCommit(revision);
    ASSERT_FALSE(sha.ok()) << revision;
    EXPECT_TRUE(sha.status().IsNotFound()) << sha.status().ToString();
    EXPECT_NE(sha.status().message().find("'" + std::string(revision) + "'"), std::string::npos)
        << sha.status().ToString();
  }
}

TEST_F(GitRepoTest, MalformedRevisionOrOneThatIsNoCommitIsInvalidArgument) {
  Init();
  Write("a.txt", "one\n");
  Commit("first");
  Git("tag tree-tag 'HEAD^{tree}'");
  Git("tag -a -m 'a blob' blob-tag 'HEAD:a.txt'");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  for (std::string_view revision :
       std::vector<std::string_view>{"", "HEAD^{nonsense}", "HEAD:a.txt", "tree-tag", "blob-tag",
                                     std::string_view("HE\0AD", 5)}) {
    Result<std::string> sha = repo->ResolveCommit(revision);
    ASSERT_FALSE(sha.ok()) << revision;
    EXPECT_TRUE(sha.status().IsInvalidArgument()) << sha.status().ToString();
  }
  Result<std::string> blob = repo->ResolveCommit("blob-tag");
  EXPECT_NE(blob.status().message().find("names a blob, not a commit"), std::string::npos)
      << blob.status().ToString();
}

TEST_F(GitRepoTest, HeadNamesTheBranch) {
  Init();
  Write("a.txt", "one\n");
  const std::string first = Commit("first");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  Result<GitHead> head = repo->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->ref, "refs/heads/main");
  EXPECT_EQ(head->branch, "main");
  EXPECT_EQ(head->sha, first);
  EXPECT_FALSE(head->detached());
  EXPECT_FALSE(head->unborn());

  Git("checkout -q -b feature/x");
  Write("a.txt", "two\n");
  const std::string second = Commit("second");
  head = repo->Head();  // the same GitRepo sees the switch: nothing is cached
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_EQ(head->ref, "refs/heads/feature/x");
  EXPECT_EQ(head->branch, "feature/x");
  EXPECT_EQ(head->sha, second);
}

TEST_F(GitRepoTest, DetachedHead) {
  Init();
  Write("a.txt", "one\n");
  const std::string first = Commit("first");
  Write("a.txt", "two\n");
  Commit("second");
  Git("checkout -q --detach HEAD~1");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  Result<GitHead> head = repo->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_TRUE(head->detached());
  EXPECT_EQ(head->ref, "");
  EXPECT_EQ(head->branch, "");
  EXPECT_EQ(head->sha, first);
  EXPECT_EQ(*repo->ResolveCommit("HEAD"), first);
}

TEST_F(GitRepoTest, UnbornBranch) {
  Init();
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  Result<GitHead> head = repo->Head();
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_TRUE(head->unborn());
  EXPECT_FALSE(head->detached());
  EXPECT_EQ(head->branch, "main");
  Result<std::string> sha = repo->ResolveCommit("HEAD");
  ASSERT_FALSE(sha.ok());
  EXPECT_TRUE(sha.status().IsNotFound()) << sha.status().ToString();
  EXPECT_NE(sha.status().message().find("'HEAD'"), std::string::npos) << sha.status().ToString();
}

TEST_F(GitRepoTest, ReadsAFileAtAnOlderRevision) {
  Init();
  Write("params.yaml", "lr: 0.1\n");
  Write("dir/sub/metrics.json", "{\"acc\": 0.5}\n");
  const std::string first = Commit("first");
  Write("params.yaml", "lr: 0.2\n");
  Write("dir/sub/metrics.json", "{\"acc\": 0.9}\n");
  Commit("second");
  Write("params.yaml", "lr: uncommitted\n");  // the work tree is never read

  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(*repo->ReadFileAt("HEAD~1", "params.yaml"), "lr: 0.1\n");
  EXPECT_EQ(*repo->ReadFileAt(first, "params.yaml"), "lr: 0.1\n");
  EXPECT_EQ(*repo->ReadFileAt("HEAD", "params.yaml"), "lr: 0.2\n");
  EXPECT_EQ(*repo->ReadFileAt("main", "dir/sub/metrics.json"), "{\"acc\": 0.9}\n");
  EXPECT_EQ(*repo->ReadFileAt("HEAD~1", "./dir/sub/metrics.json"), "{\"acc\": 0.5}\n");
  EXPECT_EQ(*repo->ReadFileAt("HEAD~1", "dir/../dir/sub/metrics.json"), "{\"acc\": 0.5}\n");
  // A tree is a revision too.
  EXPECT_EQ(*repo->ReadFileAt("HEAD^{tree}", "params.yaml"), "lr: 0.2\n");
}

TEST_F(GitRepoTest, ReadsBytesExactly) {
  Init();
  const std::string binary("a\0b\r\n\xff\0", 7);
  Write("blob.bin", binary);
  Write("empty", "");
  Write("crlf.txt", "x\r\ny\r\n");
  Commit("binary");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(*repo->ReadFileAt("HEAD", "blob.bin"), binary);
  EXPECT_EQ(*repo->ReadFileAt("HEAD", "empty"), "");
  EXPECT_EQ(*repo->ReadFileAt("HEAD", "crlf.txt"), "x\r\ny\r\n");
}

TEST_F(GitRepoTest, MissingFileIsNotFoundNamingPathAndRevision) {
  Init();
  Write("gone.txt", "here\n");
  Write("file.txt", "x\n");
  Commit("first");
  Git("rm -q gone.txt");
  Commit("second");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(*repo->ReadFileAt("HEAD~1", "gone.txt"), "here\n");
  for (std::string_view path : {"gone.txt", "nope/x.txt", "file.txt/under-a-file"}) {
    Result<std::string> text = repo->ReadFileAt("HEAD", path);
    ASSERT_FALSE(text.ok()) << path;
    EXPECT_TRUE(text.status().IsNotFound()) << text.status().ToString();
    EXPECT_NE(text.status().message().find("'" + std::string(path) + "'"), std::string::npos)
        << text.status().ToString();
    EXPECT_NE(text.status().message().find("'HEAD'"), std::string::npos)
        << text.status().ToString();
  }
  // An unknown revision is NotFound too, naming the revision.
  Result<std::string> text = repo->ReadFileAt("no-such-rev", "file.txt");
  EXPECT_TRUE(text.status().IsNotFound());
  EXPECT_NE(text.status().message().find("'no-such-rev'"), std::string::npos);
}

TEST_F(GitRepoTest, DirectoryAndBadPathsAreInvalidArgument) {
  Init();
  Write("dir/f.txt", "x\n");
  Commit("first");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  for (std::string_view path : {"dir", "dir/", ".", "/etc/passwd", "../outside", "dir/../..", ""}) {
    Result<std::string> text = repo->ReadFileAt("HEAD", path);
    ASSERT_FALSE(text.ok()) << path;
    EXPECT_TRUE(text.status().IsInvalidArgument()) << path << ": " << text.status().ToString();
  }
  EXPECT_NE(repo->ReadFileAt("HEAD", "dir").status().message().find("directory"),
            std::string::npos);
}

TEST_F(GitRepoTest, ChangedPathsCoverAddModifyDeleteRename) {
  Init();
  Write("keep.txt", "unchanged\n");
  Write("mod.txt", "before\n");
  Write("del.txt", "to be deleted\n");
  Write("old_name.txt", "content that moves without a single change\n");
  const std::string before = Commit("first");
  Write("new.txt", "brand new\n");
  Write("mod.txt", "after\n");
  Git("rm -q del.txt");
  fs::create_directories(repo_ + "/renamed");
  Git("mv old_name.txt renamed/new_name.txt");
  const std::string after = Commit("second");

  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  Result<std::vector<std::string>> paths = repo->ChangedPaths(before, after);
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  const std::vector<std::string> want = {"del.txt", "mod.txt", "new.txt", "old_name.txt",
                                         "renamed/new_name.txt"};
  EXPECT_EQ(*paths, want);
  EXPECT_EQ(*paths, Lines(Git("diff --name-only --no-renames " + before + " " + after)));
  EXPECT_EQ(*repo->ChangedPaths("HEAD~1", "HEAD"), want);
  // The other direction touches the same paths.
  EXPECT_EQ(*repo->ChangedPaths(after, before), want);

  Result<std::vector<GitChange>> diff = repo->Diff(before, after);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  const std::vector<GitChange> want_diff = {
      {GitChangeKind::kDeleted, "del.txt", "del.txt"},
      {GitChangeKind::kModified, "mod.txt", "mod.txt"},
      {GitChangeKind::kAdded, "new.txt", "new.txt"},
      {GitChangeKind::kRenamed, "old_name.txt", "renamed/new_name.txt"},
  };
  EXPECT_EQ(*diff, want_diff);
}

TEST_F(GitRepoTest, ChangedPathsSeeModeAndTypeChanges) {
  Init();
  Write("run.sh", "echo hi\n");
  Write("link", "a regular file for now\n");
  const std::string before = Commit("first");
  fs::permissions(repo_ + "/run.sh", fs::perms::owner_exec, fs::perm_options::add);
  fs::remove(repo_ + "/link");
  fs::create_symlink("run.sh", repo_ + "/link");
  const std::string after = Commit("second");

  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(*repo->ChangedPaths(before, after), (std::vector<std::string>{"link", "run.sh"}));
  const std::vector<GitChange> want = {
      {GitChangeKind::kTypeChanged, "link", "link"},
      {GitChangeKind::kModified, "run.sh", "run.sh"},
  };
  EXPECT_EQ(*repo->Diff(before, after), want);
  EXPECT_EQ(*repo->ReadFileAt(after, "link"), "run.sh");  // a symlink reads as its target
}

TEST_F(GitRepoTest, ChangedPathsCompareTreesNotCommits) {
  Init();
  Write("a.txt", "1\n");
  Write("b.txt", "1\n");
  const std::string before = Commit("first");
  Write("a.txt", "2\n");
  Write("b.txt", "2\n");
  Commit("second");
  Write("a.txt", "1\n");  // back to how it was at `before`
  const std::string after = Commit("third");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(*repo->ChangedPaths(before, after), (std::vector<std::string>{"b.txt"}));
  EXPECT_EQ(*repo->ChangedPaths(after, after), std::vector<std::string>{});
}

TEST_F(GitRepoTest, ZeroShaStandsForTheEmptyTree) {
  Init();
  Write("a.txt", "1\n");
  Write("dir/b.txt", "1\n");
  Commit("first");
  Write("dir/sub/c.txt", "1\n");
  const std::string after = Commit("second");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  const std::vector<std::string> all = {"a.txt", "dir/b.txt", "dir/sub/c.txt"};
  EXPECT_EQ(all, Lines(Git("ls-tree -r --name-only " + after)));
  EXPECT_TRUE(IsGitZeroSha(kGitZeroSha));
  EXPECT_FALSE(IsGitZeroSha(after));
  // A push creating a branch: every file of `after` counts as changed.
  EXPECT_EQ(*repo->ChangedPaths(kGitZeroSha, after), all);
  // A push deleting one: every file of `before`.
  EXPECT_EQ(*repo->ChangedPaths(after, kGitZeroSha), all);
  Result<std::vector<GitChange>> diff = repo->Diff(kGitZeroSha, after);
  ASSERT_TRUE(diff.ok()) << diff.status().ToString();
  ASSERT_EQ(diff->size(), 3u);
  for (const GitChange& change : *diff) EXPECT_EQ(change.kind, GitChangeKind::kAdded);
  // Elsewhere the zero sha is just an unknown commit.
  EXPECT_TRUE(repo->ResolveCommit(kGitZeroSha).status().IsNotFound());
}

TEST_F(GitRepoTest, ChangedPathsOfAnUnknownRevisionIsNotFound) {
  Init();
  Write("a.txt", "1\n");
  Commit("first");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  Result<std::vector<std::string>> paths = repo->ChangedPaths("HEAD", "nope");
  ASSERT_FALSE(paths.ok());
  EXPECT_TRUE(paths.status().IsNotFound());
  EXPECT_NE(paths.status().message().find("'nope'"), std::string::npos);
}

TEST_F(GitRepoTest, MergeBaseOfTwoBranches) {
  Init();
  Write("a.txt", "1\n");
  Commit("root");
  Write("a.txt", "2\n");
  const std::string fork = Commit("fork point");
  Git("checkout -q -b feature");
  Write("f.txt", "feature\n");
  Commit("on feature");
  Write("f.txt", "feature 2\n");
  const std::string head = Commit("on feature again");
  Git("checkout -q main");
  Write("m.txt", "main\n");
  Commit("on main");

  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  Result<std::string> base = repo->MergeBase("main", "feature");
  ASSERT_TRUE(base.ok()) << base.status().ToString();
  EXPECT_EQ(*base, fork);
  EXPECT_EQ(*base, Git("merge-base main feature"));
  EXPECT_EQ(*repo->MergeBase("feature", "main"), fork);
  EXPECT_EQ(*repo->MergeBase("main", "main"), *repo->ResolveCommit("main"));
  // A pull request's changes: merge-base..head.
  EXPECT_EQ(*repo->ChangedPaths(*base, head), std::vector<std::string>{"f.txt"});

  Git("checkout -q --orphan lonely");
  Write("z.txt", "unrelated\n");
  Commit("unrelated root");
  Result<std::string> none = repo->MergeBase("main", "lonely");
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.status().IsNotFound()) << none.status().ToString();
  EXPECT_NE(none.status().message().find("unrelated"), std::string::npos);
  EXPECT_TRUE(repo->MergeBase("main", "nope").status().IsNotFound());
}

TEST_F(GitRepoTest, OpensFromASubdirectory) {
  Init();
  Write("src/deep/file.txt", "x\n");
  const std::string sha = Commit("first");
  std::unique_ptr<GitRepo> repo = OpenRepo(repo_ + "/src/deep");
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(repo->work_tree(), repo_);
  EXPECT_EQ(repo->git_dir(), repo_ + "/.git");
  EXPECT_FALSE(repo->is_bare());
  EXPECT_EQ(*repo->ResolveCommit("HEAD"), sha);
  // Paths stay relative to the repository's root, wherever it was opened from.
  EXPECT_EQ(*repo->ReadFileAt("HEAD", "src/deep/file.txt"), "x\n");

  // From a file inside the work tree and from the .git directory too.
  std::unique_ptr<GitRepo> from_file = OpenRepo(repo_ + "/src/deep/file.txt");
  ASSERT_NE(from_file, nullptr);
  EXPECT_EQ(from_file->work_tree(), repo_);
  std::unique_ptr<GitRepo> from_git_dir = OpenRepo(repo_ + "/.git");
  ASSERT_NE(from_git_dir, nullptr);
  EXPECT_EQ(from_git_dir->git_dir(), repo_ + "/.git");
}

TEST_F(GitRepoTest, OpensABareRepository) {
  Init();
  Write("a.txt", "1\n");
  const std::string sha = Commit("first");
  Git("clone -q --bare " + ShellQuote(repo_) + " bare.git", root_);
  std::unique_ptr<GitRepo> repo = OpenRepo(root_ + "/bare.git");
  ASSERT_NE(repo, nullptr);
  EXPECT_TRUE(repo->is_bare());
  EXPECT_EQ(repo->work_tree(), "");
  EXPECT_EQ(repo->git_dir(), root_ + "/bare.git");
  EXPECT_EQ(*repo->ResolveCommit("main"), sha);
  EXPECT_EQ(repo->Head()->branch, "main");
  EXPECT_EQ(*repo->ReadFileAt("main", "a.txt"), "1\n");
}

TEST_F(GitRepoTest, OpeningANonRepositoryIsNotFoundNamingThePath) {
  const std::string plain = root_ + "/plain/dir";
  fs::create_directories(plain);
  for (const std::string& path : {plain, root_ + "/does-not-exist"}) {
    Result<std::unique_ptr<GitRepo>> repo = GitRepo::Open(path);
    ASSERT_FALSE(repo.ok()) << path;
    EXPECT_TRUE(repo.status().IsNotFound()) << repo.status().ToString();
    EXPECT_NE(repo.status().message().find(path), std::string::npos) << repo.status().ToString();
  }
  EXPECT_TRUE(GitRepo::Open("").status().IsInvalidArgument());
}

TEST_F(GitRepoTest, OneRepoSharedByThreads) {
  Init();
  Write("a.txt", "one\n");
  const std::string first = Commit("first");
  Write("a.txt", "two\n");
  const std::string second = Commit("second");
  std::unique_ptr<GitRepo> repo = OpenRepo();
  ASSERT_NE(repo, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (repo->ResolveCommit("HEAD~1").value_or("") != first) ++failures[t];
        if (repo->ReadFileAt("HEAD", "a.txt").value_or("") != "two\n") ++failures[t];
        if (repo->ChangedPaths(first, second).value_or(std::vector<std::string>{}).size() != 1)
          ++failures[t];
      }
    });
  }
  // Repositories opened and closed meanwhile on other threads: libgit2's global state is
  // reference-counted and survives.
  int opener_failures = 0;
  std::thread opener([&] {
    for (int i = 0; i < 20; ++i) {
      Result<std::unique_ptr<GitRepo>> other = GitRepo::Open(repo_);
      if (!other.ok() || (*other)->ResolveCommit("HEAD").value_or("") != second) ++opener_failures;
    }
  });
  for (std::thread& thread : threads) thread.join();
  opener.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
  EXPECT_EQ(opener_failures, 0);
}

TEST_F(GitRepoTest, ChangeKindNames) {
  EXPECT_EQ(GitChangeKindName(GitChangeKind::kAdded), "added");
  EXPECT_EQ(GitChangeKindName(GitChangeKind::kRenamed), "renamed");
  EXPECT_EQ(GitChangeKindName(GitChangeKind::kTypeChanged), "type-changed");
}

}  // namespace
}  // namespace cairn::sys
