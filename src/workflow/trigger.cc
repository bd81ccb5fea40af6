// trigger: parsing `on:` into Triggers, validated against GitHub's schema (workflow-v1.0.json
// of @actions/workflow-parser 0.3.61) and its converters' checks.
#include "workflow/trigger.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace cairn::workflow {
namespace {

using core::Location;
using core::Member;
using core::Value;
using core::ValueKind;

enum EventKind { kNullOnly, kMapping, kSchedule };

struct EventSchema {
  const char* name;
  EventKind kind;
  const char* keys;   // the keys its mapping takes, space-separated
  const char* types;  // the activity types `types:` allows, space-separated; "" = any
};

// Generated from workflow-v1.0.json (@actions/workflow-parser 0.3.61).
constexpr EventSchema kEventSchemas[] = {
    {"branch_protection_rule", kMapping, "types", "created edited deleted"},
    {"check_run", kMapping, "types", "completed created rerequested requested_action"},
    {"check_suite", kMapping, "types", "completed"},
    {"create", kNullOnly, "", ""},
    {"delete", kNullOnly, "", ""},
    {"deployment", kNullOnly, "", ""},
    {"deployment_status", kNullOnly, "", ""},
    {"discussion", kMapping, "types",
     "created edited deleted transferred pinned unpinned labeled unlabeled locked unlocked "
     "category_changed answered unanswered"},
    {"discussion_comment", kMapping, "types", "created edited deleted"},
    {"fork", kNullOnly, "", ""},
    {"gollum", kNullOnly, "", ""},
    {"image_version", kMapping, "types names versions", "created ready deleted"},
    {"issue_comment", kMapping, "types", "created edited deleted"},
    {"issues", kMapping, "types",
     "opened edited deleted transferred pinned unpinned closed reopened assigned unassigned "
     "labeled unlabeled locked unlocked milestoned demilestoned field_added field_removed typed "
     "untyped"},
    {"label", kMapping, "types", "created edited deleted"},
    {"merge_group", kMapping, "types branches branches-ignore", "checks_requested"},
    {"milestone", kMapping, "types", "created closed opened edited deleted"},
    {"page_build", kNullOnly, "", ""},
    {"project", kMapping, "types", "created closed reopened edited deleted"},
    {"project_card", kMapping, "types", "created moved converted edited deleted"},
    {"project_column", kMapping, "types", "created updated moved deleted"},
    {"public", kNullOnly, "", ""},
    {"pull_request", kMapping, "types branches branches-ignore paths paths-ignore",
     "assigned unassigned labeled unlabeled opened edited closed reopened synchronize "
     "converted_to_draft locked unlocked enqueued dequeued milestoned demilestoned "
     "ready_for_review review_requested review_request_removed auto_merge_enabled "
     "auto_merge_disabled stacked"},
    {"pull_request_comment", kMapping, "types", "created edited deleted"},
    {"pull_request_review", kMapping, "types", "submitted edited dismissed"},
    {"pull_request_review_comment", kMapping, "types", "created edited deleted"},
    {"pull_request_target", kMapping, "types branches branches-ignore paths paths-ignore",
     "assigned unassigned labeled unlabeled opened edited closed reopened synchronize "
     "converted_to_draft locked unlocked enqueued dequeued milestoned demilestoned "
     "ready_for_review review_requested review_request_removed auto_merge_enabled "
     "auto_merge_disabled stacked"},
    {"push", kMapping, "branches branches-ignore tags tags-ignore paths paths-ignore", ""},
    {"registry_package", kMapping, "types", "published updated"},
    {"release", kMapping, "types",
     "published unpublished created edited deleted prereleased released"},
    {"repository_dispatch", kMapping, "types", ""},
    {"schedule", kSchedule, "", ""},
    {"status", kNullOnly, "", ""},
    {"watch", kMapping, "types", "started"},
    {"workflow_call", kMapping, "inputs secrets outputs", ""},
    {"workflow_dispatch", kMapping, "inputs", ""},
    {"workflow_run", kMapping, "types workflows branches branches-ignore",
     "requested completed in_progress"},
};

const EventSchema* FindSchema(std::string_view name) {
  for (const EventSchema& s : kEventSchemas) {
    if (name == s.name) return &s;
  }
  return nullptr;
}

std::vector<std::string_view> Words(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    size_t sp = text.find(' ', i);
    if (sp == std::string_view::npos) sp = text.size();
    if (sp > i) words.push_back(text.substr(i, sp - i));
    i = sp + 1;
  }
  return words;
}

