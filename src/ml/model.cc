// Model: a trained XGBoost booster and its feature names; loading, saving and prediction.
//
// The feature names live in the booster (XGBoosterSetStrFeatureInfo "feature_name"), so the
// JSON and UBJSON formats carry them as XGBoost's Python package writes them. XGBoost's old
// binary format has no place for them: there they travel as the booster attribute
// "cairn.feature_names" (a JSON array), set only while saving.
//
// Not synchronized: one thread at a time per Model.
#include <cstdio>
#include <limits>

#include "core/json.h"
#include "core/strings.h"
#include "ml/ml.h"
#include "ml/model_impl.h"
#include "ml/xgb.h"

namespace cairn::ml {
namespace {

constexpr char kNamesAttribute[] = "cairn.feature_names";

/// XGBoost's SaveModel rule: .json is JSON, .ubj UBJSON, anything else the old binary format.
const char* FormatForPath(std::string_view path) {
  if (path.ends_with(".json")) return "json";
  if (path.ends_with(".ubj")) return "ubj";
  return "deprecated";
}

Result<std::vector<std::string>> NamesFromAttribute(const xgb::Booster& booster) {
  const char* value = nullptr;
  int found = 0;
  CAIRN_RETURN_IF_ERROR(xgb::Check(XGBoosterGetAttr(booster.get(), kNamesAttribute, &value, &found),
                                   "XGBoosterGetAttr"));
  std::vector<std::string> names;
  if (found == 0 || value == nullptr) return names;
  auto parsed = core::ParseJson(value, kNamesAttribute);
  if (!parsed.ok() || !parsed->is_sequence()) return names;
  for (const core::Value& item : parsed->items()) {
    if (!item.is_string()) return std::vector<std::string>();
    names.push_back(item.AsString());
  }
  return names;
}

const std::vector<std::string>& EmptyNames() {
  static const std::vector<std::string> kEmpty;
  return kEmpty;
}

}  // namespace

Model::Model() = default;
Model::~Model() = default;
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;

Result<Model> Model::Load(std::string_view path) {
  const std::string file(path);
  auto env = sys::NewPosixEnv();
  auto info = env->Stat(file);
  if (!info.ok()) {
    if (info.status().IsNotFound()) return Status::NotFound(file + ": no such model file");
    return info.status();
  }
  if (!info->is_regular()) return Status::InvalidArgument(file + ": not a model file");

  CAIRN_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::NewBooster({}));
  CAIRN_RETURN_IF_ERROR(xgb::Check(XGBoosterLoadModel(booster.get(), file.c_str()),
                                   file + ": not a model XGBoost can load",
                                   core::Code::kInvalidParameterValue));
  auto impl = std::make_unique<Impl>();
  CAIRN_ASSIGN_OR_RETURN(impl->feature_names, xgb::FeatureNames(booster));
  if (impl->feature_names.empty()) {
    CAIRN_ASSIGN_OR_RETURN(impl->feature_names, NamesFromAttribute(booster));
  }
  bst_ulong num_features = 0;
  CAIRN_RETURN_IF_ERROR(
      xgb::Check(XGBoosterGetNumFeature(booster.get(), &num_features), "XGBoosterGetNumFeature"));
  impl->num_features = num_features;
  if (!impl->feature_names.empty() && impl->feature_names.size() != impl->num_features) {
    return Status::Corruption(file + ": the model names " +
                              std::to_string(impl->feature_names.size()) + " features but has " +
                              std::to_string(impl->num_features));
  }
  CAIRN_ASSIGN_OR_RETURN(impl->rounds, xgb::BoostedRounds(booster));
  impl->booster = std::move(booster);
  return TrainAccess::Wrap(std::move(impl));
}

Status Model::Save(std::string_view path) const {
  const std::string file(path);
  if (!impl_) return Status::InvalidState(file + ": cannot save an empty model");
  const char* format = FormatForPath(path);
  const bool binary = std::string_view(format) == "deprecated";
  if (binary && !impl_->feature_names.empty()) {
    core::Value names = core::Value::Sequence();
    for (const std::string& name : impl_->feature_names) names.Append(core::Value::String(name));
    const std::string json = core::ToJson(names);
    CAIRN_RETURN_IF_ERROR(xgb::Check(
        XGBoosterSetAttr(impl_->booster.get(), kNamesAttribute, json.c_str()), "XGBoosterSetAttr"));
  }
  const std::string config = std::string(R"({"format": ")") + format + "\"}";
  bst_ulong len = 0;
  const char* bytes = nullptr;
  Status saved =
      xgb::Check(XGBoosterSaveModelToBuffer(impl_->booster.get(), config.c_str(), &len, &bytes),
                 file + ": XGBoosterSaveModelToBuffer");
  std::string data;
  if (saved.ok()) data.assign(bytes, len);  // XGBoost's buffer lives until its next call
  if (binary && !impl_->feature_names.empty()) {
    CAIRN_RETURN_IF_ERROR(xgb::Check(
        XGBoosterSetAttr(impl_->booster.get(), kNamesAttribute, nullptr), "XGBoosterSetAttr"));
  }
  CAIRN_RETURN_IF_ERROR(saved);
  return sys::NewPosixEnv()->WriteFile(file, data);
}

Result<std::vector<float>> Model::PredictProba(const Table& table) const {
  if (!impl_) return Status::InvalidState("cannot predict with an empty model");
  const size_t cols = table.columns.size();
  if (!impl_->feature_names.empty()) {
    const std::vector<std::string>& want = impl_->feature_names;
    for (size_t i = 0; i < std::max(cols, want.size()); ++i) {
      if (i < cols && i < want.size() && table.columns[i] == want[i]) continue;
      std::string message = "the data's feature columns differ from the model's (" +
                            std::to_string(cols) + " columns, the model expects " +
                            std::to_string(want.size()) + "): column " + std::to_string(i + 1);
      if (i < cols && i < want.size()) {
        message += " is '" + table.columns[i] + "', the model expects '" + want[i] + "'";
      } else if (i < cols) {
        message += " '" + table.columns[i] + "' is not one of the model's";
      } else {
        message += " '" + want[i] + "' is missing";
      }
      return Status::InvalidArgument(std::move(message));
    }
  } else if (cols != impl_->num_features) {
    return Status::InvalidArgument("the data has " + std::to_string(cols) +
                                   " feature columns, the model expects " +
                                   std::to_string(impl_->num_features));
  }
  const size_t rows = table.rows();
  if (rows == 0) return std::vector<float>();
  CAIRN_ASSIGN_OR_RETURN(xgb::DMatrix matrix,
                         xgb::DenseMatrix(table.features.data(), rows, cols, nullptr));
  CAIRN_ASSIGN_OR_RETURN(std::vector<float> p, xgb::Predict(impl_->booster, matrix));
  if (p.size() != rows) {
    return Status::Internal("XGBoost returned " + std::to_string(p.size()) + " predictions for " +
                            std::to_string(rows) + " rows");
  }
  return p;
}

const std::vector<std::string>& Model::feature_names() const {
  return impl_ ? impl_->feature_names : EmptyNames();
}

int Model::rounds() const { return impl_ ? impl_->rounds : 0; }

std::string XgboostVersion() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace cairn::ml
