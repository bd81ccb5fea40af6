#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/strings.h"
#include "core/yaml.h"
#include "ml/ml.h"
#include "sys/temp_dir.h"
#include "testing/mem_env.h"

namespace cairn::ml {
namespace {

std::vector<std::string> Names(sys::Env& env, const std::string& dir) {
  std::vector<std::string> names;
  auto entries = env.ListDir(dir);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  if (entries.ok()) {
    for (const auto& e : *entries) names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A small table whose label is x1 > 0.5, with a distractor column.
Table TinyTable() {
  Table t;
  t.columns = {"x1", "noise"};
  for (int i = 0; i < 40; ++i) {
    float x1 = static_cast<float>(i) / 40;
    t.features.push_back(x1);
    t.features.push_back(static_cast<float>((i * 7) % 5));
    t.labels.push_back(x1 > 0.5f ? 1.0f : 0.0f);
  }
  return t;
}

Model TinyModel() {
  TrainParams params;
  params.n_estimators = 5;
  params.max_depth = 2;
  params.validation_fraction = 0;
  params.threads = 1;
  auto trained = Train(TinyTable(), params);
  EXPECT_TRUE(trained.ok()) << trained.status().ToString();
  return std::move(trained->model);
}

TEST(ModelDirTest, MlModelIsWhatMlflowWrites) {
  ModelInfo info;
  info.run_id = "8f61417c580541cb84d88586a3a1a44a";
  info.model_uuid = "0badaf06aa254da9811188d6c060a176";
  info.utc_time_created = "2026-11-27 08:12:04.123456";
  info.feature_names = {"word_freq_make", "word_freq_address", "char_freq_;",
                        "capital_run_length_average", "caf\u00e9"};
  info.model_size_bytes = 35836;
  // PyYAML 6.0's safe_dump of the dict MLflow 2.19's Model.to_dict gives (checked with
  // /usr/bin/python3): keys sorted, the signature as json.dumps strings folded at 80 columns.
  const std::string v = XgboostVersion();
  EXPECT_EQ(MlModelYaml(info),
            "artifact_path: model\n"
            "flavors:\n"
            "  python_function:\n"
            "    data: model.json\n"
            "    env:\n"
            "      conda: conda.yaml\n"
            "      virtualenv: python_env.yaml\n"
            "    loader_module: mlflow.xgboost\n"
            "    python_version: 3.11.2\n"
            "  xgboost:\n"
            "    code: null\n"
            "    data: model.json\n"
            "    model_class: xgboost.core.Booster\n"
            "    model_format: json\n"
            "    xgb_version: " +
                v +
                "\n"
                "mlflow_version: 2.19.0\n"
                "model_size_bytes: 35836\n"
                "model_uuid: 0badaf06aa254da9811188d6c060a176\n"
                "run_id: 8f61417c580541cb84d88586a3a1a44a\n"
                "signature:\n"
                "  inputs: '[{\"type\": \"double\", \"name\": \"word_freq_make\", \"required\": "
                "true}, {\"type\":\n"
                "    \"double\", \"name\": \"word_freq_address\", \"required\": true}, {\"type\": "
                "\"double\", \"name\":\n"
                "    \"char_freq_;\", \"required\": true}, {\"type\": \"double\", \"name\": "
                "\"capital_run_length_average\",\n"
                "    \"required\": true}, {\"type\": \"double\", \"name\": \"caf\\u00e9\", "
                "\"required\": true}]'\n"
                "  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float32\", "
                "\"shape\": [-1]}}]'\n"
                "  params: null\n"
                "utc_time_created: '2026-11-27 08:12:04.123456'\n");
}

TEST(ModelDirTest, MlModelLeavesOutWhatIsUnknown) {
  ModelInfo info;
  info.artifact_path = "";
  auto root = core::ParseYaml(MlModelYaml(info), "MLmodel");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  for (const char* key : {"run_id", "artifact_path", "model_size_bytes", "signature"}) {
    EXPECT_EQ(root->Find(key), nullptr) << key;
  }
  // Generated: a uuid4 hex and the time as Python's str(datetime.utcnow()).
  const std::string& uuid = root->Find("model_uuid")->AsString();
  ASSERT_EQ(uuid.size(), 32u);
  EXPECT_TRUE(core::HexDecode(uuid).has_value());
  EXPECT_EQ(uuid[12], '4');
  EXPECT_NE(std::string("89ab").find(uuid[16]), std::string::npos);
  EXPECT_NE(MlModelYaml(info), MlModelYaml(info));  // a new uuid each time
  const std::string& time = root->Find("utc_time_created")->AsString();
  ASSERT_GE(time.size(), 19u);
  EXPECT_EQ(time[4], '-');
  EXPECT_EQ(time[10], ' ');
  EXPECT_EQ(time[13], ':');
}

TEST(ModelDirTest, WritesTheFiveFilesAndLoadsBack) {
  auto tmp = sys::TempDir::Create("cairn-model-dir-");
  ASSERT_TRUE(tmp.ok());
  auto env = sys::NewPosixEnv();
  Model model = TinyModel();
  Table table = TinyTable();
  auto expected = model.PredictProba(table);
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();

  std::string dir = tmp->Path("models/model");  // the parent is created
  ModelInfo info;
  info.run_id = "0123456789abcdef0123456789abcdef";
  ASSERT_TRUE(WriteModelDirectory(*env, model, info, dir).ok());
  EXPECT_EQ(Names(*env, tmp->Path("models")), std::vector<std::string>{"model"});
  EXPECT_EQ(Names(*env, dir), (std::vector<std::string>{"MLmodel", "conda.yaml", "model.json",
                                                        "python_env.yaml", "requirements.txt"}));

  auto mlmodel = core::ParseYaml(*env->ReadFile(dir + "/MLmodel"), "MLmodel");
  ASSERT_TRUE(mlmodel.ok());
  EXPECT_EQ(mlmodel->Find("run_id")->AsString(), info.run_id);
  EXPECT_EQ(mlmodel->Find("artifact_path")->AsString(), "model");
  EXPECT_EQ(mlmodel->Find("model_uuid")->AsString().size(), 32u);
  EXPECT_EQ(static_cast<uint64_t>(*mlmodel->Find("model_size_bytes")->AsInt64()),
            env->Stat(dir + "/model.json")->size);
  EXPECT_NE(mlmodel->Find("signature")
                ->Find("inputs")
                ->AsString()
                .find("{\"type\": \"double\", \"name\": \"noise\", \"required\": true}"),
            std::string::npos);  // the model's feature names
  const std::string v = XgboostVersion();
  EXPECT_EQ(*env->ReadFile(dir + "/requirements.txt"), "mlflow==2.19.0\nxgboost==" + v);
  EXPECT_EQ(*env->ReadFile(dir + "/conda.yaml"),
            "channels:\n- conda-forge\ndependencies:\n- python=3.11.2\n- pip<=23.0.1\n- pip:\n"
            "  - mlflow==2.19.0\n  - xgboost==" +
                v + "\nname: mlflow-env\n");
  EXPECT_EQ(*env->ReadFile(dir + "/python_env.yaml"),
            "python: 3.11.2\nbuild_dependencies:\n- pip==23.0.1\n- setuptools==66.1.1\n"
            "- wheel==0.38.4\ndependencies:\n- -r requirements.txt\n");

  for (const std::string& path : {dir, dir + "/", dir + "/MLmodel", dir + "/model.json"}) {
    auto loaded = LoadModelPath(*env, path);
    ASSERT_TRUE(loaded.ok()) << path << ": " << loaded.status().ToString();
    EXPECT_EQ(loaded->feature_names(), model.feature_names());
    auto got = loaded->PredictProba(table);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, *expected) << path;
  }
}

TEST(ModelDirTest, ReplacesAnOldDirectoryWhole) {
  auto tmp = sys::TempDir::Create("cairn-model-dir-");
  ASSERT_TRUE(tmp.ok());
  auto env = sys::NewPosixEnv();
  Model model = TinyModel();
  std::string dir = tmp->Path("model");
  ModelInfo info;
  info.run_id = "first";
  ASSERT_TRUE(WriteModelDirectory(*env, model, info, dir).ok());
  ASSERT_TRUE(env->WriteFile(dir + "/stale.txt", "from before").ok());
  info.run_id = "second";
  ASSERT_TRUE(WriteModelDirectory(*env, model, info, dir).ok());
  EXPECT_EQ(Names(*env, tmp->path()), std::vector<std::string>{"model"});  // no temp siblings
  EXPECT_FALSE(env->Exists(dir + "/stale.txt"));
  EXPECT_NE(env->ReadFile(dir + "/MLmodel")->find("run_id: second\n"), std::string::npos);

  ASSERT_TRUE(env->WriteFile(tmp->Path("file"), "x").ok());
  Status s = WriteModelDirectory(*env, model, info, tmp->Path("file"));
  EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
  EXPECT_EQ(*env->ReadFile(tmp->Path("file")), "x");
}

TEST(ModelDirTest, LoadErrorsSayWhatIsMissing) {
  testing::MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/m").ok());
  auto r = LoadModelDirectory(env, "/m");
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().message(), "/m is not an MLflow model directory (no MLmodel file)");

  ASSERT_TRUE(env.WriteFile("/m/MLmodel",
                            "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
                            "  sklearn:\n    pickled_model: model.pkl\n")
                  .ok());
  r = LoadModelPath(env, "/m");
  EXPECT_EQ(r.status().message(),
            "/m/MLmodel: the model has no xgboost flavor (its flavors: python_function, sklearn); "
            "cairn loads XGBoost models only");

  ASSERT_TRUE(
      env.WriteFile("/m/MLmodel", "flavors:\n  xgboost:\n    data: ../../etc/x.json\n").ok());
  EXPECT_EQ(LoadModelDirectory(env, "/m").status().message(),
            "/m/MLmodel:3:11: flavors.xgboost.data: expected a file inside the model directory, "
            "got '../../etc/x.json'");
  ASSERT_TRUE(env.WriteFile("/m/MLmodel", "flavors:\n  xgboost:\n    xgb_version: 1.7.4\n").ok());
  EXPECT_EQ(LoadModelDirectory(env, "/m").status().message(),
            "/m/MLmodel:3:5: flavors.xgboost.data: expected the name of the model file "
            "(model.json)");
  ASSERT_TRUE(env.WriteFile("/m/MLmodel", "- a\n").ok());
  EXPECT_EQ(LoadModelDirectory(env, "/m").status().message(),
            "/m/MLmodel:1:1: expected the MLmodel mapping (flavors, ...), got a sequence");

  r = LoadModelPath(env, "/nowhere/model");
  EXPECT_TRUE(r.status().IsNotFound());
  EXPECT_EQ(r.status().message(), "no model at '/nowhere/model': no such file or directory");
}

}  // namespace
}  // namespace cairn::ml
