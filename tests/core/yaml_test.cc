#include "core/yaml.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/json.h"

namespace cairn::core {
namespace {

Value Load(std::string_view text) {
  Result<Value> v = ParseYaml(text, "w.yml");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *std::move(v) : Value();
}

std::string LoadError(std::string_view text) {
  Result<Value> v = ParseYaml(text, "w.yml");
  if (v.ok()) return "(loaded)";
  EXPECT_EQ(v.status().code(), Code::kInvalidParameterValue);
  return v.status().message();
}

TEST(YamlTest, TypesPlainScalarsByTheCoreSchema) {
  Value v = Load(
      "version: 3.10\n"
      "quoted: '3.10'\n"
      "dq: \"42\"\n"
      "int: 42\n"
      "neg: -7\n"
      "plus: +12\n"
      "hex: 0x1F\n"
      "oct: 0o17\n"
      "exp: 1e3\n"
      "half: .5\n"
      "dot: 1.\n"
      "inf: .inf\n"
      "ninf: -.Inf\n"
      "nan: .NaN\n"
      "yes: yes\n"
      "no: no\n"
      "on: on\n"
      "t: True\n"
      "f: FALSE\n"
      "n1: ~\n"
      "n2: null\n"
      "n3: NULL\n"
      "n4:\n"
      "under: 1_000\n"
      "ver: 1.2.3\n"
      "word: 12abc\n");
  const Value* version = v.Find("version");
  ASSERT_NE(version, nullptr);
  EXPECT_TRUE(version->is_number());
  EXPECT_EQ(version->raw(), "3.10");
  EXPECT_EQ(version->AsDouble(), 3.1);
  EXPECT_FALSE(version->IsInteger());

  EXPECT_TRUE(v.Find("quoted")->is_string());
  EXPECT_EQ(v.Find("quoted")->AsString(), "3.10");
  EXPECT_EQ(v.Find("dq")->AsString(), "42");

  EXPECT_EQ(v.Find("int")->AsInt64(), 42);
  EXPECT_EQ(v.Find("neg")->AsInt64(), -7);
  EXPECT_EQ(v.Find("plus")->AsInt64(), 12);
  EXPECT_EQ(v.Find("hex")->AsInt64(), 31);
  EXPECT_EQ(v.Find("hex")->raw(), "0x1F");
  EXPECT_EQ(v.Find("oct")->AsInt64(), 15);
  EXPECT_EQ(v.Find("exp")->AsDouble(), 1000.0);
  EXPECT_FALSE(v.Find("exp")->IsInteger());
  EXPECT_EQ(v.Find("half")->AsDouble(), 0.5);
  EXPECT_EQ(v.Find("dot")->AsDouble(), 1.0);
  EXPECT_EQ(v.Find("inf")->AsDouble(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(v.Find("ninf")->AsDouble(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(v.Find("nan")->AsDouble()));

  // YAML 1.2: yes/no/on are strings, and so are the keys.
  EXPECT_EQ(v.Find("yes")->AsString(), "yes");
  EXPECT_EQ(v.Find("no")->AsString(), "no");
  EXPECT_EQ(v.Find("on")->AsString(), "on");
  EXPECT_TRUE(v.Find("t")->AsBool());
  EXPECT_EQ(v.Find("t")->raw(), "True");
  EXPECT_FALSE(v.Find("f")->AsBool());

  EXPECT_TRUE(v.Find("n1")->is_null());
  EXPECT_EQ(v.Find("n1")->raw(), "~");
  EXPECT_EQ(v.Find("n2")->raw(), "null");
  EXPECT_EQ(v.Find("n3")->raw(), "NULL");
  EXPECT_TRUE(v.Find("n4")->is_null());
  EXPECT_EQ(v.Find("n4")->raw(), "");

  EXPECT_EQ(v.Find("under")->AsString(), "1_000");
  EXPECT_EQ(v.Find("ver")->AsString(), "1.2.3");
  EXPECT_EQ(v.Find("word")->AsString(), "12abc");
}

TEST(YamlTest, KeysAreStringsAsWritten) {
  Value v = Load("on:\n  push: {}\n1: one\ntrue: t\nnull: n\n~: tilde\n'q': quoted\n");
  std::vector<std::string> keys;
  for (const Member& m : v.members()) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"on", "1", "true", "null", "~", "q"}));
  EXPECT_TRUE(v.Find("on")->is_mapping());
  EXPECT_EQ(v.Find("null")->AsString(), "n");
  EXPECT_EQ(v.FindMember("null")->key_location.ToString(), "w.yml:5:1");
}

TEST(YamlTest, BigIntegersStayExact) {
  Value v = Load("a: 9007199254740993\nb: 123456789012345678901234567890\n");
  EXPECT_EQ(v.Find("a")->AsInt64(), int64_t{9007199254740993});
  EXPECT_EQ(v.Find("b")->AsInt64(), std::nullopt);
  EXPECT_EQ(ToJson(v), R"({"a":9007199254740993,"b":123456789012345678901234567890})");
}

TEST(YamlTest, LocationsOfNestedNodes) {
  Value v = Load(
      "# comment\n"
      "jobs:\n"
      "  build:\n"
      "    runs-on: ubuntu-latest\n"
      "    steps:\n"
      "      - uses: actions/checkout@v4\n"
      "      - name: \"caf\xC3\xA9\"\n"
      "        with: {k: v, list: [1, 2]}\n"
      "    env: { \xC3\xA9t\xC3\xA9: x }\n");
  EXPECT_EQ(v.location().ToString(), "w.yml:2:1");
  const Member* jobs = v.FindMember("jobs");
  EXPECT_EQ(jobs->key_location.ToString(), "w.yml:2:1");
  const Value& build = *jobs->value.Find("build");
  EXPECT_EQ(build.location().ToString(), "w.yml:4:5");
  EXPECT_EQ(build.FindMember("runs-on")->key_location.ToString(), "w.yml:4:5");
  EXPECT_EQ(build.Find("runs-on")->location().ToString(), "w.yml:4:14");
  const Value& steps = *build.Find("steps");
  EXPECT_EQ(steps.location().ToString(), "w.yml:6:7");
  EXPECT_EQ(steps.items()[0].location().ToString(), "w.yml:6:9");
  EXPECT_EQ(steps.items()[0].Find("uses")->location().ToString(), "w.yml:6:15");
  EXPECT_EQ(steps.items()[1].Find("name")->location().ToString(), "w.yml:7:15");
  const Value& with = *steps.items()[1].Find("with");
  EXPECT_EQ(with.location().ToString(), "w.yml:8:15");
  EXPECT_EQ(with.Find("list")->items()[1].location().ToString(), "w.yml:8:32");
  // Columns count code points: "été" is three columns.
  const Value& env = *build.Find("env");
  EXPECT_EQ(env.FindMember("\xC3\xA9t\xC3\xA9")->key_location.ToString(), "w.yml:9:12");
  EXPECT_EQ(env.Find("\xC3\xA9t\xC3\xA9")->location().ToString(), "w.yml:9:17");
  // One shared file name.
  EXPECT_EQ(v.location().file.get(), env.location().file.get());
}

TEST(YamlTest, EmptyNodesAreLocatedWhereTheyWouldBe) {
  Value v = Load("a:\nb: 1\nc:   # note\nlist:\n- \n- x\nflow: {k: , j: }\nlast:");
  EXPECT_EQ(v.Find("a")->location().ToString(), "w.yml:1:3");
  EXPECT_EQ(v.Find("c")->location().ToString(), "w.yml:3:3");
  EXPECT_EQ(v.Find("list")->items()[0].location().ToString(), "w.yml:5:2");
  EXPECT_TRUE(v.Find("list")->items()[0].is_null());
  EXPECT_EQ(v.Find("flow")->Find("k")->location().ToString(), "w.yml:7:10");
  EXPECT_EQ(v.Find("flow")->Find("j")->location().ToString(), "w.yml:7:15");
  EXPECT_EQ(v.Find("last")->location().ToString(), "w.yml:8:6");
  // A written null keeps its own place, also when anchored.
  Value w = Load("a: ~\nb: &n null\n");
  EXPECT_EQ(w.Find("a")->location().ToString(), "w.yml:1:4");
  EXPECT_EQ(w.Find("b")->location().ToString(), "w.yml:2:4");
  EXPECT_EQ(w.Find("b")->raw(), "null");
  EXPECT_TRUE(w.Find("b")->anchored());
}

TEST(YamlTest, ScalarStyles) {
  Value v = Load(
      "plain: x\n"
      "single: 'it''s'\n"
      "double: \"a\\tb\"\n"
      "literal: |\n  l\n"
      "folded: >\n  f\n  g\n"
      "tagged: !!str 'q'\n");
  EXPECT_EQ(v.Find("plain")->style(), ScalarStyle::kPlain);
  EXPECT_EQ(v.Find("single")->style(), ScalarStyle::kSingleQuoted);
  EXPECT_EQ(v.Find("single")->AsString(), "it's");
  EXPECT_TRUE(v.Find("single")->is_quoted());
  EXPECT_EQ(v.Find("double")->style(), ScalarStyle::kDoubleQuoted);
  EXPECT_EQ(v.Find("double")->AsString(), "a\tb");
  EXPECT_EQ(v.Find("literal")->style(), ScalarStyle::kLiteral);
  EXPECT_EQ(v.Find("folded")->style(), ScalarStyle::kFolded);
  EXPECT_EQ(v.Find("folded")->AsString(), "f g\n");
  EXPECT_EQ(v.Find("tagged")->style(), ScalarStyle::kSingleQuoted);
  EXPECT_FALSE(v.Find("plain")->is_quoted());
}

TEST(YamlTest, BlockScalarsInAWorkflow) {
  const char* text =
      "name: CI\n"
      "on:\n"
      "  push:\n"
      "    branches: [main]\n"
      "jobs:\n"
      "  test:\n"
      "    runs-on: ubuntu-latest\n"
      "    if: ${{ github.event_name == 'push' }}\n"
      "    steps:\n"
      "      - run: |\n"
      "          echo \"a: b\"\n"
      "\n"
      "            indented # not a comment\n"
      "          echo ${{ matrix.x }}\n"
      "      - run: |-\n"
      "          no trailing newline\n"
      "      - run: |+\n"
      "          kept\n"
      "\n"
      "      - run: >-\n"
      "          folded\n"
      "          line\n"
      "      - run: echo plain\n";
  Value v = Load(text);
  EXPECT_EQ(v.Find("name")->AsString(), "CI");
  const Value* on = v.Find("on");
  ASSERT_NE(on, nullptr);
  EXPECT_EQ(on->Find("push")->Find("branches")->items()[0].AsString(), "main");
  const Value& test = *v.Find("jobs")->Find("test");
  EXPECT_EQ(test.Find("if")->AsString(), "${{ github.event_name == 'push' }}");
  const Value& steps = *test.Find("steps");
  ASSERT_EQ(steps.size(), 5u);
  const Value& run0 = *steps.items()[0].Find("run");
  EXPECT_EQ(run0.AsString(), "echo \"a: b\"\n\n  indented # not a comment\necho ${{ matrix.x }}\n");
  EXPECT_EQ(run0.style(), ScalarStyle::kLiteral);
  EXPECT_EQ(run0.location().ToString(), "w.yml:10:14");
  EXPECT_EQ(steps.items()[1].Find("run")->AsString(), "no trailing newline");
  EXPECT_EQ(steps.items()[2].Find("run")->AsString(), "kept\n\n");
  EXPECT_EQ(steps.items()[3].Find("run")->AsString(), "folded line");
  EXPECT_EQ(steps.items()[3].Find("run")->style(), ScalarStyle::kFolded);
  EXPECT_EQ(steps.items()[4].Find("run")->AsString(), "echo plain");
}

TEST(YamlTest, AnchorsAndAliasesAreMarked) {
  Value v = Load(
      "defaults: &defaults\n"
      "  shell: bash\n"
      "  timeout: 5\n"
      "job1: *defaults\n"
      "name: &n hello\n"
      "again: *n\n"
      "&k key: 1\n"
      "*n : 2\n");
  const Value& defaults = *v.Find("defaults");
  EXPECT_TRUE(defaults.anchored());
  EXPECT_FALSE(defaults.alias());
  EXPECT_EQ(defaults.location().ToString(), "w.yml:1:11");

  const Value& job1 = *v.Find("job1");
  EXPECT_TRUE(job1.alias());
  EXPECT_FALSE(job1.anchored());
  EXPECT_EQ(job1.location().ToString(), "w.yml:4:7");
  EXPECT_EQ(job1, defaults);
  // Inside the copy, nodes keep the place they were written at.
  EXPECT_EQ(job1.Find("shell")->location().ToString(), "w.yml:2:10");
  EXPECT_FALSE(job1.Find("shell")->alias());

  EXPECT_TRUE(v.Find("name")->anchored());
  EXPECT_EQ(v.Find("name")->AsString(), "hello");
  EXPECT_TRUE(v.Find("again")->alias());
  EXPECT_EQ(v.Find("again")->AsString(), "hello");
  EXPECT_EQ(v.Find("again")->location().ToString(), "w.yml:6:8");

  const Member* key = v.FindMember("key");
  ASSERT_NE(key, nullptr);
  EXPECT_TRUE(key->key_anchored);
  EXPECT_FALSE(key->key_alias);
  const Member* hello = v.FindMember("hello");
  ASSERT_NE(hello, nullptr);
  EXPECT_TRUE(hello->key_alias);
  EXPECT_EQ(hello->key_location.ToString(), "w.yml:8:1");
  EXPECT_FALSE(v.FindMember("defaults")->key_anchored);

  // Plain nodes carry neither flag.
  EXPECT_FALSE(defaults.Find("shell")->anchored());
  EXPECT_FALSE(v.Find("name")->alias());
}

TEST(YamlTest, AliasErrors) {
  EXPECT_EQ(LoadError("a: &r [1, *r]\n"), "w.yml:1:11: alias *r refers to a node that contains it");
  EXPECT_EQ(LoadError("a: *nope\n"), "w.yml:1:4: the referenced anchor is not defined");
  // Anchors belong to their document.
  Result<std::vector<Value>> docs = ParseYamlDocuments("a: &x 1\n---\nb: *x\n", "w.yml");
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().message(), "w.yml:3:4: the referenced anchor is not defined");