bool HasWord(std::string_view text, std::string_view word) {
  for (std::string_view w : Words(text)) {
    if (w == word) return true;
  }
  return false;
}

std::string JoinWords(std::string_view text) {
  std::string out;
  for (std::string_view w : Words(text)) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// A string, or a sequence of strings: `what` names the node in messages.
Result<std::vector<PatternSource>> StringList(const Value& v, std::string_view what,
                                              bool allow_empty_strings = false) {
  std::vector<PatternSource> out;
  auto one = [&](const Value& item) -> Status {
    if (!item.is_string() && !(item.is_number() || item.is_bool())) {
      return item.Error(std::string(what) + ": expected a string, got " +
                        std::string(core::KindPhrase(item.kind())));
    }
    const std::string& text = item.is_string() ? item.AsString() : item.raw();
    if (text.empty() && !allow_empty_strings) {
      return item.Error(std::string(what) + ": expected a non-empty string");
    }
    out.push_back({text, item.location()});
    return Status::Ok();
  };
  if (v.is_sequence()) {
    for (const Value& item : v.items()) {
      Status s = one(item);
      if (!s.ok()) return s;
    }
    return out;
  }
  if (v.is_scalar() && !v.is_null()) {
    Status s = one(v);
    if (!s.ok()) return s;
    return out;
  }
  return v.Error(std::string(what) + ": expected a string or a list of strings, got " +
                 std::string(core::KindPhrase(v.kind())));
}

Result<FilterPatterns> ParseFilter(const Member& m, std::string_view event) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<PatternSource> sources,
                         StringList(m.value, std::string(event) + "." + m.key));
  FilterPatterns filter;
  filter.location = m.key_location;
  Location list_location = m.value.location().known() ? m.value.location() : m.key_location;
  CAIRN_ASSIGN_OR_RETURN(filter.patterns, PatternList::Compile(sources, list_location));
  return filter;
}

Result<bool> ExpectBool(const Value& v, std::string_view what) {
  if (!v.is_bool()) {
    return v.Error(std::string(what) + ": expected true or false, got " +
                   std::string(core::KindPhrase(v.kind())));
  }
  return v.AsBool();
}

Result<std::string> ExpectString(const Value& v, std::string_view what) {
  if (v.is_null()) return std::string();
  if (!v.is_scalar()) {
    return v.Error(std::string(what) + ": expected a string, got " +
                   std::string(core::KindPhrase(v.kind())));
  }
  return v.is_string() ? v.AsString() : v.raw();
}

Status ExpectMappingOrNull(const Value& v, std::string_view what) {
  if (v.is_mapping() || v.is_null()) return Status::Ok();
  return v.Error(std::string(what) + ": expected a mapping, got " +
                 std::string(core::KindPhrase(v.kind())));
}

bool IsExpression(const Value& v) {
  return v.is_string() && v.AsString().find("${{") != std::string::npos;
}

