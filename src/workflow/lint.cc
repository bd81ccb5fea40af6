// lint: the ML-pipeline rules of lint.h.
//
// Heuristics (all on the text of `run:` scripts, `uses:` references and step names, compared
// ignoring ASCII case):
//
//   trains          a run: mentioning `train.py` (python src/train.py, pretrain.py...),
//                   `cairn ml train`, `dvc repro`, `dvc exp run` or `cairn repro`
//   pulls data      a run: mentioning `dvc pull` or `cairn data pull`, or a training command
//                   given `--pull` on the same line (`dvc repro --pull`); a pull earlier in the
//                   same script as the training command counts
//   registers       a run: mentioning `register_model` (a register_model.py script, MLflow's
//                   mlflow.register_model), `create_model_version` or `cairn model register`
//   pushes to git   a run: mentioning `git push`, or a step using a git-auto-commit or
//                   github-push action
//   gate            a step named with "threshold", "gate", "metric check" or "check metric";
//                   or a run: mentioning `cairn gate`, `cairn ml gate` or `cairn metrics`; or a
//                   run: that can `exit 1` (also exit(1), sys.exit(1)) and mentions a metric,
//                   a threshold, an accuracy or a score; or a run: calling a script whose name
//                   has "gate", "threshold" or "check_metric". A gate counts for a register
//                   step when it is an earlier step of the same job or any step of a job it
//                   needs (directly or not): a failing gate then stops the registration.
//   default-branch push condition
//                   the step's or the job's `if:`, with spaces removed, has no `||`, and
//                   compares github.ref with 'refs/heads/main' (or master, or
//                   format('refs/heads/{0}', github.event.repository.default_branch)) or
//                   github.ref_name with 'main'/'master'/the default branch, AND compares
//                   github.event_name with 'push'. Either part may instead come from `on:`:
//                   a workflow triggered only by push needs no event test, and one whose only
//                   trigger is push to branches main/master needs neither.
//   secrets         `secrets.NAME` or `secrets['NAME']` in any expression of the job
//   prints a secret a run: line with echo or printf and `${{ secrets.` whose output is not
//                   piped (|) or redirected (>) after the secret
#include "workflow/lint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "workflow/trigger.h"

