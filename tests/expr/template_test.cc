// Templates (`${{ }}` in workflow strings) and `if:` conditions (the success() && (...)
// rewrite, format() for partial `${{ }}`).
#include <gtest/gtest.h>

#include "expr/expr.h"

namespace cairn::expr {
namespace {

const Allowed kAllowed{.contexts = {"github", "env"},
                       .functions = {{"success", 0, 0}, {"failure", 0, 0}, {"always", 0, 0}}};

Contexts MakeContexts() {
  Contexts c;
  c.Set("github", Value::Object({{"ref", Value::String("main")}, {"n", Value::Number(2)}}));
  return c;
}

TEST(ExprTemplate, SingleExpressionKeepsItsKind) {
  Contexts c = MakeContexts();
  auto t = Template::Parse("  ${{ github.n }} ", kAllowed);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto v = t->Evaluate({.contexts = &c});
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->kind(), Kind::kNumber);
  EXPECT_FALSE(t->is_literal());
}

TEST(ExprTemplate, TextAroundMakesAString) {
  Contexts c = MakeContexts();
  auto t = Template::Parse("ref={${{ github.ref }}} n=${{github.n}}${{ '}}' }}", kAllowed);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto s = t->EvaluateString({.contexts = &c});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "ref={main} n=2}}");
  EXPECT_EQ(t->ContextsUsed(), std::vector<std::string>{"github"});
}

TEST(ExprTemplate, LiteralAndErrors) {
  auto lit = Template::Parse("plain text", kAllowed);
  ASSERT_TRUE(lit.ok());
  EXPECT_TRUE(lit->is_literal());
  EXPECT_EQ(lit->EvaluateString({})->c_str(), std::string("plain text"));
  auto unclosed = Template::Parse("a ${{ github.ref", kAllowed);
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(KindOf(unclosed.status()), ErrorKind::kParsing);
  EXPECT_NE(unclosed.status().message().find("The expression is not closed"), std::string::npos);
  auto bad = Template::Parse("x ${{ secrets.a }}", kAllowed);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "Unrecognized named-value: 'secrets'. Located at position 1 within expression: "
            "secrets.a");
}

TEST(ExprCondition, RewritesWithoutStatusFunction) {
  auto c = Condition::Parse("github.ref == 'main'", kAllowed);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->text(), "success() && (github.ref == 'main')");
  auto wrapped = Condition::Parse("${{ github.ref == 'main' }}", kAllowed);
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->text(), "success() && (github.ref == 'main')");
  auto kept = Condition::Parse("failure() || true", kAllowed);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->text(), "failure() || true");
  auto in_string = Condition::Parse("'always()' != ''", kAllowed);
  ASSERT_TRUE(in_string.ok());
  EXPECT_EQ(in_string->text(), "success() && ('always()' != '')");
  auto empty = Condition::Parse("  ", kAllowed);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->text(), "success()");
}

TEST(ExprCondition, PartialTemplateBecomesFormatAndIsTruthy) {
  auto c = Condition::Parse("${{ github.ref }} == 'x'", kAllowed);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->text(), "success() && (format('{0} == ''x''', github.ref))");
  Contexts ctx = MakeContexts();
  Runtime rt;
  rt.status = [](std::string_view fn, std::span<const Value>) -> Result<bool> {
    return fn != "failure";
  };
  auto v = c->Evaluate({.contexts = &ctx, .runtime = &rt});
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(*v);  // "main == 'x'" is a non-empty string
}

TEST(ExprCondition, StatusDecidesTheOutcome) {
  Contexts ctx = MakeContexts();
  bool failed = true;
  Runtime rt;
  rt.status = [&](std::string_view fn, std::span<const Value>) -> Result<bool> {
    if (fn == "success") return !failed;
    if (fn == "failure") return failed;
    return true;
  };
  auto plain = Condition::Parse("true", kAllowed);
  auto always = Condition::Parse("always()", kAllowed);
  ASSERT_TRUE(plain.ok() && always.ok());
  EXPECT_FALSE(*plain->Evaluate({.contexts = &ctx, .runtime = &rt}));
  EXPECT_TRUE(*always->Evaluate({.contexts = &ctx, .runtime = &rt}));
  failed = false;
  EXPECT_TRUE(*plain->Evaluate({.contexts = &ctx, .runtime = &rt}));
}

}  // namespace
}  // namespace cairn::expr
