// `cairn workflow eval EXPR [--contexts FILE.json] [--if] [--batch]`: evaluates GitHub Actions
// expressions with cairn's expr module and prints one machine-readable JSON line per result:
//
//   {"value": <json>, "kind": "String"}                       success (exit 0)
//   {"value": true, "kind": "Boolean", "expression": "..."}   with --if: the rewritten text too
//   {"error": {"kind": "parsing", "message": "..."}}          failure (exit 1)
//
// Numbers print in the shortest form that reads back to the same double (so a JS client can
// compare exactly); NaN, Infinity and -Infinity print as the strings "NaN", "Infinity",
// "-Infinity" (the "kind" still says Number; inside arrays/objects they are the same strings).
// Without --contexts every usual workflow context name is allowed (each reads null).
// Status functions are available: success() and always() are true, failure() and cancelled()
// false (a run where nothing failed); hashFiles() is allowed but fails when evaluated.
// --batch reads JSON lines {"expr": "...", "contexts": {...}, "if": false} from stdin and
// writes one result line for each, in order (a line that is not such an object gets an
// error line of kind "input"); exit 0.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "cli/workflow_commands.h"
#include "core/json.h"
#include "expr/expr.h"

namespace cairn::cli {

namespace {

constexpr const char* kDefaultContexts[] = {"github",   "env",   "vars",  "secrets",
                                            "inputs",   "steps", "needs", "matrix",
                                            "strategy", "job",   "jobs",  "runner"};

void AppendString(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

void AppendNumber(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char buf[40];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  out += buf;
}

void AppendValue(std::string& out, const expr::Value& v) {
  switch (v.kind()) {
    case expr::Kind::kNull:
      out += "null";
      return;
    case expr::Kind::kBoolean:
      out += v.AsBool() ? "true" : "false";
      return;
    case expr::Kind::kNumber:
      AppendNumber(out, v.AsNumber());
      return;
    case expr::Kind::kString:
      AppendString(out, v.AsString());
      return;
    case expr::Kind::kArray: {
      out += '[';
      bool first = true;
      for (const expr::Value& item : v.AsArray()) {
        if (!first) out += ", ";
        first = false;
        AppendValue(out, item);
      }
      out += ']';
      return;
    }
    case expr::Kind::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.AsObject()) {
        if (!first) out += ", ";
        first = false;
        AppendString(out, key);
        out += ": ";
        AppendValue(out, item);
      }
      out += '}';
      return;
    }
  }
}

std::string ErrorLine(const core::Status& status) {
  auto kind = expr::KindOf(status);
  std::string out = "{\"error\": {\"kind\": ";
  AppendString(out, kind ? expr::ErrorKindName(*kind) : "input");
  out += ", \"message\": ";
  AppendString(out, status.message());
  out += "}}";
  return out;
}

// Evaluates one request; returns the output line and whether it succeeded.
std::pair<std::string, bool> EvalOne(std::string_view text, const core::Value* contexts_json,
                                     bool as_condition) {
  expr::Allowed allowed;
  expr::Contexts contexts;
  if (contexts_json != nullptr) {
    for (const core::Member& m : contexts_json->members()) {
      allowed.contexts.push_back(m.key);
      contexts.Set(m.key, expr::Value::FromCore(m.value));
    }
  } else {
    for (const char* name : kDefaultContexts) allowed.contexts.emplace_back(name);
  }
  for (const char* f : {"success", "failure", "cancelled", "always"}) {
    allowed.functions.push_back({f, 0, expr::FunctionSpec::kUnlimited});
  }
  allowed.functions.push_back({"hashFiles", 1, 255});
  expr::Runtime runtime;
  runtime.status = [](std::string_view function,
                      std::span<const expr::Value>) -> core::Result<bool> {
    return function == "success" || function == "always";
  };
  expr::EvalOptions options{.contexts = &contexts, .runtime = &runtime};

  std::string expression_text;
  core::Result<expr::Value> value = core::Status::Ok();
  if (as_condition) {
    auto cond = expr::Condition::Parse(text, allowed);
    if (!cond.ok()) return {ErrorLine(cond.status()), false};
    expression_text = cond->text();
    value = cond->expression().Evaluate(options);
  } else {
    auto parsed = expr::Expression::Parse(text, allowed);
    if (!parsed.ok()) return {ErrorLine(parsed.status()), false};
    value = parsed->Evaluate(options);
  }
  if (!value.ok()) return {ErrorLine(value.status()), false};
  std::string out = "{\"value\": ";
  AppendValue(out, *value);
  out += ", \"kind\": ";
  AppendString(out, expr::KindName(value->kind()));
  if (as_condition) {
    out += ", \"expression\": ";
    AppendString(out, expression_text);
  }
  out += '}';
  return {out, true};
}

core::Status RunBatch(Context& ctx) {
  // cin synced with stdio reads a character at a time through getc: a third of a batch's time.
  std::ios::sync_with_stdio(false);
  std::string line;
  std::string out;
  int line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto request = core::ParseJson(line, "<stdin line " + std::to_string(line_no) + ">");
    const core::Value* text = nullptr;
    if (request.ok() && request->is_mapping()) text = request->Find("expr");
    if (text == nullptr || !text->is_string()) {
      // A line that is not a request gets an error line of kind "input"; the others go on.
      out += ErrorLine(core::Status::InvalidArgument(
          request.ok() ? "stdin line " + std::to_string(line_no) +
                             ": expected an object with a string \"expr\""
                       : request.status().message()));
      out += '\n';
      continue;
    }
    const core::Value* contexts = request->Find("contexts");
    if (contexts != nullptr && !contexts->is_mapping()) contexts = nullptr;
    const core::Value* as_if = request->Find("if");
    bool condition = as_if != nullptr && as_if->is_bool() && as_if->AsBool();
    out += EvalOne(text->AsString(), contexts, condition).first;
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), ctx.out);
  std::fflush(ctx.out);
  return core::Status::Ok();
}

}  // namespace

