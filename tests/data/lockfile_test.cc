#include "data/lockfile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/strings.h"
#include "core/yaml.h"
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

LockFile Parse(std::string_view text) {
  core::Result<LockFile> f = ParseLockFile(text, "dvc.lock");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *std::move(f) : LockFile{};
}

std::string ParseError(std::string_view text) {
  core::Result<LockFile> f = ParseLockFile(text, "dvc.lock");
  if (f.ok()) return "(parsed)";
  EXPECT_EQ(f.status().code(), core::Code::kInvalidParameterValue);
  return f.status().message();
}

Value LoadYaml(std::string_view text) {
  core::Result<Value> v = core::ParseYaml(text, "params.yaml");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *std::move(v) : Value();
}

// The value at a dotted path of a loaded YAML document ("train.optimizer").
const Value& At(const Value& root, std::string_view dotted) {
  const Value* v = &root;
  for (std::string_view part : core::Split(dotted, '.')) {
    v = v->Find(part);
    EXPECT_NE(v, nullptr) << dotted;
    if (v == nullptr) {
      static const Value kNull;
      return kNull;
    }
  }
  return *v;
}

// The params of one file for a lock stage, as repro records them: values read from the
// params file, in the order the stage lists them (SortLikeDvc sorts them).
LockParams ParamsFrom(const Value& params_yaml, const std::vector<std::string>& keys) {
  LockParams p;
  p.path = "params.yaml";
  for (const std::string& key : keys)
    p.values.AppendMember(key, LockParamValue(At(params_yaml, key)));
  return p;
}

std::filesystem::path PipelineDir(const std::string& shared) {
  return std::filesystem::path(shared) / "conformance" / "dvc" / "pipeline";
}

TEST(LockFileTest, RoundTripsTheFixtureLockFilesByteForByte) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  for (const char* step : {"1-repro", "2-param-changed"}) {
    std::filesystem::path path = PipelineDir(shared) / "expected" / step / "dvc.lock";
    std::string text = ReadBytes(path);
    ASSERT_FALSE(text.empty()) << path;
    core::Result<LockFile> parsed = ParseLockFile(text, path.string());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(SerializeLockFile(*parsed), text) << path;
  }
}

TEST(LockFileTest, ParsesTheFixtureLockFile) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  LockFile lock = Parse(ReadBytes(PipelineDir(shared) / "expected" / "1-repro" / "dvc.lock"));
  ASSERT_EQ(lock.stages.size(), 3u);
  EXPECT_EQ(lock.stages[0].name, "prepare");
  EXPECT_EQ(lock.stages[1].name, "train");
  EXPECT_EQ(lock.stages[2].name, "report");

  const LockStage* train = lock.FindStage("train");
  ASSERT_NE(train, nullptr);
  EXPECT_TRUE(train->cmd_is_list);
  ASSERT_EQ(train->cmd.size(), 2u);
  EXPECT_TRUE(train->cmd[1].starts_with("awk -F, -v w=\"$(cut -d= -f2 model.txt)\""));
  ASSERT_EQ(train->deps.size(), 1u);
  EXPECT_EQ(train->deps[0].path, "prepared");
  EXPECT_EQ(train->deps[0].md5, "415d91b1e1cdfe7f7309039018ac7b61.dir");
  EXPECT_EQ(train->deps[0].nfiles, 2u);
  EXPECT_FALSE(train->deps[0].legacy);
  const LockParams* params = train->FindParams("params.yaml");
  ASSERT_NE(params, nullptr);
  ASSERT_NE(params->values.Find("train.lr"), nullptr);
  EXPECT_EQ(params->values.Find("train.lr")->raw(), "0.001");
  const Value* optimizer = params->values.Find("train.optimizer");
  ASSERT_NE(optimizer, nullptr);
  ASSERT_TRUE(optimizer->is_mapping());
  EXPECT_EQ(optimizer->members()[0].key, "name");
  EXPECT_EQ(optimizer->members()[1].key, "betas");
  ASSERT_EQ(train->outs.size(), 2u);
  EXPECT_EQ(train->outs[0].path, "metrics.json");

  const LockStage* report = lock.FindStage("report");
  ASSERT_NE(report, nullptr);
  EXPECT_FALSE(report->cmd_is_list);
  EXPECT_EQ(
      report->cmd,
      std::vector<std::string>{
          "echo \"Fixture report\" > report.txt && cat model.txt metrics.json >> report.txt"});
  EXPECT_EQ(lock.FindStage("nope"), nullptr);
}

