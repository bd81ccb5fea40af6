// The SQLite tracking store's hot calls: LogMetric on a run with no history and with a million
// points of it (a write must not depend on history), GetRun, LogBatch, and SearchRuns over
// 10,000 runs ordered by a metric. Databases live in $TMPDIR (a real disk: commits in WAL mode
// without fsync, as `cairn server` runs).  Run: build/bench/track_bench
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "db/db.h"
#include "sys/temp_dir.h"
#include "track/sql_store.h"
#include "track/track.h"

namespace cairn {
namespace {

using core::Result;
using track::SqlTrackingStore;

void Check(const core::Status& status, const char* what) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
    std::abort();
  }
}

struct Fixture {
  sys::TempDir dir;
  std::unique_ptr<SqlTrackingStore> store;
};

Fixture OpenStore(const std::string& name) {
  Result<sys::TempDir> dir = sys::TempDir::Create("cairn-track-bench-");
  Check(dir.status(), "temp dir");
  SqlTrackingStore::Config config;
  config.path = dir->Path(name);
  config.default_artifact_root = "mlflow-artifacts:";
  Result<std::unique_ptr<SqlTrackingStore>> store = SqlTrackingStore::Open(config);
  Check(store.status(), "open");
  return Fixture{std::move(*dir), std::move(*store)};
}

std::string NewRun(track::TrackingStore& store, int64_t start_time = 0) {
  track::CreateRunRequest request;
  request.start_time = start_time;
  Result<track::Run> run = store.CreateRun(request);
  Check(run.status(), "create run");
  return run->info.run_id;
}

// `rows` points of metric "loss" for `run_id`, straight into the tables in one transaction.
void FillHistory(const std::string& db_path, const std::string& run_id, int64_t rows) {
  Result<std::unique_ptr<db::Connection>> conn = db::OpenSqlite(db_path);
  Check(conn.status(), "open raw");
  Check(db::InTransaction(**conn,
                          [&]() -> core::Status {
                            auto insert = (*conn)->Prepare(
                                "INSERT INTO metrics (run_key, key, value, timestamp, step) "
                                "VALUES ((SELECT run_key FROM runs WHERE run_uuid = ?), "
                                "'loss', ?, ?, ?)");
                            if (!insert.ok()) return insert.status();
                            for (int64_t i = 0; i < rows; ++i) {
                              insert->Bind(1, std::string_view(run_id))
                                  .Bind(2, 1.0 / static_cast<double>(i + 1))
                                  .Bind(3, 1'700'000'000'000 + i)
                                  .Bind(4, i);
                              CAIRN_RETURN_IF_ERROR(insert->Run());
                            }
                            auto latest = (*conn)->Prepare(
                                "INSERT INTO latest_metrics (run_key, key, value, is_nan, "
                                "timestamp, step) VALUES ((SELECT run_key FROM runs WHERE "
                                "run_uuid = ?), 'loss', 0, 0, ?, ?)");
                            if (!latest.ok()) return latest.status();
                            latest->Bind(1, std::string_view(run_id))
                                .Bind(2, 1'700'000'000'000 + rows)
                                .Bind(3, rows);
                            return latest->Run();
                          }),
        "fill history");
}

void BM_LogMetric(benchmark::State& state) {
  Fixture f = OpenStore("log_metric.db");
  const std::string run_id = NewRun(*f.store);
  const int64_t history = state.range(0);
  if (history > 0) FillHistory(f.dir.Path("log_metric.db"), run_id, history);
  int64_t step = history;
  for (auto _ : state) {
    ++step;
    track::Metric metric;
    metric.key = "loss";
    metric.value = 0.5;
    metric.timestamp = 1'800'000'000'000 + step;
    metric.step = step;
    Check(f.store->LogMetric(run_id, metric), "log metric");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LogMetric)->Arg(0)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_LogBatch100Metrics(benchmark::State& state) {
  Fixture f = OpenStore("log_batch.db");
  const std::string run_id = NewRun(*f.store);
  int64_t step = 0;
  std::vector<track::Metric> metrics(100);
  for (auto _ : state) {
    ++step;
    for (size_t i = 0; i < metrics.size(); ++i) {
      metrics[i].key = "m" + std::to_string(i);
      metrics[i].value = static_cast<double>(step);
      metrics[i].timestamp = 1'800'000'000'000 + step;
      metrics[i].step = step;
    }
    Check(f.store->LogBatch(run_id, metrics, {}, {}), "log batch");
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_LogBatch100Metrics)->Unit(benchmark::kMicrosecond);

void BM_GetRun(benchmark::State& state) {
  Fixture f = OpenStore("get_run.db");
  const std::string run_id = NewRun(*f.store);
  std::vector<track::Metric> metrics;
  std::vector<track::Param> params;
  std::vector<track::Tag> tags;
  for (int i = 0; i < 10; ++i) {
    metrics.push_back({"metric" + std::to_string(i), 0.5 * i, 1000, 0, "", "", ""});
    params.push_back({"param" + std::to_string(i), std::to_string(i)});
    tags.push_back({"tag" + std::to_string(i), "value"});
  }
  Check(f.store->LogBatch(run_id, metrics, params, tags), "log batch");
  for (auto _ : state) benchmark::DoNotOptimize(f.store->GetRun(run_id));
}
BENCHMARK(BM_GetRun)->Unit(benchmark::kMicrosecond);

void BM_SearchRuns10k(benchmark::State& state) {
  static Fixture* f = [] {
    auto* fixture = new Fixture(OpenStore("search.db"));
    for (int i = 0; i < 10'000; ++i) {
      const std::string run_id = NewRun(*fixture->store, 1'700'000'000'000 + i);
      std::vector<track::Metric> metrics = {
          {"acc", static_cast<double>((i * 7919) % 10'000) / 10'000.0, 1000, 0, "", "", ""},
          {"loss", 1.0 / (i + 1), 1000, 0, "", "", ""}};
      Check(
          fixture->store->LogBatch(
              run_id, metrics, {{"lr", i % 2 ? "0.1" : "0.01"}, {"depth", "3"}}, {{"team", "red"}}),
          "log batch");
    }
    return fixture;
  }();
  track::SearchRunsRequest request;
  request.experiment_ids = {"0"};
  request.max_results = 100;
  request.order_by = {"metrics.acc DESC"};
  if (state.range(0) == 1) request.filter = "params.lr = '0.1' AND metrics.loss < 0.5";
  for (auto _ : state) {
    Result<track::Page<track::Run>> page = f->store->SearchRuns(request);
    Check(page.status(), "search");
    if (page->items.size() != 100) std::abort();
  }
}
BENCHMARK(BM_SearchRuns10k)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn

BENCHMARK_MAIN();
