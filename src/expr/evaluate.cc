// Evaluation of a parsed tree: GitHub's operators (&& and || return operands and short-
// circuit), property/index access (missing is null, `*` filters), and function calls. Never
// throws; operator chains (`a == b == c ...`, not depth-limited by the parser) are folded
// iteratively, so input depth cannot exhaust the stack. Thread-safe (the tree is immutable).
#include <cmath>
#include <string>

#include "expr/internal.h"

namespace cairn::expr {
namespace internal {

namespace {

struct Index {
  bool star = false;
  bool has_str = false;
  std::string str;
  bool has_int = false;
  double integer = 0;
};

Index MakeIndex(const Value& v) {
  Index idx;
  if (Access::IsPrimitive(v)) {
    idx.has_str = true;
    idx.str = v.ToString();
  }
  double f = v.ToNumber();
  if (!std::isnan(f) && std::isfinite(f) && f >= 0) {
    idx.has_int = true;
    idx.integer = std::floor(f);
  }
  return idx;
}

Value Lookup(const Value& object, const Index& idx) {
  if (object.kind() == Kind::kArray) {
    const auto& items = object.AsArray();
    if (Access::IsFiltered(object)) {
      std::vector<Value> out;
      for (const Value& item : items) {
        if (item.kind() == Kind::kObject) {
          if (idx.star) {
            for (const auto& m : item.AsObject()) out.push_back(m.second);
          } else if (idx.has_str) {
            if (const Value* v = item.Get(idx.str)) out.push_back(*v);
          }
        } else if (item.kind() == Kind::kArray) {
          const auto& inner = item.AsArray();
          if (idx.star) {
            out.insert(out.end(), inner.begin(), inner.end());
          } else if (idx.has_int && idx.integer < static_cast<double>(inner.size())) {
            out.push_back(inner[static_cast<size_t>(idx.integer)]);
          }
        }
      }
      return Access::FilteredArray(std::move(out));
    }
    if (idx.star) return Access::FilteredArray(items);
    if (idx.has_int && idx.integer < static_cast<double>(items.size())) {
      return items[static_cast<size_t>(idx.integer)];
    }
    return Value::Null();
  }
  if (object.kind() == Kind::kObject) {
    if (idx.star) {
      std::vector<Value> out;
      for (const auto& m : object.AsObject()) out.push_back(m.second);
      return Access::FilteredArray(std::move(out));
    }
    if (idx.has_str) {
      if (const Value* v = object.Get(idx.str)) return *v;
    }
    return Value::Null();
  }
  return idx.star ? Access::FilteredArray({}) : Value::Null();
}

bool ApplyBinary(TokenType op, const Value& l, const Value& r) {
  switch (op) {
    case TokenType::kEqualEqual:
      return LooseEquals(l, r);
    case TokenType::kBangEqual:
      return !LooseEquals(l, r);
    case TokenType::kGreater:
      return GreaterThan(l, r);
    case TokenType::kGreaterEqual:
      return LooseEquals(l, r) || GreaterThan(l, r);
    case TokenType::kLess:
      return LessThan(l, r);
    case TokenType::kLessEqual:
      return LooseEquals(l, r) || LessThan(l, r);
    default:
      return false;
  }
}

class Evaluator {
 public:
  explicit Evaluator(const EvalOptions& options) : options_(options) {}

