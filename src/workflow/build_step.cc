// The model builder: steps (ids as GitHub generates them) and `uses:` references.
#include <set>
#include <string>
#include <utility>

#include "core/strings.h"
#include "workflow/build.h"

namespace cairn::workflow {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// GitHub's generated step ids: "__" + a base from `uses` ("actions/checkout" ->
// "__actions_checkout") or "run", then "_2", "_3"... until it is not taken.
class IdGenerator {
 public:
  void Reserve(const std::string& id) { taken_.insert(core::ToLower(id)); }

  std::string Generate(std::string_view base) {
    std::string name;
    for (char c : std::string("__") + std::string(base)) name.push_back(IsWordChar(c) ? c : '_');
    for (int attempt = 1; attempt < 1000; ++attempt) {
      std::string suffix = attempt == 1 ? "" : "_" + std::to_string(attempt);
      std::string candidate = name.substr(0, std::min(name.size(), 100 - suffix.size())) + suffix;
      if (taken_.insert(core::ToLower(candidate)).second) return candidate;
    }
    return name;
  }

 private:
  std::set<std::string> taken_;
};

std::string ActionStepBase(const UsesRef& uses) {
  switch (uses.kind) {
    case UsesRef::Kind::kDocker:
      return uses.image;
    case UsesRef::Kind::kLocal:
      return "self";
    case UsesRef::Kind::kRepository:
      return uses.owner + "/" + uses.repo;
  }
  return "";
}

}  // namespace

std::optional<UsesRef> ParseUses(const core::Value& node, bool job, ErrorList* errors) {
  UsesRef out;
  out.location = node.location();
  if (!node.is_string()) return std::nullopt;
  out.text = node.AsString();
  std::string_view text = out.text;
  if (!job && text.substr(0, 9) == "docker://") {
    out.kind = UsesRef::Kind::kDocker;
    out.image = std::string(text.substr(9));
    return out;
  }
  if (text.substr(0, 2) == "./" || text.substr(0, 2) == ".\\") {
    out.kind = UsesRef::Kind::kLocal;
    out.path = std::string(text);
    return out;
  }
  std::vector<std::string_view> at = core::Split(text, '@');
  std::vector<std::string_view> segments;
  if (at.size() == 2) {
    for (std::string_view s : core::Split(at[0], '/')) {
      if (!s.empty()) segments.push_back(s);
    }
  }
  if (at.size() != 2 || at[1].empty() || segments.size() < 2 ||
      text.find('\\') != std::string_view::npos) {
    errors->Add(node.location(),
                job ? "Expected format {owner}/{repo}/.github/workflows/{file}@{ref} "
                      "or ./.github/workflows/{file}. Actual '" +
                          out.text + "'"
                    : "Expected format {org}/{repo}[/path]@ref. Actual '" + out.text + "'");
    return std::nullopt;
  }
  out.kind = UsesRef::Kind::kRepository;
  out.owner = std::string(segments[0]);
  out.repo = std::string(segments[1]);
  for (size_t i = 2; i < segments.size(); ++i) {
    if (!out.path.empty()) out.path += "/";
    out.path += std::string(segments[i]);
  }
  out.ref = std::string(at[1]);
  return out;
}

std::vector<Step> Builder::BuildSteps(const core::Value& node) {
  std::vector<Step> steps;
  IdGenerator ids;
  std::set<std::string> known;
  for (const core::Value& item : node.items()) {
    if (!item.is_mapping()) continue;
    Step step;
    step.location = item.location();
    for (const core::Member& m : item.members()) {
      const core::Value& value = m.value;
      const std::string& key = m.key;
      if (key == "id") {
        step.id = ScalarText(value);
        step.id_location = value.location();
        if (auto error = CheckIdentifier(step.id)) {
          errors_->Add(value.location(), *error);
        } else if (!known.insert(core::ToLower(step.id)).second) {
          errors_->Add(value.location(), "The identifier '" + step.id +
                                             "' may not be used more than once within the same "
                                             "scope.");
        } else {
          ids.Reserve(step.id);
        }
      } else if (key == "name") {
        step.name = Tpl(value);
      } else if (key == "run") {
        step.run = Tpl(value);
      } else if (key == "uses") {
        step.uses = ParseUses(value, false, errors_);
      } else if (key == "with") {
        step.with = Map(&value);
      } else if (key == "env") {
        step.env = Map(&value);
      } else if (key == "shell") {
        step.shell = Tpl(value);
      } else if (key == "working-directory") {
        step.working_directory = Tpl(value);
      } else if (key == "continue-on-error") {
        step.continue_on_error = Bool(&value);
      } else if (key == "timeout-minutes") {
        step.timeout_minutes = Number(&value);
      }
    }
    step.if_ = Cond(item.Find("if"), "step-if");
    steps.push_back(std::move(step));
  }
  for (Step& step : steps) {
    if (!step.id.empty()) continue;
    step.id = ids.Generate(step.uses ? ActionStepBase(*step.uses) : "run");
    step.id_generated = true;
  }
  return steps;
}

}  // namespace cairn::workflow
