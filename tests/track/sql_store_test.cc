// What only the SQLite store has: tracking URIs, files that outlive the store, schema versions,
// artifact roots, the injected clock and several threads on one database.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "db/db.h"
#include "store_suite.h"
#include "sys/temp_dir.h"
#include "track/sql_store.h"

namespace cairn::track {
namespace {

using testing::MakeMetric;

core::Uri MustParse(const std::string& text) {
  Result<core::Uri> uri = core::Uri::Parse(text);
  EXPECT_TRUE(uri.ok()) << uri.status().ToString();
  return uri.ok() ? *uri : core::Uri{};
}

Result<std::unique_ptr<TrackingStore>> Open(const std::string& uri, const std::string& root = "") {
  StoreOptions options;
  options.default_artifact_root = root;
  return OpenTrackingStore(MustParse(uri), options);
}

class SqlStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<sys::TempDir> dir =
        sys::TempDir::Create("cairn-sqlstore-", testing::DatabaseTempParent());
    ASSERT_TRUE(dir.ok());
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
  }
  std::string Abs(const std::string& name) { return "sqlite:///" + dir_->Path(name); }

  std::unique_ptr<sys::TempDir> dir_;
};

TEST_F(SqlStoreTest, AbsoluteUriTakesAFourthSlash) {
  // sqlite:///<path>: the path after the third slash, so an absolute one starts with a fourth.
  Result<std::unique_ptr<TrackingStore>> store = Open(Abs("abs.db"), "mlflow-artifacts:");
  ASSERT_OK(store);
  EXPECT_TRUE(std::filesystem::exists(dir_->Path("abs.db")));
}

TEST_F(SqlStoreTest, RelativeUriIsRelativeToTheWorkingDirectory) {
  const std::filesystem::path before = std::filesystem::current_path();
  ASSERT_EQ(chdir(dir_->path().c_str()), 0);
  {
    Result<std::unique_ptr<TrackingStore>> store = Open("sqlite:///rel.db");
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    if (store.ok()) {
      // With no root given, artifacts go to ./mlruns made absolute.
      Result<Experiment> zero = (*store)->GetExperiment("0");
      ASSERT_OK(zero);
      EXPECT_EQ(zero->artifact_location, dir_->Path("mlruns/0"));
    }
  }
  std::filesystem::current_path(before);
  EXPECT_TRUE(std::filesystem::exists(dir_->Path("rel.db")));
}

TEST_F(SqlStoreTest, InMemoryUris) {
  for (const char* uri : {"sqlite://", "sqlite:///:memory:"}) {
    Result<std::unique_ptr<TrackingStore>> store = Open(uri, "mlflow-artifacts:");
    ASSERT_OK(store);
    EXPECT_OK((*store)->CreateExperiment("in-memory", "", {}));
  }
}

TEST_F(SqlStoreTest, OtherUris) {
  // http(s) opens the REST store (it connects on the first call: rest_store_test.cc).
  EXPECT_OK(Open("http://127.0.0.1:5000"));
  EXPECT_OK(Open("https://mlflow.example.com"));
  Result<std::unique_ptr<TrackingStore>> file = Open("file:///tmp/mlruns");
  EXPECT_CODE(file, kInvalidParameterValue);
  EXPECT_EQ(file.status().message(),
            "'file:///tmp/mlruns' is MLflow's file store, which cairn does not write; use "
            "sqlite:///<path>.db");
  EXPECT_CODE(Open("./mlruns"), kInvalidParameterValue);
  EXPECT_CODE(Open("sqlite://host/x.db"), kInvalidParameterValue);
  EXPECT_CODE(Open("postgresql://u@db/mlflow"), kNotImplemented);
  EXPECT_CODE(Open("ftp://x/y"), kInvalidParameterValue);
}

TEST_F(SqlStoreTest, ArtifactRoots) {
  struct Case {
    std::string root;
    std::string zero;
    std::string first;
  } cases[] = {
      {"mlflow-artifacts:", "mlflow-artifacts:/0", "mlflow-artifacts:/1"},
      {"mlflow-artifacts:/", "mlflow-artifacts:/0", "mlflow-artifacts:/1"},
      {"s3://bucket/root/", "s3://bucket/root/0", "s3://bucket/root/1"},
      {"/srv/artifacts", "/srv/artifacts/0", "/srv/artifacts/1"},
  };
  int n = 0;
  for (const Case& c : cases) {
    Result<std::unique_ptr<TrackingStore>> store =
        Open(Abs("roots" + std::to_string(++n) + ".db"), c.root);
    ASSERT_OK(store);
    EXPECT_EQ((*store)->GetExperiment("0")->artifact_location, c.zero);
    Result<std::string> id = (*store)->CreateExperiment("e", "", {});
    ASSERT_OK(id);
    ASSERT_EQ(*id, "1");
    EXPECT_EQ((*store)->GetExperiment("1")->artifact_location, c.first);
    CreateRunRequest request;
    request.experiment_id = "1";
    Result<track::Run> run = (*store)->CreateRun(request);
    ASSERT_OK(run);
    EXPECT_EQ(run->info.artifact_uri, c.first + "/" + run->info.run_id + "/artifacts");
  }
}

