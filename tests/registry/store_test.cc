// The RegistryStore contract (registry.h, MLflow's semantics), run against every backend: each
// entry of kBackends makes a fresh, empty store. A new backend joins with one line there.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "registry/registry.h"
#include "store_testing.h"
#include "sys/temp_dir.h"

namespace cairn::registry {
namespace {

using namespace ::cairn::registry::testing;  // NOLINT(google-build-using-namespace)

using StoreFactory = std::function<std::unique_ptr<RegistryStore>()>;

struct Backend {
  std::string name;
  StoreFactory make;
};

void PrintTo(const Backend& backend, std::ostream* out) { *out << backend.name; }

#ifdef CAIRN_REST_STORE_SUITE
}  // namespace

// rest_store_suites_test (tests/rest_store_suites.cmake): the suite over HTTP, each store a
// RestRegistryStore talking to a `cairn server` of its own (tests/server/rest_store_suites.cc).
namespace testing {
std::unique_ptr<RegistryStore> NewRestStoreForSuite();
}

namespace {

const std::vector<Backend>& Backends() {
  static const std::vector<Backend> kBackends = {{"Rest", testing::NewRestStoreForSuite}};
  return kBackends;
}

#else
// One directory for the whole binary; each store gets a file of its own in it.
const std::string& ScratchDir() {
  static sys::TempDir* dir = [] {
    Result<sys::TempDir> made = sys::TempDir::Create("cairn-registry-test-");
    if (!made.ok()) {
      ADD_FAILURE() << made.status().ToString();
      std::abort();
    }
    return new sys::TempDir(std::move(made).value());
  }();
  return dir->path();
}

std::unique_ptr<RegistryStore> OpenOrDie(const std::string& uri_text) {
  Result<core::Uri> uri = core::Uri::Parse(uri_text);
  if (!uri.ok()) {
    ADD_FAILURE() << uri.status().ToString();
    return nullptr;
  }
  Result<std::unique_ptr<RegistryStore>> store = OpenRegistryStore(*uri, StoreOptions{});
  if (!store.ok()) {
    ADD_FAILURE() << uri_text << ": " << store.status().ToString();
    return nullptr;
  }
  return std::move(store).value();
}

const std::vector<Backend>& Backends() {
  static const std::vector<Backend> kBackends = {
      {"SqliteFile",
       [] {
         static std::atomic<int> counter{0};
         return OpenOrDie("sqlite:///" + ScratchDir() + "/registry-" + std::to_string(counter++) +
                          ".db");
       }},
      {"SqliteMemory", [] { return OpenOrDie("sqlite://"); }},
  };
  return kBackends;
}
#endif

class RegistryStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_NE(store_, nullptr);
  }

  RegistryStore& store() { return *store_; }

  RegisteredModel Model(std::string_view name, std::vector<Tag> tags = {},
                        std::string_view description = "") {
    Result<RegisteredModel> model = store_->CreateRegisteredModel(name, tags, description);
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return model.ok() ? *model : RegisteredModel{};
  }

  ModelVersion Version(std::string_view name, std::string source = "s3://b/model",
                       std::string run_id = "") {
    Result<ModelVersion> version =
        store_->CreateModelVersion(VersionOf(std::string(name), std::move(source), run_id));
    EXPECT_TRUE(version.ok()) << version.status().ToString();
    return version.ok() ? *version : ModelVersion{};
  }

  std::vector<std::string> ModelNames(const SearchRequest& request) {
    Result<Page<RegisteredModel>> page = store_->SearchRegisteredModels(request);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> names;
    if (page.ok()) {
      for (const RegisteredModel& model : page->items) names.push_back(model.name);
    }
    return names;
  }

  std::vector<std::string> VersionKeys(const SearchRequest& request) {
    Result<Page<ModelVersion>> page = store_->SearchModelVersions(request);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> keys;
    if (page.ok()) {
      for (const ModelVersion& v : page->items) {
        keys.push_back(v.name + "/" + std::to_string(v.version));
      }
    }
    return keys;
  }

  std::unique_ptr<RegistryStore> store_;
};

SearchRequest Filter(std::string filter, std::vector<std::string> order_by = {}) {
  SearchRequest request;
  request.filter = std::move(filter);
  request.order_by = std::move(order_by);
  return request;
}

using Strings = std::vector<std::string>;

// ---- Registered models ----

TEST_P(RegistryStoreTest, CreateThenGetReturnsTheModel) {
  RegisteredModel created = Model("fraud", {{"team", "risk"}, {"tier", "1"}}, "detects fraud");
  EXPECT_EQ(created.name, "fraud");
  EXPECT_EQ(created.description, "detects fraud");
  EXPECT_GT(created.creation_timestamp, 1'600'000'000'000);
  EXPECT_EQ(created.last_updated_timestamp, created.creation_timestamp);
  EXPECT_EQ(created.tags, (std::vector<Tag>{{"team", "risk"}, {"tier", "1"}}));
  EXPECT_TRUE(created.latest_versions.empty());
  EXPECT_TRUE(created.aliases.empty());

  ASSERT_OK_AND_ASSIGN(RegisteredModel got, store().GetRegisteredModel("fraud"));
  EXPECT_EQ(got.name, "fraud");
  EXPECT_EQ(got.description, "detects fraud");
  EXPECT_EQ(got.creation_timestamp, created.creation_timestamp);
  EXPECT_EQ(got.tags, created.tags);
}

TEST_P(RegistryStoreTest, CreateRefusesATakenNameAndAnEmptyOne) {
  Model("m");
  EXPECT_ERROR(store().CreateRegisteredModel("m", {}, ""), kExists,
               "Registered Model (name=m) already exists.");
  EXPECT_ERROR(store().CreateRegisteredModel("", {}, ""), kInvalid,
               "Missing value for required parameter 'name'");
  // Names are case-sensitive.
  EXPECT_OK(store().CreateRegisteredModel("M", {}, ""));
}

