#include "sys/env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "core/path.h"
#include "testing/mem_env.h"

namespace cairn::sys {
namespace {

// The same tests run on the real Env and on the in-memory one, so tests that use MemEnv
// can trust it to behave like the disk.
class EnvTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "posix") {
      env_ = NewPosixEnv();
      char tmpl[] = "/tmp/cairn-env-test-XXXXXX";
      ASSERT_NE(::mkdtemp(tmpl), nullptr);
      dir_ = tmpl;
    } else {
      env_ = std::make_unique<testing::MemEnv>();
      dir_ = "/work";
      ASSERT_TRUE(env_->CreateDirs(dir_).ok());
    }
  }
  void TearDown() override {
    if (GetParam() == "posix") std::filesystem::remove_all(dir_);
  }
  std::string P(std::string_view name) { return core::JoinPath(dir_, name); }

  std::unique_ptr<Env> env_;
  std::string dir_;
};

INSTANTIATE_TEST_SUITE_P(Envs, EnvTest, ::testing::Values("posix", "memory"),
                         [](const auto& info) { return info.param; });

TEST_P(EnvTest, WriteThenReadBack) {
  ASSERT_TRUE(env_->WriteFile(P("a.txt"), "hello\n").ok());
  Result<std::string> text = env_->ReadFile(P("a.txt"));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, "hello\n");
  Result<FileInfo> info = env_->Stat(P("a.txt"));
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->is_regular());
  EXPECT_EQ(info->size, 6u);
}

TEST_P(EnvTest, MissingFileIsNotFoundAndNamesThePath) {
  Result<std::string> text = env_->ReadFile(P("nope"));
  ASSERT_FALSE(text.ok());
  EXPECT_TRUE(text.status().IsNotFound());
  EXPECT_NE(text.status().message().find(P("nope")), std::string::npos);
}

TEST_P(EnvTest, AtomicFileLeavesOldContentUntilCommit) {
  ASSERT_TRUE(env_->WriteFile(P("state"), "old").ok());
  {
    Result<std::unique_ptr<AtomicFile>> f = env_->OpenAtomic(P("state"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append("new content").ok());
    EXPECT_EQ(*env_->ReadFile(P("state")), "old");
    // Destroyed without Commit: nothing changes, no temp file is left behind.
  }
  EXPECT_EQ(*env_->ReadFile(P("state")), "old");
  Result<std::vector<DirEntry>> entries = env_->ListDir(dir_);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 1u);

  Result<std::unique_ptr<AtomicFile>> f = env_->OpenAtomic(P("state"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("new").ok());
  ASSERT_TRUE((*f)->Commit().ok());
  EXPECT_EQ(*env_->ReadFile(P("state")), "new");
  EXPECT_FALSE((*f)->Commit().ok());
}

TEST_P(EnvTest, RelaxedWriteWithReadOnlyMode) {
  ASSERT_TRUE(
      env_->WriteFile(P("obj"), "x", {.durability = Durability::kRelaxed, .mode = 0444}).ok());
  Result<FileInfo> info = env_->Stat(P("obj"));
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mode & 0222, 0u);
}

TEST_P(EnvTest, WriteIntoMissingDirectoryFails) {
  Status s = env_->WriteFile(P("no/such/dir/f"), "x");
  EXPECT_TRUE(s.IsNotFound()) << s.ToString();
}

TEST_P(EnvTest, DirectoriesAndSymlinks) {
  ASSERT_TRUE(env_->CreateDirs(P("x/y/z")).ok());
  ASSERT_TRUE(env_->CreateDirs(P("x/y/z")).ok());
  EXPECT_TRUE(env_->IsDirectory(P("x/y/z")));
  ASSERT_TRUE(env_->WriteFile(P("x/f"), "1").ok());
  ASSERT_TRUE(env_->Symlink("f", P("x/link")).ok());
  EXPECT_EQ(*env_->ReadLink(P("x/link")), "f");
  EXPECT_TRUE(env_->LStat(P("x/link"))->is_symlink());
  EXPECT_TRUE(env_->Stat(P("x/link"))->is_regular());
  Result<std::vector<DirEntry>> entries = env_->ListDir(P("x"));
  ASSERT_TRUE(entries.ok());
  std::sort(entries->begin(), entries->end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "f");
  EXPECT_EQ((*entries)[1].name, "link");
  EXPECT_EQ((*entries)[1].type, FileType::kSymlink);
  EXPECT_EQ((*entries)[2].type, FileType::kDirectory);
  EXPECT_FALSE(env_->CreateDirs(P("x/f")).ok());
  ASSERT_TRUE(env_->RemoveAll(P("x")).ok());
  EXPECT_FALSE(env_->Exists(P("x")));
  EXPECT_TRUE(env_->RemoveAll(P("x")).ok());
}