// One input of workflow_dispatch (call == false) or workflow_call (call == true).
Result<InputSpec> ParseInput(const Member& m, bool call) {
  const std::string what =
      (call ? "workflow_call input '" : "workflow_dispatch input '") + m.key + "'";
  if (!m.value.is_mapping() && !m.value.is_null()) {
    return m.value.Error(what + ": expected a mapping (description, type, required, default" +
                         std::string(call ? ")" : ", options)") + ", got " +
                         std::string(core::KindPhrase(m.value.kind())));
  }
  InputSpec input;
  input.id = m.key;
  input.location = m.key_location;
  const Member* type_member = nullptr;
  const Member* options_member = nullptr;
  const Member* default_member = nullptr;
  for (const Member& f : m.value.members()) {
    if (f.key == "description") {
      CAIRN_ASSIGN_OR_RETURN(input.description, ExpectString(f.value, what + " description"));
    } else if (f.key == "required") {
      CAIRN_ASSIGN_OR_RETURN(input.required, ExpectBool(f.value, what + " required"));
    } else if (f.key == "default") {
      if (!f.value.is_scalar()) {
        return f.value.Error(what + " default: expected a string, a number or a boolean, got " +
                             std::string(core::KindPhrase(f.value.kind())));
      }
      default_member = &f;
      input.default_value = f.value;
    } else if (f.key == "type") {
      type_member = &f;
    } else if (f.key == "options" && !call) {
      options_member = &f;
    } else {
      return f.key_location.Error("Unexpected value '" + f.key +
                                  "'; expected one of: description, type, required, " +
                                  (call ? "default" : "default, options") + " (in " + what + ")");
    }
  }
  const char* types =
      call ? "string, number or boolean" : "string, choice, boolean, number or environment";
  if (type_member == nullptr) {
    if (call) return m.key_location.Error(what + ": missing 'type' (" + types + ")");
  } else {
    const Value& t = type_member->value;
    std::string name = t.is_string() ? t.AsString() : t.raw();
    if (name == "string") {
      input.type = InputType::kString;
    } else if (name == "boolean") {
      input.type = InputType::kBoolean;
    } else if (name == "number") {
      input.type = InputType::kNumber;
    } else if (!call && name == "choice") {
      input.type = InputType::kChoice;
    } else if (!call && name == "environment") {
      input.type = InputType::kEnvironment;
    } else {
      return t.Error(what + ": unknown type " + Quote(name) + ": expected " + types);
    }
  }
  if (options_member != nullptr) {
    if (input.type != InputType::kChoice) {
      return options_member->key_location.Error(
          what + ": 'options' is only for inputs of type choice (this one is " +
          std::string(InputTypeName(input.type)) + ")");
    }
    if (!options_member->value.is_sequence()) {
      return options_member->value.Error(
          what + " options: expected a list of strings, got " +
          std::string(core::KindPhrase(options_member->value.kind())));
    }
    CAIRN_ASSIGN_OR_RETURN(std::vector<PatternSource> options,
                           StringList(options_member->value, what + " options", true));
    for (PatternSource& o : options) input.options.push_back(std::move(o.text));
  }
  if (input.type == InputType::kChoice && input.options.empty()) {
    return (type_member != nullptr ? type_member->value.location() : m.key_location)
        .Error(what + ": a choice input needs 'options' (a non-empty list of strings)");
  }
  if (default_member != nullptr && !(call && IsExpression(default_member->value))) {
    const Value& d = default_member->value;
    if (input.type == InputType::kBoolean && !d.is_bool()) {
      return d.Error(what + " default: expected true or false for a boolean input, got " +
                     Quote(d.raw()));
    }
    if (input.type == InputType::kNumber && !d.is_number()) {
      return d.Error(what + " default: expected a number for a number input, got " +
                     Quote(d.raw()));
    }
    if (input.type == InputType::kChoice && !d.is_null()) {
      const std::string& text = d.is_string() ? d.AsString() : d.raw();
      if (std::find(input.options.begin(), input.options.end(), text) == input.options.end()) {
        std::string list;
        for (const std::string& o : input.options) list += (list.empty() ? "" : ", ") + Quote(o);
        return d.Error(what + " default: " + Quote(text) + " is not one of the options (" + list +
                       ")");
      }
    }
  }
  return input;
}

Status ParseDispatch(const Value& config, DispatchTrigger& out) {
  const Value* inputs = config.Find("inputs");
  if (inputs == nullptr || inputs->is_null()) return Status::Ok();
  CAIRN_RETURN_IF_ERROR(ExpectMappingOrNull(*inputs, "workflow_dispatch inputs"));
  for (const Member& m : inputs->members()) {
    CAIRN_ASSIGN_OR_RETURN(InputSpec input, ParseInput(m, false));
    out.inputs.push_back(std::move(input));
  }
  return Status::Ok();
}

