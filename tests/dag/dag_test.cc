// Graph: nodes, edges, cycles and topological order.
#include "dag/dag.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cairn::dag {
namespace {

// "s" + 7 -> "s7" (spelled out: g++ 12 reports a false -Wrestrict for "s" + std::to_string(i)).
std::string Numbered(std::string_view prefix, size_t i) {
  std::string name(prefix);
  name += std::to_string(i);
  return name;
}

using Edges = std::vector<std::pair<std::string, std::string>>;

// A graph with `nodes` in that order and `edges` {from, to} ("to needs from") in that order.
Graph MakeGraph(const std::vector<std::string>& nodes, const Edges& edges) {
  Graph graph;
  for (const std::string& node : nodes) EXPECT_TRUE(graph.AddNode(node).ok()) << node;
  for (const auto& [from, to] : edges) EXPECT_TRUE(graph.AddEdge(from, to).ok()) << from << to;
  return graph;
}

std::vector<std::string> Names(const Graph& graph, const std::vector<NodeId>& ids) {
  std::vector<std::string> names;
  for (NodeId id : ids) names.push_back(graph.name(id));
  return names;
}

std::vector<std::string> Order(const Graph& graph) {
  Result<std::vector<NodeId>> order = graph.TopologicalOrder();
  EXPECT_TRUE(order.ok()) << order.status().ToString();
  return order.ok() ? Names(graph, *order) : std::vector<std::string>{};
}

using V = std::vector<std::string>;

TEST(GraphTest, NodesAreNumberedInInsertionOrder) {
  Graph graph;
  EXPECT_TRUE(graph.empty());
  Result<NodeId> build = graph.AddNode("build");
  Result<NodeId> test = graph.AddNode("test");
  ASSERT_TRUE(build.ok());
  ASSERT_TRUE(test.ok());
  EXPECT_EQ(*build, 0u);
  EXPECT_EQ(*test, 1u);
  EXPECT_EQ(graph.size(), 2u);
  EXPECT_EQ(graph.name(1), "test");
  EXPECT_EQ(graph.Find("test"), std::optional<NodeId>(1));
  EXPECT_EQ(graph.Find("deploy"), std::nullopt);
}

TEST(GraphTest, DuplicateAndEmptyNamesAreRejected) {
  Graph graph;
  ASSERT_TRUE(graph.AddNode("build").ok());
  Result<NodeId> again = graph.AddNode("build");
  EXPECT_TRUE(again.status().IsAlreadyExists());
  EXPECT_EQ(again.status().message(), "node 'build' already exists");
  EXPECT_TRUE(graph.AddNode("").status().IsInvalidArgument());
  EXPECT_EQ(graph.size(), 1u);
}

TEST(GraphTest, EdgeToUnknownNodeNamesIt) {
  Graph graph = MakeGraph({"build", "test"}, {});
  Status s = graph.AddEdge("lint", "test");
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "'test' needs unknown node 'lint'");
  s = graph.AddEdge("build", "deploy");
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "unknown node 'deploy' needs 'build'");
  EXPECT_TRUE(graph.AddEdge(NodeId{0}, NodeId{7}).IsInvalidArgument());
  EXPECT_EQ(graph.edge_count(), 0u);
  // What the workflow parser does to word the error its own way.
  EXPECT_FALSE(graph.Find("lint").has_value());
}

TEST(GraphTest, EdgesRecordInputsAndOutputsOnce) {
  Graph graph = MakeGraph({"a", "b", "c"}, {{"a", "c"}, {"b", "c"}, {"a", "c"}, {"a", "b"}});
  EXPECT_EQ(graph.edge_count(), 3u);
  const NodeId a = 0, b = 1, c = 2;
  EXPECT_EQ(std::vector<NodeId>(graph.inputs(c).begin(), graph.inputs(c).end()),
            (std::vector<NodeId>{a, b}));
  EXPECT_EQ(std::vector<NodeId>(graph.outputs(a).begin(), graph.outputs(a).end()),
            (std::vector<NodeId>{c, b}));
  EXPECT_TRUE(graph.inputs(a).empty());
}

