// MLflow model directories: the MLmodel file with the xgboost and python_function flavors, and
// the environment files beside it, as MLflow 2.19's mlflow.xgboost.save_model writes them for a
// Booster saved with model_format="json" (docs/formats/mlmodel.md); loading the model back from
// such a directory or from a plain model file (MlModelYaml, WriteModelDirectory,
// LoadModelDirectory, LoadModelPath in ml.h).
//
// Thread-compatible: the functions share no state (a UUID or a temp name comes from
// std::random_device).

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <random>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "core/value.h"
#include "core/yaml.h"
#include "core/yaml_emit.h"
#include "ml/ml.h"

namespace cairn::ml {
namespace {

using core::Value;

// The MLflow release whose save_model output this reproduces (the `mlflow_version` key, and the
// mlflow pin of the environment files). The MLmodel keys of MLflow 2.19: no `prompts` (2.21),
// no `is_signature_from_type_hint` (2.20).
constexpr std::string_view kMlflowVersion = "2.19.0";
// The Python environment recorded for the python_function flavor: Debian 12's (bookworm), whose
// python3-xgboost is the same 1.7.4 as the libxgboost cairn links. MLflow records the Python it
// ran under; cairn runs none, so it names the one that matches its XGBoost.
constexpr std::string_view kPythonVersion = "3.11.2";
constexpr std::string_view kPipVersion = "23.0.1";
constexpr std::string_view kSetuptoolsVersion = "66.1.1";
constexpr std::string_view kWheelVersion = "0.38.4";

constexpr std::string_view kMlModelFile = "MLmodel";
constexpr std::string_view kModelFile = "model.json";
constexpr std::string_view kCondaFile = "conda.yaml";
constexpr std::string_view kPythonEnvFile = "python_env.yaml";
constexpr std::string_view kRequirementsFile = "requirements.txt";

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  std::string raw;
  while (raw.size() < bytes) {
    uint32_t word = rd();
    for (int i = 0; i < 4 && raw.size() < bytes; ++i)
      raw.push_back(static_cast<char>(word >> (8 * i)));
  }
  return core::HexEncode(raw);
}

// Python's uuid.uuid4().hex: 32 hex digits, version 4, RFC 4122 variant.
std::string NewUuidHex() {
  std::string hex = RandomHex(16);
  hex[12] = '4';
  hex[16] = "89ab"[core::HexDecode(std::string("0") + hex[16])->at(0) & 3];
  return hex;
}

// Python's str(datetime.utcnow()): "2026-11-27 08:12:04.123456", no fraction when it is zero.
std::string UtcTimeString(int64_t micros) {
  int64_t seconds = micros / 1'000'000, fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string s = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (fraction != 0) s += fmt::format(".{:06}", fraction);
  return s;
}

int64_t SystemNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// json.dumps with its default separators and ensure_ascii, keys in stored order: how MLflow's
// Schema.to_json writes a signature's inputs and outputs.
std::string PythonJsonDumps(const Value& v) {
  core::JsonWriteOptions options;
  options.item_separator = ", ";
  options.key_separator = ": ";
  options.ensure_ascii = true;
  return core::ToJson(v, options);
}

Value SignatureValue(const std::vector<std::string>& feature_names) {
  Value inputs = Value::Sequence();
  for (const std::string& name : feature_names) {
    Value col = Value::Mapping();
    col.AppendMember("type", Value::String("double"));
    col.AppendMember("name", Value::String(name));
    col.AppendMember("required", Value::Bool(true));
    inputs.Append(std::move(col));
  }
  Value spec = Value::Mapping();
  spec.AppendMember("dtype", Value::String("float32"));
  spec.AppendMember("shape", Value::Sequence());
  spec.Find("shape")->Append(Value::Int(-1));
  Value tensor = Value::Mapping();
  tensor.AppendMember("type", Value::String("tensor"));
  tensor.AppendMember("tensor-spec", std::move(spec));
  Value outputs = Value::Sequence();
  outputs.Append(std::move(tensor));

  Value signature = Value::Mapping();
  signature.AppendMember("inputs", Value::String(PythonJsonDumps(inputs)));
  signature.AppendMember("outputs", Value::String(PythonJsonDumps(outputs)));
  signature.AppendMember("params", Value::Null());
  return signature;
}

std::vector<std::string> Requirements() {
  return {fmt::format("mlflow=={}", kMlflowVersion), fmt::format("xgboost=={}", XgboostVersion())};
}

Value StringList(const std::vector<std::string>& items) {
  Value list = Value::Sequence();
  for (const std::string& item : items) list.Append(Value::String(item));
  return list;
}

// conda.yaml as MLflow's _mlflow_conda_env writes it (PyYAML safe_dump, keys sorted).
std::string CondaYaml() {
  Value pip = Value::Mapping();
  pip.AppendMember("pip", StringList(Requirements()));
  Value deps = Value::Sequence();
  deps.Append(Value::String(fmt::format("python={}", kPythonVersion)));
  deps.Append(Value::String(fmt::format("pip<={}", kPipVersion)));
  deps.Append(std::move(pip));
  Value root = Value::Mapping();
  root.AppendMember("name", Value::String("mlflow-env"));
  root.AppendMember("channels", StringList({"conda-forge"}));
  root.AppendMember("dependencies", std::move(deps));
  return core::EmitYaml(root, core::YamlEmitOptions::PyYamlSafeDump());
}

// python_env.yaml as MLflow's _PythonEnv.to_yaml writes it (safe_dump, sort_keys=False).
std::string PythonEnvYaml() {
  Value root = Value::Mapping();
  root.AppendMember("python", Value::String(std::string(kPythonVersion)));
  root.AppendMember("build_dependencies",
                    StringList({fmt::format("pip=={}", kPipVersion),
                                fmt::format("setuptools=={}", kSetuptoolsVersion),
                                fmt::format("wheel=={}", kWheelVersion)}));
  root.AppendMember("dependencies", StringList({"-r requirements.txt"}));
  core::YamlEmitOptions options = core::YamlEmitOptions::PyYamlSafeDump();
  options.sort_keys = false;
  return core::EmitYaml(root, options);
}

// requirements.txt: the requirements joined by line breaks, none after the last (MLflow's
// write_to("\n".join(...))).
std::string RequirementsTxt() { return core::Join(Requirements(), "\n"); }

// Removes a directory tree when destroyed, unless released.
class RemoveOnFailure {
 public:
  RemoveOnFailure(sys::Env& env, std::string path) : env_(env), path_(std::move(path)) {}
  ~RemoveOnFailure() {
    if (!path_.empty()) (void)env_.RemoveAll(path_);
  }
  void Release() { path_.clear(); }

