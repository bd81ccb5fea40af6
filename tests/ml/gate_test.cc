#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "ml/ml.h"

namespace cairn::ml {
namespace {

Condition Parse(std::string_view text) {
  auto c = ParseCondition(text);
  EXPECT_TRUE(c.ok()) << text << ": " << c.status().ToString();
  return c.ok() ? *c : Condition();
}

std::string ParseError(std::string_view text) {
  auto c = ParseCondition(text);
  EXPECT_FALSE(c.ok()) << text << " parsed";
  EXPECT_TRUE(c.status().IsInvalidArgument()) << c.status().ToString();
  return c.status().message();
}

ConditionResult Check(std::string_view condition, const std::map<std::string, double>& metrics) {
  auto results = CheckConditions({Parse(condition)}, metrics);
  EXPECT_EQ(results.size(), 1u);
  return results.empty() ? ConditionResult() : results[0];
}

TEST(GateTest, ParsesOperatorsAndNormalizesSpacing) {
  Condition c = Parse("accuracy >= 0.85");
  EXPECT_EQ(c.metric, "accuracy");
  EXPECT_EQ(c.op, CompareOp::kGe);
  EXPECT_EQ(c.bar, 0.85);
  EXPECT_EQ(c.text, "accuracy >= 0.85");

  c = Parse("  f1>0.8\t");
  EXPECT_EQ(c.op, CompareOp::kGt);
  EXPECT_EQ(c.text, "f1 > 0.8");
  c = Parse("test/roc-auc.v2_x <=1e-3");
  EXPECT_EQ(c.metric, "test/roc-auc.v2_x");
  EXPECT_EQ(c.op, CompareOp::kLe);
  EXPECT_EQ(c.bar, 0.001);
  EXPECT_EQ(c.text, "test/roc-auc.v2_x <= 1e-3");  // the number as written
  c = Parse("loss<-0.5");
  EXPECT_EQ(c.op, CompareOp::kLt);
  EXPECT_EQ(c.bar, -0.5);
  EXPECT_EQ(c.text, "loss < -0.5");
  EXPECT_EQ(Parse("n == 921").op, CompareOp::kEq);
  EXPECT_EQ(Parse("n != 0").op, CompareOp::kNe);
}

TEST(GateTest, ParseErrorsQuoteTheTextAndNameTheColumn) {
  const std::string ops = "an operator (>=, >, <=, <, ==, !=)";
  EXPECT_EQ(ParseError(""),
            "condition '', column 1: expected a metric name (letters, digits, '_', '.', '-', '/'), "
            "got the end of the text");
  EXPECT_EQ(ParseError(">= 0.85"),
            "condition '>= 0.85', column 1: expected a metric name (letters, digits, '_', '.', "
            "'-', '/'), got '>='");
  EXPECT_EQ(ParseError("accuracy"),
            "condition 'accuracy', column 9: expected " + ops + ", got the end of the text");
  EXPECT_EQ(ParseError("accuracy = 0.85"), "condition 'accuracy = 0.85', column 10: expected " +
                                               ops + ", got '=' (use == to compare for equality)");
  EXPECT_EQ(ParseError("accuracy => 0.85"), "condition 'accuracy => 0.85', column 10: expected " +
                                                ops + ", got '=>' (did you mean '>='?)");
  EXPECT_EQ(ParseError("accuracy >== 0.85"),
            "condition 'accuracy >== 0.85', column 10: expected " + ops + ", got '>=='");
  EXPECT_EQ(ParseError("accuracy >= "),
            "condition 'accuracy >= ', column 13: expected a number, got the end of the text");
  EXPECT_EQ(ParseError("accuracy >= 85%"),
            "condition 'accuracy >= 85%', column 13: expected a number, got '85%'");
  EXPECT_EQ(ParseError("accuracy >= nan"),
            "condition 'accuracy >= nan', column 13: expected a finite number, got 'nan'");
  EXPECT_EQ(ParseError("accuracy >= 0.85 and f1 >= 0.8"),
            "condition 'accuracy >= 0.85 and f1 >= 0.8', column 18: expected the end of the "
            "condition, got 'and' (give each condition as its own argument: 'accuracy >= 0.85' "
            "'f1 >= 0.8')");
}

TEST(GateTest, PassingConditionsShowValueAndBar) {
  std::map<std::string, double> metrics = {
      {"accuracy", 0.946812345}, {"log_loss", 0.1234}, {"n", 921}, {"f1", 0.9}};
  ConditionResult r = Check("accuracy >= 0.85", metrics);
  EXPECT_TRUE(r.passed);
  ASSERT_TRUE(r.value.has_value());
  EXPECT_EQ(*r.value, 0.946812345);
  EXPECT_EQ(r.message, "accuracy = 0.9468 >= 0.85: passed");
  EXPECT_EQ(Check("log_loss < 0.25", metrics).message, "log_loss = 0.1234 < 0.25: passed");
  EXPECT_EQ(Check("n >= 100", metrics).message, "n = 921 >= 100: passed");
  EXPECT_EQ(Check("f1 == 0.9", metrics).message, "f1 = 0.9 == 0.9: passed");
  EXPECT_EQ(Check("f1 != 0.8", metrics).message, "f1 = 0.9 != 0.8: passed");
}

TEST(GateTest, FailuresSayWhichSideOfTheBar) {
  std::map<std::string, double> metrics = {{"accuracy", 0.7891}, {"log_loss", 0.31}, {"f1", 0.85}};
  ConditionResult r = Check("accuracy >= 0.85", metrics);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.message, "accuracy = 0.7891 is below the bar: needs >= 0.85");
  EXPECT_EQ(Check("accuracy > 0.8", metrics).message,
            "accuracy = 0.7891 is below the bar: needs > 0.8");
  EXPECT_EQ(Check("log_loss <= 0.25", metrics).message,
            "log_loss = 0.31 is above the bar: needs <= 0.25");
  EXPECT_EQ(Check("f1 > 0.85", metrics).message,
            "f1 = 0.85 is equal to the bar, not above it: needs > 0.85");
  EXPECT_EQ(Check("f1 < 0.85", metrics).message,
            "f1 = 0.85 is equal to the bar, not below it: needs < 0.85");
  EXPECT_EQ(Check("f1 == 0.8", metrics).message, "f1 = 0.85 is not equal to the bar: needs == 0.8");
  EXPECT_EQ(Check("f1 != 0.85", metrics).message, "f1 = 0.85 is equal to the bar: needs != 0.85");
}

TEST(GateTest, NeverRoundsAFailingValueIntoAPass) {
  std::map<std::string, double> metrics = {{"accuracy", 0.84999}, {"f1", 0.8500000001}};
  ConditionResult r = Check("accuracy >= 0.85", metrics);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.message, "accuracy = 0.84999 is below the bar: needs >= 0.85");
  // Nor a pass into looking like a failure, nor a value unequal to the bar as equal to it.
  EXPECT_EQ(Check("f1 > 0.85", metrics).message, "f1 = 0.8500000001 > 0.85: passed");
  EXPECT_EQ(Check("f1 == 0.85", metrics).message,
            "f1 = 0.8500000001 is not equal to the bar: needs == 0.85");
  // The nearest double below the bar needs every digit.
  double below = std::nextafter(0.85, 0.0);
  EXPECT_EQ(Check("accuracy >= 0.85", {{"accuracy", below}}).message,
            "accuracy = 0.8499999999999999 is below the bar: needs >= 0.85");
  // A tiny value keeps its first digits rather than printing as 0.
  EXPECT_EQ(Check("loss <= 0", {{"loss", 0.0000123}}).message,
            "loss = 0.00001 is above the bar: needs <= 0");
}