TEST_P(RegistryStoreTest, CreateWithABadTagCreatesNothing) {
  EXPECT_CODE(store().CreateRegisteredModel("m", {{"ok", "1"}, {"a/../b", "2"}}, ""), kInvalid);
  EXPECT_CODE(store().GetRegisteredModel("m"), kNotFound);
}

TEST_P(RegistryStoreTest, GetOfAnUnknownModelIsNotFound) {
  EXPECT_ERROR(store().GetRegisteredModel("nope"), kNotFound,
               "Registered Model with name=nope not found");
  EXPECT_CODE(store().GetRegisteredModel(""), kInvalid);
}

TEST_P(RegistryStoreTest, UpdateChangesTheDescriptionAndTheUpdateTime) {
  RegisteredModel created = Model("m", {}, "old");
  Tick();
  ASSERT_OK_AND_ASSIGN(RegisteredModel updated, store().UpdateRegisteredModel("m", "new"));
  EXPECT_EQ(updated.description, "new");
  EXPECT_EQ(updated.creation_timestamp, created.creation_timestamp);
  EXPECT_GT(updated.last_updated_timestamp, created.last_updated_timestamp);
  ASSERT_OK_AND_ASSIGN(RegisteredModel got, store().GetRegisteredModel("m"));
  EXPECT_EQ(got.description, "new");
  EXPECT_CODE(store().UpdateRegisteredModel("nope", "x"), kNotFound);
}

TEST_P(RegistryStoreTest, RenameMovesVersionsTagsAndAliases) {
  Model("old", {{"team", "a"}});
  Version("old");
  Version("old");
  ASSERT_OK(store().SetModelVersionTag("old", "1", {"k", "v"}));
  ASSERT_OK(store().SetAlias("old", "champion", "2"));

  ASSERT_OK_AND_ASSIGN(RegisteredModel renamed, store().RenameRegisteredModel("old", "new"));
  EXPECT_EQ(renamed.name, "new");
  EXPECT_EQ(renamed.tags, (std::vector<Tag>{{"team", "a"}}));
  ASSERT_EQ(renamed.aliases.size(), 1u);
  EXPECT_EQ(renamed.aliases[0].alias, "champion");
  EXPECT_EQ(renamed.aliases[0].version, "2");
  ASSERT_EQ(renamed.latest_versions.size(), 1u);
  EXPECT_EQ(renamed.latest_versions[0].name, "new");
  EXPECT_EQ(renamed.latest_versions[0].version, 2);

  EXPECT_CODE(store().GetRegisteredModel("old"), kNotFound);
  EXPECT_CODE(store().GetModelVersion("old", "1"), kNotFound);
  ASSERT_OK_AND_ASSIGN(ModelVersion v1, store().GetModelVersion("new", "1"));
  EXPECT_EQ(v1.tags, (std::vector<Tag>{{"k", "v"}}));
  ASSERT_OK_AND_ASSIGN(ModelVersion champion, store().GetModelVersionByAlias("new", "champion"));
  EXPECT_EQ(champion.version, 2);
  // Numbering carries on under the new name.
  EXPECT_EQ(Version("new").version, 3);
}

TEST_P(RegistryStoreTest, RenameErrors) {
  Model("a");
  Model("b");
  EXPECT_ERROR(store().RenameRegisteredModel("a", "b"), kExists,
               "Registered Model (name=b) already exists.");
  EXPECT_OK(store().GetRegisteredModel("a"));
  EXPECT_CODE(store().RenameRegisteredModel("nope", "c"), kNotFound);
  EXPECT_ERROR(store().RenameRegisteredModel("a", ""), kInvalid, "'new_name'");
  // Renaming to the same name is harmless.
  EXPECT_OK(store().RenameRegisteredModel("a", "a"));
}

TEST_P(RegistryStoreTest, DeleteIsHardAndCascades) {
  Model("m", {{"t", "1"}});
  Version("m");
  Version("m");
  ASSERT_OK(store().SetModelVersionTag("m", "1", {"k", "v"}));
  ASSERT_OK(store().SetAlias("m", "champion", "1"));

  ASSERT_OK(store().DeleteRegisteredModel("m"));
  EXPECT_CODE(store().GetRegisteredModel("m"), kNotFound);
  EXPECT_CODE(store().GetModelVersion("m", "1"), kNotFound);
  EXPECT_CODE(store().GetModelVersionByAlias("m", "champion"), kNotFound);
  EXPECT_TRUE(VersionKeys(Filter("name = 'm'")).empty());
  EXPECT_CODE(store().DeleteRegisteredModel("m"), kNotFound);

  // A new model of that name starts afresh.
  RegisteredModel again = Model("m");
  EXPECT_TRUE(again.tags.empty());
  EXPECT_TRUE(again.aliases.empty());
  ModelVersion first = Version("m");
  EXPECT_EQ(first.version, 1);
  EXPECT_TRUE(first.tags.empty());
  EXPECT_TRUE(first.aliases.empty());
}

TEST_P(RegistryStoreTest, LatestVersionsPerStage) {
  Model("m");
  for (int i = 0; i < 5; ++i) Version("m");
  ASSERT_OK(store().TransitionModelVersionStage("m", "1", "Production", false));
  ASSERT_OK(store().TransitionModelVersionStage("m", "2", "Staging", false));
  ASSERT_OK(store().TransitionModelVersionStage("m", "3", "Production", false));
  ASSERT_OK(store().TransitionModelVersionStage("m", "4", "Archived", false));

  auto versions = [](const std::vector<ModelVersion>& list) {
    std::vector<std::pair<std::string, int64_t>> out;
    for (const ModelVersion& v : list) out.emplace_back(StageName(v.current_stage), v.version);
    std::sort(out.begin(), out.end());
    return out;
  };
  using Expected = std::vector<std::pair<std::string, int64_t>>;
  ASSERT_OK_AND_ASSIGN(RegisteredModel model, store().GetRegisteredModel("m"));
  EXPECT_EQ(versions(model.latest_versions),
            (Expected{{"Archived", 4}, {"None", 5}, {"Production", 3}, {"Staging", 2}}));
  ASSERT_OK_AND_ASSIGN(std::vector<ModelVersion> all, store().GetLatestVersions("m", {}));
  EXPECT_EQ(versions(all), versions(model.latest_versions));
  ASSERT_OK_AND_ASSIGN(std::vector<ModelVersion> prod,
                       store().GetLatestVersions("m", {"production"}));
  EXPECT_EQ(versions(prod), (Expected{{"Production", 3}}));
  ASSERT_OK_AND_ASSIGN(std::vector<ModelVersion> two,
                       store().GetLatestVersions("m", {"STAGING", "None"}));
  EXPECT_EQ(versions(two), (Expected{{"None", 5}, {"Staging", 2}}));

  EXPECT_ERROR(store().GetLatestVersions("m", {"Prod"}), kInvalid,
               "Invalid Model Version stage: Prod.");
  EXPECT_CODE(store().GetLatestVersions("nope", {}), kNotFound);
}

