#include "data/tree.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "data/legacy_hash.h"

namespace cairn::data {
namespace {

Tree Make(std::vector<std::pair<std::string, std::string>> files) {
  Tree tree;
  for (auto& [path, content] : files)
    tree.entries.push_back({path, core::Md5Hex(content), content.size(), false});
  std::sort(tree.entries.begin(), tree.entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.relpath < b.relpath; });
  return tree;
}

// Ids checked against real DVC (../shared/reference/dvc.md, section 1).
TEST(TreeTest, KnownIds) {
  EXPECT_EQ(Make({{"foo", "foo"}, {"bar", "bar"}}).Id(), "5ea40360f5b4ec688df672a4db9c17d1.dir");
  EXPECT_EQ(Make({{"bar", "bar\n"}, {"baz", "baz\n"}}).Id(),
            "1f69c66028c35037e8bf67e5bc4ceb6a.dir");
  EXPECT_EQ(Tree{}.Id(), "d751713988987e9331980363e24189ce.dir");
  Tree t = Make({{"1", "x\n"}, {"2", "yy\n"}, {"sub/3", "z\r\n"}});
  EXPECT_EQ(t.Id(), "a91c0029393e2c692b684155d4dd9049.dir");
  EXPECT_EQ(t.TotalSize(), 8u);
}

TEST(TreeTest, SerializesLikePythonJson) {
  Tree t = Make({{"caf\xc3\xa9.txt", "a"}, {"\xf0\x9f\x98\x80", "b"}, {"tab\there \"q\" \\", "c"}});
  std::string bytes = t.Serialize();
  EXPECT_NE(bytes.find("\"relpath\": \"caf\\u00e9.txt\"}"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find("\"relpath\": \"\\ud83d\\ude00\"}"), std::string::npos) << bytes;
  EXPECT_NE(bytes.find("\"relpath\": \"tab\\there \\\"q\\\" \\\\\"}"), std::string::npos) << bytes;
  EXPECT_EQ(bytes.substr(0, 9), "[{\"md5\": ");
  EXPECT_EQ(bytes.back(), ']');
}

TEST(TreeTest, ParsesAnyValidListAndSortsIt) {
  core::Result<Tree> t = ParseTree(
      "[ {\"relpath\": \"b\", \"md5\": \"37b51d194a7513e45b56f6524f2d51f2\", \"size\": 3},\n"
      "  {\"md5\": \"acbd18db4cc2f85cedef654fccc4a4d8\", \"relpath\": \"a\", \"isexec\": false} ]",
      "obj");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->entries.size(), 2u);
  EXPECT_EQ(t->entries[0].relpath, "a");
  EXPECT_EQ(t->Serialize(),
            "[{\"md5\": \"acbd18db4cc2f85cedef654fccc4a4d8\", \"relpath\": \"a\"}, "
            "{\"md5\": \"37b51d194a7513e45b56f6524f2d51f2\", \"relpath\": \"b\"}]");
}

TEST(TreeTest, BadObjectsAreErrorsWithLocation) {
  core::Result<Tree> t = ParseTree("[{\"md5\": \"xyz\", \"relpath\": \"a\"}]", "cache/ab/cd.dir");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "cache/ab/cd.dir:1:2: expected \"md5\": 32 lowercase hex digits");
  EXPECT_FALSE(ParseTree("{}", "x").ok());
  EXPECT_FALSE(ParseTree("[", "x").ok());
  EXPECT_TRUE(IsTreeId("d751713988987e9331980363e24189ce.dir"));
  EXPECT_FALSE(IsTreeId("d751713988987e9331980363e24189ce"));
}

TEST(LegacyHashTest, TextFoldsCrLfBinaryDoesNot) {
  EXPECT_EQ(LegacyMd5("a\r\nb\r\n"), core::Md5Hex("a\nb\n"));
  EXPECT_EQ(LegacyMd5(""), core::Md5Hex(""));
  std::string binary("a\r\n\0b", 5);
  EXPECT_EQ(LegacyMd5(binary), core::Md5Hex(binary));
  // More than 30% of the first 512 bytes outside printable ASCII: binary.
  std::string high(200, '\xe9');
  high += std::string(312, 'a') + "\r\n";
  EXPECT_EQ(LegacyMd5(high), core::Md5Hex(high));
  std::string mostly_text(100, '\xe9');  // 100/512 < 30%: text
  mostly_text += std::string(412, 'a') + "\r\n";
  EXPECT_EQ(LegacyMd5(mostly_text), core::Md5Hex(mostly_text.substr(0, 512) + "\n"));
}

TEST(LegacyHashTest, EachMegabyteChunkIsJudgedAlone) {
  const size_t mb = 1 << 20;
  // Chunk 1 is binary (a NUL up front), chunk 2 is text: only chunk 2's CR LF fold.
  std::string data(mb, 'x');
  data[0] = '\0';
  data[10] = '\r';
  data[11] = '\n';
  data += "y\r\nz";
  std::string expected = data.substr(0, mb) + "y\nz";
  EXPECT_EQ(LegacyMd5(data), core::Md5Hex(expected));
  // A CR LF split across the boundary is not folded.
  std::string split(mb - 1, 'a');
  split += "\r\nb";
  EXPECT_EQ(LegacyMd5(split), core::Md5Hex(split));
}

}  // namespace
}  // namespace cairn::data
