// `cairn gate` and `cairn report`: the seed's threshold check and what a pull request shows.
//
//   cairn gate 'accuracy >= 0.85' ['f1 >= 0.8' ...] [--file metrics.json]
//              [--against models:/NAME@champion --test-path data/test.csv --metric accuracy
//               --min-delta 0.0]
// fails (exit 1) naming the metric, its value and the bar. With --against, the current model
// (the champion) is downloaded and scored on the same test set, and the new model must beat it
// by --min-delta on --metric (lower is better for log_loss). No champion yet passes, saying so.
//
//   cairn report [--file metrics.json] [--against ... --test-path ...]
// appends a markdown table of the metrics (and the champion's, with the change) to
// $GITHUB_STEP_SUMMARY, or prints it when that is unset.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>

#include "cli/command.h"
#include "cli/ml_common.h"
#include "cli/mlflow_stores.h"
#include "core/path.h"
#include "core/strings.h"

namespace cairn::cli {
namespace {

struct ChampionOptions : MlflowFlags {
  std::string file = "metrics.json";
  std::string against;
  std::string test_path;
  std::string target = "label";
};

struct GateOptions : ChampionOptions {
  std::vector<std::string> conditions;
  std::string metric = "accuracy";
  double min_delta = 0;
};

struct ReportOptions : ChampionOptions {
  std::string title = "Model report";
  std::string run_id;
  std::vector<std::string> plots = {"confusion_matrix.png", "roc.png"};
};

// The champion scored on today's test set.
struct Champion {
  std::string description;
  std::map<std::string, double> metrics;
};

void AddChampionFlags(CLI::App* cmd, ChampionOptions& o) {
  AddMlflowFlags(cmd, o, true);
  cmd->add_option("--file", o.file, "The metrics file of the new model")->capture_default_str();
  cmd->add_option("--against", o.against,
                  "The model to compare with, e.g. models:/spam-filter@champion");
  cmd->add_option("--test-path", o.test_path, "The test CSV the champion is scored on");
  cmd->add_option("--target", o.target, "The test CSV's label column")->capture_default_str();
}

// The champion scored on o.test_path; nullopt when there is none yet (saying so when
// `announce`).
core::Result<std::optional<Champion>> ScoreChampion(Context& ctx, const ChampionOptions& o,
                                                    bool announce) {
  if (o.against.empty()) return std::optional<Champion>();
  if (o.test_path.empty()) {
    return UsageError("--against needs --test-path: the champion is scored on today's test set");
  }
  core::Result<LoadedModel> loaded = LoadModelByUri(ctx, o, o.against);
  if (!loaded.ok()) {
    if (!loaded.status().IsNotFound()) return loaded.status();
    if (announce) {
      Out(ctx, fmt::format("No champion yet ({}): nothing to compare against\n",
                           loaded.status().message()));
    }
    return std::optional<Champion>();
  }
  CAIRN_ASSIGN_OR_RETURN(ml::Table table, ml::ReadCsv(ctx.env, Abs(ctx, o.test_path), o.target));
  CAIRN_ASSIGN_OR_RETURN(std::vector<float> p, loaded->model.PredictProba(table));
  Champion champion;
  champion.description = loaded->description;
  for (auto& [key, value] : MetricPairs(ml::Score(table.labels, p))) champion.metrics[key] = value;
  return std::optional<Champion>(std::move(champion));
}

bool LowerIsBetter(std::string_view metric) {
  return metric == "log_loss" || metric.ends_with("loss") || metric.ends_with("error");
}

std::string Signed(double value) { return fmt::format("{:+.4f}", value); }

// 4 decimals, or every digit when 4 would show a non-zero value as 0.
std::string Value4(double value) {
  if (value != 0 && std::abs(value) < 5e-5) return FormatMetric(value);
  return fmt::format("{:.4f}", value);
}

// A failure notice GitHub (and cairn's runner) shows as an annotation.
void Annotate(Context& ctx, std::string_view message) {
  if (ctx.env.GetVar("GITHUB_ACTIONS").value_or("") != "true") return;
  Out(ctx, fmt::format("::error title=Metric gate::{}\n", message));
}

core::Status RunGate(Context& ctx, const GateOptions& o) {
  std::vector<ml::Condition> conditions;
  for (const std::string& text : o.conditions) {
    CAIRN_ASSIGN_OR_RETURN(ml::Condition c, ml::ParseCondition(text));
    conditions.push_back(std::move(c));
  }
  CAIRN_ASSIGN_OR_RETURN(auto metrics, ml::ReadMetricsFile(ctx.env, Abs(ctx, o.file)));
  std::vector<std::string> failures;
  for (const ml::ConditionResult& r : ml::CheckConditions(conditions, metrics)) {
    Out(ctx, fmt::format("{} {}\n", r.passed ? "pass" : "FAIL", r.message));
    if (!r.passed) failures.push_back(r.message);
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<Champion> champion, ScoreChampion(ctx, o, true));
  if (champion) {
    auto mine = metrics.find(o.metric);
    auto theirs = champion->metrics.find(o.metric);
    if (mine == metrics.end() || theirs == champion->metrics.end()) {
      failures.push_back(
          fmt::format("--metric {}: not in {} (the comparison needs it)", o.metric, o.file));
      Out(ctx, "FAIL " + failures.back() + "\n");
    } else {
      bool lower = LowerIsBetter(o.metric);
      double gain = lower ? theirs->second - mine->second : mine->second - theirs->second;
      bool passed = gain >= o.min_delta;
      // "accuracy 0.8013 against the champion models:/m@champion (version 1, run ...) 0.9533:
      // 0.1520 worse, needs to be better by +0.0000 or more"
      std::string message =
          fmt::format("{} {} against the champion {} {}: {} {}, needs to be better by {} or more",
                      o.metric, Value4(mine->second), champion->description, Value4(theirs->second),
                      Value4(std::abs(gain)), gain >= 0 ? "better" : "worse", Signed(o.min_delta));
      Out(ctx, fmt::format("{} {}\n", passed ? "pass" : "FAIL", message));
      if (!passed) failures.push_back(message);
    }
  }
  if (failures.empty()) {
    Out(ctx, "The gate passed\n");
    return core::Status::Ok();
  }
  std::string message = core::Join(failures, "; ");
  Annotate(ctx, message);
  return core::Status::InvalidState("the gate failed: " + message);
}

// --- report ---

std::string ReportMarkdown(Context& ctx, const ReportOptions& o,
                           const std::map<std::string, double>& metrics,
                           const std::optional<Champion>& champion) {
  std::string md = fmt::format("### {}\n\n", o.title);
  std::vector<std::string> facts;
  std::string run_id = o.run_id.empty() ? ctx.env.GetVar("RUN_ID").value_or("") : o.run_id;
  if (!run_id.empty()) facts.push_back(fmt::format("run `{}`", run_id));
  if (auto sha = ctx.env.GetVar("GITHUB_SHA"))
    facts.push_back(fmt::format("commit `{}`", sha->substr(0, 12)));
  if (auto ref = ctx.env.GetVar("GITHUB_REF")) facts.push_back(fmt::format("`{}`", *ref));
  if (!facts.empty()) md += core::Join(facts, " · ") + "\n\n";
  if (champion) {
    md += fmt::format("| Metric | This model | Champion: {} | Change |\n|:--|--:|--:|--:|\n",
                      champion->description);
  } else {
    md += "| Metric | This model |\n|:--|--:|\n";
  }
  // metrics.json's order first, then any other keys.
  std::vector<std::string> keys;
  for (const char* k : {"accuracy", "precision", "recall", "f1", "roc_auc", "log_loss", "n"}) {
    if (metrics.contains(k)) keys.push_back(k);
  }
  for (auto& [k, v] : metrics) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  for (const std::string& key : keys) {
    double mine = metrics.at(key);
    std::string cell =
        key == "n" ? fmt::format("{}", static_cast<int64_t>(mine)) : fmt::format("{:.4f}", mine);
    if (!champion) {
      md += fmt::format("| {} | {} |\n", key, cell);
      continue;
    }
    auto theirs = champion->metrics.find(key);
    if (theirs == champion->metrics.end()) {
      md += fmt::format("| {} | {} | | |\n", key, cell);
      continue;
    }
    std::string their_cell = key == "n" ? fmt::format("{}", static_cast<int64_t>(theirs->second))
                                        : fmt::format("{:.4f}", theirs->second);
    double change = mine - theirs->second;
    std::string arrow;
    if (key != "n" && std::abs(change) >= 5e-5) {
      bool better = LowerIsBetter(key) ? change < 0 : change > 0;
      arrow = better ? " (better)" : " (worse)";
    }
    md += fmt::format(
        "| {} | {} | {} | {}{} |\n", key, cell, their_cell,
        key == "n" ? fmt::format("{:+}", static_cast<int64_t>(change)) : Signed(change), arrow);
  }
  if (!o.against.empty() && !champion) {
    md += fmt::format("\nNo champion yet ({}): this model would be the first.\n", o.against);
  }
  std::vector<std::string> present;
  for (const std::string& plot : o.plots) {
    if (ctx.env.Stat(Abs(ctx, plot)).ok()) present.push_back("`" + plot + "`");
  }
  if (!present.empty()) {
    md += fmt::format("\nPlots: {} (in the run's artifacts and this run's uploaded artifacts).\n",
                      core::Join(present, ", "));
  }
  return md + "\n";
}

core::Status RunReport(Context& ctx, const ReportOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(auto metrics, ml::ReadMetricsFile(ctx.env, Abs(ctx, o.file)));
  CAIRN_ASSIGN_OR_RETURN(std::optional<Champion> champion, ScoreChampion(ctx, o, false));
  std::string md = ReportMarkdown(ctx, o, metrics, champion);
  if (ctx.env.GetVar("GITHUB_STEP_SUMMARY").value_or("").empty()) {
    Out(ctx, md);
    return core::Status::Ok();
  }
  CAIRN_RETURN_IF_ERROR(AppendToRunnerFile(ctx, "GITHUB_STEP_SUMMARY", md));
  Out(ctx, md);
  Out(ctx, "Appended the report to the step summary\n");
  return core::Status::Ok();
}

}  // namespace

void RegisterGateCommands(CLI::App& app, Context& ctx) {
  {
    auto o = std::make_shared<GateOptions>();
    CLI::App* cmd = app.add_subcommand(
        "gate", "Fail unless the metrics meet the bars, e.g. cairn gate 'accuracy >= 0.85'");
    cmd->add_option("conditions", o->conditions, "METRIC OP NUMBER, e.g. 'accuracy >= 0.85'")
        ->required();
    AddChampionFlags(cmd, *o);
    cmd->add_option("--metric", o->metric, "The metric compared with the champion")
        ->capture_default_str();
    cmd->add_option("--min-delta", o->min_delta, "How much the new model must beat the champion by")
        ->capture_default_str();
    cmd->callback([&ctx, o] { ctx.status = RunGate(ctx, *o); });
  }
  {
    auto o = std::make_shared<ReportOptions>();
    CLI::App* cmd = app.add_subcommand(
        "report", "A markdown report of the metrics (against the champion) for the step summary");
    AddChampionFlags(cmd, *o);
    cmd->add_option("--title", o->title, "The report's heading")->capture_default_str();
    cmd->add_option("--run-id", o->run_id, "The run to name (default $RUN_ID)");
    cmd->add_option("--plots", o->plots, "Plot files to mention when present")
        ->capture_default_str();
    cmd->callback([&ctx, o] { ctx.status = RunReport(ctx, *o); });
  }
}

}  // namespace cairn::cli