// checkout -> lint, checkout -> build -> test -> package -> build (a cycle), package -> deploy.
// "deploy" is inserted early, so the walk enters the cycle at "package", not at "build".
Graph CyclicPipeline() {
  return MakeGraph({"checkout", "deploy", "lint", "build", "test", "package", "notify"},
                   {{"checkout", "lint"},
                    {"checkout", "build"},
                    {"build", "test"},
                    {"test", "package"},
                    {"package", "build"},
                    {"package", "deploy"},
                    {"lint", "notify"}});
}

TEST(GraphTest, CycleIsNamedByItsPathFromItsEarliestNode) {
  Graph graph = CyclicPipeline();
  EXPECT_EQ(Names(graph, graph.FindCycle()), (V{"build", "test", "package"}));
  Status s = graph.Verify();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "dependency cycle: build -> test -> package -> build");
  EXPECT_EQ(graph.TopologicalOrder().status(), s);
  EXPECT_EQ(Plan::Create(graph).status(), s);
}

TEST(GraphTest, CycleIsTheSameWhateverTheEdgeOrder) {
  const std::vector<std::string> nodes = {"checkout", "deploy",  "lint",  "build",
                                          "test",     "package", "notify"};
  Edges edges = {{"checkout", "lint"}, {"checkout", "build"}, {"build", "test"},
                 {"test", "package"},  {"package", "build"},  {"package", "deploy"},
                 {"lint", "notify"}};
  std::mt19937 rng(7);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(edges.begin(), edges.end(), rng);
    EXPECT_EQ(MakeGraph(nodes, edges).Verify().message(),
              "dependency cycle: build -> test -> package -> build");
  }
}

TEST(GraphTest, CycleStartsAtTheEarliestInsertedNodeOnIt) {
  // The same cycle a -> b -> c -> a, nodes inserted in another order.
  Graph graph = MakeGraph({"c", "b", "a"}, {{"a", "b"}, {"b", "c"}, {"c", "a"}});
  EXPECT_EQ(graph.Verify().message(), "dependency cycle: c -> a -> b -> c");
}

TEST(GraphTest, SelfLoopIsACycle) {
  Graph graph = MakeGraph({"setup", "train", "eval"},
                          {{"setup", "train"}, {"train", "eval"}, {"eval", "eval"}});
  EXPECT_EQ(Names(graph, graph.FindCycle()), (V{"eval"}));
  EXPECT_EQ(graph.Verify().message(), "dependency cycle: eval -> eval");
}

TEST(GraphTest, AcyclicGraphHasNoCycle) {
  Graph graph = MakeGraph({"a", "b", "c"}, {{"a", "b"}, {"a", "c"}, {"b", "c"}});
  EXPECT_TRUE(graph.FindCycle().empty());
  EXPECT_TRUE(graph.Verify().ok());
  EXPECT_TRUE(Graph().Verify().ok());
  EXPECT_EQ(graph.FormatCycle(std::vector<NodeId>{0, 1}), "a -> b -> a");
}

TEST(GraphTest, TopologicalOrderWithoutEdgesIsInsertionOrder) {
  EXPECT_EQ(Order(MakeGraph({"d", "b", "a", "c"}, {})), (V{"d", "b", "a", "c"}));
  EXPECT_EQ(Order(Graph()), V{});
}

TEST(GraphTest, TopologicalOrderPullsMissingInputsForward) {
  // A chain inserted backwards comes out forwards.
  EXPECT_EQ(Order(MakeGraph({"c", "b", "a"}, {{"a", "b"}, {"b", "c"}})), (V{"a", "b", "c"}));
  // x needs z: z comes just before x; y keeps its place after x.
  EXPECT_EQ(Order(MakeGraph({"x", "y", "z"}, {{"z", "x"}})), (V{"z", "x", "y"}));
  // A node's inputs come in insertion order, not in the order the edges were added.
  EXPECT_EQ(Order(MakeGraph({"p", "q", "r", "all"}, {{"r", "all"}, {"q", "all"}, {"p", "all"}})),
            (V{"p", "q", "r", "all"}));
}

TEST(GraphTest, TopologicalOrderOfADiamond) {
  Graph graph = MakeGraph({"a", "b", "c", "d"}, {{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}});
  EXPECT_EQ(Order(graph), (V{"a", "b", "c", "d"}));
  Graph reversed =
      MakeGraph({"d", "c", "b", "a"}, {{"a", "b"}, {"a", "c"}, {"b", "d"}, {"c", "d"}});
  EXPECT_EQ(Order(reversed), (V{"a", "c", "b", "d"}));
}

