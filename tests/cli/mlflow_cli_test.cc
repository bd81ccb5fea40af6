// `cairn track` and `cairn model` run as a user would, against a sqlite:/// database in a temp
// directory: round trips through the store, --json parsed and checked, URIs from flags and
// MLflow's environment variables, and the errors users meet.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <string>

#include "core/json.h"
#include "core/strings.h"
#include "net/server.h"
#include "server/server.h"
#include "testing/paths.h"
#include "testing/shell.h"
#include "testing/values.h"

namespace cairn {
namespace {

struct CmdResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

class MlflowCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "cairn-mlflow-cli-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_EQ(std::system(("rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "'").c_str()), 0);
    uri_ = "sqlite:///" + dir_ + "/mlflow.db";  // an absolute path: four slashes
  }

  // Runs `cairn <args>` in the temp dir with MLflow's variables cleared, then `env` set.
  CmdResult Run(const std::string& args, const std::string& env = "") {
    std::string cmd = "cd '" + dir_ +
                      "' && env -u MLFLOW_TRACKING_URI -u MLFLOW_REGISTRY_URI "
                      "-u MLFLOW_TRACKING_TOKEN -u MLFLOW_TRACKING_USERNAME " +
                      env + " " + testing::BinaryDir() + "/src/cli/cairn " + args + " 2>&1";
    testing::ShellResult r = testing::Shell(cmd);
    return {r.exit_code, std::move(r.output)};
  }
  // `cairn <args> --tracking-uri <the temp db>`, expected to succeed.
  std::string Ok(const std::string& args) {
    CmdResult r = Run(args + " --tracking-uri " + uri_);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
    return r.output;
  }
  core::Value Json(const std::string& args) {
    std::string out = Ok(args + " --json");
    core::Result<core::Value> v = core::ParseJson(out, args);
    EXPECT_TRUE(v.ok()) << v.status().ToString() << "\n" << out;
    return v.ok() ? *v : core::Value::Mapping();
  }
  // The run id `track runs create` printed.
  std::string CreateRun(const std::string& experiment_id, const std::string& name) {
    core::Value run =
        Json("track runs create --experiment-id " + experiment_id + " --run-name " + name);
    const core::Value* id =
        run.Find("run") ? run.Find("run")->Find("info")->Find("run_id") : nullptr;
    EXPECT_NE(id, nullptr);
    return id ? id->AsString() : "";
  }

  std::string dir_;
  std::string uri_;
};

using testing::At;

