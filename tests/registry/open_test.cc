// OpenRegistryStore by URI, a file database surviving a reopen, the schema guard, and the
// registry's enum names.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "db/db.h"
#include "registry/registry.h"
#include "store_testing.h"
#include "sys/temp_dir.h"

namespace cairn::registry {
namespace {

using namespace ::cairn::registry::testing;  // NOLINT(google-build-using-namespace)

Result<std::unique_ptr<RegistryStore>> Open(const std::string& text) {
  CAIRN_ASSIGN_OR_RETURN(core::Uri uri, core::Uri::Parse(text));
  return OpenRegistryStore(uri, StoreOptions{});
}

TEST(RegistryEntitiesTest, StageNamesRoundTrip) {
  for (Stage stage : {Stage::kNone, Stage::kStaging, Stage::kProduction, Stage::kArchived}) {
    Result<Stage> parsed = ParseStage(StageName(stage));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, stage);
  }
  EXPECT_EQ(StageName(Stage::kProduction), "Production");
  EXPECT_EQ(ParseStage("pRoDuCtIoN").value_or(Stage::kNone), Stage::kProduction);
  EXPECT_EQ(ParseStage("none").value_or(Stage::kArchived), Stage::kNone);
  Result<Stage> bad = ParseStage("Prod");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), kInvalid);
  EXPECT_EQ(bad.status().message(),
            "Invalid Model Version stage: Prod. Value must be one of None, Staging, Production, "
            "Archived.");
  EXPECT_FALSE(ParseStage("").ok());
}

TEST(RegistryEntitiesTest, VersionStatusNames) {
  EXPECT_EQ(VersionStatusName(VersionStatus::kReady), "READY");
  EXPECT_EQ(VersionStatusName(VersionStatus::kPendingRegistration), "PENDING_REGISTRATION");
  EXPECT_EQ(VersionStatusName(VersionStatus::kFailedRegistration), "FAILED_REGISTRATION");
  EXPECT_EQ(ParseVersionStatus("FAILED_REGISTRATION").value_or(VersionStatus::kReady),
            VersionStatus::kFailedRegistration);
  EXPECT_CODE(ParseVersionStatus("ready"), kInvalid);
}

TEST(OpenRegistryStoreTest, RefusesWhatItCannotServe) {
  // http(s) opens the REST store (it connects on the first call:
  // tests/registry/rest_store_test.cc).
  EXPECT_OK(Open("http://localhost:5000"));
  EXPECT_OK(Open("https://mlflow.example.com"));
  EXPECT_ERROR(Open("file:///tmp/mlruns"), kInvalid, "sqlite:///");
  EXPECT_ERROR(Open("mlruns"), kInvalid, "'mlruns'");
  EXPECT_ERROR(Open("postgresql://u@h/db"), kInvalid, "sqlite:///");
  EXPECT_CODE(Open("sqlite://host/x.db"), kInvalid);
  EXPECT_CODE(Open("sqlite:///"), kInvalid);
}

TEST(OpenRegistryStoreTest, AFileDatabaseKeepsEverythingAcrossReopen) {
  ASSERT_OK_AND_ASSIGN(sys::TempDir dir, sys::TempDir::Create());
  // SQLAlchemy's absolute form: four slashes.
  const std::string uri = "sqlite:///" + dir.Path("mlflow.db");
  ASSERT_EQ(uri.substr(0, 11), "sqlite:////");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RegistryStore> store, Open(uri));
    ASSERT_OK(store->CreateRegisteredModel("m", {{"k", "v"}}, "desc"));
    ASSERT_OK(store->CreateModelVersion(VersionOf("m", "runs:/r/model", "r")));
    ASSERT_OK(store->CreateModelVersion(VersionOf("m")));
    ASSERT_OK(store->DeleteModelVersion("m", "2"));
    ASSERT_OK(store->SetAlias("m", "champion", "1"));
    ASSERT_OK(store->TransitionModelVersionStage("m", "1", "Production", false));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RegistryStore> store, Open(uri));
  ASSERT_OK_AND_ASSIGN(RegisteredModel model, store->GetRegisteredModel("m"));
  EXPECT_EQ(model.description, "desc");
  EXPECT_EQ(model.tags, (std::vector<Tag>{{"k", "v"}}));
  ASSERT_EQ(model.aliases.size(), 1u);
  ASSERT_OK_AND_ASSIGN(ModelVersion v1, store->GetModelVersionByAlias("m", "champion"));
  EXPECT_EQ(v1.source, "runs:/r/model");
  EXPECT_EQ(v1.current_stage, Stage::kProduction);
  // The counter survived too: version 2 stays used.
  ASSERT_OK_AND_ASSIGN(ModelVersion v3, store->CreateModelVersion(VersionOf("m")));
  EXPECT_EQ(v3.version, 3);
}

TEST(OpenRegistryStoreTest, ThreeSlashesAreRelativeToTheWorkingDirectory) {
  ASSERT_OK_AND_ASSIGN(sys::TempDir dir, sys::TempDir::Create());
  const std::filesystem::path before = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  {
    Result<std::unique_ptr<RegistryStore>> store = Open("sqlite:///sub.db");
    EXPECT_OK(store);
  }
  std::filesystem::current_path(before);
  EXPECT_TRUE(std::filesystem::exists(dir.Path("sub.db")));
}

TEST(OpenRegistryStoreTest, SharesAFileWithOtherComponents) {
  ASSERT_OK_AND_ASSIGN(sys::TempDir dir, sys::TempDir::Create());
  const std::string path = dir.Path("shared.db");
  {
    // Another component's tables and schema row are already there.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<db::Connection> conn, db::OpenSqlite(path));
    static constexpr db::Migration kOther[] = {
        {1, "CREATE TABLE experiments (id INTEGER PRIMARY KEY); CREATE TABLE tags (k TEXT)"}};
    ASSERT_OK(db::Migrate(*conn, "tracking", kOther));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RegistryStore> store, Open("sqlite:///" + path));
  EXPECT_OK(store->CreateRegisteredModel("m", {}, ""));
}

TEST(OpenRegistryStoreTest, RefusesANewerSchema) {
  ASSERT_OK_AND_ASSIGN(sys::TempDir dir, sys::TempDir::Create());
  const std::string path = dir.Path("new.db");
  { ASSERT_OK(Open("sqlite:///" + path)); }
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<db::Connection> conn, db::OpenSqlite(path));
    ASSERT_OK(conn->Exec("UPDATE cairn_schema SET version = 99 WHERE component = 'registry'"));
  }
  EXPECT_CODE(Open("sqlite:///" + path), core::Code::kInvalidState);
}

}  // namespace
}  // namespace cairn::registry
