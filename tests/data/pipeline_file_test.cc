#include "data/pipeline_file.h"

#include <gtest/gtest.h>

#include <map>

#include "core/json.h"
#include "core/yaml.h"
#include "sys/env.h"
#include "testing/mem_env.h"
#include "testing/paths.h"

namespace cairn::data {
namespace {

using core::Value;

using Files = std::map<std::string, std::string>;

PipelineContext Ctx(Files files, std::string dir = "") {
  PipelineContext ctx;
  ctx.dir = std::move(dir);
  ctx.read_file = [files = std::move(files)](std::string_view path) -> core::Result<std::string> {
    auto it = files.find(std::string(path));
    if (it == files.end()) return core::Status::NotFound(std::string(path));
    return it->second;
  };
  return ctx;
}

PipelineFile Parse(std::string_view text, Files files = {}, std::string dir = "",
                   std::string_view filename = "dvc.yaml") {
  auto r = ParsePipelineFile(text, filename, Ctx(std::move(files), std::move(dir)));
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : PipelineFile();
}

std::string Error(std::string_view text, Files files = {}, std::string dir = "",
                  ParsingConfig parsing = {}) {
  PipelineContext ctx = Ctx(std::move(files), std::move(dir));
  ctx.parsing = parsing;
  auto r = ParsePipelineFile(text, "dvc.yaml", ctx);
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "OK";
  EXPECT_EQ(r.status().code(), core::Code::kInvalidParameterValue) << r.status().ToString();
  return r.status().message();
}

std::string Names(const PipelineFile& f) {
  std::string out;
  for (const PipelineStage& s : f.stages) out += (out.empty() ? "" : " ") + s.name;
  return out;
}

std::string Cmd(const PipelineFile& f, std::string_view stage) {
  const PipelineStage* s = f.FindStage(stage);
  EXPECT_NE(s, nullptr) << stage;
  return s == nullptr ? "" : core::ToJson(s->CmdValue());
}

std::string Tracked(const PipelineStage& s) {
  std::string out;
  for (const InterpolatedParam& p : s.interpolated_params) {
    out += (out.empty() ? "" : " ") + p.file + ":" + p.name + "=" + core::ToJson(p.value);
  }
  return out;
}

// --- Stages as written ---

TEST(PipelineFileTest, PlainStageWithEveryKey) {
  PipelineFile f = Parse(R"(stages:
  train:
    desc: Train it
    cmd: python train.py
    wdir: src
    deps:
    - train.py
    - ../data/raw.csv
    params:
    - lr
    - config.json:
      - a.b
      - c
    - all.toml:
    - empty.yaml: []
    outs:
    - model.pkl
    - cache_dir:
        cache: false
        persist: true
        push: false
        remote: backup
        desc: the cache
        type: model
        labels: [a, b]
        meta: {k: 1}
        checkpoint: true
    metrics:
    - metrics.json:
        cache: false
    plots:
    - loss.csv:
        x: step
        y: loss
        template: linear
        title: Loss
        x_label: Step
        y_label: Loss
        header: true
    frozen: true
    always_changed: true
    meta:
      owner: me
)");
  ASSERT_EQ(f.stages.size(), 1u);
  const PipelineStage& s = f.stages[0];
  EXPECT_EQ(s.name, "train");
  EXPECT_EQ(s.group, "");
  EXPECT_EQ(s.location.ToString(), "dvc.yaml:2:3");
  EXPECT_EQ(s.cmd, std::vector<std::string>{"python train.py"});
  EXPECT_FALSE(s.cmd_is_list);
  EXPECT_EQ(core::ToJson(s.CmdValue()), "\"python train.py\"");
  EXPECT_EQ(s.wdir, "src");
  EXPECT_EQ(s.repo_wdir, "src");
  ASSERT_EQ(s.deps.size(), 2u);
  EXPECT_EQ(s.deps[0].path, "train.py");
  EXPECT_EQ(s.deps[0].repo_path, "src/train.py");
  EXPECT_EQ(s.deps[1].path, "../data/raw.csv");
  EXPECT_EQ(s.deps[1].repo_path, "data/raw.csv");
  EXPECT_EQ(s.deps[1].location.ToString(), "dvc.yaml:8:7");

  ASSERT_EQ(s.params.size(), 4u);
  EXPECT_EQ(s.params[0].file, "");
  EXPECT_EQ(s.params[0].keys, std::vector<std::string>{"lr"});
  EXPECT_EQ(s.params[1].file, "config.json");
  EXPECT_EQ(s.params[1].keys, (std::vector<std::string>{"a.b", "c"}));
  EXPECT_FALSE(s.params[1].whole_file);
  EXPECT_EQ(s.params[2].file, "all.toml");
  EXPECT_TRUE(s.params[2].whole_file);
  EXPECT_TRUE(s.params[3].whole_file);
  ASSERT_EQ(s.params_locations.size(), 4u);
  EXPECT_EQ(s.params_locations[1].ToString(), "dvc.yaml:11:7");
  std::vector<ParamsDeclaration> decl = s.ParamsDeclarations();
  ASSERT_EQ(decl.size(), 4u);
  EXPECT_EQ(decl[0].file, "params.yaml");

  ASSERT_EQ(s.outs.size(), 4u);
  const PipelineOutput& model = s.outs[0];
  EXPECT_EQ(model.kind, OutputKind::kOut);
  EXPECT_EQ(model.path, "model.pkl");
  EXPECT_EQ(model.repo_path, "src/model.pkl");
  EXPECT_TRUE(model.cache);
  EXPECT_FALSE(model.persist);
  EXPECT_TRUE(model.push);
  EXPECT_FALSE(model.remote.has_value());
  EXPECT_TRUE(model.meta.is_null());
  const PipelineOutput& dir = s.outs[1];
  EXPECT_EQ(dir.path, "cache_dir");
  EXPECT_EQ(dir.location.ToString(), "dvc.yaml:18:7");
  EXPECT_FALSE(dir.cache);
  EXPECT_TRUE(dir.persist);
  EXPECT_FALSE(dir.push);
  EXPECT_EQ(dir.remote, "backup");
  EXPECT_EQ(dir.desc, "the cache");
  EXPECT_EQ(dir.type, "model");
  EXPECT_EQ(dir.labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(core::ToJson(dir.meta), "{\"k\":1}");
  EXPECT_EQ(s.outs[2].kind, OutputKind::kMetric);
  EXPECT_EQ(s.outs[2].path, "metrics.json");
  EXPECT_FALSE(s.outs[2].cache);
  const PipelineOutput& plot = s.outs[3];
  EXPECT_EQ(plot.kind, OutputKind::kPlot);
  EXPECT_EQ(plot.plot.x, "step");
  EXPECT_EQ(plot.plot.y, "loss");
  EXPECT_EQ(plot.plot.template_name, "linear");
  EXPECT_EQ(plot.plot.title, "Loss");
  EXPECT_EQ(plot.plot.x_label, "Step");
  EXPECT_EQ(plot.plot.y_label, "Loss");
  EXPECT_EQ(plot.plot.header, true);
  EXPECT_EQ(OutputKindName(plot.kind), "plots");
  EXPECT_EQ(s.FindOut("src/metrics.json"), &s.outs[2]);
  EXPECT_EQ(s.FindOut("metrics.json"), nullptr);

  EXPECT_TRUE(s.frozen);
  EXPECT_TRUE(s.always_changed);
  EXPECT_EQ(s.desc, "Train it");
  EXPECT_EQ(core::ToJson(s.meta), "{\"owner\":\"me\"}");
  EXPECT_TRUE(s.interpolated_params.empty());
}

TEST(PipelineFileTest, DefaultsAndCmdList) {
  PipelineFile f = Parse(R"(stages:
  a:
    cmd:
    - echo 1
    - echo 2
  b:
    cmd: echo b
    wdir: .
)");
  EXPECT_EQ(Names(f), "a b");
  const PipelineStage& a = f.stages[0];
  EXPECT_TRUE(a.cmd_is_list);
  EXPECT_EQ(a.cmd, (std::vector<std::string>{"echo 1", "echo 2"}));
  EXPECT_EQ(core::ToJson(a.CmdValue()), "[\"echo 1\",\"echo 2\"]");
  EXPECT_EQ(a.wdir, ".");
  EXPECT_EQ(a.repo_wdir, ".");
  EXPECT_FALSE(a.frozen);
  EXPECT_FALSE(a.always_changed);
  EXPECT_FALSE(a.desc.has_value());
  EXPECT_TRUE(a.meta.is_null());
  EXPECT_EQ(f.stages[1].wdir, ".");
  EXPECT_EQ(f.FindStage("c"), nullptr);
  // Empty file, empty stages list.
  EXPECT_TRUE(Parse("").stages.empty());
  EXPECT_TRUE(Parse("# nothing\n").stages.empty());
  EXPECT_TRUE(Parse("stages: {}\n").stages.empty());
}

TEST(PipelineFileTest, PathsInASubdirectory) {
  PipelineFile f = Parse(R"(stages:
  s:
    cmd: make
    wdir: ..
    deps: [sub/in.txt, ./x/../y]
    outs: [out/]
)",
                         {}, "sub", "sub/dvc.yaml");
  const PipelineStage& s = f.stages[0];
  EXPECT_EQ(s.wdir, "..");
  EXPECT_EQ(s.repo_wdir, ".");
  EXPECT_EQ(s.deps[0].repo_path, "sub/in.txt");
  EXPECT_EQ(s.deps[1].path, "./x/../y");
  EXPECT_EQ(s.deps[1].repo_path, "y");
  EXPECT_EQ(s.outs[0].path, "out/");
  EXPECT_EQ(s.outs[0].repo_path, "out");
  PipelineFile g = Parse("stages:\n  s:\n    cmd: make\n    deps: [a]\n", {}, "sub/dir/");
  EXPECT_EQ(g.stages[0].repo_wdir, "sub/dir");
  EXPECT_EQ(g.stages[0].deps[0].repo_path, "sub/dir/a");
}

TEST(PipelineFileTest, PathErrors) {
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    outs: [/tmp/model]\n"),
            "dvc.yaml:4:12: stages.s.outs[0]: '/tmp/model' is an absolute path (expected a path "
            "relative to the stage's wdir)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    deps:\n    - ../x\n"),
            "dvc.yaml:5:7: stages.s.deps[0]: '../x' is outside the repository");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    deps:\n    - ../../x\n", {}, "sub"),
            "dvc.yaml:5:7: stages.s.deps[0]: '../../x' is outside the repository");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    wdir: ../..\n", {}, "sub"),
            "dvc.yaml:4:11: stages.s.wdir: '../..' is outside the repository");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    wdir: /abs\n"),
            "dvc.yaml:4:11: stages.s.wdir: '/abs' is an absolute path (expected a path relative "
            "to the dvc.yaml's directory)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    deps: [s3://bucket/x]\n"),
            "dvc.yaml:4:12: stages.s.deps[0]: 's3://bucket/x' is a URL: external dependencies "
            "and outputs are not supported (expected a path inside the repository)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    params:\n    - ../p.yaml: [a]\n"),
            "dvc.yaml:5:7: stages.s.params[0]: '../p.yaml' is outside the repository");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    outs: [.]\n"),
            "dvc.yaml:4:12: stages.s.outs[0]: an output cannot be the repository root (expected "
            "a file or a directory inside it)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    deps: ['']\n"),
            "dvc.yaml:4:12: stages.s.deps[0]: expected a path, got an empty string");
  EXPECT_EQ(Error("metrics: [../m.json]\n"),
            "dvc.yaml:1:11: metrics[0]: '../m.json' is outside "
            "the repository");
}

