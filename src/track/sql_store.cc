// SqlTrackingStore: opening, connections, transactions and the small helpers every part of the
// store shares. The operations live in sql_experiments.cc, sql_runs.cc, sql_run_data.cc and
// sql_logged_models.cc.
#include "track/sql_store.h"

#include <fmt/format.h>

#include <chrono>

#include "core/strings.h"
#include "track/sql_schema.h"

namespace cairn::track {

SqlTrackingStore::SqlTrackingStore(Config config, std::unique_ptr<db::ConnectionPool> pool)
    : config_(std::move(config)), pool_(std::move(pool)) {}

SqlTrackingStore::~SqlTrackingStore() = default;

Result<std::unique_ptr<SqlTrackingStore>> SqlTrackingStore::Open(Config config) {
  const bool in_memory = config.path.empty() || config.path == ":memory:";
  const std::string path = in_memory ? ":memory:" : config.path;
  db::SqliteOptions options;
  options.durable = config.durable;
  // One in-memory database is one connection: a second would open another, empty database.
  auto pool = std::make_unique<db::ConnectionPool>(
      [path, options]() -> Result<std::unique_ptr<db::Connection>> {
        CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, db::OpenSqlite(path, options));
        // 16 MiB of page cache per connection (SQLite's default is 2): a run's history and the
        // search indexes stay in memory instead of being read back from the WAL.
        CAIRN_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size = -16384"));
        return conn;
      },
      in_memory ? 1 : 16);
  std::unique_ptr<SqlTrackingStore> store(new SqlTrackingStore(std::move(config), std::move(pool)));
  store->in_memory_ = in_memory;

  {  // Migrate runs its own transactions, one per step.
    CAIRN_ASSIGN_OR_RETURN(Session session, store->Connect());
    CAIRN_ASSIGN_OR_RETURN(int version,
                           db::Migrate(session.conn(), kTrackingComponent, TrackingMigrations()));
    (void)version;
  }
  // Experiment 0 was created by the first migration; its location depends on the root, and its
  // times come from the store's clock like every other.
  CAIRN_RETURN_IF_ERROR(store->Write([&](db::Connection& conn) -> Status {
    CAIRN_ASSIGN_OR_RETURN(
        db::Statement update,
        conn.Prepare("UPDATE experiments SET artifact_location = ?, creation_time = ?, "
                     "last_update_time = ? WHERE experiment_id = 0 AND artifact_location = ''"));
    const int64_t now = store->NowMs();
    update.Bind(1, std::string_view(store->ExperimentArtifactLocation(0)))
        .Bind(2, now)
        .Bind(3, now);
    return update.Run();
  }));
  return store;
}

Result<SqlTrackingStore::Session> SqlTrackingStore::Connect() {
  std::unique_lock<std::mutex> turn;
  if (in_memory_) turn = std::unique_lock<std::mutex>(memory_turn_);
  CAIRN_ASSIGN_OR_RETURN(db::ConnectionPool::Lease lease, pool_->Acquire());
  return Session(std::move(turn), std::move(lease));
}

int64_t SqlTrackingStore::NowMs() const {
  if (config_.now_ms) return config_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status SqlTrackingStore::Write(const std::function<Status(db::Connection&)>& body) {
  std::lock_guard turn(write_turn_);
  CAIRN_ASSIGN_OR_RETURN(Session session, Connect());
  db::Connection& conn = session.conn();
  return db::InTransaction(conn, [&]() { return body(conn); });
}

Status SqlTrackingStore::Read(const std::function<Status(db::Connection&)>& body) {
  CAIRN_ASSIGN_OR_RETURN(Session session, Connect());
  db::Connection& conn = session.conn();
  // A deferred transaction: every SELECT of the call reads the same snapshot. (Prepared, so
  // the cache spares parsing BEGIN and COMMIT on every call.)
  auto run = [&](std::string_view sql) -> Status {
    CAIRN_ASSIGN_OR_RETURN(db::Statement statement, conn.Prepare(sql));
    return statement.Run();
  };
  CAIRN_RETURN_IF_ERROR(run("BEGIN"));
  Status status = body(conn);
  Status end = run(status.ok() ? "COMMIT" : "ROLLBACK");
  return status.ok() ? end : status;
}

std::string SqlTrackingStore::ExperimentArtifactLocation(int64_t experiment_id) const {
  return AppendUriPath(config_.default_artifact_root, std::to_string(experiment_id));
}

std::string AppendUriPath(std::string_view base, std::string_view part) {
  if (base.empty()) return std::string(part);
  std::string out(base);
  if (out.back() != '/') out += '/';
  out.append(part);
  return out;
}

std::optional<int64_t> ParseExperimentId(std::string_view id) {
  if (id.empty() || id.size() > 18) return std::nullopt;
  for (char c : id) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return core::ParseInt64(id);
}

Status NoSuchExperiment(std::string_view experiment_id) {
  return Status::NotFound(fmt::format("No Experiment with id={} exists", experiment_id));
}

Status NoSuchRun(std::string_view run_id) {
  return Status::NotFound(fmt::format("Run with id={} not found", run_id));
}

}  // namespace cairn::track
