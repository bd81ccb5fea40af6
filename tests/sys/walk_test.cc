#include "sys/walk.h"

#include <gtest/gtest.h>

#include "core/path.h"
#include "sys/temp_dir.h"
#include "testing/mem_env.h"

namespace cairn::sys {
namespace {

std::vector<std::string> Paths(const WalkResult& r) {
  std::vector<std::string> out;
  for (const WalkEntry& e : r.files) out.push_back(e.path);
  return out;
}

class WalkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TempDir> dir = TempDir::Create();
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<TempDir>(std::move(*dir));
  }
  void Write(const std::string& rel, std::string_view data) {
    std::string path = dir_->Path(rel);
    ASSERT_TRUE(env_->CreateDirs(std::string(core::Dirname(path))).ok());
    ASSERT_TRUE(env_->WriteFile(path, data).ok());
  }

  std::unique_ptr<Env> env_ = NewPosixEnv();
  std::unique_ptr<TempDir> dir_;
};

TEST_F(WalkTest, SortsByWholePathInByteOrder) {
  // DVC's sort traps: '-' (0x2D) < '.' (0x2E) < '/' (0x2F) < '0' (0x30), and 'A' < 'a'.
  for (const char* f : {"a0", "a/x", "a.x", "a-x", "A", "b/c/d", "caf\xc3\xa9.txt"}) Write(f, f);
  Result<WalkResult> r = Walk(*env_, dir_->path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Paths(*r),
            (std::vector<std::string>{"A", "a-x", "a.x", "a/x", "a0", "b/c/d", "caf\xc3\xa9.txt"}));
  EXPECT_EQ(r->files[0].info.size, 1u);
}

TEST_F(WalkTest, FollowsFileSymlinksReportsDirectorySymlinks) {
  Write("real/f", "12345");
  Write("top", "t");
  ASSERT_TRUE(env_->CreateDirs(dir_->Path("empty/nested")).ok());
  ASSERT_TRUE(env_->Symlink("real/f", dir_->Path("link-to-file")).ok());
  ASSERT_TRUE(env_->Symlink("real", dir_->Path("link-to-dir")).ok());
  ASSERT_TRUE(env_->Symlink("missing", dir_->Path("dangling")).ok());
  Result<WalkResult> r = Walk(*env_, dir_->path());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Paths(*r), (std::vector<std::string>{"link-to-file", "real/f", "top"}));
  EXPECT_TRUE(r->files[0].symlink);
  EXPECT_EQ(r->files[0].info.size, 5u);  // the target's size
  EXPECT_EQ(r->symlinked_dirs, std::vector<std::string>{"link-to-dir"});
  EXPECT_EQ(r->broken_symlinks, std::vector<std::string>{"dangling"});
}

TEST_F(WalkTest, ParallelWalkGivesTheSameResult) {
  for (int d = 0; d < 20; ++d) {
    for (int f = 0; f < 15; ++f) Write("d" + std::to_string(d) + "/s/f" + std::to_string(f), "x");
  }
  ThreadPool pool(3);
  Result<WalkResult> serial = Walk(*env_, dir_->path());
  Result<WalkResult> parallel = Walk(*env_, dir_->path(), {.skip = nullptr, .pool = &pool});
  ASSERT_TRUE(serial.ok() && parallel.ok());
  EXPECT_EQ(Paths(*parallel).size(), 300u);
  EXPECT_EQ(Paths(*serial), Paths(*parallel));
}

TEST_F(WalkTest, SkipLeavesOutSubtrees) {
  Write(".git/HEAD", "ref");
  Write("sub/.dvc/config", "");
  Write("sub/keep", "k");
  WalkOptions options;
  options.skip = [](std::string_view rel, bool is_dir) {
    std::string_view base =
        rel.substr(rel.rfind('/') == std::string_view::npos ? 0 : rel.rfind('/') + 1);
    return is_dir && (base == ".git" || base == ".dvc");
  };
  Result<WalkResult> r = Walk(*env_, dir_->path(), options);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Paths(*r), std::vector<std::string>{"sub/keep"});
}

TEST_F(WalkTest, RootMustBeADirectory) {
  Write("file", "x");
  EXPECT_TRUE(Walk(*env_, dir_->Path("file")).status().IsInvalidArgument());
  EXPECT_TRUE(Walk(*env_, dir_->Path("missing")).status().IsNotFound());
}

TEST(WalkMemEnvTest, WorksOverAnyEnv) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/a").ok());
  ASSERT_TRUE(env.WriteFile("/r/a0", "1").ok());
  ASSERT_TRUE(env.WriteFile("/r/a/x", "22").ok());
  ASSERT_TRUE(env.WriteFile("/r/a.x", "333").ok());
  ASSERT_TRUE(env.Symlink("a", "/r/dirlink").ok());
  Result<WalkResult> r = Walk(env, "/r");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Paths(*r), (std::vector<std::string>{"a.x", "a/x", "a0"}));
  EXPECT_EQ(r->files[1].info.size, 2u);
  EXPECT_EQ(r->symlinked_dirs, std::vector<std::string>{"dirlink"});
}

}  // namespace
}  // namespace cairn::sys
