// SearchExperiments compiled to one SQL query (MLflow's search_experiments): filter on name /
// attribute.name (= != LIKE ILIKE), creation_time / last_update_time (numeric), tags.<key>
// (= != LIKE ILIKE); order by name, experiment_id, creation_time, last_update_time, by default
// creation_time DESC, experiment_id ASC, with experiment_id DESC breaking ties otherwise (as
// MLflow's sqlalchemy store does). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/db.h"
#include "track/sql_query.h"
#include "track/track.h"

namespace cairn::track {

/// The experiments table is aliased `e`; `columns` selects from it.
core::Result<SqlQuery> CompileExperimentSearch(const db::Connection& conn, std::string_view columns,
                                               const SearchExperimentsRequest& request,
                                               int64_t offset, int64_t limit);

}  // namespace cairn::track