// What `dvc repro` does on the fixture's pipeline, built from values: the commands from
// dvc.yaml, the params from params.yaml, the hashes from the expected lock.
TEST(LockFileTest, BuildsTheFixturePipelineLockFromValues) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  std::filesystem::path dir = PipelineDir(shared);
  Value dvc_yaml = LoadYaml(ReadBytes(dir / "input" / "dvc.yaml"));
  Value params_yaml = LoadYaml(ReadBytes(dir / "input" / "params.yaml"));

  LockFile lock;  // no dvc.lock yet

  LockStage prepare;
  prepare.name = "prepare";
  prepare.cmd = {At(dvc_yaml, "stages.prepare.cmd").AsString()};
  prepare.deps.push_back(Entry::File("data.csv", "e33265870575ab362fcc8acc0dfa1476", 240));
  prepare.params.push_back(ParamsFrom(params_yaml, {"prepare.split"}));
  prepare.outs.push_back(
      Entry::Directory("prepared", "415d91b1e1cdfe7f7309039018ac7b61.dir", 247, 2));
  SortLikeDvc(&prepare);
  lock.SetStage(prepare);

  LockStage train;
  train.name = "train";
  for (const Value& c : At(dvc_yaml, "stages.train.cmd").items()) train.cmd.push_back(c.AsString());
  train.cmd_is_list = true;
  train.deps.push_back(
      Entry::Directory("prepared", "415d91b1e1cdfe7f7309039018ac7b61.dir", 247, 2));
  // In dvc.yaml's order; SortLikeDvc sorts keys and outs.
  train.params.push_back(ParamsFrom(params_yaml, {"train.lr", "train.epochs", "train.optimizer"}));
  train.outs.push_back(Entry::File("model.txt", "ff5ae9c2f8966b9bda3e2719a7e981da", 11));
  train.outs.push_back(Entry::File("metrics.json", "c1887194e2f7f790ae2576c409826538", 55));
  SortLikeDvc(&train);
  lock.SetStage(train);

  LockStage report;
  report.name = "report";
  report.cmd = {core::ReplaceAll(At(dvc_yaml, "stages.report.cmd").AsString(), "${report.title}",
                                 At(params_yaml, "report.title").AsString())};
  report.deps.push_back(Entry::File("model.txt", "ff5ae9c2f8966b9bda3e2719a7e981da", 11));
  report.deps.push_back(Entry::File("metrics.json", "c1887194e2f7f790ae2576c409826538", 55));
  report.outs.push_back(Entry::File("report.txt", "18855a33dea4aff9fd3b36180041b66f", 81));
  SortLikeDvc(&report);
  lock.SetStage(report);

  EXPECT_EQ(SerializeLockFile(lock), ReadBytes(dir / "expected" / "1-repro" / "dvc.lock"));
}

// The second repro of the fixture: train.lr changed, `train` and `report` ran again.
TEST(LockFileTest, UpdatesStagesInPlaceAsTheFixturesSecondRepro) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  std::filesystem::path dir = PipelineDir(shared);
  LockFile lock = Parse(ReadBytes(dir / "expected" / "1-repro" / "dvc.lock"));
  Value changed = LoadYaml(ReadBytes(dir / "input" / "params-changed.yaml"));

  LockStage train = *lock.FindStage("train");
  train.params = {ParamsFrom(changed, {"train.epochs", "train.lr", "train.optimizer"})};
  train.outs[0].md5 = "e56b37f5fd57c83723c728e562ea3c98";
  train.outs[1].md5 = "727bc8b3e7d5fbaec6ad396a026a1c97";
  lock.SetStage(train);

  LockStage report = *lock.FindStage("report");
  report.deps[0].md5 = "e56b37f5fd57c83723c728e562ea3c98";
  report.deps[1].md5 = "727bc8b3e7d5fbaec6ad396a026a1c97";
  report.outs[0].md5 = "14c75e7b3cd5fb27db63e396343a2208";
  lock.SetStage(report);

  EXPECT_EQ(SerializeLockFile(lock), ReadBytes(dir / "expected" / "2-param-changed" / "dvc.lock"));
}

