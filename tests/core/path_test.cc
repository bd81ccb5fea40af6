#include "core/path.h"

#include <gtest/gtest.h>

namespace cairn::core {
namespace {

TEST(PathTest, JoinDirnameBasename) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a", "/b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
  EXPECT_EQ(Dirname("a/b/c"), "a/b");
  EXPECT_EQ(Dirname("c"), "");
  EXPECT_EQ(Dirname("/c"), "/");
  EXPECT_EQ(Basename("a/b/c.txt"), "c.txt");
  EXPECT_EQ(Basename("a/"), "");
  EXPECT_EQ(Extension("a/b.tar.gz"), ".gz");
  EXPECT_EQ(Extension("a/.hidden"), "");
  EXPECT_EQ(Extension("a.d/b"), "");
}

TEST(PathTest, Normalize) {
  EXPECT_EQ(NormalizePath("a/./b/../c/"), "a/c");
  EXPECT_EQ(NormalizePath("../a"), "../a");
  EXPECT_EQ(NormalizePath("a/../.."), "..");
  EXPECT_EQ(NormalizePath("/../a"), "/a");
  EXPECT_EQ(NormalizePath("//a//b"), "/a/b");
  EXPECT_EQ(NormalizePath(""), ".");
  EXPECT_EQ(NormalizePath("./"), ".");
  EXPECT_EQ(NormalizePath("/"), "/");
}

TEST(PathTest, Within) {
  EXPECT_TRUE(PathIsWithin("a/b", "a"));
  EXPECT_TRUE(PathIsWithin("a", "a"));
  EXPECT_FALSE(PathIsWithin("ab", "a"));
  EXPECT_FALSE(PathIsWithin("a/../../x", "."));
  EXPECT_TRUE(PathIsWithin("x/y", "."));
  EXPECT_TRUE(PathIsWithin("/srv/art/x", "/srv/art"));
  EXPECT_FALSE(PathIsWithin("/srv/art/../etc/passwd", "/srv/art"));
}

TEST(PathTest, Relative) {
  EXPECT_EQ(RelativePath("/a/b/c", "/a"), "b/c");
  EXPECT_EQ(RelativePath("/a/x", "/a/b"), "../x");
  EXPECT_EQ(RelativePath("/a", "/a"), ".");
  EXPECT_EQ(RelativePath("data/x.csv", "data"), "x.csv");
}

}  // namespace
}  // namespace cairn::core
