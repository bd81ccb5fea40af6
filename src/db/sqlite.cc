// The SQLite side of db.h: Connection (with its prepared-statement cache), Statement,
// OpenSqlite, Transaction, InTransaction and ConnectionPool.
//
// Threads: a Connection and its Statements belong to one thread at a time (the handle is
// opened with SQLITE_OPEN_NOMUTEX); ConnectionPool alone is shared, behind its mutex.
#include <sqlite3.h>

#include <chrono>
#include <thread>
#include <utility>

#include "db/db.h"

namespace cairn::db {
namespace {

// Idle statements kept per connection. Stores prepare a few dozen fixed texts; searches build
// their SQL per filter, so the cache is bounded and the least recently returned goes first.
constexpr size_t kMaxCachedStatements = 64;

// How InTransaction waits before trying again after BEGIN or COMMIT was busy (SQLite has
// already waited busy_timeout by then).
constexpr std::chrono::milliseconds kRetryWaits[] = {
    std::chrono::milliseconds(1), std::chrono::milliseconds(5), std::chrono::milliseconds(25)};

// The first words of `sql`, on one line, for messages: "INSERT INTO runs (run_uuid, ...".
std::string SqlHead(std::string_view sql) {
  constexpr size_t kMax = 48;
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (out.size() >= kMax) return out + "...";
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

core::Code CodeOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return core::Code::kTemporarilyUnavailable;
    case SQLITE_CONSTRAINT:
      return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY
                 ? core::Code::kResourceAlreadyExists
                 : core::Code::kInvalidParameterValue;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return core::Code::kCorruption;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return core::Code::kIoError;
    default:
      return core::Code::kInternalError;
  }
}

// "<path>: <what SQLite said>", taking SQLite's message when it is about `rc`.
std::string Describe(sqlite3* handle, int rc, std::string_view path) {
  const char* what = handle != nullptr && sqlite3_extended_errcode(handle) == rc
                         ? sqlite3_errmsg(handle)
                         : sqlite3_errstr(rc);
  std::string out(path);
  out += ": ";
  out += what;
  return out;
}

bool IsBusy(const Status& status) { return status.code() == core::Code::kTemporarilyUnavailable; }

}  // namespace

// ---- Statement ----

Statement::Statement(Connection* conn, sqlite3_stmt* stmt, std::string sql)
    : conn_(conn), stmt_(stmt), sql_(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      bind_error_(std::move(other.bind_error_)),
      done_(other.done_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) conn_->Return(std::move(sql_), stmt_);
    conn_ = std::exchange(other.conn_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
    bind_error_ = std::move(other.bind_error_);
    done_ = other.done_;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) conn_->Return(std::move(sql_), stmt_);
}

Status Statement::Error(int rc) const {
  if (conn_ == nullptr) return Status::Internal("use of an empty db::Statement");
  return conn_->Error(rc, sql_);
}

// Binding starts a new execution: a statement stepped since its last reset is reset first
// (bindings are kept by sqlite3_reset, so earlier Binds still apply).
#define CAIRN_DB_BIND(call)                                                      \
  do {                                                                           \
    if (stmt_ == nullptr) {                                                      \
      if (bind_error_.ok()) bind_error_ = Error(SQLITE_MISUSE);                  \
      return *this;                                                              \
    }                                                                            \
    if (done_ || sqlite3_stmt_busy(stmt_)) {                                     \
      sqlite3_reset(stmt_);                                                      \
      done_ = false;                                                             \
      bind_error_ = Status();                                                    \
    }                                                                            \
    int rc = (call);                                                             \
    if (rc != SQLITE_OK && bind_error_.ok()) {                                   \
      bind_error_ = Error(rc).WithContext("parameter " + std::to_string(index)); \
    }                                                                            \
    return *this;                                                                \
  } while (0)

Statement& Statement::Bind(int index, std::string_view text) {
  // A null pointer would bind NULL, so an empty text points at "".
  CAIRN_DB_BIND(sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                                    SQLITE_TRANSIENT, SQLITE_UTF8));
}

Statement& Statement::Bind(int index, int64_t value) {
  CAIRN_DB_BIND(sqlite3_bind_int64(stmt_, index, value));
}

Statement& Statement::Bind(int index, double value) {
  CAIRN_DB_BIND(sqlite3_bind_double(stmt_, index, value));
}

Statement& Statement::BindNull(int index) { CAIRN_DB_BIND(sqlite3_bind_null(stmt_, index)); }

#undef CAIRN_DB_BIND

Statement& Statement::Bind(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view(*value)) : BindNull(index);
}

Statement& Statement::Bind(int index, const std::optional<int64_t>& value) {
  return value ? Bind(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  if (stmt_ == nullptr) return Error(SQLITE_MISUSE);
  if (done_ && bind_error_.ok()) {  // stepping a finished statement runs it again
    sqlite3_reset(stmt_);
    done_ = false;
  }
  if (!bind_error_.ok()) {
    done_ = true;  // the next Bind starts over
    return bind_error_;
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  done_ = true;
  if (rc == SQLITE_DONE) return false;
  return Error(rc);
}

Status Statement::Run() {
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status();
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return std::string();
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::ColumnOptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnText(column);
}

std::optional<int64_t> Statement::ColumnOptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnInt(column);
}

int Statement::ColumnCount() const { return stmt_ == nullptr ? 0 : sqlite3_column_count(stmt_); }

int64_t Statement::changes() const {
  return conn_ == nullptr ? 0 : sqlite3_changes64(conn_->handle_);
}

// ---- Connection ----

Connection::Connection(sqlite3* handle, std::string path)
    : handle_(handle), path_(std::move(path)) {}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  // _v2: should a Statement outlive us (a bug), the handle closes when it is finalized.
  sqlite3_close_v2(handle_);
}

