// SearchLoggedModels as SQL (logged_model_query.h). Pure; thread-safe.
#include "track/logged_model_query.h"

#include <fmt/format.h>

#include "core/strings.h"
#include "db/filter.h"

namespace cairn::track {
namespace {

using core::Result;
using core::Status;

struct Field {
  std::string_view key;
  std::string_view column;
  bool numeric;
};

constexpr Field kFields[] = {
    {"name", "m.name", false},
    {"model_id", "m.model_id", false},
    {"model_type", "m.model_type", false},
    {"status", "m.status", false},
    {"source_run_id", "m.source_run_id", false},
    {"creation_timestamp", "m.creation_timestamp_ms", true},
    {"creation_time", "m.creation_timestamp_ms", true},
    {"last_updated_timestamp", "m.last_updated_timestamp_ms", true},
};

bool IsAttributeEntity(std::string_view entity) {
  return entity.empty() || entity == "attribute" || entity == "attributes" || entity == "attr";
}

Result<Field> FindField(std::string_view key) {
  for (const Field& field : kFields) {
    if (field.key == key) return field;
  }
  return Status::InvalidArgument(fmt::format(
      "Invalid attribute key '{}' specified. Valid keys are ['name', 'model_id', 'model_type', "
      "'status', 'source_run_id', 'creation_timestamp', 'last_updated_timestamp']",
      key));
}

// "READY" means "LOGGED_MODEL_READY": the short names the UI shows are accepted too.
db::Comparison NormalizeStatus(db::Comparison c) {
  auto full = [](std::string& value) {
    if (value == "PENDING" || value == "READY" || value == "UPLOAD_FAILED") {
      value = "LOGGED_MODEL_" + value;
    }
  };
  full(c.value);
  for (std::string& item : c.list) full(item);
  return c;
}

Status AddFilter(const db::Connection& conn, const db::Comparison& c, SqlQuery& where) {
  if (c.entity == "metric" || c.entity == "metrics") {
    if (c.value_kind != db::ValueKind::kNumber) {
      return Status::InvalidArgument(
          fmt::format("Expected numeric value type for metric. Found {}", ValueText(c)));
    }
    CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kNumericOps));
    where
        .Append(
            " AND EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_id = m.model_id "
            "AND x.metric_name = ? AND x.is_nan = 0 AND ",
            {c.key})
        .Append(NumericComparison("x.metric_value", c))
        .Append(")");
    return Status::Ok();
  }
  const bool tag = c.entity == "tag" || c.entity == "tags";
  const bool param = c.entity == "param" || c.entity == "params" || c.entity == "parameter" ||
                     c.entity == "parameters";
  if (tag || param) {
    if (c.value_kind != db::ValueKind::kString) {
      return Status::InvalidArgument(
          fmt::format("Expected a quoted string value for {} (e.g. 'my-value'). Got value {}",
                      tag ? "tag" : "parameter", ValueText(c)));
    }
    CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kStringOps));
    where
        .Append(tag ? " AND EXISTS (SELECT 1 FROM logged_model_tags x WHERE x.model_id = "
                      "m.model_id AND x.tag_key = ? AND "
                    : " AND EXISTS (SELECT 1 FROM logged_model_params x WHERE x.model_id = "
                      "m.model_id AND x.param_key = ? AND ",
                {c.key})
        .Append(StringComparison(conn, tag ? "x.tag_value" : "x.param_value", c))
        .Append(")");
    return Status::Ok();
  }
  if (!IsAttributeEntity(c.entity)) {
    return Status::InvalidArgument(fmt::format(
        "Invalid entity type '{}'. Valid values are ['attribute', 'metric', 'param', 'tag']",
        c.entity));
  }
  CAIRN_ASSIGN_OR_RETURN(Field field, FindField(c.key));
  if (field.numeric) {
    if (c.value_kind != db::ValueKind::kNumber) {
      return Status::InvalidArgument(fmt::format(
          "Expected numeric value type for numeric attribute: {}. Found {}", c.key, ValueText(c)));
    }
    CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kNumericOps));
    where.Append(" AND ").Append(NumericComparison(field.column, c));
    return Status::Ok();
  }
  if (c.value_kind == db::ValueKind::kNumber) {
    return Status::InvalidArgument(fmt::format(
        "Expected a quoted string value for attribute '{}'. Got value {}", c.key, ValueText(c)));
  }
  CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kStringListOps));
  const bool list_op = c.op == db::CompareOp::kIn || c.op == db::CompareOp::kNotIn;
  if (list_op != (c.value_kind == db::ValueKind::kList)) {
    return Status::InvalidArgument(fmt::format("Comparator '{}' does not take the value {}",
                                               db::CompareOpName(c.op), ValueText(c)));
  }
  where.Append(" AND ").Append(
      StringComparison(conn, field.column, field.key == "status" ? NormalizeStatus(c) : c));
  return Status::Ok();
}