TEST_P(EnvTest, CommitAsNamesTheFileAtTheEnd) {
  Result<std::unique_ptr<AtomicFile>> f = env_->OpenAtomic(P("incoming"));
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("object").ok());
  ASSERT_TRUE((*f)->CommitAs(P("by-hash")).ok());
  EXPECT_EQ(*env_->ReadFile(P("by-hash")), "object");
  EXPECT_FALSE(env_->Exists(P("incoming")));
}

TEST_P(EnvTest, WriteNewFileNeverReplaces) {
  ASSERT_TRUE(env_->WriteNewFile(P("obj"), "first", 0444).ok());
  EXPECT_EQ(*env_->ReadFile(P("obj")), "first");
  EXPECT_EQ(env_->Stat(P("obj"))->mode & 0777, 0444u);
  EXPECT_TRUE(env_->WriteNewFile(P("obj"), "second", 0444).IsAlreadyExists());
  EXPECT_EQ(*env_->ReadFile(P("obj")), "first");
  EXPECT_TRUE(env_->WriteNewFile(P("missing-dir/obj"), "x", 0444).IsNotFound());
  Result<std::vector<DirEntry>> entries = env_->ListDir(dir_);
  EXPECT_EQ(entries->size(), 1u);  // no temporary left behind
}

TEST_P(EnvTest, CopyFileAndHardLink) {
  ASSERT_TRUE(env_->WriteFile(P("src"), std::string(200000, 'z')).ok());
  ASSERT_TRUE(env_->CopyFile(P("src"), P("copy"), 0444).ok());
  EXPECT_EQ(*env_->ReadFile(P("copy")), std::string(200000, 'z'));
  EXPECT_EQ(env_->Stat(P("copy"))->mode & 0777, 0444u);
  EXPECT_TRUE(env_->CopyFile(P("src"), P("copy")).IsAlreadyExists());  // never overwrites
  EXPECT_TRUE(env_->CopyFile(P("missing"), P("x")).IsNotFound());
  ASSERT_TRUE(env_->HardLink(P("src"), P("link")).ok());
  EXPECT_EQ(env_->ReadFile(P("link"))->size(), 200000u);
}

TEST(PosixEnvTest, VarsAndClock) {
  std::unique_ptr<Env> env_ = NewPosixEnv();
  ::setenv("CAIRN_ENV_TEST_VAR", "v1", 1);
  EXPECT_EQ(env_->GetVar("CAIRN_ENV_TEST_VAR"), "v1");
  EXPECT_EQ(env_->GetVar("CAIRN_ENV_TEST_UNSET_VAR"), std::nullopt);
  auto vars = env_->Vars();
  EXPECT_TRUE(std::is_sorted(vars.begin(), vars.end()));
  EXPECT_NE(std::find(vars.begin(), vars.end(),
                      std::make_pair(std::string("CAIRN_ENV_TEST_VAR"), std::string("v1"))),
            vars.end());
  EXPECT_GT(env_->NowMicros(), 1700000000LL * 1000000);
  int64_t a = env_->MonotonicNanos();
  EXPECT_LE(a, env_->MonotonicNanos());
}

TEST(MemEnvTest, VarsAndClockAreControlled) {
  testing::MemEnv env;
  env.SetVar("B", "2");
  env.SetVar("A", "1");
  EXPECT_EQ(env.GetVar("A"), "1");
  EXPECT_EQ(env.Vars(), (std::vector<std::pair<std::string, std::string>>{{"A", "1"}, {"B", "2"}}));
  env.UnsetVar("A");
  EXPECT_EQ(env.GetVar("A"), std::nullopt);
  int64_t t = env.NowMicros();
  env.AdvanceMicros(5);
  EXPECT_EQ(env.NowMicros(), t + 5);
}

TEST(MemEnvTest, RenameMovesATree) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/a/b").ok());
  ASSERT_TRUE(env.WriteFile("/a/b/f", "x").ok());
  ASSERT_TRUE(env.Rename("/a", "/z").ok());
  EXPECT_EQ(*env.ReadFile("/z/b/f"), "x");
  EXPECT_FALSE(env.Exists("/a/b/f"));
  EXPECT_FALSE(env.Remove("/z").ok());  // not empty
  ASSERT_TRUE(env.RemoveAll("/z").ok());
  EXPECT_EQ(env.NodeCount(), 1u);  // only "/"
}

}  // namespace
}  // namespace cairn::sys
