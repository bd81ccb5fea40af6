#include "core/value.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

namespace cairn::core {
namespace {

Location At(std::string_view file, int line, int column) {
  return Location{std::make_shared<const std::string>(file), line, column};
}

TEST(LocationTest, ToStringAndError) {
  EXPECT_EQ(At("path/to/file.yml", 12, 7).ToString(), "path/to/file.yml:12:7");
  EXPECT_EQ((Location{nullptr, 3, 4}).ToString(), "3:4");
  EXPECT_EQ(At("f.json", 0, 0).ToString(), "f.json");
  EXPECT_EQ(Location().ToString(), "");
  EXPECT_FALSE(Location().known());
  EXPECT_TRUE(At("f", 1, 1).known());

  Status s = At("ci.yml", 2, 5).Error("unknown key");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "ci.yml:2:5: unknown key");
  EXPECT_EQ(Location().Error("bare").message(), "bare");
}

TEST(ValueTest, KindNamesReadInMessages) {
  EXPECT_EQ(KindName(ValueKind::kMapping), "mapping");
  EXPECT_EQ(KindName(ValueKind::kSequence), "sequence");
  EXPECT_EQ(KindName(ValueKind::kBool), "boolean");
  EXPECT_EQ(KindPhrase(ValueKind::kNull), "null");
  EXPECT_EQ(KindPhrase(ValueKind::kString), "a string");
  EXPECT_EQ(KindPhrase(ValueKind::kNumber), "a number");

  Value seq = Value::Sequence();
  seq.set_location(At("w.yml", 4, 3));
  EXPECT_TRUE(seq.ExpectKind(ValueKind::kSequence).ok());
  Status s = seq.ExpectKind(ValueKind::kMapping);
  EXPECT_EQ(s.code(), Code::kInvalidParameterValue);
  EXPECT_EQ(s.message(), "w.yml:4:3: expected a mapping, got a sequence");
  EXPECT_EQ(Value().ExpectKind(ValueKind::kString).message(), "expected a string, got null");
  EXPECT_EQ(seq.Error("too long").message(), "w.yml:4:3: too long");
}

TEST(ValueTest, DefaultIsNull) {
  Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(v.kind(), ValueKind::kNull);
  EXPECT_TRUE(v.is_scalar());
  EXPECT_EQ(v.size(), 0u);
  EXPECT_EQ(v.raw(), "");
  EXPECT_EQ(v.Find("x"), nullptr);
  EXPECT_FALSE(v.AsInt64().has_value());
  EXPECT_EQ(Value::Null("~").raw(), "~");
}

TEST(ValueTest, Scalars) {
  EXPECT_TRUE(Value::Bool(true).AsBool());
  EXPECT_EQ(Value::Bool(false).raw(), "false");
  EXPECT_EQ(Value::Bool(true, "True").raw(), "True");
  EXPECT_EQ(Value::String("héllo").AsString(), "héllo");
  EXPECT_EQ(Value::String("x").raw(), "x");

  Value i = Value::Int(-42);
  EXPECT_TRUE(i.is_number());
  EXPECT_TRUE(i.IsInteger());
  EXPECT_EQ(i.raw(), "-42");
  EXPECT_EQ(i.AsInt64(), -42);
  EXPECT_EQ(i.AsUint64(), std::nullopt);
  EXPECT_EQ(i.AsDouble(), -42.0);

  Value d = Value::Double(0.1);
  EXPECT_FALSE(d.IsInteger());
  EXPECT_EQ(d.raw(), "0.1");
  EXPECT_EQ(d.AsDouble(), 0.1);
  EXPECT_EQ(d.AsInt64(), std::nullopt);
  EXPECT_EQ(Value::Double(3.0).raw(), "3.0");
  EXPECT_EQ(Value::Double(3.0).AsInt64(), std::nullopt);  // a float, even if integral
}

TEST(ValueTest, IntegersFromRawTextAreExact) {
  // 2^53 + 1 is not a double, but the literal keeps it.
  Value big = Value::Number(9007199254740992.0, "9007199254740993");
  EXPECT_EQ(big.AsInt64(), int64_t{9007199254740993});
  EXPECT_EQ(big.AsDouble(), 9007199254740992.0);

  EXPECT_EQ(Value::Number(0, "-9223372036854775808").AsInt64(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Value::Number(0, "9223372036854775807").AsInt64(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Value::Number(0, "9223372036854775808").AsInt64(), std::nullopt);
  EXPECT_EQ(Value::Number(0, "9223372036854775808").AsUint64(), uint64_t{9223372036854775808u});
  EXPECT_EQ(Value::Number(0, "18446744073709551616").AsUint64(), std::nullopt);
  EXPECT_EQ(Value::Number(0, "-0").AsUint64(), uint64_t{0});

  // YAML's literal forms.
  EXPECT_EQ(Value::Number(31, "0x1F").AsInt64(), 31);
  EXPECT_EQ(Value::Number(15, "0o17").AsInt64(), 15);
  EXPECT_EQ(Value::Number(12, "+012").AsInt64(), 12);
  EXPECT_TRUE(Value::Number(31, "0x1F").IsInteger());

  // Floats are not integers.
  EXPECT_FALSE(Value::Number(1000, "1e3").IsInteger());
  EXPECT_FALSE(Value::Number(1, "1.0").IsInteger());
  EXPECT_EQ(Value::Number(3.1, "3.10").AsInt64(), std::nullopt);
  EXPECT_FALSE(Value::String("12").IsInteger());
  EXPECT_EQ(Value::String("12").AsInt64(), std::nullopt);
}

TEST(ValueTest, BuildsMappingsInOrder) {
  Value m = Value::Mapping();
  m.Set("name", Value::String("train"));
  m.Set("epochs", Value::Int(10));
  Value& tags = m.Set("tags", Value::Sequence());
  tags.Append(Value::String("a"));
  tags.Append(Value::Bool(true));

  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.members()[0].key, "name");
  EXPECT_EQ(m.members()[1].key, "epochs");
  EXPECT_EQ(m.members()[2].key, "tags");
  ASSERT_NE(m.Find("tags"), nullptr);
  EXPECT_EQ(m.Find("tags")->size(), 2u);
  EXPECT_EQ(m.Find("tags")->items()[1].AsBool(), true);
  EXPECT_EQ(m.Find("missing"), nullptr);

  // Set on an existing key replaces in place.
  m.Set("name", Value::String("eval"));
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.members()[0].key, "name");
  EXPECT_EQ(m.Find("name")->AsString(), "eval");

  m.Find("epochs")->set_location(At("p.yaml", 2, 9));
  Value& added = m.AppendMember("lr", Value::Double(0.01), At("p.yaml", 3, 1));
  EXPECT_EQ(added.AsDouble(), 0.01);
  const Member* lr = m.FindMember("lr");
  ASSERT_NE(lr, nullptr);
  EXPECT_EQ(lr->key_location.ToString(), "p.yaml:3:1");
  EXPECT_EQ(m.Find("epochs")->location().ToString(), "p.yaml:2:9");
}

TEST(ValueTest, CopiesAreDeep) {
  Value a = Value::Mapping();
  a.Set("x", Value::Sequence()).Append(Value::Int(1));
  Value b = a;
  b.Find("x")->Append(Value::Int(2));
  EXPECT_EQ(a.Find("x")->size(), 1u);
  EXPECT_EQ(b.Find("x")->size(), 2u);
}

TEST(ValueTest, FlagsAndStyle) {
  Value v = Value::String("x");
  EXPECT_EQ(v.style(), ScalarStyle::kPlain);
  EXPECT_FALSE(v.is_quoted());
  v.set_style(ScalarStyle::kSingleQuoted);
  EXPECT_TRUE(v.is_quoted());
  v.set_style(ScalarStyle::kLiteral);
  EXPECT_FALSE(v.is_quoted());
  EXPECT_FALSE(v.anchored());
  EXPECT_FALSE(v.alias());
  v.set_anchored(true);
  v.set_alias(true);
  EXPECT_TRUE(v.anchored());
  EXPECT_TRUE(v.alias());
}

TEST(ValueTest, EqualityIsByContent) {
  Value a = Value::Mapping();
  a.Set("x", Value::Int(1));
  a.Set("y", Value::String("s"));
  Value b = Value::Mapping();
  b.Set("y", Value::String("s"));
  b.Set("x", Value::Number(1, "0x1"));
  b.set_location(At("f", 1, 1));
  EXPECT_EQ(a, b);  // member order, spelling and location do not matter
  b.Set("x", Value::Double(1.0));
  EXPECT_EQ(a, b);  // 1 == 1.0 as numbers
  b.Set("x", Value::Int(2));
  EXPECT_FALSE(a == b);

  EXPECT_EQ(Value::Number(0, "-0"), Value::Int(0));
  EXPECT_FALSE(Value::Number(1e20, "100000000000000000001") ==
               Value::Number(1e20, "100000000000000000000"));
  EXPECT_EQ(Value::Number(1e20, "0100000000000000000001"),
            Value::Number(1e20, "100000000000000000001"));
  EXPECT_FALSE(Value::Double(std::numeric_limits<double>::quiet_NaN()) ==
               Value::Double(std::numeric_limits<double>::quiet_NaN()));

  Value s1 = Value::Sequence();
  s1.Append(Value::Int(1));
  s1.Append(Value::Int(2));
  Value s2 = Value::Sequence();
  s2.Append(Value::Int(2));
  s2.Append(Value::Int(1));
  EXPECT_FALSE(s1 == s2);  // sequences are ordered
  EXPECT_FALSE(Value::String("1") == Value::Int(1));
  EXPECT_EQ(Value(), Value::Null("~"));
}

TEST(ValueDeathTest, WrongKindAccessIsABug) {
  Value n = Value::Int(1);
  n.set_location(At("m.json", 1, 7));
  EXPECT_DEATH((void)n.AsString(), "bug: Value::AsString on a number at m.json:1:7");
  EXPECT_DEATH((void)Value().AsBool(), "bug: Value::AsBool on null");
  Value s = Value::String("x");
  EXPECT_DEATH(s.Append(Value()), "bug: Value::Append on a string");
}

}  // namespace
}  // namespace cairn::core
