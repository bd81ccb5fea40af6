// Execute: a Plan run on worker threads. No assertion depends on timing; waits that a correct
// scheduler always satisfies have a generous timeout so that a wrong one fails instead of hangs.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
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

constexpr std::chrono::seconds kGuard(30);  // only reached when the scheduler is wrong

Graph MakeGraph(const std::vector<std::string>& nodes, const Edges& edges) {
  Graph graph;
  for (const std::string& node : nodes) EXPECT_TRUE(graph.AddNode(node).ok()) << node;
  for (const auto& [from, to] : edges) EXPECT_TRUE(graph.AddEdge(from, to).ok()) << from << to;
  return graph;
}

Plan MakePlan(const Graph& graph, Decider decider = nullptr) {
  Result<Plan> plan = Plan::Create(graph, std::move(decider));
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  return std::move(plan).value();
}

// Start order, recorded from the work function.
class StartLog {
 public:
  void Add(std::string name) {
    std::lock_guard<std::mutex> lock(mu_);
    names_.push_back(std::move(name));
  }
  V names() {
    std::lock_guard<std::mutex> lock(mu_);
    return names_;
  }

 private:
  std::mutex mu_;
  V names_;
};

// Something that happens once, waited for with a timeout.
class Event {
 public:
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    happened_ = true;
    cv_.notify_all();
  }
  bool WaitFor(std::chrono::seconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return happened_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool happened_ = false;
};

TEST(ExecuteTest, RunsEveryNodeOnceAndRecordsResults) {
  Graph graph = MakeGraph({"a", "b", "c", "d"}, {{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}});
  Plan plan = MakePlan(graph);
  std::vector<std::atomic<int>> calls(graph.size());
  Status s = Execute(plan, {.parallelism = 3}, [&](NodeId node) {
    calls[node]++;
    return NodeResult::Succeeded("ran " + graph.name(node));
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(plan.done());
  for (NodeId node = 0; node < graph.size(); ++node) {
    EXPECT_EQ(calls[node].load(), 1);
    EXPECT_EQ(plan.result(node)->ToString(), "succeeded: ran " + graph.name(node));
  }
}

TEST(ExecuteTest, OneAtATimeStartsInTopologicalOrder) {
  Graph graph = MakeGraph({"deploy", "report", "train", "eval", "prepare", "lint", "docs"},
                          {{"prepare", "train"},
                           {"train", "eval"},
                           {"eval", "deploy"},
                           {"lint", "deploy"},
                           {"eval", "report"}});
  const V expected = {"prepare", "train", "eval", "lint", "deploy", "report", "docs"};
  for (int round = 0; round < 3; ++round) {
    Plan plan = MakePlan(graph);
    V started;
    ASSERT_TRUE(Execute(plan, {.parallelism = 1}, [&](NodeId node) {
                  started.push_back(graph.name(node));  // one thread: no lock needed
                  return NodeResult::Succeeded();
                }).ok());
    EXPECT_EQ(started, expected);
    std::vector<NodeId> order = *graph.TopologicalOrder();
    V order_names;
    for (NodeId node : order) order_names.push_back(graph.name(node));
    EXPECT_EQ(started, order_names);
  }
}

TEST(ExecuteTest, StartsANodeAsSoonAsItsInputsAreDoneNotLevelByLevel) {
  // Two chains a -> c and b -> d, two workers. Level by level, d would wait for a (same level
  // as b). Here a blocks until d has started, which only a ready-queue scheduler allows.
  Graph graph = MakeGraph({"a", "b", "c", "d"}, {{"a", "c"}, {"b", "d"}});
  Plan plan = MakePlan(graph);
  Event d_started;
  std::atomic<bool> a_saw_d{false};
  StartLog log;
  ASSERT_TRUE(Execute(plan, {.parallelism = 2}, [&](NodeId node) {
                const std::string& name = graph.name(node);
                log.Add(name);
                if (name == "a") a_saw_d = d_started.WaitFor(kGuard);
                if (name == "d") d_started.Notify();
                return NodeResult::Succeeded();
              }).ok());
  EXPECT_TRUE(a_saw_d) << "d did not start while a was running";
  EXPECT_TRUE(plan.done());
  EXPECT_EQ(plan.Count(Outcome::kSucceeded), 4u);
  V started = log.names();
  // c needs a, which finished only after d started.
  EXPECT_LT(std::find(started.begin(), started.end(), "d"),
            std::find(started.begin(), started.end(), "c"));
}

TEST(ExecuteTest, ParallelismLimitIsRespectedAndReached) {
  constexpr size_t kLimit = 4;
  std::vector<std::string> names;
  for (int i = 0; i < 24; ++i) names.push_back(Numbered("job", i));
  // Some structure, so that nodes become ready while others run.
  Edges edges = {{"job0", "job8"}, {"job1", "job9"}, {"job2", "job9"}, {"job9", "job20"}};
  Graph graph = MakeGraph(names, edges);
  Plan plan = MakePlan(graph);

  std::atomic<size_t> active{0};
  std::atomic<size_t> max_active{0};
  std::atomic<size_t> entered{0};
  std::mutex mu;
  std::condition_variable cv;
  ASSERT_TRUE(Execute(plan, {.parallelism = kLimit}, [&](NodeId) {
                const size_t now = ++active;
                size_t seen = max_active.load();
                while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
                }
                {
                  // The first kLimit callbacks wait for each other: the limit is reached.
                  std::unique_lock<std::mutex> lock(mu);
                  ++entered;
                  cv.notify_all();
                  cv.wait_for(lock, kGuard, [&] { return entered.load() >= kLimit; });
                }
                --active;
                return NodeResult::Succeeded();
              }).ok());
  EXPECT_TRUE(plan.done());
  EXPECT_EQ(plan.Count(Outcome::kSucceeded), names.size());
  EXPECT_EQ(max_active.load(), kLimit);
}

TEST(ExecuteTest, NodesStartOnlyAfterTheirInputsOnARandomDag) {
  std::mt19937 rng(3);
  const NodeId n = 1500;
  Graph graph;
  for (NodeId i = 0; i < n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("n", i)).ok());
  std::uniform_int_distribution<NodeId> pick(0, n - 1);
  for (int e = 0; e < 4000; ++e) {
    NodeId x = pick(rng), y = pick(rng);
    if (x == y) continue;
    ASSERT_TRUE(graph.AddEdge(std::min(x, y), std::max(x, y)).ok());
  }
  Plan plan = MakePlan(graph);
  std::vector<std::atomic<bool>> finished(n);
  std::atomic<int> violations{0};
  std::atomic<size_t> max_active{0};
  std::atomic<size_t> active{0};
  ASSERT_TRUE(Execute(plan, {.parallelism = 8}, [&](NodeId node) {
                const size_t now = ++active;
                size_t seen = max_active.load();
                while (now > seen && !max_active.compare_exchange_weak(seen, now)) {
                }
                for (NodeId input : graph.inputs(node)) {
                  if (!finished[input]) ++violations;
                }
                std::this_thread::yield();
                finished[node] = true;
                --active;
                return node % 97 == 5 ? NodeResult::Failed("unlucky") : NodeResult::Succeeded();
              }).ok());
  EXPECT_TRUE(plan.done());
  EXPECT_EQ(violations.load(), 0);
  EXPECT_LE(max_active.load(), 8u);
  EXPECT_GT(plan.Count(Outcome::kFailed), 0u);
  for (NodeId node = 0; node < n; ++node) {
    const NodeResult* result = plan.result(node);
    ASSERT_NE(result, nullptr);
    const bool inputs_ok = std::all_of(graph.inputs(node).begin(), graph.inputs(node).end(),
                                       [&](NodeId i) { return plan.result(i)->succeeded(); });
    EXPECT_EQ(result->skipped(), !inputs_ok) << graph.name(node);
  }
}