// --- Schema ---

TEST(PipelineFileTest, SchemaIsStrict) {
  EXPECT_EQ(Error("- a\n"), "dvc.yaml:1:1: expected a mapping at the top level, got a list");
  EXPECT_EQ(Error("stage:\n  a: {cmd: x}\n"),
            "dvc.yaml:1:1: unknown key 'stage' (expected one of: stages, vars, params, metrics, "
            "plots, artifacts, datasets; did you mean 'stages'?)");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    dep: [a]\n"),
            "dvc.yaml:4:5: stages.train: unknown key 'dep' (expected one of: cmd, wdir, deps, "
            "params, outs, metrics, plots, frozen, always_changed, desc, meta, vars, matrix; did "
            "you mean 'deps'?)");
  EXPECT_EQ(Error("stages:\n  train:\n    deps: [a]\n"),
            "dvc.yaml:2:3: stages.train: missing 'cmd' (every stage needs a command)");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: null\n"),
            "dvc.yaml:3:10: stages.train.cmd: expected a string or a list of commands, got null");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    frozen: yes\n"),
            "dvc.yaml:4:13: stages.train.frozen: expected a boolean, got a string");
  // Checked as written, before templating, as DVC does.
  EXPECT_EQ(Error("vars:\n- f: true\nstages:\n  train:\n    cmd: x\n    always_changed: ${f}\n"),
            "dvc.yaml:6:21: stages.train.always_changed: expected a boolean, got a string");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    deps: a\n"),
            "dvc.yaml:4:11: stages.train.deps: expected a list of paths, got a string");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    deps:\n"),
            "dvc.yaml:4:10: stages.train.deps: expected a list of paths, got null");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    deps: [1]\n"),
            "dvc.yaml:4:12: stages.train.deps[0]: expected a string, got a number");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    outs:\n    - m.pkl:\n        cahce: false\n"),
            "dvc.yaml:6:9: stages.train.outs[0].m.pkl: unknown key 'cahce' (expected one of: "
            "cache, persist, push, remote, checkpoint, desc, type, labels, meta; did you mean "
            "'cache'?)");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    outs:\n    - m.pkl:\n"),
            "dvc.yaml:5:13: stages.train.outs[0].m.pkl: expected a mapping of output flags, got "
            "null");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    outs:\n    - m.pkl: {x: a}\n"),
            "dvc.yaml:5:15: stages.train.outs[0].m.pkl: unknown key 'x' (expected one of: cache, "
            "persist, push, remote, checkpoint, desc, type, labels, meta)");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    plots:\n    - p.csv: [{x: a}]\n"),
            "dvc.yaml:5:14: stages.train.plots[0].p.csv: expected a mapping of output and plot "
            "flags, got a list");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    outs:\n    - m.pkl: {cache: 0}\n"),
            "dvc.yaml:5:22: stages.train.outs[0].m.pkl.cache: expected a boolean, got a number");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    outs: [3]\n"),
            "dvc.yaml:4:12: stages.train.outs[0]: expected a path or a {path: flags} mapping, got "
            "a number");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    params: [[a]]\n"),
            "dvc.yaml:4:14: stages.train.params[0]: expected a param name or a {file: [names]} "
            "mapping, got a list");
  EXPECT_EQ(Error("stages:\n  train:\n    cmd: x\n    params:\n    - p.yaml: a\n"),
            "dvc.yaml:5:15: stages.train.params[0].p.yaml: expected a list of param names, or "
            "null (or []) for every param of the file, got a string");
  EXPECT_EQ(Error("stages:\n  train: echo\n"),
            "dvc.yaml:2:10: stages.train: expected a mapping of stage keys, got a string");
  EXPECT_EQ(Error("stages:\n- train\n"),
            "dvc.yaml:2:1: stages: expected a mapping of stage names to stages, got a list");
  EXPECT_EQ(Error("stages:\n  a@b:\n    cmd: x\n"),
            "dvc.yaml:2:3: stages: invalid stage name 'a@b' (expected a non-empty name without "
            "'@', which DVC keeps for foreach and matrix stages)");
  EXPECT_EQ(Error("stages:\n  a:\n    foreach: [1]\n    do: {cmd: x}\n    wdir: y\n"),
            "dvc.yaml:5:5: stages.a: unknown key 'wdir' (expected one of: foreach, do) (a "
            "'foreach' stage has only 'foreach' and 'do'; the stage goes under 'do')");
  EXPECT_EQ(Error("stages:\n  a:\n    foreach: [1]\n"),
            "dvc.yaml:2:3: stages.a: 'foreach' needs 'do'");
  EXPECT_EQ(Error("stages:\n  a:\n    do: {cmd: x}\n"),
            "dvc.yaml:2:3: stages.a: 'do' needs 'foreach'");
  EXPECT_EQ(Error("stages:\n  a:\n    foreach: 3\n    do: {cmd: x}\n"),
            "dvc.yaml:3:14: stages.a.foreach: expected a list, a mapping or a ${...} reference, "
            "got a number");
  EXPECT_EQ(Error("stages:\n  a:\n    foreach: [1]\n    do:\n      deps: [x]\n"),
            "dvc.yaml:4:5: stages.a.do: missing 'cmd' (every stage needs a command)");
  EXPECT_EQ(
      Error("stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: x\n      matrix: {a: [1]}\n"),
      "dvc.yaml:6:7: stages.a.do: 'matrix' cannot be used inside 'do' (expected a plain "
      "stage)");
  EXPECT_EQ(Error("stages:\n  a:\n    cmd: x\n    matrix: [1, 2]\n"),
            "dvc.yaml:4:13: stages.a.matrix: expected a mapping of axis names to lists, got a "
            "list");
  EXPECT_EQ(Error("vars: [3]\n"),
            "dvc.yaml:1:8: vars[0]: expected a file name or a mapping, got "
            "a number");
  EXPECT_EQ(Error("metrics: m.json\n"),
            "dvc.yaml:1:10: metrics: expected a list of metrics files, got a string");
  EXPECT_EQ(Error("plots:\n- p.csv: {x: a, z: b}\n"),
            "dvc.yaml:2:17: plots[0].p.csv: unknown key 'z' (expected one of: x, y, x_label, "
            "y_label, title, template)");
  EXPECT_EQ(Error("artifacts:\n  model:\n    type: model\n"),
            "dvc.yaml:2:3: artifacts.model: missing 'path' (every artifact needs one)");
  EXPECT_EQ(Error("stages:\n  a:\n    foreach: [1]\n    do:\n      cmd: x\n      dps: [y]\n"),
            "dvc.yaml:6:7: stages.a.do: unknown key 'dps' (expected one of: cmd, wdir, deps, "
            "params, outs, metrics, plots, frozen, always_changed, desc, meta, vars; did you mean "
            "'deps'?)");
  EXPECT_EQ(Error("stages:\n  download:\n    cmd: x\n    matrx: {}\n"),
            "dvc.yaml:4:5: stages.download: unknown key 'matrx' (expected one of: cmd, wdir, "
            "deps, params, outs, metrics, plots, frozen, always_changed, desc, meta, vars, "
            "matrix; did you mean 'matrix'?)");
  // Duplicate keys come from the YAML loader (ruamel refuses them too).
  std::string dup = Error("stages:\n  a:\n    cmd: x\n  a:\n    cmd: y\n");
  EXPECT_EQ(dup.rfind("dvc.yaml:4:3: ", 0), 0u) << dup;
}

