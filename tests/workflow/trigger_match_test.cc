#include "workflow/trigger_match.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/yaml.h"

namespace cairn::workflow {
namespace {

TriggerDecision Decide(std::string_view yaml, const Event& e) {
  auto doc = core::ParseYaml(yaml, "wf.yml");
  EXPECT_TRUE(doc.ok()) << doc.status().ToString();
  auto triggers = ParseTriggers(*doc->Find("on"));
  EXPECT_TRUE(triggers.ok()) << triggers.status().ToString();
  return Match(*triggers, e);
}

Event Push(std::string ref, std::vector<std::string> changed) {
  Event e;
  e.name = "push";
  e.ref = std::move(ref);
  e.changed_paths = std::move(changed);
  e.changed_paths_known = true;
  e.changed_paths_from = "test";
  return e;
}

TEST(TriggerMatchTest, RefAndPathFiltersMustBothPass) {
  const char* on =
      "on:\n  push:\n    branches: ['releases/**', '!releases/**-alpha']\n"
      "    paths: ['src/**', '!src/docs/**']\n";
  EXPECT_TRUE(Decide(on, Push("refs/heads/releases/v2", {"src/a.cc"})).runs);
  TriggerDecision alpha = Decide(on, Push("refs/heads/releases/v2-alpha", {"src/a.cc"}));
  EXPECT_FALSE(alpha.runs);
  EXPECT_EQ(alpha.reasons[0],
            "push: branch 'releases/v2-alpha' is excluded by '!releases/**-alpha'");
  EXPECT_FALSE(Decide(on, Push("refs/heads/releases/v2", {"src/docs/x.md"})).runs);
  EXPECT_TRUE(Decide(on, Push("refs/heads/releases/v2", {"src/docs/x.md", "src/b.cc"})).runs);
}

TEST(TriggerMatchTest, PathsIgnore) {
  const char* on = "on:\n  push:\n    paths-ignore: ['docs/**', '*.md']\n";
  EXPECT_FALSE(Decide(on, Push("refs/heads/main", {"README.md", "docs/x"})).runs);
  TriggerDecision d = Decide(on, Push("refs/heads/main", {"README.md", "src/x.cc"}));
  EXPECT_TRUE(d.runs);
  EXPECT_EQ(d.reasons[1],
            "push: changed path 'src/x.cc' is not ignored by paths-ignore (docs/**, *.md)");
}

TEST(TriggerMatchTest, ListAndItsIgnoreTwinMustBothPass) {
  const char* on =
      "on:\n  push:\n    branches: ['releases/**']\n    branches-ignore: ['**-alpha']\n"
      "    paths: ['src/**']\n    paths-ignore: ['**.md']\n";
  EXPECT_TRUE(Decide(on, Push("refs/heads/releases/v2", {"src/a.cc"})).runs);
  TriggerDecision alpha = Decide(on, Push("refs/heads/releases/v2-alpha", {"src/a.cc"}));
  EXPECT_FALSE(alpha.runs);
  EXPECT_EQ(alpha.reasons[1],
            "push: branch 'releases/v2-alpha' is ignored by branches-ignore pattern '**-alpha'");
  EXPECT_FALSE(Decide(on, Push("refs/heads/main", {"src/a.cc"})).runs);
  EXPECT_FALSE(Decide(on, Push("refs/heads/releases/v2", {"src/a.md"})).runs);
  EXPECT_FALSE(Decide(on, Push("refs/heads/releases/v2", {"docs/x.cc"})).runs);
}

TEST(TriggerMatchTest, BranchesIgnoreAndOnlyTags) {
  EXPECT_FALSE(
      Decide("on:\n  push:\n    branches-ignore: ['dev/**']\n", Push("refs/heads/dev/x", {})).runs);
  TriggerDecision d = Decide("on:\n  push:\n    tags: ['v*']\n", Push("refs/heads/main", {}));
  EXPECT_FALSE(d.runs);
  EXPECT_EQ(d.reasons[0], "push: branch 'main' does not trigger: only tag filters are given");
  EXPECT_TRUE(Decide("on:\n  push:\n    tags-ignore: ['v*']\n", Push("refs/tags/r1", {})).runs);
}

TEST(TriggerMatchTest, UnknownChangedPathsDoNotBlock) {
  Event e = Push("refs/heads/main", {});
  e.changed_paths_known = false;
  e.changed_paths_from = "unknown: no repository";
  TriggerDecision d = Decide("on:\n  push:\n    paths: ['src/**']\n", e);
  EXPECT_TRUE(d.runs);
  EXPECT_EQ(d.reasons[1],
            "push: paths filters not evaluated: changed paths unknown: no repository");
}

TEST(TriggerMatchTest, OtherEvents) {
  Event e;
  e.name = "schedule";
  EXPECT_TRUE(Decide("on:\n  schedule:\n    - cron: '0 0 * * *'\n", e).runs);
  e.name = "issues";
  e.action = "opened";
  EXPECT_TRUE(Decide("on:\n  issues:\n    types: [opened]\n", e).runs);
  e.action = "closed";
  TriggerDecision d = Decide("on:\n  issues:\n    types: [opened, edited]\n", e);
  EXPECT_FALSE(d.runs);
  EXPECT_EQ(d.reasons[0], "issues: activity 'closed' is not in types (opened, edited)");
  e.name = "release";
  TriggerDecision none = Decide("on: [push, issues]\n", e);
  EXPECT_FALSE(none.runs);
  EXPECT_EQ(none.reasons[0], "release: not among the workflow's triggers (on: push, issues)");
}

}  // namespace
}  // namespace cairn::workflow
