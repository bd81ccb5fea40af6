#include "sys/temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace cairn::sys {
namespace {

TEST(TempDirTest, RemovedWithEverythingInside) {
  std::string path;
  {
    Result<TempDir> dir = TempDir::Create("cairn-tmptest-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    path = dir->path();
    EXPECT_TRUE(std::filesystem::is_directory(path));
    EXPECT_NE(path.find("cairn-tmptest-"), std::string::npos);
    std::filesystem::create_directories(dir->Path("a/b"));
    std::ofstream(dir->Path("a/b/f")) << "x";
    ::chmod(dir->Path("a/b/f").c_str(), 0444);
    ::chmod(dir->Path("a/b").c_str(), 0555);  // a read-only directory, like a copied cache
    TempDir moved = std::move(*dir);
    EXPECT_EQ(moved.path(), path);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(TempDirTest, KeepLeavesIt) {
  std::string path;
  {
    Result<TempDir> dir = TempDir::Create();
    ASSERT_TRUE(dir.ok());
    path = dir->path();
    dir->Keep();
  }
  EXPECT_TRUE(std::filesystem::is_directory(path));
  std::filesystem::remove_all(path);
}

TEST(TempDirTest, BadParentIsAnError) {
  Result<TempDir> dir = TempDir::Create("x-", "/nonexistent-cairn-parent");
  ASSERT_FALSE(dir.ok());
  EXPECT_TRUE(dir.status().IsNotFound()) << dir.status().ToString();
}

}  // namespace
}  // namespace cairn::sys
