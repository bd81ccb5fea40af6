// hashFiles(): GitHub's algorithm (SHA-256 of each file's SHA-256, in the globber's order) over
// @actions/glob patterns.
#include "workflow/hash_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/hash.h"
#include "sys/temp_dir.h"

namespace cairn::workflow {
namespace {

class HashFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::Result<sys::TempDir> dir = sys::TempDir::Create("cairn-hash-");
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    ws_ = dir_->Path("ws");
    mkdir(ws_.c_str(), 0755);
  }

  void Write(const std::string& relative, const std::string& content) {
    std::string path = ws_ + "/" + relative;
    for (size_t slash = path.find('/', ws_.size() + 1); slash != std::string::npos;
         slash = path.find('/', slash + 1)) {
      mkdir(path.substr(0, slash).c_str(), 0755);
    }
    std::ofstream(path) << content;
  }

  // What GitHub computes for these contents, in this order.
  static std::string Expected(const std::vector<std::string>& contents) {
    core::Digest outer(core::Digest::Algorithm::kSha256);
    for (const std::string& c : contents) outer.Update(core::Sha256(c));
    return outer.FinishHex();
  }

  std::string Hash(std::vector<std::string> patterns) {
    core::Result<std::string> h = HashFiles(ws_, patterns);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? *h : "<error>";
  }

  std::unique_ptr<sys::TempDir> dir_;
  std::string ws_;
};

TEST_F(HashFilesTest, DigestOfDigestsInGlobberOrder) {
  Write("a/x.txt", "ax");
  Write("a-x.txt", "a-x");
  Write("b.txt", "b");
  Write(".hidden.txt", "hidden");
  Write("c.md", "c");
  // Depth first with each directory sorted: ".hidden.txt", "a-x.txt", "a/x.txt", "b.txt"
  // ("a" sorts before "a-x.txt", so a/x.txt comes first, unlike a whole-path sort).
  EXPECT_EQ(Hash({"**/*.txt"}), Expected({"hidden", "ax", "a-x", "b"}));
}

TEST_F(HashFilesTest, ExcludesDirectoriesAndNoMatch) {
  Write("src/a.py", "a");
  Write("src/gen/b.py", "b");
  Write("requirements.txt", "r");
  EXPECT_EQ(Hash({"src", "!src/gen"}), Expected({"a"}));  // a directory means all under it
  EXPECT_EQ(Hash({"src/**", "!**/b.py"}), Expected({"a"}));
  EXPECT_EQ(Hash({"requirements.txt"}), Expected({"r"}));
  EXPECT_EQ(Hash({"src/*.py", "requirements.txt"}), Expected({"a", "r"}));
  EXPECT_EQ(Hash({"**/requirements.txt\n# a comment\n!nothing"}), Expected({"r"}));
  EXPECT_EQ(Hash({"nothing/*.lock"}), "");
  EXPECT_EQ(Hash({"src/?.py"}), Expected({"a"}));
  EXPECT_EQ(Hash({"src/[ab].py"}), Expected({"a"}));
}

TEST_F(HashFilesTest, OutsideTheWorkspaceIsSkipped) {
  std::ofstream(dir_->Path("outside.txt")) << "o";
  Write("in.txt", "i");
  EXPECT_EQ(Hash({dir_->Path("outside.txt")}), "");
  EXPECT_FALSE(HashFiles(ws_, std::vector<std::string>{"../*.txt"}).ok());
}

TEST_F(HashFilesTest, SymlinkedDirectoriesNeedTheFlag) {
  Write("real/f.txt", "f");
  ASSERT_EQ(symlink((ws_ + "/real").c_str(), (ws_ + "/link").c_str()), 0);
  EXPECT_EQ(Hash({"link/**"}), "");
  EXPECT_EQ(Hash({"--follow-symbolic-links", "link/**"}), Expected({"f"}));
}

}  // namespace
}  // namespace cairn::workflow