TEST(GraphTest, TopologicalOrderIsStable) {
  // Same nodes, edges added in any order: same result; and each node after its inputs.
  const std::vector<std::string> nodes = {"deploy",  "report", "train", "eval",
                                          "prepare", "lint",   "fetch", "docs"};
  Edges edges = {{"fetch", "prepare"}, {"prepare", "train"}, {"train", "eval"},  {"eval", "deploy"},
                 {"eval", "report"},   {"lint", "deploy"},   {"train", "report"}};
  const V expected = {"fetch", "prepare", "train", "eval", "lint", "deploy", "report", "docs"};
  std::mt19937 rng(42);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(edges.begin(), edges.end(), rng);
    EXPECT_EQ(Order(MakeGraph(nodes, edges)), expected);
  }
}

TEST(GraphTest, TopologicalOrderOfARandomDagRespectsEveryEdge) {
  std::mt19937 rng(1);
  const NodeId n = 2000;
  // Node names are a shuffled rank; edges go from lower to higher rank.
  std::vector<NodeId> rank(n);
  for (NodeId i = 0; i < n; ++i) rank[i] = i;
  std::shuffle(rank.begin(), rank.end(), rng);
  Graph graph;
  for (NodeId i = 0; i < n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("n", i)).ok());
  std::uniform_int_distribution<NodeId> pick(0, n - 1);
  for (int e = 0; e < 8000; ++e) {
    NodeId x = pick(rng), y = pick(rng);
    if (rank[x] == rank[y]) continue;
    if (rank[x] > rank[y]) std::swap(x, y);
    ASSERT_TRUE(graph.AddEdge(x, y).ok());
  }
  Result<std::vector<NodeId>> order = graph.TopologicalOrder();
  ASSERT_TRUE(order.ok());
  ASSERT_EQ(order->size(), n);
  std::vector<size_t> position(n);
  for (size_t i = 0; i < n; ++i) position[(*order)[i]] = i;
  for (NodeId node = 0; node < n; ++node) {
    for (NodeId input : graph.inputs(node)) EXPECT_LT(position[input], position[node]);
  }
}

TEST(GraphTest, HundredThousandNodeChainNeedsNoDeepRecursion) {
  // Node i needs node i + 1: the walk from node 0 goes 100k deep.
  const NodeId n = 100000;
  Graph graph;
  for (NodeId i = 0; i < n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("stage", i)).ok());
  for (NodeId i = 0; i + 1 < n; ++i) ASSERT_TRUE(graph.AddEdge(i + 1, i).ok());
  Result<std::vector<NodeId>> order = graph.TopologicalOrder();
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->front(), n - 1);
  EXPECT_EQ(order->back(), 0u);

  // Closing the chain makes one cycle through every node, starting at stage0.
  ASSERT_TRUE(graph.AddEdge(NodeId{0}, n - 1).ok());
  std::vector<NodeId> cycle = graph.FindCycle();
  ASSERT_EQ(cycle.size(), n);
  EXPECT_EQ(cycle[0], 0u);
  EXPECT_EQ(cycle[1], n - 1);
  EXPECT_EQ(cycle[n - 1], 1u);
}

TEST(GraphTest, WideFanInAndFanOut) {
  // One stage producing 100k outs read by one stage each, all collected by a final stage.
  const NodeId n = 100000;
  Graph graph;
  ASSERT_TRUE(graph.AddNode("source").ok());
  for (NodeId i = 1; i <= n; ++i) ASSERT_TRUE(graph.AddNode(Numbered("leaf", i)).ok());
  ASSERT_TRUE(graph.AddNode("collect").ok());
  for (NodeId i = 1; i <= n; ++i) {
    ASSERT_TRUE(graph.AddEdge(0, i).ok());
    ASSERT_TRUE(graph.AddEdge(i, n + 1).ok());
  }
  Result<std::vector<NodeId>> order = graph.TopologicalOrder();
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->front(), 0u);
  EXPECT_EQ(order->back(), n + 1);
  EXPECT_EQ(graph.edge_count(), 2 * static_cast<size_t>(n));
}

}  // namespace
}  // namespace cairn::dag