namespace cairn::workflow {
namespace {

enum Rule {
  kTimeout,
  kPushPaths,
  kDataPull,
  kRegisterGate,
  kRegisterCondition,
  kSecretsEnvironment,
  kSetupPythonCache,
  kSecretEcho,
};

const std::vector<std::string_view> kRuleIds = {
    "timeout",
    "push-paths",
    "data-pull",
    "register-gate",
    "register-condition",
    "secrets-environment",
    "setup-python-cache",
    "secret-echo",
};

std::string Lower(std::string_view s) { return core::ToLower(s); }

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string RunText(const Step& step) {
  return step.run ? Lower(step.run->value.text()) : std::string();
}

// The position of the first of `needles` in `text`, or npos.
size_t FindFirst(std::string_view text, std::initializer_list<std::string_view> needles) {
  size_t best = std::string_view::npos;
  for (std::string_view n : needles) best = std::min(best, text.find(n));
  return best;
}

size_t TrainPosition(std::string_view run) {
  return FindFirst(run, {"train.py", "cairn ml train", "dvc repro", "dvc exp run", "cairn repro"});
}

size_t PullPosition(std::string_view run) {
  return FindFirst(run, {"dvc pull", "cairn data pull"});
}

bool LineHas(std::string_view text, size_t pos, std::string_view needle) {
  size_t start = text.rfind('\n', pos);
  start = start == std::string_view::npos ? 0 : start + 1;
  size_t end = text.find('\n', pos);
  return Contains(text.substr(start, end == std::string_view::npos ? text.npos : end - start),
                  needle);
}

bool Registers(const Step& step) {
  std::string run = RunText(step);
  return FindFirst(run, {"register_model", "create_model_version", "cairn model register"}) !=
         std::string::npos;
}

bool PushesToGit(const Step& step) {
  if (Contains(RunText(step), "git push")) return true;
  if (!step.uses) return false;
  std::string uses = Lower(step.uses->text);
  return Contains(uses, "git-auto-commit") || Contains(uses, "github-push-action");
}

bool IsGate(const Step& step) {
  if (step.name) {
    std::string name = Lower(step.name->value.text());
    if (FindFirst(name, {"threshold", "gate", "metric check", "check metric"}) != name.npos) {
      return true;
    }
  }
  std::string run = RunText(step);
  if (run.empty()) return false;
  if (FindFirst(run, {"cairn gate", "cairn ml gate", "cairn metrics"}) != run.npos) return true;
  bool can_fail = FindFirst(run, {"exit 1", "exit(1)"}) != run.npos;
  if (can_fail &&
      FindFirst(run, {"metric", "threshold", "accuracy", "score"}) != std::string::npos) {
    return true;
  }
  for (std::string_view word : core::Split(run, ' ')) {
    word = core::Trim(word);
    if (word.size() > 3 && word.substr(word.size() - 3) == ".py") {
      if (FindFirst(word, {"gate", "threshold", "check_metric"}) != word.npos) return true;
    }
  }
  return false;
}

std::string StepLabel(const Step& step) {
  if (step.name) return "'" + step.name->value.text() + "'";
  if (step.run) {
    for (std::string_view line : core::SplitLines(step.run->value.text())) {
      std::string_view t = core::Trim(line);
      if (!t.empty()) return "'run: " + std::string(t) + "'";
    }
  }
  if (step.uses) return "'uses: " + step.uses->text + "'";
  return "'" + step.id + "'";
}

// --- conditions

std::string Normalize(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    out += c == '"' ? '\'' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  out = core::ReplaceAll(out, "${{", "");
  out = core::ReplaceAll(out, "}}", "");
  return out;
}

bool HasComparison(std::string_view text, std::string_view a, std::string_view b) {
  std::string ab = std::string(a) + "==" + std::string(b);
  std::string ba = std::string(b) + "==" + std::string(a);
  return Contains(text, ab) || Contains(text, ba);
}

bool TestsDefaultBranch(std::string_view c) {
  for (std::string_view branch : {"main", "master"}) {
    if (HasComparison(c, "github.ref", "'refs/heads/" + std::string(branch) + "'")) return true;
    if (HasComparison(c, "github.ref_name", "'" + std::string(branch) + "'")) return true;
  }
  return HasComparison(c, "github.ref",
                       "format('refs/heads/{0}',github.event.repository.default_branch)") ||
         HasComparison(c, "github.ref_name", "github.event.repository.default_branch");
}

bool TestsPush(std::string_view c) { return HasComparison(c, "github.event_name", "'push'"); }

struct TriggerFacts {
  bool only_push = false;            // every event of `on:` is push
  bool only_default_branch = false;  // ...and push is limited to branches main/master
};

TriggerFacts FactsOf(const Workflow& workflow) {
  TriggerFacts facts;
  if (workflow.triggers.events.empty()) return facts;
  for (const EventTrigger& e : workflow.triggers.events) {
    if (e.name != "push") return facts;
  }
  facts.only_push = true;
  const core::Value& config = workflow.triggers.events.front().config;
  const core::Value* branches = config.is_mapping() ? config.Find("branches") : nullptr;
  if (branches == nullptr || config.Find("tags") != nullptr) return facts;
  std::vector<const core::Value*> items;
  if (branches->is_string()) items.push_back(branches);
  for (const core::Value& b : branches->items()) items.push_back(&b);
  facts.only_default_branch = !items.empty();
  for (const core::Value* b : items) {
    if (!b->is_string() || (b->AsString() != "main" && b->AsString() != "master")) {
      facts.only_default_branch = false;
    }
  }
  return facts;
}

bool LimitedToDefaultBranchPush(const std::vector<std::string_view>& conditions,
                                const TriggerFacts& facts) {
  if (facts.only_default_branch) return true;
  for (std::string_view written : conditions) {
    std::string c = Normalize(written);
    if (c.empty() || Contains(c, "||")) continue;
    if (TestsDefaultBranch(c) && (facts.only_push || TestsPush(c))) return true;
  }
  return false;
}

// --- secrets

// The secret names read in `text` (secrets.NAME, secrets['NAME']), in order.
std::vector<std::string> SecretNames(std::string_view text) {
  std::vector<std::string> names;
  std::string lower = Lower(text);
  size_t pos = 0;
  while ((pos = lower.find("secrets", pos)) != std::string::npos) {
    size_t i = pos + 7;
    bool boundary = pos == 0 || !(std::isalnum(static_cast<unsigned char>(lower[pos - 1])) ||
                                  lower[pos - 1] == '_' || lower[pos - 1] == '.');
    pos = i;
    if (!boundary || i >= text.size()) continue;
    size_t start = 0;
    size_t end = 0;
    if (text[i] == '.') {
      start = i + 1;
      end = start;
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                   text[end] == '_' || text[end] == '-')) {
        ++end;
      }
    } else if (text.substr(i, 2) == "['") {
      start = i + 2;
      end = text.find('\'', start);
      if (end == std::string_view::npos) continue;
    } else {
      continue;
    }
    if (end > start) names.emplace_back(text.substr(start, end - start));
  }
  return names;
}

