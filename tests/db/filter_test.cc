// MLflow's search syntax: filters, order_by clauses, page tokens and LIKE.
#include "db/filter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/strings.h"

namespace cairn::db {
namespace {

using core::Code;

// The single comparison of `filter`; fails the test when there is not exactly one.
Comparison One(std::string_view filter) {
  core::Result<std::vector<Comparison>> parsed = ParseFilter(filter);
  EXPECT_TRUE(parsed.ok()) << filter << ": " << parsed.status().ToString();
  if (!parsed.ok()) return Comparison();
  EXPECT_EQ(parsed->size(), 1u) << filter;
  return parsed->empty() ? Comparison() : parsed->front();
}

// The error message for a filter that must not parse.
std::string ErrorOf(std::string_view filter) {
  core::Result<std::vector<Comparison>> parsed = ParseFilter(filter);
  EXPECT_FALSE(parsed.ok()) << filter << " parsed";
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), Code::kInvalidParameterValue) << filter;
  return parsed.status().message();
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

TEST(ParseFilterTest, EmptyAndBlank) {
  for (std::string_view filter : {"", "   ", "\n\t "}) {
    core::Result<std::vector<Comparison>> parsed = ParseFilter(filter);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_TRUE(parsed->empty());
  }
}

TEST(ParseFilterTest, EveryOperator) {
  const std::pair<std::string_view, CompareOp> cases[] = {
      {"=", CompareOp::kEq},      {"!=", CompareOp::kNe},      {"<>", CompareOp::kNe},
      {"<", CompareOp::kLt},      {"<=", CompareOp::kLe},      {">", CompareOp::kGt},
      {">=", CompareOp::kGe},     {"LIKE", CompareOp::kLike},  {"ILIKE", CompareOp::kILike},
      {"like", CompareOp::kLike}, {"iLike", CompareOp::kILike}};
  for (const auto& [text, op] : cases) {
    Comparison c = One("params.p " + std::string(text) + " 'v'");
    EXPECT_EQ(c.op, op) << text;
    EXPECT_EQ(c.value, "v") << text;
  }
  for (std::string_view text : {"IN", "in", "In"}) {
    EXPECT_EQ(One("run_id " + std::string(text) + " ('a')").op, CompareOp::kIn);
  }
  for (std::string_view text : {"NOT IN", "not in", "Not   In"}) {
    EXPECT_EQ(One("run_id " + std::string(text) + " ('a')").op, CompareOp::kNotIn);
  }
  // No spaces needed around symbols.
  Comparison tight = One("metrics.acc>=0.9");
  EXPECT_EQ(tight.key, "acc");
  EXPECT_EQ(tight.op, CompareOp::kGe);
  EXPECT_EQ(tight.value, "0.9");
  EXPECT_EQ(One("metrics.loss<-1").number, -1);
}

TEST(ParseFilterTest, OperatorNames) {
  EXPECT_EQ(CompareOpName(CompareOp::kEq), "=");
  EXPECT_EQ(CompareOpName(CompareOp::kNe), "!=");
  EXPECT_EQ(CompareOpName(CompareOp::kLe), "<=");
  EXPECT_EQ(CompareOpName(CompareOp::kILike), "ILIKE");
  EXPECT_EQ(CompareOpName(CompareOp::kNotIn), "NOT IN");
}

TEST(ParseFilterTest, EntitiesAndKeys) {
  Comparison c = One("metrics.acc > 0.9");
  EXPECT_EQ(c.entity, "metrics");
  EXPECT_EQ(c.key, "acc");
  EXPECT_FALSE(c.key_quoted);

  for (std::string_view entity :
       {"metric", "metrics", "param", "params", "parameter", "parameters", "tag", "tags",
        "attribute", "attributes", "attr", "run", "dataset", "datasets"}) {
    Comparison e = One(std::string(entity) + ".name = 'x'");
    EXPECT_EQ(e.entity, entity);
    EXPECT_EQ(e.key, "name");
  }
  // The entity is lowercased; the key is kept as written.
  Comparison upper = One("METRICS.Acc > 1");
  EXPECT_EQ(upper.entity, "metrics");
  EXPECT_EQ(upper.key, "Acc");
  // Split at the first dot only.
  Comparison run_name = One("tags.mlflow.runName = 'r'");
  EXPECT_EQ(run_name.entity, "tags");
  EXPECT_EQ(run_name.key, "mlflow.runName");
  // Bare keys may carry - and : after the dot.
  EXPECT_EQ(One("metrics.val-loss:epoch_1 < 2").key, "val-loss:epoch_1");
  // No dot: no entity.
  for (std::string_view filter : {"name = 'x'", "run_name = 'a'", "status = 'FINISHED'"}) {
    Comparison bare = One(filter);
    EXPECT_EQ(bare.entity, "") << filter;
  }
  EXPECT_EQ(One("run_name = 'a'").key, "run_name");
}

TEST(ParseFilterTest, QuotedKeys) {
  Comparison backtick = One("metrics.`f1 score` > 0.5");
  EXPECT_EQ(backtick.entity, "metrics");
  EXPECT_EQ(backtick.key, "f1 score");
  EXPECT_TRUE(backtick.key_quoted);

  Comparison dquote = One("params.\"learning-rate\" = '0.1'");
  EXPECT_EQ(dquote.entity, "params");
  EXPECT_EQ(dquote.key, "learning-rate");
  EXPECT_TRUE(dquote.key_quoted);
  EXPECT_EQ(dquote.value, "0.1");

  Comparison no_entity = One("`Run name` = 'x'");
  EXPECT_EQ(no_entity.entity, "");
  EXPECT_EQ(no_entity.key, "Run name");
  EXPECT_TRUE(no_entity.key_quoted);

  Comparison quoted_entity = One("`tags`.`a.b c` = 'x'");
  EXPECT_EQ(quoted_entity.entity, "tags");
  EXPECT_EQ(quoted_entity.key, "a.b c");

  EXPECT_EQ(One("tags.`weird = 'key' AND` = 'x'").key, "weird = 'key' AND");
}

TEST(ParseFilterTest, StringValues) {
  Comparison single = One("params.model = 'cnn'");
  EXPECT_EQ(single.value_kind, ValueKind::kString);
  EXPECT_EQ(single.value, "cnn");
  Comparison dquote = One("params.model = \"cnn v2\"");
  EXPECT_EQ(dquote.value_kind, ValueKind::kString);
  EXPECT_EQ(dquote.value, "cnn v2");
  EXPECT_EQ(One("tags.t = ''").value, "");
  // Quotes of the other kind, AND and operators inside a string are just text.
  EXPECT_EQ(One("tags.t = 'say \"hi\" AND x = 1'").value, "say \"hi\" AND x = 1");
  // As in MLflow, what is between the quotes is kept as written.
  EXPECT_EQ(One("tags.t = 'it''s'").value, "it''s");
  EXPECT_EQ(One("tags.t = 'a\\'b'").value, "a\\'b");
  EXPECT_EQ(One("tags.t = '50%_x'").value, "50%_x");
  EXPECT_EQ(One("tags.t = 'héllo'").value, "héllo");
}

TEST(ParseFilterTest, NumberValues) {
  const std::pair<std::string_view, double> cases[] = {
      {"0", 0},        {"42", 42},    {"0.9", 0.9},  {"-1", -1},
      {"-0.5", -0.5},  {"1e3", 1000}, {"1E3", 1000}, {"1.5e-3", 1.5e-3},
      {"-2e+2", -200}, {".5", 0.5},   {"5.", 5},     {"123456789012", 123456789012.0}};
  for (const auto& [literal, number] : cases) {
    Comparison c = One("metrics.m > " + std::string(literal));
    EXPECT_EQ(c.value_kind, ValueKind::kNumber) << literal;
    EXPECT_EQ(c.value, literal);
    EXPECT_DOUBLE_EQ(c.number, number) << literal;
  }
}

TEST(ParseFilterTest, Lists) {
  Comparison c = One("attributes.run_id IN ('a', \"b\",'c d')");
  EXPECT_EQ(c.op, CompareOp::kIn);
  EXPECT_EQ(c.value_kind, ValueKind::kList);
  EXPECT_EQ(c.list, (std::vector<std::string>{"a", "b", "c d"}));
  Comparison one = One("run_id NOT IN ( 'x' )");
  EXPECT_EQ(one.op, CompareOp::kNotIn);
  EXPECT_EQ(one.list, (std::vector<std::string>{"x"}));
  EXPECT_EQ(One("run_id IN ('a', 'b',)").list.size(), 2u);
  EXPECT_TRUE(One("run_id IN ()").list.empty());
  EXPECT_EQ(One("run_id IN ('a,b', 'c)')").list, (std::vector<std::string>{"a,b", "c)"}));
}

TEST(ParseFilterTest, SeveralComparisonsJoinedByAnd) {
  core::Result<std::vector<Comparison>> parsed = ParseFilter(
      "metrics.acc > 0.9 AND params.lr = '0.1' and tags.`x y` LIKE 'a%' "
      "And attributes.status IN ('FINISHED')   AND\nname != \"z\"");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->size(), 5u);
  EXPECT_EQ((*parsed)[0].entity, "metrics");
  EXPECT_EQ((*parsed)[0].number, 0.9);
  EXPECT_EQ((*parsed)[1].entity, "params");
  EXPECT_EQ((*parsed)[1].value, "0.1");
  EXPECT_EQ((*parsed)[2].key, "x y");
  EXPECT_EQ((*parsed)[2].op, CompareOp::kLike);
  EXPECT_EQ((*parsed)[3].op, CompareOp::kIn);
  EXPECT_EQ((*parsed)[4].key, "name");
  EXPECT_EQ((*parsed)[4].op, CompareOp::kNe);
  // AND right after a quoted value.
  core::Result<std::vector<Comparison>> tight = ParseFilter("tags.a='x'AND tags.b='y'");
  ASSERT_TRUE(tight.ok()) << tight.status().ToString();
  EXPECT_EQ(tight->size(), 2u);
}

