#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <regex>

#include "ml/ml.h"
#include "sys/temp_dir.h"

namespace cairn::ml {
namespace {

constexpr char kSpambase[] = CAIRN_SOURCE_DIR "/examples/spam-filter/data/spambase.csv";

/// The spambase data split 80/20 (SplitCsv, seed 42), read once for the whole binary.
struct Spambase {
  Table all, train, test;
};
const Spambase& Data() {
  static const Spambase* data = [] {
    auto env = sys::NewPosixEnv();
    auto dir = sys::TempDir::Create("ml-model-test-");
    EXPECT_TRUE(dir.ok());
    auto* d = new Spambase;
    auto counts = SplitCsv(*env, kSpambase, dir->Path("train.csv"), dir->Path("test.csv"), {});
    EXPECT_TRUE(counts.ok()) << counts.status().ToString();
    d->all = *ReadCsv(*env, kSpambase, "label");
    d->train = *ReadCsv(*env, dir->Path("train.csv"), "label");
    d->test = *ReadCsv(*env, dir->Path("test.csv"), "label");
    return d;
  }();
  return *data;
}

/// Small and fast, but exercising the seeded parts (row and column subsampling).
TrainParams SmallParams() {
  TrainParams p;
  p.n_estimators = 20;
  p.subsample = 0.8;
  p.colsample_bytree = 0.8;
  p.threads = 1;
  return p;
}

double Accuracy(const std::vector<float>& labels, const std::vector<float>& p) {
  size_t right = 0;
  for (size_t i = 0; i < labels.size(); ++i) right += (p[i] >= 0.5f) == (labels[i] == 1);
  return static_cast<double>(right) / static_cast<double>(labels.size());
}

std::string Bytes(const Model& model, const std::string& path) {
  EXPECT_TRUE(model.Save(path).ok());
  auto bytes = sys::NewPosixEnv()->ReadFile(path);
  return bytes.ok() ? *bytes : "";
}

TEST(ModelTest, TrainingIsDeterministicForASeed) {
  auto dir = *sys::TempDir::Create("ml-model-test-");
  auto a = Train(Data().train, SmallParams());
  auto b = Train(Data().train, SmallParams());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(Bytes(a->model, dir.Path("a.json")), Bytes(b->model, dir.Path("b.json")));
  EXPECT_EQ(*a->model.PredictProba(Data().test), *b->model.PredictProba(Data().test));
  ASSERT_EQ(a->history.size(), b->history.size());
  for (size_t i = 0; i < a->history.size(); ++i) {
    EXPECT_EQ(a->history[i].train, b->history[i].train);
    EXPECT_EQ(a->history[i].validation, b->history[i].validation);
  }

  // ...and the seed matters.
  TrainParams other = SmallParams();
  other.seed = 7;
  auto c = Train(Data().train, other);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(Bytes(a->model, dir.Path("a.json")), Bytes(c->model, dir.Path("c.json")));
}

TEST(ModelTest, DefaultParamsReachTheIssuesAccuracy) {
  TrainParams p;  // the defaults, but half the rounds (this also runs under ASan)
  p.n_estimators = 50;
  std::vector<RoundLoss> seen;
  auto result = Train(Data().train, p, [&](const RoundLoss& r) { seen.push_back(r); });
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  // 3680 training rows; validation_fraction 0.1 holds out ceil(3680 * 0.1) = 368 of them.
  EXPECT_EQ(Data().train.rows(), 3680u);
  EXPECT_EQ(result->validation_rows, 368u);
  EXPECT_EQ(result->train_rows, 3680u - 368u);
  EXPECT_EQ(result->model.rounds(), 50);
  ASSERT_EQ(result->history.size(), 50u);
  ASSERT_EQ(seen.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(seen[i].round, i);
    EXPECT_EQ(seen[i].train, result->history[i].train);
  }
  // The loss falls: training loss steadily, validation loss overall.
  EXPECT_LT(result->history.back().train, result->history.front().train / 4);
  EXPECT_LT(result->history.back().validation, result->history.front().validation / 2);
  EXPECT_GT(result->history.back().validation, 0);

  auto p_test = result->model.PredictProba(Data().test);
  ASSERT_TRUE(p_test.ok()) << p_test.status().ToString();
  ASSERT_EQ(p_test->size(), 921u);
  EXPECT_GE(Accuracy(Data().test.labels, *p_test), 0.93);
}

TEST(ModelTest, NoValidationSet) {
  TrainParams p = SmallParams();
  p.n_estimators = 3;
  p.validation_fraction = 0;
  auto result = Train(Data().train, p);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->validation_rows, 0u);
  EXPECT_EQ(result->train_rows, 3680u);
  EXPECT_TRUE(std::isnan(result->history[0].validation));
}

TEST(ModelTest, EarlyStoppingKeepsTheBestRound) {
  TrainParams p = SmallParams();
  p.n_estimators = 200;
  p.learning_rate = 1.0;  // overfits fast, so the validation loss turns up early
  p.early_stopping_rounds = 3;
  auto result = Train(Data().train, p);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& h = result->history;
  ASSERT_LT(h.size(), 200u) << "did not stop early";
  const auto best = std::min_element(
      h.begin(), h.end(),
      [](const RoundLoss& a, const RoundLoss& b) { return a.validation < b.validation; });
  EXPECT_EQ(result->model.rounds(), best->round + 1);
  EXPECT_EQ(static_cast<int>(h.size()), best->round + 1 + 3);

  // The kept model is the best round's: retraining with exactly that many rounds predicts
  // the same.
  TrainParams fixed = SmallParams();
  fixed.n_estimators = best->round + 1;
  fixed.learning_rate = 1.0;
  auto same = Train(Data().train, fixed);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*result->model.PredictProba(Data().test), *same->model.PredictProba(Data().test));
}