void AddTexts(const TemplateMap& map, std::vector<std::string_view>* texts) {
  for (const NamedTemplate& n : map) texts->push_back(n.value.value.text());
}

std::vector<std::string_view> JobTexts(const Job& job) {
  std::vector<std::string_view> texts;
  AddTexts(job.env, &texts);
  AddTexts(job.outputs, &texts);
  if (job.container) AddTexts(job.container->env, &texts);
  for (const Container& s : job.services) AddTexts(s.env, &texts);
  for (const Step& step : job.steps) {
    if (step.run) texts.push_back(step.run->value.text());
    AddTexts(step.env, &texts);
    AddTexts(step.with, &texts);
  }
  return texts;
}

// The first secret a run: line prints to the log, or "".
std::string EchoedSecret(const Step& step) {
  if (!step.run) return "";
  for (std::string_view line : core::SplitLines(step.run->value.text())) {
    std::string lower = Lower(line);
    size_t cmd = FindFirst(lower, {"echo ", "printf "});
    if (cmd == std::string::npos) continue;
    size_t open = lower.find("${{", cmd);
    while (open != std::string::npos) {
      size_t close = lower.find("}}", open);
      if (close == std::string::npos) break;
      std::vector<std::string> names = SecretNames(line.substr(open, close - open));
      std::string_view rest = std::string_view(lower).substr(close);
      if (!names.empty() && rest.find('|') == rest.npos && rest.find('>') == rest.npos) {
        return names.front();
      }
      open = lower.find("${{", close);
    }
  }
  return "";
}

}  // namespace

const std::vector<std::string_view>& LintRules() { return kRuleIds; }

std::string LintWarning::ToString() const {
  std::string where = location.ToString();
  return (where.empty() ? "" : where + ": ") + "warning: " + message + " [" + rule +
         "]\n  fix: " + fix;
}