Status ParseCall(const Value& config, CallTrigger& out) {
  if (const Value* inputs = config.Find("inputs"); inputs != nullptr) {
    CAIRN_RETURN_IF_ERROR(ExpectMappingOrNull(*inputs, "workflow_call inputs"));
    for (const Member& m : inputs->members()) {
      CAIRN_ASSIGN_OR_RETURN(InputSpec input, ParseInput(m, true));
      out.inputs.push_back(std::move(input));
    }
  }
  if (const Value* secrets = config.Find("secrets"); secrets != nullptr) {
    CAIRN_RETURN_IF_ERROR(ExpectMappingOrNull(*secrets, "workflow_call secrets"));
    for (const Member& m : secrets->members()) {
      const std::string what = "workflow_call secret '" + m.key + "'";
      CAIRN_RETURN_IF_ERROR(ExpectMappingOrNull(m.value, what));
      SecretSpec secret;
      secret.id = m.key;
      secret.location = m.key_location;
      for (const Member& f : m.value.members()) {
        if (f.key == "description") {
          CAIRN_ASSIGN_OR_RETURN(secret.description, ExpectString(f.value, what + " description"));
        } else if (f.key == "required") {
          CAIRN_ASSIGN_OR_RETURN(secret.required, ExpectBool(f.value, what + " required"));
        } else {
          return f.key_location.Error("Unexpected value '" + f.key +
                                      "'; expected one of: description, required (in " + what +
                                      ")");
        }
      }
      out.secrets.push_back(std::move(secret));
    }
  }
  if (const Value* outputs = config.Find("outputs"); outputs != nullptr) {
    CAIRN_RETURN_IF_ERROR(ExpectMappingOrNull(*outputs, "workflow_call outputs"));
    for (const Member& m : outputs->members()) {
      const std::string what = "workflow_call output '" + m.key + "'";
      if (!m.value.is_mapping()) {
        return m.value.Error(what + ": expected a mapping with 'value' (and 'description'), got " +
                             std::string(core::KindPhrase(m.value.kind())));
      }
      OutputSpec output;
      output.id = m.key;
      output.location = m.key_location;
      bool has_value = false;
      for (const Member& f : m.value.members()) {
        if (f.key == "description") {
          CAIRN_ASSIGN_OR_RETURN(output.description, ExpectString(f.value, what + " description"));
        } else if (f.key == "value") {
          if (!f.value.is_scalar() || f.value.is_null()) {
            return f.value.Error(what + " value: expected a string (an expression), got " +
                                 std::string(core::KindPhrase(f.value.kind())));
          }
          output.value = f.value.is_string() ? f.value.AsString() : f.value.raw();
          output.value_location = f.value.location();
          has_value = true;
        } else {
          return f.key_location.Error("Unexpected value '" + f.key +
                                      "'; expected one of: description, value (in " + what + ")");
        }
      }
      if (!has_value) return m.key_location.Error(what + ": missing 'value'");
      out.outputs.push_back(std::move(output));
    }
  }
  return Status::Ok();
}