TEST(LockFileTest, AppendsNewStagesAndKeepsTheOthersAsRead) {
  // The first stage is written in an order DVC would not choose: it must stay that way.
  LockFile lock = Parse(
      "schema: '2.0'\n"
      "stages:\n"
      "  b:\n"
      "    outs:\n"
      "    - hash: md5\n"
      "      path: out\n"
      "      md5: d41d8cd98f00b204e9800998ecf8427e\n"
      "    cmd: touch out\n"
      "  a:\n"
      "    cmd: echo a\n");
  LockStage c;
  c.name = "c";
  c.cmd = {"echo", "two"};  // two commands: a list
  lock.SetStage(c);
  LockStage a;
  a.name = "a";
  a.cmd = {"echo A"};
  lock.SetStage(a);
  EXPECT_EQ(SerializeLockFile(lock),
            "schema: '2.0'\n"
            "stages:\n"
            "  b:\n"
            "    outs:\n"
            "    - hash: md5\n"
            "      path: out\n"
            "      md5: d41d8cd98f00b204e9800998ecf8427e\n"
            "    cmd: touch out\n"
            "  a:\n"
            "    cmd: echo A\n"
            "  c:\n"
            "    cmd:\n"
            "    - echo\n"
            "    - two\n");
  EXPECT_TRUE(lock.RemoveStage("b"));
  EXPECT_FALSE(lock.RemoveStage("b"));
  EXPECT_EQ(lock.stages.size(), 2u);
  EXPECT_EQ(lock.stages[0].name, "a");
}

TEST(LockFileTest, StartsFromAnEmptyFile) {
  LockFile lock = Parse("");
  EXPECT_TRUE(lock.stages.empty());
  EXPECT_EQ(SerializeLockFile(lock), "schema: '2.0'\nstages: {}\n");
  LockStage s;
  s.name = "s";
  s.cmd = {"true"};
  lock.SetStage(s);
  EXPECT_EQ(SerializeLockFile(lock), "schema: '2.0'\nstages:\n  s:\n    cmd: 'true'\n");
}

TEST(LockFileTest, KeepsLegacyEntriesAndUnknownKeys) {
  const std::string text =
      "schema: '2.0'\n"
      "stages:\n"
      "  s:\n"
      "    cmd: cp a b\n"
      "    deps:\n"
      "    - path: a\n"
      "      md5: b1946ac92492d2347c6235b4d2611184\n"
      "      size: 6\n"
      "    outs:\n"
      "    - path: b\n"
      "      md5: b1946ac92492d2347c6235b4d2611184\n"
      "      size: 6\n"
      "      isexec: true\n"
      "    frozen: true\n"
      "datasets:\n"
      "- name: ds\n"
      "  type: dvc\n";
  LockFile lock = Parse(text);
  ASSERT_EQ(lock.stages.size(), 1u);
  EXPECT_TRUE(lock.stages[0].deps[0].legacy);
  EXPECT_TRUE(lock.stages[0].outs[0].legacy);
  EXPECT_TRUE(lock.stages[0].outs[0].isexec);
  ASSERT_EQ(lock.stages[0].extra.size(), 1u);
  ASSERT_EQ(lock.extra.size(), 1u);
  EXPECT_EQ(lock.extra[0].key, "datasets");
  EXPECT_EQ(SerializeLockFile(lock), text);
}

TEST(LockFileTest, WritesLockEntriesInLockOrder) {
  LockStage s;
  s.name = "s";
  s.cmd = {"x"};
  Entry out = Entry::File("out", "0123456789abcdef0123456789abcdef", 3, true);
  out.legacy = true;
  s.outs.push_back(out);
  s.outs.push_back(Entry::Directory("dir", "0123456789abcdef0123456789abcdef.dir", 0, 0));
  LockParams other{"other.json", Value::Mapping()};
  other.values.AppendMember("z", Value::Int(1));
  LockParams main{"params.yaml", Value::Mapping()};
  main.values.AppendMember("b", Value::String("2.0"));
  main.values.AppendMember("a", Value::Null());
  LockParams empty{"a.yaml", Value::Mapping()};
  s.params = {other, main, empty};
  SortLikeDvc(&s);
  LockFile lock;
  lock.SetStage(s);
  EXPECT_EQ(SerializeLockFile(lock),
            "schema: '2.0'\n"
            "stages:\n"
            "  s:\n"
            "    cmd: x\n"
            "    params:\n"
            "      params.yaml:\n"
            "        a:\n"
            "        b: '2.0'\n"
            "      a.yaml: {}\n"
            "      other.json:\n"
            "        z: 1\n"
            "    outs:\n"
            "    - path: dir\n"
            "      hash: md5\n"
            "      md5: 0123456789abcdef0123456789abcdef.dir\n"
            "      size: 0\n"
            "      nfiles: 0\n"
            "    - path: out\n"
            "      md5: 0123456789abcdef0123456789abcdef\n"
            "      size: 3\n"
            "      isexec: true\n");
}