std::vector<LintWarning> Lint(const Workflow& workflow) {
  std::vector<std::pair<int, LintWarning>> found;  // rule index, warning
  auto warn = [&](Rule rule, const core::Location& where, std::string message, std::string fix) {
    found.push_back({rule, LintWarning{std::string(kRuleIds[rule]), where, std::move(message),
                                       std::move(fix)}});
  };

  bool trains = false;
  for (const Job& job : workflow.jobs) {
    for (const Step& step : job.steps) {
      if (TrainPosition(RunText(step)) != std::string::npos) trains = true;
    }
  }
  TriggerFacts facts = FactsOf(workflow);

  // Jobs with a gate step, and which jobs each job needs, transitively (for register-gate).
  std::map<std::string, bool, std::less<>> has_gate;
  for (const Job& job : workflow.jobs) {
    has_gate[job.id] = std::any_of(job.steps.begin(), job.steps.end(), IsGate);
  }
  auto gated_upstream = [&](const Job& job) {
    std::vector<std::string> todo;
    std::vector<std::string> seen;
    for (const Need& n : job.needs) todo.push_back(n.id);
    while (!todo.empty()) {
      std::string id = todo.back();
      todo.pop_back();
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
      seen.push_back(id);
      if (has_gate[id]) return true;
      if (const Job* up = workflow.FindJob(id)) {
        for (const Need& n : up->needs) todo.push_back(n.id);
      }
    }
    return false;
  };

  // push-paths
  if (trains) {
    for (const EventTrigger& e : workflow.triggers.events) {
      if (e.name != "push") continue;
      bool filtered = e.config.is_mapping() && (e.config.Find("paths") != nullptr ||
                                                e.config.Find("paths-ignore") != nullptr);
      if (!filtered) {
        warn(kPushPaths, e.location,
             "this workflow trains a model, and `push:` has no paths filter: every push "
             "retrains, even one changing only docs",
             "add `paths:` under `push:` listing what the model depends on (src/**, data/**, "
             "params.yaml, this workflow file)");
      }
    }
  }

  for (const Job& job : workflow.jobs) {
    if (!job.is_reusable_call() && !job.timeout_minutes) {
      warn(kTimeout, job.id_location,
           "job '" + job.id +
               "' has no timeout-minutes: a hung step holds the runner for GitHub's default of "
               "6 hours",
           "add `timeout-minutes:` to job '" + job.id + "' (30 is generous for most training)");
    }

    bool pulled = false;
    bool warned_pull = false;
    bool gated = gated_upstream(job);
    for (const Step& step : job.steps) {
      std::string run = RunText(step);
      size_t train = TrainPosition(run);
      size_t pull = PullPosition(run);
      if (train != std::string::npos && !warned_pull && !pulled &&
          !(pull != std::string::npos && pull < train) && !LineHas(run, train, "--pull")) {
        warn(kDataPull, step.location,
             "step " + StepLabel(step) + " trains, but no step before it in job '" + job.id +
                 "' pulls the data: it trains on whatever the checkout holds",
             "add a step running `dvc pull` (or `cairn data pull`) before it");
        warned_pull = true;
      }
      if (pull != std::string::npos ||
          (train != std::string::npos && LineHas(run, train, "--pull"))) {
        pulled = true;
      }

      bool registers = Registers(step);
      if (registers && !gated) {
        warn(kRegisterGate, step.location,
             "step " + StepLabel(step) +
                 " registers a model, but no metric check or gate runs before it: a worse model "
                 "would be registered",
             "add a step before it that fails when a metric misses its threshold (`cairn gate`, "
             "or a script that exits 1)");
      }
      if (registers || PushesToGit(step)) {
        std::vector<std::string_view> conditions = {step.if_.written, job.if_.written};
        if (!LimitedToDefaultBranchPush(conditions, facts)) {
          warn(kRegisterCondition, step.location,
               "step " + StepLabel(step) + (registers ? " registers a model" : " pushes to git") +
                   " without an `if:` limiting it to a push on the default branch: pull "
                   "requests and other branches would " +
                   (registers ? "register too" : "push too"),
               "add `if: github.event_name == 'push' && github.ref == 'refs/heads/main'` to the "
               "step");
        }
      }
      if (IsGate(step)) gated = true;

      if (step.uses && core::EqualsIgnoreCase(step.uses->owner, "actions") &&
          core::EqualsIgnoreCase(step.uses->repo, "setup-python")) {
        bool cached = std::any_of(step.with.begin(), step.with.end(),
                                  [](const NamedTemplate& w) { return w.name == "cache"; });
        if (!cached) {
          warn(kSetupPythonCache, step.location,
               "step " + StepLabel(step) +
                   " sets up Python without `cache:`: every run downloads every dependency again",
               "add `cache: 'pip'` (or 'poetry', 'pipenv') under its `with:`");
        }
      }

      std::string echoed = EchoedSecret(step);
      if (!echoed.empty()) {
        warn(kSecretEcho, step.location,
             "step " + StepLabel(step) + " prints secrets." + echoed +
                 " to the log (GitHub masks the exact value, not a transformed or partial one)",
             "pass the secret through `env:` and use it without printing it");
      }
    }

    if (!job.is_reusable_call() && !job.environment) {
      for (std::string_view text : JobTexts(job)) {
        std::vector<std::string> names = SecretNames(text);
        auto it = std::find_if(names.begin(), names.end(), [](const std::string& n) {
          return !core::EqualsIgnoreCase(n, "GITHUB_TOKEN");
        });
        if (it != names.end()) {
          warn(kSecretsEnvironment, job.id_location,
               "job '" + job.id + "' reads secrets." + *it +
                   " without an `environment:`: no protection rule or reviewer guards it",
               "add `environment: <name>` to job '" + job.id +
                   "' and keep its secrets in that environment");
          break;
        }
      }
    }
  }

  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    const core::Location& la = a.second.location;
    const core::Location& lb = b.second.location;
    if (la.line != lb.line) return la.line < lb.line;
    if (la.column != lb.column) return la.column < lb.column;
    return a.first < b.first;
  });
  std::vector<LintWarning> warnings;
  for (auto& [rule, w] : found) warnings.push_back(std::move(w));
  return warnings;
}

}  // namespace cairn::workflow
