#include <gtest/gtest.h>

#include <charconv>
#include <chrono>
#include <cmath>

#include "ml/ml.h"
#include "testing/mem_env.h"

namespace cairn::ml {
namespace {

constexpr char kSpambase[] = CAIRN_SOURCE_DIR "/examples/spam-filter/data/spambase.csv";

Table Parse(std::string_view text, std::string_view target = "label") {
  auto table = ParseCsv(text, "t.csv", target);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? *table : Table();
}

std::string Error(std::string_view text, std::string_view target = "label") {
  auto table = ParseCsv(text, "data/t.csv", target);
  EXPECT_FALSE(table.ok());
  return table.ok() ? "" : table.status().message();
}

TEST(TableTest, FeaturesAndLabels) {
  const Table t = Parse("a,label,b\n1,0,2.5\n-3e2,1,+4\n");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.features, (std::vector<float>{1, 2.5, -300, 4}));
  EXPECT_EQ(t.labels, (std::vector<float>{0, 1}));
}

TEST(TableTest, MissingCellsAreNaN) {
  // Empty cells and pandas' missing markers (R writes NA).
  const Table t = Parse("a,b,c,label\n,NA, nan ,1\n\"\",N/A,NULL,0\n");
  ASSERT_EQ(t.features.size(), 6u);
  for (float v : t.features) EXPECT_TRUE(std::isnan(v));
}

TEST(TableTest, QuotesCrlfBlankLinesAndBom) {
  const Table t = Parse("\xEF\xBB\xBF\"x, y\",\"label\"\r\n\r\n\"1.5\",1\r\n\n2,0");
  EXPECT_EQ(t.columns, (std::vector<std::string>{"x, y"}));
  EXPECT_EQ(t.features, (std::vector<float>{1.5, 2}));
  EXPECT_EQ(t.labels, (std::vector<float>{1, 0}));
}

TEST(TableTest, NumbersRoundAsPandasThenXgboost) {
  // Read as a double, then rounded to float: 0.1 -> 0.1f; 1e400 overflows to inf as float().
  const Table t = Parse("a,b,label\n0.1,1e400,0\n");
  EXPECT_EQ(t.features[0], 0.1f);
  EXPECT_TRUE(std::isinf(t.features[1]));
}

TEST(TableTest, EveryDecimalReadsAsFromChars) {
  // The reader's fast path for plain decimals must give from_chars' double (then a float):
  // random decimals of 1-21 digits, with and without a point and a sign.
  uint64_t state = 1;
  auto next = [&] { return state = state * 6364136223846793005u + 1442695040888963407u; };
  std::string text = "x,label\n";
  std::vector<std::string> cells;
  for (int i = 0; i < 20000; ++i) {
    std::string cell = (next() >> 63) != 0 ? "-" : "";
    const int digits = 1 + static_cast<int>((next() >> 33) % 21);
    const int point = static_cast<int>((next() >> 33) % (digits + 2));
    for (int d = 0; d < digits; ++d) {
      if (d == point) cell += '.';
      cell += static_cast<char>('0' + (next() >> 33) % 10);
    }
    cells.push_back(cell);
    text += cell + ",0\n";
  }
  const Table t = Parse(text);
  ASSERT_EQ(t.rows(), cells.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    double expected = 0;
    std::from_chars(cells[i].data(), cells[i].data() + cells[i].size(), expected);
    ASSERT_EQ(t.features[i], static_cast<float>(expected)) << cells[i];
  }
}

TEST(TableTest, NoTargetOrOptionalTarget) {
  const Table none = Parse("a,b\n1,2\n", "");
  EXPECT_EQ(none.columns.size(), 2u);
  EXPECT_TRUE(none.labels.empty());
  auto optional = ParseCsv("a,b\n1,2\n", "t.csv", "label", /*target_optional=*/true);
  ASSERT_TRUE(optional.ok()) << optional.status().ToString();
  EXPECT_EQ(optional->columns.size(), 2u);
  EXPECT_TRUE(optional->labels.empty());
}

TEST(TableTest, ErrorsNameFileLineColumnAndCell) {
  EXPECT_EQ(Error("a,b,label\n1,2,0\n3,x7,1\n"), "data/t.csv:3:3: b: expected a number, got 'x7'");
  EXPECT_EQ(Error("a,b,label\n1,2,0\n3,4,2\n"),
            "data/t.csv:3:5: label: expected 0 or 1 (the target), got '2'");
  EXPECT_EQ(Error("a,b,label\n1,2,\n"),
            "data/t.csv:2:5: label: expected 0 or 1 (the target), got ''");
  // Columns count code points: "é" is one column.
  EXPECT_EQ(Error("é,b,,label\n1,2,3,0\n"),
            "data/t.csv:1:5: column 3 has no name (every column needs one in the header)");
  // A quoted cell spanning lines moves the line count.
  EXPECT_EQ(Error("\"x\ny\",b,label\n1,z,0\n"), "data/t.csv:3:3: b: expected a number, got 'z'");
}

TEST(TableTest, ErrorsOnCellCounts) {
  EXPECT_EQ(Error("a,b,label\n1,2,0\n1,2\n"),
            "data/t.csv:3:4: expected 3 cells (as the header has), got 2");
  EXPECT_EQ(Error("a,b,label\n1,2,0,9,9\n"),
            "data/t.csv:2:7: expected 3 cells (as the header has), got 5");
}

TEST(TableTest, ErrorsOnHeaderAndShape) {
  EXPECT_EQ(Error("a,Label,b\n1,0,2\n"),
            "no column 'label' in data/t.csv (did you mean 'Label'?); columns: a, Label, b");
  EXPECT_EQ(Error(""), "data/t.csv: empty file: expected a header line");
  EXPECT_EQ(Error("a,label\n\n"), "data/t.csv: no data rows (only a header line)");
  EXPECT_EQ(Error("a,,label\n1,2,0\n"),
            "data/t.csv:1:3: column 2 has no name (every column needs one in the header)");
  EXPECT_EQ(Error("a,b,a,label\n1,2,3,0\n"),
            "data/t.csv:1:5: column 'a' appears twice (also column 1)");
  EXPECT_EQ(Error("label\n1\n"), "data/t.csv: no feature columns (only the target 'label')");
  EXPECT_EQ(Error("a,label\n\"1,0\n"), "data/t.csv:2:1: unterminated quoted cell");
  EXPECT_EQ(Error("a,label\n\"1\"x,0\n"),
            "data/t.csv:2:4: expected ',' or the end of the line after a quoted cell");
}

TEST(TableTest, ReadCsvNamesAMissingFile) {
  testing::MemEnv env;
  auto table = ReadCsv(env, "/nope.csv", "label");
  EXPECT_TRUE(table.status().IsNotFound());
  EXPECT_EQ(table.status().message(), "/nope.csv: no such file");
}

TEST(TableTest, SpambaseReadsWholeAndFast) {
  auto env = sys::NewPosixEnv();
  auto text = env->ReadFile(kSpambase);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const auto start = std::chrono::steady_clock::now();
  auto table = ParseCsv(*text, kSpambase, "label");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->rows(), 4601u);
  EXPECT_EQ(table->columns.size(), 57u);
  EXPECT_EQ(table->columns.front(), "make");
  EXPECT_EQ(table->columns.back(), "capitalTotal");
  size_t spam = 0;
  for (float y : table->labels) spam += y == 1 ? 1 : 0;
  EXPECT_EQ(spam, 1813u);
  // The first row: ...,3.756,61,278,1.
  EXPECT_EQ(table->features[54], 3.756f);
  EXPECT_EQ(table->features[56], 278.0f);
  // A few ms in Release; generous for sanitizer builds at -O0.
  EXPECT_LT(std::chrono::duration<double>(elapsed).count(), 0.5);
}

}  // namespace
}  // namespace cairn::ml