  // "Billion laughs": each level doubles... by ten.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", " : "") + prev;
    bomb += "]\n";
  }
  std::string message = LoadError(bomb);
  EXPECT_NE(message.find("aliases expand to more than 1000000 nodes"), std::string::npos)
      << message;
}

TEST(YamlTest, DuplicateKeysNameBothPlaces) {
  EXPECT_EQ(LoadError("name: a\non: push\nname: b\n"),
            "w.yml:3:1: duplicate key \"name\" (first at w.yml:1:1)");
  EXPECT_EQ(LoadError("jobs:\n  a: {x: 1, y: 2, \"x\": 3}\n"),
            "w.yml:2:19: duplicate key \"x\" (first at w.yml:2:7)");
  // "1" and 1 are the same key: keys are strings.
  EXPECT_EQ(LoadError("1: a\n'1': b\n"), "w.yml:2:1: duplicate key \"1\" (first at w.yml:1:1)");
  // Large mappings too (the builder switches to an index).
  std::string big;
  for (int i = 0; i < 40; ++i) big += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  big += "k25: again\n";
  EXPECT_EQ(LoadError(big), "w.yml:41:1: duplicate key \"k25\" (first at w.yml:26:1)");
}

TEST(YamlTest, NonScalarKeysAreErrors) {
  EXPECT_EQ(LoadError("? [a, b]\n: c\n"),
            "w.yml:1:3: expected a scalar as a mapping key, got a sequence");
  EXPECT_EQ(LoadError("{ {a: 1}: x }\n"),
            "w.yml:1:3: expected a scalar as a mapping key, got a mapping");
}

