// Plan driven by hand: the ready queue, results and reasons, the Decider, Cancel and Reset.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "dag/dag.h"

namespace cairn::dag {
namespace {

// "s" + 7 -> "s7" (spelled out: g++ 12 reports a false -Wrestrict for "s" + std::to_string(i)).
std::string Numbered(std::string_view prefix, size_t i) {
  std::string name(prefix);
  name += std::to_string(i);
  return name;
}

using V = std::vector<std::string>;
using Edges = std::vector<std::pair<std::string, std::string>>;

Graph MakeGraph(const std::vector<std::string>& nodes, const Edges& edges) {
  Graph graph;
  for (const std::string& node : nodes) EXPECT_TRUE(graph.AddNode(node).ok()) << node;
  for (const auto& [from, to] : edges) EXPECT_TRUE(graph.AddEdge(from, to).ok()) << from << to;
  return graph;
}

// A Plan with helpers that speak names, so tests read like the pipeline they describe.
class Driver {
 public:
  explicit Driver(const Graph& graph, Decider decider = nullptr)
      : graph_(graph), plan_(Plan::Create(graph, std::move(decider))) {
    EXPECT_TRUE(plan_.ok()) << plan_.status().ToString();
  }
  Plan& plan() { return *plan_; }
  NodeId Id(const std::string& name) { return *graph_.Find(name); }
  V Ready() {
    V names;
    for (NodeId id : plan_->Ready()) names.push_back(graph_.name(id));
    return names;
  }
  void Start(const std::string& name) { EXPECT_TRUE(plan_->Start(Id(name)).ok()) << name; }
  void Finish(const std::string& name, NodeResult result = NodeResult::Succeeded()) {
    EXPECT_TRUE(plan_->Finished(Id(name), std::move(result)).ok()) << name;
  }
  void Run(const std::string& name, NodeResult result = NodeResult::Succeeded()) {
    Start(name);
    Finish(name, std::move(result));
  }
  // "skipped: ..." for a node with a result, "<none>" for one without.
  std::string Result(const std::string& name) {
    const NodeResult* result = plan_->result(Id(name));
    return result ? result->ToString() : "<none>";
  }

