// Rows to entities for the SQL registry store: the column lists every SELECT uses, loaders
// that turn a query's rows into RegisteredModel/ModelVersion values with their tags, aliases and
// latest versions (a fixed number of queries however many rows), bound parameters, the clock,
// and a read snapshot. Private to the registry module. Functions are thread-safe; a Connection
// is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "db/db.h"
#include "registry/registry.h"

namespace cairn::registry::sql {

using BindValue = std::variant<std::string, int64_t, double>;

/// SQL text with '?' placeholders and their values, in order.
struct Query {
  std::string sql;
  std::vector<BindValue> binds;
};

/// Prepares `query` and binds its values.
Result<db::Statement> Prepare(db::Connection& conn, const Query& query);

/// What a query of registered models selects, in this order (table alias rm).
inline constexpr std::string_view kModelColumns =
    "rm.name, rm.creation_time, rm.last_updated_time, rm.description, rm.user_id";
/// What a query of model versions selects, in this order (table alias mv).
inline constexpr std::string_view kVersionColumns =
    "mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, mv.user_id, "
    "mv.current_stage, mv.source, mv.run_id, mv.run_link, mv.status, mv.status_message, "
    "mv.storage_location, mv.model_id";

/// The models `query` (a SELECT of kModelColumns FROM registered_models rm ...) returns, in its
/// order, each with its tags, aliases and latest version per stage.
Result<std::vector<RegisteredModel>> LoadModels(db::Connection& conn, const Query& query);
/// The versions `query` (a SELECT of kVersionColumns FROM model_versions mv ...) returns, in its
/// order, each with its tags and aliases.
Result<std::vector<ModelVersion>> LoadVersions(db::Connection& conn, const Query& query);

/// Milliseconds since the epoch, from the system clock.
int64_t NowMs();

/// BEGIN (deferred) now, ROLLBACK when destroyed: the queries in between see one snapshot of
/// the database. Check status() first.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(db::Connection& conn);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;
  const Status& status() const { return begin_; }

 private:
  db::Connection& conn_;
  Status begin_;
};

}  // namespace cairn::registry::sql
