// MLflow's key-name and limit rules (track/validation.h).
#include "track/validation.h"

#include <gtest/gtest.h>

namespace cairn::track {
namespace {

TEST(ValidationTest, PosixNormPathIsPythons) {
  EXPECT_EQ(PosixNormPath(""), ".");
  EXPECT_EQ(PosixNormPath("a/b"), "a/b");
  EXPECT_EQ(PosixNormPath("a//b/./c/.."), "a/b");
  EXPECT_EQ(PosixNormPath("../a"), "../a");
  EXPECT_EQ(PosixNormPath("a/../.."), "..");
  EXPECT_EQ(PosixNormPath("/../a"), "/a");
  EXPECT_EQ(PosixNormPath("//a"), "//a");
  EXPECT_EQ(PosixNormPath("///a"), "/a");
  EXPECT_EQ(PosixNormPath("a/"), "a");
}

TEST(ValidationTest, KeyNames) {
  EXPECT_TRUE(ValidateKeyName("metric", "a b/c-d_e.f:g").ok());
  EXPECT_TRUE(ValidateKeyName("metric", "日本").ok());
  EXPECT_FALSE(ValidateKeyName("metric", "").ok());
  EXPECT_FALSE(ValidateKeyName("metric", "..").ok());
  EXPECT_FALSE(ValidateKeyName("metric", "..a").ok());  // would resolve above its parent
  EXPECT_FALSE(ValidateKeyName("metric", "a\\b").ok());
  core::Status bad = ValidateKeyName("parameter", "x$");
  EXPECT_EQ(bad.message(),
            "Invalid parameter name: 'x$'. Names may only contain alphanumerics, underscores (_), "
            "dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).");
  core::Status path = ValidateKeyName("tag", "a/./b");
  EXPECT_NE(path.message().find("This name would resolve to 'a/b'"), std::string::npos);
}

TEST(ValidationTest, LimitsCountCharacters) {
  EXPECT_EQ(CharLength("héllo"), 5u);
  core::Status long_value = ValidateParam({"k", std::string(6001, 'v')});
  EXPECT_EQ(long_value.code(), core::Code::kInvalidParameterValue);
  EXPECT_NE(long_value.message().find("had length 6001, which exceeded length limit of 6000"),
            std::string::npos);
}

TEST(ValidationTest, BatchLimitsNameTheEntity) {
  core::Status s = ValidateBatchLimits(0, 101, 0);
  EXPECT_EQ(s.message(),
            "A batch logging request can contain at most 100 params. Got 101 params. Please split "
            "up params across multiple requests and try again.");
  EXPECT_TRUE(ValidateBatchLimits(1000, 0, 0).ok());
  EXPECT_FALSE(ValidateBatchLimits(999, 1, 1).ok());
}

TEST(ValidationTest, MaxResults) {
  EXPECT_TRUE(ValidateMaxResults(1, 50000).ok());
  EXPECT_EQ(ValidateMaxResults(50001, 50000).message(),
            "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000");
  EXPECT_FALSE(ValidateMaxResults(0, 50000).ok());
}

}  // namespace
}  // namespace cairn::track
