// MLflow 3's logged-model endpoints (reference section 4.3). 3.x clients call them even for
// classic tracking (logged-models/search when listing a run's artifacts), so they are mounted
// under both /api/2.0 and /api/3.0.
#include <array>

#include "server/artifacts.h"
#include "server/routes.h"
#include "server/wire.h"

namespace cairn::server {
namespace {

constexpr std::array<std::string_view, 4> kStatusNames = {
    "LOGGED_MODEL_STATUS_UNSPECIFIED", "LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY",
    "LOGGED_MODEL_UPLOAD_FAILED"};

track::TrackingStore& Store(const Call& call) { return *call.state.tracking; }

core::Value ModelResponse(const track::LoggedModel& model) {
  return JsonObject().Object("model", LoggedModelJson(model)).Build();
}

Result<core::Value> CreateLoggedModel(const Call& call) {
  const Params& p = call.params;
  track::CreateLoggedModelRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.experiment_id, p.RequiredString("experiment_id"));
  CAIRN_ASSIGN_OR_RETURN(request.name, p.String("name"));
  CAIRN_ASSIGN_OR_RETURN(request.model_type, p.String("model_type"));
  CAIRN_ASSIGN_OR_RETURN(request.source_run_id, p.String("source_run_id"));
  CAIRN_ASSIGN_OR_RETURN(request.params, TrackParams(p, "params"));
  CAIRN_ASSIGN_OR_RETURN(request.tags, TrackTags(p, "tags"));
  CAIRN_ASSIGN_OR_RETURN(track::LoggedModel model, Store(call).CreateLoggedModel(request));
  return ModelResponse(model);
}

Result<core::Value> FinalizeLoggedModel(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<std::string> name,
                         call.params.OptEnum("status", kStatusNames));
  if (!name) return MissingParameter("status");
  CAIRN_ASSIGN_OR_RETURN(track::LoggedModelStatus status, track::ParseLoggedModelStatus(*name));
  CAIRN_ASSIGN_OR_RETURN(track::LoggedModel model,
                         Store(call).FinalizeLoggedModel(call.PathParam(0), status));
  return ModelResponse(model);
}

Result<core::Value> GetLoggedModel(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(track::LoggedModel model, Store(call).GetLoggedModel(call.PathParam(0)));
  return ModelResponse(model);
}

Result<core::Value> DeleteLoggedModel(const Call& call) {
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteLoggedModel(call.PathParam(0)));
  return EmptyJson();
}

Result<core::Value> SearchLoggedModels(const Call& call) {
  const Params& p = call.params;
  track::SearchLoggedModelsRequest request;
  CAIRN_ASSIGN_OR_RETURN(request.experiment_ids, p.StringList("experiment_ids"));
  CAIRN_ASSIGN_OR_RETURN(request.filter, p.String("filter"));
  // `datasets` narrows which metrics a filter on metrics sees; the store has no such filter
  // yet, so it is checked and otherwise not applied.
  CAIRN_ASSIGN_OR_RETURN(std::vector<Params> datasets, p.MessageList("datasets"));
  for (const Params& dataset : datasets) {
    CAIRN_RETURN_IF_ERROR(dataset.RequiredString("dataset_name").status());
    CAIRN_RETURN_IF_ERROR(dataset.String("dataset_digest").status());
  }
  CAIRN_ASSIGN_OR_RETURN(std::optional<int64_t> max_results, p.OptInt64("max_results"));
  if (max_results) request.max_results = *max_results;
  CAIRN_ASSIGN_OR_RETURN(std::vector<Params> orders, p.MessageList("order_by"));
  for (const Params& message : orders) {
    track::LoggedModelOrder order;
    CAIRN_ASSIGN_OR_RETURN(order.field_name, message.RequiredString("field_name"));
    CAIRN_ASSIGN_OR_RETURN(std::optional<bool> ascending, message.OptBool("ascending"));
    order.ascending = ascending.value_or(true);
    CAIRN_ASSIGN_OR_RETURN(order.dataset_name, message.String("dataset_name"));
    CAIRN_ASSIGN_OR_RETURN(order.dataset_digest, message.String("dataset_digest"));
    request.order_by.push_back(std::move(order));
  }
  CAIRN_ASSIGN_OR_RETURN(request.page_token, p.String("page_token"));
  CAIRN_ASSIGN_OR_RETURN(track::Page<track::LoggedModel> page,
                         Store(call).SearchLoggedModels(request));
  return JsonObject()
      .List("models", JsonList(page.items, LoggedModelJson))
      .Str("next_page_token", page.next_page_token)
      .Build();
}

Result<core::Value> SetLoggedModelTags(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::Tag> tags, TrackTags(call.params, "tags"));
  CAIRN_ASSIGN_OR_RETURN(track::LoggedModel model,
                         Store(call).SetLoggedModelTags(call.PathParam(0), tags));
  return ModelResponse(model);
}

Result<core::Value> DeleteLoggedModelTag(const Call& call) {
  CAIRN_RETURN_IF_ERROR(Store(call).DeleteLoggedModelTag(call.PathParam(0), call.PathParam(1)));
  return EmptyJson();
}

Result<core::Value> ListLoggedModelArtifacts(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::string path, call.params.String("artifact_directory_path"));
  CAIRN_ASSIGN_OR_RETURN(track::LoggedModel model, Store(call).GetLoggedModel(call.PathParam(0)));
  return ListUnderRootJson(call.state, model.artifact_uri, path);
}

Result<core::Value> LogLoggedModelParams(const Call& call) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<track::Param> params, TrackParams(call.params, "params"));
  CAIRN_RETURN_IF_ERROR(Store(call).LogLoggedModelParams(call.PathParam(0), params));
  return EmptyJson();
}

}  // namespace

void AddLoggedModelRoutes(Routes& routes) {
  // The literal search path first: patterns are tried in the order added.
  routes.Json("POST", "/mlflow/logged-models/search", SearchLoggedModels, kV2AndV3);
  routes.Json("POST", "/mlflow/logged-models", CreateLoggedModel, kV2AndV3);
  routes.Json("GET", "/mlflow/logged-models/{model_id}", GetLoggedModel, kV2AndV3);
  routes.Json("PATCH", "/mlflow/logged-models/{model_id}", FinalizeLoggedModel, kV2AndV3);
  routes.Json("DELETE", "/mlflow/logged-models/{model_id}", DeleteLoggedModel, kV2AndV3);
  routes.Json("PATCH", "/mlflow/logged-models/{model_id}/tags", SetLoggedModelTags, kV2AndV3);
  routes.Json("DELETE", "/mlflow/logged-models/{model_id}/tags/{tag_key...}", DeleteLoggedModelTag,
              kV2AndV3);
  routes.Json("GET", "/mlflow/logged-models/{model_id}/artifacts/directories",
              ListLoggedModelArtifacts, kV2AndV3);
  routes.Json("POST", "/mlflow/logged-models/{model_id}/params", LogLoggedModelParams, kV2AndV3);
}

}  // namespace cairn::server
