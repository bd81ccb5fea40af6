// Graph: structure, cycle detection and topological order.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "dag/dag.h"

namespace cairn::dag {
namespace {

std::string Quote(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out += '\'';
  out += name;
  out += '\'';
  return out;
}

}  // namespace

Result<NodeId> Graph::AddNode(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("a node needs a name");
  if (ids_.find(name) != ids_.end()) {
    return Status::AlreadyExists("node " + Quote(name) + " already exists");
  }
  if (names_.size() >= std::numeric_limits<NodeId>::max()) {
    return Status(core::Code::kResourceExhausted, "too many nodes");
  }
  const auto id = static_cast<NodeId>(names_.size());
  names_.emplace_back(name);
  ids_.emplace(names_.back(), id);
  inputs_.emplace_back();
  outputs_.emplace_back();
  return id;
}

Status Graph::AddEdge(std::string_view from, std::string_view to) {
  std::optional<NodeId> from_id = Find(from);
  if (!from_id) return Status::NotFound(Quote(to) + " needs unknown node " + Quote(from));
  std::optional<NodeId> to_id = Find(to);
  if (!to_id) return Status::NotFound("unknown node " + Quote(to) + " needs " + Quote(from));
  return AddEdge(*from_id, *to_id);
}

Status Graph::AddEdge(NodeId from, NodeId to) {
  if (from >= size() || to >= size()) {
    return Status::InvalidArgument("edge " + std::to_string(from) + " -> " + std::to_string(to) +
                                   " names a node id not in a graph of " + std::to_string(size()) +
                                   " nodes");
  }
  const uint64_t key = (static_cast<uint64_t>(from) << 32) | to;
  if (!edges_.insert(key).second) return Status::Ok();
  inputs_[to].push_back(from);
  outputs_[from].push_back(to);
  return Status::Ok();
}

std::optional<NodeId> Graph::Find(std::string_view name) const {
  auto it = ids_.find(name);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void Graph::Walk(std::vector<NodeId>* order, std::vector<NodeId>* cycle) const {
  const size_t n = size();
  // Every node's inputs sorted by id, in one array (a counting sort: O(V + E)). Walking from
  // each `from` in id order appends `from` to the inputs of each of its outputs.
  std::vector<size_t> begin(n + 1, 0);
  for (size_t v = 0; v < n; ++v) begin[v + 1] = begin[v] + inputs_[v].size();
  std::vector<NodeId> sorted_inputs(begin[n]);
  {
    std::vector<size_t> fill(begin.begin(), begin.end() - 1);
    for (NodeId from = 0; from < n; ++from) {
      for (NodeId to : outputs_[from]) sorted_inputs[fill[to]++] = from;
    }
  }

  enum class Mark : uint8_t { kNew, kOnPath, kDone };
  std::vector<Mark> mark(n, Mark::kNew);
  struct Frame {
    NodeId node;
    size_t next;  // index into sorted_inputs of the next input to visit
  };
  std::vector<Frame> path;  // the current path; path[i + 1] is an input of path[i]
  for (NodeId root = 0; root < n; ++root) {
    if (mark[root] != Mark::kNew) continue;
    mark[root] = Mark::kOnPath;
    path.push_back({root, begin[root]});
    while (!path.empty()) {
      Frame& top = path.back();
      if (top.next == begin[top.node + 1]) {
        mark[top.node] = Mark::kDone;
        if (order) order->push_back(top.node);
        path.pop_back();
        continue;
      }
      const NodeId input = sorted_inputs[top.next++];
      if (mark[input] == Mark::kNew) {
        mark[input] = Mark::kOnPath;
        path.push_back({input, begin[input]});  // invalidates `top`
      } else if (mark[input] == Mark::kOnPath) {
        // `input` -> path.back() closes a cycle through the path from `input` down to here.
        // In flow order it is input -> path.back() -> path[back - 1] -> ... -> input.
        if (cycle) {
          cycle->clear();
          cycle->push_back(input);
          for (size_t i = path.size(); i-- > 0 && path[i].node != input;) {
            cycle->push_back(path[i].node);
          }
          std::rotate(cycle->begin(), std::min_element(cycle->begin(), cycle->end()), cycle->end());
        }
        return;
      }
    }
  }
}

std::vector<NodeId> Graph::FindCycle() const {
  std::vector<NodeId> cycle;
  Walk(nullptr, &cycle);
  return cycle;
}

std::string Graph::FormatCycle(std::span<const NodeId> cycle) const {
  std::string out;
  for (NodeId node : cycle) {
    out += name(node);
    out += " -> ";
  }
  if (!cycle.empty()) out += name(cycle.front());
  return out;
}

Status Graph::Verify() const {
  std::vector<NodeId> cycle = FindCycle();
  if (cycle.empty()) return Status::Ok();
  return Status::InvalidArgument("dependency cycle: " + FormatCycle(cycle));
}

Result<std::vector<NodeId>> Graph::TopologicalOrder() const {
  std::vector<NodeId> order;
  order.reserve(size());
  std::vector<NodeId> cycle;
  Walk(&order, &cycle);
  if (!cycle.empty()) return Status::InvalidArgument("dependency cycle: " + FormatCycle(cycle));
  return order;
}

}  // namespace cairn::dag