TEST(PipelineFileTest, YamlMergeKeysAndAliases) {
  PipelineFile g = Parse(R"(stages:
  a: &a
    cmd: echo a
    deps: [common.py]
    outs: [o]
  b:
    <<: *a
    cmd: echo b
    outs: [p]
)");
  ASSERT_EQ(g.stages.size(), 2u);
  const PipelineStage& b = g.stages[1];
  EXPECT_EQ(b.cmd[0], "echo b");
  ASSERT_EQ(b.deps.size(), 1u);
  EXPECT_EQ(b.deps[0].path, "common.py");
  ASSERT_EQ(b.outs.size(), 1u);
  EXPECT_EQ(b.outs[0].path, "p");
}

// --- Templating ---

const char kParams[] = R"(train:
  lr: 0.001
  epochs: 5
  flag: true
  none: null
  tiny: 1e-7
  name: my model
  betas: [0.9, 0.999]
  optimizer:
    name: adam
    momentum: 0.5
files: [a.csv, b.csv]
models:
  us: {size: 1}
  uk: {size: 2}
)";

TEST(PipelineFileTest, InterpolationKeepsTypesOrStringifies) {
  PipelineFile f = Parse(R"(stages:
  s:
    cmd: python t.py --lr ${train.lr} --e ${ train.epochs } ${train.flag} ${train.none} ${train.tiny} "${train.name}"
    deps:
    - ${files[1]}
    - ${files[-2]}
    - data/${train.optimizer.name}.csv
    meta:
      lr: ${train.lr}
      flag: ${train.flag}
      none: ${train.none}
      text: \${not.a.var} and $HOME and ${train.epochs}
    desc: ${train.epochs}
)",
                         {{"params.yaml", kParams}});
  const PipelineStage& s = f.stages[0];
  EXPECT_EQ(s.cmd[0], "python t.py --lr 0.001 --e 5 true None 1e-07 \"my model\"");
  EXPECT_EQ(s.deps[0].path, "b.csv");
  EXPECT_EQ(s.deps[1].path, "a.csv");
  EXPECT_EQ(s.deps[2].path, "data/adam.csv");
  EXPECT_EQ(core::ToJson(s.meta),
            "{\"lr\":0.001,\"flag\":true,\"none\":null,\"text\":\"${not.a.var} and $HOME and 5\"}");
  EXPECT_TRUE(s.meta.Find("lr")->is_number());
  // Whole-value interpolation keeps the value; its location is the template's.
  EXPECT_EQ(s.meta.Find("lr")->location().ToString(), "dvc.yaml:9:11");
  EXPECT_EQ(s.desc, "5");
}

