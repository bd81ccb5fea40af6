#include "data/params.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "testing/mem_env.h"
#include "testing/paths.h"

namespace cairn::data {
namespace {

using core::Value;

Value Parse(std::string_view text, std::string_view file = "params.yaml") {
  auto v = ParseParams(text, file);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value();
}

std::string Names(const ParamValues& values) {
  std::string out;
  for (const auto& [k, v] : values) out += (out.empty() ? "" : " ") + k + "=" + core::ToJson(v);
  return out;
}

Value Scalar(std::string_view yaml) { return *Parse("v: " + std::string(yaml) + "\n").Find("v"); }

TEST(ParamsTest, FormatsByExtension) {
  EXPECT_EQ(Names(*FlattenParams(Parse("a: {b: 1}\n", "p.yaml"))), "a.b=1");
  EXPECT_EQ(Names(*FlattenParams(Parse("a: {b: 1}\n", "p.yml"))), "a.b=1");
  EXPECT_EQ(Names(*FlattenParams(Parse("a: {b: 1}\n", "p.cfg"))), "a.b=1");  // DVC: YAML
  EXPECT_EQ(Names(*FlattenParams(Parse("{\"a\": {\"b\": NaN}}", "p.json"))), "a.b=NaN");
  EXPECT_EQ(
      Names(*FlattenParams(Parse("z = 1\n[a]\nb = 2.5\nc = [1, \"x\"]\nd = true\n", "p.toml"))),
      "z=1 a.b=2.5 a.c=[1,\"x\"] a.d=true");
  auto py = ParseParams("lr = 0.1\n", "params.py");
  EXPECT_EQ(py.status().code(), core::Code::kNotImplemented);
  EXPECT_EQ(py.status().message(),
            "params.py: Python params files are not supported (cairn does not run Python); use "
            "params.yaml, .json or .toml");
}

TEST(ParamsTest, TomlKeepsDocumentOrderAndLocations) {
  Value v = Parse("zeta = 1\nalpha = 2\n[mid]\nb = 1\na = 2\n", "p.toml");
  EXPECT_EQ(Names(*FlattenParams(v)), "zeta=1 alpha=2 mid.b=1 mid.a=2");
  EXPECT_EQ(v.Find("alpha")->location().ToString(), "p.toml:2:9");
  auto bad = ParseParams("a = \n", "p.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("p.toml:1:", 0), 0u) << bad.status().message();
}

TEST(ParamsTest, ErrorsNameFileAndLine) {
  auto v = ParseParams("a: 1\n- b\n", "params.yaml");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message().rfind("params.yaml:2:", 0), 0u) << v.status().message();
  v = ParseParams("[1, 2]", "p.json");
  EXPECT_EQ(v.status().message(),
            "p.json:1:1: expected a mapping of params at the top level, got a sequence");
  auto dup = FlattenParams(Parse("a.b: 1\na:\n  b: 2\n"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(),
            "params.yaml:3:3: param 'a.b' is written twice (also at params.yaml:1:1)");
  EXPECT_TRUE(ParseParams("", "params.yaml")->is_mapping());  // empty: no params
  testing::MemEnv env;
  EXPECT_EQ(LoadParamsFile(env, "/nope/params.yaml").status().message(),
            "params file '/nope/params.yaml' does not exist");
}

TEST(ParamsTest, FlattenKeepsListsAndDropsEmptyMappings) {
  Value v = Parse("a:\n  b: [1, 2]\n  e: {}\n  c:\n    d: x\nf: null\n");
  EXPECT_EQ(Names(*FlattenParams(v)), "a.b=[1,2] a.c.d=\"x\" f=null");
}

TEST(ParamsTest, FindParamByDottedName) {
  Value v = Parse("train:\n  lr: 0.1\n  optimizer:\n    name: adam\n    betas: [0.9, 0.999]\n");
  ASSERT_NE(FindParam(v, "train.lr"), nullptr);
  EXPECT_EQ(FindParam(v, "train.lr")->raw(), "0.1");
  const Value* opt = FindParam(v, "train.optimizer");
  ASSERT_NE(opt, nullptr);
  EXPECT_TRUE(opt->is_mapping());
  EXPECT_EQ(FindParam(v, "train.optimizer.betas.1")->raw(), "0.999");
  EXPECT_EQ(FindParam(v, "train.optimizer.betas.-1")->raw(), "0.999");
  EXPECT_EQ(FindParam(v, "train.optimizer.betas.2"), nullptr);
  EXPECT_EQ(FindParam(v, "train.nope"), nullptr);
  EXPECT_EQ(FindParam(v, "train.lr.x"), nullptr);
}

TEST(ParamsTest, PythonEquality) {
  EXPECT_TRUE(ParamValuesEqual(Scalar("1"), Scalar("1.0")));
  EXPECT_TRUE(ParamValuesEqual(Scalar("true"), Scalar("1")));
  EXPECT_FALSE(ParamValuesEqual(Scalar("'1'"), Scalar("1")));
  EXPECT_FALSE(ParamValuesEqual(Scalar("null"), Scalar("0")));
  EXPECT_TRUE(ParamValuesEqual(Scalar("{a: 1, b: [x]}"), Scalar("{b: [x], a: 1.0}")));
  EXPECT_FALSE(ParamValuesEqual(Scalar("[1, 2]"), Scalar("[2, 1]")));
  EXPECT_TRUE(ParamValuesEqual(Scalar("12345678901234567890"), Scalar("12345678901234567890")));
  EXPECT_FALSE(ParamValuesEqual(Scalar("9007199254740993"), Scalar("9007199254740992")));
}

TEST(ParamsTest, MergeItemsAsDvcDoes) {
  std::vector<ParamsItem> items = {
      {"", {"lr"}, false},     {"other.json", {"x", "y"}, false},
      {"", {"epochs"}, false}, {"all.toml", {"ignored"}, false},
      {"all.toml", {}, true},
  };
  std::vector<ParamsDeclaration> d = MergeParamsItems(items);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].file, "params.yaml");
  EXPECT_EQ(d[0].keys, (std::vector<std::string>{"lr", "epochs"}));
  EXPECT_EQ(d[1].file, "other.json");
  EXPECT_EQ(d[2].file, "all.toml");
  EXPECT_TRUE(d[2].tracks_all());
  // A whole-file params.yaml swallows the plain keys.
  d = MergeParamsItems({{"", {"lr"}, false}, {"params.yaml", {}, true}});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_TRUE(d[0].tracks_all());
}

TEST(ParamsTest, LockOrderParamsYamlFirstThenSorted) {
  std::vector<std::string> files = {"z.yaml", "params.yaml", "a.json", "m.toml"};
  SortParamsFilesForLock(&files);
  EXPECT_EQ(files, (std::vector<std::string>{"params.yaml", "a.json", "m.toml", "z.yaml"}));
  // Keys sorted at the top level only; a whole file keeps nested order.
  Value v = Parse("zz: 1\naa:\n  z: 1\n  a: 2\n");
  EXPECT_EQ(Names(ReadParamValues(v, ParamsDeclaration{"params.yaml", {}})),
            "aa={\"z\":1,\"a\":2} zz=1");
  EXPECT_EQ(Names(ReadParamValues(v, ParamsDeclaration{"params.yaml", {"zz", "aa.z", "nope"}})),
            "aa.z=1 zz=1");
}

// --- The pipeline fixture: params.yaml, then params-changed.yaml ---

class PipelineParamsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto shared = testing::SharedDir();
    if (!shared) GTEST_SKIP() << "../shared is absent: skipping the pipeline fixture";
    auto env = sys::NewPosixEnv();
    const std::string dir = *shared + "/conformance/dvc/pipeline/input/";
    auto before = LoadParamsFile(*env, dir + "params.yaml");
    auto after = LoadParamsFile(*env, dir + "params-changed.yaml");
    ASSERT_TRUE(before.ok()) << before.status().ToString();
    ASSERT_TRUE(after.ok()) << after.status().ToString();
    before_ = *before;
    after_ = *after;
  }
  Value before_;
  Value after_;
};

