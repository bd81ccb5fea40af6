// What only the local directory backend has: a root that may be missing, temporary files
// that must stay invisible, and running on the in-memory Env.
#include "blob/local_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sys/temp_dir.h"
#include "testing/mem_env.h"

namespace cairn::blob {
namespace {

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<sys::TempDir> dir = sys::TempDir::Create("cairn-local-store-");
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    root_ = dir_->Path("remote");
    ASSERT_TRUE(env_->CreateDirs(root_).ok());
    store_ = std::make_unique<LocalBlobStore>(root_, *env_);
  }

  std::unique_ptr<sys::Env> env_ = sys::NewPosixEnv();
  std::unique_ptr<sys::TempDir> dir_;
  std::string root_;
  std::unique_ptr<LocalBlobStore> store_;
};

TEST_F(LocalStoreTest, ObjectsAreFilesUnderTheRoot) {
  ASSERT_TRUE(store_->Put("files/md5/ab/cdef", "content").ok());
  std::ifstream in(root_ + "/files/md5/ab/cdef");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "content");
  EXPECT_EQ(store_->Describe(), root_);
}

TEST_F(LocalStoreTest, MissingRootFailsCheckWithAHint) {
  LocalBlobStore missing(dir_->Path("not-there"), *env_);
  Status status = missing.Check();
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.IsNotFound()) << status.ToString();
  EXPECT_NE(status.message().find(dir_->Path("not-there")), std::string::npos);
  EXPECT_NE(status.message().find("does not exist\nhint: create it"), std::string::npos)
      << status.message();
  EXPECT_TRUE(missing.List("").status().IsNotFound());
}

TEST_F(LocalStoreTest, RootThatIsAFileFailsCheck) {
  std::string file = dir_->Path("file");
  std::ofstream(file) << "x";
  LocalBlobStore store(file, *env_);
  Status status = store.Check();
  EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();
  EXPECT_NE(status.message().find("not a directory"), std::string::npos);
}

TEST_F(LocalStoreTest, TemporaryFilesAreNeverListedOrStatted) {
  // What an interrupted Put leaves: Env::OpenAtomic's temporary file beside the object.
  std::filesystem::create_directories(root_ + "/files/md5/ab");
  std::ofstream(root_ + "/files/md5/ab/.cdef.tmp.12345.7") << "partial";
  ASSERT_TRUE(store_->Put("files/md5/ab/0123", "whole").ok());
  Result<std::vector<BlobInfo>> list = store_->List("");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().key, "files/md5/ab/0123");
  EXPECT_FALSE(store_->Stat("files/md5/ab/cdef").value_or(std::nullopt).has_value());
  // A dot file that is not a temporary file is an object like any other.
  ASSERT_TRUE(store_->Put(".dvcignore.tmp.x", "kept").ok());
  EXPECT_EQ(store_->List("").value_or(std::vector<BlobInfo>{}).size(), 2u);
}

TEST_F(LocalStoreTest, PutIsAtomicForConcurrentReaders) {
  // One writer alternates two 2 MiB versions; readers see one or the other, whole, and List
  // never shows anything else.
  const std::string a(2 << 20, 'a');
  const std::string b(2 << 20, 'b');
  ASSERT_TRUE(store_->Put("obj", a).ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread writer([&] {
    for (int i = 0; i < 30; ++i) {
      if (!store_->Put("obj", i % 2 ? a : b).ok()) ++bad;
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        std::string got;
        Status status = store_->Get("obj", [&](std::string_view chunk) {
          got.append(chunk);
          return Status::Ok();
        });
        if (!status.ok() || (got != a && got != b)) ++bad;
        Result<std::vector<BlobInfo>> list = store_->List("");
        if (!list.ok() || list->size() != 1 || list->front().key != "obj" ||
            list->front().size != a.size()) {
          ++bad;
        }
      }
    });
  }
  writer.join();
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(LocalStoreTest, DeletingADirectoryKeyDeletesNothing) {
  ASSERT_TRUE(store_->Put("dir/obj", "x").ok());
  EXPECT_TRUE(store_->Delete("dir").ok());
  EXPECT_TRUE(store_->Stat("dir/obj").value_or(std::nullopt).has_value());
  EXPECT_FALSE(store_->Stat("dir").value_or(std::nullopt).has_value());
  EXPECT_TRUE(store_->Get("dir", [](std::string_view) { return Status::Ok(); }).IsNotFound());
}

TEST_F(LocalStoreTest, SymlinkedFilesAreObjectsSymlinkedDirectoriesAreNotEntered) {
  ASSERT_TRUE(store_->Put("real/obj", "12345").ok());
  std::filesystem::create_symlink(root_ + "/real/obj", root_ + "/link");
  std::filesystem::create_symlink(root_ + "/real", root_ + "/loop");
  std::filesystem::create_symlink(root_ + "/nowhere", root_ + "/broken");
  Result<std::vector<BlobInfo>> list = store_->List("");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  std::vector<std::string> keys;
  for (const BlobInfo& info : *list) keys.push_back(info.key + ":" + std::to_string(info.size));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"link:5", "real/obj:5"}));
}

TEST(LocalStoreMemEnvTest, WorksOnTheInMemoryEnv) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/remote").ok());
  ASSERT_TRUE(env.WriteFile("/local.bin", "file bytes").ok());
  LocalBlobStore store("/remote/", env);
  EXPECT_EQ(store.Describe(), "/remote");
  ASSERT_TRUE(store.Check().ok());
  ASSERT_TRUE(store.Put("a/b/c", "data").ok());
  ASSERT_TRUE(store.PutFile("files/x", "/local.bin").ok());
  EXPECT_EQ(env.ReadFile("/remote/a/b/c").value_or(""), "data");
  EXPECT_EQ(env.ReadFile("/remote/files/x").value_or(""), "file bytes");
  Result<std::vector<BlobInfo>> list = store.List("a/");
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().key, "a/b/c");
  EXPECT_EQ(list->front().size, 4u);
  ASSERT_TRUE(store.Delete("a/b/c").ok());
  EXPECT_FALSE(env.Exists("/remote/a/b/c"));
  EXPECT_TRUE(LocalBlobStore("/missing", env).Check().IsNotFound());
}

}  // namespace
}  // namespace cairn::blob