TEST_P(RegistryStoreTest, ModelTagsUpsertAndDelete) {
  Model("m");
  ASSERT_OK(store().SetRegisteredModelTag("m", {"k", "1"}));
  ASSERT_OK(store().SetRegisteredModelTag("m", {"k", "2"}));
  ASSERT_OK(store().SetRegisteredModelTag("m", {"a", ""}));
  ASSERT_OK_AND_ASSIGN(RegisteredModel model, store().GetRegisteredModel("m"));
  EXPECT_EQ(model.tags, (std::vector<Tag>{{"a", ""}, {"k", "2"}}));

  ASSERT_OK(store().DeleteRegisteredModelTag("m", "k"));
  ASSERT_OK(store().DeleteRegisteredModelTag("m", "never-set"));  // silently fine
  ASSERT_OK_AND_ASSIGN(model, store().GetRegisteredModel("m"));
  EXPECT_EQ(model.tags, (std::vector<Tag>{{"a", ""}}));

  EXPECT_CODE(store().SetRegisteredModelTag("nope", {"k", "v"}), kNotFound);
  EXPECT_CODE(store().DeleteRegisteredModelTag("nope", "k"), kNotFound);
}

TEST_P(RegistryStoreTest, TagKeyAndValueLimits) {
  Model("m");
  Version("m");
  const std::string key250(250, 'k');
  const std::string value100k(100'000, 'v');
  EXPECT_OK(store().SetRegisteredModelTag("m", {key250, value100k}));
  EXPECT_OK(store().SetModelVersionTag("m", "1", {key250, value100k}));
  EXPECT_ERROR(store().SetRegisteredModelTag("m", {key250 + "k", "v"}), kInvalid, "250");
  EXPECT_ERROR(store().SetRegisteredModelTag("m", {"k", value100k + "v"}), kInvalid, "100000");
  EXPECT_CODE(store().SetModelVersionTag("m", "1", {key250 + "k", "v"}), kInvalid);
  EXPECT_CODE(store().SetModelVersionTag("m", "1", {"k", value100k + "v"}), kInvalid);
  for (const char* bad : {"", "a*b", "a/../b", "/abs", "a//b", "./a", "a/", ".."}) {
    EXPECT_CODE(store().SetRegisteredModelTag("m", {bad, "v"}), kInvalid) << bad;
    EXPECT_CODE(store().SetModelVersionTag("m", "1", {bad, "v"}), kInvalid) << bad;
  }
  for (const char* good : {"mlflow.note.content", "a/b", "with space", "ns:key", "x-y_z.1"}) {
    EXPECT_OK(store().SetRegisteredModelTag("m", {good, "v"}));
  }
}

// ---- Versions ----

TEST_P(RegistryStoreTest, CreateVersionFillsEveryField) {
  Model("m");
  Tick();
  CreateModelVersionRequest request = VersionOf("m", "runs:/abc/model", "abc");
  request.tags = {{"b", "2"}, {"a", "1"}, {"a", "3"}};
  request.run_link = "http://x/run";
  request.description = "first";
  request.model_id = "m-123";
  ASSERT_OK_AND_ASSIGN(ModelVersion v, store().CreateModelVersion(request));
  EXPECT_EQ(v.name, "m");
  EXPECT_EQ(v.version, 1);
  EXPECT_EQ(v.current_stage, Stage::kNone);
  EXPECT_EQ(v.status, VersionStatus::kReady);
  EXPECT_EQ(v.source, "runs:/abc/model");
  EXPECT_EQ(v.run_id, "abc");
  EXPECT_EQ(v.run_link, "http://x/run");
  EXPECT_EQ(v.description, "first");
  EXPECT_EQ(v.model_id, "m-123");
  EXPECT_EQ(v.tags, (std::vector<Tag>{{"a", "3"}, {"b", "2"}}));  // the last of a key wins
  EXPECT_TRUE(v.aliases.empty());
  EXPECT_EQ(v.creation_timestamp, v.last_updated_timestamp);

  ASSERT_OK_AND_ASSIGN(ModelVersion got, store().GetModelVersion("m", "1"));
  EXPECT_EQ(got.source, v.source);
  EXPECT_EQ(got.tags, v.tags);
  EXPECT_EQ(got.creation_timestamp, v.creation_timestamp);
  // Registering a version updates the model.
  ASSERT_OK_AND_ASSIGN(RegisteredModel model, store().GetRegisteredModel("m"));
  EXPECT_EQ(model.last_updated_timestamp, v.creation_timestamp);
  EXPECT_GT(model.last_updated_timestamp, model.creation_timestamp);
}

TEST_P(RegistryStoreTest, CreateVersionErrors) {
  EXPECT_ERROR(store().CreateModelVersion(VersionOf("nope")), kNotFound,
               "Registered Model with name=nope not found");
  Model("m");
  EXPECT_CODE(store().CreateModelVersion(VersionOf("m", "")), kInvalid);
  EXPECT_CODE(store().CreateModelVersion(VersionOf("")), kInvalid);
  for (const char* bad : {"s3://b/../etc", "../model", "runs:/abc/../../x", "s3://b/%2E%2E/x",
                          "s3://b/%252e%252e/x", "mlflow-artifacts:/1/./x"}) {
    EXPECT_ERROR(store().CreateModelVersion(VersionOf("m", bad)), kInvalid,
                 "Invalid model version source")
        << bad;
  }
  CreateModelVersionRequest bad_tag = VersionOf("m");
  bad_tag.tags = {{"a*", "v"}};
  EXPECT_CODE(store().CreateModelVersion(bad_tag), kInvalid);
  // None of the failures used up a number.
  EXPECT_EQ(Version("m", "s3://b/a..b/model").version, 1);
}

TEST_P(RegistryStoreTest, VersionNumbersAreNeverReused) {
  Model("m");
  EXPECT_EQ(Version("m").version, 1);
  EXPECT_EQ(Version("m").version, 2);
  EXPECT_EQ(Version("m").version, 3);
  ASSERT_OK(store().DeleteModelVersion("m", "3"));
  EXPECT_EQ(Version("m").version, 4);
  for (const char* v : {"1", "2", "4"}) ASSERT_OK(store().DeleteModelVersion("m", v));
  EXPECT_EQ(Version("m").version, 5);
  // Versions of other models count on their own.
  Model("other");
  EXPECT_EQ(Version("other").version, 1);
}

TEST_P(RegistryStoreTest, UpdateVersionDescription) {
  Model("m");
  ModelVersion created = Version("m");
  Tick();
  ASSERT_OK_AND_ASSIGN(ModelVersion updated, store().UpdateModelVersion("m", "1", "better"));
  EXPECT_EQ(updated.description, "better");
  EXPECT_GT(updated.last_updated_timestamp, created.last_updated_timestamp);
  EXPECT_EQ(updated.creation_timestamp, created.creation_timestamp);
  EXPECT_CODE(store().UpdateModelVersion("m", "2", "x"), kNotFound);
  EXPECT_CODE(store().UpdateModelVersion("m", "abc", "x"), kInvalid);
  EXPECT_CODE(store().UpdateModelVersion("nope", "1", "x"), kNotFound);
}

TEST_P(RegistryStoreTest, GetVersionChecksTheNumber) {
  Model("m");
  Version("m");
  EXPECT_ERROR(store().GetModelVersion("m", "abc"), kInvalid,
               "Parameter 'version' must be an integer, got 'abc'.");
  EXPECT_CODE(store().GetModelVersion("m", "1.5"), kInvalid);
  EXPECT_CODE(store().GetModelVersion("m", ""), kInvalid);
  EXPECT_ERROR(store().GetModelVersion("m", "7"), kNotFound,
               "Model Version (name=m, version=7) not found");
  EXPECT_CODE(store().GetModelVersion("nope", "1"), kNotFound);
  EXPECT_OK(store().GetModelVersion("m", " 1 "));
}

TEST_P(RegistryStoreTest, TransitionStage) {
  Model("m");
  ModelVersion created = Version("m");
  Tick();
  ASSERT_OK_AND_ASSIGN(ModelVersion staged,
                       store().TransitionModelVersionStage("m", "1", "staging", false));
  EXPECT_EQ(staged.current_stage, Stage::kStaging);
  EXPECT_GT(staged.last_updated_timestamp, created.last_updated_timestamp);
  ASSERT_OK_AND_ASSIGN(RegisteredModel model, store().GetRegisteredModel("m"));
  EXPECT_EQ(model.last_updated_timestamp, staged.last_updated_timestamp);

  EXPECT_ERROR(store().TransitionModelVersionStage("m", "1", "Prod", false), kInvalid,
               "Invalid Model Version stage: Prod. Value must be one of None, Staging, "
               "Production, Archived.");
  EXPECT_CODE(store().TransitionModelVersionStage("m", "9", "Staging", false), kNotFound);
  EXPECT_CODE(store().TransitionModelVersionStage("m", "x", "Staging", false), kInvalid);
  ASSERT_OK_AND_ASSIGN(ModelVersion back,
                       store().TransitionModelVersionStage("m", "1", "NONE", false));
  EXPECT_EQ(back.current_stage, Stage::kNone);
}

TEST_P(RegistryStoreTest, TransitionArchivesTheOthersOnlyWhenAsked) {
  Model("m");
  for (int i = 0; i < 4; ++i) Version("m");
  ASSERT_OK(store().TransitionModelVersionStage("m", "1", "Production", false));
  ASSERT_OK(store().TransitionModelVersionStage("m", "2", "Production", false));
  ASSERT_OK(store().TransitionModelVersionStage("m", "3", "Staging", false));
  auto stage_of = [&](const char* version) {
    Result<ModelVersion> v = store().GetModelVersion("m", version);
    return v.ok() ? std::string(StageName(v->current_stage)) : v.status().ToString();
  };
  // Without archive_existing_versions two versions can share a stage.
  EXPECT_EQ(stage_of("1"), "Production");
  EXPECT_EQ(stage_of("2"), "Production");

  ModelVersion before = *store().GetModelVersion("m", "1");
  Tick();
  ASSERT_OK(store().TransitionModelVersionStage("m", "4", "production", true));
  EXPECT_EQ(stage_of("1"), "Archived");
  EXPECT_EQ(stage_of("2"), "Archived");
  EXPECT_EQ(stage_of("3"), "Staging");  // another stage: untouched
  EXPECT_EQ(stage_of("4"), "Production");
  ModelVersion after = *store().GetModelVersion("m", "1");
  EXPECT_GT(after.last_updated_timestamp, before.last_updated_timestamp);

  // Re-transitioning the holder itself archives nothing of it.
  ASSERT_OK(store().TransitionModelVersionStage("m", "4", "Production", true));
  EXPECT_EQ(stage_of("4"), "Production");

  // Only Staging and Production can archive the others (MLflow answers 500 here; we say 400).
  for (const char* target : {"Archived", "None"}) {
    EXPECT_ERROR(store().TransitionModelVersionStage("m", "3", target, true), kInvalid,
                 "is not an Active stage")
        << target;
  }
  EXPECT_EQ(stage_of("3"), "Staging");
}

TEST_P(RegistryStoreTest, AFailingTransitionChangesNothing) {
  Model("m");
  Version("m");
  ASSERT_OK(store().TransitionModelVersionStage("m", "1", "Production", false));
  // The archiving runs before the missing version is noticed; the whole call rolls back.
  EXPECT_CODE(store().TransitionModelVersionStage("m", "9", "Production", true), kNotFound);
  ASSERT_OK_AND_ASSIGN(ModelVersion v1, store().GetModelVersion("m", "1"));
  EXPECT_EQ(v1.current_stage, Stage::kProduction);
}

TEST_P(RegistryStoreTest, DeleteVersionRemovesItsTagsAndAliases) {
  Model("m");
  Version("m");
  Version("m");
  ASSERT_OK(store().SetModelVersionTag("m", "1", {"k", "v"}));
  ASSERT_OK(store().SetAlias("m", "champion", "1"));
  ASSERT_OK(store().SetAlias("m", "other", "2"));
  ASSERT_OK(store().DeleteModelVersion("m", "1"));

  EXPECT_CODE(store().GetModelVersion("m", "1"), kNotFound);
  EXPECT_CODE(store().GetModelVersionByAlias("m", "champion"), kNotFound);
  ASSERT_OK_AND_ASSIGN(RegisteredModel model, store().GetRegisteredModel("m"));
  ASSERT_EQ(model.aliases.size(), 1u);
  EXPECT_EQ(model.aliases[0].alias, "other");
  EXPECT_EQ(VersionKeys(Filter("tags.k = 'v'")), Strings{});
  EXPECT_CODE(store().DeleteModelVersion("m", "1"), kNotFound);
  EXPECT_CODE(store().DeleteModelVersion("m", "one"), kInvalid);
  EXPECT_CODE(store().DeleteModelVersion("nope", "1"), kNotFound);
}

TEST_P(RegistryStoreTest, DownloadUriIsTheStorageLocationElseTheSource) {
  Model("m");
  Version("m", "runs:/abc/model");
  CreateModelVersionRequest stored = VersionOf("m", "models:/m-123");
  stored.storage_location = "mlflow-artifacts:/1/models/m-123/artifacts";
  ASSERT_OK(store().CreateModelVersion(stored));
  // MLflow 3: a models:/<name>/<version> source is stored where that version lives.
  Version("m", "models:/m/1");

  EXPECT_EQ(store().GetModelVersionDownloadUri("m", "1").value_or(""), "runs:/abc/model");
  EXPECT_EQ(store().GetModelVersionDownloadUri("m", "2").value_or(""),
            "mlflow-artifacts:/1/models/m-123/artifacts");
  EXPECT_EQ(store().GetModelVersionDownloadUri("m", "3").value_or(""), "runs:/abc/model");
  ASSERT_OK_AND_ASSIGN(ModelVersion v3, store().GetModelVersion("m", "3"));
  EXPECT_EQ(v3.source, "models:/m/1");
  EXPECT_CODE(store().GetModelVersionDownloadUri("m", "9"), kNotFound);
  EXPECT_CODE(store().GetModelVersionDownloadUri("m", "x"), kInvalid);
}

TEST_P(RegistryStoreTest, VersionTagsUpsertAndDelete) {
  Model("m");
  Version("m");
  Version("m");
  ASSERT_OK(store().SetModelVersionTag("m", "1", {"k", "1"}));
  ASSERT_OK(store().SetModelVersionTag("m", "1", {"k", "2"}));
  ASSERT_OK_AND_ASSIGN(ModelVersion v1, store().GetModelVersion("m", "1"));
  EXPECT_EQ(v1.tags, (std::vector<Tag>{{"k", "2"}}));
  ASSERT_OK_AND_ASSIGN(ModelVersion v2, store().GetModelVersion("m", "2"));
  EXPECT_TRUE(v2.tags.empty());

  ASSERT_OK(store().DeleteModelVersionTag("m", "1", "k"));
  ASSERT_OK(store().DeleteModelVersionTag("m", "1", "k"));  // missing: silently fine
  ASSERT_OK_AND_ASSIGN(v1, store().GetModelVersion("m", "1"));
  EXPECT_TRUE(v1.tags.empty());

  EXPECT_CODE(store().SetModelVersionTag("m", "3", {"k", "v"}), kNotFound);
  EXPECT_CODE(store().SetModelVersionTag("m", "x", {"k", "v"}), kInvalid);
  EXPECT_CODE(store().DeleteModelVersionTag("m", "3", "k"), kNotFound);
  EXPECT_CODE(store().DeleteModelVersionTag("nope", "1", "k"), kNotFound);
}

// ---- Aliases ----

TEST_P(RegistryStoreTest, AliasesPointAtOneVersionAndMove) {
  Model("m");
  Version("m");
  Version("m");
  ASSERT_OK(store().SetAlias("m", "champion", "1"));
  ASSERT_OK(store().SetAlias("m", "best", "1"));
  ASSERT_OK_AND_ASSIGN(ModelVersion v1, store().GetModelVersion("m", "1"));
  EXPECT_EQ(v1.aliases, (Strings{"best", "champion"}));
  ASSERT_OK_AND_ASSIGN(ModelVersion by_alias, store().GetModelVersionByAlias("m", "champion"));
  EXPECT_EQ(by_alias.version, 1);
  EXPECT_EQ(by_alias.aliases, (Strings{"best", "champion"}));

  // Re-pointing moves it.
  ASSERT_OK(store().SetAlias("m", "champion", "2"));
  ASSERT_OK_AND_ASSIGN(by_alias, store().GetModelVersionByAlias("m", "champion"));
  EXPECT_EQ(by_alias.version, 2);
  ASSERT_OK_AND_ASSIGN(v1, store().GetModelVersion("m", "1"));
  EXPECT_EQ(v1.aliases, (Strings{"best"}));

  ASSERT_OK_AND_ASSIGN(RegisteredModel model, store().GetRegisteredModel("m"));
  ASSERT_EQ(model.aliases.size(), 2u);
  EXPECT_EQ(model.aliases[0].alias, "best");
  EXPECT_EQ(model.aliases[0].version, "1");
  EXPECT_EQ(model.aliases[1].alias, "champion");
  EXPECT_EQ(model.aliases[1].version, "2");

  ASSERT_OK(store().DeleteAlias("m", "champion"));
  ASSERT_OK(store().DeleteAlias("m", "champion"));  // already gone: fine
  EXPECT_ERROR(store().GetModelVersionByAlias("m", "champion"), kNotFound,
               "Registered model alias champion not found.");
  EXPECT_CODE(store().DeleteAlias("nope", "champion"), kNotFound);
  EXPECT_CODE(store().GetModelVersionByAlias("nope", "champion"), kNotFound);
}

TEST_P(RegistryStoreTest, AliasNameRulesAndMissingVersions) {
  Model("m");
  Version("m");
  for (const std::string& bad : {std::string("latest"), std::string("LaTeSt"), std::string("v1"),
                                 std::string("V42"), std::string(""), std::string("has space"),
                                 std::string("a.b"), std::string("a/b"), std::string(256, 'a')}) {
    EXPECT_CODE(store().SetAlias("m", bad, "1"), kInvalid) << bad;
  }
  for (const std::string& good :
       {std::string("champion"), std::string("v1a"), std::string("prod-2"),
        std::string("under_score"), std::string("v"), std::string(255, 'a')}) {
    EXPECT_OK(store().SetAlias("m", good, "1"));
  }
  EXPECT_ERROR(store().SetAlias("m", "champion", "2"), kNotFound,
               "Model Version (name=m, version=2) not found");
  EXPECT_CODE(store().SetAlias("nope", "champion", "1"), kNotFound);
  EXPECT_CODE(store().SetAlias("m", "champion", "one"), kInvalid);
  // The failed re-point left the alias where it was.
  ASSERT_OK_AND_ASSIGN(ModelVersion champion, store().GetModelVersionByAlias("m", "champion"));
  EXPECT_EQ(champion.version, 1);
}

// ---- Search ----

TEST_P(RegistryStoreTest, SearchModelsByNameAndTags) {
  Model("alpha", {{"team", "risk"}, {"env", "prod"}});
  Model("Alpine", {{"team", "Risk"}});
  Model("beta", {{"team", "growth"}});
  Model("gamma");

  EXPECT_EQ(ModelNames(Filter("")), (Strings{"Alpine", "alpha", "beta", "gamma"}));
  EXPECT_EQ(ModelNames(Filter("name = 'alpha'")), (Strings{"alpha"}));
  EXPECT_EQ(ModelNames(Filter("name != 'alpha'")), (Strings{"Alpine", "beta", "gamma"}));
  EXPECT_EQ(ModelNames(Filter("name LIKE 'al%'")), (Strings{"alpha"}));  // case-sensitive
  EXPECT_EQ(ModelNames(Filter("name ILIKE 'al%'")), (Strings{"Alpine", "alpha"}));
  EXPECT_EQ(ModelNames(Filter("attribute.name LIKE '%a'")), (Strings{"alpha", "beta", "gamma"}));
  EXPECT_EQ(ModelNames(Filter("tags.team = 'risk'")), (Strings{"alpha"}));
  EXPECT_EQ(ModelNames(Filter("tags.team ILIKE 'RISK'")), (Strings{"Alpine", "alpha"}));
  // A model without the tag never matches, not even !=.
  EXPECT_EQ(ModelNames(Filter("tags.team != 'risk'")), (Strings{"Alpine", "beta"}));
  EXPECT_EQ(ModelNames(Filter("tag.`team` LIKE '%r%' AND tags.env = 'prod'")), (Strings{"alpha"}));
  EXPECT_EQ(ModelNames(Filter("name ILIKE 'A%' and tags.team = 'Risk'")), (Strings{"Alpine"}));
  // Values are bound, never pasted into SQL.
  EXPECT_EQ(ModelNames(Filter("name = 'x'' OR 1=1 --'")), Strings{});
}

TEST_P(RegistryStoreTest, SearchModelsRejectsWhatMlflowRejects) {
  Model("m");
  for (const char* bad :
       {"name = 'a' OR name = 'b'", "foo = 'x'", "name > 'a'", "metrics.x > 1", "tags.k IN ('a')",
        "name IN ('a')", "name = 1", "tags.k = 1", "run_id = 'x'", "name ="}) {
    EXPECT_CODE(store().SearchRegisteredModels(Filter(bad)), kInvalid) << bad;
  }
  for (const char* bad : {"foo", "name DESC foo", "tags.k", "version_number"}) {
    EXPECT_CODE(store().SearchRegisteredModels(Filter("", {bad})), kInvalid) << bad;
  }
  EXPECT_ERROR(store().SearchRegisteredModels(Filter("", {"name", "name DESC"})), kInvalid,
               "duplicate");
  EXPECT_CODE(store().SearchRegisteredModels(Filter("", {"timestamp", "last_updated_timestamp"})),
              kInvalid);
}

TEST_P(RegistryStoreTest, SearchModelsOrder) {
  Model("b");
  Tick();
  Model("a");
  Tick();
  Model("c");
  Tick();
  ASSERT_OK(store().UpdateRegisteredModel("b", "touched"));

  EXPECT_EQ(ModelNames(Filter("", {"name DESC"})), (Strings{"c", "b", "a"}));
  EXPECT_EQ(ModelNames(Filter("", {"creation_timestamp"})), (Strings{"b", "a", "c"}));
  EXPECT_EQ(ModelNames(Filter("", {"creation_timestamp DESC"})), (Strings{"c", "a", "b"}));
  EXPECT_EQ(ModelNames(Filter("", {"last_updated_timestamp DESC"})), (Strings{"b", "c", "a"}));
  EXPECT_EQ(ModelNames(Filter("", {"timestamp ASC"})), (Strings{"a", "c", "b"}));
  EXPECT_EQ(ModelNames(Filter("", {"attribute.name"})), (Strings{"a", "b", "c"}));
}

TEST_P(RegistryStoreTest, SearchModelsTiesGoByName) {
  // Timestamps collide within a millisecond; name ASC breaks the tie every time.
  for (const char* name : {"d", "b", "e", "a", "c"}) Model(name);
  ASSERT_OK_AND_ASSIGN(Page<RegisteredModel> page,
                       store().SearchRegisteredModels(Filter("", {"creation_timestamp DESC"})));
  for (size_t i = 1; i < page.items.size(); ++i) {
    const RegisteredModel& prev = page.items[i - 1];
    const RegisteredModel& cur = page.items[i];
    EXPECT_TRUE(prev.creation_timestamp > cur.creation_timestamp ||
                (prev.creation_timestamp == cur.creation_timestamp && prev.name < cur.name));
  }
}

TEST_P(RegistryStoreTest, SearchModelsPages) {
  for (int i = 0; i < 5; ++i) Model("m" + std::to_string(i));
  SearchRequest request;
  request.max_results = 2;
  Strings seen;
  int pages = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(Page<RegisteredModel> page, store().SearchRegisteredModels(request));
    ++pages;
    for (const RegisteredModel& model : page.items) seen.push_back(model.name);
    if (page.next_page_token.empty()) break;
    request.page_token = page.next_page_token;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (Strings{"m0", "m1", "m2", "m3", "m4"}));

  // Exactly a page's worth: no token.
  request = {};
  request.max_results = 5;
  ASSERT_OK_AND_ASSIGN(Page<RegisteredModel> full, store().SearchRegisteredModels(request));
  EXPECT_EQ(full.items.size(), 5u);
  EXPECT_TRUE(full.next_page_token.empty());

  request.page_token = "not a token";
  EXPECT_CODE(store().SearchRegisteredModels(request), kInvalid);
  request = {};
  request.max_results = 1001;
  EXPECT_ERROR(store().SearchRegisteredModels(request), kInvalid, "at most 1000");
  request.max_results = 1000;
  EXPECT_OK(store().SearchRegisteredModels(request));
  request.max_results = 0;
  EXPECT_CODE(store().SearchRegisteredModels(request), kInvalid);
}

