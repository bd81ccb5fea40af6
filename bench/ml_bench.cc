// The ml module's hot paths on the Spambase data (4,601 rows, 57 features): reading the CSV,
// splitting it, training with the default settings on one thread (with and without the
// validation rows whose loss is computed every round), and scoring the test rows. The
// whole-command comparison with scikit-learn is bench/ml_train_vs_sklearn.sh.
// Run: build/bench/ml_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "ml/ml.h"
#include "sys/temp_dir.h"

namespace cairn::ml {
namespace {

constexpr char kSpambase[] = CAIRN_SOURCE_DIR "/examples/spam-filter/data/spambase.csv";

template <typename T>
T Checked(core::Result<T> result, const char* what) {
  if (!result.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, result.status().ToString().c_str());
    std::abort();
  }
  return std::move(result).value();
}

struct Data {
  std::string text;
  Table train, test;
};
const Data& Spambase() {
  static const Data* data = [] {
    auto env = sys::NewPosixEnv();
    auto dir = Checked(sys::TempDir::Create("ml-bench-"), "temp dir");
    Checked(SplitCsv(*env, kSpambase, dir.Path("train.csv"), dir.Path("test.csv"), {}), "split");
    auto* d = new Data;
    d->text = Checked(env->ReadFile(kSpambase), "read");
    d->train = Checked(ReadCsv(*env, dir.Path("train.csv"), "label"), "train.csv");
    d->test = Checked(ReadCsv(*env, dir.Path("test.csv"), "label"), "test.csv");
    return d;
  }();
  return *data;
}

void BM_ParseCsv(benchmark::State& state) {
  const std::string& text = Spambase().text;
  for (auto _ : state) benchmark::DoNotOptimize(ParseCsv(text, "spambase.csv", "label"));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseCsv)->Unit(benchmark::kMillisecond);

void BM_SplitCsv(benchmark::State& state) {
  auto env = sys::NewPosixEnv();
  auto dir = Checked(sys::TempDir::Create("ml-bench-"), "temp dir");
  for (auto _ : state) {
    Checked(SplitCsv(*env, kSpambase, dir.Path("train.csv"), dir.Path("test.csv"), {}), "split");
  }
}
BENCHMARK(BM_SplitCsv)->Unit(benchmark::kMillisecond);

/// Arg: validation_fraction in percent.
void BM_Train(benchmark::State& state) {
  TrainParams params;  // the defaults: 100 rounds, depth 6, eta 0.3
  params.threads = 1;
  params.validation_fraction = static_cast<double>(state.range(0)) / 100;
  const Data& data = Spambase();
  double accuracy = 0;
  for (auto _ : state) {
    TrainResult result = Checked(Train(data.train, params), "train");
    accuracy =
        Score(data.test.labels, Checked(result.model.PredictProba(data.test), "predict")).accuracy;
  }
  state.counters["accuracy"] = accuracy;
}
BENCHMARK(BM_Train)->Arg(0)->Arg(10)->Unit(benchmark::kMillisecond);

void BM_PredictAndScore(benchmark::State& state) {
  TrainParams params;
  params.validation_fraction = 0;
  const Data& data = Spambase();
  TrainResult result = Checked(Train(data.train, params), "train");
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        Score(data.test.labels, Checked(result.model.PredictProba(data.test), "predict")));
  }
}
BENCHMARK(BM_PredictAndScore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn::ml

BENCHMARK_MAIN();
