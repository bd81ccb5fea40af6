// SearchExperiments as SQL (experiment_query.h). Pure; thread-safe.
#include "track/experiment_query.h"

#include <fmt/format.h>

#include "core/strings.h"
#include "db/filter.h"
#include "track/run_query.h"

namespace cairn::track {
namespace {

using core::Result;
using core::Status;

bool IsAttributeEntity(std::string_view entity) {
  return entity.empty() || entity == "attribute" || entity == "attributes" || entity == "attr";
}

bool IsTagEntity(std::string_view entity) { return entity == "tag" || entity == "tags"; }

Status InvalidEntity(std::string_view entity) {
  return Status::InvalidArgument(
      fmt::format("Invalid entity type '{}'. Valid values are ['attribute', 'tag']", entity));
}

Status AddFilter(const db::Connection& conn, const db::Comparison& c, int n, SqlQuery& joins,
                 SqlQuery& where) {
  if (IsTagEntity(c.entity)) {
    if (c.value_kind != db::ValueKind::kString) {
      return Status::InvalidArgument(fmt::format(
          "Expected a quoted string value for tag (e.g. 'my-value'). Got value {}", ValueText(c)));
    }
    CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kStringOps));
    const std::string alias = fmt::format("t{}", n);
    joins
        .Append(fmt::format(" JOIN experiment_tags {0} ON {0}.experiment_id = e.experiment_id "
                            "AND {0}.key = ? AND ",
                            alias),
                {c.key})
        .Append(StringComparison(conn, alias + ".value", c));
    return Status::Ok();
  }
  if (!IsAttributeEntity(c.entity)) return InvalidEntity(c.entity);
  if (c.key == "name") {
    if (c.value_kind != db::ValueKind::kString) {
      return Status::InvalidArgument(fmt::format(
          "Expected a quoted string value for attribute 'name'. Got value {}", ValueText(c)));
    }
    CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kStringOps));
    where.Append(" AND ").Append(StringComparison(conn, "e.name", c));
    return Status::Ok();
  }
  if (c.key == "creation_time" || c.key == "last_update_time") {
    if (c.value_kind != db::ValueKind::kNumber) {
      return Status::InvalidArgument(fmt::format(
          "Expected numeric value type for numeric attribute: {}. Found {}", c.key, ValueText(c)));
    }
    CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kNumericOps));
    where.Append(" AND ").Append(NumericComparison("e." + c.key, c));
    return Status::Ok();
  }
  return Status::InvalidArgument(
      fmt::format("Invalid attribute key '{}' specified. Valid keys are '['name', 'creation_time', "
                  "'last_update_time']'",
                  c.key));
}

Result<std::vector<std::string>> OrderTerms(const std::vector<std::string>& clauses) {
  static const std::vector<std::string> kDefault = {"creation_time DESC", "experiment_id ASC"};
  std::vector<std::string> terms;
  bool by_id = false;
  for (const std::string& clause : clauses.empty() ? kDefault : clauses) {
    CAIRN_ASSIGN_OR_RETURN(db::OrderBy order, db::ParseOrderBy(clause));
    if (!IsAttributeEntity(order.entity)) {
      return Status::InvalidArgument(fmt::format("Invalid order_by entity: {}", order.entity));
    }
    if (order.key != "name" && order.key != "experiment_id" && order.key != "creation_time" &&
        order.key != "last_update_time") {
      return Status::InvalidArgument(fmt::format(
          "Invalid order by key '{}' specified. Valid keys are ['name', 'experiment_id', "
          "'creation_time', 'last_update_time']",
          order.key));
    }
    by_id = by_id || order.key == "experiment_id";
    terms.push_back(fmt::format("e.{} {}", order.key, order.ascending ? "ASC" : "DESC"));
  }
  if (!by_id) terms.push_back("e.experiment_id DESC");
  return terms;
}

}  // namespace

Result<SqlQuery> CompileExperimentSearch(const db::Connection& conn, std::string_view columns,
                                         const SearchExperimentsRequest& request, int64_t offset,
                                         int64_t limit) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Comparison> comparisons, db::ParseFilter(request.filter));
  SqlQuery joins;
  SqlQuery where;
  int n = 0;
  for (const db::Comparison& c : comparisons) {
    CAIRN_RETURN_IF_ERROR(AddFilter(conn, c, ++n, joins, where));
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<std::string> terms, OrderTerms(request.order_by));
  SqlQuery query;
  query.Append(fmt::format("SELECT {} FROM experiments e", columns));
  query.Append(joins);
  query.Append(fmt::format(" WHERE e.lifecycle_stage IN ({})", LifecycleStagesSql(request.view)));
  query.Append(where);
  query.Append(" ORDER BY " + core::Join(terms, ", "));
  query.Append(" LIMIT ? OFFSET ?", {limit, offset});
  return query;
}

}  // namespace cairn::track