TEST(YamlTest, ParserErrorsCarryTheirPlace) {
  EXPECT_EQ(LoadError("a: b: c\n"), "w.yml:1:5: illegal map value");
  EXPECT_EQ(LoadError("a: [1, 2\n"), "w.yml:2:1: end of sequence flow not found");
  EXPECT_EQ(LoadError("\xC3\xA9: [1, 2"), "w.yml:1:9: end of sequence flow not found");
  EXPECT_EQ(LoadError("a: \"\\q\"\n"), "w.yml:1:7: unknown escape character: q");
  EXPECT_EQ(LoadError("a:\n\tb: 1\n"), "w.yml:2:3: illegal map value");
  EXPECT_EQ(LoadError("a: \"x"), "w.yml:1:6: illegal EOF in scalar");
  EXPECT_EQ(LoadError("a: |\n  x\n b\n"), "w.yml:3:2: end of map not found");
  // yaml-cpp 0.7 accepts a quoted scalar left open at the end of the input; we do not.
  EXPECT_EQ(LoadError("a: 'x\nb: 1\n"),
            "w.yml:1:4: expected a closing \"'\" for this quoted scalar");
  EXPECT_EQ(LoadError("a: \"x\nb: 1\n"),
            "w.yml:1:4: expected a closing '\"' for this quoted scalar");
  EXPECT_EQ(Load("a: 'it''s'\nb: \"q\\\"\"\n").Find("b")->AsString(), "q\"");
  // Too deep for yaml-cpp: an error, not a crash.
  std::string deep(100000, '[');
  EXPECT_NE(LoadError(deep).find("expected less deeply nested sequences and mappings"),
            std::string::npos);
}

