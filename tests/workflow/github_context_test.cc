#include "workflow/github_context.h"

#include <gtest/gtest.h>

#include <string>

#include "core/yaml.h"

namespace cairn::workflow {
namespace {

Triggers Dispatch() {
  auto doc = core::ParseYaml(R"(on:
  workflow_dispatch:
    inputs:
      flag: {type: boolean, default: true}
      epochs: {type: number, default: 10}
      stage: {type: choice, options: [Staging, Production], default: Staging}
      note: {type: string}
      model: {type: string, required: true}
)",
                             "wf.yml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  auto t = ParseTriggers(*doc->Find("on"));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return *t;
}

Event DispatchEvent(std::vector<std::pair<std::string, std::string>> inputs) {
  Event e;
  e.name = "workflow_dispatch";
  e.ref = "refs/heads/main";
  e.inputs = std::move(inputs);
  return e;
}

TEST(GithubContextTest, InputsAreTypedAndDefaulted) {
  auto inputs = InputsContext(Dispatch(), DispatchEvent({{"model", "m"}, {"epochs", "3"}}));
  ASSERT_TRUE(inputs.ok()) << inputs.status().ToString();
  // The `inputs` context keeps types: a boolean input is a boolean (gha.md trap 25).
  EXPECT_EQ(inputs->Get("flag")->kind(), expr::Kind::kBoolean);
  EXPECT_TRUE(inputs->Get("flag")->AsBool());
  EXPECT_EQ(inputs->Get("EPOCHS")->AsNumber(), 3);  // looked up case-insensitively
  EXPECT_EQ(inputs->Get("stage")->AsString(), "Staging");
  EXPECT_EQ(inputs->Get("note")->AsString(), "");
  EXPECT_EQ(inputs->Get("model")->AsString(), "m");
}

TEST(GithubContextTest, BadInputsNameTheInput) {
  auto missing = InputsContext(Dispatch(), DispatchEvent({}));
  EXPECT_NE(missing.status().message().find("input 'model' is required"), std::string::npos)
      << missing.status().message();
  auto flag = InputsContext(Dispatch(), DispatchEvent({{"model", "m"}, {"flag", "yes"}}));
  EXPECT_NE(flag.status().message().find("input 'flag' is a boolean"), std::string::npos);
  auto choice = InputsContext(Dispatch(), DispatchEvent({{"model", "m"}, {"stage", "Prod"}}));
  EXPECT_NE(choice.status().message().find("expected one of Staging, Production"),
            std::string::npos);
  auto unknown = InputsContext(Dispatch(), DispatchEvent({{"model", "m"}, {"lr", "1"}}));
  EXPECT_NE(unknown.status().message().find("declares no input 'lr'"), std::string::npos);
}

TEST(GithubContextTest, GithubContextOfAPullRequest) {
  Event e;
  e.name = "pull_request";
  e.ref = "refs/pull/7/merge";
  e.sha = "abc";
  e.number = 7;
  e.base_ref = "main";
  e.head_ref = "feature";
  e.payload = core::Value::Mapping();
  GithubContextOptions options;
  options.repository = "acme/churn";
  options.actor = "ana";
  expr::Value github = GithubContext(e, options);
  EXPECT_EQ(github.Get("event_name")->AsString(), "pull_request");
  EXPECT_EQ(github.Get("ref_name")->AsString(), "7/merge");
  EXPECT_EQ(github.Get("base_ref")->AsString(), "main");
  EXPECT_EQ(github.Get("head_ref")->AsString(), "feature");
  EXPECT_EQ(github.Get("repository_owner")->AsString(), "acme");
  EXPECT_EQ(github.Get("ref_type")->AsString(), "");
  EXPECT_EQ(github.Get("actor")->AsString(), "ana");
}

}  // namespace
}  // namespace cairn::workflow
