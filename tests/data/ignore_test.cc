#include "data/ignore.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "core/path.h"
#include "core/strings.h"
#include "sys/subprocess.h"
#include "sys/temp_dir.h"
#include "testing/mem_env.h"
#include "testing/paths.h"

namespace cairn::data {
namespace {

using testing::MemEnv;

bool Ignored(std::string_view dvcignore, std::string_view path, bool is_dir = false) {
  IgnoreRules rules;
  core::Status st = rules.AddFile("", dvcignore);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return rules.Check(path, is_dir).ignored;
}

// --- Patterns (pathspec 0.11 gitwildmatch, as DVC matches them) ---

TEST(IgnorePatternTest, Wildcards) {
  EXPECT_TRUE(Ignored("*.txt", "a.txt"));
  EXPECT_TRUE(Ignored("*.txt", "d/e/a.txt"));
  EXPECT_FALSE(Ignored("*.txt", "a.txt.bak"));
  EXPECT_TRUE(Ignored("a?c", "abc"));
  EXPECT_FALSE(Ignored("a?c", "ac"));
  EXPECT_FALSE(Ignored("a*c", "a/c"));
  EXPECT_TRUE(Ignored("[ab]x", "bx"));
  EXPECT_FALSE(Ignored("[ab]x", "cx"));
  EXPECT_TRUE(Ignored("[!ab]x", "cx"));
  EXPECT_FALSE(Ignored("[!ab]x", "ax"));
  EXPECT_TRUE(Ignored("[a-c]x", "bx"));
  EXPECT_TRUE(Ignored("[]]x", "]x"));
  EXPECT_TRUE(Ignored("[x", "[x"));      // no closing bracket: a literal '['
  EXPECT_TRUE(Ignored("caf?", "café"));  // '?' is one code point, not one byte
}

TEST(IgnorePatternTest, AnchoringAndDoubleStar) {
  EXPECT_TRUE(Ignored("/a", "a"));
  EXPECT_FALSE(Ignored("/a", "d/a"));
  EXPECT_TRUE(Ignored("a", "d/a"));
  EXPECT_TRUE(Ignored("d/a", "d/a"));
  EXPECT_FALSE(Ignored("d/a", "x/d/a"));  // a slash inside anchors too
  EXPECT_TRUE(Ignored("**/a", "x/y/a"));
  EXPECT_TRUE(Ignored("d/**/a", "d/a"));
  EXPECT_TRUE(Ignored("d/**/a", "d/x/y/a"));
  EXPECT_TRUE(Ignored("d/**", "d/x/y"));
  EXPECT_TRUE(Ignored("**", "anything/at/all"));
  EXPECT_TRUE(Ignored("**/", "d/file"));
  EXPECT_FALSE(Ignored("**/", "file"));
  EXPECT_FALSE(Ignored("/", "file"));  // a lone '/' matches nothing
}

TEST(IgnorePatternTest, TrailingSlashMatchesDirectoriesOnly) {
  EXPECT_TRUE(Ignored("build/", "build", /*is_dir=*/true));
  EXPECT_FALSE(Ignored("build/", "build", /*is_dir=*/false));
  EXPECT_TRUE(Ignored("build/", "build/x.o"));  // inside an ignored directory
  EXPECT_TRUE(Ignored("build/", "src/build/x.o"));
}

TEST(IgnorePatternTest, NegationLastMatchWins) {
  EXPECT_FALSE(Ignored("*.txt\n!keep.txt\n", "keep.txt"));
  EXPECT_TRUE(Ignored("*.txt\n!keep.txt\n", "other.txt"));
  EXPECT_TRUE(Ignored("!keep.txt\n*.txt\n", "keep.txt"));
  // A file cannot be re-included when its directory is ignored.
  EXPECT_TRUE(Ignored("d/\n!d/keep\n", "d/keep"));
  // ...nor under `d/**`, which (unlike git) also ignores `d` itself in DVC.
  EXPECT_TRUE(Ignored("d/**\n!d/keep\n", "d/keep"));
  EXPECT_TRUE(Ignored("d/**", "d", /*is_dir=*/true));
  // `d/**/`: git ignores the directories below d; pathspec ignores d itself as well, so the
  // files directly in d too.
  EXPECT_TRUE(Ignored("d/**/", "d/file"));
  // A negation also re-includes what is below the directories it matches (git: only them).
  EXPECT_FALSE(Ignored("[ab]\n!/[a-c]*\n", "a/a/a"));
  // pathspec's `[!x]` is a regex class, which also matches '/' (git's never does).
  EXPECT_TRUE(Ignored("a[!x]b", "a/b"));
}

TEST(IgnorePatternTest, EscapesCommentsAndWhitespace) {
  EXPECT_TRUE(Ignored("\\#weird", "#weird"));
  EXPECT_FALSE(Ignored("#weird", "#weird"));  // a comment
  EXPECT_TRUE(Ignored("\\!x", "!x"));
  EXPECT_TRUE(Ignored("\\*", "*"));
  EXPECT_FALSE(Ignored("\\*", "a"));
  EXPECT_TRUE(Ignored("/\\#weird\\[1\\]\\!.txt", "#weird[1]!.txt"));
  // DVC strips each line (git keeps leading spaces).
  EXPECT_TRUE(Ignored("   a.txt   \r\n", "a.txt"));
  // pathspec escapes a leading '^' in brackets: a literal caret, not a negation (git differs).
  EXPECT_TRUE(Ignored("[^a]x", "^x"));
  EXPECT_FALSE(Ignored("[^a]x", "bx"));
}

TEST(IgnorePatternTest, RefusedPatternsNameFileAndLine) {
  IgnoreRules rules;
  core::Status st = rules.AddFile("sub", "ok\nfoo\\\n");
  EXPECT_EQ(st.message(),
            "sub/.dvcignore:2: invalid pattern '/sub/**/foo\\': a trailing backslash escapes "
            "nothing");
  st = rules.AddFile("", "a\n\n[z-a]\n");
  EXPECT_EQ(st.message(), ".dvcignore:3: invalid pattern '[z-a]': bad character range z-a");
  st = rules.AddFile("", "!\n");
  EXPECT_EQ(st.message(), ".dvcignore:1: invalid pattern '!': nothing to match");
  st = rules.AddFile("", "ok\n\xff\n");
  EXPECT_EQ(st.message(), ".dvcignore:2: not valid UTF-8");
}

TEST(IgnoreRulesTest, BuiltInRules) {
  IgnoreRules rules;
  EXPECT_TRUE(rules.Check(".git", true).ignored);
  EXPECT_TRUE(rules.Check(".git", false).ignored);  // a worktree's .git file
  EXPECT_TRUE(rules.Check("sub/.git/config", false).ignored);
  EXPECT_TRUE(rules.Check(".hg", true).ignored);
  EXPECT_FALSE(rules.Check(".hg", false).ignored);
  EXPECT_TRUE(rules.Check("x/.dvc", true).ignored);
  EXPECT_FALSE(rules.Check(".dvcignore", false).ignored);
  EXPECT_FALSE(rules.Check("data.csv", false).ignored);
  IgnoreMatch m = rules.Check(".git", true);
  ASSERT_NE(m.rule, nullptr);
  EXPECT_EQ(m.rule->Source(), "");  // built-ins are not shown by check-ignore -d
}

TEST(IgnoreRulesTest, NestedFilesApplyBelowTheirDirectory) {
  IgnoreRules rules;
  ASSERT_TRUE(rules.AddFile("", "*.log\n").ok());
  ASSERT_TRUE(rules.AddFile("sub", "/top\nx.txt\n!keep.log\n").ok());
  EXPECT_TRUE(rules.Check("sub/top", false).ignored);
  EXPECT_FALSE(rules.Check("sub/deeper/top", false).ignored);  // `/top` is anchored at sub/
  EXPECT_FALSE(rules.Check("top", false).ignored);
  EXPECT_TRUE(rules.Check("sub/a/b/x.txt", false).ignored);
  EXPECT_FALSE(rules.Check("x.txt", false).ignored);
  EXPECT_FALSE(rules.Check("sub/keep.log", false).ignored);
  EXPECT_TRUE(rules.Check("keep.log", false).ignored);
  IgnoreMatch m = rules.Check("sub/keep.log", false);
  ASSERT_EQ(m.matched.size(), 2u);
  EXPECT_EQ(m.matched[0]->Source(), ".dvcignore:1:*.log");
  EXPECT_EQ(m.matched[1]->Source(), "sub/.dvcignore:3:!keep.log");
  EXPECT_EQ(m.rule, m.matched[1]);
}

TEST(IgnoreRulesTest, NestedTrailingSlashIsLostAsInDvc) {
  // DVC's merge_patterns normalizes "/sub/**/build/" to "/sub/**/build": in a nested
  // .dvcignore a directory pattern also ignores files of that name (git would not).
  IgnoreRules rules;
  ASSERT_TRUE(rules.AddFile("sub", "build/\n").ok());
  EXPECT_TRUE(rules.Check("sub/build", true).ignored);
  EXPECT_TRUE(rules.Check("sub/x/build", false).ignored);
  ASSERT_TRUE(rules.AddFile("", "top/\n").ok());
  EXPECT_FALSE(rules.Check("top", false).ignored);  // at the root the slash still counts
}

TEST(IgnoreFilterTest, LoadsDvcignoreFilesLazilyAndFindsSubrepos) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/a/b").ok());
  ASSERT_TRUE(env.CreateDirs("/r/sub/.dvc").ok());
  ASSERT_TRUE(env.CreateDirs("/r/ign").ok());
  ASSERT_TRUE(env.WriteFile("/r/.dvcignore", "ign/\n").ok());
  ASSERT_TRUE(env.WriteFile("/r/a/.dvcignore", "*.tmp\n").ok());
  ASSERT_TRUE(env.WriteFile("/r/ign/.dvcignore", "\xff broken, never read\n").ok());
  IgnoreFilter filter(env, "/r");
  auto m = filter.Check("a/b/x.tmp", false);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->ignored);
  EXPECT_EQ(m->rule->Source(), "a/.dvcignore:1:*.tmp");
  EXPECT_FALSE(filter.Check("x.tmp", false)->ignored);
  m = filter.Check("ign/file", false);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->ignored);
  m = filter.Check("sub/data.csv", false);
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->ignored);
  EXPECT_EQ(m->rule->Source(), "in sub_repo:sub");
  EXPECT_FALSE(filter.Skip("a/b", true));
  EXPECT_TRUE(filter.status().ok());
}

