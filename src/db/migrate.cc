// Migrate: numbered schema steps per component, recorded in cairn_schema.
//
// Each step reads the recorded version and applies the next migration inside one
// BEGIN IMMEDIATE transaction, so two processes starting on the same database at once take
// turns instead of applying a step twice. Runs on the caller's connection; not thread-safe
// beyond that.
#include <string>

#include "db/db.h"

namespace cairn::db {
namespace {

constexpr std::string_view kCreateSchemaTable =
    "CREATE TABLE IF NOT EXISTS cairn_schema ("
    "component TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL)";
constexpr std::string_view kSelectVersion = "SELECT version FROM cairn_schema WHERE component = ?";
constexpr std::string_view kRecordVersion =
    "INSERT INTO cairn_schema (component, version) VALUES (?, ?) "
    "ON CONFLICT (component) DO UPDATE SET version = excluded.version";

// The version recorded for `component`; 0 when none is.
Result<int> RecordedVersion(Connection& conn, std::string_view component) {
  CAIRN_ASSIGN_OR_RETURN(Statement select, conn.Prepare(kSelectVersion));
  select.Bind(1, component);
  CAIRN_ASSIGN_OR_RETURN(bool row, select.Step());
  return row ? static_cast<int>(select.ColumnInt(0)) : 0;
}

}  // namespace

Result<int> Migrate(Connection& conn, std::string_view component,
                    std::span<const Migration> migrations) {
  for (size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return Status::Internal("the " + std::string(component) + " migrations are not numbered " +
                              "1, 2, 3...: #" + std::to_string(i + 1) + " says version " +
                              std::to_string(migrations[i].version));
    }
  }
  const int latest = static_cast<int>(migrations.size());
  int version = 0;
  bool finished = false;
  while (!finished) {
    CAIRN_RETURN_IF_ERROR(InTransaction(conn, [&]() -> Status {
      CAIRN_RETURN_IF_ERROR(conn.Exec(kCreateSchemaTable));
      CAIRN_ASSIGN_OR_RETURN(version, RecordedVersion(conn, component));
      if (version > latest) {
        return Status::InvalidState(conn.path() + ": the " + std::string(component) +
                                    " schema is version " + std::to_string(version) +
                                    ", newer than this cairn knows (" + std::to_string(latest) +
                                    "); upgrade cairn");
      }
      if (version == latest) {
        finished = true;
        return Status();
      }
      const Migration& next = migrations[static_cast<size_t>(version)];
      Status applied = conn.Exec(next.sql);
      if (!applied.ok()) {
        return applied.WithContext(std::string(component) + " schema migration " +
                                   std::to_string(next.version));
      }
      CAIRN_ASSIGN_OR_RETURN(Statement record, conn.Prepare(kRecordVersion));
      record.Bind(1, component).Bind(2, next.version);
      CAIRN_RETURN_IF_ERROR(record.Run());
      version = next.version;
      return Status();
    }));
  }
  return version;
}

}  // namespace cairn::db
