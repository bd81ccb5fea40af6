// dag: one generic dependency graph engine, used for GitHub Actions jobs (`needs`) and for DVC
// pipeline stages (a stage needs the stage that produces one of its deps).
//
// Modelled on ninja: a Graph holds the structure (ninja's State), a Plan holds what one run has
// learned (ninja's Plan: a ready queue fed by Finished(), the counterpart of EdgeFinished()), and
// Execute() drives a Plan on worker threads (ninja's Builder). Unlike nektos/act's level-by-level
// stages, a node becomes ready the moment its own inputs are decided.
//
//   Graph g;
//   CAIRN_RETURN_IF_ERROR(g.AddNode("prepare").status());
//   CAIRN_RETURN_IF_ERROR(g.AddNode("train").status());
//   CAIRN_RETURN_IF_ERROR(g.AddEdge("prepare", "train"));  // train needs prepare
//   CAIRN_ASSIGN_OR_RETURN(Plan plan, Plan::Create(g));    // fails naming a cycle
//   CAIRN_RETURN_IF_ERROR(Execute(plan, {.parallelism = 4}, run_one));
//   plan.result(*g.Find("train"))->ToString();             // "failed: exit code 1"
//
// Edges point the way work flows: `a -> b` means b needs a, so a must finish first; cycles are
// printed the same way ("a -> b -> c -> a"). Nodes are numbered 0, 1, 2... in insertion order;
// every order this module produces is a function of the insertion order of nodes alone, never of
// hashing or timing (except what Execute starts when several threads are free).
//
// Ownership: a Graph owns its nodes and edges. A Plan borrows its Graph, which must outlive it
// and must not change while the Plan exists. Pointers returned by Plan::result() stay valid
// until the next Reset() or the Plan's destruction. Spans returned by Graph stay valid until the
// Graph changes.
//
// Thread safety: const methods of Graph may be called from several threads at once; changing a
// Graph needs exclusive access. A Plan is not thread-safe: use it from one thread at a time (as
// ninja does). Execute() is the thread-safe way to run a Plan on several threads; it serializes
// every Plan call behind one mutex and calls only the caller's work function outside it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace cairn::dag {

using core::Result;
using core::Status;

/// A node's number: its position in insertion order (0 for the first node added).
using NodeId = uint32_t;

// ---------------------------------------------------------------------------------------------
// Structure

/// Nodes identified by name, and edges `from -> to` meaning "`to` needs `from`".
/// A value type: copyable and movable.
class Graph {
 public:
  /// Adds a node named `name` and returns its id (the number of nodes before it).
  /// INVALID_PARAMETER_VALUE for an empty name; RESOURCE_ALREADY_EXISTS ("node 'x' already
  /// exists") when the name is taken.
  Result<NodeId> AddNode(std::string_view name);

  /// Records that `to` needs `from`. Adding an edge twice is a no-op; `from == to` is allowed
  /// and is reported by FindCycle() as a self-loop. RESOURCE_DOES_NOT_EXIST when a name is
  /// unknown, naming it: "'to' needs unknown node 'from'" or "unknown node 'to' needs 'from'".
  /// Callers wanting their own wording ("job 'x' needs unknown job 'y'", with a file position)
  /// check the names with Find() first.
  Status AddEdge(std::string_view from, std::string_view to);
  /// The same by id. INVALID_PARAMETER_VALUE when an id is not a node of this graph.
  Status AddEdge(NodeId from, NodeId to);

  /// The id of the node named `name`, or nullopt.
  std::optional<NodeId> Find(std::string_view name) const;

  /// Number of nodes.
  size_t size() const { return names_.size(); }
  bool empty() const { return names_.empty(); }
  /// Number of distinct edges.
  size_t edge_count() const { return edges_.size(); }
  /// The name of `node`, which must be < size().
  const std::string& name(NodeId node) const { return names_[node]; }
  /// What `node` needs, in the order the edges were added.
  std::span<const NodeId> inputs(NodeId node) const { return inputs_[node]; }
  /// What needs `node`, in the order the edges were added.
  std::span<const NodeId> outputs(NodeId node) const { return outputs_[node]; }

  /// A cycle as the list of its nodes in flow order (each needed by the next, the last needed
  /// by the first), starting at the earliest-inserted node on it; empty when the graph is
  /// acyclic. A self-loop gives one node. When there are several cycles, the one met first by a
  /// depth-first walk over inputs from nodes in insertion order, so always the same one.
  /// O(V + E).
  std::vector<NodeId> FindCycle() const;
  /// "a -> b -> c -> a" for the cycle {a, b, c} (as returned by FindCycle), "a -> a" for {a}.
  std::string FormatCycle(std::span<const NodeId> cycle) const;
  /// OK when acyclic; otherwise INVALID_PARAMETER_VALUE "dependency cycle: a -> b -> c -> a".
  Status Verify() const;

