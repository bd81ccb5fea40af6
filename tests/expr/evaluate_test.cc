// Parsing and evaluating expressions: operators, access, functions, runtime functions, error
// messages with positions and kinds, and the length and depth limits.
#include <gtest/gtest.h>

#include <string>

#include "core/json.h"
#include "expr/expr.h"

namespace cairn::expr {
namespace {

Contexts MakeContexts() {
  Contexts c;
  auto doc = core::ParseJson(
      R"({"ref": "refs/heads/main", "labels": [{"name": "bug"}, {"name": "Help"}],
          "n": 3, "flags": {"a": true, "b": false}})",
      "github");
  c.Set("github", Value::FromCore(*doc));
  c.Set("inputs", Value::Object({{"x", Value::String("")}}));
  return c;
}

const Allowed kAllowed{.contexts = {"github", "inputs"},
                       .functions = {{"success", 0, 0}, {"hashFiles", 1, 255}}};

Result<Value> Eval(std::string_view text, const Runtime* runtime = nullptr) {
  static const Contexts contexts = MakeContexts();
  CAIRN_ASSIGN_OR_RETURN(Expression e, Expression::Parse(text, kAllowed));
  return e.Evaluate({.contexts = &contexts, .runtime = runtime});
}

std::string Json(std::string_view text) {
  auto v = Eval(text);
  return v.ok() ? std::string(KindName(v->kind())) + " " + v->ToJson() : v.status().message();
}

std::string Error(std::string_view text) {
  auto v = Eval(text);
  if (v.ok()) return "no error: " + v->ToJson();
  auto kind = KindOf(v.status());
  return std::string(kind ? ErrorKindName(*kind) : "none") + ": " + v.status().message();
}

TEST(ExprEvaluate, LogicalOperatorsReturnOperands) {
  EXPECT_EQ(Json("inputs.x || 'default'"), "String \"default\"");
  EXPECT_EQ(Json("1 && 'x' || 'y'"), "String \"x\"");
  EXPECT_EQ(Json("0 && fromJSON('bad')"), "Number 0");  // short-circuits
  EXPECT_EQ(Json("!''"), "Boolean true");
  EXPECT_EQ(Json("'2' < '10'"), "Boolean false");
  EXPECT_EQ(Json("2 < '10'"), "Boolean true");
  EXPECT_EQ(Json("true == 'true'"), "Boolean false");
  EXPECT_EQ(Json(""), "Null null");
}

TEST(ExprEvaluate, AccessIsCaseInsensitiveAndMissingIsNull) {
  EXPECT_EQ(Json("GITHUB.Ref"), "String \"refs/heads/main\"");
  EXPECT_EQ(Json("github['REF']"), "String \"refs/heads/main\"");
  EXPECT_EQ(Json("github.nope.deeper"), "Null null");
  EXPECT_EQ(Json("github.labels[5]"), "Null null");
  EXPECT_EQ(Json("github.labels['0x01'].name"), "String \"Help\"");
  EXPECT_EQ(Json("github.labels[true].name"), "String \"Help\"");
  EXPECT_EQ(Json("toJSON(github.labels.*.name)"),
            "String \"[\\n  \\\"bug\\\",\\n  \\\"Help\\\"\\n]\"");
  EXPECT_EQ(Json("github.flags.*"), "Array [\n  true,\n  false\n]");
  EXPECT_EQ(Json("github.n.*"), "Array []");
}

TEST(ExprEvaluate, Functions) {
  EXPECT_EQ(Json("contains(github.labels.*.name, 'HELP')"), "Boolean true");
  EXPECT_EQ(Json("contains('asdf', null)"), "Boolean true");
  EXPECT_EQ(Json("contains(fromJSON('[1, 2]'), '2')"), "Boolean true");
  EXPECT_EQ(Json("contains(github, 'ref')"), "Boolean false");
  EXPECT_EQ(Json("startsWith(github.ref, 'REFS/')"), "Boolean true");
  EXPECT_EQ(Json("endsWith(github.ref, 'MAIN')"), "Boolean true");
  EXPECT_EQ(Json("endsWith(github, 'x')"), "Boolean false");
  EXPECT_EQ(Json("format('{{{0}}} {1}', 'a', 1e20)"), "String \"{a} 1E+20\"");
  EXPECT_EQ(Json("join(github.labels.*.name)"), "String \"bug,Help\"");
  EXPECT_EQ(Json("join(github.labels.*.name, ' | ')"), "String \"bug | Help\"");
  EXPECT_EQ(Json("join('abc', '-')"), "String \"abc\"");
  EXPECT_EQ(Json("join(github)"), "String \"\"");
  EXPECT_EQ(Json("toJSON(fromJSON('{\"a\": [1.5, null]}'))"),
            "String \"{\\n  \\\"a\\\": [\\n    1.5,\\n    null\\n  ]\\n}\"");
  EXPECT_EQ(Json("fromJSON(' 42 ')"), "Number 42");
  EXPECT_EQ(Json("case(github.n == 3, 'three', 'other')"), "String \"three\"");
  EXPECT_EQ(Json("case(false, 1, false, 2, 'default')"), "String \"default\"");
  EXPECT_EQ(Json("TOJSON(null)"), "String \"null\"");
}