TEST(LockFileTest, RecordsParamValuesAsPythonWouldPrintThem) {
  Value loaded = LoadYaml(
      "lr: 1e-3\n"
      "hex: 0x1F\n"
      "plus: +5\n"
      "f: 1.50\n"
      "big: 123456789012345678901234567890\n"
      "s: '2.0'\n"
      "block: |\n"
      "  two\n"
      "  lines\n"
      "flag: True\n"
      "none: ~\n"
      "list: [1.0, 0x10, x]\n");
  LockParams p;
  p.path = "params.yaml";
  for (const core::Member& m : loaded.members()) {
    p.values.AppendMember(m.key, LockParamValue(m.value));
  }
  LockStage s;
  s.name = "s";
  s.cmd = {"x"};
  s.params.push_back(p);
  LockFile lock;
  lock.SetStage(s);
  EXPECT_EQ(SerializeLockFile(lock),
            "schema: '2.0'\n"
            "stages:\n"
            "  s:\n"
            "    cmd: x\n"
            "    params:\n"
            "      params.yaml:\n"
            "        lr: 0.001\n"
            "        hex: 31\n"
            "        plus: 5\n"
            "        f: 1.5\n"
            "        big: 123456789012345678901234567890\n"
            "        s: '2.0'\n"
            "        block: \"two\\nlines\\n\"\n"
            "        flag: true\n"
            "        none:\n"
            "        list:\n"
            "        - 1.0\n"
            "        - 16\n"
            "        - x\n");
}

TEST(LockFileTest, RefusesOtherSchemas) {
  EXPECT_EQ(ParseError("schema: '1.0'\nstages: {}\n"),
            "dvc.lock:1:9: schema: expected '2.0', the only dvc.lock schema DVC 3 reads, got the "
            "string \"1.0\"");
  EXPECT_EQ(ParseError("schema: 2.0\nstages: {}\n"),
            "dvc.lock:1:9: schema: expected '2.0', the only dvc.lock schema DVC 3 reads, got the "
            "number 2.0");
  EXPECT_EQ(ParseError("train:\n  cmd: x\n"),
            "dvc.lock:1:1: expected `schema: '2.0'` first: a dvc.lock without a schema is DVC "
            "1.x's format, which DVC 3 no longer reads (run `dvc repro` with DVC 2 to convert "
            "it)");
  EXPECT_EQ(ParseError("- a\n"),
            "dvc.lock:1:1: expected a mapping with `schema: '2.0'` and `stages:` (a dvc.lock), "
            "got a sequence");
}

TEST(LockFileTest, ReportsBadFieldsWithTheirLocation) {
  EXPECT_EQ(ParseError("schema: '2.0'\n"
                       "stages:\n"
                       "  train:\n"
                       "    cmd: x\n"
                       "    deps:\n"
                       "    - path: a\n"
                       "      size: abc\n"),
            "dvc.lock:7:13: stages.train.deps[0].size: expected a non-negative integer, got the "
            "string \"abc\"");
  EXPECT_EQ(ParseError("schema: '2.0'\n"
                       "stages:\n"
                       "  train:\n"
                       "    cmd: x\n"
                       "    outs:\n"
                       "    - hash: md5\n"
                       "      md5: d41d8cd98f00b204e9800998ecf8427e\n"),
            "dvc.lock:6:7: stages.train.outs[0]: expected a `path:` key in this entry");
  EXPECT_EQ(ParseError("schema: '2.0'\nstages:\n  train:\n    deps: []\n"),
            "dvc.lock:4:5: stages.train: expected a `cmd:` key in this stage");
  EXPECT_EQ(ParseError("schema: '2.0'\nstages:\n  train:\n    cmd: [x, 1]\n"),
            "dvc.lock:4:14: stages.train.cmd[1]: expected a string, got the number 1");
  EXPECT_EQ(ParseError("schema: '2.0'\nstages:\n  train:\n    cmd: x\n    params:\n"
                       "      params.yaml: [lr]\n"),
            "dvc.lock:6:20: stages.train.params.params.yaml: expected a mapping from param to "
            "value, got a sequence");
  EXPECT_EQ(ParseError("schema: '2.0'\nstages: [a]\n"),
            "dvc.lock:2:9: stages: expected a mapping from stage name to stage, got a sequence");
  EXPECT_EQ(ParseError("schema: '2.0'\nstages:\n  train: x\n"),
            "dvc.lock:3:10: stages.train: expected a mapping with `cmd:`, got the string \"x\"");
}

}  // namespace
}  // namespace cairn::data