TEST_P(RegistryStoreTest, SearchModelsReturnsAHundredByDefault) {
  for (int i = 0; i < 101; ++i) {
    ASSERT_OK(store().CreateRegisteredModel("m" + std::to_string(1000 + i), {}, ""));
  }
  ASSERT_OK_AND_ASSIGN(Page<RegisteredModel> page, store().SearchRegisteredModels({}));
  EXPECT_EQ(page.items.size(), 100u);
  EXPECT_FALSE(page.next_page_token.empty());
}

TEST_P(RegistryStoreTest, SearchModelsCarryTagsAliasesAndLatestVersions) {
  Model("m", {{"k", "v"}});
  Version("m");
  ASSERT_OK(store().SetAlias("m", "champion", "1"));
  ASSERT_OK(store().SetModelVersionTag("m", "1", {"vk", "vv"}));
  ASSERT_OK_AND_ASSIGN(Page<RegisteredModel> page, store().SearchRegisteredModels({}));
  ASSERT_EQ(page.items.size(), 1u);
  const RegisteredModel& model = page.items[0];
  EXPECT_EQ(model.tags, (std::vector<Tag>{{"k", "v"}}));
  ASSERT_EQ(model.aliases.size(), 1u);
  ASSERT_EQ(model.latest_versions.size(), 1u);
  EXPECT_EQ(model.latest_versions[0].tags, (std::vector<Tag>{{"vk", "vv"}}));
  EXPECT_EQ(model.latest_versions[0].aliases, (Strings{"champion"}));
}