TEST(ExprEvaluate, FunctionErrors) {
  EXPECT_EQ(Error("format('{0')"), "evaluation: The following format string is invalid: {0");
  EXPECT_EQ(Error("format('{1}', 1)"),
            "evaluation: The following format string references more arguments than were "
            "supplied: {1}");
  EXPECT_EQ(Error("fromJSON('')"), "evaluation: empty input");
  EXPECT_EQ(Error("fromJSON('{')"), "evaluation: Error parsing JSON when evaluating fromJson");
  EXPECT_EQ(Error("case(1, 2, 3)"), "evaluation: case predicate must evaluate to a boolean value");
  EXPECT_EQ(Error("join()"),
            "parsing: Too few parameters supplied: 'join'. Located at position 1 within "
            "expression: join()");
  EXPECT_EQ(Error("case(true, 1, false, 2)"),
            "parsing: Even number of parameters supplied, requires an odd number of parameters: "
            "'case'. Located at position 1 within expression: case(true, 1, false, 2)");
  EXPECT_EQ(Error("success(1)"),
            "parsing: Too many parameters supplied: 'success'. Located at position 1 within "
            "expression: success(1)");
}

TEST(ExprEvaluate, RuntimeFunctions) {
  EXPECT_EQ(Error("success()"),
            "evaluation: The function 'success' is not available in this evaluation");
  Runtime runtime;
  runtime.status = [](std::string_view fn, std::span<const Value>) -> Result<bool> {
    return fn == "success";
  };
  runtime.hash_files = [](std::span<const std::string> patterns) -> Result<std::string> {
    return "hash:" + patterns[0] + "," + patterns[1];
  };
  auto v = Eval("SUCCESS() && hashFiles('**/*.lock', 2)", &runtime);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->AsString(), "hash:**/*.lock,2");
}

TEST(ExprParse, ErrorsHaveGitHubsMessagesPositionsAndKinds) {
  EXPECT_EQ(Error("github.ref == \"x\""),
            "lexing: Unexpected symbol: '\"x\"'. Located at position 15 within expression: "
            "github.ref == \"x\"");
  EXPECT_EQ(Error("'open"),
            "lexing: Unexpected symbol: ''open'. Located at position 1 within expression: 'open");
  EXPECT_EQ(Error("1 = 2"),
            "lexing: Unexpected symbol: '='. Located at position 3 within expression: 1 = 2");
  EXPECT_EQ(Error("secrets.x"),
            "parsing: Unrecognized named-value: 'secrets'. Located at position 1 within "
            "expression: secrets.x");
  EXPECT_EQ(Error("foo()"),
            "parsing: Unrecognized function: 'foo'. Located at position 1 within expression: "
            "foo()");
  EXPECT_EQ(Error("1 <"),
            "parsing: Unexpected end of expression: '<'. Located at position 3 within "
            "expression: 1 <");
  EXPECT_EQ(Error("github."),
            "parsing: Unexpected symbol: 'EOF'. Located at position 7 within expression: "
            "github.");
  // Positions count UTF-16 units and run across lines, as GitHub's do.
  EXPECT_EQ(Error("'é😊' == 1\n&& nope"),
            "parsing: Unrecognized named-value: 'nope'. Located at position 15 within "
            "expression: 'é😊' == 1\n&& nope");
  EXPECT_EQ(KindOf(Status::InvalidArgument("unrelated")), std::nullopt);
  EXPECT_EQ(KindOf(Status::Ok()), std::nullopt);
}

TEST(ExprParse, LimitsOnLengthAndDepth) {
  std::string deep(60, '!');
  deep += "true";
  EXPECT_NE(Error(deep).find("parsing: Exceeded max expression depth 50"), std::string::npos);
  std::string parens = std::string(60, '(') + "1" + std::string(60, ')');
  EXPECT_NE(Error(parens).find("Exceeded max expression depth 50"), std::string::npos);
  std::string nested = std::string(20, '(') + "1" + std::string(20, ')');
  EXPECT_EQ(Json(nested), "Number 1");
  // A long == chain is not depth-limited; evaluating it must not exhaust the stack.
  std::string chain = "1";
  while (chain.size() < 20990) chain += "==1";
  EXPECT_EQ(Json(chain).substr(0, 7), "Boolean");
  std::string too_long(21001, ' ');
  too_long[0] = '1';
  EXPECT_EQ(Error(too_long), "parsing: Exceeded max expression length 21000");
}

TEST(ExprParse, TreeQueries) {
  auto e = Expression::Parse("success() || github.ref == inputs.x && GitHub.n", kAllowed);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->UsesStatusFunction());
  EXPECT_EQ(e->ContextsUsed(), (std::vector<std::string>{"github", "inputs"}));
  auto s = Expression::Parse("'success()' == github.ref", kAllowed);
  ASSERT_TRUE(s.ok());
  EXPECT_FALSE(s->UsesStatusFunction());
  EXPECT_EQ(s->text(), "'success()' == github.ref");
}

TEST(ExprAllowed, FromSchema) {
  std::string_view entries[] = {"github", "needs", "hashFiles(1,255)", "success(0,MAX)"};
  Allowed a = Allowed::FromSchema(entries);
  EXPECT_EQ(a.contexts, (std::vector<std::string>{"github", "needs"}));
  ASSERT_EQ(a.functions.size(), 2u);
  EXPECT_EQ(a.functions[0].name, "hashFiles");
  EXPECT_EQ(a.functions[0].min_args, 1);
  EXPECT_EQ(a.functions[0].max_args, 255);
  EXPECT_EQ(a.functions[1].max_args, FunctionSpec::kUnlimited);
}

}  // namespace
}  // namespace cairn::expr