TEST(ParseFilterTest, OrIsRefused) {
  EXPECT_EQ(ErrorOf("metrics.a > 1 OR metrics.b > 2"), "Invalid clause(s) in filter string: 'OR'");
  EXPECT_EQ(ErrorOf("metrics.a > 1 or metrics.b > 2"), "Invalid clause(s) in filter string: 'or'");
}

TEST(ParseFilterTest, SyntaxErrors) {
  const std::string_view bad[] = {
      "(metrics.a > 1)",                      // grouping
      "metrics.a > 1 AND (params.b = 'x')",   // grouping
      "metrics.a > 1)",                       // stray parenthesis
      "metrics.a >",                          // missing value
      "metrics.a",                            // missing operator
      "metrics.a = ",                         // missing value
      "params.p = 'open",                     // unterminated quote
      "params.p = \"open",                    // unterminated quote
      "params.`open = 'x'",                   // unterminated key quote
      "metrics.a ~ 1",                        // unknown operator
      "metrics.a == 1",                       // unknown operator
      "metrics.a BETWEEN 1",                  // unknown operator
      "metrics.a NOT 1",                      // NOT without IN
      "params.p = value",                     // unquoted string
      "metrics.a > 1abc",                     // not a number
      "metrics.a > 1.2.3",                    // not a number
      "metrics.a > 1 metrics.b > 2",          // missing AND
      "metrics.a > 1 AND",                    // trailing AND
      "AND metrics.a > 1",                    // leading AND
      "metrics.a > 1 AND AND metrics.b > 1",  // doubled AND
      "metrics.a > 1 garbage",                // trailing garbage
      "metrics. > 1",                         // empty key
      "run_id IN 'a'",                        // IN without a list
      "run_id = ('a')",                       // a list without IN
      "run_id IN ('a' 'b')",                  // missing comma
      "run_id IN ('a', b)",                   // unquoted list item
      "run_id IN ('a'",                       // unterminated list
      "NOT metrics.a > 1",                    // NOT as a prefix
      "= 1",                                  // no identifier
      "metrics.a > 1;",                       // two statements
  };
  for (std::string_view filter : bad) {
    std::string message = ErrorOf(filter);
    EXPECT_TRUE(StartsWith(message, "Invalid clause(s) in filter string: '"))
        << filter << " -> " << message;
  }
}