TEST(GateTest, MissingMetricFailsNamingTheMetricsThereAre) {
  std::map<std::string, double> metrics = {{"accuracy", 0.9}, {"f1", 0.8}, {"roc_auc", 0.95}};
  ConditionResult r = Check("acc >= 0.85", metrics);
  EXPECT_FALSE(r.passed);
  EXPECT_FALSE(r.value.has_value());
  EXPECT_EQ(r.message, "no metric 'acc' in the metrics (there are: accuracy, f1, roc_auc)");
  EXPECT_EQ(Check("acc >= 0.85", {}).message, "no metric 'acc' in the metrics (there are none)");
}

TEST(GateTest, NanPassesNothing) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  ConditionResult r = Check("roc_auc >= 0.9", {{"roc_auc", nan}});
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.message, "roc_auc = nan is not a number, so it cannot pass: needs >= 0.9");
  EXPECT_FALSE(Check("roc_auc != 0.5", {{"roc_auc", nan}}).passed);
}

TEST(GateTest, ChecksEveryConditionInOrder) {
  std::vector<Condition> conditions = {Parse("accuracy >= 0.85"), Parse("f1 >= 0.9"),
                                       Parse("precision > 0")};
  auto results = CheckConditions(conditions, {{"accuracy", 0.9}, {"f1", 0.8}});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].passed);
  EXPECT_FALSE(results[1].passed);
  EXPECT_FALSE(results[2].passed);
  EXPECT_EQ(results[1].condition.text, "f1 >= 0.9");
  EXPECT_EQ(results[2].message, "no metric 'precision' in the metrics (there are: accuracy, f1)");
}

}  // namespace
}  // namespace cairn::ml
