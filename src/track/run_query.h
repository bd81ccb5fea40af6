// SearchRuns compiled to one SQL query (MLflow's search_runs semantics, reference section 6):
// the filter's comparisons become joins on latest_metrics/params/tags (so a run lacking the
// key never matches, even for !=), conditions on runs' columns, or EXISTS over the run's
// dataset inputs; order_by becomes outer joins with MLflow's ordering (a missing key sorts last
// in both directions, a NaN metric after every number and before a missing one), then
// start_time DESC (unless ordered by it already) and run_uuid ASC.
//
// Pure; thread-safe.
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

/// The runs table is aliased `r` in the query; `columns` selects from it (the store selects
/// r.run_uuid alone, which runs_by_experiment covers, and loads the page's runs after).
struct RunSearchSpec {
  std::string_view columns;
  std::vector<int64_t> experiment_ids;  // non-empty
  ViewType view = ViewType::kActiveOnly;
  std::string_view filter;
  const std::vector<std::string>* order_by = nullptr;
  int64_t offset = 0;
  int64_t limit = 0;
};

/// The query, or kInvalidParameterValue for a filter or order_by MLflow refuses.
core::Result<SqlQuery> CompileRunSearch(const db::Connection& conn, const RunSearchSpec& spec);

/// The lifecycle stages a view selects, as an SQL list: "'active'", "'deleted'" or both.
std::string_view LifecycleStagesSql(ViewType view);

}  // namespace cairn::track