void AddWorkflowEvalCommand(CLI::App& workflow, Context& ctx) {
  struct Options {
    std::string text;
    std::string contexts_file;
    bool condition = false;
    bool batch = false;
  };
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = workflow.add_subcommand("eval", "Evaluate one expression");
  cmd->add_option("expression", opts->text, "The expression, without ${{ }}");
  cmd->add_option("--contexts", opts->contexts_file,
                  "A JSON file: an object of context name -> value (only these are allowed)");
  cmd->add_flag("--if", opts->condition,
                "Parse as an if: condition (shows the success() && (...) rewrite)");
  cmd->add_flag("--batch", opts->batch,
                "Read JSON lines {\"expr\", \"contexts\", \"if\"} from stdin, one result each");
  cmd->callback([&ctx, opts] {
    if (opts->batch) {
      ctx.status = RunBatch(ctx);
      return;
    }
    if (opts->text.empty()) {
      ctx.status = core::Status::InvalidArgument(
          "workflow eval: give an EXPRESSION argument, or --batch to read JSON lines from stdin");
      return;
    }
    core::Value contexts;
    bool have_contexts = false;
    if (!opts->contexts_file.empty()) {
      auto data = ctx.env.ReadFile(opts->contexts_file);
      if (!data.ok()) {
        ctx.status = data.status();
        return;
      }
      auto parsed = core::ParseJson(*data, opts->contexts_file);
      if (!parsed.ok()) {
        ctx.status = parsed.status();
        return;
      }
      if (!parsed->is_mapping()) {
        ctx.status = core::Status::InvalidArgument(
            opts->contexts_file + ": expected a JSON object of context name -> value");
        return;
      }
      contexts = std::move(*parsed);
      have_contexts = true;
    }
    auto [line, ok] = EvalOne(opts->text, have_contexts ? &contexts : nullptr, opts->condition);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), ctx.out);
    std::fflush(ctx.out);
    if (!ok) ctx.exit_code = 1;
  });
}

}  // namespace cairn::cli
