// ml: the seed's ML steps, native. Numeric CSV tables, a deterministic train/test split, a
// gradient-boosted binary classifier through XGBoost's C API, classification metrics and their
// plots (cairo PNG), MLflow model directories (the `MLmodel` file with the xgboost and
// python_function flavors), artifact upload/download for a run's artifact URI, `runs:/` and
// `models:/` URIs, and metric gates.
//
// Files: every file written here is written atomically (a temp file beside it, then rename);
// a directory is filled under a temp name and renamed into place. Errors name the file (and
// line:column for CSV and YAML), say what was expected, and leave nothing half-written.
//
// Threads: functions are thread-compatible; a Model may be used for prediction from one
// thread at a time. Training uses TrainParams::threads threads inside XGBoost.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "core/value.h"
#include "sys/env.h"

namespace cairn::track {
class TrackingStore;
}
namespace cairn::registry {
class RegistryStore;
}

namespace cairn::ml {

using core::Result;
using core::Status;

// ---------------------------------------------------------------------------------------------
// Tables

/// A numeric table read from CSV: the feature columns (file order, the target removed) as
/// row-major floats, and the target column as 0/1 labels.
struct Table {
  std::vector<std::string> columns;  // feature names
  std::vector<float> features;       // rows() * columns.size(), row-major; NaN = missing
  std::vector<float> labels;         // one per row (0 or 1); empty when the table has no target
  size_t rows() const { return columns.empty() ? 0 : features.size() / columns.size(); }
};

/// Parses CSV text with a header line. Every cell is a number (an empty cell is missing: NaN).
/// When `target` is not empty the column of that name is the label and must hold 0 or 1
/// (anything else is an error naming the cell). When `target` is empty, or `target_optional` and
/// the column is absent, the table has no labels. Errors: "<file>:<line>:<col>: <column name>:
/// expected a number, got 'x'", a row with the wrong number of cells, an unknown target ("no column
/// 'label' in <file>; columns:
/// ..."), a file with no rows.
Result<Table> ParseCsv(std::string_view text, std::string_view filename, std::string_view target,
                       bool target_optional = false);
Result<Table> ReadCsv(sys::Env& env, std::string_view path, std::string_view target,
                      bool target_optional = false);

/// Splits the data rows of a CSV file into a train file and a test file (the header line in
/// both), deterministically for `seed`: stratified on the `target` column when it is not
/// empty (each class split in the same proportion), rows in their original order within each
/// output. test_size in (0, 1). Both outputs written atomically. Returns the row counts.
struct SplitOptions {
  double test_size = 0.2;
  uint64_t seed = 42;
  std::string target = "label";  // empty: no stratification
};
struct SplitCounts {
  size_t train = 0;
  size_t test = 0;
};
Result<SplitCounts> SplitCsv(sys::Env& env, std::string_view input, std::string_view train_path,
                             std::string_view test_path, const SplitOptions& options);

// ---------------------------------------------------------------------------------------------
// Training and prediction (XGBoost)

/// Training settings, from params.yaml or flags.
struct TrainParams {
  int n_estimators = 100;  // boosting rounds
  int max_depth = 6;
  double learning_rate = 0.3;  // XGBoost's eta
  double subsample = 1.0;
  double colsample_bytree = 1.0;
  double min_child_weight = 1.0;
  double reg_lambda = 1.0;
  double reg_alpha = 0.0;
  double gamma = 0.0;
  int max_bin = 256;
  double validation_fraction = 0.1;  // held out of the training rows for the per-round loss;
                                     // 0: no validation set
  int early_stopping_rounds = 0;     // 0: off; else stop when validation loss has not improved
  uint64_t seed = 42;
  int threads = 1;
};

/// Reads TrainParams from a params file's value tree: the `train:` mapping when the root has
/// one, else the root. Known keys only (the fields above; `eta` is accepted for learning_rate,
/// `lambda`/`alpha` for reg_lambda/reg_alpha); an unknown key or a wrong kind is an error naming
/// "<file>:<line>:<col>: train.<key>: ..." and what was expected. `threads` is not read from
/// the file (it is a property of the machine, not of the model).
Result<TrainParams> ParseTrainParams(const core::Value& root, std::string_view filename);

/// The parameters as MLflow params (key -> text), the names above, values as Python prints
/// them (0.1, 6, 1.0).
std::vector<std::pair<std::string, std::string>> ParamsForLogging(const TrainParams& params);

/// One boosting round's loss (binary log loss) on the training rows and the validation rows
/// (NaN when there is no validation set).
struct RoundLoss {
  int round = 0;  // 0-based
  double train = 0;
  double validation = 0;
};

/// A trained binary classifier (an XGBoost booster, objective binary:logistic). Move-only.
class Model {
 public:
  Model();
  ~Model();
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  /// Loads a model file XGBoost wrote (JSON, UBJSON or the binary format, by XGBoost's rule
  /// on the extension and content). The feature names are read from the model.
  static Result<Model> Load(std::string_view path);
  /// Saves the model (format by extension: .json JSON, .ubj UBJSON, else XGBoost's binary),
  /// atomically. The feature names are saved with it.
  Status Save(std::string_view path) const;

