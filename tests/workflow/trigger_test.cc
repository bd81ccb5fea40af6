#include "workflow/trigger.h"

#include <gtest/gtest.h>

#include <string>

#include "core/yaml.h"

namespace cairn::workflow {
namespace {

// Parses `text` as wf.yml and returns ParseTriggers of its `on`.
core::Result<Triggers> Parse(std::string_view text) {
  auto doc = core::ParseYaml(text, "wf.yml");
  if (!doc.ok()) return doc.status();
  const core::Value* on = doc->Find("on");
  if (on == nullptr) return core::Status::InvalidArgument("test: no on");
  return ParseTriggers(*on);
}

std::string ErrorOf(std::string_view text) {
  auto t = Parse(text);
  return t.ok() ? "ok" : t.status().message();
}

TEST(TriggerTest, ThreeForms) {
  auto one = Parse("on: push\n");
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->events.size(), 1u);
  EXPECT_EQ(one->events[0].name, "push");
  EXPECT_EQ(one->events[0].location.ToString(), "wf.yml:1:5");
  EXPECT_TRUE(one->events[0].push.has_value());

  auto list = Parse("on: [push, pull_request, workflow_dispatch]\n");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->events.size(), 3u);
  EXPECT_EQ(list->events[1].name, "pull_request");
  EXPECT_EQ(list->events[1].pull_request->EffectiveTypes(),
            (std::vector<std::string>{"opened", "synchronize", "reopened"}));
  EXPECT_TRUE(list->Has("workflow_dispatch"));

  auto map = Parse(
      "on:\n"
      "  push:\n"
      "    branches: [main, 'releases/**']\n"
      "    paths-ignore:\n"
      "      - 'docs/**'\n"
      "  pull_request:\n"
      "    types: [opened, labeled]\n"
      "    branches: main\n"
      "  schedule:\n"
      "    - cron: '30 5 * * 1-5'\n"
      "    - cron: '0 0 * * 0'\n"
      "      timezone: Europe/Paris\n"
      "  issues:\n"
      "    types: [opened]\n");
  ASSERT_TRUE(map.ok()) << map.status().ToString();
  ASSERT_EQ(map->events.size(), 4u);
  const EventTrigger& push = map->events[0];
  EXPECT_EQ(push.location.ToString(), "wf.yml:2:3");
  ASSERT_TRUE(push.push->branches.has_value());
  EXPECT_EQ(push.push->branches->location.ToString(), "wf.yml:3:5");
  ASSERT_EQ(push.push->branches->patterns.size(), 2u);
  EXPECT_EQ(push.push->branches->patterns.entries()[1].location.ToString(), "wf.yml:3:22");
  EXPECT_TRUE(push.push->paths_ignore->patterns.Matches("docs/a/b.md"));
  EXPECT_FALSE(push.push->tags.has_value());
  const EventTrigger& pr = map->events[1];
  EXPECT_EQ(pr.pull_request->types, (std::vector<std::string>{"opened", "labeled"}));
  EXPECT_TRUE(pr.pull_request->branches->patterns.Matches("main"));
  const EventTrigger& schedule = map->events[2];
  ASSERT_EQ(schedule.schedule.size(), 2u);
  EXPECT_EQ(schedule.schedule[0].text, "30 5 * * 1-5");
  EXPECT_EQ(schedule.schedule[0].location.ToString(), "wf.yml:10:13");
  EXPECT_EQ(schedule.schedule[1].timezone, "Europe/Paris");
  EXPECT_EQ(map->events[3].name, "issues");
  EXPECT_TRUE(map->events[3].config.is_mapping());
}

TEST(TriggerTest, NullEventMeansNoFilters) {
  auto t = Parse("on:\n  push:\n  workflow_dispatch:\n");
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->events[0].push->branches.has_value());
  EXPECT_TRUE(t->events[1].workflow_dispatch->inputs.empty());
}