  /// Every node once, each after all of its inputs: the post-order of a depth-first walk that
  /// starts from each node in insertion order and takes a node's inputs in insertion order.
  /// So nodes keep the order they were added in, except that the inputs a node still lacks are
  /// pulled in just before it; a graph without edges gives insertion order. O(V + E).
  /// The error of Verify() when there is a cycle.
  Result<std::vector<NodeId>> TopologicalOrder() const;

 private:
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  // One depth-first walk over inputs serves both FindCycle and TopologicalOrder: it appends to
  // `order` in post-order and stops at the first cycle, which it stores in `cycle`.
  void Walk(std::vector<NodeId>* order, std::vector<NodeId>* cycle) const;

  std::vector<std::string> names_;  // by id
  std::unordered_map<std::string, NodeId, NameHash, std::equal_to<>> ids_;
  std::vector<std::vector<NodeId>> inputs_;   // by id; distinct, in the order edges were added
  std::vector<std::vector<NodeId>> outputs_;  // by id; distinct, in the order edges were added
  std::unordered_set<uint64_t> edges_;        // from << 32 | to, to make AddEdge idempotent
};

// ---------------------------------------------------------------------------------------------
// Results and decisions

/// How a node ended.
enum class Outcome {
  kSucceeded,
  kFailed,
  kSkipped,  // never started: an input did not succeed, a Decider said so, or the run was
             // cancelled
};

/// "succeeded", "failed" or "skipped".
std::string_view OutcomeName(Outcome outcome);

/// A node's result, with the reason for it ("exit code 1", "needs 'train', which failed",
/// "cancelled"). The reason may be empty for a success.
struct NodeResult {
  Outcome outcome = Outcome::kSucceeded;
  std::string reason;

  static NodeResult Succeeded(std::string reason = {}) {
    return {Outcome::kSucceeded, std::move(reason)};
  }
  static NodeResult Failed(std::string reason) { return {Outcome::kFailed, std::move(reason)}; }
  static NodeResult Skipped(std::string reason) { return {Outcome::kSkipped, std::move(reason)}; }

  bool succeeded() const { return outcome == Outcome::kSucceeded; }
  bool failed() const { return outcome == Outcome::kFailed; }
  bool skipped() const { return outcome == Outcome::kSkipped; }
  /// "skipped: needs 'train', which failed"; just the outcome when there is no reason.
  std::string ToString() const;

  friend bool operator==(const NodeResult&, const NodeResult&) = default;
};

/// One input of a node about to be decided, with its result.
struct InputResult {
  NodeId node;
  std::string_view name;
  const NodeResult* result;  // never null: a node is decided only once all its inputs are
};

/// What a Decider sees when all inputs of `node` are decided (at once for a node without
/// inputs). Its views live only for the Decider call.
struct DecisionContext {
  NodeId node;
  std::string_view name;
  /// In the order of Graph::inputs(node).
  std::vector<InputResult> inputs;
  /// Every input succeeded (true when there are none). The default policy.
  bool all_inputs_succeeded = true;
  /// Some input failed (skipped ones do not count).
  bool any_input_failed = false;
  /// Every transitive input succeeded. Differs from all_inputs_succeeded only when a Decider
  /// let a node run after one of its own inputs failed: GitHub skips a default (`success()`)
  /// job below an `always()` job whose needs failed.
  bool all_ancestors_succeeded = true;
  /// Some transitive input failed: GitHub's `failure()` for jobs.
  bool any_ancestor_failed = false;
};

/// Whether a node whose inputs are all decided runs or is skipped, and why.
struct Decision {
  bool run = true;
  std::string reason;  // why it is skipped; empty when it runs

  static Decision Run() { return {}; }
  static Decision Skip(std::string reason) { return {false, std::move(reason)}; }
};

/// Decides every node once, when its last input is decided (or at the start for a node without
/// inputs), with the results of its inputs. It runs inside Plan::Create, Reset and Finished (in
/// Execute: on a worker thread, with the run's lock held), so it must be quick, must not throw
/// and must not call the Plan. Not called after Cancel().
using Decider = std::function<Decision(const DecisionContext& context)>;

/// The policy when no Decider is given: run when every input succeeded, else skip naming the
/// first input (in input order) that did not: "needs 'train', which failed" or "needs
/// 'evaluate', which was skipped".
Decision DefaultDecision(const DecisionContext& context);

// ---------------------------------------------------------------------------------------------
// One run

/// Where a node is in a run.
enum class NodeState {
  kWaiting,  // some input is not decided yet
  kReady,    // decided to run; may be started
  kRunning,  // started, not finished
  kDone,     // has a result
};

/// The state of one run over a Graph: per-node states and results and the ready queue. Drive it
/// yourself (Ready/NextReady, Start, Finished, until done()) or with Execute().
///
/// Among ready nodes the earliest in the Graph's TopologicalOrder() comes first, so a run that
/// always starts NextReady() one at a time starts nodes exactly in that order. Skips propagate
/// at once: when a node fails, every node that can no longer run is decided inside Finished().
class Plan {
 public:
  /// A Plan over `graph` (borrowed; see the file comment), already Reset(): nodes without inputs
  /// are decided (usually ready). `decider` defaults to DefaultDecision. The error of
  /// Graph::Verify() when the graph has a cycle.
  static Result<Plan> Create(const Graph& graph, Decider decider = nullptr);