  Result<Value> Eval(const Node* n) {
    switch (n->type) {
      case NodeType::kLiteral:
        return n->literal;
      case NodeType::kGroup:
        return Eval(n->kids[0].get());
      case NodeType::kNot: {
        CAIRN_ASSIGN_OR_RETURN(Value v, Eval(n->kids[0].get()));
        return Value::Boolean(!v.Truthy());
      }
      case NodeType::kContext: {
        if (options_.contexts == nullptr) return Value::Null();
        const Value* v = options_.contexts->Find(n->name);
        return v ? *v : Value::Null();
      }
      case NodeType::kAnd:
      case NodeType::kOr: {
        Value result;
        for (const NodePtr& arg : n->kids) {
          CAIRN_ASSIGN_OR_RETURN(result, Eval(arg.get()));
          if ((n->type == NodeType::kAnd) != result.Truthy()) break;
        }
        return result;
      }
      case NodeType::kBinary: {
        // Left-deep chains: walk down the left spine, then fold upwards.
        std::vector<const Node*> spine;
        const Node* cur = n;
        while (cur->type == NodeType::kBinary) {
          spine.push_back(cur);
          cur = cur->kids[0].get();
        }
        CAIRN_ASSIGN_OR_RETURN(Value acc, Eval(cur));
        for (auto it = spine.rbegin(); it != spine.rend(); ++it) {
          CAIRN_ASSIGN_OR_RETURN(Value right, Eval((*it)->kids[1].get()));
          acc = Value::Boolean(ApplyBinary((*it)->op, acc, right));
        }
        return acc;
      }
      case NodeType::kIndex: {
        Index idx;
        if (n->star) {
          idx.star = true;
        } else {
          CAIRN_ASSIGN_OR_RETURN(Value key, Eval(n->kids[1].get()));
          idx = MakeIndex(key);
        }
        CAIRN_ASSIGN_OR_RETURN(Value object, Eval(n->kids[0].get()));
        return Lookup(object, idx);
      }
      case NodeType::kCall: {
        std::vector<Value> args;
        args.reserve(n->kids.size());
        for (const NodePtr& arg : n->kids) {
          CAIRN_ASSIGN_OR_RETURN(Value v, Eval(arg.get()));
          args.push_back(std::move(v));
        }
        return CallFunction(n->name, args, options_, memory_);
      }
    }
    return Value::Null();
  }

 private:
  const EvalOptions& options_;
  size_t memory_ = 0;
};

}  // namespace

Result<Value> EvaluateTree(const Node* root, const EvalOptions& options) {
  if (root == nullptr) return Value::Null();
  return Evaluator(options).Eval(root);
}

}  // namespace internal

// ---- Contexts and Expression

void Contexts::Set(std::string name, Value value) {
  for (auto& [k, v] : values_) {
    if (internal::EqualsIgnoreCase(k, name)) {
      v = std::move(value);
      return;
    }
  }
  values_.emplace_back(std::move(name), std::move(value));
}

const Value* Contexts::Find(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (internal::EqualsIgnoreCase(k, name)) return &v;
  }
  return nullptr;
}

Result<Expression> Expression::Parse(std::string_view text, const Allowed& allowed) {
  CAIRN_ASSIGN_OR_RETURN(internal::NodePtr root, internal::ParseTree(text, allowed));
  Expression e;
  auto tree = std::make_shared<Tree>();
  tree->root = std::move(root);
  e.tree_ = std::move(tree);
  e.text_ = std::string(text);
  return e;
}

Result<Value> Expression::Evaluate(const EvalOptions& options) const {
  return internal::EvaluateTree(tree_ ? tree_->root.get() : nullptr, options);
}

const std::string& Expression::text() const { return text_; }

namespace {

template <typename F>
void Walk(const internal::Node* root, F&& visit) {
  std::vector<const internal::Node*> stack;
  if (root) stack.push_back(root);
  while (!stack.empty()) {
    const internal::Node* n = stack.back();
    stack.pop_back();
    visit(n);
    for (auto it = n->kids.rbegin(); it != n->kids.rend(); ++it) stack.push_back(it->get());
  }
}

}  // namespace

bool Expression::UsesStatusFunction() const {
  bool found = false;
  Walk(tree_ ? tree_->root.get() : nullptr, [&](const internal::Node* n) {
    if (n->type == internal::NodeType::kCall && internal::IsStatusFunction(n->name)) found = true;
  });
  return found;
}

std::vector<std::string> Expression::ContextsUsed() const {
  std::vector<std::string> out;
  Walk(tree_ ? tree_->root.get() : nullptr, [&](const internal::Node* n) {
    if (n->type != internal::NodeType::kContext) return;
    std::string lower(n->name);
    for (char& c : lower) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    for (const std::string& s : out) {
      if (s == lower) return;
    }
    out.push_back(std::move(lower));
  });
  return out;
}

}  // namespace cairn::expr