TEST(TriggerTest, DispatchAndCallInputs) {
  auto t = Parse(
      "on:\n"
      "  workflow_dispatch:\n"
      "    inputs:\n"
      "      env:\n"
      "        description: Where\n"
      "        type: choice\n"
      "        options: [dev, prod]\n"
      "        default: dev\n"
      "      dry:\n"
      "        type: boolean\n"
      "        default: true\n"
      "        required: true\n"
      "      name:\n"
      "        default: x\n"
      "  workflow_call:\n"
      "    inputs:\n"
      "      lr:\n"
      "        type: number\n"
      "        default: 0.1\n"
      "    secrets:\n"
      "      token:\n"
      "        required: true\n"
      "      other:\n"
      "    outputs:\n"
      "      model:\n"
      "        description: the model\n"
      "        value: ${{ jobs.train.outputs.model }}\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  const auto& inputs = t->events[0].workflow_dispatch->inputs;
  ASSERT_EQ(inputs.size(), 3u);
  EXPECT_EQ(inputs[0].id, "env");
  EXPECT_EQ(inputs[0].type, InputType::kChoice);
  EXPECT_EQ(inputs[0].options, (std::vector<std::string>{"dev", "prod"}));
  EXPECT_EQ(inputs[0].description, "Where");
  EXPECT_EQ(inputs[1].type, InputType::kBoolean);
  EXPECT_TRUE(inputs[1].required);
  EXPECT_TRUE(inputs[1].default_value->is_bool());
  EXPECT_EQ(inputs[2].type, InputType::kString);
  const CallTrigger& call = *t->events[1].workflow_call;
  ASSERT_EQ(call.inputs.size(), 1u);
  EXPECT_EQ(call.inputs[0].type, InputType::kNumber);
  ASSERT_EQ(call.secrets.size(), 2u);
  EXPECT_TRUE(call.secrets[0].required);
  EXPECT_FALSE(call.secrets[1].required);
  ASSERT_EQ(call.outputs.size(), 1u);
  EXPECT_EQ(call.outputs[0].value, "${{ jobs.train.outputs.model }}");
  EXPECT_EQ(call.outputs[0].value_location.ToString(), "wf.yml:27:16");
}

// GitHub's reader (schema and converters) takes a list with its -ignore twin on any event.
TEST(TriggerTest, FilterWithItsIgnoreTwin) {
  auto t = Parse(
      "on:\n  push:\n    branches: [main]\n    branches-ignore: [dev]\n    tags: [v1]\n"
      "    tags-ignore: [v2]\n  pull_request:\n    paths: [a]\n    paths-ignore: [b]\n"
      "  merge_group:\n    branches: [main]\n    branches-ignore: [dev]\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->events.size(), 3u);
  ASSERT_TRUE(t->events[0].push.has_value());
  EXPECT_TRUE(t->events[0].push->branches.has_value());
  EXPECT_TRUE(t->events[0].push->branches_ignore.has_value());
  ASSERT_TRUE(t->events[1].pull_request.has_value());
  EXPECT_TRUE(t->events[1].pull_request->paths_ignore.has_value());
}

// The runner's readers ignore unknown keys beside workflow_dispatch's inputs, not inside one.
TEST(TriggerTest, DispatchIgnoresUnknownKeysBesideInputs) {
  auto t = Parse("on:\n  workflow_dispatch:\n    unknown-key: asdf\n    inputs:\n      x:\n");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(t->events[0].workflow_dispatch.has_value());
  EXPECT_EQ(t->events[0].workflow_dispatch->inputs.size(), 1u);
  EXPECT_NE(ErrorOf("on:\n  workflow_dispatch:\n    inputs:\n      x:\n        nope: 1\n"), "ok");
}

TEST(TriggerTest, Errors) {
  EXPECT_EQ(ErrorOf("on: pushh\n").substr(0, 83),
            "wf.yml:1:5: Unexpected value 'pushh'; expected one of the events: "
            "branch_protection");
  EXPECT_EQ(ErrorOf("on: [push, nope]\n").substr(0, 41),
            "wf.yml:1:12: Unexpected value 'nope'; exp");
  EXPECT_EQ(ErrorOf("on:\n  push:\n    branch: main\n"),
            "wf.yml:3:5: Unexpected value 'branch'; expected one of: branches, "
            "branches-ignore, tags, tags-ignore, paths, paths-ignore (the keys of event 'push')");
  EXPECT_EQ(ErrorOf("on:\n  pull_request:\n    tags: [v1]\n"),
            "wf.yml:3:5: Unexpected value 'tags'; expected one of: types, branches, "
            "branches-ignore, paths, paths-ignore (the keys of event 'pull_request')");
  EXPECT_EQ(ErrorOf("on:\n  push:\n    tags: ['!v1', '!v2']\n"),
            "wf.yml:3:11: only '!' patterns: a list needs at least one positive pattern to "
            "match anything");
  EXPECT_EQ(ErrorOf("on:\n  push:\n    paths: ['src/[a']\n"),
            "wf.yml:3:13: invalid pattern 'src/[a': '[' without a closing ']'");
  EXPECT_EQ(ErrorOf("on:\n  schedule:\n    - cron: '0 25 * * *'\n"),
            "wf.yml:3:13: cron '0 25 * * *': hour: '25' is out of range 0-23");
  EXPECT_EQ(ErrorOf("on:\n  schedule:\n    - crn: '0 0 * * *'\n"),
            "wf.yml:3:7: Unexpected value 'crn'; expected one of: cron, timezone (in a "
            "schedule entry)");
  EXPECT_EQ(ErrorOf("on:\n  workflow_dispatch:\n    inputs:\n      x:\n        nope: 1\n"),
            "wf.yml:5:9: Unexpected value 'nope'; expected one of: description, type, required, "
            "default, options (in workflow_dispatch input 'x')");
  EXPECT_EQ(ErrorOf("on:\n  workflow_dispatch:\n    inputs:\n      x:\n        type: text\n"),
            "wf.yml:5:15: workflow_dispatch input 'x': unknown type 'text': expected string, "
            "choice, boolean, number or environment");
  EXPECT_EQ(ErrorOf("on:\n  workflow_dispatch:\n    inputs:\n      x:\n        type: choice\n"),
            "wf.yml:5:15: workflow_dispatch input 'x': a choice input needs 'options' (a "
            "non-empty list of strings)");
  EXPECT_EQ(ErrorOf("on:\n  workflow_dispatch:\n    inputs:\n      x:\n        type: choice\n"
                    "        options: [a, b]\n        default: c\n"),
            "wf.yml:7:18: workflow_dispatch input 'x' default: 'c' is not one of the options "
            "('a', 'b')");
  EXPECT_EQ(ErrorOf("on:\n  workflow_call:\n    inputs:\n      x:\n        required: true\n"),
            "wf.yml:4:7: workflow_call input 'x': missing 'type' (string, number or boolean)");
  EXPECT_EQ(ErrorOf("on:\n  workflow_call:\n    inputs:\n      x:\n        type: choice\n"),
            "wf.yml:5:15: workflow_call input 'x': unknown type 'choice': expected string, "
            "number or boolean");
  EXPECT_EQ(ErrorOf("on:\n  pull_request:\n    types: [opened, merged]\n"),
            "wf.yml:3:21: unknown activity type 'merged' for event 'pull_request': expected one "
            "of assigned, unassigned, labeled, unlabeled, opened, edited, closed, reopened, "
            "synchronize, converted_to_draft, locked, unlocked, enqueued, dequeued, milestoned, "
            "demilestoned, ready_for_review, review_requested, review_request_removed, "
            "auto_merge_enabled, auto_merge_disabled, stacked");
  EXPECT_EQ(ErrorOf("on:\n  create:\n    branches: [x]\n"),
            "wf.yml:3:5: event 'create' takes no configuration: write 'create:' with nothing "
            "after it");
  EXPECT_EQ(ErrorOf("on: 3\n"),
            "wf.yml:1:5: 'on': expected an event name, a list of event names or a mapping of "
            "events to their configuration, got a number");
  EXPECT_EQ(ErrorOf("on:\n  workflow_call:\n    outputs:\n      m:\n        description: x\n"),
            "wf.yml:4:7: workflow_call output 'm': missing 'value'");
}

TEST(TriggerTest, KnownEventNamesComeFromTheSchema) {
  const auto& names = KnownEventNames();
  EXPECT_EQ(names.size(), 37u);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), "merge_group"), names.end());
}

}  // namespace
}  // namespace cairn::workflow