TEST_F(MlflowCliTest, ExperimentsCreateListGetDelete) {
  EXPECT_EQ(Ok("track experiments create churn"), "Created experiment 'churn' with id 1\n");
  core::Value created = Json("track experiments create other --artifact-location /tmp/arts");
  EXPECT_EQ(At(created, {"experiment_id"}).AsString(), "2");

  core::Value list = Json("track experiments list");
  std::vector<std::string> names;
  for (const core::Value& e : At(list, {"experiments"}).items()) {
    names.push_back(At(e, {"name"}).AsString());
    EXPECT_EQ(At(e, {"lifecycle_stage"}).AsString(), "active");
    EXPECT_TRUE(At(e, {"creation_time"}).IsInteger()) << "int64 as a JSON number";
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Default", "churn", "other"}));
  std::string table = Ok("track experiments list");
  EXPECT_NE(table.find("experiment_id"), std::string::npos) << table;
  EXPECT_NE(table.find("churn"), std::string::npos) << table;

  // By name and by id.
  EXPECT_EQ(At(Json("track experiments get churn"), {"experiment", "experiment_id"}).AsString(),
            "1");
  core::Value by_id = Json("track experiments get 2");
  EXPECT_EQ(At(by_id, {"experiment", "name"}).AsString(), "other");
  EXPECT_EQ(At(by_id, {"experiment", "artifact_location"}).AsString(), "/tmp/arts");
  EXPECT_NE(Ok("track experiments get churn").find("name: churn\n"), std::string::npos);

  EXPECT_EQ(Ok("track experiments delete 2"), "Deleted experiment 2\n");
  list = Json("track experiments list --view deleted_only");
  ASSERT_EQ(At(list, {"experiments"}).size(), 1u);
  EXPECT_EQ(At(At(list, {"experiments"}).items()[0], {"lifecycle_stage"}).AsString(), "deleted");

  CmdResult missing = Run("track experiments get nope --tracking-uri " + uri_);
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_EQ(missing.output, "cairn: error: no experiment with id or name 'nope'\n");
  CmdResult taken = Run("track experiments create churn --tracking-uri " + uri_);
  EXPECT_NE(taken.exit_code, 0);
  EXPECT_EQ(taken.output.rfind("cairn: error: ", 0), 0u) << taken.output;
}

TEST_F(MlflowCliTest, RunsLogGetAndSearch) {
  Ok("track experiments create exp");
  std::string run = CreateRun("1", "first");
  ASSERT_EQ(run.size(), 32u);
  std::string other = CreateRun("1", "second");
  EXPECT_EQ(Ok("track log-metric " + run + " acc 0.5 --step 1"), "");
  Ok("track log-metric " + run + " acc 0.9 --step 2 --timestamp 1700000000000");
  Ok("track log-metric " + other + " acc 0.7");
  Ok("track log-metric " + other + " loss nan");
  Ok("track log-param " + run + " lr 0.1");
  Ok("track set-tag " + run + " team vision");
  EXPECT_EQ(Ok("track runs end " + run), "Run " + run + " is FINISHED\n");

  core::Value got = Json("track runs get " + run);
  EXPECT_EQ(At(got, {"run", "info", "run_name"}).AsString(), "first");
  EXPECT_EQ(At(got, {"run", "info", "status"}).AsString(), "FINISHED");
  EXPECT_TRUE(At(got, {"run", "info", "end_time"}).IsInteger());
  const core::Value& metrics = At(got, {"run", "data", "metrics"});
  ASSERT_EQ(metrics.size(), 1u) << "the latest value per key";
  EXPECT_EQ(At(metrics.items()[0], {"value"}).AsDouble(), 0.9);
  EXPECT_EQ(At(metrics.items()[0], {"step"}).AsInt64(), 2);
  EXPECT_EQ(At(metrics.items()[0], {"timestamp"}).AsInt64(), 1700000000000);
  EXPECT_EQ(At(At(got, {"run", "data", "params"}).items()[0], {"value"}).AsString(), "0.1");
  bool has_team = false;
  for (const core::Value& t : At(got, {"run", "data", "tags"}).items()) {
    has_team |= At(t, {"key"}).AsString() == "team" && At(t, {"value"}).AsString() == "vision";
  }
  EXPECT_TRUE(has_team);
  std::string text = Ok("track runs get " + run);
  EXPECT_NE(text.find("  acc: 0.9 (step 2)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  lr: 0.1\n"), std::string::npos) << text;

  // A NaN metric comes back as MLflow writes it.
  core::Value nan_run = Json("track runs get " + other);
  for (const core::Value& m : At(nan_run, {"run", "data", "metrics"}).items()) {
    if (At(m, {"key"}).AsString() == "loss") {
      EXPECT_EQ(At(m, {"value"}).AsString(), "NaN");
    }
  }

  core::Value found =
      Json("track runs search --experiment-id 1 --filter \"metrics.acc > 0.8\" --max-results 5");
  ASSERT_EQ(At(found, {"runs"}).size(), 1u);
  EXPECT_EQ(At(At(found, {"runs"}).items()[0], {"info", "run_id"}).AsString(), run);
  core::Value ordered =
      Json("track runs search --experiment-id 1 --order-by \"metrics.acc ASC\" --max-results 1");
  ASSERT_EQ(At(ordered, {"runs"}).size(), 1u);
  EXPECT_EQ(At(At(ordered, {"runs"}).items()[0], {"info", "run_id"}).AsString(), other);
  EXPECT_TRUE(At(ordered, {"next_page_token"}).is_string()) << "a second page exists";
  core::Value none = Json("track runs search --experiment-id 1 --filter \"params.lr = '0.2'\"");
  EXPECT_EQ(At(none, {"runs"}).size(), 0u);

  std::string table = Ok("track runs list --experiment-id 1");
  EXPECT_NE(table.find("metrics.acc"), std::string::npos) << table;
  EXPECT_NE(table.find("params.lr"), std::string::npos) << table;
  EXPECT_NE(table.find(run), std::string::npos) << table;
  EXPECT_NE(table.find(other), std::string::npos) << table;
}

TEST_F(MlflowCliTest, BadInputExitsNonZeroWithTheMessage) {
  Ok("track experiments create exp");
  std::string run = CreateRun("1", "r");
  CmdResult bad_filter = Run(
      "track runs search --experiment-id 1 --filter \"metrics.acc >>> 1\" --tracking-uri " + uri_);
  EXPECT_EQ(bad_filter.exit_code, 2) << bad_filter.output;
  EXPECT_EQ(bad_filter.output.rfind("cairn: error: ", 0), 0u) << bad_filter.output;
  EXPECT_NE(bad_filter.output.find("filter"), std::string::npos) << bad_filter.output;

  CmdResult bad_value = Run("track log-metric " + run + " acc abc --tracking-uri " + uri_);
  EXPECT_EQ(bad_value.exit_code, 2);
  EXPECT_EQ(bad_value.output, "cairn: error: VALUE: 'abc' is not a number\n");

  CmdResult changed = Run("track log-param " + run + " lr 1 --tracking-uri " + uri_);
  EXPECT_EQ(changed.exit_code, 0) << changed.output;
  changed = Run("track log-param " + run + " lr 2 --tracking-uri " + uri_);
  EXPECT_EQ(changed.exit_code, 2) << "params never change: " << changed.output;

  CmdResult unknown = Run("track runs get 0123456789abcdef0123456789abcdef --tracking-uri " + uri_);
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("0123456789abcdef0123456789abcdef"), std::string::npos)
      << unknown.output;

  CmdResult view = Run("track experiments list --view sideways --tracking-uri " + uri_);
  EXPECT_EQ(view.exit_code, 2);
  EXPECT_NE(view.output.find("--view: 'sideways' is not a view"), std::string::npos);
}