TEST(IgnoreFilterTest, AnUnreadableDvcignoreIsAnError) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/a").ok());
  ASSERT_TRUE(env.WriteFile("/r/a/.dvcignore", "ok\nbad\\\n").ok());
  IgnoreFilter filter(env, "/r");
  auto m = filter.Check("a/x", false);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "a/.dvcignore:2: invalid pattern '/a/**/bad\\': a trailing backslash escapes nothing");
  EXPECT_TRUE(filter.Skip("a/y", false));
  EXPECT_FALSE(filter.status().ok());
}

// --- .gitignore writing ---

TEST(GitignoreTest, EscapesMetacharacters) {
  EXPECT_EQ(EscapeGitignore("/#weird[1]!.txt"), "/\\#weird\\[1\\]\\!.txt");
  EXPECT_EQ(EscapeGitignore("a*b?c"), "a\\*b\\?c");
  EXPECT_EQ(EscapeGitignore("back\\slash and space "), "back\\slash and space ");
}

TEST(GitignoreTest, AppendsOnceCreatesAndRemoves) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/r/d").ok());
  EXPECT_TRUE(*AddToGitignore(env, "/r/d/a.csv"));
  EXPECT_EQ(*env.ReadFile("/r/d/.gitignore"), "/a.csv\n");
  EXPECT_FALSE(*AddToGitignore(env, "/r/d/a.csv"));
  ASSERT_TRUE(env.WriteFile("/r/.gitignore", "*.pyc").ok());  // no final newline
  EXPECT_TRUE(*AddToGitignore(env, "/r/d"));
  EXPECT_EQ(*env.ReadFile("/r/.gitignore"), "*.pyc\n/d\n");
  EXPECT_TRUE(*AddToGitignore(env, "/r/#x[1]"));
  EXPECT_EQ(*env.ReadFile("/r/.gitignore"), "*.pyc\n/d\n/\\#x\\[1\\]\n");

  EXPECT_TRUE(*RemoveFromGitignore(env, "/r/#x[1]"));
  EXPECT_EQ(*env.ReadFile("/r/.gitignore"), "*.pyc\n/d\n");
  EXPECT_FALSE(*RemoveFromGitignore(env, "/r/nothere"));
  EXPECT_TRUE(*RemoveFromGitignore(env, "/r/d/a.csv"));
  EXPECT_FALSE(env.Exists("/r/d/.gitignore"));  // emptied: deleted, as DVC does
}

