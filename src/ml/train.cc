// Train: a binary:logistic XGBoost booster over a Table, one UpdateOneIter per round, with the
// train and validation log loss of every round computed from the booster's (cached, so
// incremental) predictions, and early stopping that keeps the best round (the booster is
// sliced to it).
//
// Deterministic for params.seed with one thread: the validation rows come from
// StratifiedChoice (sampling.h) and XGBoost's hist method is seeded.
#include <cmath>
#include <limits>

#include "core/json.h"
#include "core/strings.h"
#include "ml/log_loss.h"
#include "ml/ml.h"
#include "ml/model_impl.h"
#include "ml/sampling.h"
#include "ml/xgb.h"

namespace cairn::ml {
namespace {

std::string Num(double d) { return core::FormatDouble(d); }

Status Invalid(std::string_view field, std::string_view expected, std::string_view got) {
  return Status::InvalidArgument("train." + std::string(field) + ": expected " +
                                 std::string(expected) + ", got " + std::string(got));
}

Status ValidateParams(const TrainParams& p) {
  if (p.n_estimators < 1) return Invalid("n_estimators", "an integer >= 1", Num(p.n_estimators));
  if (p.max_depth < 0) return Invalid("max_depth", "an integer >= 0", Num(p.max_depth));
  if (!(p.learning_rate > 0 && std::isfinite(p.learning_rate))) {
    return Invalid("learning_rate", "a number > 0", Num(p.learning_rate));
  }
  if (!(p.subsample > 0 && p.subsample <= 1)) {
    return Invalid("subsample", "a number in (0, 1]", Num(p.subsample));
  }
  if (!(p.colsample_bytree > 0 && p.colsample_bytree <= 1)) {
    return Invalid("colsample_bytree", "a number in (0, 1]", Num(p.colsample_bytree));
  }
  const std::pair<const char*, double> non_negative[] = {{"min_child_weight", p.min_child_weight},
                                                         {"reg_lambda", p.reg_lambda},
                                                         {"reg_alpha", p.reg_alpha},
                                                         {"gamma", p.gamma}};
  for (const auto& [name, value] : non_negative) {
    if (!(value >= 0 && std::isfinite(value))) return Invalid(name, "a number >= 0", Num(value));
  }
  if (p.max_bin < 2) return Invalid("max_bin", "an integer >= 2", Num(p.max_bin));
  if (!(p.validation_fraction >= 0 && p.validation_fraction < 1)) {
    return Invalid("validation_fraction", "a number in [0, 1)", Num(p.validation_fraction));
  }
  if (p.early_stopping_rounds < 0) {
    return Invalid("early_stopping_rounds", "an integer >= 0", Num(p.early_stopping_rounds));
  }
  if (p.early_stopping_rounds > 0 && p.validation_fraction == 0) {
    return Status::InvalidArgument(
        "train.early_stopping_rounds: early stopping needs validation rows "
        "(validation_fraction > 0)");
  }
  if (p.seed > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Invalid("seed", "an integer in [0, 2^63)", std::to_string(p.seed));
  }
  if (p.threads < 0) return Invalid("threads", "an integer >= 0 (0: all cores)", Num(p.threads));
  return Status::Ok();
}

Status ValidateTable(const Table& table) {
  const size_t rows = table.rows();
  if (table.columns.empty()) return Status::InvalidArgument("the training data has no features");
  if (table.features.size() != rows * table.columns.size()) {
    return Status::InvalidArgument("the training data's cells are not rows x columns");
  }
  if (rows == 0) return Status::InvalidArgument("the training data has no rows");
  if (table.labels.size() != rows) {
    return Status::InvalidArgument(
        table.labels.empty() ? "the training data has no labels (no target column)"
                             : "the training data has " + std::to_string(table.labels.size()) +
                                   " labels for " + std::to_string(rows) + " rows");
  }
  for (size_t i = 0; i < rows; ++i) {
    if (table.labels[i] != 0 && table.labels[i] != 1) {
      return Status::InvalidArgument("label of row " + std::to_string(i + 1) +
                                     ": expected 0 or 1, got " + Num(table.labels[i]));
    }
  }
  return Status::Ok();
}

/// The rows of `table` where mask[i] == want, as one contiguous block plus labels.
struct Rows {
  std::vector<float> features;
  std::vector<float> labels;
};
Rows Select(const Table& table, const std::vector<bool>& mask, bool want) {
  const size_t cols = table.columns.size();
  Rows out;
  for (size_t i = 0; i < mask.size(); ++i) {
    if (mask[i] != want) continue;
    const float* row = table.features.data() + i * cols;
    out.features.insert(out.features.end(), row, row + cols);
    out.labels.push_back(table.labels[i]);
  }
  return out;
}

Status SetParams(const xgb::Booster& booster, const TrainParams& p) {
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"eval_metric", "logloss"},
      {"tree_method", "hist"},
      {"seed", std::to_string(p.seed)},
      {"nthread", std::to_string(p.threads)},
      {"max_depth", std::to_string(p.max_depth)},
      {"eta", Num(p.learning_rate)},
      {"subsample", Num(p.subsample)},
      {"colsample_bytree", Num(p.colsample_bytree)},
      {"min_child_weight", Num(p.min_child_weight)},
      {"lambda", Num(p.reg_lambda)},
      {"alpha", Num(p.reg_alpha)},
      {"gamma", Num(p.gamma)},
      {"max_bin", std::to_string(p.max_bin)},
  };
  for (const auto& [name, value] : params) {
    CAIRN_RETURN_IF_ERROR(xgb::SetParam(booster, name, value));
  }
  return Status::Ok();
}

}  // namespace