TEST(ExecuteTest, FailurePropagatesWithReasons) {
  Graph graph = MakeGraph({"prepare", "train", "evaluate", "lint"},
                          {{"prepare", "train"}, {"train", "evaluate"}});
  Plan plan = MakePlan(graph);
  ASSERT_TRUE(Execute(plan, {.parallelism = 2}, [&](NodeId node) {
                if (graph.name(node) == "train") return NodeResult::Failed("exit code 2");
                return NodeResult::Succeeded();
              }).ok());
  EXPECT_EQ(plan.result(1)->ToString(), "failed: exit code 2");
  EXPECT_EQ(plan.result(2)->ToString(), "skipped: needs 'train', which failed");
  EXPECT_EQ(plan.result(3)->ToString(), "succeeded");
}

TEST(ExecuteTest, DeciderRunsAlwaysNodes) {
  Graph graph = MakeGraph({"test", "report"}, {{"test", "report"}});
  Plan plan = MakePlan(graph, [](const DecisionContext& context) {
    return context.name == "report" ? Decision::Run() : DefaultDecision(context);
  });
  ASSERT_TRUE(Execute(plan, {.parallelism = 2}, [&](NodeId node) {
                return node == 0 ? NodeResult::Failed("1 failed") : NodeResult::Succeeded();
              }).ok());
  EXPECT_TRUE(plan.result(0)->failed());
  EXPECT_TRUE(plan.result(1)->succeeded());
}

TEST(ExecuteTest, FailFastCancelsWhatHasNotStarted) {
  Graph graph = MakeGraph({"a", "b", "c", "d"}, {{"a", "d"}});
  Plan plan = MakePlan(graph);
  StartLog log;
  ASSERT_TRUE(Execute(plan, {.parallelism = 1, .fail_fast = true}, [&](NodeId node) {
                log.Add(graph.name(node));
                return node == 1 ? NodeResult::Failed("boom") : NodeResult::Succeeded();
              }).ok());
  EXPECT_EQ(log.names(), (V{"a", "b"}));
  EXPECT_TRUE(plan.cancelled());
  EXPECT_EQ(plan.result(0)->ToString(), "succeeded");
  EXPECT_EQ(plan.result(1)->ToString(), "failed: boom");
  EXPECT_EQ(plan.result(2)->ToString(), "skipped: cancelled: 'b' failed");
  EXPECT_EQ(plan.result(3)->ToString(), "skipped: cancelled: 'b' failed");
}