TEST_F(MlflowCliTest, APlainPathIsMlflowsFileStoreAndRefused) {
  CmdResult r = Run("track experiments list --tracking-uri ./mlruns");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.output.rfind("cairn: error: ", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("sqlite:///"), std::string::npos) << "suggests a database: " << r.output;
  r = Run("track experiments list", "MLFLOW_TRACKING_URI=mlruns");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("sqlite:///"), std::string::npos) << r.output;
}

TEST_F(MlflowCliTest, UrisComeFromTheEnvironmentWithSqliteMlflowDbByDefault) {
  // No flag, no variable: ./mlflow.db, as `cairn server` (and MLflow 3) default to.
  CmdResult r = Run("track experiments create here");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(std::system(("test -f '" + dir_ + "/mlflow.db'").c_str()), 0);
  EXPECT_NE(Ok("track experiments list").find("here"), std::string::npos);

  // MLFLOW_TRACKING_URI, and MLFLOW_REGISTRY_URI for the registry only.
  std::string other = "sqlite:///" + dir_ + "/other.db";
  std::string registry = "sqlite:///" + dir_ + "/registry.db";
  r = Run("track experiments create there", "MLFLOW_TRACKING_URI=" + other);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run("track experiments list", "MLFLOW_TRACKING_URI=" + other);
  EXPECT_NE(r.output.find("there"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("here\n"), std::string::npos) << r.output;
  r = Run("model create m", "MLFLOW_TRACKING_URI=" + other + " MLFLOW_REGISTRY_URI=" + registry);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Run("model list --json", "MLFLOW_TRACKING_URI=" + other);
  EXPECT_EQ(r.output, "{}\n") << "the model went to the registry database";
  r = Run("model list --json --registry-uri " + registry);
  EXPECT_NE(r.output.find("\"name\": \"m\""), std::string::npos) << r.output;
}

TEST_F(MlflowCliTest, ModelRegisterTransitionAliasDelete) {
  Ok("track experiments create exp");
  std::string run = CreateRun("1", "r");
  EXPECT_EQ(Ok("model create churn --description \"churn model\""),
            "Created registered model 'churn'\n");
  EXPECT_EQ(Ok("model register churn runs:/" + run + "/model --run-id " + run),
            "Registered version 1 of 'churn' (source runs:/" + run + "/model)\n");
  // register creates the model when needed.
  EXPECT_EQ(Ok("model register fraud runs:/" + run + "/m2"),
            "Created registered model 'fraud'\nRegistered version 1 of 'fraud' (source runs:/" +
                run + "/m2)\n");
  core::Value v2 = Json("model register churn runs:/" + run + "/model2");
  EXPECT_EQ(At(v2, {"model_version", "version"}).AsString(), "2") << "a string, as MLflow's";

  core::Value v1 = Json("model get churn 1");
  EXPECT_EQ(At(v1, {"model_version", "source"}).AsString(), "runs:/" + run + "/model")
      << "stored verbatim";
  EXPECT_EQ(At(v1, {"model_version", "run_id"}).AsString(), run);
  EXPECT_EQ(At(v1, {"model_version", "current_stage"}).AsString(), "None");
  EXPECT_EQ(At(v1, {"model_version", "status"}).AsString(), "READY");

  EXPECT_EQ(Ok("model transition churn 1 production"),
            "Version 1 of 'churn' is now in stage Production\n");
  core::Value moved = Json("model transition churn 2 Production --archive-existing");
  EXPECT_EQ(At(moved, {"model_version", "current_stage"}).AsString(), "Production");
  EXPECT_EQ(At(Json("model get churn 1"), {"model_version", "current_stage"}).AsString(),
            "Archived");
  CmdResult bad_stage = Run("model transition churn 1 Prod --tracking-uri " + uri_);
  EXPECT_EQ(bad_stage.exit_code, 2) << bad_stage.output;

  EXPECT_EQ(Ok("model alias churn champion 1"),
            "Alias 'champion' of 'churn' points at version 1\n");
  EXPECT_EQ(Ok("model alias churn champion"), "1\n");
  core::Value model = Json("model get churn");
  EXPECT_EQ(At(model, {"registered_model", "description"}).AsString(), "churn model");
  ASSERT_EQ(At(model, {"registered_model", "aliases"}).size(), 1u);
  EXPECT_EQ(At(At(model, {"registered_model", "aliases"}).items()[0], {"version"}).AsString(), "1");
  std::string text = Ok("model get churn");
  EXPECT_NE(text.find("aliases: champion=1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Production"), std::string::npos) << text;

  core::Value list = Json("model list --filter \"name LIKE 'ch%'\"");
  ASSERT_EQ(At(list, {"registered_models"}).size(), 1u);
  EXPECT_EQ(At(At(list, {"registered_models"}).items()[0], {"name"}).AsString(), "churn");
  EXPECT_NE(Ok("model list").find("fraud"), std::string::npos);

  EXPECT_EQ(Ok("model alias churn champion --delete"), "Deleted alias 'champion' of 'churn'\n");
  CmdResult gone = Run("model alias churn champion --tracking-uri " + uri_);
  EXPECT_EQ(gone.exit_code, 1) << gone.output;
  CmdResult both = Run("model alias churn champion 1 --delete --tracking-uri " + uri_);
  EXPECT_EQ(both.exit_code, 2) << both.output;

  EXPECT_EQ(Ok("model delete churn 1"), "Deleted version 1 of 'churn'\n");
  CmdResult missing = Run("model get churn 1 --tracking-uri " + uri_);
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_EQ(Ok("model delete churn"), "Deleted registered model 'churn' and its versions\n");
  missing = Run("model get churn --tracking-uri " + uri_);
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
}

// The same commands against a `cairn server` (started in this process) over HTTP, with the
// server asking for basic auth: credentials come from MLflow's variables and never show.
TEST_F(MlflowCliTest, OverHttpWithCredentialsFromTheEnvironment) {
  std::string htpasswd = dir_ + "/htpasswd";
  ASSERT_TRUE(net::HtpasswdSetUser(htpasswd, "alice", "s3cret-pw", 4).ok());
  server::ServerConfig config;
  config.backend_store_uri = "sqlite:///" + dir_ + "/server.db";
  config.artifacts_destination = dir_ + "/mlartifacts";
  config.port = 0;
  config.workers = 2;
  config.auth_file = htpasswd;
  core::Result<std::unique_ptr<server::Server>> started = server::StartServer(config);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  std::unique_ptr<server::Server> running = std::move(*started);
  std::string url = "http://127.0.0.1:" + std::to_string(running->port());
  std::string env = "MLFLOW_TRACKING_URI=" + url +
                    " MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=s3cret-pw";
  auto ok = [&](const std::string& args) {
    CmdResult r = Run(args, env);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.output;
    return r.output;
  };

  EXPECT_EQ(ok("track experiments create remote"), "Created experiment 'remote' with id 1\n");
  core::Result<core::Value> run =
      core::ParseJson(ok("track runs create --experiment-id 1 --json"), "run");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  std::string run_id = At(*run, {"run", "info", "run_id"}).AsString();
  ASSERT_EQ(run_id.size(), 32u);
  ok("track log-metric " + run_id + " rmse 0.25 --step 4");
  ok("track log-param " + run_id + " depth 6");
  core::Result<core::Value> got =
      core::ParseJson(ok("track runs get " + run_id + " --json"), "get");
  ASSERT_TRUE(got.ok());
  const core::Value& metric = At(*got, {"run", "data", "metrics"}).items().at(0);
  EXPECT_EQ(At(metric, {"key"}).AsString(), "rmse");
  EXPECT_EQ(At(metric, {"value"}).AsDouble(), 0.25);
  EXPECT_EQ(At(metric, {"step"}).AsInt64(), 4);
  EXPECT_EQ(At(*got, {"run", "info", "artifact_uri"}).AsString(),
            "mlflow-artifacts:/1/" + run_id + "/artifacts");
  core::Result<core::Value> found = core::ParseJson(
      ok("track runs search --experiment-id 1 --filter \"params.depth = '6'\" --json"), "search");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(At(*found, {"runs"}).size(), 1u);

  // The registry follows the tracking URI.
  ok("model register remote-model runs:/" + run_id + "/model --run-id " + run_id);
  EXPECT_EQ(ok("model alias remote-model champion 1"),
            "Alias 'champion' of 'remote-model' points at version 1\n");
  core::Result<core::Value> version = core::ParseJson(ok("model get remote-model 1 --json"), "v");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(At(*version, {"model_version", "source"}).AsString(), "runs:/" + run_id + "/model");
  EXPECT_EQ(At(*version, {"model_version", "aliases"}).items().at(0).AsString(), "champion");

  // Server errors keep their message; a bad filter is the user's mistake (exit 2).
  CmdResult bad = Run("track runs search --experiment-id 1 --filter \"metrics.x >>> 1\"", env);
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("filter"), std::string::npos) << bad.output;

  // Wrong or no credentials: refused, and the password appears nowhere.
  CmdResult wrong = Run("track experiments list",
                        "MLFLOW_TRACKING_URI=" + url +
                            " MLFLOW_TRACKING_USERNAME=alice MLFLOW_TRACKING_PASSWORD=wrong-pw");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_EQ(wrong.output.rfind("cairn: error: ", 0), 0u) << wrong.output;
  EXPECT_EQ(wrong.output.find("wrong-pw"), std::string::npos) << wrong.output;
  CmdResult none = Run("track experiments list", "MLFLOW_TRACKING_URI=" + url);
  EXPECT_EQ(none.exit_code, 1) << none.output;
  CmdResult in_url = Run("track experiments list --tracking-uri http://alice:s3cret-pw@127.0.0.1:" +
                         std::to_string(running->port()));
  EXPECT_EQ(in_url.exit_code, 0) << "userinfo is basic auth: " << in_url.output;
  EXPECT_NE(in_url.output.find("remote"), std::string::npos) << in_url.output;

  running->Stop();
  running->Wait();
}

}  // namespace
}  // namespace cairn
