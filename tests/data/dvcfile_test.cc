#include "data/dvcfile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testing/paths.h"

namespace cairn::data {
namespace {

using core::Value;

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

DvcFile Parse(std::string_view text) {
  core::Result<DvcFile> f = ParseDvcFile(text, "a.txt.dvc");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *std::move(f) : DvcFile{};
}

std::string ParseError(std::string_view text) {
  core::Result<DvcFile> f = ParseDvcFile(text, "a.txt.dvc");
  if (f.ok()) return "(parsed)";
  EXPECT_EQ(f.status().code(), core::Code::kInvalidParameterValue);
  return f.status().message();
}

TEST(DvcFileTest, RoundTripsEveryFixtureDvcFileByteForByte) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  std::filesystem::path root = std::filesystem::path(shared) / "conformance" / "dvc";
  int count = 0;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    std::filesystem::path expected = dir.path() / "expected";
    if (!std::filesystem::is_directory(expected)) continue;
    for (const auto& file : std::filesystem::recursive_directory_iterator(expected)) {
      if (file.path().extension() != ".dvc") continue;
      std::string text = ReadBytes(file.path());
      core::Result<DvcFile> parsed = ParseDvcFile(text, file.path().string());
      ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
      EXPECT_EQ(SerializeDvcFile(*parsed), text) << file.path();
      ++count;
    }
  }
  EXPECT_GE(count, 7);  // file-basic's six and dir-edge's data.dvc
}

TEST(DvcFileTest, BuildsTheFixtureFilesFromValues) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  std::filesystem::path root = std::filesystem::path(shared) / "conformance" / "dvc";
  struct Case {
    std::string path;
    Entry entry;
  };
  const std::vector<Case> kCases = {
      {"file-basic/expected/empty.txt.dvc",
       Entry::File("empty.txt", "d41d8cd98f00b204e9800998ecf8427e", 0)},
      {"file-basic/expected/crlf.txt.dvc",
       Entry::File("crlf.txt", "b1ccfe609f3f7de79ad5cf5abb630c79", 32)},
      {"file-basic/expected/binary.bin.dvc",
       Entry::File("binary.bin", "f34afdaba5bb9dad2ebe685fabaf0080", 15)},
      {"file-basic/expected/run.sh.dvc",
       Entry::File("run.sh", "d604a220708aa59433ba410986cd4ffa", 21, /*isexec=*/true)},
      {"file-basic/expected/caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.txt.dvc",
       Entry::File("caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.txt", "a9ab413526d6bca789fde5b2d7de84f5",
                   13)},
      {"file-basic/expected/#weird[1]!.txt.dvc",
       Entry::File("#weird[1]!.txt", "fe999c04c29b51909b8ec56ecfbabcb8", 5)},
      {"dir-edge/expected/data.dvc",
       Entry::Directory("data", "defd242ad22ecb1f516c00ec46ccb40b.dir", 174, 21)},
  };
  for (const Case& c : kCases) {
    DvcFile file;
    file.outs.push_back(c.entry);
    EXPECT_EQ(SerializeDvcFile(file), ReadBytes(root / c.path)) << c.path;
  }
}

TEST(DvcFileTest, ParsesTheFieldsOfAnAddedFile) {
  DvcFile f = Parse(
      "outs:\n"
      "- md5: defd242ad22ecb1f516c00ec46ccb40b.dir\n"
      "  size: 174\n"
      "  nfiles: 21\n"
      "  isexec: true\n"
      "  hash: md5\n"
      "  path: data\n");
  ASSERT_EQ(f.outs.size(), 1u);
  const Entry& e = f.outs[0];
  EXPECT_EQ(e.path, "data");
  EXPECT_EQ(e.md5, "defd242ad22ecb1f516c00ec46ccb40b.dir");
  EXPECT_TRUE(e.is_dir());
  EXPECT_FALSE(e.legacy);
  EXPECT_EQ(e.size, 174u);
  EXPECT_EQ(e.nfiles, 21u);
  EXPECT_TRUE(e.isexec);
  EXPECT_TRUE(e.cache);
  EXPECT_EQ(f.FindOut("data"), &f.outs[0]);
  EXPECT_EQ(f.FindOut("other"), nullptr);
  EXPECT_TRUE(f.md5.empty());
}

TEST(DvcFileTest, KeepsLegacyEntriesLegacy) {
  const std::string text =
      "outs:\n"
      "- md5: b1946ac92492d2347c6235b4d2611184\n"
      "  size: 6\n"
      "  path: a.txt\n";
  DvcFile f = Parse(text);
  ASSERT_EQ(f.outs.size(), 1u);
  EXPECT_TRUE(f.outs[0].legacy);
  EXPECT_EQ(SerializeDvcFile(f), text);
}