TEST_P(RegistryStoreTest, SearchVersionsFilters) {
  Model("a");
  Model("b");
  Version("a", "s3://bucket/a/1", "run1");    // a/1
  Version("a", "s3://bucket/a/2", "run2");    // a/2
  Version("b", "runs:/run1/model", "run1");   // b/1
  Version("b", "file:///abs/model", "RUNX");  // b/2
  ASSERT_OK(store().SetModelVersionTag("a", "2", {"quality", "good"}));
  ASSERT_OK(store().SetModelVersionTag("b", "1", {"quality", "Good"}));
  const Strings by_key = {"name", "version_number"};

  EXPECT_EQ(VersionKeys(Filter("name = 'a'", by_key)), (Strings{"a/1", "a/2"}));
  EXPECT_EQ(VersionKeys(Filter("name != 'a'", by_key)), (Strings{"b/1", "b/2"}));
  EXPECT_EQ(VersionKeys(Filter("name ILIKE 'A'", by_key)), (Strings{"a/1", "a/2"}));
  EXPECT_EQ(VersionKeys(Filter("version_number > 1", by_key)), (Strings{"a/2", "b/2"}));
  EXPECT_EQ(VersionKeys(Filter("version_number <= 1.5", by_key)), (Strings{"a/1", "b/1"}));
  EXPECT_EQ(VersionKeys(Filter("version_number = 2 AND name = 'b'", by_key)), (Strings{"b/2"}));
  EXPECT_EQ(VersionKeys(Filter("version_number != '1'", by_key)), (Strings{"a/2", "b/2"}));
  EXPECT_EQ(VersionKeys(Filter("run_id = 'run1'", by_key)), (Strings{"a/1", "b/1"}));
  EXPECT_EQ(VersionKeys(Filter("run_id IN ('run2', 'run1')", by_key)),
            (Strings{"a/1", "a/2", "b/1"}));
  // MLflow drops list entries with upper-case letters.
  EXPECT_EQ(VersionKeys(Filter("run_id IN ('RUNX')", by_key)), Strings{});
  EXPECT_EQ(VersionKeys(Filter("run_id = 'RUNX'", by_key)), (Strings{"b/2"}));
  EXPECT_EQ(VersionKeys(Filter("source_path LIKE 's3://bucket/%'", by_key)),
            (Strings{"a/1", "a/2"}));
  EXPECT_EQ(VersionKeys(Filter("source_path = 'runs:/run1/model'", by_key)), (Strings{"b/1"}));
  EXPECT_EQ(VersionKeys(Filter("tags.quality = 'good'", by_key)), (Strings{"a/2"}));
  EXPECT_EQ(VersionKeys(Filter("tags.quality ILIKE 'GOOD'", by_key)), (Strings{"a/2", "b/1"}));
  EXPECT_EQ(VersionKeys(Filter("tags.quality != 'good'", by_key)), (Strings{"b/1"}));
  EXPECT_EQ(VersionKeys(Filter("attribute.name = 'b' AND tags.quality LIKE 'G%'", by_key)),
            (Strings{"b/1"}));

  for (const char* bad :
       {"version_number LIKE '1'", "version_number = 'x'", "name IN ('a')", "source_path IN ('x')",
        "run_id NOT IN ('x')", "tags.quality IN ('good')", "metrics.x > 1", "stage = 'None'",
        "name = 'a' OR name = 'b'", "run_id > 'a'"}) {
    EXPECT_CODE(store().SearchModelVersions(Filter(bad)), kInvalid) << bad;
  }
  for (const char* bad : {"tags.quality", "source_path", "timestamp", "name ASC DESC"}) {
    EXPECT_CODE(store().SearchModelVersions(Filter("", {bad})), kInvalid) << bad;
  }
}