TEST(ModelTest, SaveAndLoadKeepPredictionsAndFeatureNames) {
  auto dir = *sys::TempDir::Create("ml-model-test-");
  TrainParams p = SmallParams();
  p.n_estimators = 5;
  auto trained = Train(Data().train, p);
  ASSERT_TRUE(trained.ok());
  const std::vector<float> expected = *trained->model.PredictProba(Data().test);
  for (const char* name : {"model.json", "model.ubj", "model.xgb"}) {
    SCOPED_TRACE(name);
    const std::string path = dir.Path(name);
    ASSERT_TRUE(trained->model.Save(path).ok());
    auto loaded = Model::Load(path);
    ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
    EXPECT_EQ(loaded->feature_names(), Data().train.columns);
    EXPECT_EQ(loaded->rounds(), 5);
    EXPECT_EQ(*loaded->PredictProba(Data().test), expected);
  }
  // The JSON is XGBoost's own, feature names included (what xgboost.Booster reads).
  const std::string json = *sys::NewPosixEnv()->ReadFile(dir.Path("model.json"));
  EXPECT_NE(json.find(R"("feature_names":["make","address",)"), std::string::npos);
  EXPECT_NE(json.find(R"("objective")"), std::string::npos);
  // The binary format's extra attribute for the names stays out of the other formats.
  ASSERT_TRUE(trained->model.Save(dir.Path("model.json")).ok());
  EXPECT_EQ(sys::NewPosixEnv()->ReadFile(dir.Path("model.json"))->find("cairn.feature_names"),
            std::string::npos);
  // Saving leaves no temporary file behind.
  EXPECT_EQ(sys::NewPosixEnv()->ListDir(dir.path())->size(), 3u);
}

TEST(ModelTest, PredictRequiresTheModelsColumns) {
  TrainParams p = SmallParams();
  p.n_estimators = 1;
  auto trained = Train(Data().train, p);
  ASSERT_TRUE(trained.ok());
  Table renamed = Data().test;
  renamed.columns[2] = "everything";
  auto r = trained->model.PredictProba(renamed);
  EXPECT_EQ(r.status().message(),
            "the data's feature columns differ from the model's (57 columns, the model expects "
            "57): column 3 is 'everything', the model expects 'all'");
  Table fewer;
  fewer.columns = {"make"};
  fewer.features = {0};
  EXPECT_EQ(trained->model.PredictProba(fewer).status().message(),
            "the data's feature columns differ from the model's (1 columns, the model expects "
            "57): column 2 'address' is missing");
}

TEST(ModelTest, TrainRejectsBadInput) {
  Table unlabeled = Data().test;
  unlabeled.labels.clear();
  EXPECT_EQ(Train(unlabeled, SmallParams()).status().message(),
            "the training data has no labels (no target column)");
  TrainParams p = SmallParams();
  p.subsample = 0;
  EXPECT_EQ(Train(Data().test, p).status().message(),
            "train.subsample: expected a number in (0, 1], got 0");
  p = SmallParams();
  p.validation_fraction = 0;
  p.early_stopping_rounds = 5;
  EXPECT_EQ(Train(Data().test, p).status().message(),
            "train.early_stopping_rounds: early stopping needs validation rows "
            "(validation_fraction > 0)");
  Table tiny;
  tiny.columns = {"x"};
  tiny.features = {1};
  tiny.labels = {1};
  p = SmallParams();
  EXPECT_EQ(Train(tiny, p).status().message(),
            "train.validation_fraction: 0.1 of 1 rows leaves no rows to train on");
}

TEST(ModelTest, LoadErrorsNameThePath) {
  auto dir = *sys::TempDir::Create("ml-model-test-");
  auto missing = Model::Load(dir.Path("none.json"));
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_EQ(missing.status().message(), dir.Path("none.json") + ": no such model file");
  ASSERT_TRUE(sys::NewPosixEnv()->WriteFile(dir.Path("bad.json"), "{\"not\": \"a model\"}").ok());
  auto bad = Model::Load(dir.Path("bad.json"));
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_TRUE(
      bad.status().message().starts_with(dir.Path("bad.json") + ": not a model XGBoost can load: "))
      << bad.status().message();
  EXPECT_FALSE(Model().Save(dir.Path("empty.json")).ok());
}

TEST(ModelTest, XgboostVersion) {
  EXPECT_TRUE(std::regex_match(XgboostVersion(), std::regex(R"(\d+\.\d+\.\d+)")))
      << XgboostVersion();
}

}  // namespace
}  // namespace cairn::ml
