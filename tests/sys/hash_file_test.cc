#include "sys/hash_file.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "sys/temp_dir.h"

namespace cairn::sys {
namespace {

TEST(HashFileTest, MatchesInMemoryDigestAcrossChunkBoundaries) {
  Result<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::unique_ptr<Env> env = NewPosixEnv();
  // 2.5 MiB: many reads, the last one partial.
  std::string data((5 << 20) / 2, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131) >> 3);
  ASSERT_TRUE(env->WriteFile(dir->Path("big"), data).ok());
  Result<std::string> md5 = HashFile(*env, dir->Path("big"));
  ASSERT_TRUE(md5.ok());
  EXPECT_EQ(*md5, core::Md5Hex(data));
  Result<std::string> sha = HashFile(*env, dir->Path("big"), core::Digest::Algorithm::kSha256);
  EXPECT_EQ(*sha, core::Sha256Hex(data));
}

TEST(HashFileTest, ManyFilesInOrderWithErrorsInPlace) {
  Result<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::unique_ptr<Env> env = NewPosixEnv();
  std::vector<std::string> paths;
  for (int i = 0; i < 200; ++i) {
    paths.push_back(dir->Path("f" + std::to_string(i)));
    ASSERT_TRUE(env->WriteFile(paths.back(), std::to_string(i)).ok());
  }
  paths.push_back(dir->Path("missing"));
  ThreadPool pool(2);
  std::vector<Result<std::string>> hashes = HashFiles(*env, paths, pool);
  ASSERT_EQ(hashes.size(), paths.size());
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(hashes[i].ok());
    EXPECT_EQ(*hashes[i], core::Md5Hex(std::to_string(i)));
  }
  EXPECT_TRUE(hashes.back().status().IsNotFound());
}

TEST(HashFileTest, EmptyFile) {
  Result<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::unique_ptr<Env> env = NewPosixEnv();
  ASSERT_TRUE(env->WriteFile(dir->Path("empty"), "").ok());
  EXPECT_EQ(*HashFile(*env, dir->Path("empty")), "d41d8cd98f00b204e9800998ecf8427e");
}

}  // namespace
}  // namespace cairn::sys
