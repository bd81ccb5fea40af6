#include "data/cache.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/path.h"
#include "sys/temp_dir.h"
#include "testing/mem_env.h"

namespace cairn::data {
namespace {

class CacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<sys::TempDir> dir = sys::TempDir::Create("cairn-cache-test-");
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    cache_ = std::make_unique<Cache>(*env_, dir_->Path("cache"));
  }
  std::string Write(const std::string& name, std::string_view data) {
    std::string p = dir_->Path(name);
    EXPECT_TRUE(env_->WriteFile(p, data).ok());
    return p;
  }
  template <typename T>
  using Result = core::Result<T>;

  std::unique_ptr<sys::Env> env_ = sys::NewPosixEnv();
  std::unique_ptr<sys::TempDir> dir_;
  std::unique_ptr<Cache> cache_;
};

TEST_F(CacheTest, AddsSmallAndLargeFilesAsReadOnlyObjects) {
  std::string small = Write("small", "foo");
  std::string big_data(6 << 20, 'b');  // above the kernel-copy threshold
  big_data[12345] = 'x';
  std::string big = Write("big", big_data);
  Result<std::string> a = cache_->AddFile(small);
  Result<std::string> b = cache_->AddFile(big);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString() << b.status().ToString();
  EXPECT_EQ(*a, "acbd18db4cc2f85cedef654fccc4a4d8");
  EXPECT_EQ(*b, core::Md5Hex(big_data));
  EXPECT_EQ(cache_->ObjectPath(*a),
            dir_->Path("cache/files/md5/ac/bd18db4cc2f85cedef654fccc4a4d8"));
  EXPECT_EQ(*env_->ReadFile(cache_->ObjectPath(*b)), big_data);
  EXPECT_EQ(env_->Stat(cache_->ObjectPath(*a))->mode & 0777, 0444u);
  // Adding again is harmless, and leaves no temporary file behind.
  EXPECT_EQ(*cache_->AddFile(small), *a);
  EXPECT_EQ(*cache_->AddFile(big), *b);
  auto objects = cache_->ListObjects();
  ASSERT_TRUE(objects.ok());
  EXPECT_EQ(objects->size(), 2u);
  auto top = env_->ListDir(dir_->Path("cache/files/md5"));
  EXPECT_EQ(top->size(), 2u);  // the two prefix directories only
}

TEST_F(CacheTest, InstallVerifiesTheHash) {
  std::string temp = cache_->NewTempPath();
  ASSERT_TRUE(env_->CreateDirs(std::string(core::Dirname(temp))).ok());
  ASSERT_TRUE(env_->WriteFile(temp, "foo").ok());
  core::Status bad = cache_->InstallTemp(temp, "37b51d194a7513e45b56f6524f2d51f2");
  EXPECT_EQ(bad.code(), core::Code::kCorruption);
  EXPECT_NE(bad.message().find("acbd18db4cc2f85cedef654fccc4a4d8"), std::string::npos);
  EXPECT_FALSE(env_->Exists(temp));
  EXPECT_FALSE(cache_->Has("37b51d194a7513e45b56f6524f2d51f2"));

  ASSERT_TRUE(env_->WriteFile(temp, "foo").ok());
  ASSERT_TRUE(cache_->InstallTemp(temp, "acbd18db4cc2f85cedef654fccc4a4d8").ok());
  EXPECT_TRUE(cache_->Has("acbd18db4cc2f85cedef654fccc4a4d8"));
  // Legacy objects live outside files/md5 and hash with the dos2unix rule.
  ASSERT_TRUE(env_->WriteFile(temp, "a\r\n").ok());
  std::string lf_md5 = core::Md5Hex("a\n");
  ASSERT_TRUE(cache_->InstallTemp(temp, lf_md5, /*legacy=*/true).ok());
  EXPECT_TRUE(env_->Exists(dir_->Path("cache/" + lf_md5.substr(0, 2) + "/" + lf_md5.substr(2))));
}

TEST_F(CacheTest, CheckoutWithEachLinkType) {
  std::string md5 = *cache_->AddFile(Write("src", "content"));
  for (LinkType link : {LinkType::kCopy, LinkType::kHardlink, LinkType::kSymlink}) {
    Cache cache(*env_, dir_->Path("cache"), {link});
    std::string dest = dir_->Path("ws/sub/out");
    ASSERT_TRUE(cache.Checkout(md5, false, dest, /*isexec=*/true).ok());
    EXPECT_EQ(*env_->ReadFile(dest), "content");
    Result<sys::FileInfo> info = env_->LStat(dest);
    EXPECT_EQ(info->is_symlink(), link == LinkType::kSymlink);
    if (link == LinkType::kCopy) {
      EXPECT_TRUE(info->executable());
    }
  }
  // reflink,copy: falls back to a copy where the file system cannot share blocks.
  ASSERT_TRUE(cache_->Checkout(md5, false, dir_->Path("ws/sub/out"), false).ok());
  EXPECT_EQ(*env_->ReadFile(dir_->Path("ws/sub/out")), "content");
  core::Status missing =
      cache_->Checkout("0123456789abcdef0123456789abcdef", false, dir_->Path("x"), false);
  EXPECT_TRUE(missing.IsNotFound());
}

TEST(CacheLinkTypesTest, ParsesDvcLists) {
  EXPECT_EQ(*ParseLinkTypes("reflink,copy"),
            (std::vector<LinkType>{LinkType::kReflink, LinkType::kCopy}));
  EXPECT_EQ(*ParseLinkTypes(" hardlink , symlink "),
            (std::vector<LinkType>{LinkType::kHardlink, LinkType::kSymlink}));
  EXPECT_EQ(
      ParseLinkTypes("reflink,teleport").status().message(),
      "cache.type: unknown link type 'teleport' (expected reflink, hardlink, symlink or copy)");
}

TEST(CacheMemEnvTest, WorksOverAnyEnv) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/ws").ok());
  ASSERT_TRUE(env.WriteFile("/ws/a", "foo").ok());
  Cache cache(env, "/cache", {LinkType::kCopy});
  EXPECT_EQ(*cache.AddFile("/ws/a"), "acbd18db4cc2f85cedef654fccc4a4d8");
  ASSERT_TRUE(cache.Checkout("acbd18db4cc2f85cedef654fccc4a4d8", false, "/ws/b", false).ok());
  EXPECT_EQ(*env.ReadFile("/ws/b"), "foo");
}

}  // namespace
}  // namespace cairn::data
