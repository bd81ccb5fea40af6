// Checked calls of XGBoost's C API (see xgb.h).
#include "ml/xgb.h"

#include <cmath>
#include <limits>

namespace cairn::ml::xgb {

core::Status Check(int rc, std::string_view what, core::Code code) {
  if (rc == 0) return core::Status::Ok();
  const char* err = XGBGetLastError();
  std::string message(what);
  message += ": ";
  message += (err != nullptr && *err != '\0') ? err : "XGBoost failed without a message";
  // XGBoost's messages end with a newline, and often start with "[time] file:line: ".
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return core::Status(code, std::move(message));
}

core::Result<DMatrix> DenseMatrix(const float* data, size_t rows, size_t cols,
                                  const float* labels) {
  DMatrixHandle h = nullptr;
  CAIRN_RETURN_IF_ERROR(
      Check(XGDMatrixCreateFromMat(data, rows, cols, std::numeric_limits<float>::quiet_NaN(), &h),
            "XGDMatrixCreateFromMat"));
  DMatrix matrix(h);
  if (labels != nullptr) {
    CAIRN_RETURN_IF_ERROR(
        Check(XGDMatrixSetFloatInfo(h, "label", labels, rows), "XGDMatrixSetFloatInfo(label)"));
  }
  return matrix;
}

core::Result<Booster> NewBooster(const std::vector<const DMatrix*>& matrices) {
  std::vector<DMatrixHandle> handles;
  handles.reserve(matrices.size());
  for (const DMatrix* m : matrices) handles.push_back(m->get());
  BoosterHandle h = nullptr;
  CAIRN_RETURN_IF_ERROR(
      Check(XGBoosterCreate(handles.empty() ? nullptr : handles.data(), handles.size(), &h),
            "XGBoosterCreate"));
  return Booster(h);
}

core::Status SetParam(const Booster& booster, const char* name, const std::string& value) {
  return Check(XGBoosterSetParam(booster.get(), name, value.c_str()),
               std::string("XGBoosterSetParam(") + name + "=" + value + ")",
               core::Code::kInvalidParameterValue);
}

core::Result<std::vector<std::string>> FeatureNames(const Booster& booster) {
  bst_ulong len = 0;
  const char** names = nullptr;
  CAIRN_RETURN_IF_ERROR(
      Check(XGBoosterGetStrFeatureInfo(booster.get(), "feature_name", &len, &names),
            "XGBoosterGetStrFeatureInfo(feature_name)"));
  std::vector<std::string> out;
  out.reserve(len);
  for (bst_ulong i = 0; i < len; ++i) out.emplace_back(names[i]);
  return out;
}

core::Status SetFeatureNames(const Booster& booster, const std::vector<std::string>& names) {
  std::vector<const char*> ptrs;
  ptrs.reserve(names.size());
  for (const std::string& name : names) ptrs.push_back(name.c_str());
  return Check(XGBoosterSetStrFeatureInfo(booster.get(), "feature_name", ptrs.data(), ptrs.size()),
               "XGBoosterSetStrFeatureInfo(feature_name)");
}

core::Result<std::vector<float>> Predict(const Booster& booster, const DMatrix& matrix) {
  static constexpr char kConfig[] =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, )"
      R"("strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  CAIRN_RETURN_IF_ERROR(Check(
      XGBoosterPredictFromDMatrix(booster.get(), matrix.get(), kConfig, &shape, &dim, &result),
      "XGBoosterPredictFromDMatrix"));
  size_t size = dim == 0 ? 0 : 1;
  for (bst_ulong i = 0; i < dim; ++i) size *= shape[i];
  return std::vector<float>(result, result + size);
}

core::Result<int> BoostedRounds(const Booster& booster) {
  int rounds = 0;
  CAIRN_RETURN_IF_ERROR(
      Check(XGBoosterBoostedRounds(booster.get(), &rounds), "XGBoosterBoostedRounds"));
  return rounds;
}

}  // namespace cairn::ml::xgb
