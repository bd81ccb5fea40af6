// Params: request messages read from query strings and JSON bodies as MLflow's server reads
// them (repeated keys, True/true booleans, numbers as strings, experiment ids as numbers,
// DELETE bodies or queries, proto JSON doubles).
#include "server/request.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

namespace cairn::server {
namespace {

net::ServerRequest Get(std::vector<std::pair<std::string, std::string>> query) {
  net::ServerRequest request;
  request.method = "GET";
  request.query = std::move(query);
  return request;
}

net::ServerRequest Post(std::string body, std::string content_type = "application/json") {
  net::ServerRequest request;
  request.method = "POST";
  request.body = std::move(body);
  if (!content_type.empty()) request.headers.emplace_back("content-type", content_type);
  return request;
}

Params MustParse(const net::ServerRequest& request) {
  Result<Params> params = Params::Parse(request);
  EXPECT_TRUE(params.ok()) << params.status().ToString();
  return params.ok() ? *params : *Params::FromJson("{}");
}

TEST(RequestTest, QueryStringRepeatedKeysAndScalars) {
  Params p = MustParse(
      Get({{"stages", "Staging"}, {"name", "m"}, {"stages", "Production"}, {"name", "second"}}));
  EXPECT_EQ(p.StringList("stages").value(), (std::vector<std::string>{"Staging", "Production"}));
  EXPECT_EQ(p.String("name").value(), "m");  // a scalar takes the first
  EXPECT_TRUE(p.StringList("absent").value().empty());
  EXPECT_FALSE(p.Has("absent"));
}

TEST(RequestTest, QueryStringBooleansInAnyCase) {
  Params p = MustParse(Get({{"a", "True"}, {"b", "false"}, {"c", "TRUE"}, {"d", "yes"}}));
  EXPECT_EQ(p.OptBool("a").value(), std::optional<bool>(true));
  EXPECT_EQ(p.OptBool("b").value(), std::optional<bool>(false));
  EXPECT_EQ(p.RequiredBool("c").value(), true);
  Result<std::optional<bool>> bad = p.OptBool("d");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), core::Code::kInvalidParameterValue);
  EXPECT_NE(bad.status().message().find("'d'"), std::string::npos);
  EXPECT_EQ(p.OptBool("e").value(), std::nullopt);
  EXPECT_FALSE(p.RequiredBool("e").ok());
}

TEST(RequestTest, QueryStringNumbersAreCoerced) {
  Params p = MustParse(Get(
      {{"max_results", "25"}, {"step", "-3"}, {"value", "1.5"}, {"nan", "NaN"}, {"bad", "25x"}}));
  EXPECT_EQ(p.OptInt64("max_results").value(), std::optional<int64_t>(25));
  EXPECT_EQ(p.RequiredInt64("step").value(), -3);
  EXPECT_EQ(p.RequiredDouble("value").value(), 1.5);
  EXPECT_TRUE(std::isnan(p.RequiredDouble("nan").value()));
  EXPECT_FALSE(p.OptInt64("bad").ok());
  EXPECT_FALSE(p.OptInt64("value").ok());  // not an integer
}

TEST(RequestTest, JsonFieldTypesAreChecked) {
  Params p = MustParse(Post(R"({"name": 5, "experiment_id": 7, "experiment_ids": [1, "2"],
                                "version": 3, "n": 10, "s": "11", "f": 2.0, "x": 2.5,
                                "v": "Infinity", "w": "-Infinity", "flag": true, "list": "one",
                                "obj": {"a": 1}})"));
  EXPECT_FALSE(p.String("name").ok());  // a number where a string belongs
  EXPECT_EQ(p.String("experiment_id").value(), "7");
  EXPECT_EQ(p.StringList("experiment_ids").value(), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(p.String("version").value(), "3");
  EXPECT_EQ(p.RequiredInt64("n").value(), 10);
  EXPECT_EQ(p.RequiredInt64("s").value(), 11);  // proto JSON: int64 as a string
  EXPECT_EQ(p.RequiredInt64("f").value(), 2);
  EXPECT_FALSE(p.OptInt64("x").ok());
  EXPECT_EQ(p.RequiredDouble("v").value(), HUGE_VAL);
  EXPECT_EQ(p.RequiredDouble("w").value(), -HUGE_VAL);
  EXPECT_TRUE(p.RequiredBool("flag").value());
  EXPECT_EQ(p.StringList("list").value(), (std::vector<std::string>{"one"}));
  EXPECT_FALSE(p.String("obj").ok());
  EXPECT_FALSE(p.MessageList("obj").ok());
  EXPECT_TRUE(p.Message("obj").value().has_value());
}

TEST(RequestTest, RequiredMeansPresentAndNonEmpty) {
  Params p = MustParse(Post(R"({"key": "", "value": "", "other": null})"));
  Result<std::string> key = p.RequiredString("key");
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(),
            "Missing value for required parameter 'key'. See the API docs for more information "
            "about request parameters.");
  EXPECT_EQ(p.PresentString("value").value(), "");  // present, empty: a tag value may be
  EXPECT_FALSE(p.PresentString("other").ok());      // null is absent
  EXPECT_FALSE(p.PresentString("missing").ok());
}