TEST(GitignoreTest, FileBasicFixture) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  auto posix = sys::NewPosixEnv();
  auto expected = posix->ReadFile(shared + "/conformance/dvc/file-basic/expected/_gitignore");
  ASSERT_TRUE(expected.ok());
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/T/repo").ok());
  // `dvc add` in command-line order.
  for (std::string_view name : {"empty.txt", "crlf.txt", "binary.bin", "run.sh",
                                "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.txt", "#weird[1]!.txt"}) {
    ASSERT_TRUE(AddToGitignore(env, "/T/repo/" + std::string(name)).ok());
  }
  EXPECT_EQ(*env.ReadFile("/T/repo/.gitignore"), *expected);
  // And each written entry ignores (only) its own file, for git and for us.
  IgnoreRules rules;
  ASSERT_TRUE(rules.AddFile("", *expected).ok());
  EXPECT_TRUE(rules.Check("#weird[1]!.txt", false).ignored);
  EXPECT_FALSE(rules.Check("#weird1.txt", false).ignored);

  auto pipeline = posix->ReadFile(shared + "/conformance/dvc/pipeline/expected/1-repro/_gitignore");
  ASSERT_TRUE(pipeline.ok());
  MemEnv env2;
  ASSERT_TRUE(env2.CreateDirs("/T/repo").ok());
  for (std::string_view out : {"prepared", "model.txt", "report.txt"}) {
    ASSERT_TRUE(AddToGitignore(env2, "/T/repo/" + std::string(out)).ok());
  }
  EXPECT_EQ(*env2.ReadFile("/T/repo/.gitignore"), *pipeline);
}

