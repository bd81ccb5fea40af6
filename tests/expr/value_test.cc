// Values: GitHub's coercions (truthiness, to number, to string), G15 number printing, loose
// equality, toJSON's printing, and case-insensitive object keys.
#include <gtest/gtest.h>

#include <cmath>

#include "core/json.h"
#include "expr/expr.h"

namespace cairn::expr {
namespace {

TEST(ExprValue, FormatNumberIsDotNetG15) {
  EXPECT_EQ(FormatNumber(0), "0");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(42), "42");
  EXPECT_EQ(FormatNumber(-123456789), "-123456789");
  EXPECT_EQ(FormatNumber(1.5), "1.5");
  EXPECT_EQ(FormatNumber(0.84551240822557006), "0.84551240822557");
  EXPECT_EQ(FormatNumber(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatNumber(1e20), "1E+20");
  EXPECT_EQ(FormatNumber(1e15), "1E+15");
  EXPECT_EQ(FormatNumber(1e14), "100000000000000");
  EXPECT_EQ(FormatNumber(123456789012345678.0), "1.23456789012346E+17");
  EXPECT_EQ(FormatNumber(0.0001), "0.0001");
  EXPECT_EQ(FormatNumber(0.00001), "1E-05");
  EXPECT_EQ(FormatNumber(-2.5e-7), "-2.5E-07");
  EXPECT_EQ(FormatNumber(1e300), "1E+300");
  EXPECT_EQ(FormatNumber(NAN), "NaN");
  EXPECT_EQ(FormatNumber(INFINITY), "Infinity");
  EXPECT_EQ(FormatNumber(-INFINITY), "-Infinity");
}

TEST(ExprValue, Truthiness) {
  EXPECT_FALSE(Value::Null().Truthy());
  EXPECT_FALSE(Value::Boolean(false).Truthy());
  EXPECT_FALSE(Value::Number(0).Truthy());
  EXPECT_FALSE(Value::Number(-0.0).Truthy());
  EXPECT_FALSE(Value::Number(NAN).Truthy());
  EXPECT_FALSE(Value::String("").Truthy());
  EXPECT_TRUE(Value::String("false").Truthy());
  EXPECT_TRUE(Value::String("0").Truthy());
  EXPECT_TRUE(Value::Array({}).Truthy());
  EXPECT_TRUE(Value::Object({}).Truthy());
}

TEST(ExprValue, ToNumber) {
  EXPECT_EQ(Value::Null().ToNumber(), 0);
  EXPECT_EQ(Value::Boolean(true).ToNumber(), 1);
  EXPECT_EQ(Value::String("").ToNumber(), 0);
  EXPECT_EQ(Value::String("  12 ").ToNumber(), 12);
  EXPECT_EQ(Value::String("0x1F").ToNumber(), 31);
  EXPECT_EQ(Value::String("0o10").ToNumber(), 8);
  EXPECT_EQ(Value::String("1.2e+2").ToNumber(), 120);
  EXPECT_EQ(Value::String(".5").ToNumber(), 0.5);
  EXPECT_EQ(Value::String("-Infinity").ToNumber(), -INFINITY);
  EXPECT_TRUE(std::isnan(Value::String("-0x1").ToNumber()));
  EXPECT_TRUE(std::isnan(Value::String("1_000").ToNumber()));
  EXPECT_TRUE(std::isnan(Value::String("abc").ToNumber()));
  EXPECT_TRUE(std::isnan(Value::Array({}).ToNumber()));
}

TEST(ExprValue, ToString) {
  EXPECT_EQ(Value::Null().ToString(), "");
  EXPECT_EQ(Value::Boolean(true).ToString(), "true");
  EXPECT_EQ(Value::Number(1e20).ToString(), "1E+20");
  EXPECT_EQ(Value::Array({}).ToString(), "Array");
  EXPECT_EQ(Value::Object({}).ToString(), "Object");
}

TEST(ExprValue, LooseEquality) {
  EXPECT_TRUE(LooseEquals(Value::String("0"), Value::Number(0)));
  EXPECT_TRUE(LooseEquals(Value::String(""), Value::Number(0)));
  EXPECT_TRUE(LooseEquals(Value::Null(), Value::Number(0)));
  EXPECT_TRUE(LooseEquals(Value::Null(), Value::String("")));
  EXPECT_TRUE(LooseEquals(Value::String(" 1 "), Value::Number(1)));
  EXPECT_TRUE(LooseEquals(Value::Boolean(true), Value::Number(1)));
  EXPECT_FALSE(LooseEquals(Value::Boolean(true), Value::String("true")));
  EXPECT_TRUE(LooseEquals(Value::String("abc"), Value::String("ABC")));
  EXPECT_TRUE(LooseEquals(Value::String("ü"), Value::String("Ü")));
  EXPECT_FALSE(LooseEquals(Value::Number(NAN), Value::Number(NAN)));
  Value a = Value::Array({});
  EXPECT_TRUE(LooseEquals(a, a));
  EXPECT_FALSE(LooseEquals(a, Value::Array({})));
}

TEST(ExprValue, ObjectsAreCaseInsensitiveAndLaterDuplicatesReplace) {
  Value o =
      Value::Object({{"Name", Value::Number(1)}, {"b", Value::Null()}, {"NAME", Value::Number(2)}});
  ASSERT_EQ(o.AsObject().size(), 2u);
  EXPECT_EQ(o.AsObject()[0].first, "Name");
  ASSERT_NE(o.Get("name"), nullptr);
  EXPECT_EQ(o.Get("name")->AsNumber(), 2);
  EXPECT_EQ(o.Get("missing"), nullptr);
}

TEST(ExprValue, ToJsonIsPrettyWithTwoSpaces) {
  Value v = Value::Object({{"a", Value::Array({Value::Number(1), Value::String("x\"y\n")})},
                           {"e", Value::Object({})},
                           {"n", Value::Number(1e20)}});
  EXPECT_EQ(v.ToJson(),
            "{\n  \"a\": [\n    1,\n    \"x\\\"y\\n\"\n  ],\n  \"e\": {},\n"
            "  \"n\": 1E+20\n}");
  EXPECT_EQ(Value::Array({}).ToJson(), "[]");
  EXPECT_EQ(Value::String("\x01").ToJson(), "\"\\u0001\"");
}

TEST(ExprValue, FromCoreAndBack) {
  auto doc = core::ParseJson(R"({"a": [1, true, null, "s"], "b": {"c": 2.5}})", "t");
  ASSERT_TRUE(doc.ok());
  Value v = Value::FromCore(*doc);
  EXPECT_EQ(v.Get("A")->AsArray().size(), 4u);
  EXPECT_EQ(v.Get("b")->Get("C")->AsNumber(), 2.5);
  EXPECT_EQ(Value::FromCore(v.ToCore()).ToJson(), v.ToJson());
}

}  // namespace
}  // namespace cairn::expr