 private:
  sys::Env& env_;
  std::string path_;
};

std::string FlavorNames(const Value& flavors) {
  std::vector<std::string_view> names;
  for (const core::Member& m : flavors.members()) names.push_back(m.key);
  return names.empty() ? "none" : core::Join(names, ", ");
}

}  // namespace

std::string MlModelYaml(const ModelInfo& info) {
  std::string data(kModelFile);
  Value env = Value::Mapping();
  env.AppendMember("conda", Value::String(std::string(kCondaFile)));
  env.AppendMember("virtualenv", Value::String(std::string(kPythonEnvFile)));
  Value pyfunc = Value::Mapping();
  pyfunc.AppendMember("loader_module", Value::String("mlflow.xgboost"));
  pyfunc.AppendMember("python_version", Value::String(std::string(kPythonVersion)));
  pyfunc.AppendMember("data", Value::String(data));
  pyfunc.AppendMember("env", std::move(env));
  Value xgboost = Value::Mapping();
  xgboost.AppendMember("xgb_version", Value::String(XgboostVersion()));
  xgboost.AppendMember("data", Value::String(data));
  xgboost.AppendMember("model_class", Value::String("xgboost.core.Booster"));
  xgboost.AppendMember("model_format", Value::String("json"));
  xgboost.AppendMember("code", Value::Null());
  Value flavors = Value::Mapping();
  flavors.AppendMember("python_function", std::move(pyfunc));
  flavors.AppendMember("xgboost", std::move(xgboost));

  Value root = Value::Mapping();
  if (!info.run_id.empty()) root.AppendMember("run_id", Value::String(info.run_id));
  if (!info.artifact_path.empty()) {
    root.AppendMember("artifact_path", Value::String(info.artifact_path));
  }
  root.AppendMember("utc_time_created",
                    Value::String(info.utc_time_created.empty() ? UtcTimeString(SystemNowMicros())
                                                                : info.utc_time_created));
  root.AppendMember("flavors", std::move(flavors));
  if (!info.feature_names.empty()) {
    root.AppendMember("signature", SignatureValue(info.feature_names));
  }
  root.AppendMember("model_uuid",
                    Value::String(info.model_uuid.empty() ? NewUuidHex() : info.model_uuid));
  root.AppendMember("mlflow_version", Value::String(std::string(kMlflowVersion)));
  if (info.model_size_bytes > 0) {
    root.AppendMember("model_size_bytes", Value::Int(info.model_size_bytes));
  }
  return core::EmitYaml(root, core::YamlEmitOptions::PyYamlSafeDump());
}