TEST(DvcFileTest, ReadsOldFormsAndWritesThemAsDvcDoes) {
  // A 1.x file: stage md5 at the top, flags with their default values, no `hash:`.
  DvcFile f = Parse(
      "md5: 3a9a6a7b5b8e1c2f04b3b0b0a3d7b3c1\n"
      "outs:\n"
      "- md5: b1946ac92492d2347c6235b4d2611184\n"
      "  path: a.txt\n"
      "  cache: true\n"
      "  metric: false\n"
      "  persist: false\n");
  EXPECT_EQ(f.md5, "3a9a6a7b5b8e1c2f04b3b0b0a3d7b3c1");
  ASSERT_EQ(f.outs.size(), 1u);
  const Entry& e = f.outs[0];
  EXPECT_TRUE(e.legacy);
  EXPECT_TRUE(e.cache);
  EXPECT_FALSE(e.persist);
  EXPECT_FALSE(e.size.has_value());
  // DVC writes a flag only when it differs from its default.
  EXPECT_EQ(SerializeDvcFile(f),
            "md5: 3a9a6a7b5b8e1c2f04b3b0b0a3d7b3c1\n"
            "outs:\n"
            "- md5: b1946ac92492d2347c6235b4d2611184\n"
            "  path: a.txt\n");
}

TEST(DvcFileTest, WritesEveryKeyInDvcsOrder) {
  Value meta = Value::Mapping();
  meta.AppendMember("owner", Value::String("ml"));
  Value metric = Value::Mapping();
  metric.AppendMember("type", Value::String("json"));
  Value cloud = Value::Mapping();
  Value versions = Value::Mapping();
  versions.AppendMember("version_id", Value::String("v1"));
  cloud.AppendMember("s3", std::move(versions));

  Entry out = Entry::File("model.pkl", "0123456789abcdef0123456789abcdef", 10, true);
  out.push = false;
  out.remote = "s3";
  out.persist = true;
  out.plot = Value::Bool(true);
  out.metric = metric;
  out.cache = false;
  out.meta = meta;
  out.labels = {"a", "b"};
  out.type = "model";
  out.desc = "the model";
  out.cloud = cloud;

  DvcFile file;
  file.meta = meta;
  file.outs.push_back(out);
  file.deps.push_back(Entry::File("src.csv", "fedcba9876543210fedcba9876543210", 3));
  file.frozen = true;
  file.wdir = "..";
  file.md5 = "00000000000000000000000000000000";
  file.desc = "an import";
  EXPECT_EQ(SerializeDvcFile(file),
            "desc: an import\n"
            // All digits would read back as a number: quoted.
            "md5: '00000000000000000000000000000000'\n"
            "wdir: ..\n"
            "frozen: true\n"
            "deps:\n"
            "- md5: fedcba9876543210fedcba9876543210\n"
            "  size: 3\n"
            "  hash: md5\n"
            "  path: src.csv\n"
            "outs:\n"
            "- md5: 0123456789abcdef0123456789abcdef\n"
            "  size: 10\n"
            "  isexec: true\n"
            "  cloud:\n"
            "    s3:\n"
            "      version_id: v1\n"
            "  hash: md5\n"
            "  path: model.pkl\n"
            "  desc: the model\n"
            "  type: model\n"
            "  labels:\n"
            "  - a\n"
            "  - b\n"
            "  meta:\n"
            "    owner: ml\n"
            "  cache: false\n"
            "  metric:\n"
            "    type: json\n"
            "  plot: true\n"
            "  persist: true\n"
            "  remote: s3\n"
            "  push: false\n"
            "meta:\n"
            "  owner: ml\n");
  // ...and reads it back the same.
  EXPECT_EQ(SerializeDvcFile(Parse(SerializeDvcFile(file))), SerializeDvcFile(file));
}

TEST(DvcFileTest, KeepsUnknownKeysInTheirPlace) {
  const std::string text =
      "outs:\n"
      "- md5: b1946ac92492d2347c6235b4d2611184\n"
      "  etag: abc\n"
      "  size: 6\n"
      "  hash: md5\n"
      "  path: a.txt\n"
      "  custom:\n"
      "    nested: [1, 2]\n"
      "always_changed: true\n"
      "deps:\n"
      "- path: https://example.com/a.txt\n"
      "  repo:\n"
      "    url: git@example.com:r.git\n"
      "    rev_lock: 0123\n";
  DvcFile f = Parse(text);
  ASSERT_EQ(f.outs.size(), 1u);
  ASSERT_EQ(f.outs[0].extra.size(), 2u);
  EXPECT_EQ(f.outs[0].extra[0].key, "etag");
  ASSERT_EQ(f.extra.size(), 1u);
  EXPECT_EQ(f.extra[0].key, "always_changed");
  // Flow collections are written in block style (ruamel would keep `[1, 2]`).
  EXPECT_EQ(SerializeDvcFile(f),
            "outs:\n"
            "- md5: b1946ac92492d2347c6235b4d2611184\n"
            "  etag: abc\n"
            "  size: 6\n"
            "  hash: md5\n"
            "  path: a.txt\n"
            "  custom:\n"
            "    nested:\n"
            "    - 1\n"
            "    - 2\n"
            "always_changed: true\n"
            "deps:\n"
            "- path: https://example.com/a.txt\n"
            "  repo:\n"
            "    url: git@example.com:r.git\n"
            "    rev_lock: 0123\n");
}

