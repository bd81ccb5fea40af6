// db: SQL connections for the stores (tracking, registry, workflow history): SQLite now,
// PostgreSQL later behind the same Connection.
//
//   CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn,
//                          db::OpenSqlite("/srv/mlflow.db", db::SqliteOptions{}));
//   CAIRN_RETURN_IF_ERROR(db::Migrate(*conn, "tracking", kTrackingMigrations));
//   db::Transaction txn(*conn);                       // BEGIN IMMEDIATE
//   CAIRN_ASSIGN_OR_RETURN(db::Statement insert, conn->Prepare("INSERT INTO t VALUES (?, ?)"));
//   insert.Bind(1, "a").Bind(2, int64_t{7});
//   CAIRN_RETURN_IF_ERROR(insert.Run());
//   CAIRN_RETURN_IF_ERROR(txn.Commit());              // rolled back if never committed
//
// Ownership and threads: a Connection is used by one thread at a time (stores keep a pool:
// one connection per worker thread, see ConnectionPool). Statements borrow their connection
// and must not outlive it; Prepare() keeps a cache of compiled statements (the 64 most
// recently used), so preparing the same text again is a lookup, not a compile. Errors are
// Status values: SQLITE_BUSY after the busy timeout is kTemporarilyUnavailable, a constraint
// violation is kResourceAlreadyExists (UNIQUE/PRIMARY KEY) or kInvalidParameterValue (others),
// a damaged file kCorruption, an I/O error, a full disk or a file that cannot be opened
// kIoError, anything else kInternalError; every message names the database file and the SQL's
// first words. No exception leaves this module.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cairn::db {

using core::Result;
using core::Status;

/// Which SQL the connection speaks (placeholders, LIKE case rules, upsert syntax).
enum class Dialect { kSqlite, kPostgres };

class Connection;

/// A prepared statement. Bind positions are 1-based. Move-only; borrows its Connection.
/// Use: Bind..., then Step() row by row (or Run() for no rows). The statement is reset by a
/// Bind after it was stepped (earlier bindings stay), by a Step after it finished (it runs
/// again), and when the Statement is destroyed (it returns, reset and unbound, to the
/// connection's cache).
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& BindNull(int index);
  /// Null when `value` is empty.
  Statement& Bind(int index, const std::optional<std::string>& value);
  Statement& Bind(int index, const std::optional<int64_t>& value);

  /// Advances to the next row: true when there is one, false when the statement is done.
  /// The first failing Bind's error (e.g. an index out of range) is reported here.
  Result<bool> Step();
  /// Steps to the end, ignoring rows (INSERT/UPDATE/DELETE).
  Status Run();

  // Columns of the current row, 0-based.
  bool IsNull(int column) const;
  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  /// Empty for NULL. The text is copied.
  std::string ColumnText(int column) const;
  std::optional<std::string> ColumnOptionalText(int column) const;
  std::optional<int64_t> ColumnOptionalInt(int column) const;
  int ColumnCount() const;

  /// Rows changed by the last Run()/Step() to done (sqlite3_changes).
  int64_t changes() const;

 private:
  friend class Connection;
  Statement(Connection* conn, sqlite3_stmt* stmt, std::string sql);
  Status Error(int rc) const;

  Connection* conn_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;  // owned by conn_'s cache when returned
  std::string sql_;
  Status bind_error_;
  bool done_ = false;
};

struct SqliteOptions {
  /// synchronous=FULL: a committed transaction also survives power loss. Otherwise
  /// synchronous=NORMAL in WAL mode: it survives a crash of the process, which is MLflow's
  /// guarantee too.
  bool durable = false;
  /// How long a writer waits for another connection's lock before kTemporarilyUnavailable.
  int busy_timeout_ms = 10'000;
  /// Open without creating or writing.
  bool read_only = false;
};

/// One database connection. Not thread-safe: one thread at a time.
class Connection {
 public:
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Dialect dialect() const { return Dialect::kSqlite; }
  /// The database file (for messages).
  const std::string& path() const { return path_; }

  /// Runs one or more statements separated by ';', no parameters (DDL, PRAGMA, BEGIN).
  Status Exec(std::string_view sql);
  /// A prepared statement for `sql` (one statement), from the cache when it was prepared
  /// before and is not in use.
  Result<Statement> Prepare(std::string_view sql);
  /// The rowid of the last INSERT on this connection.
  int64_t LastInsertRowId() const;
  /// True while a transaction is open.
  bool InTransaction() const;
  /// Prepared statements idling in the cache (bounded; for tests and metrics).
  size_t idle_statements() const { return cache_.size(); }

  /// `lhs ILIKE rhs` in this dialect: "lower(lhs) LIKE lower(rhs)" on SQLite (whose LIKE is made
  /// case-sensitive at open, so plain LIKE matches MLflow's). `lhs`/`rhs` are SQL fragments.
  std::string ILikeExpr(std::string_view lhs, std::string_view rhs) const;

 private:
  friend class Statement;
  friend Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path,
                                                        const SqliteOptions& options);
  Connection(sqlite3* handle, std::string path);
  Status Error(int rc, std::string_view sql) const;
  void Return(std::string sql, sqlite3_stmt* stmt);

  sqlite3* handle_;
  std::string path_;
  // Idle prepared statements by SQL text (a statement in use is out of the cache).
  std::vector<std::pair<std::string, sqlite3_stmt*>> cache_;
};

/// Opens (creating unless read_only) the SQLite database at `path` (":memory:" for a private
/// in-memory one), in WAL mode with foreign keys on, the busy timeout set and
/// case-sensitive LIKE. Fails with kIoError naming the path when it cannot be opened, and
/// kCorruption when the file is not a database.
Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path,
                                               const SqliteOptions& options = {});

/// BEGIN IMMEDIATE on construction (takes the write lock up front, so two writers never
/// deadlock on an upgrade); ROLLBACK on destruction unless Commit() succeeded. Check ok()
/// (or status()) before using it: BEGIN can fail (busy).
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& status() const { return begin_; }
  bool ok() const { return begin_.ok(); }
  Status Commit();

 private:
  Connection& conn_;
  Status begin_;
  bool done_ = false;
};

/// Runs `body` in a Transaction and commits when it returns OK; rolls back otherwise and
/// returns its Status. Retries the whole body (up to 3 more times, after 1, 5 and 25 ms) when
/// BEGIN or COMMIT is busy, so `body` may run more than once: keep its effects in the database.
Status InTransaction(Connection& conn, const std::function<Status()>& body);

/// One numbered schema step. Versions start at 1 and increase by one.
struct Migration {
  int version;
  std::string_view sql;  // one or more statements
};

/// Brings the schema of `component` ("tracking", "registry", ...) up to the last of
/// `migrations`, each step in its own transaction, recording the version in the table
/// cairn_schema(component TEXT PRIMARY KEY, version INTEGER). A database whose recorded version
/// is newer than the last migration is refused with kInvalidState: "<path>: the tracking
/// schema is version 7, newer than this cairn knows (5); upgrade cairn". Returns the version
/// now in place.
Result<int> Migrate(Connection& conn, std::string_view component,
                    std::span<const Migration> migrations);

/// Connections to one database for many threads: Acquire() hands out an idle connection (or
/// opens a new one, outside the lock), and the lease returns it when destroyed (rolling back a
/// transaction left open; beyond `max_idle` idle connections it is closed instead).
/// Thread-safe. The pool must outlive its leases.
class ConnectionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<Connection>>()>;
  explicit ConnectionPool(Opener open, size_t max_idle = 16);
  ~ConnectionPool();

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> conn);

  Opener open_;
  size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace cairn::db