TEST_F(SqlStoreTest, DataSurvivesReopening) {
  std::string run_id;
  {
    Result<std::unique_ptr<TrackingStore>> store = Open(Abs("durable.db"), "mlflow-artifacts:");
    ASSERT_OK(store);
    Result<std::string> exp = (*store)->CreateExperiment("kept", "", {{"k", "v"}});
    ASSERT_OK(exp);
    CreateRunRequest request;
    request.experiment_id = *exp;
    request.run_name = "r";
    Result<track::Run> run = (*store)->CreateRun(request);
    ASSERT_OK(run);
    run_id = run->info.run_id;
    ASSERT_OK((*store)->LogBatch(run_id, {MakeMetric("m", 2, 10, 1), MakeMetric("m", 1, 20, 0)},
                                 {{"p", "1"}}, {{"t", "x"}}));
  }
  // Another root now: experiment 0 keeps the location it was created with.
  Result<std::unique_ptr<TrackingStore>> store = Open(Abs("durable.db"), "s3://elsewhere");
  ASSERT_OK(store);
  EXPECT_EQ((*store)->GetExperiment("0")->artifact_location, "mlflow-artifacts:/0");
  Result<track::Run> run = (*store)->GetRun(run_id);
  ASSERT_OK(run);
  EXPECT_EQ(run->info.run_name, "r");
  ASSERT_EQ(run->data.metrics.size(), 1u);
  EXPECT_EQ(run->data.metrics[0].value, 2);  // latest by step, not by time
  ASSERT_EQ(run->data.params.size(), 1u);
  Result<Experiment> exp = (*store)->GetExperimentByName("kept");
  ASSERT_OK(exp);
  EXPECT_EQ(exp->tags.size(), 1u);
  // Ids keep counting where they were.
  Result<std::string> next = (*store)->CreateExperiment("next", "", {});
  ASSERT_OK(next);
  EXPECT_EQ(*next, "2");
}

TEST_F(SqlStoreTest, NewerSchemaIsRefused) {
  ASSERT_OK(Open(Abs("future.db")));
  {
    Result<std::unique_ptr<db::Connection>> conn = db::OpenSqlite(dir_->Path("future.db"));
    ASSERT_OK(conn);
    ASSERT_OK((*conn)->Exec("UPDATE cairn_schema SET version = 99 WHERE component = 'tracking'"));
  }
  Result<std::unique_ptr<TrackingStore>> store = Open(Abs("future.db"));
  EXPECT_CODE(store, kInvalidState);
  EXPECT_NE(store.status().message().find("newer than this cairn knows"), std::string::npos)
      << store.status().ToString();
}

TEST_F(SqlStoreTest, NotADatabaseIsRefused) {
  {
    std::FILE* f = std::fopen(dir_->Path("junk.db").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not an SQLite database, not even close; it is just text\n", f);
    std::fclose(f);
  }
  EXPECT_FALSE(Open(Abs("junk.db")).ok());
}

TEST_F(SqlStoreTest, TimesComeFromTheInjectedClock) {
  int64_t now = 1'700'000'000'000;
  SqlTrackingStore::Config config;
  config.path = ":memory:";
  config.default_artifact_root = "mlflow-artifacts:";
  config.now_ms = [&] { return now; };
  Result<std::unique_ptr<SqlTrackingStore>> store = SqlTrackingStore::Open(std::move(config));
  ASSERT_OK(store);
  Result<std::string> a = (*store)->CreateExperiment("a", "", {});
  now += 10;
  Result<std::string> b = (*store)->CreateExperiment("b", "", {});
  ASSERT_OK(a);
  ASSERT_OK(b);
  EXPECT_EQ((*store)->GetExperiment(*a)->creation_time, 1'700'000'000'000);
  EXPECT_EQ((*store)->GetExperiment(*b)->creation_time, 1'700'000'000'010);
  now += 5;
  CreateRunRequest request;
  Result<track::Run> run = (*store)->CreateRun(request);
  ASSERT_OK(run);
  EXPECT_EQ(run->info.start_time, 1'700'000'000'015);
  // creation_time DESC: b before a; the same time breaks by experiment_id ASC.
  SearchExperimentsRequest search;
  search.filter = "name != 'Default'";
  Result<Page<Experiment>> page = (*store)->SearchExperiments(search);
  ASSERT_OK(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].name, "b");
  ASSERT_OK((*store)->DeleteExperiment(*b));
  EXPECT_EQ((*store)->GetExperiment(*b)->last_update_time, 1'700'000'000'015);
}

TEST_F(SqlStoreTest, ManyThreadsShareOneStore) {
  for (const std::string& uri : {Abs("threads.db"), std::string("sqlite:///:memory:")}) {
    Result<std::unique_ptr<TrackingStore>> opened = Open(uri, "mlflow-artifacts:");
    ASSERT_OK(opened);
    TrackingStore& store = **opened;
    CreateRunRequest request;
    Result<track::Run> run = store.CreateRun(request);
    ASSERT_OK(run);
    const std::string run_id = run->info.run_id;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          if (!store.LogMetric(run_id, MakeMetric("m", i, 1000 + i, t * 100 + i)).ok()) ++failures;
          if (!store.LogParam(run_id, {"p" + std::to_string(t) + "_" + std::to_string(i), "v"})
                   .ok()) {
            ++failures;
          }
          if (!store.GetRun(run_id).ok()) ++failures;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0) << uri;
    Result<track::Run> got = store.GetRun(run_id);
    ASSERT_OK(got);
    EXPECT_EQ(got->data.params.size(), 200u);
    ASSERT_EQ(got->data.metrics.size(), 1u);
    EXPECT_EQ(got->data.metrics[0].step, 349);  // the greatest step any thread logged
    MetricHistoryRequest history;
    history.run_id = run_id;
    history.metric_key = "m";
    EXPECT_EQ(store.GetMetricHistory(history)->items.size(), 200u);
  }
}

}  // namespace
}  // namespace cairn::track
