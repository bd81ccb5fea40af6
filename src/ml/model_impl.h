// Module-private: what a Model holds (Model::Impl), and TrainAccess, through which Train (and
// other code of this module) makes a Model around a booster it built.
//
// Not synchronized: a Model is used by one thread at a time (see ml.h).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ml/ml.h"
#include "ml/xgb.h"

namespace cairn::ml {

struct Model::Impl {
  xgb::Booster booster;
  /// The booster's feature names; empty for a model saved without them (then only the
  /// number of columns is checked).
  std::vector<std::string> feature_names;
  size_t num_features = 0;
  int rounds = 0;
};

struct TrainAccess {
  static Model Wrap(std::unique_ptr<Model::Impl> impl) {
    Model model;
    model.impl_ = std::move(impl);
    return model;
  }
};

}  // namespace cairn::ml
