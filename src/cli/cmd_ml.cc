// `cairn ml ...`: the seed's ML steps. `split` (a seeded, stratified train/test split),
// `train` (XGBoost, logged to the tracking store: params, per-round loss, lineage tags, the
// model as an MLflow model directory), `evaluate` (metrics.json and the plots, logged to the
// run), `predict` (a model by path, runs:/ or models:/ URI).
//
// Under a workflow runner, `train` hands the run id to later steps as the seed expects:
// RUN_ID=<id> appended to $GITHUB_ENV and run_id=<id> to $GITHUB_OUTPUT.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "cli/ml_common.h"
#include "cli/mlflow_stores.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/yaml.h"
#include "data/params.h"
#include "sys/temp_dir.h"

namespace cairn::cli {
namespace {

struct SplitOptions {
  std::string input;
  std::string train;
  std::string test;
  std::string target = "label";
  std::string params;
  std::optional<double> test_size;
  std::optional<uint64_t> seed;
};

struct TrainOptions : MlflowFlags {
  std::string data_path;
  std::string model_output;
  std::string experiment_name = "Default";
  std::string target = "label";
  std::string params;
  std::string run_name;
  int threads = 0;
};

struct EvaluateOptions : MlflowFlags {
  std::string model_path;
  std::string test_path;
  std::string target = "label";
  std::string metrics_file = "metrics.json";
  std::string plots_dir = ".";
  std::string run_id;
  std::string class_names = "0,1";
};

struct PredictOptions : MlflowFlags {
  std::string model_uri;
  std::string data;
  std::string target = "label";
  std::string output;
};

track::Metric MetricAt(std::string key, double value, int64_t timestamp, int64_t step) {
  track::Metric m;
  m.key = std::move(key);
  m.value = value;
  m.timestamp = timestamp;
  m.step = step;
  return m;
}

// --- split ---

core::Status RunSplit(Context& ctx, const SplitOptions& o) {
  ml::SplitOptions options;
  options.target = o.target;
  std::string params_path = ParamsPath(ctx, o.params);
  if (!params_path.empty()) {
    CAIRN_ASSIGN_OR_RETURN(core::Value root, data::LoadParamsFile(ctx.env, params_path));
    if (const core::Value* v = data::FindParam(root, "split.test_size")) {
      if (!v->is_number()) return BadParam(*v, "split.test_size", "a number in (0, 1)");
      options.test_size = v->AsDouble();
    }
    if (const core::Value* v = data::FindParam(root, "split.seed")) {
      if (!v->is_number() || v->AsDouble() < 0) {
        return BadParam(*v, "split.seed", "a non-negative integer");
      }
      options.seed = static_cast<uint64_t>(v->AsDouble());
    }
  }
  if (o.test_size) options.test_size = *o.test_size;
  if (o.seed) options.seed = *o.seed;
  if (!(options.test_size > 0 && options.test_size < 1)) {
    return UsageError(fmt::format("--test-size: expected a fraction in (0, 1), got {}",
                                  FormatMetric(options.test_size)));
  }
  CAIRN_ASSIGN_OR_RETURN(
      ml::SplitCounts counts,
      ml::SplitCsv(ctx.env, Abs(ctx, o.input), Abs(ctx, o.train), Abs(ctx, o.test), options));
  Out(ctx, fmt::format("Split {} rows of {}: {} to {}, {} to {} (test size {}, seed {})\n",
                       counts.train + counts.test, o.input, counts.train, o.train, counts.test,
                       o.test, FormatMetric(options.test_size), options.seed));
  return core::Status::Ok();
}

// --- train ---

int DefaultThreads(const Context& ctx) {
  if (ctx.env.GetVar("CI")) return 1;  // reproducible and polite on shared CI machines
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

core::Result<std::string> ExperimentId(track::TrackingStore& store, std::string_view name) {
  core::Result<track::Experiment> found = store.GetExperimentByName(name);
  if (found.ok()) {
    if (found->lifecycle_stage == track::LifecycleStage::kDeleted) {
      return core::Status::InvalidState(fmt::format(
          "experiment '{}' is deleted: restore it or choose another --experiment-name", name));
    }
    return found->experiment_id;
  }
  if (!found.status().IsNotFound()) return found.status();
  core::Result<std::string> created = store.CreateExperiment(name, "", {});
  if (created.ok() || !created.status().IsAlreadyExists()) return created;
  // Another process created it meanwhile.
  CAIRN_ASSIGN_OR_RETURN(track::Experiment again, store.GetExperimentByName(name));
  return again.experiment_id;
}

// The MLmodel file as JSON, for the run's mlflow.log-model.history tag.
core::Result<std::string> MlModelJson(const ml::ModelInfo& info) {
  CAIRN_ASSIGN_OR_RETURN(core::Value v, core::ParseYaml(ml::MlModelYaml(info), "MLmodel"));
  return core::ToJson(v);
}

core::Status LogTraining(track::TrackingStore& store, const std::string& run_id,
                         const ml::TrainParams& params, const TrainOptions& o,
                         const ml::TrainResult& result) {
  std::vector<track::Param> logged;
  for (auto& [key, value] : ml::ParamsForLogging(params)) logged.push_back({key, value});
  logged.push_back({"data_path", o.data_path});
  logged.push_back({"target", o.target});
  logged.push_back({"train_rows", std::to_string(result.train_rows)});
  logged.push_back({"validation_rows", std::to_string(result.validation_rows)});
  CAIRN_RETURN_IF_ERROR(store.LogBatch(run_id, {}, logged, {}));
  // Per-round loss as metric steps, in batches within MLflow's 1000-metric limit.
  int64_t now = NowMillis();
  std::vector<track::Metric> batch;
  auto flush = [&]() -> core::Status {
    if (batch.empty()) return core::Status::Ok();
    core::Status s = store.LogBatch(run_id, batch, {}, {});
    batch.clear();
    return s;
  };
  for (const ml::RoundLoss& r : result.history) {
    batch.push_back(MetricAt("train-logloss", r.train, now, r.round));
    if (!std::isnan(r.validation)) {
      batch.push_back(MetricAt("validation-logloss", r.validation, now, r.round));
    }
    if (batch.size() >= 998) CAIRN_RETURN_IF_ERROR(flush());
  }
  return flush();
}

core::Status RunTrain(Context& ctx, const TrainOptions& o) {
  ml::TrainParams params;
  std::string params_path = ParamsPath(ctx, o.params);
  if (!params_path.empty()) {
    CAIRN_ASSIGN_OR_RETURN(core::Value root, data::LoadParamsFile(ctx.env, params_path));
    CAIRN_ASSIGN_OR_RETURN(params,
                           ml::ParseTrainParams(root, o.params.empty() ? "params.yaml" : o.params));
  }
  params.threads = o.threads > 0 ? o.threads : DefaultThreads(ctx);
  std::string data_path = Abs(ctx, o.data_path);
  CAIRN_ASSIGN_OR_RETURN(ml::Table table, ml::ReadCsv(ctx.env, data_path, o.target));
  CAIRN_ASSIGN_OR_RETURN(std::string data_md5, ml::DataMd5(ctx.env, data_path));

  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(std::string experiment_id, ExperimentId(*store, o.experiment_name));
  track::CreateRunRequest request;
  request.experiment_id = experiment_id;
  request.run_name = o.run_name;
  request.user_id = UserName(ctx);
  for (auto& [key, value] : ml::LineageTags(ctx.env, ctx.cwd)) request.tags.push_back({key, value});
  request.tags.push_back({"cairn.data.md5", data_md5});
  request.tags.push_back({"cairn.data.path", o.data_path});
  request.tags.push_back({"mlflow.source.name", "cairn ml train"});
  request.tags.push_back(
      {"mlflow.source.type", ctx.env.GetVar("GITHUB_ACTIONS") ? "JOB" : "LOCAL"});
  if (!request.user_id.empty()) request.tags.push_back({"mlflow.user", request.user_id});
  CAIRN_ASSIGN_OR_RETURN(track::Run run, store->CreateRun(request));
  const std::string& run_id = run.info.run_id;

  // From here on a failure marks the run FAILED before it is returned.
  auto body = [&]() -> core::Status {
    Out(ctx, fmt::format("Training on {} ({} rows, {} features), {} rounds, {} thread(s); run {}\n",
                         o.data_path, table.rows(), table.columns.size(), params.n_estimators,
                         params.threads, run_id));
    CAIRN_ASSIGN_OR_RETURN(ml::TrainResult result, ml::Train(table, params));
    CAIRN_RETURN_IF_ERROR(LogTraining(*store, run_id, params, o, result));
    std::string model_output = Abs(ctx, o.model_output);
    CAIRN_RETURN_IF_ERROR(ctx.env.CreateDirs(core::Dirname(model_output)));
    CAIRN_RETURN_IF_ERROR(result.model.Save(model_output));

    ml::ModelInfo info;
    info.run_id = run_id;
    info.feature_names = result.model.feature_names();
    CAIRN_ASSIGN_OR_RETURN(sys::TempDir scratch, sys::TempDir::Create("cairn-model-"));
    std::string dir = core::JoinPath(scratch.path(), "model");
    CAIRN_RETURN_IF_ERROR(ml::WriteModelDirectory(ctx.env, result.model, info, dir));
    CAIRN_ASSIGN_OR_RETURN(
        auto artifacts,
        ml::OpenArtifactRepository(ctx.env, run.info.artifact_uri, ArtifactAccessFor(ctx, o)));
    CAIRN_RETURN_IF_ERROR(artifacts->Upload(dir, "model"));
    CAIRN_ASSIGN_OR_RETURN(std::string model_json, MlModelJson(info));
    CAIRN_RETURN_IF_ERROR(store->LogModel(run_id, model_json));

    const ml::RoundLoss& last = result.history.back();
    std::string loss = fmt::format("train logloss {:.4f}", last.train);
    if (!std::isnan(last.validation)) loss += fmt::format(", validation {:.4f}", last.validation);
    Out(ctx, fmt::format("Trained {} rounds ({}); model saved to {}, logged as runs:/{}/model\n",
                         result.model.rounds(), loss, o.model_output, run_id));
    CAIRN_RETURN_IF_ERROR(AppendToRunnerFile(ctx, "GITHUB_ENV", "RUN_ID=" + run_id + "\n"));
    CAIRN_RETURN_IF_ERROR(AppendToRunnerFile(ctx, "GITHUB_OUTPUT", "run_id=" + run_id + "\n"));
    return core::Status::Ok();
  };
  core::Status status = body();
  track::UpdateRunRequest end;
  end.run_id = run_id;
  end.status = status.ok() ? track::RunStatus::kFinished : track::RunStatus::kFailed;
  end.end_time = NowMillis();
  core::Result<track::RunInfo> ended = store->UpdateRun(end);
  if (!status.ok()) return status;
  return ended.status();
}

// --- evaluate ---

core::Status RunEvaluate(Context& ctx, const EvaluateOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(ml::Model model, ml::LoadModelPath(ctx.env, Abs(ctx, o.model_path)));
  CAIRN_ASSIGN_OR_RETURN(ml::Table table, ml::ReadCsv(ctx.env, Abs(ctx, o.test_path), o.target));
  CAIRN_ASSIGN_OR_RETURN(std::vector<float> probabilities, model.PredictProba(table));
  ml::Metrics metrics = ml::Score(table.labels, probabilities);

  std::vector<std::string_view> names = core::Split(o.class_names, ',');
  if (names.size() != 2) {
    return UsageError("--class-names: expected two names separated by a comma, e.g. ham,spam");
  }
  std::string plots = Abs(ctx, o.plots_dir);
  CAIRN_RETURN_IF_ERROR(ctx.env.CreateDirs(plots));
  std::string metrics_path = Abs(ctx, o.metrics_file);
  std::string matrix_path = core::JoinPath(plots, "confusion_matrix.png");
  std::string roc_path = core::JoinPath(plots, "roc.png");
  CAIRN_RETURN_IF_ERROR(ctx.env.CreateDirs(core::Dirname(metrics_path)));
  CAIRN_RETURN_IF_ERROR(WriteFileAtomically(ctx.env, metrics_path, ml::MetricsJson(metrics)));
  CAIRN_RETURN_IF_ERROR(ml::WriteConfusionMatrixPng(
      ctx.env, metrics.confusion, {std::string(names[0]), std::string(names[1])}, matrix_path));
  CAIRN_RETURN_IF_ERROR(ml::WriteRocPng(ctx.env, ml::RocCurve(table.labels, probabilities),
                                        metrics.roc_auc, roc_path));

  Out(ctx, fmt::format("Evaluated {} on {} ({} rows)\n", o.model_path, o.test_path, metrics.n));
  Out(ctx, MetricsTable(metrics));
  Out(ctx,
      fmt::format("Wrote {}, {}, {}\n", o.metrics_file, core::RelativePath(matrix_path, ctx.cwd),
                  core::RelativePath(roc_path, ctx.cwd)));

  std::string run_id = o.run_id;
  if (run_id.empty()) run_id = ctx.env.GetVar("RUN_ID").value_or("");
  if (run_id.empty()) {
    Out(ctx, "No run to log to (no --run-id, no RUN_ID): the metrics stay local\n");
    return core::Status::Ok();
  }
  CAIRN_ASSIGN_OR_RETURN(auto store, OpenTracking(ctx, o));
  CAIRN_ASSIGN_OR_RETURN(track::Run run, store->GetRun(run_id));
  int64_t now = NowMillis();
  std::vector<track::Metric> logged;
  for (auto& [key, value] : MetricPairs(metrics)) {
    logged.push_back(MetricAt(key, value, now, 0));
  }
  CAIRN_RETURN_IF_ERROR(store->LogBatch(run_id, logged, {}, {}));
  CAIRN_ASSIGN_OR_RETURN(auto artifacts, ml::OpenArtifactRepository(ctx.env, run.info.artifact_uri,
                                                                    ArtifactAccessFor(ctx, o)));
  for (const std::string& path : {metrics_path, matrix_path, roc_path}) {
    CAIRN_RETURN_IF_ERROR(artifacts->Upload(path, ""));
  }
  Out(ctx, fmt::format("Logged the metrics and plots to run {}\n", run_id));
  return core::Status::Ok();
}

// --- predict ---

core::Status RunPredict(Context& ctx, const PredictOptions& o) {
  CAIRN_ASSIGN_OR_RETURN(LoadedModel loaded, LoadModelByUri(ctx, o, o.model_uri));
  CAIRN_ASSIGN_OR_RETURN(ml::Table table,
                         ml::ReadCsv(ctx.env, Abs(ctx, o.data), o.target, /*optional=*/true));
  CAIRN_ASSIGN_OR_RETURN(std::vector<float> p, loaded.model.PredictProba(table));
  std::string text = "probability,prediction\n";
  for (float v : p) text += fmt::format("{},{}\n", v, v >= 0.5f ? 1 : 0);
  if (o.output.empty() || o.output == "-") {
    Out(ctx, text);
  } else {
    CAIRN_RETURN_IF_ERROR(WriteFileAtomically(ctx.env, Abs(ctx, o.output), text));
  }
  std::string summary = fmt::format("Predicted {} rows with {}", p.size(), loaded.description);
  if (!table.labels.empty()) {
    ml::Metrics m = ml::Score(table.labels, p);
    summary +=
        fmt::format("; accuracy {} against the `{}` column", FormatMetric(m.accuracy), o.target);
  }
  if (!o.output.empty() && o.output != "-") summary += "; wrote " + o.output;
  std::fprintf(ctx.err, "%s\n", summary.c_str());
  return core::Status::Ok();
}

}  // namespace

void RegisterMlCommands(CLI::App& app, Context& ctx) {
  CLI::App* ml = app.add_subcommand(
      "ml", "The ML steps: split, train (XGBoost), evaluate, predict (`cairn ml --help`)");
  ml->require_subcommand(1);
  {
    auto o = std::make_shared<SplitOptions>();
    CLI::App* cmd = ml->add_subcommand("split", "Split a CSV into train and test files");
    cmd->add_option("--input", o->input, "The CSV to split")->required();
    cmd->add_option("--train", o->train, "Where the training rows go")->required();
    cmd->add_option("--test", o->test, "Where the test rows go")->required();
    cmd->add_option("--test-size", o->test_size, "The test fraction (default 0.2)");
    cmd->add_option("--seed", o->seed, "The shuffle's seed (default 42)");
    cmd->add_option("--target", o->target, "The label column to stratify on")
        ->capture_default_str();
    cmd->add_option("--params", o->params,
                    "A params file whose `split:` section sets test_size and seed "
                    "(default params.yaml when present)");
    cmd->callback([&ctx, o] { ctx.status = RunSplit(ctx, *o); });
  }
  {
    auto o = std::make_shared<TrainOptions>();
    CLI::App* cmd = ml->add_subcommand(
        "train", "Train a gradient-boosted classifier and log it to the tracking store");
    AddMlflowFlags(cmd, *o, false);
    cmd->add_option("--data-path", o->data_path, "The training CSV")->required();
    cmd->add_option("--model-output", o->model_output, "Where to save the model file")->required();
    cmd->add_option("--experiment-name", o->experiment_name, "The MLflow experiment")
        ->capture_default_str();
    cmd->add_option("--target", o->target, "The label column (0/1)")->capture_default_str();
    cmd->add_option("--params", o->params,
                    "A params file whose `train:` section sets the model's parameters "
                    "(default params.yaml when present)");
    cmd->add_option("--threads", o->threads,
                    "Training threads (default: 1 when $CI is set, else every core)");
    cmd->add_option("--run-name", o->run_name, "The run's name (default: generated)");
    cmd->callback([&ctx, o] { ctx.status = RunTrain(ctx, *o); });
  }
  {
    auto o = std::make_shared<EvaluateOptions>();
    CLI::App* cmd = ml->add_subcommand(
        "evaluate", "Score a model on a test CSV: metrics.json, confusion_matrix.png, roc.png");
    AddMlflowFlags(cmd, *o, false);
    cmd->add_option("--model-path", o->model_path, "A model file or MLflow model directory")
        ->required();
    cmd->add_option("--test-path", o->test_path, "The test CSV")->required();
    cmd->add_option("--target", o->target, "The label column (0/1)")->capture_default_str();
    cmd->add_option("--metrics-file", o->metrics_file, "Where the metrics go")
        ->capture_default_str();
    cmd->add_option("--plots-dir", o->plots_dir, "Where the plots go")->capture_default_str();
    cmd->add_option("--class-names", o->class_names, "The names of labels 0 and 1, e.g. ham,spam")
        ->capture_default_str();
    cmd->add_option("--run-id", o->run_id, "The run to log to (default $RUN_ID)");
    cmd->callback([&ctx, o] { ctx.status = RunEvaluate(ctx, *o); });
  }
  {
    auto o = std::make_shared<PredictOptions>();
    CLI::App* cmd =
        ml->add_subcommand("predict", "Predict with a model: a path, runs:/ or models:/");
    AddMlflowFlags(cmd, *o, true);
    cmd->add_option("--model-uri", o->model_uri,
                    "models:/NAME@ALIAS, models:/NAME/STAGE|VERSION, runs:/ID/model or a path")
        ->required();
    cmd->add_option("--data", o->data, "The CSV to score")->required();
    cmd->add_option("--target", o->target,
                    "A label column to leave out (and score against) when present")
        ->capture_default_str();
    cmd->add_option("--output", o->output, "Where the predictions go (default stdout)");
    cmd->callback([&ctx, o] { ctx.status = RunPredict(ctx, *o); });
  }
}

}  // namespace cairn::cli
