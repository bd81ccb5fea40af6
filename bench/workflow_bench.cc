// The workflow engine's hot functions: parsing and evaluating GitHub Actions expressions (an
// `if:`, a template with two `${{ }}`, function calls, a `*` filter over 100 steps) against a
// realistic github context, ParseWorkflow and MakePlan of the seed pipeline
// (../shared/seed/train.yml; those two are skipped with a message when it is absent, or set
// CAIRN_SEED_WORKFLOW=<file>), and a PatternList matching 1,000 paths against the seed's
// `paths:` filter. Run: build/bench/workflow_bench
// The whole-command comparison with GitHub's TypeScript packages is bench/workflow_vs_npm.sh.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "expr/expr.h"
#include "workflow/workflow.h"

namespace cairn {
namespace {

// A push to main, shaped like GitHub's github context (the fields expressions usually read).
constexpr const char* kGithubJson = R"({
  "event_name": "push", "ref": "refs/heads/main", "ref_name": "main", "ref_type": "branch",
  "sha": "3f786850e387550fdab836ed7e6dc881de23001b", "repository": "acme/ml-pipeline",
  "repository_owner": "acme", "actor": "octocat", "workflow": "Train and Register Model",
  "run_id": "8123456789", "run_number": "42", "run_attempt": "1", "head_ref": "", "base_ref": "",
  "server_url": "https://github.com", "api_url": "https://api.github.com",
  "event": {
    "ref": "refs/heads/main", "before": "89e6c98d92887913cadf06b2adb97f26cde4849b",
    "after": "3f786850e387550fdab836ed7e6dc881de23001b", "created": false, "forced": false,
    "repository": {"full_name": "acme/ml-pipeline", "default_branch": "main", "private": true},
    "pusher": {"name": "octocat", "email": "octocat@example.com"},
    "head_commit": {"id": "3f786850e387550fdab836ed7e6dc881de23001b",
                    "message": "Tune learning rate", "author": {"name": "Mona", "email": "m@x"}},
    "commits": [{"id": "3f786850", "message": "Tune learning rate"},
                {"id": "89e6c98d", "message": "Add data checks"}]
  }
})";

expr::Value FromJson(const char* text) {
  auto parsed = core::ParseJson(text, "<bench>");
  if (!parsed.ok()) {
    std::fprintf(stderr, "workflow_bench: bad JSON: %s\n", parsed.status().message().c_str());
    std::abort();
  }
  return expr::Value::FromCore(*parsed);
}

// 100 steps, each {outputs: {result}, outcome, conclusion}; step 57 failed.
expr::Value Steps() {
  std::vector<std::pair<std::string, expr::Value>> steps;
  for (int i = 0; i < 100; ++i) {
    const char* conclusion = i == 57 ? "failure" : "success";
    steps.emplace_back(
        "step" + std::to_string(i),
        expr::Value::Object(
            {{"outputs", expr::Value::Object({{"result", expr::Value::String(std::to_string(i))}})},
             {"outcome", expr::Value::String(conclusion)},
             {"conclusion", expr::Value::String(conclusion)}}));
  }
  return expr::Value::Object(std::move(steps));
}

const expr::Allowed& AllowedContexts() {
  static const expr::Allowed allowed{
      .contexts = {"github", "env", "vars", "secrets", "inputs", "steps", "needs", "matrix"},
      .functions = {{"success", 0, expr::FunctionSpec::kUnlimited},
                    {"failure", 0, expr::FunctionSpec::kUnlimited},
                    {"always", 0, expr::FunctionSpec::kUnlimited},
                    {"cancelled", 0, expr::FunctionSpec::kUnlimited}}};
  return allowed;
}