TEST(PipelineFileTest, OnlyScalarsInterpolateInStages) {
  Files p = {{"params.yaml", kParams}};
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${train.betas}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: cannot interpolate 'train.betas', a list (expected a "
            "string, a number, a boolean or null; or in cmd a mapping, unpacked as --key value "
            "arguments)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    deps:\n    - ${files}\n", p),
            "dvc.yaml:5:7: stages.s.deps[0]: cannot interpolate 'files', a list (expected a "
            "string, a number, a boolean or null)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    desc: about ${train.optimizer}\n", p),
            "dvc.yaml:4:11: stages.s.desc: cannot interpolate 'train.optimizer', a mapping "
            "(expected a string, a number, a boolean or null)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    meta: {o: '${train.optimizer}'}\n", p),
            "dvc.yaml:4:15: stages.s.meta.o: cannot interpolate 'train.optimizer', a mapping "
            "(expected a string, a number, a boolean or null)");
  // A whole-value mapping in cmd passes DVC's check but is no command.
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: ${train.optimizer}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: expected a string or a list of strings, got a mapping");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: ${train.lr}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: expected a string or a list of strings, got a number");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    deps: ['${train.epochs}']\n", p),
            "dvc.yaml:4:12: stages.s.deps[0]: expected a string, got a number");
}

TEST(PipelineFileTest, MappingInCmdBecomesArguments) {
  Files p = {{"params.yaml", R"(args:
  lr: 0.1
  name: my model
  safe: a-b/c.d
  on: true
  off: false
  none: null
  list: [1, x y, true]
  empty: []
  nested:
    depth: 2
    none: {}
bad:
  l: [[1]]
)"}};
  PipelineFile f = Parse("stages:\n  s:\n    cmd: python t.py ${args}\n", p);
  EXPECT_EQ(f.stages[0].cmd[0],
            "python t.py --lr 0.1 --name 'my model' --safe a-b/c.d --on --none None --list 1 'x "
            "y' True --nested.depth 2");
  ParsingConfig parsing;
  parsing.bool_optional = true;
  parsing.list_append = true;
  PipelineContext ctx = Ctx(p);
  ctx.parsing = parsing;
  auto g = ParsePipelineFile("stages:\n  s:\n    cmd: [\"t ${args}\"]\n", "dvc.yaml", ctx);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->stages[0].cmd[0],
            "t --lr 0.1 --name 'my model' --safe a-b/c.d --on --no-off --none None --list 1 "
            "--list 'x y' --list True --nested.depth 2");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: t ${bad}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: cannot interpolate nested iterable in 'l' (expected a "
            "list of scalars)");
  // A single quote inside, as shlex.quote writes it.
  Files q = {{"params.yaml", "a:\n  msg: it's\n"}};
  EXPECT_EQ(Parse("stages:\n  s:\n    cmd: t ${a}\n", q).stages[0].cmd[0], "t --msg 'it'\"'\"'s'");
}

TEST(PipelineFileTest, UndefinedAndBadExpressions) {
  Files p = {{"params.yaml", kParams}};
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${nope}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: could not find 'nope'");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${train.lrr}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: could not find 'train.lrr': 'train' has no key 'lrr'");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${files[2]}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: could not find 'files.2': index 2 is out of range for "
            "'files' (2 items)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${files.x}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: could not find 'files.x': 'files' is a list (expected "
            "an integer index, got 'x')");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${train.lr.x}\n", p),
            "dvc.yaml:3:10: stages.s.cmd: could not find 'train.lr.x': 'train.lr' is a number, "
            "not a mapping or a list");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    outs:\n    - a\n    - ${nope}\n", p),
            "dvc.yaml:6:7: stages.s.outs[1]: could not find 'nope'");
  // Syntax is checked for the whole stage first.
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${nope}\n    deps: ['${a..b}']\n", p),
            "dvc.yaml:4:12: stages.s.deps[0]: invalid expression '${a..b}': expected a name "
            "after '.'");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${}\n"),
            "dvc.yaml:3:10: stages.s.cmd: invalid expression '${}': expected a name at the start");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${a[}\n"),
            "dvc.yaml:3:10: stages.s.cmd: invalid expression '${a[}': expected an index or a key "
            "after '['");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${a[0}\n"),
            "dvc.yaml:3:10: stages.s.cmd: invalid expression '${a[0}': expected ']'");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${a[0]b}\n"),
            "dvc.yaml:3:10: stages.s.cmd: invalid expression '${a[0]b}': expected '.' or '[' "
            "after ']'");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: echo ${a]}\n"),
            "dvc.yaml:3:10: stages.s.cmd: invalid expression '${a]}': unexpected ']'");
  // `${` that does not close on its line is text, as in DVC.
  EXPECT_EQ(Parse("stages:\n  s:\n    cmd: echo ${a and $(b)\n").stages[0].cmd[0],
            "echo ${a and $(b)");
}

TEST(PipelineFileTest, KeysOfNestedMappingsAreInterpolated) {
  PipelineFile f = Parse(R"(vars:
- out: model.pkl
  remote: store
stages:
  s:
    cmd: x
    outs:
    - ${out}:
        remote: ${remote}
    params:
    - ${out}.yaml: [a]
)");
  const PipelineStage& s = f.stages[0];
  EXPECT_EQ(s.outs[0].path, "model.pkl");
  EXPECT_EQ(s.outs[0].remote, "store");
  EXPECT_EQ(s.params[0].file, "model.pkl.yaml");
}

// --- vars ---