Result<TrainResult> Train(const Table& table, const TrainParams& params,
                          const std::function<void(const RoundLoss&)>& on_round) {
  CAIRN_RETURN_IF_ERROR(ValidateParams(params));
  CAIRN_RETURN_IF_ERROR(ValidateTable(table));
  const size_t rows = table.rows();
  const size_t cols = table.columns.size();

  // Validation rows: a stratified sample of validation_fraction of the rows.
  const size_t n_valid =
      params.validation_fraction > 0 ? HeldOutCount(rows, params.validation_fraction) : 0;
  if (n_valid >= rows) {
    return Status::InvalidArgument("train.validation_fraction: " + Num(params.validation_fraction) +
                                   " of " + std::to_string(rows) +
                                   " rows leaves no rows to train on");
  }
  Rows train_rows, valid_rows;
  const std::vector<float>* train_x = &table.features;
  const std::vector<float>* train_y = &table.labels;
  if (n_valid > 0) {
    std::vector<uint32_t> classes(rows);
    for (size_t i = 0; i < rows; ++i) classes[i] = table.labels[i] != 0 ? 1 : 0;
    const std::vector<bool> held_out = StratifiedChoice(classes, 2, n_valid, params.seed);
    train_rows = Select(table, held_out, false);
    valid_rows = Select(table, held_out, true);
    train_x = &train_rows.features;
    train_y = &train_rows.labels;
  }
  const size_t n_train = train_y->size();

  CAIRN_ASSIGN_OR_RETURN(xgb::DMatrix dtrain,
                         xgb::DenseMatrix(train_x->data(), n_train, cols, train_y->data()));
  xgb::DMatrix dvalid;
  if (n_valid > 0) {
    CAIRN_ASSIGN_OR_RETURN(dvalid, xgb::DenseMatrix(valid_rows.features.data(), n_valid, cols,
                                                    valid_rows.labels.data()));
  }
  std::vector<const xgb::DMatrix*> cached = {&dtrain};
  if (n_valid > 0) cached.push_back(&dvalid);
  CAIRN_ASSIGN_OR_RETURN(xgb::Booster booster, xgb::NewBooster(cached));
  CAIRN_RETURN_IF_ERROR(SetParams(booster, params));
  CAIRN_RETURN_IF_ERROR(xgb::SetFeatureNames(booster, table.columns));

  TrainResult result;
  result.train_rows = n_train;
  result.validation_rows = n_valid;
  double best_loss = std::numeric_limits<double>::infinity();
  int best_round = -1;
  for (int round = 0; round < params.n_estimators; ++round) {
    CAIRN_RETURN_IF_ERROR(xgb::Check(XGBoosterUpdateOneIter(booster.get(), round, dtrain.get()),
                                     "XGBoosterUpdateOneIter"));
    RoundLoss loss;
    loss.round = round;
    CAIRN_ASSIGN_OR_RETURN(std::vector<float> p_train, xgb::Predict(booster, dtrain));
    loss.train = BinaryLogLoss(train_y->data(), p_train.data(), n_train);
    loss.validation = std::numeric_limits<double>::quiet_NaN();
    if (n_valid > 0) {
      CAIRN_ASSIGN_OR_RETURN(std::vector<float> p_valid, xgb::Predict(booster, dvalid));
      loss.validation = BinaryLogLoss(valid_rows.labels.data(), p_valid.data(), n_valid);
    }
    result.history.push_back(loss);
    if (on_round) on_round(loss);
    if (params.early_stopping_rounds > 0) {
      if (loss.validation < best_loss) {
        best_loss = loss.validation;
        best_round = round;
      } else if (round - best_round >= params.early_stopping_rounds) {
        break;
      }
    }
  }

  const int trained = static_cast<int>(result.history.size());
  if (best_round >= 0 && best_round + 1 < trained) {
    BoosterHandle sliced = nullptr;
    CAIRN_RETURN_IF_ERROR(
        xgb::Check(XGBoosterSlice(booster.get(), 0, best_round + 1, 1, &sliced), "XGBoosterSlice"));
    booster = xgb::Booster(sliced);
    CAIRN_RETURN_IF_ERROR(xgb::SetFeatureNames(booster, table.columns));
  }

  auto impl = std::make_unique<Model::Impl>();
  CAIRN_ASSIGN_OR_RETURN(impl->rounds, xgb::BoostedRounds(booster));
  impl->booster = std::move(booster);
  impl->feature_names = table.columns;
  impl->num_features = cols;
  result.model = TrainAccess::Wrap(std::move(impl));
  return result;
}

}  // namespace cairn::ml
