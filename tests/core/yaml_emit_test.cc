#include "core/yaml_emit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

#include "core/yaml.h"

// Expected texts were produced by ruamel.yaml 0.17.21 (YAML() with default_flow_style=False,
// as DVC uses it) and PyYAML 6 (safe_dump(default_flow_style=False)), and pasted here.

namespace cairn::core {
namespace {

std::string Ruamel(const Value& v) { return EmitYaml(v, YamlEmitOptions::Dvc()); }
std::string PyYaml(const Value& v) { return EmitYaml(v, YamlEmitOptions::PyYamlSafeDump()); }

Value Map1(std::string_view key, Value value) {
  Value m = Value::Mapping();
  m.AppendMember(std::string(key), std::move(value));
  return m;
}

Value Str(std::string_view s) { return Value::String(std::string(s)); }

Value Load(std::string_view text) {
  Result<Value> v = ParseYaml(text, "t.yaml");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *std::move(v) : Value();
}

// Loads `text` and writes it back as DVC would (ruamel's round trip).
std::string RoundTrip(std::string_view text) { return Ruamel(Load(text)); }

struct StyleCase {
  std::string_view text;
  std::string_view ruamel;  // {"k": text} as ruamel writes it
  std::string_view pyyaml;  // ...and as PyYAML's safe_dump writes it (allow_unicode=False)
};

TEST(YamlEmitTest, ChoosesEachScalarStyleAsTheLibrariesDo) {
  const StyleCase kCases[] = {
      {"plain", "k: plain\n", "k: plain\n"},
      {"yes", "k: yes\n", "k: 'yes'\n"},
      {"no", "k: no\n", "k: 'no'\n"},
      {"on", "k: on\n", "k: 'on'\n"},
      {"off", "k: off\n", "k: 'off'\n"},
      {"y", "k: y\n", "k: y\n"},
      {"True", "k: 'True'\n", "k: 'True'\n"},
      {"false", "k: 'false'\n", "k: 'false'\n"},
      {"null", "k: 'null'\n", "k: 'null'\n"},
      {"Null", "k: 'Null'\n", "k: 'Null'\n"},
      {"~", "k: '~'\n", "k: '~'\n"},
      {"", "k: ''\n", "k: ''\n"},
      {"2.0", "k: '2.0'\n", "k: '2.0'\n"},
      {"12", "k: '12'\n", "k: '12'\n"},
      {"-3", "k: '-3'\n", "k: '-3'\n"},
      {"0777", "k: '0777'\n", "k: '0777'\n"},
      {"0x1F", "k: '0x1F'\n", "k: '0x1F'\n"},
      {"0o17", "k: '0o17'\n", "k: 0o17\n"},
      {"0b101", "k: '0b101'\n", "k: '0b101'\n"},
      {"1_000", "k: '1_000'\n", "k: '1_000'\n"},
      {"1e5", "k: '1e5'\n", "k: 1e5\n"},
      {".5", "k: '.5'\n", "k: '.5'\n"},
      {"1.", "k: '1.'\n", "k: '1.'\n"},
      {".inf", "k: '.inf'\n", "k: '.inf'\n"},
      {"-.inf", "k: '-.inf'\n", "k: '-.inf'\n"},
      {".nan", "k: '.nan'\n", "k: '.nan'\n"},
      {"2024-01-01", "k: '2024-01-01'\n", "k: '2024-01-01'\n"},
      {"2001-12-14 21:59:43.10 -5", "k: '2001-12-14 21:59:43.10 -5'\n",
       "k: '2001-12-14 21:59:43.10 -5'\n"},
      {"<<", "k: '<<'\n", "k: '<<'\n"},
      {"=", "k: '='\n", "k: '='\n"},
      {"1:20", "k: 1:20\n", "k: '1:20'\n"},
      {"a: b", "k: 'a: b'\n", "k: 'a: b'\n"},
      {"a:b", "k: a:b\n", "k: a:b\n"},
      {"a:", "k: 'a:'\n", "k: 'a:'\n"},
      {"a #b", "k: 'a #b'\n", "k: 'a #b'\n"},
      {"a#b", "k: a#b\n", "k: a#b\n"},
      {"#a", "k: '#a'\n", "k: '#a'\n"},
      {"&a", "k: '&a'\n", "k: '&a'\n"},
      {"*a", "k: '*a'\n", "k: '*a'\n"},
      {"!a", "k: '!a'\n", "k: '!a'\n"},
      {"|a", "k: '|a'\n", "k: '|a'\n"},
      {">a", "k: '>a'\n", "k: '>a'\n"},
      {"'a'", "k: \"'a'\"\n", "k: '''a'''\n"},
      {"\"a\"", "k: '\"a\"'\n", "k: '\"a\"'\n"},
      {"%a", "k: '%a'\n", "k: '%a'\n"},
      {"@a", "k: '@a'\n", "k: '@a'\n"},
      {"`a", "k: '`a'\n", "k: '`a'\n"},
      {",a", "k: ',a'\n", "k: ',a'\n"},
      {"[a]", "k: '[a]'\n", "k: '[a]'\n"},
      {"{a}", "k: '{a}'\n", "k: '{a}'\n"},
      {"a,b", "k: a,b\n", "k: a,b\n"},
      {"a[b]", "k: a[b]\n", "k: a[b]\n"},
      {"- a", "k: '- a'\n", "k: '- a'\n"},
      {"-a", "k: -a\n", "k: -a\n"},
      {"-", "k: '-'\n", "k: '-'\n"},
      {"? a", "k: '? a'\n", "k: '? a'\n"},
      {"?a", "k: ?a\n", "k: ?a\n"},
      {"?", "k: '?'\n", "k: '?'\n"},
      {":", "k: ':'\n", "k: ':'\n"},
      {":a", "k: :a\n", "k: :a\n"},
      {"---", "k: '---'\n", "k: '---'\n"},
      {"--- a", "k: '--- a'\n", "k: '--- a'\n"},
      {"...", "k: '...'\n", "k: '...'\n"},
      {"a ", "k: 'a '\n", "k: 'a '\n"},
      {" a", "k: ' a'\n", "k: ' a'\n"},
      {"a  b", "k: a  b\n", "k: a  b\n"},
      {"a\tb", "k: \"a\\tb\"\n", "k: \"a\\tb\"\n"},
      {"it's", "k: it's\n", "k: it's\n"},
      {"it's\nx", "k: \"it's\\nx\"\n", "k: 'it''s\n\n  x'\n"},
      {"a\nb", "k: \"a\\nb\"\n", "k: 'a\n\n  b'\n"},
      {"a\n\nb", "k: \"a\\n\\nb\"\n", "k: 'a\n\n\n  b'\n"},
      {"a \nb", "k: \"a \\nb\"\n", "k: \"a \\nb\"\n"},
      {"a\n b", "k: \"a\\n b\"\n", "k: \"a\\n b\"\n"},
      {"\x01", "k: \"\\x01\"\n", "k: \"\\x01\"\n"},
      {"a\x7f", "k: \"a\\x7F\"\n", "k: \"a\\x7F\"\n"},
      {"\xef\xbb\xbf", "k: \"\\uFEFF\"\n", "k: \"\\uFEFF\"\n"},
      {"\xc2\x85", "k: '\xc2\x85  '\n", "k: \"\\N\"\n"},
      {"\xc2\xa0", "k: \xc2\xa0\n", "k: \"\\_\"\n"},
      {"caf\xc3\xa9", "k: caf\xc3\xa9\n", "k: \"caf\\xE9\"\n"},
      {"\xe6\x97\xa5\xe6\x9c\xac", "k: \xe6\x97\xa5\xe6\x9c\xac\n", "k: \"\\u65E5\\u672C\"\n"},
      {"\xf0\x9f\x98\x80", "k: \xf0\x9f\x98\x80\n", "k: \"\\U0001F600\"\n"},
      {"tab\tname", "k: \"tab\\tname\"\n", "k: \"tab\\tname\"\n"},
      {"back\\slash", "k: back\\slash\n", "k: back\\slash\n"},
      {"quo\"te", "k: quo\"te\n", "k: quo\"te\n"},
  };
  for (const StyleCase& c : kCases) {
    Value v = Map1("k", Str(c.text));
    EXPECT_EQ(Ruamel(v), c.ruamel) << "text: " << c.text;
    EXPECT_EQ(PyYaml(v), c.pyyaml) << "text: " << c.text;
  }
}

TEST(YamlEmitTest, Yaml12KeepsYesNoOnOffPlainAndYaml11QuotesThem) {
  for (std::string_view word : {"yes", "No", "ON", "off"}) {
    EXPECT_EQ(Ruamel(Map1("k", Str(word))), "k: " + std::string(word) + "\n");
    EXPECT_EQ(PyYaml(Map1("k", Str(word))), "k: '" + std::string(word) + "'\n");
  }
  // Keys follow the same rule.
  EXPECT_EQ(Ruamel(Map1("on", Value::Int(1))), "on: 1\n");
  EXPECT_EQ(PyYaml(Map1("on", Value::Int(1))), "'on': 1\n");
}

TEST(YamlEmitTest, WritesNullAsRuamelAndPyYamlDo) {
  Value m = Value::Mapping();
  m.AppendMember("a", Value::Null());
  Value seq = Value::Sequence();
  seq.Append(Value::Null());
  seq.Append(Value::Int(1));
  m.AppendMember("b", std::move(seq));
  // ruamel: nothing after the colon; "- " (with its space) in a sequence.
  EXPECT_EQ(Ruamel(m), "a:\nb:\n- \n- 1\n");
  EXPECT_EQ(PyYaml(m), "a: null\nb:\n- null\n- 1\n");
  // Alone at the root, ruamel writes `null` too.
  EXPECT_EQ(Ruamel(Value::Null()), "null\n...\n");
  // A loaded `~` is written back empty (ruamel's round trip does the same).
  EXPECT_EQ(RoundTrip("a: ~\nb: null\nc:\n"), "a:\nb:\nc:\n");
}

TEST(YamlEmitTest, WritesBooleansAndProgrammaticNumbersAsPython) {
  Value m = Value::Mapping();
  m.AppendMember("t", Value::Bool(true));
  m.AppendMember("f", Value::Bool(false));
  m.AppendMember("i", Value::Int(-5));
  m.AppendMember("tiny", Value::Double(1e-07));
  m.AppendMember("big", Value::Double(1e16));
  m.AppendMember("three", Value::Double(3.0));
  m.AppendMember("tenth", Value::Double(0.1));
  m.AppendMember("inf", Value::Double(std::numeric_limits<double>::infinity()));
  m.AppendMember("ninf", Value::Double(-std::numeric_limits<double>::infinity()));
  m.AppendMember("nan", Value::Double(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(Ruamel(m),
            "t: true\nf: false\ni: -5\ntiny: 1e-07\nbig: 1e+16\nthree: 3.0\ntenth: 0.1\n"
            "inf: .inf\nninf: -.inf\nnan: .nan\n");
  // PyYAML: keys sorted; YAML 1.1 floats need a '.' before the exponent.
  EXPECT_EQ(PyYaml(m),
            "big: 1.0e+16\nf: false\ni: -5\ninf: .inf\nnan: .nan\nninf: -.inf\nt: true\n"
            "tenth: 0.1\nthree: 3.0\ntiny: 1.0e-07\n");
}

TEST(YamlEmitTest, KeepsTheSpellingOfLoadedNumbersLikeRuamelsRoundTrip) {
  EXPECT_EQ(RoundTrip("a: 1.0e-3\nb: 0x1F\nc: 0o17\nd: 007\ne: .5\nf: 1E5\ng: 0.0010\n"
                      "h: 123456789012345678901234567890\n"),
            "a: 1.0e-3\nb: 0x1F\nc: 0o17\nd: 007\ne: .5\nf: 1E5\ng: 0.0010\n"
            "h: 123456789012345678901234567890\n");
  // ruamel's ScalarInt drops a '+' and keeps the digit count, the sign included.
  EXPECT_EQ(RoundTrip("a: +12\nb: -0\nc: -007\nd: +007\ne: -.inf\nf: True\n"),
            "a: 12\nb: 0\nc: -07\nd: 007\ne: -.inf\nf: true\n");
  // A number too large for a double is infinite.
  EXPECT_EQ(RoundTrip("a: 1e400\n"), "a: .inf\n");
}

TEST(YamlEmitTest, FoldsPlainScalarsAtTheFirstSpacePastTheWidth) {
  // A single space breaks the line when the text before it ends past column 80: after "k: "
  // and 78 x's (column 81) the first space does; after 77 (column 80) the next one does.
  auto line = [](int n) {
    return Map1("k", Str(std::string(static_cast<size_t>(n), 'x') + " yy zz"));
  };
  std::string x75(75, 'x');
  std::string x77(77, 'x');
  std::string x78(78, 'x');
  std::string x79(79, 'x');
  EXPECT_EQ(Ruamel(line(75)), "k: " + x75 + " yy\n  zz\n");
  EXPECT_EQ(Ruamel(line(77)), "k: " + x77 + " yy\n  zz\n");
  EXPECT_EQ(Ruamel(line(78)), "k: " + x78 + "\n  yy zz\n");
  EXPECT_EQ(Ruamel(line(79)), "k: " + x79 + "\n  yy zz\n");
  // A word longer than the width is not broken.
  std::string a100(100, 'a');
  EXPECT_EQ(Ruamel(Map1("k", Str(a100 + " b"))), "k: " + a100 + "\n  b\n");
  // Keys never fold.
  std::string words;
  for (int i = 0; i < 20; ++i) words += "word ";
  words += "end";
  EXPECT_EQ(Ruamel(Map1("k", Str("it's " + words))),
            "k: it's word word word word word word word word word word word word word word word\n"
            "  word word word word word end\n");
  // The continuation is indented under the key, at any depth.
  Value nested = Map1("a", Map1("b", Str(words + " " + words)));
  EXPECT_EQ(Ruamel(nested),
            "a:\n  b: word word word word word word word word word word word word word word word "
            "word\n    word word word word end word word word word word word word word word word "
            "word\n    word word word word word word word word word end\n");
}

TEST(YamlEmitTest, FoldsSingleQuotedScalars) {
  std::string words;
  for (int i = 0; i < 20; ++i) words += "word ";
  EXPECT_EQ(Ruamel(Map1("k", Str("#" + words + "end"))),
            "k: '#word word word word word word word word word word word word word word word "
            "word\n  word word word word end'\n");
  // A trailing space keeps the string quoted and is not folded away.
  std::string line;
  for (int i = 0; i < 30; ++i) line += "word ";
  EXPECT_EQ(Ruamel(Map1("long", Str(line))),
            "long: 'word word word word word word word word word word word word word word word\n"
            "  word word word word word word word word word word word word word word word '\n");
}

TEST(YamlEmitTest, EscapesAndContinuesDoubleQuotedScalars) {
  std::string words;
  for (int i = 0; i < 20; ++i) words += "word ";
  // A TAB forces double quotes; the fold escapes the space that starts the next line.
  EXPECT_EQ(Ruamel(Map1("k", Str("tab\t" + words + "end"))),
            "k: \"tab\\tword word word word word word word word word word word word word word "
            "word\\\n  \\ word word word word word end\"\n");
  // A line break and a quote: double quotes (ruamel), folded after the escape.
  EXPECT_EQ(Ruamel(Map1("k", Str("it's a long line of text that goes well beyond the eighty "
                                 "column limit\nand a second line"))),
            "k: \"it's a long line of text that goes well beyond the eighty column limit\\nand "
            "a\\\n  \\ second line\"\n");
  // Runs of escapes fold between two escapes.
  std::string backslashes(90, '\\');
  std::string escaped;
  for (int i = 0; i < 37; ++i) escaped += "\\\\";
  EXPECT_EQ(Ruamel(Map1("k", Str("x\ty" + backslashes))), "k: \"x\\ty" + escaped + "\\\n  " +
                                                              std::string(80, '\\') + "\\\n  " +
                                                              std::string(26, '\\') + "\"\n");
  // Every escape of the table, and \x, \u, \U forms.
  std::string all = std::string("\0\a\b\t\n\v\f\r\x1b\"\\", 11) + "\xc2\x85\xc2\xa0\xe2\x80\xa8" +
                    "\xe2\x80\xa9" + "\x01\x7f\xef\xbb\xbf";
  EXPECT_EQ(Ruamel(Map1("k", Str(all))),
            "k: \"\\0\\a\\b\\t\\n\\v\\f\\r\\e\\\"\\\\\\N\xc2\xa0\\L\\P\\x01\\x7F\\uFEFF\"\n");
  // Without allow_unicode, U+00A0 is escaped too (as \_).
  EXPECT_EQ(PyYaml(Map1("k", Str("\xc2\xa0"))), "k: \"\\_\"\n");
}

TEST(YamlEmitTest, ReproducesTheFixtureLockFileCommands) {
  // The `prepare` and `train` commands of conformance/dvc/pipeline, as DVC 3.64 wrote them.
  Value stage = Value::Mapping();
  stage.AppendMember(
      "cmd",
      Str("mkdir -p prepared && s=$(sed -n 's/^  split: //p' params.yaml) && awk -F, -v "
          "s=\"$s\" 'NR == 1 {print > \"prepared/train.csv\"; print > \"prepared/test.csv\"; "
          "next} NR - 1 <= s * 20 {print > \"prepared/train.csv\"; next} {print > "
          "\"prepared/test.csv\"}' data.csv"));
  EXPECT_EQ(Ruamel(Map1("stages", Map1("prepare", stage))),
            "stages:\n"
            "  prepare:\n"
            "    cmd: \"mkdir -p prepared && s=$(sed -n 's/^  split: //p' params.yaml) && awk "
            "-F,\\\n"
            "      \\ -v s=\\\"$s\\\" 'NR == 1 {print > \\\"prepared/train.csv\\\"; print > "
            "\\\"prepared/test.csv\\\"\\\n"
            "      ; next} NR - 1 <= s * 20 {print > \\\"prepared/train.csv\\\"; next} {print > "
            "\\\"\\\n"
            "      prepared/test.csv\\\"}' data.csv\"\n");
}

TEST(YamlEmitTest, WritesSequencesIndentlessUnderMappingKeys) {
  Value inner = Value::Mapping();
  inner.AppendMember("a", Value::Int(1));
  Value b = Value::Sequence();
  b.Append(Value::Int(1));
  b.Append(Value::Int(2));
  inner.AppendMember("b", std::move(b));
  Value nested_seq = Value::Sequence();
  nested_seq.Append(Value::Int(3));
  Value deeper = Value::Sequence();
  deeper.Append(Value::Int(4));
  nested_seq.Append(std::move(deeper));
  Value list = Value::Sequence();
  list.Append(std::move(inner));
  list.Append(std::move(nested_seq));
  list.Append(Value::Sequence());
  list.Append(Value::Mapping());
  Value outer = Value::Mapping();
  outer.AppendMember("list", std::move(list));
  outer.AppendMember("empty", Value::Mapping());
  outer.AppendMember("none", Value::Null());
  std::string want =
      "outer:\n  list:\n  - a: 1\n    b:\n    - 1\n    - 2\n  - - 3\n    - - 4\n  - []\n"
      "  - {}\n  empty: {}\n  none:\n";
  EXPECT_EQ(Ruamel(Map1("outer", outer)), want);
  // A sequence at the root, and sequences of sequences.
  EXPECT_EQ(Ruamel(Load("[[1, 2], [[3]], {a: {b: [1]}}]")),
            "- - 1\n  - 2\n- - - 3\n- a:\n    b:\n    - 1\n");
}

TEST(YamlEmitTest, WritesEmptyCollectionsInFlowStyle) {
  Value m = Value::Mapping();
  m.AppendMember("k", Value::Sequence());
  m.AppendMember("m", Value::Mapping());
  EXPECT_EQ(Ruamel(m), "k: []\nm: {}\n");
  EXPECT_EQ(PyYaml(m), "k: []\nm: {}\n");
  EXPECT_EQ(Ruamel(Value::Sequence()), "[]\n");
  EXPECT_EQ(Ruamel(Value::Mapping()), "{}\n");
}

TEST(YamlEmitTest, WritesUnicodeRawOrEscaped) {
  Value m = Value::Mapping();
  m.AppendMember("path", Str("caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.txt"));
  m.AppendMember("emoji", Str("\xf0\x9f\x98\x80"));
  m.AppendMember("tab", Str("\t\xf0\x9f\x98\x80"));
  EXPECT_EQ(Ruamel(m),
            "path: caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.txt\nemoji: \xf0\x9f\x98\x80\n"
            // Above U+FFFF, double quotes escape even with allow_unicode.
            "tab: \"\\t\\U0001F600\"\n");
  YamlEmitOptions ascii = YamlEmitOptions::Dvc();
  ascii.allow_unicode = false;
  EXPECT_EQ(EmitYaml(Map1("path", m.members()[0].value), ascii),
            "path: \"caf\\xE9-\\u65E5\\u672C.txt\"\n");
  // Columns count code points: 26 three-byte characters and a space fit in one line.
  std::string cjk;
  for (int i = 0; i < 26; ++i) cjk += "\xe6\x97\xa5";
  EXPECT_EQ(Ruamel(Map1("k", Str(cjk + " " + cjk + " " + cjk + " " + cjk))),
            "k: " + cjk + " " + cjk + " " + cjk + "\n  " + cjk + "\n");
  // Invalid UTF-8 becomes U+FFFD.
  EXPECT_EQ(Ruamel(Map1("k", Str("a\xff"))), "k: a\xef\xbf\xbd\n");
}

TEST(YamlEmitTest, WritesLongAndMultilineKeysAsExplicitPairs) {
  // The libraries count "!!str" in a key's length: 122 characters is the longest simple key.
  Value m = Value::Mapping();
  m.AppendMember(std::string(123, 'k'), Value::Int(1));
  m.AppendMember(std::string(122, 'k'), Value::Int(2));
  m.AppendMember("a\nb", Value::Int(3));
  m.AppendMember("", Value::Int(4));
  EXPECT_EQ(Ruamel(m), "? " + std::string(123, 'k') + "\n: 1\n" + std::string(122, 'k') +
                           ": 2\n? \"a\\nb\"\n: 3\n'': 4\n");
  // PyYAML also makes the empty key explicit.
  EXPECT_EQ(PyYaml(Map1("", Value::Int(4))), "? ''\n: 4\n");
}

TEST(YamlEmitTest, SortsKeysWhenAsked) {
  Value m = Value::Mapping();
  m.AppendMember("b", Value::Int(1));
  m.AppendMember("B", Value::Int(2));
  m.AppendMember("a", Value::Int(3));
  m.AppendMember("\xc3\xa9", Value::Int(4));
  EXPECT_EQ(Ruamel(m), "b: 1\nB: 2\na: 3\n\xc3\xa9: 4\n");
  YamlEmitOptions sorted = YamlEmitOptions::Dvc();
  sorted.sort_keys = true;
  EXPECT_EQ(EmitYaml(m, sorted), "B: 2\na: 3\nb: 1\n\xc3\xa9: 4\n");
}

TEST(YamlEmitTest, KeepsLiteralBlockScalarsUnderRuamel) {
  EXPECT_EQ(RoundTrip("a: |\n  foo\n  bar\nb: |-\n  x\nc: |+\n  y\n\nd: |2\n   lead\n  x\n"),
            "a: |\n  foo\n  bar\nb: |-\n  x\nc: |+\n  y\n\nd: |2\n   lead\n  x\n");
  EXPECT_EQ(RoundTrip("- |\n  in a sequence\n"), "- |\n  in a sequence\n");
  // A folded scalar is not kept: it is written as any string.
  EXPECT_EQ(RoundTrip("a: >-\n  foo\n  bar\n"), "a: foo bar\n");
  // PyYAML writes what the string allows.
  EXPECT_EQ(PyYaml(Load("a: |\n  foo\n")), "a: 'foo\n\n  '\n");
}

TEST(YamlEmitTest, WritesRootScalarsWithTheDocumentEndMarker) {
  EXPECT_EQ(Ruamel(Str("abc")), "abc\n...\n");
  EXPECT_EQ(Ruamel(Str("")), "''\n");
  EXPECT_EQ(Ruamel(Str("x\ny")), "\"x\\ny\"\n");
  EXPECT_EQ(Ruamel(Value::Double(1.5)), "1.5\n...\n");
  EXPECT_EQ(PyYaml(Str("abc")), "abc\n...\n");
}

TEST(YamlEmitTest, HonoursTheWidthOption) {
  YamlEmitOptions narrow = YamlEmitOptions::Dvc();
  narrow.width = 20;
  EXPECT_EQ(EmitYaml(Map1("k", Str("aaaa bbbb cccc dddd eeee ffff")), narrow),
            "k: aaaa bbbb cccc dddd\n  eeee ffff\n");
  narrow.width = 4;  // too small: the default applies
  EXPECT_EQ(EmitYaml(Map1("k", Str("aaaa bbbb")), narrow), "k: aaaa bbbb\n");
}

}  // namespace
}  // namespace cairn::core