TEST(PipelineFileTest, VarsFromFilesAndMappings) {
  Files files = {{"params.yaml", "lr: 0.1\n"},
                 {"config.json", R"({"train": {"bs": 32}, "test": {"bs": 8}, "other": 1})"},
                 {"sub/local.yaml", "where: sub\n"},
                 {"c.toml", "[t]\nk = 'v'\n"}};
  PipelineFile f = Parse(R"(vars:
- config.json:train,test
- c.toml
- seed: 7
  train:
    epochs: 3
- params.yaml
stages:
  s:
    vars:
    - local.yaml
    - own: 1
    wdir: sub
    cmd: t ${lr} ${train.bs} ${train.epochs} ${test.bs} ${seed} ${t.k} ${where} ${own}
  u:
    cmd: t ${lr}
)",
                         files);
  EXPECT_EQ(f.stages[0].cmd[0], "t 0.1 32 3 8 7 v sub 1");
  // Stage vars are the stage's own.
  EXPECT_EQ(
      Error("stages:\n  s:\n    vars: [{own: 1}]\n    cmd: x\n  u:\n    cmd: ${own}\n", files),
      "dvc.yaml:6:10: stages.u.cmd: could not find 'own'");
  EXPECT_EQ(Error("vars: [config.json:nope]\n", files),
            "dvc.yaml:1:8: vars[0]: could not find 'nope' in 'config.json'");
  EXPECT_EQ(Error("vars:\n- missing.yaml\n", files),
            "dvc.yaml:2:3: vars[0]: 'missing.yaml' does not exist");
  EXPECT_EQ(Error("vars:\n- ../x.yaml\n", files),
            "dvc.yaml:2:3: vars[0]: '../x.yaml' is outside the repository");
  EXPECT_EQ(Error("vars:\n- lr: 1\n", files),
            "dvc.yaml:2:3: vars[0]: cannot redefine 'lr' from 'vars[0]' as it already exists in "
            "'params.yaml'");
  EXPECT_EQ(Error("vars:\n- config.json\n- train: {bs: 1}\n", files),
            "dvc.yaml:3:3: vars[1]: cannot redefine 'train.bs' from 'vars[1]' as it already "
            "exists in 'config.json'");
  EXPECT_EQ(Error("vars:\n- config.json:train\n- config.json\n", files),
            "dvc.yaml:3:3: vars[1]: cannot load 'config.json' as it's partially loaded already");
  EXPECT_EQ(Error("vars:\n- config.json:train\n- config.json:train\n", files),
            "dvc.yaml:3:3: vars[1]: cannot load 'config.json:train' as it's partially loaded "
            "already");
  EXPECT_EQ(Error("vars:\n- params.yaml:lr\n", files),
            "dvc.yaml:2:3: vars[0]: cannot partially load 'params.yaml:lr' as it's already "
            "loaded");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    vars: [{lr: 2}]\n", files),
            "dvc.yaml:4:12: stages.s.vars[0]: cannot redefine 'lr' from 's.vars[0]' as it "
            "already exists in 'params.yaml'");
  EXPECT_EQ(Error("vars:\n- x: ${lr}\n", files),
            "dvc.yaml:2:6: vars[0].x: interpolating is not allowed in 'vars'");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    vars: ['${f}.yaml']\n", files),
            "dvc.yaml:4:12: stages.s.vars[0]: interpolating is not allowed in 'vars'");
  // A partial load, then another key of the same file.
  PipelineFile g = Parse(
      "vars: [config.json:train, config.json:other]\nstages:\n  s:\n    cmd: "
      "t ${train.bs} ${other}\n",
      files);
  EXPECT_EQ(g.stages[0].cmd[0], "t 32 1");
  // A broken vars file names its own line.
  std::string bad = Error("vars: [bad.yaml]\n", {{"bad.yaml", "a: [\n"}});
  EXPECT_EQ(bad.rfind("dvc.yaml:1:8: vars[0]: bad.yaml:", 0), 0u) << bad;
  EXPECT_EQ(Error("vars: [list.yaml]\n", {{"list.yaml", "- 1\n"}}),
            "dvc.yaml:1:8: vars[0]: list.yaml:1:1: expected a mapping of params at the top level, "
            "got a sequence");
}

TEST(PipelineFileTest, DefaultParamsOfTheFilesDirectory) {
  Files files = {{"params.yaml", "where: root\n"}, {"sub/params.yaml", "where: sub\n"}};
  EXPECT_EQ(Parse("stages:\n  s:\n    cmd: ${where}\n", files).stages[0].cmd[0], "root");
  EXPECT_EQ(Parse("stages:\n  s:\n    cmd: ${where}\n", files, "sub").stages[0].cmd[0], "sub");
  // The stage's wdir does not change which params.yaml is read (DVC reads the file's own).
  EXPECT_EQ(Parse("stages:\n  s:\n    wdir: sub\n    cmd: ${where}\n", files).stages[0].cmd[0],
            "root");
  // No params.yaml: nothing to interpolate from, and not an error.
  EXPECT_EQ(Parse("stages:\n  s:\n    cmd: echo\n", {}).stages[0].cmd[0], "echo");
}

TEST(PipelineFileTest, FromEnv) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/repo/sub/d").ok());
  ASSERT_TRUE(env.WriteFile("/repo/sub/params.yaml", "x: 1\n").ok());
  PipelineContext ctx = PipelineContextFromEnv(env, "/repo", "sub");
  auto f = ParsePipelineFile("stages:\n  s:\n    cmd: echo ${x}\n", "sub/dvc.yaml", ctx);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->stages[0].cmd[0], "echo 1");
  auto d = ParsePipelineFile("vars: [d]\n", "sub/dvc.yaml", ctx);
  EXPECT_EQ(d.status().message(),
            "sub/dvc.yaml:1:8: vars[0]: 'sub/d' is a directory (expected a file)");
  // A read failure keeps its code, with the place that asked for the file.
  PipelineContext failing;
  failing.read_file = [](std::string_view path) -> core::Result<std::string> {
    if (path == "params.yaml") return core::Status::NotFound("no params.yaml");
    return core::Status::IoError("reading " + std::string(path) + ": disk on fire");
  };
  auto io = ParsePipelineFile("vars: [x.yaml]\n", "dvc.yaml", failing);
  EXPECT_EQ(io.status().code(), core::Code::kIoError);
  EXPECT_EQ(io.status().message(), "dvc.yaml:1:8: vars[0]: reading x.yaml: disk on fire");
  failing.dir = "sub";
  EXPECT_EQ(ParsePipelineFile("stages: {}\n", "sub/dvc.yaml", failing).status().message(),
            "reading sub/params.yaml: disk on fire");
  auto missing = ParsePipelineFile("vars: [e.yaml]\n", "sub/dvc.yaml", ctx);
  EXPECT_EQ(missing.status().message(), "sub/dvc.yaml:1:8: vars[0]: 'sub/e.yaml' does not exist");
}

// --- foreach and matrix ---