TEST(ParseFilterTest, ErrorsSayWhatWasExpected) {
  EXPECT_EQ(ErrorOf("metrics.a > 1 AND params.p ="),
            "Invalid clause(s) in filter string: 'params.p =': expected a value");
  EXPECT_NE(ErrorOf("params.p = 'open").find("unterminated ' quote"), std::string::npos);
  EXPECT_NE(ErrorOf("(metrics.a > 1)").find("parentheses"), std::string::npos);
  EXPECT_NE(ErrorOf("metrics.a ~ 1").find("unknown comparison operator at '~ 1'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("metrics.a > 1 extra").find("'extra': expected AND"), std::string::npos);
}

TEST(ParseOrderByTest, Forms) {
  core::Result<OrderBy> plain = ParseOrderBy("metrics.acc");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->entity, "metrics");
  EXPECT_EQ(plain->key, "acc");
  EXPECT_TRUE(plain->ascending);
  EXPECT_FALSE(plain->key_quoted);

  core::Result<OrderBy> desc = ParseOrderBy("  metrics.`f1 score`   DESC ");
  ASSERT_TRUE(desc.ok()) << desc.status().ToString();
  EXPECT_EQ(desc->key, "f1 score");
  EXPECT_TRUE(desc->key_quoted);
  EXPECT_FALSE(desc->ascending);

  for (std::string_view clause : {"start_time asc", "start_time ASC", "start_time Asc"}) {
    core::Result<OrderBy> asc = ParseOrderBy(clause);
    ASSERT_TRUE(asc.ok()) << clause;
    EXPECT_EQ(asc->entity, "");
    EXPECT_EQ(asc->key, "start_time");
    EXPECT_TRUE(asc->ascending);
  }
  core::Result<OrderBy> lower_desc = ParseOrderBy("params.\"learning rate\" desc");
  ASSERT_TRUE(lower_desc.ok());
  EXPECT_EQ(lower_desc->entity, "params");
  EXPECT_EQ(lower_desc->key, "learning rate");
  EXPECT_FALSE(lower_desc->ascending);

  core::Result<OrderBy> dotted = ParseOrderBy("tags.mlflow.runName DESC");
  ASSERT_TRUE(dotted.ok());
  EXPECT_EQ(dotted->entity, "tags");
  EXPECT_EQ(dotted->key, "mlflow.runName");
  core::Result<OrderBy> upper = ParseOrderBy("Attributes.start_time");
  ASSERT_TRUE(upper.ok());
  EXPECT_EQ(upper->entity, "attributes");
}

TEST(ParseOrderByTest, Errors) {
  for (std::string_view clause : {"", "   ", "metrics.acc DESC extra", "metrics.acc>1",
                                  "metrics.`open", "(a)", "a, b", "DESC"}) {
    core::Result<OrderBy> parsed = ParseOrderBy(clause);
    ASSERT_FALSE(parsed.ok()) << clause;
    EXPECT_EQ(parsed.status().code(), Code::kInvalidParameterValue);
    EXPECT_EQ(parsed.status().message(),
              "Invalid order_by clause '" + std::string(clause) + "'. Could not be parsed.");
  }
  core::Result<OrderBy> direction = ParseOrderBy("metrics.acc DOWN");
  ASSERT_FALSE(direction.ok());
  EXPECT_EQ(direction.status().message(),
            "Invalid ordering key in order_by clause 'metrics.acc DOWN'.");
}

TEST(PageTokenTest, MatchesMlflowBytes) {
  EXPECT_EQ(EncodePageToken(100), "eyJvZmZzZXQiOiAxMDB9");
  EXPECT_EQ(core::Base64Decode(EncodePageToken(100)),
            std::optional<std::string>("{\"offset\": 100}"));
}

TEST(PageTokenTest, RoundTrips) {
  for (int64_t offset : {int64_t{0}, int64_t{1}, int64_t{1000}, int64_t{123456789012345}}) {
    core::Result<int64_t> decoded = DecodePageToken(EncodePageToken(offset));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(*decoded, offset);
  }
  core::Result<int64_t> empty = DecodePageToken("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, 0);
  // Other spacing json.loads accepts.
  core::Result<int64_t> compact = DecodePageToken(core::Base64Encode("{\"offset\":7}"));
  ASSERT_TRUE(compact.ok()) << compact.status().ToString();
  EXPECT_EQ(*compact, 7);
}

TEST(PageTokenTest, BadTokens) {
  core::Result<int64_t> not_base64 = DecodePageToken("not base64!");
  ASSERT_FALSE(not_base64.ok());
  EXPECT_EQ(not_base64.status().code(), Code::kInvalidParameterValue);
  EXPECT_EQ(not_base64.status().message(), "Invalid page token, could not base64-decode");

  for (std::string_view json :
       {"{}", "{\"offset\": -1}", "{\"offset\": \"5\"}", "{\"offset\": 1.5}", "{\"other\": 5}",
        "{\"offset\": 5, \"x\": 1}", "[5]", "hello", "{\"offset\": 99999999999999999999}",
        "{\"offset\": 5} trailing"}) {
    core::Result<int64_t> bad = DecodePageToken(core::Base64Encode(json));
    ASSERT_FALSE(bad.ok()) << json;
    EXPECT_EQ(bad.status().code(), Code::kInvalidParameterValue);
    EXPECT_EQ(bad.status().message(), "Invalid page token, could not parse offset") << json;
  }
}

TEST(SqlLikeMatchTest, Wildcards) {
  EXPECT_TRUE(SqlLikeMatch("abc", "abc", false));
  EXPECT_FALSE(SqlLikeMatch("abc", "ab", false));
  EXPECT_FALSE(SqlLikeMatch("ab", "abc", false));
  EXPECT_TRUE(SqlLikeMatch("abc", "a%", false));
  EXPECT_TRUE(SqlLikeMatch("abc", "%c", false));
  EXPECT_TRUE(SqlLikeMatch("abc", "%b%", false));
  EXPECT_TRUE(SqlLikeMatch("abc", "%", false));
  EXPECT_TRUE(SqlLikeMatch("", "%", false));
  EXPECT_TRUE(SqlLikeMatch("", "", false));
  EXPECT_FALSE(SqlLikeMatch("", "_", false));
  EXPECT_TRUE(SqlLikeMatch("abc", "a_c", false));
  EXPECT_TRUE(SqlLikeMatch("abc", "___", false));
  EXPECT_FALSE(SqlLikeMatch("abc", "__", false));
  EXPECT_TRUE(SqlLikeMatch("abcabcabd", "%abd", false));
  EXPECT_TRUE(SqlLikeMatch("mississippi", "m%iss%pi", false));
  EXPECT_FALSE(SqlLikeMatch("mississippi", "m%iss%pix", false));
  EXPECT_TRUE(SqlLikeMatch("a.b", "a.b", false));
  EXPECT_FALSE(SqlLikeMatch("axb", "a.b", false));  // no regex: '.' is itself
  EXPECT_TRUE(SqlLikeMatch("line\nbreak", "line%", false));
  // '_' is one UTF-8 character.
  EXPECT_TRUE(SqlLikeMatch("héllo", "h_llo", false));
  EXPECT_FALSE(SqlLikeMatch("héllo", "h__llo", false));
}

TEST(SqlLikeMatchTest, Case) {
  EXPECT_FALSE(SqlLikeMatch("Alpha", "alpha", false));
  EXPECT_FALSE(SqlLikeMatch("Alpha", "a%", false));
  EXPECT_TRUE(SqlLikeMatch("Alpha", "alpha", true));
  EXPECT_TRUE(SqlLikeMatch("ALPHA", "%Ph_", true));
}

}  // namespace
}  // namespace cairn::db
