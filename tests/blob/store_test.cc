// The behaviour every BlobStore backend shares (blob.h), run on each: a local directory and
// S3 (the shared s3rver).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "blob/blob.h"
#include "blob/shared_s3rver.h"
#include "core/hash.h"
#include "core/path.h"
#include "core/strings.h"
#include "sys/temp_dir.h"

namespace cairn::blob {
namespace {

using testing_s3::S3rverOptions;
using testing_s3::UniquePrefix;

std::string Pattern(size_t size, int seed) {
  std::string out(size, '\0');
  uint32_t x = static_cast<uint32_t>(seed) * 2654435761u + 1;
  for (char& c : out) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

class BlobStoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    env_ = sys::NewPosixEnv();
    Result<sys::TempDir> dir = sys::TempDir::Create("cairn-blob-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    std::string url;
    BlobOptions options;
    if (GetParam() == "local") {
      url = dir_->Path("remote");
      ASSERT_TRUE(env_->CreateDirs(url).ok());
    } else {
      CAIRN_SHARED_S3RVER_OR_FAIL(server);
      url = "s3://" + std::string(testing_s3::kTestBucket) + "/" + UniquePrefix();
      options = S3rverOptions(*server);
    }
    Result<core::Uri> uri = core::Uri::Parse(url);
    ASSERT_TRUE(uri.ok()) << uri.status().ToString();
    Result<std::unique_ptr<BlobStore>> store = OpenBlobStore(*uri, options, *env_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  std::string WriteLocalFile(std::string_view name, std::string_view data) {
    std::string path = dir_->Path(name);
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }

  Result<std::string> GetAll(std::string_view key) {
    std::string out;
    Status status = store_->Get(key, [&](std::string_view chunk) {
      out.append(chunk);
      return Status::Ok();
    });
    if (!status.ok()) return status;
    return out;
  }

  std::map<std::string, uint64_t> ListMap(std::string_view prefix) {
    Result<std::vector<BlobInfo>> list = store_->List(prefix);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    std::map<std::string, uint64_t> out;
    if (!list.ok()) return out;
    for (const BlobInfo& info : *list) {
      EXPECT_TRUE(out.emplace(info.key, info.size).second) << "listed twice: " << info.key;
    }
    return out;
  }

  std::unique_ptr<sys::Env> env_;
  std::unique_ptr<sys::TempDir> dir_;
  std::unique_ptr<BlobStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreTest, ::testing::Values("local", "s3"),
                         [](const auto& info) { return info.param; });

TEST_P(BlobStoreTest, CheckSucceeds) {
  Status status = store_->Check();
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(BlobStoreTest, PutStatGetRoundTrip) {
  std::string data = Pattern(100'000, 1);
  ASSERT_TRUE(store_->Put("files/md5/ab/cdef", data).ok());
  Result<std::optional<BlobInfo>> info = store_->Stat("files/md5/ab/cdef");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  ASSERT_TRUE(info->has_value());
  EXPECT_EQ((*info)->key, "files/md5/ab/cdef");
  EXPECT_EQ((*info)->size, data.size());
  Result<std::string> got = GetAll("files/md5/ab/cdef");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
}

TEST_P(BlobStoreTest, EmptyObject) {
  ASSERT_TRUE(store_->Put("empty", "").ok());
  Result<std::optional<BlobInfo>> info = store_->Stat("empty");
  ASSERT_TRUE(info.ok() && info->has_value()) << info.status().ToString();
  EXPECT_EQ((*info)->size, 0u);
  Result<std::string> got = GetAll("empty");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "");
}

TEST_P(BlobStoreTest, PutReplaces) {
  ASSERT_TRUE(store_->Put("k", "first version").ok());
  ASSERT_TRUE(store_->Put("k", "second").ok());
  EXPECT_EQ(GetAll("k").value_or("?"), "second");
  EXPECT_EQ(ListMap(""), (std::map<std::string, uint64_t>{{"k", 6}}));
}

TEST_P(BlobStoreTest, MissingObjects) {
  Result<std::optional<BlobInfo>> info = store_->Stat("files/md5/00/missing");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_FALSE(info->has_value());
  Result<std::string> got = GetAll("files/md5/00/missing");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
  EXPECT_NE(got.status().message().find("files/md5/00/missing"), std::string::npos);
  EXPECT_NE(got.status().message().find(store_->Describe()), std::string::npos);
}

TEST_P(BlobStoreTest, ListByPrefix) {
  for (std::string key : {"files/md5/ab/1", "files/md5/ab/22", "files/md5/cd/333",
                          "files/md5x/4444", "other/55555", "top"}) {
    ASSERT_TRUE(store_->Put(key, std::string(key.size() - key.rfind('/') - 1, 'x')).ok());
  }
  EXPECT_EQ(ListMap("files/md5/"),
            (std::map<std::string, uint64_t>{
                {"files/md5/ab/1", 1}, {"files/md5/ab/22", 2}, {"files/md5/cd/333", 3}}));
  EXPECT_EQ(ListMap("files/md5/a"),
            (std::map<std::string, uint64_t>{{"files/md5/ab/1", 1}, {"files/md5/ab/22", 2}}));
  EXPECT_EQ(ListMap("files/md5"), (std::map<std::string, uint64_t>{{"files/md5/ab/1", 1},
                                                                   {"files/md5/ab/22", 2},
                                                                   {"files/md5/cd/333", 3},
                                                                   {"files/md5x/4444", 4}}));
  EXPECT_EQ(ListMap("").size(), 6u);
  EXPECT_EQ(ListMap("t").size(), 1u);
  EXPECT_TRUE(ListMap("nothing/").empty());
  EXPECT_TRUE(ListMap("files/md5/ab/1/").empty());
}

TEST_P(BlobStoreTest, ListFollowsContinuationAcrossManyPages) {
  // The S3 store asks for 7 keys per page: 60 keys take 9 pages.
  constexpr int kKeys = 60;
  std::map<std::string, uint64_t> expected;
  for (int i = 0; i < kKeys; ++i) {
    std::string key = "files/md5/" + std::to_string(i % 5) + "/obj" + std::to_string(i);
    ASSERT_TRUE(store_->Put(key, std::string(static_cast<size_t>(i), 'v')).ok());
    expected[key] = static_cast<uint64_t>(i);
  }
  EXPECT_EQ(ListMap("files/"), expected);
}

TEST_P(BlobStoreTest, DeleteRemovesAndIsIdempotent) {
  ASSERT_TRUE(store_->Put("a/b", "x").ok());
  ASSERT_TRUE(store_->Put("a/c", "y").ok());
  Status status = store_->Delete("a/b");
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(store_->Stat("a/b").value_or(std::nullopt).has_value());
  EXPECT_EQ(ListMap(""), (std::map<std::string, uint64_t>{{"a/c", 1}}));
  status = store_->Delete("a/b");
  EXPECT_TRUE(status.ok()) << status.ToString();
  status = store_->Delete("never/was");
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(BlobStoreTest, PutFileSmallAndInParts) {
  // 11 MiB + 3 bytes: on S3 (5 MiB threshold and parts) a 3-part upload.
  for (size_t size : {size_t{1000}, (size_t{11} << 20) + 3}) {
    std::string data = Pattern(size, static_cast<int>(size));
    std::string path = WriteLocalFile("upload.bin", data);
    std::string key = "files/md5/" + core::Md5Hex(data).substr(0, 2) + "/" + core::Md5Hex(data);
    Status status = store_->PutFile(key, path);
    ASSERT_TRUE(status.ok()) << status.ToString();
    Result<std::optional<BlobInfo>> info = store_->Stat(key);
    ASSERT_TRUE(info.ok() && info->has_value()) << info.status().ToString();
    EXPECT_EQ((*info)->size, size);
    Result<std::string> got = GetAll(key);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(core::Md5Hex(*got), core::Md5Hex(data)) << size;
  }
}

TEST_P(BlobStoreTest, PutFileOfAMissingFileNamesIt) {
  Status status = store_->PutFile("k", dir_->Path("no-such-file"));
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.IsNotFound()) << status.ToString();
  EXPECT_NE(status.message().find("no-such-file"), std::string::npos);
  EXPECT_TRUE(ListMap("").empty());
}

TEST_P(BlobStoreTest, KeysWithSpacesReservedAndUnicodeCharacters) {
  std::vector<std::string> keys = {"dir with space/file name.txt", "ü/日本/😀", "a+b=c&d?e#f%20g",
                                   "x/~-._!*'()$,;:@[]"};
  for (const std::string& key : keys) {
    Status status = store_->Put(key, key);
    ASSERT_TRUE(status.ok()) << key << ": " << status.ToString();
  }
  for (const std::string& key : keys) {
    EXPECT_EQ(GetAll(key).value_or("?"), key);
    Result<std::optional<BlobInfo>> info = store_->Stat(key);
    ASSERT_TRUE(info.ok() && info->has_value()) << key;
  }
  std::map<std::string, uint64_t> listed = ListMap("");
  ASSERT_EQ(listed.size(), keys.size());
  for (const std::string& key : keys) EXPECT_EQ(listed.count(key), 1u) << key;
  for (const std::string& key : keys) EXPECT_TRUE(store_->Delete(key).ok()) << key;
  EXPECT_TRUE(ListMap("").empty());
}

TEST_P(BlobStoreTest, BadKeysAreRejectedAlike) {
  for (std::string_view key : {"", "/abs", "../escape", "a/../../b", "dir/", "a//b"}) {
    EXPECT_TRUE(store_->Put(key, "x").IsInvalidArgument()) << key;
    EXPECT_TRUE(store_->Stat(key).status().IsInvalidArgument()) << key;
    EXPECT_TRUE(store_->Delete(key).IsInvalidArgument()) << key;
    EXPECT_TRUE(GetAll(key).status().IsInvalidArgument()) << key;
  }
  EXPECT_TRUE(store_->List("../").status().IsInvalidArgument());
  EXPECT_TRUE(ListMap("").empty());
  EXPECT_FALSE(std::filesystem::exists(dir_->Path("escape")));
}

TEST_P(BlobStoreTest, SinkFailureStopsGet) {
  ASSERT_TRUE(store_->Put("big", Pattern(3 << 20, 7)).ok());
  size_t seen = 0;
  Status status = store_->Get("big", [&](std::string_view chunk) {
    seen += chunk.size();
    return Status::IoError("local disk full");
  });
  EXPECT_EQ(status, Status::IoError("local disk full"));
  EXPECT_GT(seen, 0u);
}

TEST_P(BlobStoreTest, ParallelPutsAndGets) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 8;
  std::atomic<int> failures{0};
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = "p/" + std::to_string(t) + "/" + std::to_string(i);
        std::string data = Pattern(static_cast<size_t>(1000 * (t + 1) + i), t * 100 + i);
        Status status = store_->Put(key, data);
        Result<std::string> got = status.ok() ? GetAll(key) : Result<std::string>(status);
        if (!got.ok() || *got != data) {
          ++failures;
          errors[static_cast<size_t>(t)] = got.ok() ? "content differs" : got.status().ToString();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0) << core::Join(errors, "\n");
  EXPECT_EQ(ListMap("p/").size(), size_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace cairn::blob