TEST(PipelineFileTest, ForeachOverScalarsDictsAndReferences) {
  Files p = {{"params.yaml", kParams}};
  PipelineFile f = Parse(R"(stages:
  first:
    cmd: echo first
  build:
    foreach: [us, 1, 0.5, true, null]
    do:
      cmd: make ${item}
  idx:
    foreach:
    - {name: a}
    - b
    do:
      cmd: echo ${item}
  region:
    foreach:
      us: {size: 10}
      uk: {size: 20}
    do:
      cmd: echo ${key} ${item.size}
      outs: ['out/${key}.txt']
  models:
    foreach: ${models}
    do:
      cmd: fit ${key} ${item.size}
  files:
    foreach: ${files}
    do:
      cmd: cat ${item}
)",
                         p);
  EXPECT_EQ(Names(f),
            "first build@us build@1 build@0.5 build@true build@None idx@0 idx@1 region@us "
            "region@uk models@us models@uk files@a.csv files@b.csv");
  EXPECT_EQ(Cmd(f, "build@us"), "\"make us\"");
  EXPECT_EQ(Cmd(f, "build@true"), "\"make true\"");
  EXPECT_EQ(Cmd(f, "build@None"), "\"make None\"");
  EXPECT_EQ(Cmd(f, "build@0.5"), "\"make 0.5\"");
  EXPECT_EQ(Cmd(f, "idx@1"), "\"echo b\"");
  EXPECT_EQ(Cmd(f, "region@uk"), "\"echo uk 20\"");
  EXPECT_EQ(f.FindStage("region@uk")->outs[0].path, "out/uk.txt");
  EXPECT_EQ(Cmd(f, "models@us"), "\"fit us 1\"");
  EXPECT_EQ(Cmd(f, "files@b.csv"), "\"cat b.csv\"");
  const PipelineStage* gen = f.FindStage("region@us");
  EXPECT_EQ(gen->group, "region");
  EXPECT_EQ(gen->location.ToString(), "dvc.yaml:14:3");
  // A mapping element in ${item} inside cmd is unpacked as arguments (dict unpacking).
  EXPECT_EQ(
      Cmd(Parse("stages:\n  i:\n    foreach: [{a: 1}]\n    do:\n      cmd: echo ${item}\n"), "i@0"),
      "\"echo --a 1\"");
}

TEST(PipelineFileTest, ForeachNamesFromContextBooleansArePythonStr) {
  // DVC stringifies a context node with str(): True; a literal with to_str(): true.
  PipelineFile f = Parse(R"(vars:
- flags: [true, false]
stages:
  lit:
    foreach: [true, false]
    do: {cmd: 'echo ${item}'}
  ctx:
    foreach: ${flags}
    do: {cmd: 'echo ${item}'}
)");
  EXPECT_EQ(Names(f), "lit@true lit@false ctx@True ctx@False");
  EXPECT_EQ(Cmd(f, "ctx@True"), "\"echo true\"");
}

TEST(PipelineFileTest, ForeachErrors) {
  Files p = {{"params.yaml", kParams}};
  EXPECT_EQ(Error("stages:\n  b:\n    foreach: ${train.lr}\n    do: {cmd: x}\n", p),
            "dvc.yaml:3:14: stages.b.foreach: expected a list or a mapping, got a number");
  EXPECT_EQ(Error("stages:\n  b:\n    foreach: ${nope}\n    do: {cmd: x}\n", p),
            "dvc.yaml:3:14: stages.b.foreach: could not find 'nope'");
  EXPECT_EQ(Error("stages:\n  b:\n    foreach: [1, '1']\n    do: {cmd: x}\n"),
            "dvc.yaml:3:14: stages.b.foreach: generates the stage name 'b@1' twice (items 0 and "
            "1; expected distinct values)");
  EXPECT_EQ(Error("stages:\n  b:\n    foreach: [a]\n    do:\n      cmd: x ${item.z}\n"),
            "dvc.yaml:5:12: stages.b@a.cmd: could not find 'item.z': 'item' is a string, not a "
            "mapping or a list");
  EXPECT_EQ(Error("stages:\n  b:\n    foreach: [a]\n    do:\n      cmd: x\n      vars: [{item: "
                  "1}]\n"),
            "dvc.yaml:6:14: stages.b@a.vars[0]: attempted to modify reserved key 'item'");
  EXPECT_EQ(
      Error("stages:\n  b:\n    foreach: {a: 1}\n    do:\n      cmd: x\n      vars: [p.yaml]\n",
            {{"p.yaml", "key: 1\nitem: 2\n"}}),
      "dvc.yaml:6:14: stages.b@a.vars[0]: attempted to modify reserved keys 'item' and 'key' "
      "in 'p.yaml'");
  // An empty foreach generates nothing.
  EXPECT_EQ(Names(Parse("stages:\n  b:\n    foreach: []\n    do: {cmd: x}\n  c: {cmd: y}\n")), "c");
}

TEST(PipelineFileTest, ForeachOverwritingItemWarns) {
  PipelineFile f = Parse(R"(vars:
- item: 1
  key: 2
stages:
  b:
    foreach: {x: 5}
    do:
      cmd: echo ${key} ${item}
  m:
    matrix: {a: [1]}
    cmd: echo ${key}
)");
  EXPECT_EQ(Cmd(f, "b@x"), "\"echo x 5\"");
  EXPECT_EQ(Cmd(f, "m@1"), "\"echo 1\"");
  ASSERT_EQ(f.warnings.size(), 2u);
  EXPECT_EQ(f.warnings[0],
            "dvc.yaml:6:14: item and key are already specified, will be overwritten for stages "
            "generated from 'b'");
  EXPECT_EQ(f.warnings[1],
            "dvc.yaml:10:13: key and item are already specified, will be overwritten for stages "
            "generated from 'm'");
}

TEST(PipelineFileTest, Matrix) {
  Files p = {{"params.yaml", "opts: [adam, sgd]\n"}};
  EXPECT_EQ(Error(R"(stages:
  fit:
    matrix:
      model: [cnn]
      cfg: [[2]]
    cmd: fit ${item.cfg.lr}
)"),
            "dvc.yaml:6:10: stages.fit@cnn-cfg0.cmd: could not find 'item.cfg.lr': 'item.cfg' is "
            "a list (expected an integer index, got 'lr')");
  PipelineFile g = Parse(R"(stages:
  fit:
    matrix:
      model: [cnn, rnn]
      opt: ${opts}
      cfg:
      - {lr: 1}
      - {lr: 2}
    cmd: fit ${item.model} ${item.opt} ${item.cfg.lr} ${key}
    outs: ['out/${key}']
)",
                         p);
  EXPECT_EQ(Names(g),
            "fit@cnn-adam-cfg0 fit@cnn-adam-cfg1 fit@cnn-sgd-cfg0 fit@cnn-sgd-cfg1 "
            "fit@rnn-adam-cfg0 fit@rnn-adam-cfg1 fit@rnn-sgd-cfg0 fit@rnn-sgd-cfg1");
  EXPECT_EQ(Cmd(g, "fit@rnn-sgd-cfg1"), "\"fit rnn sgd 2 rnn-sgd-cfg1\"");
  EXPECT_EQ(g.FindStage("fit@cnn-adam-cfg0")->outs[0].path, "out/cnn-adam-cfg0");
  EXPECT_EQ(g.stages[0].group, "fit");
  EXPECT_EQ(Error("stages:\n  fit:\n    matrix:\n      a: ${x}\n    cmd: y\n",
                  {{"params.yaml", "x: 1\n"}}),
            "dvc.yaml:4:10: stages.fit.matrix.a: expected a list, got a number");
  EXPECT_EQ(Error("stages:\n  fit:\n    matrix: {}\n    cmd: y\n"),
            "dvc.yaml:3:13: stages.fit.matrix: expected at least one axis (a mapping of names to "
            "lists)");
  EXPECT_EQ(Error("stages:\n  fit:\n    matrix: {a: [1, 1]}\n    cmd: y\n"),
            "dvc.yaml:3:13: stages.fit.matrix: generates the stage name 'fit@1' twice (items 0 "
            "and 1; expected distinct values)");
  EXPECT_EQ(Names(Parse("stages:\n  fit:\n    matrix: {a: [1], b: []}\n    cmd: y\n")), "");
}