Status ParseSchedule(const Value& config, const Location& event_location,
                     std::vector<CronEntry>& out) {
  if (!config.is_sequence()) {
    return (config.location().known() ? config.location() : event_location)
        .Error("schedule: expected a list of entries like '- cron: \"30 5 * * 1-5\"', got " +
               std::string(core::KindPhrase(config.kind())));
  }
  for (const Value& item : config.items()) {
    if (!item.is_mapping()) {
      return item.Error("schedule entry: expected a mapping with 'cron', got " +
                        std::string(core::KindPhrase(item.kind())));
    }
    CronEntry entry;
    bool has_cron = false;
    for (const Member& f : item.members()) {
      if (f.key == "cron") {
        if (!f.value.is_string() || f.value.AsString().empty()) {
          return f.value.Error("schedule cron: expected a non-empty string like '30 5 * * 1-5'");
        }
        auto schedule = CronSchedule::Parse(f.value.AsString());
        if (!schedule.ok()) return f.value.Error(schedule.status().message());
        entry.text = f.value.AsString();
        entry.location = f.value.location();
        entry.schedule = std::move(schedule).value();
        has_cron = true;
      } else if (f.key == "timezone") {
        if (!f.value.is_string()) {
          return f.value.Error("schedule timezone: expected a string (an IANA time zone)");
        }
        entry.timezone = f.value.AsString();
      } else {
        return f.key_location.Error("Unexpected value '" + f.key +
                                    "'; expected one of: cron, timezone (in a schedule entry)");
      }
    }
    if (!has_cron) return item.Error("schedule entry: missing required key 'cron'");
    out.push_back(std::move(entry));
  }
  return Status::Ok();
}

Status CheckTypes(const Member& m, const EventSchema& schema, std::vector<std::string>* out) {
  const std::string what = std::string(schema.name) + ".types";
  CAIRN_ASSIGN_OR_RETURN(std::vector<PatternSource> types, StringList(m.value, what));
  for (const PatternSource& t : types) {
    if (*schema.types != '\0' && !HasWord(schema.types, t.text)) {
      return t.location.Error("unknown activity type " + Quote(t.text) + " for event '" +
                              schema.name + "': expected one of " + JoinWords(schema.types));
    }
    if (out != nullptr) out->push_back(t.text);
  }
  return Status::Ok();
}

Status UnknownEvent(std::string_view name, const Location& location) {
  std::string list;
  for (const EventSchema& s : kEventSchemas)
    list += (list.empty() ? "" : ", ") + std::string(s.name);
  return location.Error("Unexpected value " + Quote(name) +
                        "; expected one of the events: " + list);
}

Result<EventTrigger> ParseEvent(std::string name, const Location& location, const Value& config) {
  const EventSchema* schema = FindSchema(name);
  if (schema == nullptr) return UnknownEvent(name, location);
  EventTrigger event;
  event.name = std::move(name);
  event.location = location;
  event.config = config;
  const std::string& ev = event.name;

  if (schema->kind == kSchedule) {
    CAIRN_RETURN_IF_ERROR(ParseSchedule(config, location, event.schedule));
    return event;
  }
  if (config.is_null()) {
    if (ev == "push") event.push.emplace();
    if (ev == "pull_request" || ev == "pull_request_target") event.pull_request.emplace();
    if (ev == "workflow_dispatch") event.workflow_dispatch.emplace();
    if (ev == "workflow_call") event.workflow_call.emplace();
    return event;
  }
  if (schema->kind == kNullOnly) {
    return config.Error("event '" + ev + "' takes no configuration: write '" + ev +
                        ":' with nothing after it");
  }
  if (!config.is_mapping()) {
    return config.Error("event '" + ev + "': expected a mapping of " + JoinWords(schema->keys) +
                        ", got " + std::string(core::KindPhrase(config.kind())));
  }
  for (const Member& m : config.members()) {
    // GitHub's runner (Go and C# readers) ignores unknown keys beside workflow_dispatch's
    // `inputs` (vector on-workflow_dispatch-unknown-keys-ignored.yml; only the TS reader
    // refuses them). Unknown keys inside an input stay errors.
    if (ev != "workflow_dispatch" && !HasWord(schema->keys, m.key)) {
      return m.key_location.Error("Unexpected value " + Quote(m.key) + "; expected one of: " +
                                  JoinWords(schema->keys) + " (the keys of event '" + ev + "')");
    }
  }
  // GitHub's reader takes `branches` with `branches-ignore` (and tags, paths) on every event:
  // neither its schema nor its converters exclude the pairs (vector events-mapping-all.yml).

  if (ev == "workflow_dispatch") {
    event.workflow_dispatch.emplace();
    CAIRN_RETURN_IF_ERROR(ParseDispatch(config, *event.workflow_dispatch));
    return event;
  }
  if (ev == "workflow_call") {
    event.workflow_call.emplace();
    CAIRN_RETURN_IF_ERROR(ParseCall(config, *event.workflow_call));
    return event;
  }
  PushTrigger push;
  PullRequestTrigger pr;
  for (const Member& m : config.members()) {
    std::optional<FilterPatterns>* slot = nullptr;
    if (m.key == "branches") {
      slot = ev == "push" ? &push.branches : &pr.branches;
    } else if (m.key == "branches-ignore") {
      slot = ev == "push" ? &push.branches_ignore : &pr.branches_ignore;
    } else if (m.key == "tags") {
      slot = &push.tags;
    } else if (m.key == "tags-ignore") {
      slot = &push.tags_ignore;
    } else if (m.key == "paths") {
      slot = ev == "push" ? &push.paths : &pr.paths;
    } else if (m.key == "paths-ignore") {
      slot = ev == "push" ? &push.paths_ignore : &pr.paths_ignore;
    } else if (m.key == "types") {
      CAIRN_RETURN_IF_ERROR(CheckTypes(m, *schema, &pr.types));
      pr.types_location = m.key_location;
      continue;
    } else {  // names, versions, workflows
      CAIRN_ASSIGN_OR_RETURN(std::vector<PatternSource> ignored,
                             StringList(m.value, ev + "." + m.key));
      (void)ignored;
      continue;
    }
    CAIRN_ASSIGN_OR_RETURN(*slot, ParseFilter(m, ev));
  }
  if (ev == "push") event.push = std::move(push);
  if (ev == "pull_request" || ev == "pull_request_target") event.pull_request = std::move(pr);
  return event;
}

}  // namespace