TEST(ExecuteTest, CancelFlagStopsStartingNodes) {
  // Ctrl-C while "b" runs: the nodes not started are skipped; running ones finish.
  Graph graph = MakeGraph({"a", "b", "c", "d", "e"}, {{"b", "c"}});
  Plan plan = MakePlan(graph);
  std::atomic<bool> interrupted{false};
  StartLog log;
  ASSERT_TRUE(Execute(plan, {.parallelism = 1, .cancel = &interrupted}, [&](NodeId node) {
                log.Add(graph.name(node));
                if (graph.name(node) == "b") interrupted = true;
                return NodeResult::Succeeded();
              }).ok());
  EXPECT_EQ(log.names(), (V{"a", "b"}));
  EXPECT_EQ(plan.result(1)->ToString(), "succeeded");
  for (NodeId node : {2, 3, 4}) EXPECT_EQ(plan.result(node)->ToString(), "skipped: cancelled");
}

TEST(ExecuteTest, CancelFlagWithSeveralWorkers) {
  const NodeId n = 200;
  Graph graph;
  for (NodeId i = 0; i < n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("n", i)).ok());
  Plan plan = MakePlan(graph);
  std::atomic<bool> interrupted{false};
  std::atomic<int> ran{0};
  ASSERT_TRUE(Execute(plan, {.parallelism = 4, .cancel = &interrupted}, [&](NodeId node) {
                ++ran;
                if (node == 10) interrupted = true;
                return NodeResult::Succeeded();
              }).ok());
  EXPECT_TRUE(plan.done());
  EXPECT_TRUE(plan.cancelled());
  EXPECT_EQ(plan.Count(Outcome::kSucceeded), static_cast<size_t>(ran.load()));
  EXPECT_GT(plan.Count(Outcome::kSkipped), 0u);
  EXPECT_EQ(plan.Count(Outcome::kSucceeded) + plan.Count(Outcome::kSkipped), n);
}

TEST(ExecuteTest, ExceptionInWorkIsAFailure) {
  Graph graph = MakeGraph({"a", "b"}, {{"a", "b"}});
  Plan plan = MakePlan(graph);
  ASSERT_TRUE(Execute(plan, {.parallelism = 2}, [&](NodeId) -> NodeResult {
                throw std::runtime_error("disk full");
              }).ok());
  EXPECT_EQ(plan.result(0)->ToString(), "failed: exception: disk full");
  EXPECT_EQ(plan.result(1)->ToString(), "skipped: needs 'a', which failed");
}

TEST(ExecuteTest, RejectsBadArguments) {
  Graph graph = MakeGraph({"a"}, {});
  Plan plan = MakePlan(graph);
  auto work = [](NodeId) { return NodeResult::Succeeded(); };
  EXPECT_TRUE(Execute(plan, {.parallelism = 0}, work).IsInvalidArgument());
  ASSERT_TRUE(plan.Start(0).ok());
  EXPECT_EQ(Execute(plan, {.parallelism = 1}, work).code(), core::Code::kInvalidState);
}

TEST(ExecuteTest, ResetThenExecuteAgain) {
  Graph graph = MakeGraph({"a", "b"}, {{"a", "b"}});
  Plan plan = MakePlan(graph);
  bool fail = true;
  auto work = [&](NodeId) { return fail ? NodeResult::Failed("x") : NodeResult::Succeeded(); };
  ASSERT_TRUE(Execute(plan, {.parallelism = 2}, work).ok());
  EXPECT_TRUE(plan.result(1)->skipped());
  plan.Reset();
  fail = false;
  ASSERT_TRUE(Execute(plan, {.parallelism = 2}, work).ok());
  EXPECT_EQ(plan.Count(Outcome::kSucceeded), 2u);
  // Executing a finished plan is a no-op.
  ASSERT_TRUE(Execute(plan, {.parallelism = 2}, work).ok());
  EXPECT_EQ(plan.Count(Outcome::kSucceeded), 2u);
}

TEST(ExecuteTest, LargeGraph) {
  // 100k stages in a binary tree; the run only has to finish and succeed everywhere.
  const NodeId n = 100000;
  Graph graph;
  for (NodeId i = 0; i < n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("s", i)).ok());
  for (NodeId i = 1; i < n; ++i) ASSERT_TRUE(graph.AddEdge(i / 2, i).ok());
  Plan plan = MakePlan(graph);
  std::atomic<size_t> ran{0};
  ASSERT_TRUE(Execute(plan, {.parallelism = 4}, [&](NodeId) {
                ++ran;
                return NodeResult::Succeeded();
              }).ok());
  EXPECT_EQ(ran.load(), n);
  EXPECT_EQ(plan.Count(Outcome::kSucceeded), n);
}

}  // namespace
}  // namespace cairn::dag