// --- Tracking of params used through ${...} ---

TEST(PipelineFileTest, TracksValuesTakenFromFiles) {
  Files files = {{"params.yaml", kParams}, {"c.json", R"({"c": {"v": [1, 2]}})"}};
  PipelineFile f = Parse(R"(vars:
- c.json
- local: 1
stages:
  s:
    cmd: t ${train.lr} ${train.lr} ${local} ${c.v[0]} ${train.optimizer}
    deps: ['${files[0]}']
)",
                         files);
  // Mappings (a dict unpacked into cmd) and vars mappings are not tracked; list elements are,
  // by their dotted index.
  EXPECT_EQ(Tracked(f.stages[0]),
            "params.yaml:train.lr=0.001 c.json:c.v.0=1 params.yaml:files.0=\"a.csv\"");
  EXPECT_EQ(Error(R"(stages:
  s:
    cmd: x
    meta: {b: '${train.betas}'}
)",
                  files),
            "dvc.yaml:4:15: stages.s.meta.b: cannot interpolate 'train.betas', a list (expected a "
            "string, a number, a boolean or null)");
  // A foreach over a params list: ${item} is that file's element.
  PipelineFile g =
      Parse("stages:\n  s:\n    foreach: ${files}\n    do:\n      cmd: cat ${item}\n", files);
  EXPECT_EQ(Tracked(g.stages[1]), "params.yaml:files.1=\"b.csv\"");
  // Not added to the stage's params.
  EXPECT_TRUE(f.stages[0].params.empty());
}

// --- Outputs listed twice ---

TEST(PipelineFileTest, OutputListedTwiceInAStage) {
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    outs: [m.json, ./m.json]\n"),
            "dvc.yaml:4:20: stages.s.outs[1]: output './m.json' is listed twice in stage 's' "
            "(also at dvc.yaml:4:12; expected each output once, in one of outs, metrics, plots)");
  EXPECT_EQ(Error("stages:\n  s:\n    cmd: x\n    outs: [m.json]\n    metrics:\n    - m.json:\n"
                  "        cache: false\n"),
            "dvc.yaml:6:7: stages.s.metrics[0]: output 'm.json' is listed twice in stage 's' "
            "(also at dvc.yaml:4:12; expected each output once, in one of outs, metrics, plots)");
}

TEST(PipelineFileTest, OutputConflictsAcrossStages) {
  PipelineFile f = Parse(R"(stages:
  a:
    cmd: x
    outs: [data]
  b:
    cmd: y
    outs: [model.pkl]
  c:
    cmd: z
    outs: [model.pkl]
  d:
    cmd: w
    outs: [data/sub/x]
)");
  std::vector<OutputClaim> claims = OutputClaims(f, "dvc.yaml");
  ASSERT_EQ(claims.size(), 4u);
  EXPECT_EQ(claims[0].owner, "a");
  EXPECT_EQ(claims[0].repo_path, "data");
  std::vector<OutputClaim> dup = {claims[1], claims[2]};
  EXPECT_EQ(CheckOutputConflicts(dup).message(),
            "dvc.yaml:10:12: output 'model.pkl' is specified in:\n\t- b\n\t- c");
  std::vector<OutputClaim> inside = {claims[0], claims[3]};
  EXPECT_EQ(CheckOutputConflicts(inside).message(),
            "dvc.yaml:13:12: output 'data/sub/x' (of 'd') is inside output 'data' (of 'a'): "
            "outputs must not overlap (expected separate directories, or one output for the "
            "whole directory)");
  std::vector<OutputClaim> outside = {claims[3], claims[0]};
  EXPECT_EQ(CheckOutputConflicts(outside).message(),
            "dvc.yaml:4:12: output 'data/sub/x' (of 'd') is inside output 'data' (of 'a'): "
            "outputs must not overlap (expected separate directories, or one output for the "
            "whole directory)");
  std::vector<OutputClaim> fine = {claims[0], claims[1]};
  fine.push_back(OutputClaim{"data2", "e.dvc", {}});
  fine.push_back(OutputClaim{"dat", "f.dvc", {}});
  EXPECT_TRUE(CheckOutputConflicts(fine).ok());
  std::vector<OutputClaim> same = {claims[1], claims[1]};
  EXPECT_EQ(CheckOutputConflicts(same).message(),
            "dvc.yaml:7:12: output 'model.pkl' is specified twice in 'b' (also at dvc.yaml:7:12)");

  EXPECT_EQ(StageAddress("dvc.yaml", "train"), "train");
  EXPECT_EQ(StageAddress("sub/dvc.yaml", "train"), "sub/dvc.yaml:train");
  PipelineFile g = Parse("stages:\n  t:\n    cmd: x\n    outs: [o]\n", {}, "sub");
  EXPECT_EQ(OutputClaims(g, "sub/dvc.yaml")[0].owner, "sub/dvc.yaml:t");
  EXPECT_EQ(OutputClaims(g, "sub/dvc.yaml")[0].repo_path, "sub/o");
}

// --- Top level ---