Status Connection::Error(int rc, std::string_view sql) const {
  std::string message = Describe(handle_, rc, path_);
  if (!sql.empty()) {
    message += " (in \"";
    message += SqlHead(sql);
    message += "\")";
  }
  return Status(CodeOf(rc), std::move(message));
}

Status Connection::Exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec wants a terminated string
  int rc = sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, sql);
  return Status();
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  // Most recently returned first: the statement a hot loop just used.
  for (size_t i = cache_.size(); i-- > 0;) {
    if (cache_[i].first == sql) {
      auto entry = std::move(cache_[i]);
      cache_.erase(cache_.begin() + static_cast<ptrdiff_t>(i));
      return Statement(this, entry.second, std::move(entry.first));
    }
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return Error(rc, sql);
  if (stmt == nullptr) {
    return Status::Internal(path_ + ": no SQL statement in \"" + SqlHead(sql) + "\"");
  }
  for (const char* end = sql.data() + sql.size(); tail != nullptr && tail < end; ++tail) {
    if (*tail != ' ' && *tail != '\n' && *tail != '\t' && *tail != '\r' && *tail != ';') {
      sqlite3_finalize(stmt);
      return Status::Internal(path_ + ": Prepare takes one statement, got more in \"" +
                              SqlHead(sql) + "\"");
    }
  }
  return Statement(this, stmt, std::string(sql));
}

void Connection::Return(std::string sql, sqlite3_stmt* stmt) {
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (cache_.size() >= kMaxCachedStatements) {
    sqlite3_finalize(cache_.front().second);
    cache_.erase(cache_.begin());
  }
  cache_.emplace_back(std::move(sql), stmt);
}

int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(handle_); }

bool Connection::InTransaction() const { return sqlite3_get_autocommit(handle_) == 0; }

std::string Connection::ILikeExpr(std::string_view lhs, std::string_view rhs) const {
  std::string out;
  if (dialect() == Dialect::kPostgres) {
    out.append(lhs).append(" ILIKE ").append(rhs);
  } else {
    out.append("lower(").append(lhs).append(") LIKE lower(").append(rhs).append(")");
  }
  return out;
}

Result<std::unique_ptr<Connection>> OpenSqlite(const std::string& path,
                                               const SqliteOptions& options) {
  int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* handle = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = Describe(handle, rc, path);
    sqlite3_close_v2(handle);
    core::Code code = CodeOf(rc);
    return Status(code == core::Code::kInternalError ? core::Code::kIoError : code,
                  "cannot open database " + message);
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, options.busy_timeout_ms);
  std::unique_ptr<Connection> conn(new Connection(handle, path));

  const bool memory = path == ":memory:" || path.empty();
  std::string setup = "PRAGMA foreign_keys=ON; PRAGMA case_sensitive_like=ON; PRAGMA synchronous=";
  setup += options.durable ? "FULL;" : "NORMAL;";
  // Reads the header, so a file that is not a database fails here (SQLITE_NOTADB).
  if (!memory && !options.read_only) setup += " PRAGMA journal_mode=WAL;";
  setup += " PRAGMA schema_version;";
  CAIRN_RETURN_IF_ERROR(conn->Exec(setup));
  return conn;
}

// ---- Transaction ----

Transaction::Transaction(Connection& conn) : conn_(conn) {
  Result<Statement> begin = conn_.Prepare("BEGIN IMMEDIATE");
  begin_ = begin.ok() ? begin->Run() : begin.status();
}

Transaction::~Transaction() {
  if (!begin_.ok() || done_ || !conn_.InTransaction()) return;
  // SQLite may have rolled back by itself (after an I/O error, say): then there is nothing to do.
  Result<Statement> rollback = conn_.Prepare("ROLLBACK");
  if (rollback.ok()) (void)rollback->Run();
}

Status Transaction::Commit() {
  if (!begin_.ok()) return begin_;
  if (done_) return Status::InvalidState(conn_.path() + ": transaction committed twice");
  CAIRN_ASSIGN_OR_RETURN(Statement commit, conn_.Prepare("COMMIT"));
  CAIRN_RETURN_IF_ERROR(commit.Run());
  done_ = true;
  return Status();
}

Status InTransaction(Connection& conn, const std::function<Status()>& body) {
  for (size_t attempt = 0;; ++attempt) {
    const bool last = attempt == std::size(kRetryWaits);
    {
      Transaction txn(conn);
      Status status = txn.status();
      if (status.ok()) {
        CAIRN_RETURN_IF_ERROR(body());  // ~Transaction rolls back
        status = txn.Commit();
      }
      if (status.ok() || !IsBusy(status) || last) return status;
    }  // rolled back before waiting, so others may go ahead
    std::this_thread::sleep_for(kRetryWaits[attempt]);
  }
}

// ---- ConnectionPool ----

ConnectionPool::ConnectionPool(Opener open, size_t max_idle)
    : open_(std::move(open)), max_idle_(max_idle) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) pool_->Release(std::move(conn_));
}

Result<ConnectionPool::Lease> ConnectionPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  // Opening takes a while (file open, pragmas): not under the lock.
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, open_());
  return Lease(this, std::move(conn));
}

void ConnectionPool::Release(std::unique_ptr<Connection> conn) {
  // A connection left inside a transaction would hold the write lock while idle.
  if (conn->InTransaction()) (void)conn->Exec("ROLLBACK");
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < max_idle_) {
      idle_.push_back(std::move(conn));
      return;
    }
  }
  // Beyond max_idle: closed here, outside the lock.
}

}  // namespace cairn::db