TEST_F(PipelineParamsTest, StageValuesAsInDvcLock) {
  // dvc.lock's `train` stage: `params.yaml: {train.epochs: 5, train.lr: 0.001,
  // train.optimizer: {name: adam, betas: [0.9, 0.999]}}`, keys sorted.
  ParamsDeclaration train{"params.yaml", {"train.lr", "train.epochs", "train.optimizer"}};
  ParamValues values = ReadParamValues(before_, train);
  EXPECT_EQ(Names(values),
            "train.epochs=5 train.lr=0.001 train.optimizer={\"name\":\"adam\",\"betas\":[0.9,"
            "0.999]}");
  EXPECT_EQ(Names(ReadParamValues(before_, ParamsDeclaration{"params.yaml", {"prepare.split"}})),
            "prepare.split=0.75");
}

TEST_F(PipelineParamsTest, StatusAfterTheChange) {
  ParamsDeclaration train{"params.yaml", {"train.lr", "train.epochs", "train.optimizer"}};
  ParamValues locked = ReadParamValues(before_, train);
  std::vector<ParamStatus> st = CompareParams(train, locked, after_);
  ASSERT_EQ(st.size(), 1u);  // expected/2-param-changed/status.stdout: modified: train.lr
  EXPECT_EQ(st[0].name, "train.lr");
  EXPECT_EQ(ParamChangeName(st[0].change), "modified");
  EXPECT_TRUE(CompareParams(train, locked, before_).empty());

  // New and deleted, and the whole-file form (workspace keys, then the locked ones).
  Value changed = Parse("train:\n  lr: 0.001\n  epochs: 5\nextra: 1\n");
  st = CompareParams(train, locked, changed);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].name, "train.optimizer");
  EXPECT_EQ(st[0].change, ParamChange::kDeleted);
  ParamsDeclaration all{"params.yaml", {}};
  st = CompareParams(all, ReadParamValues(before_, all), changed);
  ASSERT_EQ(st.size(), 4u);
  EXPECT_EQ(st[0].name, "train");
  EXPECT_EQ(st[0].change, ParamChange::kModified);
  EXPECT_EQ(st[1].name, "extra");
  EXPECT_EQ(st[1].change, ParamChange::kNew);
  EXPECT_EQ(st[2].name, "prepare");
  EXPECT_EQ(st[2].change, ParamChange::kDeleted);
  EXPECT_EQ(st[3].name, "report");
  EXPECT_EQ(st[3].change, ParamChange::kDeleted);
}

