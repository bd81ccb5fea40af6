// Migrate: fresh databases, re-runs, upgrades, refusals and failing steps.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "db/db.h"
#include "sys/temp_dir.h"

namespace cairn::db {
namespace {

using core::Code;

constexpr Migration kV1{1, "CREATE TABLE experiments (id INTEGER PRIMARY KEY, name TEXT)"};
constexpr Migration kV2{2,
                        "CREATE TABLE runs (id TEXT PRIMARY KEY, "
                        "experiment_id INTEGER REFERENCES experiments (id));"
                        "CREATE INDEX runs_by_experiment ON runs (experiment_id)"};
constexpr Migration kV3{3, "ALTER TABLE runs ADD COLUMN status TEXT"};

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<sys::TempDir> dir = sys::TempDir::Create("cairn-migrate-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_.emplace(std::move(*dir));
    Result<std::unique_ptr<Connection>> conn = OpenSqlite(dir_->Path("m.db"));
    ASSERT_TRUE(conn.ok()) << conn.status().ToString();
    conn_ = std::move(*conn);
  }

  bool HasTable(std::string_view name) {
    Result<Statement> stmt =
        conn_->Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
    EXPECT_TRUE(stmt.ok());
    Result<bool> row = stmt->Bind(1, name).Step();
    EXPECT_TRUE(row.ok());
    return row.ok() && *row;
  }

  int Recorded(std::string_view component) {
    Result<Statement> stmt = conn_->Prepare("SELECT version FROM cairn_schema WHERE component = ?");
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    Result<bool> row = stmt->Bind(1, component).Step();
    return row.ok() && *row ? static_cast<int>(stmt->ColumnInt(0)) : 0;
  }

  std::optional<sys::TempDir> dir_;
  std::unique_ptr<Connection> conn_;
};

TEST_F(MigrateTest, FreshDatabaseGoesToTheLatest) {
  const std::vector<Migration> migrations = {kV1, kV2};
  Result<int> version = Migrate(*conn_, "tracking", migrations);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(Recorded("tracking"), 2);
  EXPECT_TRUE(HasTable("experiments"));
  EXPECT_TRUE(HasTable("runs"));
  EXPECT_FALSE(conn_->InTransaction());
}

TEST_F(MigrateTest, RerunIsANoOp) {
  const std::vector<Migration> migrations = {kV1, kV2};
  ASSERT_TRUE(Migrate(*conn_, "tracking", migrations).ok());
  ASSERT_TRUE(conn_->Exec("INSERT INTO experiments (name) VALUES ('kept')").ok());
  Result<int> again = Migrate(*conn_, "tracking", migrations);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 2);
  Result<Statement> count = conn_->Prepare("SELECT count(*) FROM experiments");
  ASSERT_TRUE(count.ok() && *count->Step());
  EXPECT_EQ(count->ColumnInt(0), 1);
}

TEST_F(MigrateTest, AddingAMigrationUpgrades) {
  const std::vector<Migration> old_migrations = {kV1, kV2};
  ASSERT_TRUE(Migrate(*conn_, "tracking", old_migrations).ok());
  ASSERT_TRUE(conn_
                  ->Exec("INSERT INTO experiments (id, name) VALUES (1, 'e');"
                         "INSERT INTO runs (id, experiment_id) VALUES ('r', 1)")
                  .ok());
  const std::vector<Migration> new_migrations = {kV1, kV2, kV3};
  Result<int> version = Migrate(*conn_, "tracking", new_migrations);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 3);
  EXPECT_EQ(Recorded("tracking"), 3);
  EXPECT_TRUE(conn_->Exec("UPDATE runs SET status = 'FINISHED' WHERE id = 'r'").ok());
}

TEST_F(MigrateTest, ComponentsAreIndependent) {
  const std::vector<Migration> tracking = {kV1, kV2};
  const std::vector<Migration> registry = {
      {1, "CREATE TABLE registered_models (name TEXT PRIMARY KEY)"}};
  ASSERT_TRUE(Migrate(*conn_, "tracking", tracking).ok());
  Result<int> version = Migrate(*conn_, "registry", registry);
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 1);
  EXPECT_EQ(Recorded("tracking"), 2);
  EXPECT_EQ(Recorded("registry"), 1);
}

TEST_F(MigrateTest, NoMigrationsIsVersionZero) {
  Result<int> version = Migrate(*conn_, "workflow", {});
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_EQ(*version, 0);
}

TEST_F(MigrateTest, NewerSchemaIsRefused) {
  const std::vector<Migration> migrations = {kV1, kV2, kV3};
  ASSERT_TRUE(Migrate(*conn_, "tracking", migrations).ok());
  ASSERT_TRUE(conn_->Exec("UPDATE cairn_schema SET version = 7 WHERE component = 'tracking'").ok());
  const std::vector<Migration> older = {kV1, kV2};
  Result<int> version = Migrate(*conn_, "tracking", older);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), Code::kInvalidState);
  EXPECT_EQ(version.status().message(),
            dir_->Path("m.db") +
                ": the tracking schema is version 7, newer than this cairn knows (2); "
                "upgrade cairn");
  EXPECT_EQ(Recorded("tracking"), 7);
  EXPECT_FALSE(conn_->InTransaction());
}

TEST_F(MigrateTest, FailingMigrationKeepsThePreviousVersion) {
  const std::vector<Migration> good = {kV1};
  ASSERT_TRUE(Migrate(*conn_, "tracking", good).ok());
  // Version 2 creates a table, then fails: the table must not survive.
  const std::vector<Migration> broken = {
      kV1, {2, "CREATE TABLE partial (a INTEGER); INSERT INTO no_such_table VALUES (1)"}};
  Result<int> version = Migrate(*conn_, "tracking", broken);
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.status().message().find("tracking schema migration 2"), std::string::npos)
      << version.status().ToString();
  EXPECT_NE(version.status().message().find("no such table"), std::string::npos);
  EXPECT_EQ(Recorded("tracking"), 1);
  EXPECT_FALSE(HasTable("partial"));
  EXPECT_TRUE(HasTable("experiments"));
  EXPECT_FALSE(conn_->InTransaction());
}

TEST_F(MigrateTest, FailureOnAFreshDatabaseLeavesEarlierSteps) {
  const std::vector<Migration> broken = {kV1, {2, "THIS IS NOT SQL"}};
  Result<int> version = Migrate(*conn_, "tracking", broken);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(Recorded("tracking"), 1);
  EXPECT_TRUE(HasTable("experiments"));
}

TEST_F(MigrateTest, MisnumberedMigrationsAreABug) {
  const std::vector<Migration> gap = {kV1, kV3};
  Result<int> version = Migrate(*conn_, "tracking", gap);
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().code(), Code::kInternalError);
  EXPECT_FALSE(HasTable("experiments"));
}

}  // namespace
}  // namespace cairn::db