 private:
  const Graph& graph_;
  core::Result<Plan> plan_;
};

TEST(PlanTest, DiamondRunsEachNodeWhenItsInputsAreDone) {
  Graph graph = MakeGraph({"a", "b", "c", "d"}, {{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}});
  Driver d(graph);
  EXPECT_EQ(d.Ready(), V{"a"});
  EXPECT_EQ(d.plan().NextReady(), std::optional<NodeId>(d.Id("a")));
  d.Start("a");
  EXPECT_EQ(d.Ready(), V{});
  EXPECT_EQ(d.plan().NextReady(), std::nullopt);
  EXPECT_EQ(d.plan().running(), 1u);
  EXPECT_EQ(d.plan().state(d.Id("a")), NodeState::kRunning);
  EXPECT_EQ(d.plan().state(d.Id("d")), NodeState::kWaiting);
  d.Finish("a");
  EXPECT_EQ(d.Ready(), (V{"b", "c"}));
  d.Start("c");  // any ready node may be started, not only the earliest
  d.Start("b");
  d.Finish("b");
  EXPECT_EQ(d.Ready(), V{});  // d still needs c
  d.Finish("c", NodeResult::Succeeded("up to date"));
  EXPECT_EQ(d.Ready(), V{"d"});
  EXPECT_FALSE(d.plan().done());
  d.Run("d");
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(d.plan().Count(Outcome::kSucceeded), 4u);
  EXPECT_EQ(d.Result("c"), "succeeded: up to date");
  EXPECT_EQ(d.Result("d"), "succeeded");
}

TEST(PlanTest, ReadyQueueFollowsTopologicalOrder) {
  // x needs z, so the order is z, x, y, and so is the ready queue.
  Graph graph = MakeGraph({"x", "y", "z", "w"}, {{"z", "x"}});
  Driver d(graph);
  EXPECT_EQ(d.Ready(), (V{"z", "y", "w"}));
  EXPECT_EQ(d.plan().NextReady(), std::optional<NodeId>(d.Id("z")));
  d.Run("z");
  EXPECT_EQ(d.Ready(), (V{"x", "y", "w"}));
}

// prepare -> train -> evaluate -> deploy, train -> report, prepare -> lint.
Graph MlPipeline() {
  return MakeGraph({"prepare", "train", "evaluate", "deploy", "report", "lint"},
                   {{"prepare", "train"},
                    {"train", "evaluate"},
                    {"evaluate", "deploy"},
                    {"train", "report"},
                    {"evaluate", "report"},
                    {"prepare", "lint"}});
}

TEST(PlanTest, FailureSkipsDependentsTransitivelyWithReasons) {
  Graph graph = MlPipeline();
  Driver d(graph);
  d.Run("prepare");
  EXPECT_EQ(d.Ready(), (V{"train", "lint"}));
  d.Start("train");
  d.Start("lint");
  d.Finish("train", NodeResult::Failed("exit code 1"));
  // Everything below train is decided at once, each naming the input it lacks.
  EXPECT_EQ(d.Result("train"), "failed: exit code 1");
  EXPECT_EQ(d.Result("evaluate"), "skipped: needs 'train', which failed");
  EXPECT_EQ(d.Result("deploy"), "skipped: needs 'evaluate', which was skipped");
  EXPECT_EQ(d.Result("report"), "skipped: needs 'train', which failed");
  EXPECT_EQ(d.plan().result(d.Id("report"))->reason, "needs 'train', which failed");
  // The unrelated branch goes on.
  EXPECT_EQ(d.Result("lint"), "<none>");
  EXPECT_FALSE(d.plan().done());
  d.Finish("lint");
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(d.plan().Count(Outcome::kSucceeded), 2u);
  EXPECT_EQ(d.plan().Count(Outcome::kFailed), 1u);
  EXPECT_EQ(d.plan().Count(Outcome::kSkipped), 3u);
}

TEST(PlanTest, SkippedResultFromWorkPropagatesAsSkipped) {
  Graph graph = MakeGraph({"a", "b"}, {{"a", "b"}});
  Driver d(graph);
  d.Run("a", NodeResult::Skipped("no changes"));
  EXPECT_EQ(d.Result("b"), "skipped: needs 'a', which was skipped");
}

// GitHub Actions-like `if:`: "report" has `if: always()`, "cleanup" has `if: failure()`,
// everything else the default `success()` over every ancestor.
Decision GithubLike(const DecisionContext& context) {
  if (context.name == "report") return Decision::Run();
  if (context.name == "cleanup") {
    if (context.any_ancestor_failed) return Decision::Run();
    return Decision::Skip("if: failure() is false");
  }
  if (!context.all_ancestors_succeeded && context.all_inputs_succeeded) {
    return Decision::Skip("an earlier job failed");
  }
  return DefaultDecision(context);
}

// build -> test -> report -> publish, test -> cleanup.
Graph CiPipeline() {
  return MakeGraph(
      {"build", "test", "report", "publish", "cleanup"},
      {{"build", "test"}, {"test", "report"}, {"report", "publish"}, {"test", "cleanup"}});
}

TEST(PlanTest, DeciderCanRunANodeAfterAFailureLikeAlways) {
  Graph graph = CiPipeline();
  std::vector<std::string> asked;
  Driver d(graph, [&](const DecisionContext& context) {
    asked.push_back(std::string(context.name));
    return GithubLike(context);
  });
  EXPECT_EQ(asked, V{"build"});  // nodes without inputs are decided at once
  d.Run("build", NodeResult::Failed("compiler error"));
  EXPECT_EQ(d.Result("test"), "skipped: needs 'build', which failed");
  // report ran anyway (always()), and cleanup too, since an ancestor (build) failed, though
  // its only input (test) was merely skipped.
  EXPECT_EQ(d.Ready(), (V{"report", "cleanup"}));
  d.Run("report");
  // publish's input succeeded, but GitHub skips it: an ancestor failed.
  EXPECT_EQ(d.Result("publish"), "skipped: an earlier job failed");
  d.Run("cleanup");
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(asked, (V{"build", "test", "report", "cleanup", "publish"}));
}

TEST(PlanTest, DeciderSeesInputResults) {
  Graph graph = CiPipeline();
  std::vector<std::string> seen;
  Driver d(graph, [&](const DecisionContext& context) {
    if (context.name == "cleanup") {
      for (const InputResult& input : context.inputs) {
        seen.push_back(std::string(input.name) + "=" + input.result->ToString());
      }
      EXPECT_FALSE(context.all_inputs_succeeded);
      EXPECT_TRUE(context.any_input_failed);
      EXPECT_FALSE(context.all_ancestors_succeeded);
      EXPECT_TRUE(context.any_ancestor_failed);
    }
    return GithubLike(context);
  });
  d.Run("build");
  d.Run("test", NodeResult::Failed("2 tests failed"));
  EXPECT_EQ(seen, V{"test=failed: 2 tests failed"});
  EXPECT_EQ(d.Ready(), (V{"report", "cleanup"}));
}

TEST(PlanTest, FailureLikeNodeIsSkippedWhenAllSucceed) {
  Graph graph = CiPipeline();
  Driver d(graph, GithubLike);
  d.Run("build");
  d.Run("test");
  EXPECT_EQ(d.Result("cleanup"), "skipped: if: failure() is false");
  EXPECT_EQ(d.Ready(), V{"report"});
  d.Run("report");
  d.Run("publish");
  EXPECT_TRUE(d.plan().done());
}

TEST(PlanTest, DeciderCanSkipANodeWithoutInputs) {
  Graph graph = MakeGraph({"deploy", "notify"}, {{"deploy", "notify"}});
  Driver d(graph, [](const DecisionContext& context) {
    if (context.name == "deploy") return Decision::Skip("if: github.ref == 'main' is false");
    return DefaultDecision(context);
  });
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(d.Result("deploy"), "skipped: if: github.ref == 'main' is false");
  EXPECT_EQ(d.Result("notify"), "skipped: needs 'deploy', which was skipped");
}

TEST(PlanTest, CancelSkipsEverythingNotStarted) {
  Graph graph = MlPipeline();
  Driver d(graph);
  d.Run("prepare");
  d.Start("train");
  d.plan().Cancel();
  EXPECT_TRUE(d.plan().cancelled());
  EXPECT_EQ(d.Ready(), V{});
  EXPECT_EQ(d.Result("lint"), "skipped: cancelled");    // was ready
  EXPECT_EQ(d.Result("deploy"), "skipped: cancelled");  // was waiting
  EXPECT_FALSE(d.plan().done());                        // train is still running
  EXPECT_FALSE(d.plan().Start(d.Id("lint")).ok());
  d.Finish("train");
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(d.Result("train"), "succeeded");
  EXPECT_EQ(d.Result("evaluate"), "skipped: cancelled");
  d.plan().Cancel("again");  // no effect
  EXPECT_EQ(d.Result("evaluate"), "skipped: cancelled");
}

TEST(PlanTest, CancelWithReason) {
  Graph graph = MakeGraph({"a", "b"}, {});
  Driver d(graph);
  d.plan().Cancel("cancelled: interrupted");
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(d.Result("a"), "skipped: cancelled: interrupted");
}

TEST(PlanTest, StartAndFinishCheckTheNodeState) {
  Graph graph = MakeGraph({"a", "b"}, {{"a", "b"}});
  Driver d(graph);
  Status s = d.plan().Start(d.Id("b"));
  EXPECT_EQ(s.code(), core::Code::kInvalidState);
  EXPECT_EQ(s.message(), "cannot start 'b': it is waiting for its inputs");
  s = d.plan().Finished(d.Id("a"), NodeResult::Succeeded());
  EXPECT_EQ(s.message(), "cannot finish 'a': it is ready");
  d.Run("a");
  EXPECT_EQ(d.plan().Start(d.Id("a")).message(), "cannot start 'a': it is done");
  EXPECT_TRUE(d.plan().Start(NodeId{9}).IsInvalidArgument());
  EXPECT_TRUE(d.plan().Finished(NodeId{9}, NodeResult()).IsInvalidArgument());
}

TEST(PlanTest, ResetForgetsResultsAndKeepsTheStructure) {
  Graph graph = MlPipeline();
  int decisions = 0;
  Driver d(graph, [&](const DecisionContext& context) {
    ++decisions;
    return DefaultDecision(context);
  });
  d.Run("prepare", NodeResult::Failed("no data"));
  d.plan().Cancel();
  ASSERT_TRUE(d.plan().done());
  decisions = 0;
  d.plan().Reset();
  EXPECT_EQ(decisions, 1);  // the Decider is kept
  EXPECT_FALSE(d.plan().cancelled());
  EXPECT_FALSE(d.plan().done());
  EXPECT_EQ(d.Result("prepare"), "<none>");
  EXPECT_EQ(d.Result("deploy"), "<none>");
  EXPECT_EQ(d.Ready(), V{"prepare"});
  for (const char* name : {"prepare", "train", "lint", "evaluate", "deploy", "report"}) {
    d.Run(name);
  }
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(d.plan().Count(Outcome::kSucceeded), 6u);
}

TEST(PlanTest, EmptyGraphIsDoneAtOnce) {
  Graph graph;
  Driver d(graph);
  EXPECT_TRUE(d.plan().done());
  EXPECT_EQ(d.plan().NextReady(), std::nullopt);
}

TEST(PlanTest, SkipsCascadeDownALongChainWithoutRecursion) {
  const NodeId n = 100000;
  Graph graph;
  for (NodeId i = 0; i < n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("s", i)).ok());
  for (NodeId i = 0; i + 1 < n; ++i) ASSERT_TRUE(graph.AddEdge(i, i + 1).ok());
  Result<Plan> plan = Plan::Create(graph);
  ASSERT_TRUE(plan.ok());
  ASSERT_TRUE(plan->Start(0).ok());
  ASSERT_TRUE(plan->Finished(0, NodeResult::Failed("boom")).ok());
  EXPECT_TRUE(plan->done());
  EXPECT_EQ(plan->result(n - 1)->reason, "needs 's99998', which was skipped");
}

TEST(PlanTest, DrivingAWideGraphOneByOneFollowsTheOrder) {
  const NodeId n = 100000;
  Graph graph;
  for (NodeId i = 0; i < n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("s", i)).ok());
  for (NodeId i = 1; i < n; ++i) ASSERT_TRUE(graph.AddEdge(i / 2, i).ok());  // a binary tree
  Result<Plan> plan = Plan::Create(graph);
  ASSERT_TRUE(plan.ok());
  std::vector<NodeId> started;
  while (std::optional<NodeId> node = plan->NextReady()) {
    ASSERT_TRUE(plan->Start(*node).ok());
    started.push_back(*node);
    ASSERT_TRUE(plan->Finished(*node, NodeResult::Succeeded()).ok());
  }
  EXPECT_TRUE(plan->done());
  EXPECT_EQ(started, plan->order());
}

}  // namespace
}  // namespace cairn::dag