TEST(PipelineFileTest, TopLevelSections) {
  PipelineFile f = Parse(R"(vars:
- dir: eval
params:
- extra.yaml
- ${dir}/p.json
metrics:
- ${dir}/metrics.json
plots:
- ${dir}/plot.csv
- acc:
    x: step
    y:
      ${dir}/a.csv: [acc, val_acc]
    title: Accuracy
- roc.json:
artifacts:
  ${dir}-model:
    path: models/m.pkl
    type: model
    desc: the model
    labels: [x]
    meta: {k: v}
  remote:
    path: s3://bucket/m
datasets:
- name: ds
  type: dvc
  url: ${dir}
)",
                         {}, "sub");
  ASSERT_EQ(f.params.size(), 2u);
  EXPECT_EQ(f.params[1].path, "eval/p.json");
  EXPECT_EQ(f.params[1].repo_path, "sub/eval/p.json");
  ASSERT_EQ(f.metrics.size(), 1u);
  EXPECT_EQ(f.metrics[0].repo_path, "sub/eval/metrics.json");
  ASSERT_EQ(f.plots.size(), 3u);
  EXPECT_EQ(f.plots[0].id, "eval/plot.csv");
  EXPECT_TRUE(f.plots[0].definition.is_null());
  EXPECT_EQ(f.plots[1].id, "acc");
  EXPECT_EQ(core::ToJson(f.plots[1].definition),
            "{\"x\":\"step\",\"y\":{\"eval/a.csv\":[\"acc\",\"val_acc\"]},\"title\":\"Accuracy\"}");
  EXPECT_EQ(f.plots[2].id, "roc.json");
  EXPECT_TRUE(f.plots[2].definition.is_null());
  ASSERT_EQ(f.artifacts.size(), 2u);
  EXPECT_EQ(f.artifacts[0].name, "eval-model");
  EXPECT_EQ(f.artifacts[0].path.path, "models/m.pkl");
  EXPECT_EQ(f.artifacts[0].path.repo_path, "sub/models/m.pkl");
  EXPECT_EQ(f.artifacts[0].type, "model");
  EXPECT_EQ(f.artifacts[0].desc, "the model");
  EXPECT_EQ(f.artifacts[0].labels, std::vector<std::string>{"x"});
  EXPECT_EQ(f.artifacts[1].path.repo_path, "");
  ASSERT_EQ(f.datasets.size(), 1u);
  EXPECT_EQ(core::ToJson(f.datasets[0]), "{\"name\":\"ds\",\"type\":\"dvc\",\"url\":\"eval\"}");
  // Top-level values are not type-checked as stages are (DVC's TopDefinition).
  PipelineFile g = Parse("vars:\n- l: [1, 'a']\nplots:\n- p.csv: {title: 'x ${l}'}\n");
  EXPECT_EQ(core::ToJson(g.plots[0].definition), "{\"title\":\"x [1, 'a']\"}");
  EXPECT_EQ(Error("metrics: ['${nope}']\n"), "dvc.yaml:1:11: metrics[0]: could not find 'nope'");
}

// --- The conformance fixtures (written by DVC 3.64.0) ---

std::string ReadText(const std::string& path) {
  auto env = sys::NewPosixEnv();
  auto text = env->ReadFile(path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

TEST(PipelineFileFixtureTest, PipelineCase) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  std::string dir = shared + "/conformance/dvc/pipeline";
  auto env = sys::NewPosixEnv();
  PipelineContext ctx = PipelineContextFromEnv(*env, dir + "/input", "");
  auto parsed = ParsePipelineFile(ReadText(dir + "/input/dvc.yaml"), "dvc.yaml", ctx);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const PipelineFile& f = *parsed;
  EXPECT_EQ(Names(f), "prepare train report");

  // Every cmd exactly as DVC recorded it in dvc.lock (the folded `>-` block of prepare, the
  // list of train, the ${report.title} of report).
  auto lock = core::ParseYaml(ReadText(dir + "/expected/1-repro/dvc.lock"), "dvc.lock");
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
  for (const PipelineStage& s : f.stages) {
    const Value* locked = lock->Find("stages")->Find(s.name)->Find("cmd");
    ASSERT_NE(locked, nullptr) << s.name;
    EXPECT_EQ(s.CmdValue(), *locked) << s.name;
    EXPECT_EQ(s.cmd_is_list, locked->is_sequence()) << s.name;
  }
  EXPECT_EQ(f.stages[2].cmd[0],
            "echo \"Fixture report\" > report.txt && cat model.txt metrics.json >> report.txt");
  EXPECT_EQ(f.stages[0].cmd[0].substr(0, 40), "mkdir -p prepared && s=$(sed -n 's/^  sp");

  const PipelineStage& prepare = f.stages[0];
  ASSERT_EQ(prepare.deps.size(), 1u);
  EXPECT_EQ(prepare.deps[0].path, "data.csv");
  ASSERT_EQ(prepare.params.size(), 1u);
  EXPECT_EQ(prepare.params[0].keys, std::vector<std::string>{"prepare.split"});
  ASSERT_EQ(prepare.outs.size(), 1u);
  EXPECT_EQ(prepare.outs[0].path, "prepared");

  const PipelineStage& train = f.stages[1];
  ASSERT_EQ(train.params.size(), 3u);
  EXPECT_EQ(train.params[2].keys, std::vector<std::string>{"train.optimizer"});
  ASSERT_EQ(train.outs.size(), 2u);
  EXPECT_EQ(train.outs[0].path, "model.txt");
  EXPECT_EQ(train.outs[0].kind, OutputKind::kOut);
  EXPECT_TRUE(train.outs[0].cache);
  EXPECT_EQ(train.outs[1].path, "metrics.json");
  EXPECT_EQ(train.outs[1].kind, OutputKind::kMetric);
  EXPECT_FALSE(train.outs[1].cache);

  // report.title is used through ${...} only: not a params dependency (the expected dvc.lock
  // has no params under report), but remembered as DVC's tracked_vars.
  const PipelineStage& report = f.stages[2];
  EXPECT_TRUE(report.params.empty());
  EXPECT_EQ(lock->Find("stages")->Find("report")->Find("params"), nullptr);
  EXPECT_EQ(Tracked(report), "params.yaml:report.title=\"Fixture report\"");
  EXPECT_TRUE(Tracked(prepare).empty());

  EXPECT_TRUE(CheckOutputConflicts(OutputClaims(f, "dvc.yaml")).ok());
  EXPECT_TRUE(f.warnings.empty());
}

TEST(PipelineFileFixtureTest, StatusOutputCase) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  std::string dir = shared + "/conformance/dvc/status-output/input";
  auto env = sys::NewPosixEnv();
  PipelineContext ctx = PipelineContextFromEnv(*env, dir, "");
  for (const char* name : {"dvc.yaml", "dvc-changed-cmd.yaml"}) {
    auto f = ParsePipelineFile(ReadText(dir + "/" + name), name, ctx);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_EQ(f->stages.size(), 1u);
    const PipelineStage& copy = f->stages[0];
    EXPECT_EQ(copy.name, "copy");
    EXPECT_EQ(copy.cmd[0],
              std::string(name) == "dvc.yaml" ? "cp src.txt out.txt" : "cp -p src.txt out.txt");
    ASSERT_EQ(copy.deps.size(), 1u);
    EXPECT_EQ(copy.deps[0].repo_path, "src.txt");
    ASSERT_EQ(copy.outs.size(), 1u);
    EXPECT_EQ(copy.outs[0].repo_path, "out.txt");
  }
}

}  // namespace
}  // namespace cairn::data
