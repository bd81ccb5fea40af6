#include "core/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace cairn::core {
namespace {

Value Parse(std::string_view text, const JsonParseOptions& options = {}) {
  Result<Value> v = ParseJson(text, "test.json", options);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *std::move(v) : Value();
}

// The error message of parsing `text` as "f.json".
std::string ParseError(std::string_view text, const JsonParseOptions& options = {}) {
  Result<Value> v = ParseJson(text, "f.json", options);
  if (v.ok()) return "(parsed)";
  EXPECT_EQ(v.status().code(), Code::kInvalidParameterValue);
  return v.status().message();
}

// ---- Reading ----

TEST(JsonParseTest, Scalars) {
  Value v =
      Parse(R"({"a": 1, "b": -2.50, "c": "x", "d": true, "e": false, "f": null, "g": [1e3]})");
  ASSERT_TRUE(v.is_mapping());
  EXPECT_EQ(v.Find("a")->AsInt64(), 1);
  EXPECT_EQ(v.Find("b")->AsDouble(), -2.5);
  EXPECT_EQ(v.Find("b")->raw(), "-2.50");
  EXPECT_FALSE(v.Find("b")->IsInteger());
  EXPECT_EQ(v.Find("c")->AsString(), "x");
  EXPECT_EQ(v.Find("c")->style(), ScalarStyle::kDoubleQuoted);
  EXPECT_TRUE(v.Find("d")->AsBool());
  EXPECT_FALSE(v.Find("e")->AsBool());
  EXPECT_TRUE(v.Find("f")->is_null());
  EXPECT_EQ(v.Find("f")->raw(), "null");
  EXPECT_EQ(v.Find("g")->items()[0].AsDouble(), 1000.0);
  EXPECT_FALSE(v.Find("g")->items()[0].IsInteger());

  EXPECT_EQ(Parse("  \"top\"\n").AsString(), "top");
  EXPECT_EQ(Parse("-0").AsInt64(), 0);
  EXPECT_EQ(Parse("[]").size(), 0u);
  EXPECT_EQ(Parse("{}").size(), 0u);
  EXPECT_EQ(Parse("\xEF\xBB\xBF[1]").size(), 1u);  // a byte order mark is skipped
}

TEST(JsonParseTest, LocationsOfNestedNodes) {
  const char* text =
      "{\n"
      "  \"metrics\": {\n"
      "    \"acc\": 0.91,\n"
      "    \"list\": [1, {\"é\": \"x\"}]\n"
      "  }\n"
      "}";
  Value v = Parse(text);
  EXPECT_EQ(v.location().ToString(), "test.json:1:1");
  const Member* metrics = v.FindMember("metrics");
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(metrics->key_location.ToString(), "test.json:2:3");
  EXPECT_EQ(metrics->value.location().ToString(), "test.json:2:14");
  EXPECT_EQ(metrics->value.Find("acc")->location().ToString(), "test.json:3:12");
  const Value* list = metrics->value.Find("list");
  EXPECT_EQ(list->location().ToString(), "test.json:4:13");
  EXPECT_EQ(list->items()[0].location().ToString(), "test.json:4:14");
  const Value& inner = list->items()[1];
  EXPECT_EQ(inner.location().ToString(), "test.json:4:17");
  // Columns count code points: "é" is one column.
  EXPECT_EQ(inner.FindMember("é")->key_location.ToString(), "test.json:4:18");
  EXPECT_EQ(inner.Find("é")->location().ToString(), "test.json:4:23");

  // Every node of one parse shares the file name.
  EXPECT_EQ(v.location().file.get(), inner.location().file.get());
  EXPECT_EQ(v.location().file_name(), "test.json");
}

TEST(JsonParseTest, StringEscapes) {
  Value v = Parse(R"("\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u20AC \ud83d\ude00 \uD834\uDD1E")");
  EXPECT_EQ(v.AsString(),
            "\" \\ / \b \f \n \r \t A \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF0\x9D\x84\x9E");
  EXPECT_EQ(Parse(R"("\u0000")").AsString(), std::string(1, '\0'));
  // Raw UTF-8 passes through.
  EXPECT_EQ(Parse("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"").AsString(), "caf\xC3\xA9 \xF0\x9F\x98\x80");
  // Unicode non-characters and U+10FFFF are still valid scalar values.
  EXPECT_EQ(Parse(R"("\udbff\udfff")").AsString(), "\xF4\x8F\xBF\xBF");
}

TEST(JsonParseTest, NumbersKeepTheirText) {
  Value big = Parse("123456789012345678901234567890");
  EXPECT_TRUE(big.IsInteger());
  EXPECT_EQ(big.raw(), "123456789012345678901234567890");
  EXPECT_EQ(big.AsInt64(), std::nullopt);
  EXPECT_EQ(ToJson(big), "123456789012345678901234567890");

  Value beyond53 = Parse("9007199254740993");
  EXPECT_EQ(beyond53.AsInt64(), int64_t{9007199254740993});
  EXPECT_EQ(Parse("-9223372036854775808").AsInt64(), std::numeric_limits<int64_t>::min());

  EXPECT_EQ(Parse("0.1").AsDouble(), 0.1);
  EXPECT_EQ(Parse("1E-7").AsDouble(), 1e-7);
  EXPECT_EQ(Parse("2.5e+3").AsDouble(), 2500.0);
  EXPECT_EQ(Parse("1e400").AsDouble(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("-1e400").AsDouble(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(Parse("1e-400").AsDouble(), 0.0);
  EXPECT_EQ(Parse("0.000001e-400").AsDouble(), 0.0);
  EXPECT_EQ(Parse("1e400").raw(), "1e400");
}

TEST(JsonParseTest, NanAndInfinityOnlyWhenAllowed) {
  JsonParseOptions python;
  python.allow_nan = true;
  Value v = Parse("[NaN, Infinity, -Infinity, 1]", python);
  ASSERT_EQ(v.size(), 4u);
  EXPECT_TRUE(std::isnan(v.items()[0].AsDouble()));
  EXPECT_EQ(v.items()[0].raw(), "NaN");
  EXPECT_EQ(v.items()[1].AsDouble(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(v.items()[2].AsDouble(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(v.items()[2].raw(), "-Infinity");
  EXPECT_EQ(v.items()[2].location().column, 17);
  EXPECT_FALSE(v.items()[1].IsInteger());
  EXPECT_EQ(ToPythonJson(v), "[NaN, Infinity, -Infinity, 1]");

  EXPECT_EQ(ParseError("[1, NaN]"), "f.json:1:5: expected a value (NaN and Infinity are not JSON)");
  EXPECT_EQ(ParseError("Infinity"), "f.json:1:1: expected a value (NaN and Infinity are not JSON)");
  EXPECT_EQ(ParseError("-Infinity"),
            "f.json:1:1: expected a value (NaN and Infinity are not JSON)");
  EXPECT_EQ(ParseError("nan", python), "f.json:1:1: expected a value");
  EXPECT_EQ(ParseError("Inf", python), "f.json:1:1: expected a value");
}

TEST(JsonParseTest, DuplicateKeysKeepTheLastValueAtTheFirstPlace) {
  Value v = Parse(R"({"a": 1, "b": 2, "a": 3})");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v.members()[0].key, "a");
  EXPECT_EQ(v.members()[0].value.AsInt64(), 3);
  EXPECT_EQ(v.members()[0].key_location.column, 18);
  EXPECT_EQ(v.members()[1].key, "b");

  // Past the size where the reader switches to a hash index.
  std::string text = "{";
  for (int i = 0; i < 40; ++i)
    text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  text += "\"k7\": \"again\", \"k39\": \"last\"}";
  Value many = Parse(text);
  ASSERT_EQ(many.size(), 40u);
  EXPECT_EQ(many.members()[7].value.AsString(), "again");
  EXPECT_EQ(many.members()[39].value.AsString(), "last");
}

TEST(JsonParseTest, DepthLimit) {
  std::string ok = std::string(512, '[') + std::string(512, ']');
  EXPECT_TRUE(ParseJson(ok, "f.json").ok());
  std::string deep = std::string(513, '[') + std::string(513, ']');
  EXPECT_EQ(ParseError(deep), "f.json:1:513: expected at most 512 levels of nesting");
  // Far deeper input fails cleanly too (no stack overflow).
  EXPECT_EQ(ParseError(std::string(1000000, '[')),
            "f.json:1:513: expected at most 512 levels of nesting");
  JsonParseOptions shallow;
  shallow.max_depth = 2;
  EXPECT_EQ(ParseError(R"({"a": {"b": {}}})", shallow),
            "f.json:1:13: expected at most 2 levels of nesting");
}

struct ErrorCase {
  const char* text;
  const char* message;
};

TEST(JsonParseTest, ErrorsSayWhatWasExpectedAndWhere) {
  const ErrorCase cases[] = {
      // The example of the documentation: a missing comma.
      {"{\n  \"acc\": 0.9,\n  \"loss\":0.1 \"x\": 1\n}",
       "f.json:3:14: expected ',' or '}' after an object member"},
      {"", "f.json:1:1: expected a value, got end of input"},
      {"  \n  ", "f.json:2:3: expected a value, got end of input"},
      {"[1] x", "f.json:1:5: expected end of input after the JSON value"},
      {"{} {}", "f.json:1:4: expected end of input after the JSON value"},
      {"tru", "f.json:1:1: expected a value"},
      {"True", "f.json:1:1: expected a value"},
      {"nul", "f.json:1:1: expected a value"},
      {"// note\n1", "f.json:1:1: expected a value (JSON does not allow comments)"},
      {"[1, /* c */ 2]", "f.json:1:5: expected a value (JSON does not allow comments)"},
      {"'a'", "f.json:1:1: expected a value (JSON strings take double quotes)"},
      // Objects.
      {"{", "f.json:1:2: expected a string key or '}', got end of input"},
      {"{a: 1}", "f.json:1:2: expected a string key or '}'"},
      {"{'a': 1}", "f.json:1:2: expected a string key or '}' (JSON strings take double quotes)"},
      {"{\"a\"", "f.json:1:5: expected ':' after an object key, got end of input"},
      {"{\"a\" 1}", "f.json:1:6: expected ':' after an object key"},
      {"{\"a\":", "f.json:1:6: expected a value, got end of input"},
      {"{\"a\": }", "f.json:1:7: expected a value"},
      {"{\"a\": 1", "f.json:1:8: expected ',' or '}' after an object member, got end of input"},
      {"{\"a\": 1,}",
       "f.json:1:9: expected a string key after ',' (JSON does not allow a "
       "trailing comma)"},
      {"{\"a\": 1, 2}", "f.json:1:10: expected a string key after ','"},
      {"{\"a\": 1]", "f.json:1:8: expected ',' or '}' after an object member"},
      // Arrays.
      {"[", "f.json:1:2: expected a value or ']', got end of input"},
      {"[,1]", "f.json:1:2: expected a value or ']'"},
      {"[1,]", "f.json:1:4: expected a value after ',' (JSON does not allow a trailing comma)"},
      {"[1,,2]", "f.json:1:4: expected a value after ','"},
      {"[1 2]", "f.json:1:4: expected ',' or ']' after an array element"},
      {"[1}", "f.json:1:3: expected ',' or ']' after an array element"},
      {"[1", "f.json:1:3: expected ',' or ']' after an array element, got end of input"},
      {"[truex]", "f.json:1:6: expected ',' or ']' after an array element"},
      // Numbers.
      {"01", "f.json:1:1: expected no leading zeros in a number"},
      {"[-012]", "f.json:1:3: expected no leading zeros in a number"},
      {"-", "f.json:1:2: expected a digit after '-', got end of input"},
      {"-a", "f.json:1:2: expected a digit after '-'"},
      {"+1", "f.json:1:1: expected a value"},
      {".5", "f.json:1:1: expected a value"},
      {"1.", "f.json:1:3: expected a digit after '.' in a number, got end of input"},
      {"1.e5", "f.json:1:3: expected a digit after '.' in a number"},
      {"1e", "f.json:1:3: expected a digit in the exponent of a number, got end of input"},
      {"1e+x", "f.json:1:4: expected a digit in the exponent of a number"},
      {"0x1F", "f.json:1:2: expected end of input after the JSON value"},
      // Strings.
      {"\"abc", "f.json:1:5: expected '\"' to end the string, got end of input"},
      {"\"abc\\", "f.json:1:6: expected '\"' to end the string, got end of input"},
      {"[\"ab\ncd\"]",
       "f.json:1:5: expected '\"' before the end of the line (a string cannot span lines)"},
      {"\"a\tb\"", "f.json:1:3: expected U+0009 to be escaped in a string"},
      {"\"a\x01\"", "f.json:1:3: expected U+0001 to be escaped in a string"},
      {"\"\\x\"", "f.json:1:2: invalid escape '\\x' in a string"},
      {"\"\\'\"", "f.json:1:2: invalid escape '\\'' in a string"},
      {"\"\\ \"", "f.json:1:2: invalid escape '\\' followed by U+0020 in a string"},
      {"\"\\u12\"", "f.json:1:2: expected 4 hex digits after '\\u'"},
      {"\"\\u12G4\"", "f.json:1:2: expected 4 hex digits after '\\u'"},
      {"\"ab\\ud83d\"",
       "f.json:1:4: unpaired surrogate \\ud83d: expected a low surrogate (\\udc00-\\udfff) after "
       "it"},
      {"\"\\uD83Dx\"",
       "f.json:1:2: unpaired surrogate \\uD83D: expected a low surrogate (\\udc00-\\udfff) after "
       "it"},
      {"\"\\ud83d\\u0041\"",
       "f.json:1:2: unpaired surrogate \\ud83d: expected a low surrogate (\\udc00-\\udfff) after "
       "it"},
      {"\"\\ud83d\\ud83d\"",
       "f.json:1:2: unpaired surrogate \\ud83d: expected a low surrogate (\\udc00-\\udfff) after "
       "it"},
      {"\"\\ude00\"",
       "f.json:1:2: unpaired surrogate \\ude00: a low surrogate must follow a high one "
       "(\\ud800-\\udbff)"},
      // Invalid UTF-8: a stray byte, a bad continuation, an encoded surrogate, an overlong
      // form, beyond U+10FFFF, a truncated sequence.
      {"\"a\xFF\"", "f.json:1:3: invalid UTF-8 in a string (byte 0xff)"},
      {"\"\xC3\x28\"", "f.json:1:2: invalid UTF-8 in a string (byte 0xc3)"},
      {"\"\xED\xA0\x80\"", "f.json:1:2: invalid UTF-8 in a string (byte 0xed)"},
      {"\"\xC0\xAF\"", "f.json:1:2: invalid UTF-8 in a string (byte 0xc0)"},
      {"\"\xE0\x80\xAF\"", "f.json:1:2: invalid UTF-8 in a string (byte 0xe0)"},
      {"\"\xF4\x90\x80\x80\"", "f.json:1:2: invalid UTF-8 in a string (byte 0xf4)"},
      {"\"\xE2\x82", "f.json:1:2: invalid UTF-8 in a string (byte 0xe2)"},
      {"\xC3\xA9", "f.json:1:1: expected a value"},
      // Columns count code points.
      {"{\"\xC3\xA9\": 1 x}", "f.json:1:9: expected ',' or '}' after an object member"},
      {"[\"\xF0\x9F\x98\x80\", \"\\q\"]", "f.json:1:8: invalid escape '\\q' in a string"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(ParseError(c.text), c.message) << "input: " << c.text;
  }
}

TEST(JsonParseTest, LinesCountAfterCrLf) {
  EXPECT_EQ(ParseError("{\r\n  \"a\": 1,\r\n  \"b\" 2\r\n}"),
            "f.json:3:7: expected ':' after an object key");
}

// ---- Writing ----

Value DvcEntry(std::string md5, std::string relpath) {
  Value entry = Value::Mapping();
  entry.Set("relpath", Value::String(std::move(relpath)));  // out of order on purpose
  entry.Set("md5", Value::String(std::move(md5)));
  return entry;
}

TEST(JsonWriteTest, PythonStyleMatchesDvcBytes) {
  // Python: json.dumps([{"md5": ..., "relpath": "1"}], sort_keys=True)
  Value dir = Value::Sequence();
  dir.Append(DvcEntry("401b30e3b8b5d629635a5c613cdb7919", "1"));
  EXPECT_EQ(ToPythonJson(dir), R"([{"md5": "401b30e3b8b5d629635a5c613cdb7919", "relpath": "1"}])");

  // ensure_ascii: é, an astral emoji as a surrogate pair, tab, quote, backslash, DEL, and a
  // control character without a short escape.
  Value tricky = Value::Sequence();
  tricky.Append(DvcEntry("d41d8cd98f00b204e9800998ecf8427e", "caf\xC3\xA9.txt"));
  tricky.Append(DvcEntry("a", "\xF0\x9F\x98\x80 \t\"\\ \x7F\x01/\n\r\b\f"));
  EXPECT_EQ(ToPythonJson(tricky),
            R"([{"md5": "d41d8cd98f00b204e9800998ecf8427e", "relpath": "caf\u00e9.txt"}, )"
            R"({"md5": "a", "relpath": "\ud83d\ude00 \t\"\\ \u007f\u0001/\n\r\b\f"}])");

  // Keys sort by code point (UTF-8 byte order), not by locale: "Z" < "z" < "é" < emoji.
  Value keys = Value::Mapping();
  keys.Set("\xC3\xA9", Value::Int(1));
  keys.Set("z", Value::Int(2));
  keys.Set("\xF0\x9F\x98\x80", Value::Int(3));
  keys.Set("Z", Value::Int(4));
  EXPECT_EQ(ToPythonJson(keys), R"({"Z": 4, "z": 2, "\u00e9": 1, "\ud83d\ude00": 3})");

  // Nested containers, empty ones, scalars; no trailing newline.
  Value nested = Value::Mapping();
  nested.Set("b", Value::Sequence());
  nested.Set("a", Value::Mapping()).Set("y", Value::Null());
  nested.Find("a")->Set("x", Value::Bool(false));
  nested.Set("c", Value::Mapping());
  EXPECT_EQ(ToPythonJson(nested), R"({"a": {"x": false, "y": null}, "b": [], "c": {}})");
}

TEST(JsonWriteTest, NumbersAsPythonWritesThem) {
  // Python: json.dumps([0.1, 1e-07, 1e16, 1.0, 123456789012345678, 1e15, 5e-324, -0.0,
  //                     1.5e300, nan, inf, -inf, 0.0001, 123.456, 2**63,
  //                     1e22, 1.7976931348623157e308])
  Value list = Value::Sequence();
  for (double d : {0.1, 1e-07, 1e16, 1.0}) list.Append(Value::Double(d));
  list.Append(Value::Int(123456789012345678));
  for (double d : {1e15, 5e-324, -0.0, 1.5e300, std::numeric_limits<double>::quiet_NaN(),
                   std::numeric_limits<double>::infinity(),
                   -std::numeric_limits<double>::infinity(), 0.0001, 123.456}) {
    list.Append(Value::Double(d));
  }
  list.Append(Value::Number(9223372036854775808.0, "9223372036854775808"));
  list.Append(Value::Double(1e22));
  list.Append(Value::Double(1.7976931348623157e308));
  EXPECT_EQ(ToPythonJson(list),
            "[0.1, 1e-07, 1e+16, 1.0, 123456789012345678, 1000000000000000.0, 5e-324, -0.0, "
            "1.5e+300, NaN, Infinity, -Infinity, 0.0001, 123.456, 9223372036854775808, 1e+22, "
            "1.7976931348623157e+308]");
}

TEST(JsonWriteTest, FormatPythonFloat) {
  EXPECT_EQ(FormatPythonFloat(0.1), "0.1");
  EXPECT_EQ(FormatPythonFloat(1e-07), "1e-07");
  EXPECT_EQ(FormatPythonFloat(1.5e-07), "1.5e-07");
  EXPECT_EQ(FormatPythonFloat(1e16), "1e+16");
  EXPECT_EQ(FormatPythonFloat(1.0), "1.0");
  EXPECT_EQ(FormatPythonFloat(0.0), "0.0");
  EXPECT_EQ(FormatPythonFloat(-0.0), "-0.0");
  EXPECT_EQ(FormatPythonFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatPythonFloat(0.00001), "1e-05");
  EXPECT_EQ(FormatPythonFloat(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(FormatPythonFloat(123456789.125), "123456789.125");
  EXPECT_EQ(FormatPythonFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatPythonFloat(1e100), "1e+100");
  EXPECT_EQ(FormatPythonFloat(2.2250738585072014e-308), "2.2250738585072014e-308");
  EXPECT_EQ(FormatPythonFloat(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatPythonFloat(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatPythonFloat(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(JsonWriteTest, IntegersAreWrittenExactlyAndCanonically) {
  EXPECT_EQ(ToJson(Value::Number(0, "-0")), "0");
  EXPECT_EQ(ToJson(Value::Number(12, "+012")), "12");
  EXPECT_EQ(ToJson(Value::Number(31, "0x1F")), "31");
  EXPECT_EQ(ToJson(Value::Number(15, "0o17")), "15");
  EXPECT_EQ(ToJson(Value::Number(1.8446744073709552e19, "0x10000000000000000")),
            "18446744073709551616");
  EXPECT_EQ(ToJson(Value::Number(1000, "1e3")), "1000.0");  // a float, as Python reads it
  EXPECT_EQ(ToJson(Value::Number(3.1, "3.10")), "3.1");
  // Reading and writing keeps every digit.
  EXPECT_EQ(ToPythonJson(Parse("[123456789012345678901234567890, -7, 1.50]")),
            "[123456789012345678901234567890, -7, 1.5]");
}

TEST(JsonWriteTest, CompactKeepsOrderAndUtf8) {
  Value v = Parse(R"({"b": 1, "a": [true, null, {}], "c": "caf\u00e9 \u0001 \u007f"})");
  EXPECT_EQ(ToJson(v), "{\"b\":1,\"a\":[true,null,{}],\"c\":\"caf\xC3\xA9 \\u0001 \x7F\"}");
  JsonWriteOptions sorted;
  sorted.sort_keys = true;
  EXPECT_EQ(ToJson(v, sorted), "{\"a\":[true,null,{}],\"b\":1,\"c\":\"caf\xC3\xA9 \\u0001 \x7F\"}");
}

TEST(JsonWriteTest, PrettyMatchesPythonIndent) {
  // Python: json.dumps({"b": 1, "a": [1, {}], "c": []}, indent=2)
  Value v = Parse(R"({"b": 1, "a": [1, {}], "c": []})");
  EXPECT_EQ(ToPrettyJson(v), "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    {}\n  ],\n  \"c\": []\n}");
  EXPECT_EQ(ToPrettyJson(Value::Int(1)), "1");
  EXPECT_EQ(ToPrettyJson(Parse("[1]"), 0), "[\n1\n]");
  JsonWriteOptions four;
  four.indent = 4;
  four.sort_keys = true;
  four.key_separator = ": ";
  EXPECT_EQ(ToJson(Parse(R"({"z": {"y": 1}, "a": 2})"), four),
            "{\n    \"a\": 2,\n    \"z\": {\n        \"y\": 1\n    }\n}");
}

TEST(JsonWriteTest, InvalidUtf8IsReplaced) {
  Value bad = Value::String(
      "a\xFF"
      "b\xC3");
  EXPECT_EQ(ToJson(bad),
            "\"a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\"");
  EXPECT_EQ(ToPythonJson(bad), R"("a\ufffdb\ufffd")");
  EXPECT_EQ(ToPythonJson(Value::String("\xEF\xBF\xBD")), R"("\ufffd")");
}

TEST(JsonWriteTest, RoundTrip) {
  const char* text =
      R"({"a":[1,2.5,-3e-09,"x\ny",true,false,null],"b":{"c":{}},"d":"\ud83d\ude00"})";
  Value v = Parse(text);
  EXPECT_EQ(ToJson(v),
            "{\"a\":[1,2.5,-3e-09,\"x\\ny\",true,false,null],\"b\":{\"c\":{}},"
            "\"d\":\"\xF0\x9F\x98\x80\"}");
  Value again = Parse(ToJson(v));
  EXPECT_EQ(again, v);
  EXPECT_EQ(Parse(ToPythonJson(v)), v);
  EXPECT_EQ(Parse(ToPrettyJson(v)), v);
}

}  // namespace
}  // namespace cairn::core