const expr::Contexts& BenchContexts() {
  static const expr::Contexts contexts = [] {
    expr::Contexts c;
    c.Set("github", FromJson(kGithubJson));
    c.Set("matrix", FromJson(R"({"python": "3.11", "os": "ubuntu-latest"})"));
    c.Set("env", FromJson(R"({"MLFLOW_TRACKING_URI": "http://mlflow:5000"})"));
    c.Set("steps", Steps());
    return c;
  }();
  return contexts;
}

void Abort(const core::Status& status) {
  std::fprintf(stderr, "workflow_bench: %s\n", status.message().c_str());
  std::abort();
}

// The expressions of BM_ExpressionParse / BM_ExpressionEvaluate.
constexpr const char* kIfPushMain =
    "github.event_name == 'push' && github.ref == 'refs/heads/main'";
constexpr const char* kFunctions =
    "contains(fromJSON('[\"push\", \"workflow_dispatch\"]'), github.event_name) && "
    "format('{0}/{1}@{2}', github.server_url, github.repository, github.sha) != ''";
constexpr const char* kFilter100 = "contains(steps.*.conclusion, 'failure')";

void BM_ExpressionParse(benchmark::State& state, const char* text) {
  for (auto _ : state) benchmark::DoNotOptimize(expr::Expression::Parse(text, AllowedContexts()));
}
BENCHMARK_CAPTURE(BM_ExpressionParse, if_push_main, kIfPushMain);
BENCHMARK_CAPTURE(BM_ExpressionParse, contains_fromJSON_format, kFunctions);
BENCHMARK_CAPTURE(BM_ExpressionParse, filter_100_steps, kFilter100);

void BM_ExpressionEvaluate(benchmark::State& state, const char* text) {
  auto parsed = expr::Expression::Parse(text, AllowedContexts());
  if (!parsed.ok()) Abort(parsed.status());
  const expr::EvalOptions options{.contexts = &BenchContexts()};
  auto check = parsed->Evaluate(options);
  if (!check.ok() || !check->Truthy())
    Abort(core::Status::Internal(std::string(text) + ": not true"));
  for (auto _ : state) benchmark::DoNotOptimize(parsed->Evaluate(options));
}
BENCHMARK_CAPTURE(BM_ExpressionEvaluate, if_push_main, kIfPushMain);
BENCHMARK_CAPTURE(BM_ExpressionEvaluate, contains_fromJSON_format, kFunctions);
BENCHMARK_CAPTURE(BM_ExpressionEvaluate, filter_100_steps, kFilter100);

constexpr const char* kTemplate = "model-${{ github.sha }}-py${{ matrix.python }}.pkl";

void BM_TemplateParse(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(expr::Template::Parse(kTemplate, AllowedContexts()));
}
BENCHMARK(BM_TemplateParse);

void BM_TemplateEvaluate(benchmark::State& state) {
  auto parsed = expr::Template::Parse(kTemplate, AllowedContexts());
  if (!parsed.ok()) Abort(parsed.status());
  const expr::EvalOptions options{.contexts = &BenchContexts()};
  for (auto _ : state) benchmark::DoNotOptimize(parsed->EvaluateString(options));
}
BENCHMARK(BM_TemplateEvaluate);

// ---------------------------------------------------------------------------------------------
// The seed pipeline

std::string SeedPath() {
  const char* env = std::getenv("CAIRN_SEED_WORKFLOW");
  return env != nullptr ? env : CAIRN_SOURCE_DIR "/../shared/seed/train.yml";
}

// The seed's text; "" when the file is absent.
const std::string& SeedText() {
  static const std::string text = [] {
    std::ifstream in(SeedPath(), std::ios::binary);
    std::stringstream ss;
    if (in) ss << in.rdbuf();
    return ss.str();
  }();
  return text;
}

// The parsed seed; null when the file is absent.
const workflow::Workflow* Seed() {
  static const std::optional<workflow::Workflow> seed = []() -> std::optional<workflow::Workflow> {
    if (SeedText().empty()) return std::nullopt;
    auto parsed = workflow::ParseWorkflow(SeedText(), "train.yml");
    if (!parsed.ok()) Abort(parsed.status());
    return std::move(*parsed);
  }();
  return seed ? &*seed : nullptr;
}

bool SkipWithoutSeed(benchmark::State& state) {
  if (Seed() != nullptr) return false;
  static const std::string message = "skipped: no seed workflow at " + SeedPath();
  state.SkipWithError(message.c_str());
  return true;
}

void BM_ParseWorkflowSeed(benchmark::State& state) {
  if (SkipWithoutSeed(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(workflow::ParseWorkflow(SeedText(), "train.yml"));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(SeedText().size()));
}
BENCHMARK(BM_ParseWorkflowSeed)->Unit(benchmark::kMicrosecond);

void BM_MakePlanSeed(benchmark::State& state) {
  if (SkipWithoutSeed(state)) return;
  expr::Contexts event;
  event.Set("github", FromJson(kGithubJson));
  event.Set("inputs", expr::Value::Object({}));
  event.Set("vars", expr::Value::Object({}));
  const workflow::PlanOptions options{.event = &event};
  for (auto _ : state) benchmark::DoNotOptimize(workflow::MakePlan(*Seed(), options));
}
BENCHMARK(BM_MakePlanSeed)->Unit(benchmark::kMicrosecond);

// 1,000 repository paths: a third under src/ or data/ (matching), the rest elsewhere.
std::vector<std::string> Paths() {
  static const char* const kDirs[] = {"src/models", "data/raw",     "docs/guide",
                                      "tests/unit", "src",          "notebooks/eda",
                                      ".github",    "configs/prod", "data"};
  std::vector<std::string> paths;
  for (int i = 0; i < 1000; ++i) {
    std::string dir = kDirs[i % 9];
    paths.push_back(i % 97 == 0 ? ".github/workflows/train.yml"
                                : dir + "/file_" + std::to_string(i) + (i % 2 ? ".py" : ".csv"));
  }
  return paths;
}

void BM_PathsFilter1000(benchmark::State& state) {
  // The seed's on.push.paths; the same three patterns when the seed is absent.
  workflow::PatternList list;
  const workflow::EventTrigger* push = Seed() != nullptr ? Seed()->triggers.Find("push") : nullptr;
  if (push != nullptr && push->push && push->push->paths) {
    list = push->push->paths->patterns;
  } else {
    auto compiled = workflow::PatternList::Compile(
        std::vector<std::string>{"src/**", "data/**", ".github/workflows/train.yml"});
    if (!compiled.ok()) Abort(compiled.status());
    list = std::move(*compiled);
  }
  const std::vector<std::string> paths = Paths();
  int matched = 0;
  for (auto _ : state) {
    matched = 0;
    for (const std::string& path : paths) matched += list.Matches(path) ? 1 : 0;
    benchmark::DoNotOptimize(matched);
  }
  state.counters["matched"] = matched;
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(paths.size()));
}
BENCHMARK(BM_PathsFilter1000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cairn

BENCHMARK_MAIN();