  /// P(label = 1) per row. The table's columns must be the model's feature names in order
  /// (an error lists the first difference).
  Result<std::vector<float>> PredictProba(const Table& table) const;

  const std::vector<std::string>& feature_names() const;
  /// Rounds in the model (after early stopping, the best round + 1).
  int rounds() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  friend struct TrainAccess;
};

struct TrainResult {
  Model model;
  std::vector<RoundLoss> history;  // one per round trained
  size_t train_rows = 0;           // rows trained on (after holding out validation rows)
  size_t validation_rows = 0;
};

/// Trains on `table` (which must have labels), deterministically for params.seed and
/// params.threads == 1. The validation rows are a seeded, stratified sample of
/// validation_fraction of the rows. `on_round` (optional) is called after every round.
Result<TrainResult> Train(const Table& table, const TrainParams& params,
                          const std::function<void(const RoundLoss&)>& on_round = {});

/// XGBoost's version, "1.7.4".
std::string XgboostVersion();

// ---------------------------------------------------------------------------------------------
// Metrics

struct ConfusionMatrix {
  int64_t tn = 0, fp = 0, fn = 0, tp = 0;
};

/// Binary classification metrics at threshold 0.5 (a row is predicted 1 when p >= 0.5).
/// precision/recall/f1 of class 1 (0 when undefined, as scikit-learn's zero_division=0);
/// roc_auc with ties averaged (scikit-learn's roc_auc_score; NaN with one class only);
/// log_loss with p clipped to [1e-15, 1 - 1e-15].
struct Metrics {
  double accuracy = 0;
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  double roc_auc = 0;
  double log_loss = 0;
  int64_t n = 0;
  ConfusionMatrix confusion;
};
Metrics Score(const std::vector<float>& labels, const std::vector<float>& probabilities);

struct RocPoint {
  double fpr = 0;
  double tpr = 0;
};
/// The ROC curve's corners from (0,0) to (1,1), one per distinct threshold.
std::vector<RocPoint> RocCurve(const std::vector<float>& labels,
                               const std::vector<float>& probabilities);

/// metrics.json: {"accuracy": ..., "precision": ..., "recall": ..., "f1": ..., "roc_auc": ...,
/// "log_loss": ..., "n": ...} (keys in that order, numbers printed round-trip exact,
/// 2-space indent, a trailing newline).
std::string MetricsJson(const Metrics& metrics);

/// The numeric leaves of a metrics file (JSON or YAML), by dotted key ("accuracy", "test.f1").
/// Errors name the file; a file with no numbers is an error.
Result<std::map<std::string, double>> ReadMetricsFile(sys::Env& env, std::string_view path);

// ---------------------------------------------------------------------------------------------
// Plots (cairo, PNG, DejaVu Sans from Debian's fonts-dejavu-core)

inline constexpr int kPlotWidth = 640;
inline constexpr int kPlotHeight = 480;

/// A labelled 2x2 confusion matrix (rows: actual, columns: predicted; counts and row
/// percentages in the cells, a shade by count), kPlotWidth x kPlotHeight, written atomically.
/// class_names: the names of label 0 and label 1.
Status WriteConfusionMatrixPng(sys::Env& env, const ConfusionMatrix& matrix,
                               const std::array<std::string, 2>& class_names,
                               std::string_view path);
/// The ROC curve with the diagonal, axes with ticks, and "AUC = 0.987" in the legend.
Status WriteRocPng(sys::Env& env, const std::vector<RocPoint>& curve, double auc,
                   std::string_view path);

// ---------------------------------------------------------------------------------------------
// MLflow model directories

/// What the MLmodel file records besides the flavors.
struct ModelInfo {
  std::string run_id;
  std::string artifact_path = "model";
  std::string model_uuid;                  // 32 hex digits; empty: generated
  std::string utc_time_created;            // "2026-11-27 08:12:04.123456"; empty: now
  std::vector<std::string> feature_names;  // the signature's inputs (all "double")
};

/// Writes an MLflow model directory `dir` as mlflow.xgboost.save_model does for a Booster:
///   MLmodel           flavors xgboost (data: model.json, model_class: xgboost.core.Booster,
///                     model_format: json, xgb_version, code: null) and python_function
///                     (loader_module: mlflow.xgboost, data: model.json, env: conda.yaml /
///                     python_env.yaml, python_version), mlflow_version, model_uuid, run_id,
///                     artifact_path, utc_time_created, signature (inputs from feature_names,
///                     output a double tensor)
///   model.json        the booster
///   conda.yaml, python_env.yaml, requirements.txt   pinning xgboost==XgboostVersion()
/// The directory is built under a temp name and renamed into place (replacing an old one).
Status WriteModelDirectory(sys::Env& env, const Model& model, const ModelInfo& info,
                           std::string_view dir);

/// The MLmodel file's text for `info` (what WriteModelDirectory writes).
std::string MlModelYaml(const ModelInfo& info);

/// Loads the model of an MLflow model directory: reads `dir`/MLmodel, takes the xgboost
/// flavor's `data` file. Errors: no MLmodel ("<dir> is not an MLflow model directory (no
/// MLmodel file)"), no xgboost flavor (names the flavors it has).
Result<Model> LoadModelDirectory(sys::Env& env, std::string_view dir);

/// A model at `path`: an MLflow model directory, or a model file XGBoost can load.
Result<Model> LoadModelPath(sys::Env& env, std::string_view path);

// ---------------------------------------------------------------------------------------------
// Artifacts of runs (MLflow's artifact repositories)

/// How to reach a tracking server's artifact proxy (for mlflow-artifacts: URIs).
struct ArtifactAccess {
  std::string tracking_uri;  // http(s)://host:port of the server, for mlflow-artifacts:
  std::string username;      // MLFLOW_TRACKING_USERNAME / _PASSWORD (basic auth)
  std::string password;
  std::string token;  // MLFLOW_TRACKING_TOKEN (bearer)
  bool verify_tls = true;
};

/// The artifacts under one artifact URI (a run's artifact_uri, or a directory below it):
///   /abs/dir, file:///abs/dir        a local directory
///   s3://bucket/prefix               S3 (credentials as DVC remotes find them)
///   mlflow-artifacts:/path           the tracking server's proxy:
///                                    <tracking_uri>/api/2.0/mlflow-artifacts/artifacts/path
/// (mlflow-artifacts://host:port/path names the server itself.)
class ArtifactRepository {
 public:
  virtual ~ArtifactRepository() = default;
  /// Uploads a file or a directory (recursively) to `artifact_path` below the root ("" = the
  /// root itself for a directory; for a file, the file keeps its name under artifact_path).
  virtual Status Upload(std::string_view local_path, std::string_view artifact_path) = 0;
  /// Downloads everything under `artifact_path` ("" = all) into `local_dir` (created), keeping
  /// relative paths. kNotFound when there is nothing there.
  virtual Status Download(std::string_view artifact_path, std::string_view local_dir) = 0;
};

Result<std::unique_ptr<ArtifactRepository>> OpenArtifactRepository(sys::Env& env,
                                                                   std::string_view artifact_uri,
                                                                   const ArtifactAccess& access);

// ---------------------------------------------------------------------------------------------
// Model URIs

/// What a model URI points at.
struct ModelLocation {
  std::string artifact_uri;  // the model directory's artifact URI (download with
                             // OpenArtifactRepository(artifact_uri).Download(""))
  std::string local_path;    // a plain path: the file or directory itself (artifact_uri empty)
  std::string run_id;        // the run that logged it, when known
  std::string model_name;    // models:/ only
  std::string version;       // models:/ only
};

/// Resolves
///   runs:/RUN_ID/path                 the run's artifact_uri + "/" + path
///   models:/NAME/VERSION              that version's source
///   models:/NAME/STAGE                the latest version in stage (Production, Staging, ...;
///                                     case-insensitive as MLflow)
///   models:/NAME@ALIAS                the version the alias points at
///   models:/NAME/latest               the highest version
///   a path or file:// URI             itself
/// A version's source that is a runs:/ URI is resolved again. `registry` may be null when the
/// URI is not models:/. Errors name the URI and what is missing ("registered model 'spam' has
/// no alias 'champion'").
Result<ModelLocation> ResolveModelUri(std::string_view uri, track::TrackingStore& tracking,
                                      registry::RegistryStore* registry);

/// Resolves `uri` and loads the model, downloading it into `scratch_dir` when it is remote.
Result<Model> FetchModel(sys::Env& env, std::string_view uri, track::TrackingStore& tracking,
                         registry::RegistryStore* registry, const ArtifactAccess& access,
                         std::string_view scratch_dir);

// ---------------------------------------------------------------------------------------------
// Metric gates

enum class CompareOp { kGe, kGt, kLe, kLt, kEq, kNe };

/// "accuracy >= 0.85": a metric key (letters, digits, '_', '.', '-', '/'), an operator (>=, >,
/// <=, <, ==, !=) and a number. Errors quote the text and say what was expected at which
/// column.
struct Condition {
  std::string metric;
  CompareOp op = CompareOp::kGe;
  double bar = 0;
  std::string text;  // as given, normalized spacing: "accuracy >= 0.85"
};
Result<Condition> ParseCondition(std::string_view text);

struct ConditionResult {
  Condition condition;
  std::optional<double> value;  // absent when the metric is missing
  bool passed = false;
  std::string message;  // "accuracy = 0.9468 >= 0.85: passed" /
                        // "accuracy = 0.7891 is below the bar: needs >= 0.85"
};
/// Checks each condition against `metrics`; a missing metric fails, naming the metrics there
/// are.
std::vector<ConditionResult> CheckConditions(const std::vector<Condition>& conditions,
                                             const std::map<std::string, double>& metrics);

// ---------------------------------------------------------------------------------------------
// Lineage

/// The tags that say where a run or a model version came from, from the runner's environment
/// (GitHub Actions' or cairn's: GITHUB_SHA, GITHUB_REF, GITHUB_HEAD_REF / GITHUB_REF_NAME,
/// GITHUB_RUN_ID, GITHUB_WORKFLOW) and, outside a runner, the git repository containing
/// `cwd`:
///   mlflow.source.git.commit, mlflow.source.git.branch, github.sha, github.ref,
///   github.run_id, github.workflow
/// Only the tags whose value is known, sorted by key.
std::vector<std::pair<std::string, std::string>> LineageTags(sys::Env& env, std::string_view cwd);

/// The md5 DVC records for the data file `path` (a .dvc or dvc.lock entry names the same md5
/// for the file's bytes): the file's md5, lowercase hex.
Result<std::string> DataMd5(sys::Env& env, std::string_view path);

}  // namespace cairn::ml