TEST(YamlTest, ExplicitTags) {
  Value v =
      Load("a: !!str 3\nb: !!int \"7\"\nc: !!float 1\nd: !custom 5\ne: ! 12\nf: !!bool true\n");
  EXPECT_EQ(v.Find("a")->AsString(), "3");
  EXPECT_EQ(v.Find("b")->AsInt64(), 7);
  EXPECT_EQ(v.Find("c")->AsDouble(), 1.0);
  EXPECT_EQ(v.Find("d")->AsInt64(), 5);      // an unknown tag is ignored
  EXPECT_EQ(v.Find("e")->AsString(), "12");  // the non-specific tag "!" makes a string
  EXPECT_TRUE(v.Find("f")->AsBool());
  EXPECT_EQ(LoadError("a: !!int abc\n"),
            "w.yml:1:4: expected an integer for the tag !!int, got \"abc\"");
  EXPECT_EQ(LoadError("a: !!bool yes\n"),
            "w.yml:1:4: expected a boolean for the tag !!bool, got \"yes\"");
}

// yaml-cpp 0.7 alone fails on these (jbeder/yaml-cpp#1163); ParseYaml reads them.
TEST(YamlTest, TaggedBlockScalarsAsSequenceEntries) {
  Value v = Load(
      "a:\n  - !!str |\n    x\n    y\n  - !!str >-  # folded\n    p\n    q\n  - - !local |\n"
      "      z\n  - ! |2\n      w\n  - !!str |-\n    7\n  - plain\n");
  const std::vector<Value>& items = v.Find("a")->items();
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0].AsString(), "x\ny\n");
  EXPECT_EQ(items[0].style(), ScalarStyle::kLiteral);
  EXPECT_EQ(items[0].location().line, 2);
  EXPECT_EQ(items[0].location().column, 5);  // at the tag, as for any tagged node
  EXPECT_EQ(items[1].AsString(), "p q");
  EXPECT_EQ(items[1].style(), ScalarStyle::kFolded);
  EXPECT_EQ(items[2].items()[0].AsString(), "z\n");
  EXPECT_EQ(items[3].AsString(), "  w\n");
  EXPECT_EQ(items[4].AsString(), "7");
  EXPECT_EQ(items[5].AsString(), "plain");
  EXPECT_EQ(LoadError("- !!int |\n  x\n"),
            "w.yml:1:3: expected an integer for the tag !!int, got \"x\n\"");
  // A tag-like line inside a block scalar is text, and the real error stays.
  EXPECT_EQ(LoadError("- |\n  - !!str |\n- [\n").substr(0, 10), "w.yml:4:1:");
}

