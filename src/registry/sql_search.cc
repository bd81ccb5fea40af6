// Search of registered models and model versions: MLflow's filter and order_by subsets for
// the registry (mlflow-api.md sections 5 and 6), checked against the keys and operators each
// search allows and compiled to SQL whose values are all bound parameters. Paging is MLflow's
// offset token; a page asks for one row more than it returns to know whether another follows.
//
// Prompts (MLflow 3 keeps them as registered models tagged mlflow.prompt.is_prompt = 'true')
// are left out unless the filter asks for them, as MLflow's SQL store does.
#include <set>
#include <string>
#include <vector>

#include "core/strings.h"
#include "db/filter.h"
#include "registry/sql_rows.h"
#include "registry/sql_store.h"

namespace cairn::registry {

namespace {

using sql::BindValue;
using sql::Query;

constexpr std::string_view kPromptTag = "mlflow.prompt.is_prompt";

// The conditions of a WHERE clause (joined with AND) and their values.
struct Where {
  std::vector<std::string> conditions;
  std::vector<BindValue> binds;
};

enum class Entity { kAttribute, kTag };

Result<Entity> EntityOf(std::string_view entity) {
  if (entity.empty() || entity == "attribute") return Entity::kAttribute;
  if (entity == "tag" || entity == "tags") return Entity::kTag;
  return Status::InvalidArgument("Invalid entity type '" + std::string(entity) +
                                 "'. Valid entity types are ('attribute', 'tag', 'tags')");
}

std::string OpText(db::CompareOp op) { return std::string(db::CompareOpName(op)); }

// `column <op> ?` for = != LIKE ILIKE.
std::string StringCondition(const db::Connection& conn, db::CompareOp op, std::string_view column) {
  switch (op) {
    case db::CompareOp::kEq:
      return std::string(column) + " = ?";
    case db::CompareOp::kNe:
      return std::string(column) + " != ?";
    case db::CompareOp::kLike:
      return std::string(column) + " LIKE ?";
    default:
      return conn.ILikeExpr(column, "?");
  }
}

bool IsStringOp(db::CompareOp op) {
  return op == db::CompareOp::kEq || op == db::CompareOp::kNe || op == db::CompareOp::kLike ||
         op == db::CompareOp::kILike;
}

Status ExpectQuotedString(const db::Comparison& c, Entity entity) {
  if (c.value_kind == db::ValueKind::kString) return Status::Ok();
  if (entity == Entity::kTag) {
    return Status::InvalidArgument(
        "Expected a quoted string value for tag (e.g. 'my-value'). Got value " + c.value);
  }
  if (c.value_kind == db::ValueKind::kList) {
    return Status::InvalidArgument(
        "Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  }
  return Status::InvalidArgument(
      "Expected a quoted string value or a list of quoted string values for attributes. Got "
      "value " +
      c.value);
}

// A tags.<key> comparison: the row has the tag and its value compares. `owner` matches the tag
// row to the searched row ("t.name = rm.name").
Status AddTagCondition(const db::Connection& conn, const db::Comparison& c,
                       std::string_view tag_table, std::string_view owner, Where* where) {
  if (!IsStringOp(c.op)) {
    return Status::InvalidArgument("Invalid comparator for tag: " + OpText(c.op));
  }
  CAIRN_RETURN_IF_ERROR(ExpectQuotedString(c, Entity::kTag));
  where->conditions.push_back("EXISTS (SELECT 1 FROM " + std::string(tag_table) + " t WHERE " +
                              std::string(owner) + " AND t.key = ? AND " +
                              StringCondition(conn, c.op, "t.value") + ")");
  where->binds.emplace_back(c.key);
  where->binds.emplace_back(c.value);
  return Status::Ok();
}

// MLflow's rule: the first comparison on the prompt tag decides whether prompts are searched.
bool QueriesPrompts(const std::vector<db::Comparison>& comparisons) {
  for (const db::Comparison& c : comparisons) {
    if (c.key != kPromptTag || c.value_kind != db::ValueKind::kString) continue;
    Result<Entity> entity = EntityOf(c.entity);
    if (!entity.ok() || *entity != Entity::kTag) continue;
    const std::string value = core::ToLower(c.value);
    return (c.op == db::CompareOp::kEq && value == "true") ||
           (c.op == db::CompareOp::kNe && value == "false");
  }
  return false;
}

// Leaves out every row whose `tag_table` has the prompt tag (unless prompts are searched, when
// the prompt-tag comparisons stay ordinary tag comparisons).
void ExcludePrompts(std::string_view tag_table, std::string_view owner, Where* where) {
  where->conditions.push_back("NOT EXISTS (SELECT 1 FROM " + std::string(tag_table) + " t WHERE " +
                              std::string(owner) + " AND t.key = ? AND t.value = 'true')");
  where->binds.emplace_back(std::string(kPromptTag));
}

Result<Where> CompileModelFilter(const db::Connection& conn, std::string_view filter) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Comparison> comparisons, db::ParseFilter(filter));
  const bool prompts = QueriesPrompts(comparisons);
  Where where;
  for (const db::Comparison& c : comparisons) {
    CAIRN_ASSIGN_OR_RETURN(Entity entity, EntityOf(c.entity));
    if (entity == Entity::kTag) {
      if (c.key == kPromptTag && !prompts) continue;
      CAIRN_RETURN_IF_ERROR(
          AddTagCondition(conn, c, "registered_model_tags", "t.name = rm.name", &where));
      continue;
    }
    if (c.key != "name") {
      return Status::InvalidArgument("Invalid attribute key '" + c.key +
                                     "' specified. Valid keys are 'name'");
    }
    if (!IsStringOp(c.op)) {
      return Status::InvalidArgument("Invalid comparator for attribute: " + OpText(c.op));
    }
    CAIRN_RETURN_IF_ERROR(ExpectQuotedString(c, Entity::kAttribute));
    where.conditions.push_back(StringCondition(conn, c.op, "rm.name"));
    where.binds.emplace_back(c.value);
  }
  if (!prompts) ExcludePrompts("registered_model_tags", "t.name = rm.name", &where);
  return where;
}

Result<Where> CompileVersionFilter(const db::Connection& conn, std::string_view filter) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<db::Comparison> comparisons, db::ParseFilter(filter));
  const bool prompts = QueriesPrompts(comparisons);
  Where where;
  for (const db::Comparison& c : comparisons) {
    CAIRN_ASSIGN_OR_RETURN(Entity entity, EntityOf(c.entity));
    if (entity == Entity::kTag) {
      if (c.key == kPromptTag && !prompts) continue;
      CAIRN_RETURN_IF_ERROR(AddTagCondition(conn, c, "model_version_tags",
                                            "t.name = mv.name AND t.version = mv.version", &where));
      continue;
    }
    if (c.key == "version_number") {
      if (c.op == db::CompareOp::kLike || c.op == db::CompareOp::kILike ||
          c.op == db::CompareOp::kIn || c.op == db::CompareOp::kNotIn) {
        return Status::InvalidArgument("Invalid comparator for attribute version_number: " +
                                       OpText(c.op));
      }
      // A number; a quoted number too (MLflow on SQLite compares those numerically as well).
      std::optional<double> number;
      if (c.value_kind == db::ValueKind::kNumber) number = c.number;
      if (c.value_kind == db::ValueKind::kString) number = core::ParseDouble(core::Trim(c.value));
      if (!number) {
        return Status::InvalidArgument(
            "Expected numeric value type for numeric attribute: version_number. Found " + c.value);
      }
      where.conditions.push_back("mv.version " + OpText(c.op) + " ?");
      where.binds.emplace_back(*number);
      continue;
    }
    std::string column;
    if (c.key == "name") {
      column = "mv.name";
    } else if (c.key == "run_id") {
      column = "mv.run_id";
    } else if (c.key == "source_path") {
      column = "mv.source";
    } else {
      return Status::InvalidArgument(
          "Invalid attribute key '" + c.key +
          "' specified. Valid keys are 'name', 'version_number', 'run_id', 'source_path'");
    }
    if (c.op == db::CompareOp::kIn && c.key == "run_id") {
      if (c.value_kind != db::ValueKind::kList) {
        return Status::InvalidArgument(
            "Expected a list of quoted string values for the IN comparator. Got value " + c.value);
      }
      // MLflow drops list entries with upper-case letters (run ids are lower-case hex).
      std::vector<std::string> placeholders;
      for (const std::string& id : c.list) {
        if (id != core::ToLower(id)) continue;
        placeholders.push_back("?");
        where.binds.emplace_back(id);
      }
      where.conditions.push_back(placeholders.empty()
                                     ? std::string("0")
                                     : "mv.run_id IN (" + core::Join(placeholders, ", ") + ")");
      continue;
    }
    if (!IsStringOp(c.op)) {
      return Status::InvalidArgument("Invalid comparator for attribute: " + OpText(c.op));
    }
    CAIRN_RETURN_IF_ERROR(ExpectQuotedString(c, Entity::kAttribute));
    where.conditions.push_back(StringCondition(conn, c.op, column));
    where.binds.emplace_back(c.value);
  }
  if (!prompts) ExcludePrompts("model_version_tags", "t.name = mv.name", &where);
  return where;
}

