// Plan: per-run states and results, the ready queue, and the propagation of skips.
#include <string>
#include <utility>
#include <vector>

#include "dag/dag.h"

namespace cairn::dag {
namespace {

// Bits of Plan::lineage_, fixed when a node is decided.
constexpr uint8_t kAncestorsSucceeded = 1;  // every transitive input succeeded
constexpr uint8_t kAncestorFailed = 2;      // some transitive input failed

std::string_view StateName(NodeState state) {
  switch (state) {
    case NodeState::kWaiting:
      return "waiting for its inputs";
    case NodeState::kReady:
      return "ready";
    case NodeState::kRunning:
      return "running";
    case NodeState::kDone:
      return "done";
  }
  return "?";
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSucceeded:
      return "succeeded";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

std::string NodeResult::ToString() const {
  std::string out(OutcomeName(outcome));
  if (!reason.empty()) {
    out += ": ";
    out += reason;
  }
  return out;
}

Decision DefaultDecision(const DecisionContext& context) {
  for (const InputResult& input : context.inputs) {
    if (input.result->succeeded()) continue;
    return Decision::Skip("needs '" + std::string(input.name) + "', which " +
                          (input.result->failed() ? "failed" : "was skipped"));
  }
  return Decision::Run();
}

Result<Plan> Plan::Create(const Graph& graph, Decider decider) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<NodeId> order, graph.TopologicalOrder());
  return Plan(graph, std::move(decider), std::move(order));
}

Plan::Plan(const Graph& graph, Decider decider, std::vector<NodeId> order)
    : graph_(&graph), decider_(std::move(decider)), order_(std::move(order)) {
  position_.resize(order_.size());
  for (size_t i = 0; i < order_.size(); ++i) position_[order_[i]] = static_cast<uint32_t>(i);
  Reset();
}

void Plan::Reset() {
  const size_t n = order_.size();
  state_.assign(n, NodeState::kWaiting);
  results_.assign(n, NodeResult());
  undecided_.resize(n);
  lineage_.assign(n, 0);
  ready_.clear();
  running_ = 0;
  done_count_ = 0;
  cancelled_ = false;
  std::vector<NodeId> roots;
  for (NodeId node : order_) {
    undecided_[node] = static_cast<uint32_t>(graph_->inputs(node).size());
    if (undecided_[node] == 0) roots.push_back(node);
  }
  DecideAll(std::move(roots));
}

std::optional<NodeId> Plan::NextReady() const {
  if (ready_.empty()) return std::nullopt;
  return order_[*ready_.begin()];
}

std::vector<NodeId> Plan::Ready() const {
  std::vector<NodeId> out;
  out.reserve(ready_.size());
  for (uint32_t position : ready_) out.push_back(order_[position]);
  return out;
}

Status Plan::Start(NodeId node) {
  if (node >= order_.size()) {
    return Status::InvalidArgument("no node " + std::to_string(node) + " to start");
  }
  if (state_[node] != NodeState::kReady) {
    return Status::InvalidState("cannot start '" + graph_->name(node) + "': it is " +
                                std::string(StateName(state_[node])));
  }
  ready_.erase(position_[node]);
  state_[node] = NodeState::kRunning;
  ++running_;
  return Status::Ok();
}

Status Plan::Finished(NodeId node, NodeResult result) {
  if (node >= order_.size()) {
    return Status::InvalidArgument("no node " + std::to_string(node) + " to finish");
  }
  if (state_[node] != NodeState::kRunning) {
    return Status::InvalidState("cannot finish '" + graph_->name(node) + "': it is " +
                                std::string(StateName(state_[node])));
  }
  --running_;
  std::vector<NodeId> unblocked;
  Settle(node, std::move(result), &unblocked);
  DecideAll(std::move(unblocked));
  return Status::Ok();
}

void Plan::Cancel(std::string_view reason) {
  if (cancelled_) return;
  cancelled_ = true;
  for (NodeId node : order_) {
    if (state_[node] != NodeState::kWaiting && state_[node] != NodeState::kReady) continue;
    state_[node] = NodeState::kDone;
    results_[node] = NodeResult::Skipped(std::string(reason));
    ++done_count_;
  }
  ready_.clear();
}

size_t Plan::Count(Outcome outcome) const {
  size_t count = 0;
  for (NodeId node : order_) {
    if (state_[node] == NodeState::kDone && results_[node].outcome == outcome) ++count;
  }
  return count;
}

void Plan::Settle(NodeId node, NodeResult result, std::vector<NodeId>* unblocked) {
  state_[node] = NodeState::kDone;
  results_[node] = std::move(result);
  ++done_count_;
  for (NodeId output : graph_->outputs(node)) {
    // After Cancel() the outputs are done already and their counts no longer matter.
    if (state_[output] == NodeState::kWaiting && --undecided_[output] == 0) {
      unblocked->push_back(output);
    }
  }
}

void Plan::DecideAll(std::vector<NodeId> pending) {
  // A worklist rather than recursion: skips can cascade down a chain of 100k nodes.
  for (size_t i = 0; i < pending.size(); ++i) {
    const NodeId node = pending[i];
    DecisionContext context;
    context.node = node;
    context.name = graph_->name(node);
    context.inputs.reserve(graph_->inputs(node).size());
    for (NodeId input : graph_->inputs(node)) {
      const NodeResult& result = results_[input];
      context.inputs.push_back({input, graph_->name(input), &result});
      context.all_inputs_succeeded = context.all_inputs_succeeded && result.succeeded();
      context.any_input_failed = context.any_input_failed || result.failed();
      context.all_ancestors_succeeded = context.all_ancestors_succeeded && result.succeeded() &&
                                        (lineage_[input] & kAncestorsSucceeded) != 0;
      context.any_ancestor_failed = context.any_ancestor_failed || result.failed() ||
                                    (lineage_[input] & kAncestorFailed) != 0;
    }
    lineage_[node] = (context.all_ancestors_succeeded ? kAncestorsSucceeded : 0) |
                     (context.any_ancestor_failed ? kAncestorFailed : 0);
    Decision decision = decider_ ? decider_(context) : DefaultDecision(context);
    if (decision.run) {
      state_[node] = NodeState::kReady;
      ready_.insert(position_[node]);
    } else {
      Settle(node, NodeResult::Skipped(std::move(decision.reason)), &pending);
    }
  }
}

}  // namespace cairn::dag