TEST(YamlTest, Documents) {
  EXPECT_EQ(LoadError("a: 1\n---\nb: 2\n"),
            "w.yml:2:1: expected a single YAML document, found a second one");
  // yaml-cpp would read this as two documents; there is no "---" between them.
  EXPECT_EQ(LoadError("- a\nb: c\n"),
            "w.yml:2:1: expected the end of the document (a new document must start with '---')");

  Result<std::vector<Value>> docs =
      ParseYamlDocuments("--- a\n...\n---\nb: 1\n---\n# empty\n", "w.yml");
  ASSERT_TRUE(docs.ok()) << docs.status().ToString();
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_EQ((*docs)[0].AsString(), "a");
  EXPECT_EQ((*docs)[1].Find("b")->AsInt64(), 1);
  EXPECT_TRUE((*docs)[2].is_null());

  EXPECT_TRUE(Load("--- x\n...\n").is_string());
  Result<std::vector<Value>> none = ParseYamlDocuments("# nothing\n", "w.yml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(YamlTest, EmptyInputIsNull) {
  Value empty = Load("");
  EXPECT_TRUE(empty.is_null());
  EXPECT_EQ(empty.location().ToString(), "w.yml:1:1");
  EXPECT_TRUE(Load("# just a comment\n\n").is_null());
  EXPECT_TRUE(Load("---\n").is_null());
}

TEST(YamlTest, EncodingAndLineEndings) {
  Value bom = Load(
      "\xEF\xBB\xBF"
      "a: 1\n");
  EXPECT_EQ(bom.Find("a")->location().ToString(), "w.yml:1:4");
  Value crlf = Load("a: 1\r\nb:\r\n  - x\r\n");
  EXPECT_EQ(crlf.Find("b")->items()[0].AsString(), "x");
  EXPECT_EQ(crlf.Find("b")->items()[0].location().ToString(), "w.yml:3:5");
  EXPECT_EQ(LoadError("a: 1\nb: caf\xE9\n"),
            "w.yml:2:7: invalid UTF-8 (byte 0xe9); YAML files must be UTF-8");
  EXPECT_EQ(LoadError("\xFF\xFE"
                      "a\0:\0"),
            "w.yml:1:1: invalid UTF-8 (byte 0xff); YAML files must be UTF-8");
}

TEST(YamlTest, MergeKeysAreOrdinaryKeys) {
  Value v = Load("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n");
  const Value& derived = *v.Find("derived");
  EXPECT_EQ(derived.Find("x"), nullptr);
  ASSERT_NE(derived.Find("<<"), nullptr);
  EXPECT_TRUE(derived.Find("<<")->alias());
}

TEST(YamlTest, ConvertsToJson) {
  Value v = Load("b: [1, 2.50, true, ~, 'x']\na: {c: 0x10}\n");
  EXPECT_EQ(ToJson(v), R"({"b":[1,2.5,true,null,"x"],"a":{"c":16}})");
  EXPECT_EQ(ToPythonJson(v), R"({"a": {"c": 16}, "b": [1, 2.5, true, null, "x"]})");
}

}  // namespace
}  // namespace cairn::core
