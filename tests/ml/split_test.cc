#include <gtest/gtest.h>

#include <algorithm>

#include "core/strings.h"
#include "ml/ml.h"
#include "ml/sampling.h"
#include "testing/mem_env.h"

namespace cairn::ml {
namespace {

constexpr char kSpambase[] = CAIRN_SOURCE_DIR "/examples/spam-filter/data/spambase.csv";

std::string Rows(int n, int ones) {
  std::string text = "id,label\n";
  for (int i = 0; i < n; ++i) text += std::to_string(i) + "," + (i >= n - ones ? "1" : "0") + "\n";
  return text;
}

std::string Read(testing::MemEnv& env, std::string_view path) {
  auto text = env.ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

TEST(SplitTest, SplitMix64MatchesTheReferenceOutputs) {
  // Vigna's splitmix64.c from seed 1234567 (the split's rows depend on exactly these).
  SplitMix64 rng(1234567);
  EXPECT_EQ(rng.Next(), 6457827717110365317u);
  EXPECT_EQ(rng.Next(), 3203168211198807973u);
  EXPECT_EQ(rng.Next(), 9817491932198370423u);
  EXPECT_EQ(rng.Next(), 4593380528125082431u);
  EXPECT_EQ(rng.Next(), 16408922859458223821u);
}

TEST(SplitTest, TheSameRowsOnEveryPlatform) {
  // Pinned: a change here changes every user's train/test files.
  testing::MemEnv env;
  ASSERT_TRUE(env.WriteFile("/d.csv", Rows(10, 4)).ok());
  auto counts = SplitCsv(env, "/d.csv", "/out/train.csv", "/out/test.csv", {});
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->train, 8u);
  EXPECT_EQ(counts->test, 2u);
  EXPECT_EQ(Read(env, "/out/test.csv"), "id,label\n1,0\n9,1\n");
}

TEST(SplitTest, SpambaseCountsFollowScikitLearnAndStratify) {
  auto env = sys::NewPosixEnv();
  testing::MemEnv mem;
  ASSERT_TRUE(mem.WriteFile("/spambase.csv", *env->ReadFile(kSpambase)).ok());
  auto counts = SplitCsv(mem, "/spambase.csv", "/train.csv", "/test.csv", {});
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  // test = ceil(4601 * 0.2) = 921, as train_test_split.
  EXPECT_EQ(counts->test, 921u);
  EXPECT_EQ(counts->train, 3680u);
  auto train = ReadCsv(mem, "/train.csv", "label");
  auto test = ReadCsv(mem, "/test.csv", "label");
  ASSERT_TRUE(train.ok() && test.ok());
  EXPECT_EQ(test->rows(), 921u);
  // 1813 of 4601 rows are spam (39.4%): the test set gets 921 * 1813 / 4601 = 362.9 -> 363.
  EXPECT_EQ(std::count(test->labels.begin(), test->labels.end(), 1.0f), 363);
  EXPECT_EQ(std::count(train->labels.begin(), train->labels.end(), 1.0f), 1813 - 363);
}

TEST(SplitTest, OutputsPartitionTheRowsInInputOrder) {
  testing::MemEnv env;
  ASSERT_TRUE(env.WriteFile("/d.csv", Rows(200, 50)).ok());
  SplitOptions options;
  options.test_size = 0.25;
  options.seed = 3;
  ASSERT_TRUE(SplitCsv(env, "/d.csv", "/train.csv", "/test.csv", options).ok());
  const std::string train_text = Read(env, "/train.csv");
  const std::string test_text = Read(env, "/test.csv");
  const auto train = core::SplitLines(train_text);
  const auto test = core::SplitLines(test_text);
  ASSERT_EQ(train.size(), 151u);
  ASSERT_EQ(test.size(), 51u);
  EXPECT_EQ(train[0], "id,label");
  EXPECT_EQ(test[0], "id,label");
  std::vector<int> all;
  for (const auto* lines : {&train, &test}) {
    std::vector<int> ids;
    for (size_t i = 1; i < lines->size(); ++i) {
      ids.push_back(static_cast<int>(*core::ParseInt64(core::Split((*lines)[i], ',')[0])));
    }
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    all.insert(all.end(), ids.begin(), ids.end());
  }
  std::sort(all.begin(), all.end());
  for (int i = 0; i < 200; ++i) EXPECT_EQ(all[i], i);
  // Stratified: a quarter of each class.
  int test_ones = 0;
  for (size_t i = 1; i < test.size(); ++i) test_ones += test[i].ends_with(",1");
  EXPECT_EQ(test_ones, 12);  // 50 * 50 / 200 = 12.5: the tie of remainders goes to class 0
}

TEST(SplitTest, DeterministicForASeedAndDifferentAcrossSeeds) {
  testing::MemEnv env;
  ASSERT_TRUE(env.WriteFile("/d.csv", Rows(100, 30)).ok());
  SplitOptions options;
  ASSERT_TRUE(SplitCsv(env, "/d.csv", "/a/train.csv", "/a/test.csv", options).ok());
  ASSERT_TRUE(SplitCsv(env, "/d.csv", "/b/train.csv", "/b/test.csv", options).ok());
  options.seed = 43;
  ASSERT_TRUE(SplitCsv(env, "/d.csv", "/c/train.csv", "/c/test.csv", options).ok());
  EXPECT_EQ(Read(env, "/a/test.csv"), Read(env, "/b/test.csv"));
  EXPECT_EQ(Read(env, "/a/train.csv"), Read(env, "/b/train.csv"));
  EXPECT_NE(Read(env, "/a/test.csv"), Read(env, "/c/test.csv"));
}

TEST(SplitTest, RowsAreCopiedByteForByte) {
  testing::MemEnv env;
  // CRLF, a quoted cell with a comma, a last line without a newline; no stratification.
  ASSERT_TRUE(env.WriteFile("/d.csv", "a,b\r\n\"x,1\",2\r\n3,4\r\n\r\n5,6").ok());
  SplitOptions options;
  options.target = "";
  options.test_size = 0.5;
  auto counts = SplitCsv(env, "/d.csv", "/train.csv", "/test.csv", options);
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->train, 1u);
  EXPECT_EQ(counts->test, 2u);
  const std::string both = Read(env, "/train.csv") + Read(env, "/test.csv");
  EXPECT_TRUE(both.starts_with("a,b\r\n"));
  EXPECT_NE(both.find("\"x,1\",2\r\n"), std::string::npos);
  EXPECT_NE(both.find("3,4\r\n"), std::string::npos);
  EXPECT_NE(both.find("5,6\n"), std::string::npos);
}

TEST(SplitTest, Errors) {
  testing::MemEnv env;
  ASSERT_TRUE(env.WriteFile("/d.csv", "a,label\n1,0\n2\n").ok());
  ASSERT_TRUE(env.WriteFile("/one.csv", "a,label\n1,0\n").ok());
  SplitOptions options;
  EXPECT_EQ(SplitCsv(env, "/d.csv", "/t", "/s", options).status().message(),
            "/d.csv:3:2: expected 2 cells (as the header has), got 1");
  EXPECT_EQ(SplitCsv(env, "/one.csv", "/t", "/s", options).status().message(),
            "/one.csv: test_size 0.2 of 1 rows leaves no rows to train on");
  EXPECT_TRUE(SplitCsv(env, "/none.csv", "/t", "/s", options).status().IsNotFound());
  options.target = "y";
  EXPECT_EQ(SplitCsv(env, "/one.csv", "/t", "/s", options).status().message(),
            "no column 'y' in /one.csv; columns: a, label");
  options.test_size = 1;
  EXPECT_EQ(SplitCsv(env, "/one.csv", "/t", "/s", options).status().message(),
            "test_size: expected a number in (0, 1), got 1");
  // Nothing was written by the failures.
  EXPECT_FALSE(env.Exists("/t"));
  EXPECT_FALSE(env.Exists("/s"));
}

}  // namespace
}  // namespace cairn::ml
