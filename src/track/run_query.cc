// SearchRuns as SQL (run_query.h). Pure; thread-safe.
#include "track/run_query.h"

#include <fmt/format.h>

#include <set>
#include <utility>

#include "core/strings.h"
#include "db/filter.h"

namespace cairn::track {
namespace {

using core::Result;
using core::Status;

enum class Entity { kMetric, kParam, kTag, kAttribute, kDataset };

std::string_view EntityName(Entity entity) {
  switch (entity) {
    case Entity::kMetric:
      return "metric";
    case Entity::kParam:
      return "parameter";
    case Entity::kTag:
      return "tag";
    case Entity::kAttribute:
      return "attribute";
    case Entity::kDataset:
      return "dataset";
  }
  return "attribute";
}

Result<Entity> ParseEntity(std::string_view entity) {
  if (entity.empty()) return Entity::kAttribute;
  if (entity == "metric" || entity == "metrics") return Entity::kMetric;
  if (entity == "param" || entity == "params" || entity == "parameter" || entity == "parameters") {
    return Entity::kParam;
  }
  if (entity == "tag" || entity == "tags") return Entity::kTag;
  if (entity == "attribute" || entity == "attributes" || entity == "attr" || entity == "run") {
    return Entity::kAttribute;
  }
  if (entity == "dataset" || entity == "datasets") return Entity::kDataset;
  return Status::InvalidArgument(fmt::format(
      "Invalid entity type '{}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', "
      "'dataset']",
      entity));
}

struct Attribute {
  std::string_view key;
  std::string_view column;
  bool numeric;
};

constexpr Attribute kAttributes[] = {
    {"run_id", "r.run_uuid", false},           {"run_name", "r.name", false},
    {"user_id", "r.user_id", false},           {"status", "r.status", false},
    {"artifact_uri", "r.artifact_uri", false}, {"start_time", "r.start_time", true},
    {"end_time", "r.end_time", true},
};

constexpr std::string_view kValidAttributeKeys =
    "['run_id', 'run_name', 'user_id', 'status', 'artifact_uri', 'start_time', 'end_time', "
    "'created', 'Created', 'run name', 'Run name', 'Run Name']";

// MLflow's key aliases: created -> start_time, "run name" -> run_name.
std::string_view TranslateAlias(std::string_view key) {
  if (key == "created" || key == "Created") return "start_time";
  if (key == "run name" || key == "Run name" || key == "Run Name") return "run_name";
  return key;
}

Result<Attribute> FindAttribute(std::string_view key) {
  std::string_view translated = TranslateAlias(key);
  for (const Attribute& attribute : kAttributes) {
    if (attribute.key == translated) return attribute;
  }
  return Status::InvalidArgument(fmt::format(
      "Invalid attribute key '{}' specified. Valid keys are '{}'", key, kValidAttributeKeys));
}

// MLflow keeps only run ids that are lower case (str.islower): some lowercase letter, no
// uppercase one.
std::vector<std::string> LowerCaseRunIds(const std::vector<std::string>& ids) {
  std::vector<std::string> kept;
  for (const std::string& id : ids) {
    bool has_lower = false;
    bool has_upper = false;
    for (char c : id) {
      has_lower = has_lower || (c >= 'a' && c <= 'z');
      has_upper = has_upper || (c >= 'A' && c <= 'Z');
    }
    if (has_lower && !has_upper) kept.push_back(id);
  }
  return kept;
}

bool IsListOp(db::CompareOp op) { return op == db::CompareOp::kIn || op == db::CompareOp::kNotIn; }

// IN/NOT IN take a list, and a list needs IN/NOT IN.
Status CheckListShape(const db::Comparison& c) {
  const bool list = c.value_kind == db::ValueKind::kList;
  if (IsListOp(c.op) && !list) {
    return Status::InvalidArgument(
        fmt::format("Comparator '{}' expects a parenthesised list of quoted strings, got {}",
                    db::CompareOpName(c.op), ValueText(c)));
  }
  if (list && !IsListOp(c.op)) {
    return Status::InvalidArgument(fmt::format(
        "A list value needs the IN or NOT IN comparator, got '{}'", db::CompareOpName(c.op)));
  }
  return Status::Ok();
}

// The parts of the query the filter contributes. Its joins are CROSS JOINs, which SQLite
// never reorders: the runs of the searched experiments drive the query and each filter is a
// primary-key lookup per run. (Left to itself, without table statistics, SQLite would start
// from the metric index and look each run up by its id, twice as slow on 10,000 runs.)
struct FilterSql {
  SqlQuery joins;
  SqlQuery where;  // " AND ..." clauses
};

Status AddMetricFilter(const db::Comparison& c, int n, FilterSql& out) {
  if (c.value_kind != db::ValueKind::kNumber) {
    return Status::InvalidArgument(
        fmt::format("Expected numeric value type for metric. Found {}", ValueText(c)));
  }
  CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kNumericOps));
  const std::string alias = fmt::format("f{}", n);
  out.joins.Append(fmt::format(" CROSS JOIN latest_metrics {0} ON {0}.run_key = r.run_key AND "
                               "{0}.key = ? AND ",
                               alias),
                   {c.key});
  // IEEE semantics: NaN only satisfies !=.
  if (c.op == db::CompareOp::kNe) {
    out.joins.Append("(" + alias + ".is_nan = 1 OR ")
        .Append(NumericComparison(alias + ".value", c))
        .Append(")");
  } else {
    out.joins.Append(alias + ".is_nan = 0 AND ").Append(NumericComparison(alias + ".value", c));
  }
  return Status::Ok();
}

