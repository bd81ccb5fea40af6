// The workflow schema's definitions for everything below the root of a workflow file (the event
// configurations under `on:` are ParseTriggers' business, except `workflow_call`). Transcribed
// from GitHub's workflow-v1.0 schema (@actions/workflow-parser 0.3.61): names, kinds,
// properties and contexts only.
#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "workflow/schema.h"

namespace cairn::workflow::schema {
namespace {

using Names = std::vector<std::string_view>;

Definition Mapping(std::string_view name, Names context, std::vector<Property> properties,
                   std::string_view loose_key, std::string_view loose_value) {
  Definition d;
  d.name = name;
  d.kind = Kind::kMapping;
  d.context = std::move(context);
  d.properties = std::move(properties);
  d.loose_key_type = loose_key;
  d.loose_value_type = loose_value;
  return d;
}

Definition Sequence(std::string_view name, Names context, std::string_view item_type) {
  Definition d;
  d.name = name;
  d.kind = Kind::kSequence;
  d.context = std::move(context);
  d.item_type = item_type;
  return d;
}

Definition OneOf(std::string_view name, Names context, Names one_of) {
  Definition d;
  d.name = name;
  d.kind = Kind::kOneOf;
  d.context = std::move(context);
  d.one_of = std::move(one_of);
  return d;
}

Definition String(std::string_view name, Names context, std::string_view constant,
                  bool require_non_empty) {
  Definition d;
  d.name = name;
  d.kind = Kind::kString;
  d.context = std::move(context);
  d.constant = constant;
  d.require_non_empty = require_non_empty;
  return d;
}

Definition AllowedValues(std::string_view name, Names context, Names values) {
  Definition d;
  d.name = name;
  d.kind = Kind::kString;
  d.context = std::move(context);
  d.allowed_values = std::move(values);
  return d;
}

Definition Scalar(std::string_view name, Names context, Kind kind) {
  Definition d;
  d.name = name;
  d.kind = kind;
  d.context = std::move(context);
  return d;
}

std::vector<Definition> BuildTable() {
  return {
      // Built-in definitions.
      Scalar("null", {}, Kind::kNull),
      Scalar("boolean", {}, Kind::kBoolean),
      Scalar("number", {}, Kind::kNumber),
      String("string", {}, "", false),
      Sequence("sequence", {}, "any"),
      Mapping("mapping", {}, {}, "string", "any"),
      OneOf("any", {}, {"null", "boolean", "number", "string", "sequence", "mapping"}),
      // The workflow schema.
      Mapping("workflow-root", {},
              {{"on", "on", false},
               {"name", "workflow-name", false},
               {"description", "workflow-description", false},
               {"run-name", "run-name", false},
               {"defaults", "workflow-defaults", false},
               {"env", "workflow-env", false},
               {"permissions", "permissions", false},
               {"concurrency", "workflow-concurrency", false},
               {"jobs", "jobs", true}},
              "", ""),
      OneOf("on", {}, {"string", "sequence", "on-mapping"}),
      String("workflow-name", {}, "", false),
      String("workflow-description", {}, "", false),
      String("run-name", {"github", "inputs", "vars"}, "", false),
      Mapping("workflow-defaults", {}, {{"run", "workflow-defaults-run", false}}, "", ""),
      Mapping("workflow-env", {"github", "inputs", "vars", "secrets"}, {}, "non-empty-string",
              "string"),
      OneOf("permissions", {},
            {"permissions-mapping", "permission-level-shorthand-read-all",
             "permission-level-shorthand-write-all"}),
      OneOf("workflow-concurrency", {"github", "inputs", "vars"},
            {"string", "concurrency-mapping"}),
      Mapping("jobs", {}, {}, "job-id", "job"),
      Mapping("on-mapping", {}, {{"workflow_call", "workflow-call", false}}, "non-empty-string",
              "any"),
      Mapping("workflow-defaults-run", {},
              {{"shell", "shell", false}, {"working-directory", "working-directory", false}}, "",
              ""),
      String("non-empty-string", {}, "", true),
      Mapping("permissions-mapping", {},
              {{"actions", "permission-level-any", false},
               {"artifact-metadata", "permission-level-any", false},
               {"attestations", "permission-level-any", false},
               {"checks", "permission-level-any", false},
               {"code-quality", "permission-level-any", false},
               {"contents", "permission-level-any", false},
               {"copilot-requests", "permission-level-write-or-no-access", false},
               {"deployments", "permission-level-any", false},
               {"discussions", "permission-level-any", false},
               {"drives", "permission-level-any", false},
               {"id-token", "permission-level-write-or-no-access", false},
               {"issues", "permission-level-any", false},
               {"models", "permission-level-read-or-no-access", false},
               {"packages", "permission-level-any", false},
               {"pages", "permission-level-any", false},
               {"pull-requests", "permission-level-any", false},
               {"repository-projects", "permission-level-any", false},
               {"security-events", "permission-level-any", false},
               {"statuses", "permission-level-any", false},
               {"vulnerability-alerts", "permission-level-read-or-no-access", false}},
              "", ""),
      String("permission-level-shorthand-read-all", {}, "read-all", false),
      String("permission-level-shorthand-write-all", {}, "write-all", false),
      Mapping("concurrency-mapping", {},
              {{"group", "non-empty-string", true},
               {"cancel-in-progress", "boolean", false},
               {"queue", "concurrency-queue", false}},
              "", ""),
      String("job-id", {}, "", true),
      OneOf("job", {}, {"job-factory", "workflow-job"}),
      OneOf("workflow-call", {}, {"null", "workflow-call-mapping"}),
      String("shell", {}, "", true),
      String("working-directory", {}, "", true),
      OneOf("permission-level-any", {},
            {"permission-level-read", "permission-level-write", "permission-level-no-access"}),
      OneOf("permission-level-write-or-no-access", {},
            {"permission-level-write", "permission-level-no-access"}),
      OneOf("permission-level-read-or-no-access", {},
            {"permission-level-read", "permission-level-no-access"}),
      AllowedValues("concurrency-queue", {}, {"single", "max"}),
      Mapping("job-factory", {},
              {{"needs", "needs", false},
               {"if", "job-if", false},
               {"strategy", "strategy", false},
               {"name", "string-strategy-context", false},
               {"runs-on", "runs-on", true},
               {"timeout-minutes", "number-strategy-context", false},
               {"cancel-timeout-minutes", "number-strategy-context", false},
               {"continue-on-error", "boolean-strategy-context", false},
               {"container", "container", false},
               {"services", "services", false},
               {"env", "job-env", false},
               {"environment", "job-environment", false},
               {"permissions", "permissions", false},
               {"concurrency", "job-concurrency", false},
               {"outputs", "job-outputs", false},
               {"defaults", "job-defaults", false},
               {"steps", "steps", false},
               {"snapshot", "snapshot", false}},
              "", ""),
      Mapping("workflow-job", {},
              {{"name", "string-strategy-context", false},
               {"uses", "non-empty-string", true},
               {"with", "workflow-job-with", false},
               {"secrets", "workflow-job-secrets", false},
               {"needs", "needs", false},
               {"if", "job-if", false},
               {"permissions", "permissions", false},
               {"concurrency", "job-concurrency", false},
               {"strategy", "strategy", false}},
              "", ""),
      Mapping("workflow-call-mapping", {},
              {{"inputs", "workflow-call-inputs", false},
               {"secrets", "workflow-call-secrets", false},
               {"outputs", "workflow-call-outputs", false}},
              "", ""),
      String("permission-level-read", {}, "read", false),
      String("permission-level-write", {}, "write", false),
      String("permission-level-no-access", {}, "none", false),
      OneOf("needs", {}, {"sequence-of-non-empty-string", "non-empty-string"}),
      String("job-if",
             {"github", "inputs", "vars", "needs", "always(0,0)", "failure(0,MAX)",
              "cancelled(0,0)", "success(0,MAX)"},
             "", false),
      Mapping("strategy", {"github", "inputs", "vars", "needs"},
              {{"fail-fast", "boolean", false},
               {"max-parallel", "number", false},
               {"matrix", "matrix", false}},
              "", ""),
      String("string-strategy-context", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
             "", false),
      OneOf("runs-on", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
            {"non-empty-string", "sequence-of-non-empty-string", "runs-on-mapping"}),
      Scalar("number-strategy-context", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
             Kind::kNumber),
      Scalar("boolean-strategy-context",
             {"github", "inputs", "vars", "needs", "strategy", "matrix"}, Kind::kBoolean),
      OneOf("container", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
            {"string", "container-mapping"}),
      Mapping("services", {"github", "inputs", "vars", "needs", "strategy", "matrix"}, {},
              "non-empty-string", "services-container"),
      Mapping("job-env", {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets"}, {},
              "non-empty-string", "string"),
      OneOf("job-environment", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
            {"string", "job-environment-mapping"}),
      OneOf("job-concurrency", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
            {"non-empty-string", "concurrency-mapping"}),
      Mapping("job-outputs", {}, {}, "non-empty-string", "string-runner-context"),
      Mapping("job-defaults", {}, {{"run", "job-defaults-run", false}}, "", ""),
      Sequence("steps", {}, "steps-item"),
      OneOf("snapshot", {}, {"non-empty-string", "snapshot-mapping"}),
      Mapping("workflow-job-with", {}, {}, "non-empty-string", "scalar-needs-context"),
      OneOf("workflow-job-secrets", {},
            {"workflow-job-secrets-mapping", "workflow-job-secrets-inherit"}),
      Mapping("workflow-call-inputs", {}, {}, "non-empty-string", "workflow-call-input-definition"),
      Mapping("workflow-call-secrets", {}, {}, "workflow-call-secret-name",
              "workflow-call-secret-definition"),
      Mapping("workflow-call-outputs", {}, {}, "workflow-call-output-name",
              "workflow-call-output-definition"),
      Sequence("sequence-of-non-empty-string", {}, "non-empty-string"),
      Mapping("matrix", {},
              {{"include", "matrix-filter", false}, {"exclude", "matrix-filter", false}},
              "non-empty-string", "sequence"),
      Mapping("runs-on-mapping", {},
              {{"group", "non-empty-string", false}, {"labels", "runs-on-labels", false}}, "", ""),
      Mapping("container-mapping", {},
              {{"image", "non-empty-string", false},
               {"options", "string", false},
               {"env", "container-env", false},
               {"ports", "sequence-of-non-empty-string", false},
               {"volumes", "sequence-of-non-empty-string", false},
               {"credentials", "container-registry-credentials", false}},
              "", ""),
      OneOf("services-container", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
            {"non-empty-string", "service-container-mapping"}),
      Mapping("job-environment-mapping", {},
              {{"name", "job-environment-name", true},
               {"url", "string-runner-context-no-secrets", false},
               {"deployment", "boolean", false}},
              "", ""),
      String("string-runner-context",
             {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
              "runner", "env"},
             "", false),
      Mapping(
          "job-defaults-run", {"github", "inputs", "vars", "strategy", "matrix", "needs", "env"},
          {{"shell", "shell", false}, {"working-directory", "working-directory", false}}, "", ""),
      OneOf("steps-item", {},
            {"run-step", "regular-step", "wait-step", "wait-all-step", "cancel-step",
             "parallel-step"}),
      Mapping("snapshot-mapping", {},
              {{"image-name", "non-empty-string", true},
               {"if", "snapshot-if", false},
               {"version", "non-empty-string", false}},
              "", ""),
      OneOf("scalar-needs-context", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
            {"string", "boolean", "number"}),
      Mapping("workflow-job-secrets-mapping", {}, {}, "non-empty-string",
              "scalar-needs-context-with-secrets"),
      String("workflow-job-secrets-inherit", {}, "inherit", false),
      Mapping("workflow-call-input-definition", {},
              {{"description", "string", false},
               {"type", "workflow-call-input-type", true},
               {"required", "boolean", false},
               {"default", "workflow-call-input-default", false}},
              "", ""),
      String("workflow-call-secret-name", {}, "", true),
      OneOf("workflow-call-secret-definition", {},
            {"null", "workflow-call-secret-mapping-definition"}),
      String("workflow-call-output-name", {}, "", true),
      Mapping("workflow-call-output-definition", {},
              {{"description", "string", false}, {"value", "workflow-output-context", true}}, "",
              ""),
      Sequence("matrix-filter", {}, "matrix-filter-item"),
      OneOf("runs-on-labels", {}, {"non-empty-string", "sequence-of-non-empty-string"}),
      Mapping("container-env", {}, {}, "non-empty-string", "string-runner-context"),
      Mapping("container-registry-credentials", {"github", "inputs", "vars", "secrets", "env"},
              {{"username", "non-empty-string", false}, {"password", "non-empty-string", false}},
              "", ""),
      Mapping("service-container-mapping", {},
              {{"image", "non-empty-string", false},
               {"options", "string", false},
               {"env", "container-env", false},
               {"ports", "sequence-of-non-empty-string", false},
               {"volumes", "sequence-of-non-empty-string", false},
               {"credentials", "container-registry-credentials", false},
               {"entrypoint", "string", false},
               {"command", "string", false}},
              "", ""),
      String("job-environment-name", {"github", "inputs", "vars", "needs", "strategy", "matrix"},
             "", false),
      String("string-runner-context-no-secrets",
             {"github", "inputs", "vars", "needs", "strategy", "matrix", "steps", "job", "runner",
              "env"},
             "", false),
      Mapping("run-step", {},
              {{"name", "step-name", false},
               {"id", "step-id", false},
               {"if", "step-if", false},
               {"timeout-minutes", "step-timeout-minutes", false},
               {"run", "string-steps-context", true},
               {"continue-on-error", "step-continue-on-error", false},
               {"env", "step-env", false},
               {"working-directory", "string-steps-context", false},
               {"shell", "shell", false},
               {"background", "step-background", false}},
              "", ""),
      Mapping("regular-step", {},
              {{"name", "step-name", false},
               {"id", "step-id", false},
               {"if", "step-if", false},
               {"continue-on-error", "step-continue-on-error", false},
               {"timeout-minutes", "step-timeout-minutes", false},
               {"uses", "step-uses", true},
               {"with", "step-with", false},
               {"env", "step-env", false},
               {"background", "step-background", false}},
              "", ""),
      Mapping("wait-step", {},
              {{"name", "step-name", false},
               {"id", "step-id", false},
               {"continue-on-error", "step-continue-on-error", false},
               {"wait", "step-wait-target", true}},
              "", ""),
      Mapping("wait-all-step", {},
              {{"name", "step-name", false},
               {"id", "step-id", false},
               {"continue-on-error", "step-continue-on-error", false},
               {"wait-all", "step-wait-all-value", true}},
              "", ""),
      Mapping("cancel-step", {},
              {{"name", "step-name", false},
               {"id", "step-id", false},
               {"continue-on-error", "step-continue-on-error", false},
               {"cancel", "step-cancel-target", true}},
              "", ""),
      Mapping("parallel-step", {}, {{"parallel", "parallel-steps", true}}, "", ""),
      String("snapshot-if", {"github", "inputs", "vars", "needs", "strategy", "matrix"}, "", false),
      OneOf("scalar-needs-context-with-secrets",
            {"github", "inputs", "vars", "needs", "secrets", "strategy", "matrix"},
            {"string", "boolean", "number"}),
      OneOf("workflow-call-input-type", {},
            {"input-type-string", "input-type-boolean", "input-type-number"}),
      OneOf("workflow-call-input-default", {"github", "inputs", "vars"},
            {"string", "boolean", "number"}),
      Mapping("workflow-call-secret-mapping-definition", {},
              {{"description", "string", false}, {"required", "boolean", false}}, "", ""),
      String("workflow-output-context", {"github", "inputs", "vars", "jobs"}, "", false),
      Mapping("matrix-filter-item", {}, {}, "non-empty-string", "any"),
      String("step-name",
             {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
              "runner", "env", "hashFiles(1,255)"},
             "", false),
      String("step-id", {}, "", true),
      String("step-if",
             {"github", "inputs", "vars", "needs", "strategy", "matrix", "steps", "job", "runner",
              "env", "always(0,0)", "failure(0,0)", "cancelled(0,0)", "success(0,0)",
              "hashFiles(1,255)"},
             "", false),
      Scalar("step-timeout-minutes",
             {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
              "runner", "env", "hashFiles(1,255)"},
             Kind::kNumber),
      String("string-steps-context",
             {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
              "runner", "env", "hashFiles(1,255)"},
             "", false),
      Scalar("step-continue-on-error",
             {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
              "runner", "env", "hashFiles(1,255)"},
             Kind::kBoolean),
      Mapping("step-env",
              {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
               "runner", "env", "hashFiles(1,255)"},
              {}, "non-empty-string", "string"),
      Scalar("step-background", {}, Kind::kBoolean),
      String("step-uses", {}, "", true),
      Mapping("step-with",
              {"github", "inputs", "vars", "needs", "strategy", "matrix", "secrets", "steps", "job",
               "runner", "env", "hashFiles(1,255)"},
              {}, "non-empty-string", "string"),
      OneOf("step-wait-target", {}, {"non-empty-string", "sequence-of-non-empty-string"}),
      OneOf("step-wait-all-value", {}, {"null", "boolean"}),
      String("step-cancel-target", {}, "", true),
      Sequence("parallel-steps", {}, "steps-item"),
      String("input-type-string", {}, "string", false),
      String("input-type-boolean", {}, "boolean", false),
      String("input-type-number", {}, "number", false),
  };
}

}  // namespace

const Property* Definition::FindProperty(std::string_view key) const {
  for (const Property& p : properties) {
    if (p.name == key) return &p;
  }
  return nullptr;
}

const Definition* Find(std::string_view name) {
  static const auto* const kTable = [] {
    auto* table = new std::unordered_map<std::string_view, Definition>();
    for (Definition& d : BuildTable()) {
      std::string_view key = d.name;
      table->emplace(key, std::move(d));
    }
    return table;
  }();
  auto it = kTable->find(name);
  return it == kTable->end() ? nullptr : &it->second;
}

}  // namespace cairn::workflow::schema