Status AddOrder(const LoggedModelOrder& order, int n, SqlQuery& terms) {
  CAIRN_ASSIGN_OR_RETURN(db::OrderBy parsed, db::ParseOrderBy(order.field_name));
  const std::string_view direction = order.ascending ? "ASC" : "DESC";
  if (parsed.entity == "metric" || parsed.entity == "metrics") {
    // The model's latest value of the metric (by step, then timestamp), for the dataset when
    // one is named.
    std::string value = fmt::format(
        "(SELECT CASE WHEN x{0}.is_nan = 1 THEN NULL ELSE x{0}.metric_value END FROM "
        "logged_model_metrics x{0} WHERE x{0}.model_id = m.model_id AND x{0}.metric_name = ?",
        n);
    std::vector<SqlArg> args = {parsed.key};
    if (!order.dataset_name.empty()) {
      value += fmt::format(" AND x{}.dataset_name = ?", n);
      args.emplace_back(order.dataset_name);
    }
    if (!order.dataset_digest.empty()) {
      value += fmt::format(" AND x{}.dataset_digest = ?", n);
      args.emplace_back(order.dataset_digest);
    }
    value +=
        fmt::format(" ORDER BY x{0}.metric_step DESC, x{0}.metric_timestamp_ms DESC LIMIT 1)", n);
    // The subquery appears twice (missing-last, then the value), so its arguments do too.
    std::vector<SqlArg> twice = args;
    twice.insert(twice.end(), args.begin(), args.end());
    terms.Append(fmt::format("{0} IS NULL, {0} {1}, ", value, direction), std::move(twice));
    return Status::Ok();
  }
  if (!IsAttributeEntity(parsed.entity)) {
    return Status::InvalidArgument(fmt::format(
        "Invalid order_by field '{}': expected an attribute or metrics.<key>", order.field_name));
  }
  CAIRN_ASSIGN_OR_RETURN(Field field, FindField(parsed.key));
  terms.Append(fmt::format("{} {}, ", field.column, direction));
  return Status::Ok();
}

}  // namespace

Result<SqlQuery> CompileLoggedModelSearch(const db::Connection& conn, std::string_view columns,
                                          const std::vector<int64_t>& experiment_ids,
                                          const SearchLoggedModelsRequest& request, int64_t offset,
                                          int64_t limit) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Comparison> comparisons, db::ParseFilter(request.filter));
  SqlQuery where;
  for (const db::Comparison& c : comparisons) CAIRN_RETURN_IF_ERROR(AddFilter(conn, c, where));
  SqlQuery terms;
  if (request.order_by.empty()) {
    terms.Append("m.creation_timestamp_ms DESC, ");
  }
  int n = 0;
  for (const LoggedModelOrder& order : request.order_by) {
    CAIRN_RETURN_IF_ERROR(AddOrder(order, ++n, terms));
  }
  terms.Append("m.model_id ASC");

  SqlQuery query;
  query.Append(
      fmt::format("SELECT {} FROM logged_models m WHERE m.experiment_id IN ({}) AND "
                  "m.lifecycle_stage = 'active'",
                  columns, Placeholders(experiment_ids.size())));
  for (int64_t id : experiment_ids) query.args.emplace_back(id);
  query.Append(where);
  query.Append(" ORDER BY ").Append(terms);
  query.Append(" LIMIT ? OFFSET ?", {limit, offset});
  return query;
}

}  // namespace cairn::track