Status WriteModelDirectory(sys::Env& env, const Model& model, const ModelInfo& info,
                           std::string_view dir_arg) {
  std::string dir(dir_arg);
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string base(core::Basename(dir));
  if (base.empty() || base == "." || base == "..") {
    return Status::InvalidArgument(
        fmt::format("'{}' cannot be a model directory: expected a path ending in a name", dir_arg));
  }
  std::string parent(core::Dirname(dir));
  if (!parent.empty()) {
    CAIRN_RETURN_IF_ERROR(env.CreateDirs(parent).WithContext(
        fmt::format("creating the parent of model directory '{}'", dir)));
  }
  auto existing = env.LStat(dir);
  if (existing.ok() && !existing->is_directory()) {
    return Status::AlreadyExists(fmt::format(
        "cannot write a model directory at '{}': it exists and is not a directory", dir));
  }

  // Fill a hidden sibling, then rename it into place.
  std::string suffix = RandomHex(6);
  std::string temp = core::JoinPath(parent, "." + base + ".tmp-" + suffix);
  CAIRN_RETURN_IF_ERROR(
      env.CreateDirs(temp).WithContext(fmt::format("writing model directory '{}'", dir)));
  RemoveOnFailure cleanup(env, temp);

  std::string model_path = core::JoinPath(temp, kModelFile);
  CAIRN_RETURN_IF_ERROR(model.Save(model_path));
  ModelInfo complete = info;
  if (complete.feature_names.empty()) complete.feature_names = model.feature_names();
  if (complete.model_uuid.empty()) complete.model_uuid = NewUuidHex();
  if (complete.utc_time_created.empty()) complete.utc_time_created = UtcTimeString(env.NowMicros());
  if (complete.model_size_bytes <= 0) {
    CAIRN_ASSIGN_OR_RETURN(sys::FileInfo saved, env.Stat(model_path));
    complete.model_size_bytes = static_cast<int64_t>(saved.size);
  }
  const std::pair<std::string_view, std::string> files[] = {
      {kMlModelFile, MlModelYaml(complete)},
      {kCondaFile, CondaYaml()},
      {kPythonEnvFile, PythonEnvYaml()},
      {kRequirementsFile, RequirementsTxt()},
  };
  for (const auto& [name, text] : files) {
    CAIRN_RETURN_IF_ERROR(env.WriteFile(core::JoinPath(temp, name), text)
                              .WithContext(fmt::format("writing model directory '{}'", dir)));
  }

  if (existing.ok()) {
    // Replace the old directory: move it aside, move the new one in, then delete the old one.
    std::string old = core::JoinPath(parent, "." + base + ".old-" + suffix);
    CAIRN_RETURN_IF_ERROR(
        env.Rename(dir, old).WithContext(fmt::format("replacing model directory '{}'", dir)));
    Status moved = env.Rename(temp, dir);
    if (!moved.ok()) {
      (void)env.Rename(old, dir);
      return moved.WithContext(fmt::format("replacing model directory '{}'", dir));
    }
    cleanup.Release();
    return env.RemoveAll(old).WithContext(
        fmt::format("removing the replaced model directory (now '{}')", old));
  }
  CAIRN_RETURN_IF_ERROR(
      env.Rename(temp, dir).WithContext(fmt::format("writing model directory '{}'", dir)));
  cleanup.Release();
  return Status::Ok();
}

