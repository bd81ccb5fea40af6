#include "workflow/glob.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cairn::workflow {
namespace {

struct Case {
  std::vector<std::string> patterns;
  std::string name;
  bool matched;
};

// Every example of gha.md section 2 and of GitHub's filter pattern cheat sheet.
TEST(GlobTest, GitHubExamples) {
  const Case cases[] = {
      {{"feature/*"}, "feature/my-branch", true},
      {{"feature/*"}, "feature/beta-a/my-branch", false},
      {{"feature/**"}, "feature/beta-a/my-branch", true},
      {{"feature/**"}, "feature/mona/the/octocat", true},
      {{"main", "releases/mona-the-octocat"}, "releases/mona-the-octocat", true},
      {{"main", "releases/mona-the-octocat"}, "releases/other", false},
      {{"*"}, "main", true},
      {{"*"}, "releases", true},
      {{"*"}, "path/with/slash", false},
      {{"**"}, "all/the/branches", true},
      {{"*feature"}, "mona-feature", true},
      {{"*feature"}, "feature", true},
      {{"*feature"}, "ver-10-feature", true},
      {{"v2*"}, "v2", true},
      {{"v2*"}, "v2.9", true},
      {{"v2*"}, "v3", false},
      {{"v[12].[0-9]+.[0-9]+"}, "v1.10.1", true},
      {{"v[12].[0-9]+.[0-9]+"}, "v2.0.0", true},
      {{"v[12].[0-9]+.[0-9]+"}, "v3.0.0", false},
      {{"v[12].[0-9]+.[0-9]+"}, "v1..0", false},
      {{"*.jsx?"}, "page.js", true},
      {{"*.jsx?"}, "page.jsx", true},
      {{"*.jsx?"}, "page.jsxx", false},
      {{"*.js"}, "app.js", true},
      {{"*.js"}, "src/app.js", false},
      {{"**.js"}, "index.js", true},
      {{"**.js"}, "js/index.js", true},
      {{"**.js"}, "src/js/app.js", true},
      {{"docs/*"}, "docs/README.md", true},
      {{"docs/*"}, "docs/mona/octocat.txt", false},
      {{"docs/**"}, "docs/mona/octocat.txt", true},
      {{"docs/**/*.md"}, "docs/README.md", true},
      {{"docs/**/*.md"}, "docs/a/markdown/file.md", true},
      {{"**/docs/**"}, "docs/hello.md", true},
      {{"**/docs/**"}, "dir/docs/my-file.txt", true},
      {{"**/docs/**"}, "space/docs/plan/space.doc", true},
      {{"**/docs/**"}, "mydocs/x", false},
      {{"**/README.md"}, "README.md", true},
      {{"**/README.md"}, "js/README.md", true},
      {{"**/*src/**"}, "a/src/app.js", true},
      {{"**/*src/**"}, "my-src/code/js/app.js", true},
      {{"**/*-post.md"}, "my-post.md", true},
      {{"**/*-post.md"}, "path/their-post.md", true},
      {{"**/migrate-*.sql"}, "db/sept/migrate-v1.sql", true},
      {{"*.md", "!README.md"}, "hello.md", true},
      {{"*.md", "!README.md"}, "README.md", false},
      {{"*.md", "!README.md"}, "docs/hello.md", false},
      {{"*.md", "!README.md", "README*"}, "README.md", true},
      {{"*.md", "!README.md", "README*"}, "README.doc", true},
      {{"releases/**", "!releases/**-alpha"}, "releases/v2", true},
      {{"releases/**", "!releases/**-alpha"}, "releases/beta/3-alpha", false},
      {{"[CB]at"}, "Cat", true},
      {{"[CB]at"}, "Bat", true},
      {{"[CB]at"}, "Hat", false},
      {{"[1-2]00"}, "200", true},
      {{"[1-2]00"}, "300", false},
      {{"[0-9a-z]"}, "g", true},
      {{"\\!file"}, "!file", true},
      {{"a\\*b"}, "a*b", true},
      {{"a\\*b"}, "axb", false},
      {{"escape\\\\backslash"}, "escape\\backslash", true},
      {{".yml"}, "fyml", false},
      {{"Octo*"}, "Octocat", true},
  };
  for (const Case& c : cases) {
    auto list = PatternList::Compile(c.patterns);
    ASSERT_TRUE(list.ok()) << c.patterns[0] << ": " << list.status().ToString();
    EXPECT_EQ(list->Matches(c.name), c.matched) << c.patterns[0] << " vs " << c.name;
  }
}

TEST(GlobTest, MatchSaysWhichPatternDecided) {
  auto list = PatternList::Compile(std::vector<std::string>{"*.md", "!README.md", "docs/**"});
  ASSERT_TRUE(list.ok());
  PatternMatch m = list->Match("README.md");
  EXPECT_FALSE(m.matched);
  EXPECT_EQ(m.index, 1);
  m = list->Match("a.md");
  EXPECT_TRUE(m.matched);
  EXPECT_EQ(m.index, 0);
  m = list->Match("src/x.cc");
  EXPECT_FALSE(m.matched);
  EXPECT_EQ(m.index, -1);
}

TEST(GlobTest, BadPatternsAreErrors) {
  const char* bad[] = {"[abc", "[]", "[z-a]", "[a-Z]", "[.-a]", "+x", "?x", "a\\", "*+", ""};
  for (const char* p : bad) {
    EXPECT_FALSE(Glob::Compile(p).ok()) << p;
  }
  EXPECT_EQ(Glob::Compile("[z-a]").status().message(),
            "invalid pattern '[z-a]': bad range 'z-a': ranges go upward within a-z, A-Z or 0-9");
  EXPECT_EQ(Glob::Compile("feat[").status().message(),
            "invalid pattern 'feat[': '[' without a closing ']'");
}

TEST(GlobTest, OnlyNegationsIsAnError) {
  auto list = PatternList::Compile(std::vector<std::string>{"!main", "!dev"});
  ASSERT_FALSE(list.ok());
  EXPECT_NE(list.status().message().find("at least one positive pattern"), std::string::npos);
}

TEST(GlobTest, LongNamesStayFast) {
  // Backtracking matchers explode on this; the position-set matcher stays linear per token.
  auto glob = Glob::Compile("**a**a**a**a**a**a**a**b");
  ASSERT_TRUE(glob.ok());
  EXPECT_FALSE(glob->Matches(std::string(5000, 'a')));
  auto star = Glob::Compile("a+a+a+a+b");
  ASSERT_TRUE(star.ok());
  EXPECT_FALSE(star->Matches(std::string(5000, 'a')));
}

}  // namespace
}  // namespace cairn::workflow