TEST(GitignoreTest, InitFilesMatchTheFixture) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  auto posix = sys::NewPosixEnv();
  const std::string dir = shared + "/conformance/dvc/config/expected/";
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/T/repo/.dvc").ok());
  ASSERT_TRUE(WriteInitIgnoreFiles(env, "/T/repo").ok());
  EXPECT_EQ(*env.ReadFile("/T/repo/.dvc/.gitignore"), *posix->ReadFile(dir + "dvc_gitignore"));
  EXPECT_EQ(*env.ReadFile("/T/repo/.dvcignore"), *posix->ReadFile(dir + "_dvcignore"));
  EXPECT_EQ(kDvcDirGitignore, *posix->ReadFile(dir + "dvc_gitignore"));
  // Again: nothing is duplicated, a user's .dvcignore is kept.
  ASSERT_TRUE(env.WriteFile("/T/repo/.dvcignore", "mine\n").ok());
  ASSERT_TRUE(WriteInitIgnoreFiles(env, "/T/repo").ok());
  EXPECT_EQ(*env.ReadFile("/T/repo/.dvc/.gitignore"), kDvcDirGitignore);
  EXPECT_EQ(*env.ReadFile("/T/repo/.dvcignore"), "mine\n");
}

// --- Differential test against git ---
//
// Random .gitignore texts over a fixed tree; the set of ignored files must equal what
// `git ls-files --others --ignored --exclude-standard` lists. The generator leaves out the
// constructs where DVC (pathspec 0.11) knowingly differs from git, each pinned by a test above:
// `[^...]` (a literal caret for pathspec), `dir/**` followed by a negation under `dir` and
// `dir/**/` (pathspec also ignores `dir` itself, so also the files directly in it), leading
// whitespace, and trailing backslashes.

std::string RandomPattern(std::mt19937& rng, bool* ends_with_starstar, bool* starstar_slash) {
  static const char* kSegs[] = {"a",  "b",    "ab",    "c.txt", "*.txt", "*", "**",     "?", "a*",
                                "*b", "[ab]", "[!a]b", "x",     "d",     "e", "[a-c]*", ".h"};
  std::uniform_int_distribution<int> seg(0, sizeof(kSegs) / sizeof(kSegs[0]) - 1);
  std::uniform_int_distribution<int> n(1, 3);
  std::uniform_int_distribution<int> coin(0, 9);
  std::string p;
  if (coin(rng) < 2) p += "!";
  if (coin(rng) < 3) p += "/";
  int count = n(rng);
  std::string last;
  for (int i = 0; i < count; ++i) {
    if (i > 0) p += "/";
    last = kSegs[seg(rng)];
    p += last;
  }
  *ends_with_starstar = last == "**" && count > 1;
  *starstar_slash = false;
  if (coin(rng) < 2) {
    p += "/";
    *starstar_slash = *ends_with_starstar;
  }
  return p;
}