TEST_P(RegistryStoreTest, SearchVersionsOrder) {
  Model("a");
  Model("b");
  Version("a");  // a/1
  Tick();
  Version("b");  // b/1
  Tick();
  Version("a");  // a/2
  Tick();
  ASSERT_OK(store().UpdateModelVersion("a", "1", "touched"));  // a/1 is now the newest

  // Default: last_updated_timestamp DESC, name ASC, version_number DESC.
  EXPECT_EQ(VersionKeys({}), (Strings{"a/1", "a/2", "b/1"}));
  EXPECT_EQ(VersionKeys(Filter("", {"version_number"})), (Strings{"a/1", "b/1", "a/2"}));
  EXPECT_EQ(VersionKeys(Filter("", {"name DESC"})), (Strings{"b/1", "a/2", "a/1"}));
  EXPECT_EQ(VersionKeys(Filter("", {"creation_timestamp"})), (Strings{"a/1", "b/1", "a/2"}));
  EXPECT_EQ(VersionKeys(Filter("", {"last_updated_timestamp ASC"})),
            (Strings{"b/1", "a/2", "a/1"}));
}

TEST_P(RegistryStoreTest, SearchVersionsPagesAndLimits) {
  Model("m");
  for (int i = 0; i < 5; ++i) Version("m");
  SearchRequest request = Filter("", {"version_number ASC"});
  request.max_results = 2;
  Strings seen;
  for (int pages = 0; pages < 10; ++pages) {
    ASSERT_OK_AND_ASSIGN(Page<ModelVersion> page, store().SearchModelVersions(request));
    for (const ModelVersion& v : page.items) seen.push_back(std::to_string(v.version));
    if (page.next_page_token.empty()) break;
    request.page_token = page.next_page_token;
  }
  EXPECT_EQ(seen, (Strings{"1", "2", "3", "4", "5"}));

  request = {};
  request.max_results = 200'001;
  EXPECT_ERROR(store().SearchModelVersions(request), kInvalid, "at most 200000");
  request.max_results = -1;
  EXPECT_CODE(store().SearchModelVersions(request), kInvalid);
  request = {};
  request.page_token = "%%%";
  EXPECT_CODE(store().SearchModelVersions(request), kInvalid);
}

