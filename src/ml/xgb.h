// Module-private: XGBoost's C API as ml uses it: handles that free themselves, every return
// code checked (a failure becomes a Status carrying XGBGetLastError()), dense matrices,
// feature names and predictions.
//
// XGBoost keeps its last error per thread, so these are as thread-safe as the handles they are
// given: a handle is used by one thread at a time.
#pragma once

#include <xgboost/c_api.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace cairn::ml::xgb {

/// A handle that owns what XGBoost gave it and frees it with `Free`. Move-only.
template <int (*Free)(void*)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(void* h) : h_(h) {}
  ~Handle() { reset(); }
  Handle(Handle&& other) noexcept : h_(std::exchange(other.h_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = std::exchange(other.h_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  void* get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }
  void reset() {
    if (h_ != nullptr) Free(h_);
    h_ = nullptr;
  }

 private:
  void* h_ = nullptr;
};

using Booster = Handle<XGBoosterFree>;
using DMatrix = Handle<XGDMatrixFree>;

/// OK when `rc` is 0; else Status(code, "<what>: <XGBGetLastError()>").
core::Status Check(int rc, std::string_view what, core::Code code = core::Code::kInternalError);

/// A matrix over `rows` x `cols` row-major floats (NaN is missing), with `labels` (one per
/// row) when not null. XGBoost copies the data.
core::Result<DMatrix> DenseMatrix(const float* data, size_t rows, size_t cols, const float* labels);

/// A booster with no data (to load a model into) or caching `matrices` (to train on them).
core::Result<Booster> NewBooster(const std::vector<const DMatrix*>& matrices);

core::Status SetParam(const Booster& booster, const char* name, const std::string& value);

/// The booster's "feature_name" feature info (empty when it has none).
core::Result<std::vector<std::string>> FeatureNames(const Booster& booster);
core::Status SetFeatureNames(const Booster& booster, const std::vector<std::string>& names);

/// The transformed prediction (P(label = 1) for binary:logistic) of every row of `matrix`,
/// using all the booster's rounds.
core::Result<std::vector<float>> Predict(const Booster& booster, const DMatrix& matrix);

/// The number of rounds the booster holds.
core::Result<int> BoostedRounds(const Booster& booster);

}  // namespace cairn::ml::xgb