TEST(IgnoreDifferentialTest, AgreesWithGitCheckIgnore) {
  auto tmp = sys::TempDir::Create("cairn-ignore-");
  ASSERT_TRUE(tmp.ok());
  auto env = sys::NewPosixEnv();
  const std::string root = tmp->path();
  std::vector<std::string> git_env = {"PATH=/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM=1",
                                      "GIT_CONFIG_GLOBAL=/dev/null", "HOME=" + root};
  auto git = [&](std::vector<std::string> args, std::vector<std::string>* lines) {
    sys::SubprocessOptions options;
    options.argv = {"git", "-C", root};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = git_env;
    auto status = sys::Run(options,
                           [&](std::string_view line) {
                             if (lines) lines->emplace_back(line);
                           },
                           {});
    return status.ok() && status->ok();
  };
  if (!git({"init", "-q"}, nullptr)) GTEST_SKIP() << "git is not available";

  // The tree: every path of up to three components over a few names.
  const char* kNames[] = {"a", "b", "ab", "c.txt", "x", "d", ".h", "^x"};
  std::vector<std::string> files;
  std::mt19937 tree_rng(7);
  for (const char* n1 : kNames) {
    for (const char* n2 : kNames) {
      for (const char* n3 : kNames) {
        if (tree_rng() % 5 != 0) continue;
        std::string dir = std::string(n1) + "/" + n2;
        files.push_back(dir + "/" + n3);
      }
      if (tree_rng() % 4 == 0) files.push_back(std::string(n1) + "-f/" + n2);
    }
    files.push_back(std::string(n1) + ".top");
  }
  // A name is either a file or a directory, never both.
  std::set<std::string> dirs;
  for (const std::string& f : files) {
    for (size_t p = f.find('/'); p != std::string::npos; p = f.find('/', p + 1)) {
      dirs.insert(f.substr(0, p));
    }
  }
  files.erase(std::remove_if(files.begin(), files.end(),
                             [&](const std::string& f) { return dirs.count(f) > 0; }),
              files.end());
  for (const std::string& f : files) {
    ASSERT_TRUE(env->CreateDirs(root + "/" + std::string(core::Dirname(f))).ok());
    ASSERT_TRUE(env->WriteFile(root + "/" + f, "x").ok());
  }

  std::mt19937 rng(20240611);
  int cases = 0;
  int checked = 0;
  int skipped = 0;
  for (int round = 0; round < 250; ++round) {
    std::string text;
    bool star_then_negation = false;
    bool skip = false;
    bool saw_starstar_end = false;
    std::uniform_int_distribution<int> count(1, 4);
    int n = count(rng);
    for (int i = 0; i < n; ++i) {
      bool ends = false;
      bool starstar_slash = false;
      std::string p = RandomPattern(rng, &ends, &starstar_slash);
      skip |= starstar_slash;
      if (p[0] == '!' && saw_starstar_end) star_then_negation = true;
      saw_starstar_end |= ends;
      text += p + "\n";
    }
    if (star_then_negation || skip) continue;
    ASSERT_TRUE(env->WriteFile(root + "/.gitignore", text).ok());
    std::vector<std::string> listed;
    ASSERT_TRUE(git({"ls-files", "--others", "--ignored", "--exclude-standard"}, &listed));
    std::set<std::string> git_ignored(listed.begin(), listed.end());

    IgnoreRules rules;
    ASSERT_TRUE(rules.AddFile("", text).ok()) << text;
    // pathspec's regex for a pattern also matches everything below what it matches, so a
    // negation that matches a directory re-includes the whole directory (git re-includes only
    // the directory itself). Paths under such a directory are a known difference: skipped.
    std::vector<IgnorePattern> negations;
    for (std::string_view line : core::SplitLines(text)) {
      auto p = IgnorePattern::Compile(line);
      ASSERT_TRUE(p.ok());
      if (p->has_value() && (*p)->negated()) negations.push_back(**p);
    }
    auto negation_above = [&](const std::string& f) {
      for (size_t pos = f.find('/'); pos != std::string::npos; pos = f.find('/', pos + 1)) {
        for (const IgnorePattern& neg : negations) {
          if (neg.Matches(f.substr(0, pos), true)) return true;
        }
      }
      return false;
    };
    ++cases;
    for (const std::string& f : files) {
      if (negation_above(f)) {
        ++skipped;
        continue;
      }
      ++checked;
      bool ours = rules.Check(f, false).ignored;
      bool theirs = git_ignored.count(f) > 0;
      EXPECT_EQ(ours, theirs) << "path " << f << " with .gitignore:\n" << text;
    }
    bool ours_gitignore = rules.Check(".gitignore", false).ignored;
    EXPECT_EQ(ours_gitignore, git_ignored.count(".gitignore") > 0) << text;
    if (HasFailure()) break;
  }
  EXPECT_GT(cases, 150);
  EXPECT_GT(checked, 10 * skipped);
  std::printf("compared %d paths over %d pattern sets with git (%d skipped: a negation above)\n",
              checked, cases, skipped);
}

}  // namespace
}  // namespace cairn::data