// One ORDER BY term per clause, then the tie-breakers the search always adds.
struct OrderKey {
  std::string_view name;    // as written in order_by
  std::string_view column;  // the SQL column
};

Result<std::string> CompileOrderBy(const std::vector<std::string>& clauses,
                                   const std::vector<OrderKey>& keys,
                                   const std::vector<std::string>& tie_breakers) {
  std::vector<std::string> terms;
  std::set<std::string_view> seen;
  for (const std::string& clause : clauses) {
    CAIRN_ASSIGN_OR_RETURN(db::OrderBy order, db::ParseOrderBy(clause));
    CAIRN_ASSIGN_OR_RETURN(Entity entity, EntityOf(order.entity));
    if (entity != Entity::kAttribute) {
      return Status::InvalidArgument("Invalid order_by entity: tag");
    }
    const OrderKey* key = nullptr;
    for (const OrderKey& candidate : keys) {
      if (candidate.name == order.key) key = &candidate;
    }
    if (key == nullptr) {
      std::vector<std::string> names;
      for (const OrderKey& candidate : keys)
        names.push_back("'" + std::string(candidate.name) + "'");
      return Status::InvalidArgument("Invalid order by key '" + order.key +
                                     "' specified. Valid keys are " + core::Join(names, ", "));
    }
    if (!seen.insert(key->column).second) {
      return Status::InvalidArgument("`order_by` contains duplicate fields: [" +
                                     core::Join(clauses, ", ") + "]");
    }
    terms.push_back(std::string(key->column) + (order.ascending ? " ASC" : " DESC"));
  }
  for (const std::string& tie : tie_breakers) {
    std::string_view column = std::string_view(tie).substr(0, tie.find(' '));
    if (!seen.contains(column)) terms.push_back(tie);
  }
  return core::Join(terms, ", ");
}