  Plan(Plan&&) noexcept = default;
  Plan& operator=(Plan&&) noexcept = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
  ~Plan() = default;

  const Graph& graph() const { return *graph_; }
  /// The Graph's TopologicalOrder(), the priority of the ready queue.
  const std::vector<NodeId>& order() const { return order_; }

  /// The earliest ready node, or nullopt when none is ready.
  std::optional<NodeId> NextReady() const;
  /// Every ready node, earliest first. O(number ready): prefer NextReady() in a loop.
  std::vector<NodeId> Ready() const;
  /// Moves a ready node to running. INVALID_STATE when it is not ready.
  Status Start(NodeId node);
  /// Records the result of a running node, then decides each node this was the last undecided
  /// input of (calling the Decider), recursively for those skipped. INVALID_STATE when it is not
  /// running. Any outcome is accepted; a kSkipped result counts as skipped for its dependents.
  Status Finished(NodeId node, NodeResult result);
  /// Starts nothing more: every node that is waiting or ready is skipped with `reason`. Running
  /// nodes stay running until Finished(); stopping them is the caller's business. A second call
  /// does nothing.
  void Cancel(std::string_view reason = "cancelled");

  /// Every node has a result.
  bool done() const { return done_count_ == order_.size(); }
  bool cancelled() const { return cancelled_; }
  /// Number of nodes started and not finished.
  size_t running() const { return running_; }
  /// Number of nodes with a result of that outcome.
  size_t Count(Outcome outcome) const;

  NodeState state(NodeId node) const { return state_[node]; }
  /// The result of `node`, or null while it has none (state() is not kDone).
  const NodeResult* result(NodeId node) const {
    return state_[node] == NodeState::kDone ? &results_[node] : nullptr;
  }

  /// Forgets every state and result (ninja's State::Reset) and decides the nodes without inputs
  /// again, keeping the graph, the order and the Decider.
  void Reset();

 private:
  Plan(const Graph& graph, Decider decider, std::vector<NodeId> order);

  // Gives `node` its result and appends to `unblocked` the nodes whose last undecided input it
  // was.
  void Settle(NodeId node, NodeResult result, std::vector<NodeId>* unblocked);
  // Decides the nodes in `pending` (all inputs decided), and whatever their skips unblock.
  void DecideAll(std::vector<NodeId> pending);

  const Graph* graph_;  // borrowed, never null
  Decider decider_;     // null means DefaultDecision
  std::vector<NodeId> order_;
  std::vector<uint32_t> position_;  // by id: index in order_

  // Per run; Reset() restores them.
  std::vector<NodeState> state_;     // by id
  std::vector<NodeResult> results_;  // by id; meaningful only when state_ is kDone
  std::vector<uint32_t> undecided_;  // by id: inputs without a result yet, while kWaiting
  std::vector<uint8_t> lineage_;     // by id: kLineage* bits, set when the node is decided
  std::set<uint32_t> ready_;         // positions (in order_) of the kReady nodes
  size_t running_ = 0;               // nodes in kRunning
  size_t done_count_ = 0;            // nodes in kDone
  bool cancelled_ = false;
};

// ---------------------------------------------------------------------------------------------
// Running a Plan on threads

struct ExecuteOptions {
  /// Most nodes running at once; at least 1. Execute uses that many threads (fewer for a smaller
  /// graph), the calling thread being one of them: with 1, everything runs on the caller.
  size_t parallelism = 1;
  /// When not null, polled before each start: once it reads true the Plan is Cancel()ed
  /// ("cancelled"). It may be set from any thread or, being lock-free, from a signal handler
  /// (Ctrl-C); the work function may set it too (fail-fast).
  const std::atomic<bool>* cancel = nullptr;
  /// Cancel the Plan as soon as a node fails, with reason "cancelled: 'x' failed" (DVC stops at
  /// the first failure).
  bool fail_fast = false;
};

/// Runs a node and returns its result. Called concurrently from up to `parallelism` threads,
/// once per started node, with no lock held. An exception it throws becomes a failure
/// ("exception: what()").
using Work = std::function<NodeResult(NodeId node)>;

/// Runs `plan` to the end: starts ready nodes (earliest first) while fewer than `parallelism`
/// run, each as soon as its own inputs are decided, and returns when every node has a result
/// (read them from `plan`). Continues from the Plan's current state; Reset() it to run again.
/// Node failures are results, not errors: the Status is INVALID_PARAMETER_VALUE for a
/// parallelism of 0 and INVALID_STATE when the Plan has nodes running already, OK otherwise.
Status Execute(Plan& plan, const ExecuteOptions& options, const Work& work);

}  // namespace cairn::dag
