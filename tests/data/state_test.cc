#include "data/state.h"

#include <gtest/gtest.h>

#include "testing/mem_env.h"

namespace cairn::data {
namespace {

sys::FileInfo Info(uint64_t size, int64_t mtime, uint64_t inode) {
  sys::FileInfo info;
  info.type = sys::FileType::kRegular;
  info.size = size;
  info.mtime_ns = mtime;
  info.inode = inode;
  return info;
}

constexpr int64_t kSec = 1'000'000'000;
const std::string kMd5 = "acbd18db4cc2f85cedef654fccc4a4d8";

TEST(StateTest, RemembersByStatAndSurvivesSave) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/.dvc/tmp").ok());
  {
    State state = State::Load(env, "/r/.dvc/tmp/state");
    EXPECT_EQ(state.size(), 0u);
    state.Record("data/a b\nc\\d", Info(3, 10 * kSec, 7), kMd5, 20 * kSec);
    ASSERT_TRUE(state.Save().ok());
  }
  State state = State::Load(env, "/r/.dvc/tmp/state");
  EXPECT_EQ(state.Lookup("data/a b\nc\\d", Info(3, 10 * kSec, 7)), kMd5);
  EXPECT_EQ(state.Lookup("data/a b\nc\\d", Info(4, 10 * kSec, 7)), std::nullopt);  // size
  EXPECT_EQ(state.Lookup("data/a b\nc\\d", Info(3, 11 * kSec, 7)), std::nullopt);  // mtime
  EXPECT_EQ(state.Lookup("data/a b\nc\\d", Info(3, 10 * kSec, 8)), std::nullopt);  // inode
  EXPECT_EQ(state.Lookup("other", Info(3, 10 * kSec, 7)), std::nullopt);
}

TEST(StateTest, RacilyCleanRowsAreNotTrusted) {
  testing::MemEnv env;
  State state = State::Load(env, "/state");
  // Hashed in the same instant the file was written: a change in that instant would keep
  // the same mtime, so the row must not be trusted.
  state.Record("f", Info(3, 10 * kSec, 1), kMd5, 10 * kSec + 1000);
  EXPECT_EQ(state.Lookup("f", Info(3, 10 * kSec, 1)), std::nullopt);
  state.Record("f", Info(3, 10 * kSec, 1), kMd5, 12 * kSec);
  EXPECT_EQ(state.Lookup("f", Info(3, 10 * kSec, 1)), kMd5);
}

TEST(StateTest, DamagedFileIsForgottenNotFatal) {
  testing::MemEnv env;
  ASSERT_TRUE(env.WriteFile("/state", "cairn-state 2\ngarbage line\n" + kMd5 + " 3 1 2 x y\n" +
                                          kMd5 + " 3 1 2 99999999999 good\n")
                  .ok());
  State state = State::Load(env, "/state");
  EXPECT_EQ(state.size(), 1u);
  EXPECT_EQ(state.Lookup("good", Info(3, 1, 2)), kMd5);
  ASSERT_TRUE(env.WriteFile("/state", "something else").ok());
  EXPECT_EQ(State::Load(env, "/state").size(), 0u);
}

TEST(StateTest, DirectoriesByFingerprint) {
  testing::MemEnv env;
  State state = State::Load(env, "/state");
  const std::string tree = "d751713988987e9331980363e24189ce.dir";
  state.RecordDir("data", 42, tree);
  state.Record("data/x", Info(1, 1, 1), kMd5, 5 * kSec);
  ASSERT_TRUE(state.Save().ok());
  State loaded = State::Load(env, "/state");
  EXPECT_EQ(loaded.LookupDir("data", 42), tree);
  EXPECT_EQ(loaded.LookupDir("data", 43), std::nullopt);
  EXPECT_EQ(loaded.Lookup("data", Info(42, 0, 0)), std::nullopt);  // a directory row is no file
  EXPECT_EQ(loaded.Lookup("data/x", Info(1, 1, 1)), kMd5);
  // Recording over loaded rows, then saving, keeps one row per path.
  loaded.Record("data/x", Info(2, 1, 1), kMd5, 5 * kSec);
  ASSERT_TRUE(loaded.Save().ok());
  EXPECT_EQ(State::Load(env, "/state").size(), 2u);
  EXPECT_EQ(State::Load(env, "/state").Lookup("data/x", Info(2, 1, 1)), kMd5);
}

}  // namespace
}  // namespace cairn::data