Status CheckMaxResults(int64_t max_results, int64_t limit) {
  if (max_results < 1) {
    return Status::InvalidArgument(
        "Invalid value for request parameter max_results. It must be a positive integer, but got "
        "value " +
        std::to_string(max_results));
  }
  if (max_results > limit) {
    return Status::InvalidArgument(
        "Invalid value for request parameter max_results. It must be at most " +
        std::to_string(limit) + ", but got value " + std::to_string(max_results));
  }
  return Status::Ok();
}

// SELECT <columns> FROM <from> WHERE ... ORDER BY ... LIMIT max + 1 OFFSET offset.
Query PageQuery(std::string_view columns, std::string_view from, Where where,
                std::string_view order_by, int64_t max_results, int64_t offset) {
  Query query;
  query.sql = "SELECT " + std::string(columns) + " FROM " + std::string(from);
  if (!where.conditions.empty()) query.sql += " WHERE " + core::Join(where.conditions, " AND ");
  query.sql += " ORDER BY " + std::string(order_by) + " LIMIT ? OFFSET ?";
  query.binds = std::move(where.binds);
  query.binds.emplace_back(max_results + 1);
  query.binds.emplace_back(offset);
  return query;
}

template <class T>
Page<T> MakePage(std::vector<T> rows, int64_t max_results, int64_t offset) {
  Page<T> page;
  if (static_cast<int64_t>(rows.size()) > max_results) {
    rows.resize(static_cast<size_t>(max_results));
    page.next_page_token = db::EncodePageToken(offset + max_results);
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace

Result<Page<RegisteredModel>> SqlRegistryStore::SearchRegisteredModels(
    const SearchRequest& request) {
  const int64_t max_results = request.max_results.value_or(kDefaultModelSearchResults);
  CAIRN_RETURN_IF_ERROR(CheckMaxResults(max_results, kMaxModelSearchResults));
  // MLflow's SQL store sorts by "timestamp" as by last_updated_timestamp.
  CAIRN_ASSIGN_OR_RETURN(std::string order_by,
                         CompileOrderBy(request.order_by,
                                        {{"name", "rm.name"},
                                         {"creation_timestamp", "rm.creation_time"},
                                         {"last_updated_timestamp", "rm.last_updated_time"},
                                         {"timestamp", "rm.last_updated_time"}},
                                        {"rm.name ASC"}));
  CAIRN_ASSIGN_OR_RETURN(int64_t offset, db::DecodePageToken(request.page_token));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  CAIRN_ASSIGN_OR_RETURN(Where where, CompileModelFilter(conn, request.filter));
  sql::ReadSnapshot snapshot(conn);
  CAIRN_RETURN_IF_ERROR(snapshot.status());
  CAIRN_ASSIGN_OR_RETURN(
      std::vector<RegisteredModel> models,
      sql::LoadModels(conn, PageQuery(sql::kModelColumns, "registered_models rm", std::move(where),
                                      order_by, max_results, offset)));
  return MakePage(std::move(models), max_results, offset);
}

Result<Page<ModelVersion>> SqlRegistryStore::SearchModelVersions(const SearchRequest& request) {
  const int64_t max_results = request.max_results.value_or(kDefaultVersionSearchResults);
  CAIRN_RETURN_IF_ERROR(CheckMaxResults(max_results, kMaxVersionSearchResults));
  static const std::vector<std::string> kDefaultOrder = {"last_updated_timestamp DESC", "name ASC",
                                                         "version_number DESC"};
  CAIRN_ASSIGN_OR_RETURN(std::string order_by,
                         CompileOrderBy(request.order_by.empty() ? kDefaultOrder : request.order_by,
                                        {{"name", "mv.name"},
                                         {"version_number", "mv.version"},
                                         {"creation_timestamp", "mv.creation_time"},
                                         {"last_updated_timestamp", "mv.last_updated_time"}},
                                        {"mv.name ASC", "mv.version DESC"}));
  CAIRN_ASSIGN_OR_RETURN(int64_t offset, db::DecodePageToken(request.page_token));
  CAIRN_ASSIGN_OR_RETURN(Session session, Acquire());
  db::Connection& conn = session.conn();
  CAIRN_ASSIGN_OR_RETURN(Where where, CompileVersionFilter(conn, request.filter));
  sql::ReadSnapshot snapshot(conn);
  CAIRN_RETURN_IF_ERROR(snapshot.status());
  CAIRN_ASSIGN_OR_RETURN(
      std::vector<ModelVersion> versions,
      sql::LoadVersions(conn, PageQuery(sql::kVersionColumns, "model_versions mv", std::move(where),
                                        order_by, max_results, offset)));
  return MakePage(std::move(versions), max_results, offset);
}

}  // namespace cairn::registry