Result<Model> LoadModelDirectory(sys::Env& env, std::string_view dir) {
  std::string mlmodel_path = core::JoinPath(dir, kMlModelFile);
  auto text = env.ReadFile(mlmodel_path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound(
          fmt::format("{} is not an MLflow model directory (no MLmodel file)", dir));
    }
    return text.status().WithContext(fmt::format("reading '{}'", mlmodel_path));
  }
  CAIRN_ASSIGN_OR_RETURN(Value root, core::ParseYaml(*text, mlmodel_path));
  if (!root.is_mapping()) {
    return root.Error(fmt::format("expected the MLmodel mapping (flavors, ...), got {}",
                                  core::KindPhrase(root.kind())));
  }
  const Value* flavors = root.Find("flavors");
  if (flavors == nullptr) {
    return Status::InvalidArgument(fmt::format(
        "{}: no 'flavors': expected a mapping of flavors (xgboost, ...)", mlmodel_path));
  }
  if (!flavors->is_mapping()) {
    return flavors->Error(
        fmt::format("flavors: expected a mapping of flavors (xgboost, ...), got {}",
                    core::KindPhrase(flavors->kind())));
  }
  const Value* xgboost = flavors->Find("xgboost");
  if (xgboost == nullptr) {
    return Status::InvalidArgument(fmt::format(
        "{}: the model has no xgboost flavor (its flavors: {}); cairn loads XGBoost models only",
        mlmodel_path, FlavorNames(*flavors)));
  }
  const Value* data = xgboost->is_mapping() ? xgboost->Find("data") : nullptr;
  if (data == nullptr || !data->is_string() || data->AsString().empty()) {
    const Value& at = data != nullptr ? *data : *xgboost;
    return at.Error("flavors.xgboost.data: expected the name of the model file (model.json)");
  }
  const std::string& file = data->AsString();
  std::string normal = core::NormalizePath(file);
  if (core::IsAbsolutePath(file) || normal == ".." || normal.rfind("../", 0) == 0) {
    return data->Error(fmt::format(
        "flavors.xgboost.data: expected a file inside the model directory, got '{}'", file));
  }
  return Model::Load(core::JoinPath(dir, normal));
}

Result<Model> LoadModelPath(sys::Env& env, std::string_view path) {
  auto info = env.Stat(path);
  if (!info.ok()) {
    if (info.status().IsNotFound()) {
      return Status::NotFound(fmt::format("no model at '{}': no such file or directory", path));
    }
    return info.status().WithContext(fmt::format("loading the model at '{}'", path));
  }
  if (info->is_directory()) return LoadModelDirectory(env, path);
  if (core::Basename(path) == kMlModelFile) {
    std::string dir(core::Dirname(path));
    return LoadModelDirectory(env, dir.empty() ? "." : dir);
  }
  return Model::Load(path);
}

}  // namespace cairn::ml
