#include <gtest/gtest.h>

#include "core/yaml.h"
#include "data/params.h"
#include "ml/ml.h"

namespace cairn::ml {
namespace {

Result<TrainParams> FromYaml(std::string_view yaml) {
  auto root = core::ParseYaml(yaml, "params.yaml");
  EXPECT_TRUE(root.ok()) << root.status().ToString();
  return ParseTrainParams(*root, "params.yaml");
}

std::string Error(std::string_view yaml) {
  auto params = FromYaml(yaml);
  EXPECT_FALSE(params.ok());
  return params.ok() ? "" : params.status().message();
}

TEST(TrainParamsTest, ReadsTheTrainSection) {
  auto p = FromYaml(
      "split: {test_size: 0.2}\n"
      "train:\n"
      "  n_estimators: 300\n"
      "  max_depth: 4\n"
      "  eta: 0.05\n"
      "  subsample: 0.9\n"
      "  colsample_bytree: 1\n"
      "  lambda: 2\n"
      "  alpha: 0.5\n"
      "  gamma: 0.1\n"
      "  min_child_weight: 3\n"
      "  max_bin: 128\n"
      "  validation_fraction: 0.2\n"
      "  early_stopping_rounds: 10\n"
      "  seed: 7\n");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->n_estimators, 300);
  EXPECT_EQ(p->max_depth, 4);
  EXPECT_EQ(p->learning_rate, 0.05);
  EXPECT_EQ(p->subsample, 0.9);
  EXPECT_EQ(p->colsample_bytree, 1.0);
  EXPECT_EQ(p->reg_lambda, 2.0);
  EXPECT_EQ(p->reg_alpha, 0.5);
  EXPECT_EQ(p->gamma, 0.1);
  EXPECT_EQ(p->min_child_weight, 3.0);
  EXPECT_EQ(p->max_bin, 128);
  EXPECT_EQ(p->validation_fraction, 0.2);
  EXPECT_EQ(p->early_stopping_rounds, 10);
  EXPECT_EQ(p->seed, 7u);
  EXPECT_EQ(p->threads, 1);  // not from the file
}

TEST(TrainParamsTest, RootWithoutATrainSectionAndDefaults) {
  auto flat = FromYaml("learning_rate: 0.1\nreg_lambda: 0\n");
  ASSERT_TRUE(flat.ok()) << flat.status().ToString();
  EXPECT_EQ(flat->learning_rate, 0.1);
  EXPECT_EQ(flat->reg_lambda, 0.0);
  EXPECT_EQ(flat->n_estimators, 100);
  auto empty = FromYaml("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->max_depth, 6);
  auto null_train = FromYaml("train:\n");
  ASSERT_TRUE(null_train.ok());
  EXPECT_EQ(null_train->seed, 42u);
}

TEST(TrainParamsTest, JsonParamsFilesToo) {
  auto root = data::ParseParams(R"({"train": {"max_depth": 3, "eta": 0.2}})", "params.json");
  ASSERT_TRUE(root.ok());
  auto p = ParseTrainParams(*root, "params.json");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->max_depth, 3);
  EXPECT_EQ(p->learning_rate, 0.2);
  auto bad =
      ParseTrainParams(*data::ParseParams(R"({"train": {"max_depth": "3"}})", "p.json"), "p.json");
  EXPECT_EQ(bad.status().message(),
            "p.json:1:25: train.max_depth: expected an integer >= 0, got the string '3'");
}

TEST(TrainParamsTest, ErrorsNameTheKeyAndPlace) {
  EXPECT_EQ(Error("train:\n  max_depth: 2.5\n"),
            "params.yaml:2:14: train.max_depth: expected an integer >= 0, got 2.5");
  EXPECT_EQ(Error("train:\n  n_estimators: 0\n"),
            "params.yaml:2:17: train.n_estimators: expected an integer >= 1, got 0");
  EXPECT_EQ(Error("train:\n  subsample: 1.5\n"),
            "params.yaml:2:14: train.subsample: expected a number in (0, 1], got 1.5");
  EXPECT_EQ(Error("train:\n  learning_rate: true\n"),
            "params.yaml:2:18: train.learning_rate: expected a number > 0, got a boolean");
  EXPECT_EQ(Error("train:\n  gamma: .nan\n"),
            "params.yaml:2:10: train.gamma: expected a number >= 0, got .nan");
  EXPECT_EQ(Error("train:\n  validation_fraction: 1\n"),
            "params.yaml:2:24: train.validation_fraction: expected a number in [0, 1), got 1");
  EXPECT_EQ(Error("train:\n  seed: -1\n"),
            "params.yaml:2:9: train.seed: expected an integer in [0, 2^63), got -1");
  EXPECT_EQ(Error("train:\n  max_dept: 3\n"),
            "params.yaml:2:3: train.max_dept: unknown training parameter (did you mean "
            "'max_depth'?); known: n_estimators, max_depth, learning_rate, eta, subsample, "
            "colsample_bytree, min_child_weight, reg_lambda, lambda, reg_alpha, alpha, gamma, "
            "max_bin, validation_fraction, early_stopping_rounds, seed");
  EXPECT_EQ(Error("train:\n  eta: 0.1\n  learning_rate: 0.2\n"),
            "params.yaml:3:3: train.learning_rate: the same parameter as train.eta (at "
            "params.yaml:2:3): give one of them");
  EXPECT_EQ(Error("train:\n  threads: 4\n"),
            "params.yaml:2:3: train.threads: the number of threads is not read from the params "
            "file (it is a property of the machine, not of the model): pass --threads");
  EXPECT_EQ(Error("train:\n  validation_fraction: 0\n  early_stopping_rounds: 5\n"),
            "params.yaml:3:26: train.early_stopping_rounds: early stopping needs validation rows "
            "(train.validation_fraction > 0)");
  EXPECT_EQ(Error("train: [1, 2]\n"),
            "params.yaml:1:8: train: expected a mapping of training parameters, got a sequence");
  EXPECT_EQ(Error("max_depth: x\n"),
            "params.yaml:1:12: max_depth: expected an integer >= 0, "
            "got the string 'x'");
}

TEST(TrainParamsTest, LoggedAsPythonPrintsThem) {
  TrainParams p;
  p.learning_rate = 0.1;
  p.subsample = 1;
  auto logged = ParamsForLogging(p);
  std::map<std::string, std::string> m(logged.begin(), logged.end());
  EXPECT_EQ(logged.front().first, "n_estimators");
  EXPECT_EQ(m["n_estimators"], "100");
  EXPECT_EQ(m["max_depth"], "6");
  EXPECT_EQ(m["learning_rate"], "0.1");
  EXPECT_EQ(m["subsample"], "1.0");
  EXPECT_EQ(m["reg_alpha"], "0.0");
  EXPECT_EQ(m["seed"], "42");
  EXPECT_EQ(m["validation_fraction"], "0.1");
  EXPECT_EQ(m.size(), logged.size());  // no name twice
}

}  // namespace
}  // namespace cairn::ml