Status AddKeyValueFilter(const db::Connection& conn, Entity entity, const db::Comparison& c, int n,
                         FilterSql& out) {
  if (c.value_kind != db::ValueKind::kString) {
    return Status::InvalidArgument(
        fmt::format("Expected a quoted string value for {} (e.g. 'my-value'). Got value {}",
                    EntityName(entity), ValueText(c)));
  }
  CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kStringOps));
  const std::string alias = fmt::format("f{}", n);
  const std::string_view table = entity == Entity::kParam ? "params" : "tags";
  out.joins
      .Append(fmt::format(" CROSS JOIN {1} {0} ON {0}.run_key = r.run_key AND {0}.key = ? AND ",
                          alias, table),
              {c.key})
      .Append(StringComparison(conn, alias + ".value", c));
  return Status::Ok();
}

Status AddAttributeFilter(const db::Connection& conn, const db::Comparison& c, FilterSql& out) {
  CAIRN_ASSIGN_OR_RETURN(Attribute attribute, FindAttribute(c.key));
  if (attribute.numeric) {
    if (c.value_kind != db::ValueKind::kNumber) {
      return Status::InvalidArgument(fmt::format(
          "Expected numeric value type for numeric attribute: {}. Found {}", c.key, ValueText(c)));
    }
    CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kNumericOps));
    out.where.Append(" AND ").Append(NumericComparison(attribute.column, c));
    return Status::Ok();
  }
  if (c.value_kind == db::ValueKind::kNumber) {
    return Status::InvalidArgument(fmt::format(
        "Expected a quoted string value or a list of quoted string values for attributes. Got "
        "value {}",
        ValueText(c)));
  }
  if (c.value_kind == db::ValueKind::kList && attribute.key != "run_id") {
    return Status::InvalidArgument(
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  }
  CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kStringListOps));
  CAIRN_RETURN_IF_ERROR(CheckListShape(c));
  if (c.value_kind == db::ValueKind::kList) {
    db::Comparison lowered = c;
    lowered.list = LowerCaseRunIds(c.list);
    out.where.Append(" AND ").Append(StringComparison(conn, attribute.column, lowered));
    return Status::Ok();
  }
  out.where.Append(" AND ").Append(StringComparison(conn, attribute.column, c));
  return Status::Ok();
}

Status AddDatasetFilter(const db::Connection& conn, const db::Comparison& c, FilterSql& out) {
  if (c.key != "name" && c.key != "digest" && c.key != "context") {
    return Status::InvalidArgument(fmt::format(
        "Invalid dataset key '{}' specified. Valid keys are '['name', 'digest', 'context']'",
        c.key));
  }
  if (c.value_kind == db::ValueKind::kNumber) {
    return Status::InvalidArgument(fmt::format(
        "Expected a quoted string value for dataset attributes. Got value {}", ValueText(c)));
  }
  CAIRN_RETURN_IF_ERROR(CheckComparator(c.op, kStringListOps));
  CAIRN_RETURN_IF_ERROR(CheckListShape(c));
  constexpr std::string_view kInputsOfRun =
      "FROM inputs i WHERE i.destination_id = r.run_uuid AND i.destination_type = 'RUN' AND "
      "i.source_type = 'DATASET'";
  if (c.key == "context") {
    out.where
        .Append(fmt::format(" AND EXISTS (SELECT 1 {} AND EXISTS (SELECT 1 FROM input_tags t "
                            "WHERE t.input_uuid = i.input_uuid AND t.name = "
                            "'mlflow.data.context' AND ",
                            kInputsOfRun))
        .Append(StringComparison(conn, "t.value", c))
        .Append("))");
  } else {
    out.where
        .Append(fmt::format(" AND EXISTS (SELECT 1 {} AND EXISTS (SELECT 1 FROM datasets d WHERE "
                            "d.dataset_uuid = i.source_id AND ",
                            kInputsOfRun))
        .Append(StringComparison(conn, "d." + c.key, c))
        .Append("))");
  }
  return Status::Ok();
}

