#include <gtest/gtest.h>

#include <cmath>

#include "ml/ml.h"
#include "testing/mem_env.h"

namespace cairn::ml {
namespace {

// Ten rows with a tie at 0.5 between a positive and a negative.
const std::vector<float> kLabels = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0};
const std::vector<float> kProbs = {0.1f, 0.4f, 0.35f, 0.8f, 0.5f, 0.5f, 0.2f, 0.9f, 0.65f, 0.7f};

TEST(MetricsTest, HandComputed) {
  const Metrics m = Score(kLabels, kProbs);
  // p >= 0.5 predicts 1: rows 3, 5, 7, 8 right (tp), 4 and 9 wrong (fp), 2 missed (fn).
  EXPECT_EQ(m.confusion.tp, 4);
  EXPECT_EQ(m.confusion.fp, 2);
  EXPECT_EQ(m.confusion.fn, 1);
  EXPECT_EQ(m.confusion.tn, 3);
  EXPECT_EQ(m.n, 10);
  EXPECT_EQ(m.accuracy, 0.7);
  EXPECT_EQ(m.precision, 4.0 / 6.0);
  EXPECT_EQ(m.recall, 0.8);
  EXPECT_DOUBLE_EQ(m.f1, 16.0 / 22.0);
  // Pairs (positive, negative) ordered right: 2 + 5 + (3 + 0.5 for the tie) + 5 + 4 = 19.5 of 25.
  EXPECT_DOUBLE_EQ(m.roc_auc, 0.78);
}

TEST(MetricsTest, AgreeWithScikitLearn) {
  // Expected values from /usr/bin/python3 with scikit-learn 1.2.1 (Debian 12), probabilities
  // as float32 then float64 (what Score sees), predictions p >= 0.5:
  //   accuracy_score, precision/recall/f1_score(zero_division=0), roc_auc_score,
  //   log_loss(eps=1e-15) (1.2.1's default eps is "auto"; ml.h's definition is 1e-15).
  const Metrics small = Score(kLabels, kProbs);
  EXPECT_EQ(small.f1, 0.7272727272727272);
  EXPECT_NEAR(small.log_loss, 0.5238706004625148, 1e-15);

  // 1000 rows, 101 distinct scores (many ties), labels correlated with them.
  std::vector<float> labels, probs;
  for (int i = 0; i < 1000; ++i) {
    labels.push_back(((i * 37) % 101 + (i * 11) % 50) > 75 ? 1 : 0);
    probs.push_back(static_cast<float>(((i * 37) % 101) / 100.0));
  }
  const Metrics m = Score(labels, probs);
  EXPECT_EQ(m.accuracy, 0.877);
  EXPECT_EQ(m.precision, 0.8653465346534653);
  EXPECT_EQ(m.recall, 0.8882113821138211);
  EXPECT_EQ(m.f1, 0.876629889669007);
  EXPECT_NEAR(m.roc_auc, 0.959595656488061, 1e-15);
  EXPECT_NEAR(m.log_loss, 0.3455700235895538, 1e-15);
  // roc_curve(drop_intermediate=False) has 102 points: (0, 0) and one per distinct score.
  EXPECT_EQ(RocCurve(labels, probs).size(), 102u);

  // Clipping: p = 0 for a positive and p = 1 for a negative cost -log(1e-15) each.
  EXPECT_NEAR(Score({1, 0, 1, 0}, {0, 1, 1e-20f, 0.3f}).log_loss, 25.993450935782718, 1e-12);
}

TEST(MetricsTest, ZeroDivisionAndOneClass) {
  const Metrics none_predicted = Score({0, 1, 0}, {0.1f, 0.2f, 0.3f});
  EXPECT_EQ(none_predicted.precision, 0);
  EXPECT_EQ(none_predicted.f1, 0);
  EXPECT_EQ(none_predicted.recall, 0);
  const Metrics one_class = Score({1, 1}, {0.9f, 0.2f});
  EXPECT_TRUE(std::isnan(one_class.roc_auc));
  EXPECT_EQ(one_class.accuracy, 0.5);
  EXPECT_TRUE(RocCurve({1, 1}, {0.9f, 0.2f}).empty());
}

TEST(MetricsTest, RocCurveCorners) {
  const auto curve = RocCurve(kLabels, kProbs);
  ASSERT_EQ(curve.size(), 10u);  // (0, 0) and 9 distinct scores
  EXPECT_EQ(curve.front().fpr, 0);
  EXPECT_EQ(curve.front().tpr, 0);
  EXPECT_EQ(curve[1].fpr, 0);  // 0.9: a positive
  EXPECT_EQ(curve[1].tpr, 0.2);
  EXPECT_EQ(curve[5].fpr, 0.4);  // the tie at 0.5 moves both at once
  EXPECT_EQ(curve[5].tpr, 0.8);
  EXPECT_EQ(curve.back().fpr, 1);
  EXPECT_EQ(curve.back().tpr, 1);
}

TEST(MetricsTest, MetricsJsonPrintsRoundTripNumbers) {
  Metrics m;
  m.accuracy = 872.0 / 921.0;
  m.precision = 0.1;
  m.recall = 1;
  m.f1 = 0.5;
  m.roc_auc = 0.987;
  m.log_loss = 1e-7;
  m.n = 921;
  EXPECT_EQ(MetricsJson(m),
            "{\n"
            "  \"accuracy\": 0.9467969598262758,\n"
            "  \"precision\": 0.1,\n"
            "  \"recall\": 1.0,\n"
            "  \"f1\": 0.5,\n"
            "  \"roc_auc\": 0.987,\n"
            "  \"log_loss\": 1e-07,\n"
            "  \"n\": 921\n"
            "}\n");
}

TEST(MetricsTest, ReadMetricsFileByDottedKey) {
  testing::MemEnv env;
  Metrics m;
  m.accuracy = 872.0 / 921.0;
  m.n = 921;
  ASSERT_TRUE(env.WriteFile("/metrics.json", MetricsJson(m)).ok());
  auto json = ReadMetricsFile(env, "/metrics.json");
  ASSERT_TRUE(json.ok()) << json.status().ToString();
  EXPECT_EQ(json->at("accuracy"), 872.0 / 921.0);  // round trip exact
  EXPECT_EQ(json->at("n"), 921);

  ASSERT_TRUE(env.WriteFile("/m.yaml", "test:\n  f1: 0.8\n  name: x\n  ok: true\nloss: 2\n").ok());
  auto yaml = ReadMetricsFile(env, "/m.yaml");
  ASSERT_TRUE(yaml.ok()) << yaml.status().ToString();
  EXPECT_EQ(*yaml, (std::map<std::string, double>{{"loss", 2}, {"test.f1", 0.8}}));

  ASSERT_TRUE(env.WriteFile("/none.json", "{\"a\": \"b\"}").ok());
  EXPECT_EQ(ReadMetricsFile(env, "/none.json").status().message(),
            "/none.json: no numeric metrics (expected a mapping of names to numbers, such as "
            "{\"accuracy\": 0.95})");
  EXPECT_EQ(ReadMetricsFile(env, "/missing.json").status().message(),
            "metrics file '/missing.json' does not exist");
  ASSERT_TRUE(env.WriteFile("/bad.json", "{\"a\": }").ok());
  EXPECT_TRUE(ReadMetricsFile(env, "/bad.json").status().message().starts_with("/bad.json:1:7: "));
}

}  // namespace
}  // namespace cairn::ml