TEST_F(PipelineParamsTest, DiffMatchesParamsDiff) {
  // expected/2-param-changed/params-diff-json.stdout:
  // {"params.yaml": {"train.lr": {"old": 0.001, "new": 0.002, "diff": 0.001}}}
  auto diff = DiffParams({{"params.yaml", before_}}, {{"params.yaml", after_}}, false);
  ASSERT_TRUE(diff.ok());
  ASSERT_EQ(diff->size(), 1u);
  const ParamDiff& d = (*diff)[0];
  EXPECT_EQ(d.file, "params.yaml");
  EXPECT_EQ(d.name, "train.lr");
  EXPECT_EQ(core::ToJson(*d.old_value), "0.001");
  EXPECT_EQ(core::ToJson(*d.new_value), "0.002");
  ASSERT_TRUE(d.diff.has_value());
  EXPECT_EQ(core::ToJson(*d.diff), "0.001");

  // expected/3-show/params-diff-all.stdout lists every flattened name, sorted.
  diff = DiffParams({{"params.yaml", before_}}, {{"params.yaml", after_}}, true);
  ASSERT_TRUE(diff.ok());
  std::string names;
  for (const ParamDiff& row : *diff) names += row.name + (row.changed ? "*" : "") + " ";
  EXPECT_EQ(names,
            "prepare.split report.title train.epochs train.lr* train.optimizer.betas "
            "train.optimizer.name ");
}

TEST(ParamsDiffTest, NewDeletedAndIntegerDiffs) {
  auto diff = DiffParams({{"p.yaml", Parse("a: 1\nb: x\nl: [1]\nt: true\n")}},
                         {{"p.yaml", Parse("a: 3\nc: 2\nl: [2]\nt: false\n")},
                          {"q.json", Parse("{\"z\": 1}", "q.json")}},
                         false);
  ASSERT_TRUE(diff.ok());
  std::string out;
  for (const ParamDiff& d : *diff) {
    out += d.file + ":" + d.name + " " + (d.old_value ? core::ToJson(*d.old_value) : "-") + " " +
           (d.new_value ? core::ToJson(*d.new_value) : "-") + " " +
           (d.diff ? core::ToJson(*d.diff) : "-") + "\n";
  }
  EXPECT_EQ(out,
            "p.yaml:a 1 3 2\n"
            "p.yaml:b \"x\" - -\n"
            "p.yaml:c - 2 -\n"
            "p.yaml:l 1 2 1\n"  // one-element lists compare (and diff) by their element
            "p.yaml:t true false -1\n"
            "q.json:z - 1 -\n");
}

}  // namespace
}  // namespace cairn::data