Result<FilterSql> CompileFilter(const db::Connection& conn, std::string_view filter) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Comparison> comparisons, db::ParseFilter(filter));
  FilterSql out;
  int n = 0;
  for (const db::Comparison& c : comparisons) {
    CAIRN_ASSIGN_OR_RETURN(Entity entity, ParseEntity(c.entity));
    ++n;
    switch (entity) {
      case Entity::kMetric:
        CAIRN_RETURN_IF_ERROR(AddMetricFilter(c, n, out));
        break;
      case Entity::kParam:
      case Entity::kTag:
        CAIRN_RETURN_IF_ERROR(AddKeyValueFilter(conn, entity, c, n, out));
        break;
      case Entity::kAttribute:
        CAIRN_RETURN_IF_ERROR(AddAttributeFilter(conn, c, out));
        break;
      case Entity::kDataset:
        CAIRN_RETURN_IF_ERROR(AddDatasetFilter(conn, c, out));
        break;
    }
  }
  return out;
}

struct OrderSql {
  SqlQuery joins;
  std::vector<std::string> terms;
};

Result<OrderSql> CompileOrderBy(const std::vector<std::string>& clauses) {
  OrderSql out;
  std::set<std::pair<Entity, std::string>> seen;
  bool by_start_time = false;
  int n = 0;
  for (const std::string& clause : clauses) {
    CAIRN_ASSIGN_OR_RETURN(db::OrderBy order, db::ParseOrderBy(clause));
    CAIRN_ASSIGN_OR_RETURN(Entity entity, ParseEntity(order.entity));
    const std::string_view direction = order.ascending ? "ASC" : "DESC";
    std::string key = order.key;
    ++n;
    switch (entity) {
      case Entity::kMetric: {
        const std::string alias = fmt::format("o{}", n);
        out.joins.Append(fmt::format(" LEFT JOIN latest_metrics {0} ON {0}.run_key = r.run_key "
                                     "AND {0}.key = ?",
                                     alias),
                         {key});
        out.terms.push_back(fmt::format(
            "CASE WHEN {0}.is_nan = 1 THEN 1 WHEN {0}.value IS NULL THEN 2 ELSE 0 END", alias));
        out.terms.push_back(fmt::format("{}.value {}", alias, direction));
        break;
      }
      case Entity::kParam:
      case Entity::kTag: {
        const std::string alias = fmt::format("o{}", n);
        out.joins.Append(fmt::format(" LEFT JOIN {1} {0} ON {0}.run_key = r.run_key AND "
                                     "{0}.key = ?",
                                     alias, entity == Entity::kParam ? "params" : "tags"),
                         {key});
        out.terms.push_back(fmt::format("{}.value IS NULL", alias));
        out.terms.push_back(fmt::format("{}.value {}", alias, direction));
        break;
      }
      case Entity::kAttribute: {
        CAIRN_ASSIGN_OR_RETURN(Attribute attribute, FindAttribute(order.key));
        key = std::string(attribute.key);
        by_start_time = by_start_time || attribute.key == "start_time";
        out.terms.push_back(fmt::format("{} IS NULL", attribute.column));
        out.terms.push_back(fmt::format("{} {}", attribute.column, direction));
        break;
      }
      case Entity::kDataset:
        return Status::InvalidArgument(fmt::format(
            "Invalid order_by clause '{}': runs cannot be ordered by a dataset field", clause));
    }
    if (!seen.emplace(entity, key).second) {
      std::vector<std::string> quoted;
      for (const std::string& c : clauses) quoted.push_back("'" + c + "'");
      return Status::InvalidArgument(
          fmt::format("`order_by` contains duplicate fields: [{}]", core::Join(quoted, ", ")));
    }
  }
  if (!by_start_time) out.terms.push_back("r.start_time DESC");
  out.terms.push_back("r.run_uuid ASC");
  return out;
}

}  // namespace

std::string_view LifecycleStagesSql(ViewType view) {
  switch (view) {
    case ViewType::kActiveOnly:
      return "'active'";
    case ViewType::kDeletedOnly:
      return "'deleted'";
    case ViewType::kAll:
      return "'active', 'deleted'";
  }
  return "'active'";
}

Result<SqlQuery> CompileRunSearch(const db::Connection& conn, const RunSearchSpec& spec) {
  CAIRN_ASSIGN_OR_RETURN(FilterSql filter, CompileFilter(conn, spec.filter));
  static const std::vector<std::string> kNoOrder;
  CAIRN_ASSIGN_OR_RETURN(OrderSql order, CompileOrderBy(spec.order_by ? *spec.order_by : kNoOrder));
  SqlQuery query;
  query.Append(fmt::format("SELECT {} FROM runs r", spec.columns));
  query.Append(filter.joins);
  query.Append(order.joins);
  query.Append(fmt::format(" WHERE r.experiment_id IN ({}) AND r.lifecycle_stage IN ({})",
                           Placeholders(spec.experiment_ids.size()),
                           LifecycleStagesSql(spec.view)));
  for (int64_t id : spec.experiment_ids) query.args.emplace_back(id);
  query.Append(filter.where);
  query.Append(" ORDER BY " + core::Join(order.terms, ", "));
  query.Append(" LIMIT ? OFFSET ?", {spec.limit, spec.offset});
  return query;
}

}  // namespace cairn::track