std::vector<std::string> PullRequestTrigger::EffectiveTypes() const {
  if (!types.empty()) return types;
  return {"opened", "synchronize", "reopened"};
}

std::string_view InputTypeName(InputType type) {
  switch (type) {
    case InputType::kString:
      return "string";
    case InputType::kChoice:
      return "choice";
    case InputType::kBoolean:
      return "boolean";
    case InputType::kNumber:
      return "number";
    case InputType::kEnvironment:
      return "environment";
  }
  return "string";
}

const EventTrigger* Triggers::Find(std::string_view name) const {
  for (const EventTrigger& e : events) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

const std::vector<std::string_view>& KnownEventNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const EventSchema& s : kEventSchemas) v.push_back(s.name);
    return v;
  }();
  return names;
}

Result<Triggers> ParseTriggers(const core::Value& on) {
  Triggers triggers;
  triggers.location = on.location();
  auto add_name = [&](const Value& item) -> Status {
    if (!item.is_string() || item.AsString().empty()) {
      return item.Error("expected an event name (push, pull_request, ...), got " +
                        std::string(core::KindPhrase(item.kind())));
    }
    if (triggers.Has(item.AsString())) return Status::Ok();  // listed twice: once is enough
    CAIRN_ASSIGN_OR_RETURN(EventTrigger event,
                           ParseEvent(item.AsString(), item.location(), Value()));
    triggers.events.push_back(std::move(event));
    return Status::Ok();
  };
  if (on.is_string()) {
    CAIRN_RETURN_IF_ERROR(add_name(on));
  } else if (on.is_sequence()) {
    if (on.items().empty()) return on.Error("'on' lists no event: expected at least one");
    for (const Value& item : on.items()) CAIRN_RETURN_IF_ERROR(add_name(item));
  } else if (on.is_mapping()) {
    if (on.members().empty()) return on.Error("'on' lists no event: expected at least one");
    for (const Member& m : on.members()) {
      CAIRN_ASSIGN_OR_RETURN(EventTrigger event, ParseEvent(m.key, m.key_location, m.value));
      triggers.events.push_back(std::move(event));
    }
  } else {
    return on.Error(
        "'on': expected an event name, a list of event names or a mapping of events to their "
        "configuration, got " +
        std::string(core::KindPhrase(on.kind())));
  }
  return triggers;
}

}  // namespace cairn::workflow