TEST(RequestTest, NestedMessagesNameTheirFields) {
  Params p = MustParse(Post(R"({"metrics": [{"key": "a"}, {"key": "b", "value": 1}]})"));
  std::vector<Params> metrics = p.MessageList("metrics").value();
  ASSERT_EQ(metrics.size(), 2u);
  Result<double> value = metrics[0].RequiredDouble("value");
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.status().message().find("'metrics[0].value'"), std::string::npos);
  EXPECT_EQ(metrics[1].RequiredDouble("value").value(), 1);
}

TEST(RequestTest, RunIdFallsBackToRunUuid) {
  EXPECT_EQ(MustParse(Post(R"({"run_uuid": "u"})")).RunId().value(), "u");
  EXPECT_EQ(MustParse(Post(R"({"run_id": "r", "run_uuid": "u"})")).RunId().value(), "r");
  Result<std::string> none = MustParse(Post("{}")).RunId();
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("'run_id'"), std::string::npos);
}

TEST(RequestTest, EnumsByNameOrNumber) {
  constexpr std::array<std::string_view, 4> kNames = {"", "ACTIVE_ONLY", "DELETED_ONLY", "ALL"};
  EXPECT_EQ(MustParse(Post(R"({"v": 3})")).OptEnum("v", kNames).value(),
            std::optional<std::string>("ALL"));
  EXPECT_EQ(MustParse(Post(R"({"v": "all"})")).OptEnum("v", kNames).value(),
            std::optional<std::string>("all"));  // the store decides case rules
  EXPECT_FALSE(MustParse(Post(R"({"v": 9})")).OptEnum("v", kNames).ok());
  EXPECT_FALSE(MustParse(Post(R"({"v": 0})")).OptEnum("v", kNames).ok());
}

TEST(RequestTest, ContentTypeRules) {
  EXPECT_TRUE(Params::Parse(Post("{}", "application/json; charset=utf-8")).ok());
  EXPECT_TRUE(Params::Parse(Post("{}", "Application/JSON")).ok());
  Result<Params> none = Params::Parse(Post("{}", ""));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "Bad Request. Content-Type header is missing.");
  Result<Params> text = Params::Parse(Post("{}", "text/plain"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), core::Code::kInvalidParameterValue);
  // PATCH and DELETE do not insist.
  net::ServerRequest patch = Post(R"({"a": "b"})", "");
  patch.method = "PATCH";
  EXPECT_EQ(MustParse(patch).String("a").value(), "b");
}

TEST(RequestTest, BodiesDoubleEncodedEmptyOrWrong) {
  EXPECT_EQ(MustParse(Post(R"("{\"name\": \"x\"}")")).String("name").value(), "x");
  EXPECT_FALSE(MustParse(Post("")).Has("name"));
  EXPECT_FALSE(MustParse(Post("  \n")).Has("name"));
  EXPECT_FALSE(Params::Parse(Post("[1]")).ok());
  EXPECT_FALSE(Params::Parse(Post("{\"a\": ")).ok());
  EXPECT_FALSE(Params::Parse(Post(R"("not json")")).ok());
  // NaN as Python's json.dumps writes it.
  EXPECT_TRUE(std::isnan(MustParse(Post(R"({"value": NaN})")).RequiredDouble("value").value()));
}

TEST(RequestTest, DeleteTakesABodyOrAQuery) {
  net::ServerRequest with_body = Post(R"({"name": "from-body"})", "application/json");
  with_body.method = "DELETE";
  EXPECT_EQ(MustParse(with_body).String("name").value(), "from-body");
  net::ServerRequest with_query = Get({{"name", "from-query"}});
  with_query.method = "DELETE";
  EXPECT_EQ(MustParse(with_query).String("name").value(), "from-query");
}

}  // namespace
}  // namespace cairn::server
