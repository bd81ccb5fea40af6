// matrix: GitHub's expansion of strategy.matrix (product, exclude, include) and leg names.
#include "workflow/matrix.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "core/yaml.h"

namespace cairn::workflow {
namespace {

core::Value Yaml(std::string_view text) {
  core::Result<core::Value> v = core::ParseYaml(text, "ci.yml");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : core::Value();
}

Matrix Expand(std::string_view text) {
  core::Result<Matrix> m = ExpandMatrix(Yaml(text));
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? *m : Matrix();
}

// Each leg as compact JSON, keys in order.
std::vector<std::string> Legs(const Matrix& m) {
  std::vector<std::string> out;
  for (const MatrixLeg& leg : m.legs) out.push_back(core::ToJson(leg.values));
  return out;
}

std::vector<std::string> Names(const Matrix& m, std::string_view job) {
  std::vector<std::string> out;
  for (const MatrixLeg& leg : m.legs) out.push_back(leg.DisplayName(job));
  return out;
}

std::string Error(std::string_view text) {
  core::Result<Matrix> m = ExpandMatrix(Yaml(text));
  EXPECT_FALSE(m.ok());
  return m.ok() ? "" : m.status().message();
}

TEST(MatrixTest, ProductInKeyOrderFirstKeySlowest) {
  Matrix m = Expand("os: [ubuntu-latest, windows-latest]\nversion: [10, 12, 14]\n");
  EXPECT_EQ(Legs(m), (std::vector<std::string>{
                         R"({"os":"ubuntu-latest","version":10})",
                         R"({"os":"ubuntu-latest","version":12})",
                         R"({"os":"ubuntu-latest","version":14})",
                         R"({"os":"windows-latest","version":10})",
                         R"({"os":"windows-latest","version":12})",
                         R"({"os":"windows-latest","version":14})",
                     }));
  EXPECT_EQ(m.legs[0].DisplayName("build"), "build (ubuntu-latest, 10)");
}

TEST(MatrixTest, NamesPrintNumbersAsGitHubDoes) {
  // YAML 3.10 is the number 3.1: GitHub's job name shows "3.1" (a classic surprise).
  Matrix m = Expand("python: [3.10, '3.11', 1e20, true]\n");
  EXPECT_EQ(Names(m, "test"),
            (std::vector<std::string>{"test (3.1)", "test (3.11)", "test (1E+20)", "test (true)"}));
  // The context keeps the value as written.
  EXPECT_EQ(m.legs[0].values.Find("python")->raw(), "3.10");
}

TEST(MatrixTest, NamesTakeNestedScalarsDepthFirstAndSkipEmpty) {
  Matrix m = Expand("node:\n  - {version: 14, npm: 6}\n  - {version: 16, npm: ''}\nflag: [~]\n");
  EXPECT_EQ(Names(m, "build"), (std::vector<std::string>{"build (14, 6)", "build (16)"}));
}

TEST(MatrixTest, LongNamesAreCutAtOneHundredCharacters) {
  Matrix m = Expand("a: ['" + std::string(120, 'x') + "']\n");
  std::string name = m.legs[0].DisplayName("job");
  EXPECT_EQ(name.size(), 100u);
  EXPECT_EQ(name.substr(97), "...");
  // Lengths are .NET's (UTF-16 units), and a character is never cut in half.
  std::string e_acute = "\xC3\xA9";
  std::string long_name;
  for (int i = 0; i < 120; ++i) long_name += e_acute;
  name = Expand("a: [x]\n").legs[0].DisplayName(long_name);
  EXPECT_EQ(name, long_name.substr(0, 97 * 2) + "...");
  EXPECT_EQ(Expand("a: [x]\n").legs[0].DisplayName(std::string(96, 'j')),
            std::string(96, 'j') + " (x)");  // exactly 100: kept whole
}

// GitHub docs, "Excluding matrix configurations".
TEST(MatrixTest, ExcludeRemovesCombinationsMatchingEveryKey) {
  Matrix m = Expand(R"(
os: [macos-latest, windows-latest]
version: [12, 14, 16]
environment: [staging, production]
exclude:
  - os: macos-latest
    version: 12
    environment: production
  - os: windows-latest
    version: 16
)");
  EXPECT_EQ(m.legs.size(), 12u - 1 - 2);
  for (const MatrixLeg& leg : m.legs) {
    std::string s = core::ToJson(leg.values);
    EXPECT_NE(s, R"({"os":"macos-latest","version":12,"environment":"production"})");
    EXPECT_EQ(s.find(R"("windows-latest","version":16)"), std::string::npos) << s;
  }
}

TEST(MatrixTest, ExcludeComparesAsGitHubsEquals) {
  // Strings ignore case; '12' equals 12; nested mappings match on the leaves written.
  Matrix m = Expand(R"(
os: [Linux, windows]
v: [12, 14]
cfg: [{name: a, x: 1}, {name: b, x: 1}]
exclude:
  - os: LINUX
    v: '12'
  - cfg: {name: b}
)");
  EXPECT_EQ(Legs(m), (std::vector<std::string>{
                         R"({"os":"Linux","v":14,"cfg":{"name":"a","x":1}})",
                         R"({"os":"windows","v":12,"cfg":{"name":"a","x":1}})",
                         R"({"os":"windows","v":14,"cfg":{"name":"a","x":1}})",
                     }));
}

// GitHub docs, "Expanding or adding matrix configurations": the documented result.
TEST(MatrixTest, IncludeFruitAnimalExampleFromGitHubDocs) {
  Matrix m = Expand(R"(
fruit: [apple, pear]
animal: [cat, dog]
include:
  - color: green
  - color: pink
    animal: cat
  - fruit: apple
    shape: circle
  - fruit: banana
  - fruit: banana
    animal: cat
)");
  EXPECT_EQ(Legs(m), (std::vector<std::string>{
                         R"({"fruit":"apple","animal":"cat","color":"pink","shape":"circle"})",
                         R"({"fruit":"apple","animal":"dog","color":"green","shape":"circle"})",
                         R"({"fruit":"pear","animal":"cat","color":"pink"})",
                         R"({"fruit":"pear","animal":"dog","color":"green"})",
                         R"({"fruit":"banana"})",
                         R"({"fruit":"banana","animal":"cat"})",
                     }));
  // Names show the original values only; new combinations show all of theirs.
  EXPECT_EQ(Names(m, "job"),
            (std::vector<std::string>{"job (apple, cat)", "job (apple, dog)", "job (pear, cat)",
                                      "job (pear, dog)", "job (banana)", "job (banana, cat)"}));
  EXPECT_FALSE(m.legs[0].from_include);
  EXPECT_TRUE(m.legs[4].from_include);
}

// GitHub docs: "Example: Expanding configurations".
TEST(MatrixTest, IncludeNeverOverwritesOriginalValues) {
  Matrix m = Expand(R"(
os: [windows-latest, ubuntu-latest]
node: [14, 16]
include:
  - os: windows-latest
    node: 16
    npm: 6
  - node: 14
    os: macos-latest
)");
  EXPECT_EQ(Legs(m), (std::vector<std::string>{
                         R"({"os":"windows-latest","node":14})",
                         R"({"os":"windows-latest","node":16,"npm":6})",
                         R"({"os":"ubuntu-latest","node":14})",
                         R"({"os":"ubuntu-latest","node":16})",
                         R"({"node":14,"os":"macos-latest"})",
                     }));
}

TEST(MatrixTest, OnlyIncludeIsAListOfCombinations) {
  Matrix m = Expand(R"(
include:
  - site: production
    datacenter: site-a
  - site: staging
    datacenter: site-b
)");
  EXPECT_EQ(Names(m, "deploy"),
            (std::vector<std::string>{"deploy (production, site-a)", "deploy (staging, site-b)"}));
}

TEST(MatrixTest, EmptyMatrixHasNoLegs) { EXPECT_TRUE(Expand("{}").legs.empty()); }

TEST(MatrixTest, ErrorsNameThePlaceAndWhatWasExpected) {
  EXPECT_EQ(Error("os: []\n"),
            "ci.yml:1:5: matrix vector 'os' does not contain any values; expected a non-empty "
            "sequence");
  EXPECT_EQ(Error("os: linux\n"),
            "ci.yml:1:5: matrix vector 'os' is a string; expected a sequence of values");
  EXPECT_EQ(Error("os: [a]\ninclude: {os: a}\n"),
            "ci.yml:2:10: matrix include is a mapping; expected a sequence of mappings");
  EXPECT_EQ(Error("os: [a]\nexclude: [a]\n"),
            "ci.yml:2:11: matrix exclude item is a string; expected a mapping");
  EXPECT_EQ(Error("os: [a]\nexclude: [{arch: x}]\n"),
            "ci.yml:2:12: matrix exclude key 'arch' does not match any key within the matrix; "
            "expected one of os");
  EXPECT_EQ(Error("os: [a]\ninclude: [{}]\n"),
            "ci.yml:2:11: matrix include entry is empty; expected at least one key");
  EXPECT_EQ(Error("[a, b]\n"),
            "ci.yml:1:1: strategy.matrix is a sequence; expected a mapping of vectors");
}

TEST(MatrixTest, AtMost256Legs) {
  std::string sixteen = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]";
  EXPECT_EQ(Expand("a: " + sixteen + "\nb: " + sixteen + "\n").legs.size(), 256u);
  EXPECT_EQ(Error("a: " + sixteen + "\nb: " + sixteen + "\ninclude: [{a: 99}]\n"),
            "ci.yml:1:1: matrix produces 257 jobs; expected at most 256");
  EXPECT_EQ(Error("a: " + sixteen + "\nb: " + sixteen + "\nc: [1, 2]\n"),
            "ci.yml:1:1: matrix produces 512 jobs; expected at most 256");
}

TEST(MatrixTest, ValuesEqualAsGitHubsEquals) {
  auto eq = [](std::string_view a, std::string_view b) {
    return MatrixValuesEqual(Yaml(a), Yaml(b));
  };
  EXPECT_TRUE(eq("abc", "ABC"));
  EXPECT_TRUE(eq("'0x10'", "16"));
  EXPECT_TRUE(eq("''", "0"));
  EXPECT_TRUE(eq("~", "0"));
  EXPECT_TRUE(eq("true", "1"));
  EXPECT_FALSE(eq("true", "'true'"));
  EXPECT_FALSE(eq("'a'", "0"));
  EXPECT_FALSE(eq("[1]", "[1]"));
}

}  // namespace
}  // namespace cairn::workflow