TEST_P(RegistryStoreTest, SearchVersionsCarryTagsAndAliases) {
  Model("m");
  Version("m");
  Version("m");
  ASSERT_OK(store().SetModelVersionTag("m", "2", {"k", "v"}));
  ASSERT_OK(store().SetAlias("m", "champion", "2"));
  ASSERT_OK_AND_ASSIGN(Page<ModelVersion> page,
                       store().SearchModelVersions(Filter("", {"version_number DESC"})));
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].tags, (std::vector<Tag>{{"k", "v"}}));
  EXPECT_EQ(page.items[0].aliases, (Strings{"champion"}));
  EXPECT_TRUE(page.items[1].tags.empty());
  EXPECT_TRUE(page.items[1].aliases.empty());
}

TEST_P(RegistryStoreTest, SearchLeavesOutPromptsUnlessAsked) {
  Model("model");
  Version("model");
  Model("prompt", {{"mlflow.prompt.is_prompt", "true"}});
  CreateModelVersionRequest prompt_version = VersionOf("prompt");
  prompt_version.tags = {{"mlflow.prompt.is_prompt", "true"}};
  ASSERT_OK(store().CreateModelVersion(prompt_version));

  EXPECT_EQ(ModelNames({}), (Strings{"model"}));
  EXPECT_EQ(ModelNames(Filter("tags.`mlflow.prompt.is_prompt` = 'true'")), (Strings{"prompt"}));
  EXPECT_EQ(ModelNames(Filter("tags.`mlflow.prompt.is_prompt` = 'false'")), (Strings{"model"}));
  EXPECT_EQ(VersionKeys({}), (Strings{"model/1"}));
  EXPECT_EQ(VersionKeys(Filter("tags.`mlflow.prompt.is_prompt` = 'true'")), (Strings{"prompt/1"}));
  // Direct reads do not hide them.
  EXPECT_OK(store().GetRegisteredModel("prompt"));
}

// ---- Threads ----

TEST_P(RegistryStoreTest, ConcurrentVersionsGetDistinctNumbers) {
  Model("m");
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::vector<std::thread> threads;
  std::vector<std::vector<int64_t>> numbers(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Result<ModelVersion> v = store().CreateModelVersion(VersionOf("m"));
        if (!v.ok()) {
          ++failures;
          continue;
        }
        numbers[t].push_back(v->version);
        if (!store().GetRegisteredModel("m").ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<int64_t> all;
  for (const auto& list : numbers) all.insert(list.begin(), list.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), kThreads * kEach);
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistryStoreTest, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace cairn::registry