TEST(DvcFileTest, PatchesAParsedFileInPlaceAsDvcDoes) {
  // DVC rewrites a file it read by patching it: keys keep their place, new ones go last.
  DvcFile f = Parse(
      "outs:\n"
      "- md5: b1946ac92492d2347c6235b4d2611184\n"
      "  size: 6\n"
      "  path: a.txt\n");
  Entry& e = f.outs[0];
  e.legacy = false;
  e.md5 = "d41d8cd98f00b204e9800998ecf8427e";
  e.size = 0;
  EXPECT_EQ(SerializeDvcFile(f),
            "outs:\n"
            "- md5: d41d8cd98f00b204e9800998ecf8427e\n"
            "  size: 0\n"
            "  path: a.txt\n"
            "  hash: md5\n");
  // Forgetting the layout gives DVC's fresh order.
  e.key_order.clear();
  EXPECT_EQ(SerializeDvcFile(f),
            "outs:\n"
            "- md5: d41d8cd98f00b204e9800998ecf8427e\n"
            "  size: 0\n"
            "  hash: md5\n"
            "  path: a.txt\n");
}

TEST(DvcFileTest, ReportsBadFieldsWithTheirLocation) {
  EXPECT_EQ(ParseError("outs:\n"
                       "- md5: b1946ac92492d2347c6235b4d2611184\n"
                       "  size: abc\n"
                       "  path: a.txt\n"),
            "a.txt.dvc:3:9: outs[0].size: expected a non-negative integer, got the string "
            "\"abc\"");
  EXPECT_EQ(ParseError("outs:\n"
                       "- md5: b1946ac92492d2347c6235b4d2611184\n"
                       "  size: -1\n"
                       "  path: a.txt\n"),
            "a.txt.dvc:3:9: outs[0].size: expected a non-negative integer, got the number -1");
  EXPECT_EQ(ParseError("outs:\n"
                       "- path: a.txt\n"
                       "- md5: b1946ac92492d2347c6235b4d2611184\n"
                       "  size: 6\n"),
            "a.txt.dvc:3:3: outs[1]: expected a `path:` key in this entry");
  EXPECT_EQ(ParseError("outs:\n- path: a.txt\n  isexec: yes\n"),
            "a.txt.dvc:3:11: outs[0].isexec: expected true or false, got the string \"yes\"");
  EXPECT_EQ(ParseError("outs:\n- path: a.txt\n  hash: sha256\n"),
            "a.txt.dvc:3:9: outs[0].hash: expected md5 (the only hash DVC 3 writes; no `hash:` "
            "means 2.x), got the string \"sha256\"");
  EXPECT_EQ(ParseError("outs:\n- path: 12\n"),
            "a.txt.dvc:2:9: outs[0].path: expected a string, got the number 12");
  EXPECT_EQ(ParseError("outs:\n- a.txt\n"),
            "a.txt.dvc:2:3: outs[0]: expected a mapping with a `path:` key, got the string "
            "\"a.txt\"");
  EXPECT_EQ(ParseError("outs: a.txt\n"),
            "a.txt.dvc:1:7: outs: expected a sequence of entries, got the string \"a.txt\"");
  EXPECT_EQ(ParseError("outs:\n- path: a.txt\n  labels: [a, 1]\n"),
            "a.txt.dvc:3:15: outs[0].labels[1]: expected a string, got the number 1");
  EXPECT_EQ(ParseError("frozen: 1\n"),
            "a.txt.dvc:1:9: frozen: expected true or false, got the number 1");
  EXPECT_EQ(ParseError("- outs\n"),
            "a.txt.dvc:1:1: expected a mapping with `outs:` (a .dvc file), got a sequence");
  EXPECT_EQ(ParseError(""),
            "a.txt.dvc:1:1: expected a mapping with `outs:` (a .dvc file), got null");
  // YAML errors come from the loader, with their place.
  EXPECT_EQ(ParseError("outs:\n- path: a\n  path: b\n"),
            "a.txt.dvc:3:3: duplicate key \"path\" (first at a.txt.dvc:2:3)");
}

}  // namespace
}  // namespace cairn::data
