// SearchLoggedModels compiled to one SQL query. Filter: attributes name, model_id, model_type,
// status, source_run_id (= != LIKE ILIKE IN NOT IN), creation_timestamp and
// last_updated_timestamp (numeric), tags.<key> and params.<key> (= != LIKE ILIKE),
// metrics.<key> (numeric, any logged value). Order: those attributes or metrics.<key> (the
// latest value by step, then timestamp; models lacking it last); default creation_timestamp
// DESC; ties by model_id ASC. Only active models. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "db/db.h"
#include "track/sql_query.h"
#include "track/track.h"

namespace cairn::track {

/// The logged_models table is aliased `m`; `columns` selects from it.
core::Result<SqlQuery> CompileLoggedModelSearch(const db::Connection& conn,
                                                std::string_view columns,
                                                const std::vector<int64_t>& experiment_ids,
                                                const SearchLoggedModelsRequest& request,
                                                int64_t offset, int64_t limit);

}  // namespace cairn::track
