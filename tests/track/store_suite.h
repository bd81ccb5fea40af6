// The TrackingStore conformance suite: every test in tests/track/store_*_test.cc is a TEST_P of
// StoreTest and runs against every backend listed in StoreBackends() (store_test.cc), so a new
// backend (the REST store) joins by adding one line there. The tests use only the TrackingStore
// interface and assert MLflow's semantics (../shared/reference/mlflow-api.md).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "track/track.h"

namespace cairn::track::testing {

struct StoreBackend {
  std::string name;  // a test-name suffix: letters, digits, underscores
  std::function<std::unique_ptr<TrackingStore>()> make;
};

/// Every backend the suite runs on (store_test.cc).
std::vector<StoreBackend> StoreBackends();

/// Where tests put database files: /dev/shm when there is one (a tmpfs: the many fsyncs of
/// creating a database cost nothing there), else the default temporary directory.
inline std::string_view DatabaseTempParent() {
  static const bool shm = [] {
    struct stat st;
    return ::stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && ::access("/dev/shm", W_OK) == 0;
  }();
  return shm ? "/dev/shm" : "";
}

class StoreTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_NE(store_, nullptr);
  }

  TrackingStore& store() { return *store_; }

  /// A new experiment (unique name per call).
  std::string NewExperiment(const std::string& prefix = "exp") {
    Result<std::string> id =
        store_->CreateExperiment(prefix + "-" + std::to_string(++counter_), "", {});
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : "";
  }

  /// A new run in `experiment_id`.
  RunInfo NewRun(const std::string& experiment_id, int64_t start_time = 0,
                 const std::string& name = "") {
    CreateRunRequest request;
    request.experiment_id = experiment_id;
    request.start_time = start_time;
    request.run_name = name;
    request.user_id = "alice";
    Result<track::Run> run = store_->CreateRun(request);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? run->info : RunInfo{};
  }

  track::Run MustGetRun(const std::string& run_id) {
    Result<track::Run> run = store_->GetRun(run_id);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : track::Run{};
  }

  /// The run ids of a search, in order (fails the test on an error).
  std::vector<std::string> SearchIds(const std::string& experiment_id, const std::string& filter,
                                     std::vector<std::string> order_by = {},
                                     ViewType view = ViewType::kActiveOnly) {
    SearchRunsRequest request;
    request.experiment_ids = {experiment_id};
    request.filter = filter;
    request.order_by = std::move(order_by);
    request.view = view;
    Result<Page<track::Run>> page = store_->SearchRuns(request);
    EXPECT_TRUE(page.ok()) << filter << ": " << page.status().ToString();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const track::Run& run : page->items) ids.push_back(run.info.run_id);
    }
    return ids;
  }

  /// The code of a search's failure (kOk when it succeeded).
  core::Code SearchCode(const std::string& experiment_id, const std::string& filter,
                        std::vector<std::string> order_by = {}) {
    SearchRunsRequest request;
    request.experiment_ids = {experiment_id};
    request.filter = filter;
    request.order_by = std::move(order_by);
    return store_->SearchRuns(request).status().code();
  }

  std::unique_ptr<TrackingStore> store_;
  int counter_ = 0;
};

inline core::Status StatusOf(const core::Status& status) { return status; }
template <class T>
core::Status StatusOf(const core::Result<T>& result) {
  return result.status();
}

inline ::testing::AssertionResult HasCode(const core::Status& status, core::Code expected) {
  if (status.code() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected " << core::CodeName(expected) << ", got " << status.ToString();
}

/// 32 lowercase hex digits, as a run id (uuid4().hex).
inline bool IsHexId(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

inline Metric MakeMetric(std::string key, double value, int64_t timestamp = 1000,
                         int64_t step = 0) {
  Metric m;
  m.key = std::move(key);
  m.value = value;
  m.timestamp = timestamp;
  m.step = step;
  return m;
}

}  // namespace cairn::track::testing

/// Expects a Status or Result (evaluated once) to have failed with `expected`, a core::Code
/// enumerator's name (kResourceDoesNotExist), or to be OK (kOk). Takes << like EXPECT_*.
#define EXPECT_CODE(expr, expected)                                                     \
  EXPECT_TRUE(::cairn::track::testing::HasCode(::cairn::track::testing::StatusOf(expr), \
                                               ::cairn::core::Code::expected))
#define EXPECT_OK(expr) EXPECT_CODE(expr, kOk)
#define ASSERT_OK(expr)                                                                 \
  ASSERT_TRUE(::cairn::track::testing::HasCode(::cairn::track::testing::StatusOf(expr), \
                                               ::cairn::core::Code::kOk))
