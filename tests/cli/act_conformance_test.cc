// nektos/act's runner fixtures (../shared/conformance/actions/nektos-act/runner) run with
// `cairn workflow run`: every case of expectations.json that needs no Docker, no network and no
// tool this machine lacks must end as act's table says (success, or a failure). act's error
// messages are not the bar; the outcome is.
//
// The fixtures' directory becomes one git repository (act runs them from that directory, so
// local actions `./actions/x` and reusable workflows `./.github/workflows/x.yml` resolve there).
// Cases that cannot run here are skipped by a named rule, and the summary lists them.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/dvc_sandbox.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "testing/paths.h"
#include "workflow/parse.h"

namespace cairn::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Cases whose expectation holds only under act itself, with why.
const std::map<std::string, std::string>& ActOnly() {
  static const auto* cases = new std::map<std::string, std::string>{
      {"runs-on", "expects GITHUB_ACTOR to be act's 'nektos/act'"},
      {"issue-1195", "expects github.repository_owner to be act's 'nektos'"},
      {"if-env-act", "expects act's ACT variable (cairn sets CAIRN=true)"},
      {"defaults-run", "expects $SHELL unset, as in act's container (GitHub's runners set it)"},
      {"workflow_call_inputs",
       "GitHub rejects the file (a workflow_call input without type), act runs it"},
  };
  return *cases;
}

// Why a case cannot run on this machine, or "" when it can. `text` is every workflow and
// action.yml file of the case, concatenated.
std::string SkipReason(const std::string& dir, const std::string& text, const std::string& repo) {
  if (auto it = ActOnly().find(dir); it != ActOnly().end()) return "act-specific: " + it->second;
  auto has = [&text](std::string_view s) { return text.find(s) != std::string::npos; };
  if (has("docker://") || has("using: docker") || has("using: 'docker'") ||
      has("using: \"docker\"") || has("Dockerfile")) {
    return "needs Docker (a Docker action)";
  }
  if (has("shell: pwsh") || has("shell: powershell") || dir == "shells/pwsh") {
    if (std::system("command -v pwsh >/dev/null 2>&1") != 0) return "needs pwsh (not installed)";
  }
  if (has("shell: python") && std::system("command -v python >/dev/null 2>&1") != 0) {
    return "needs python on PATH (not installed)";
  }
  // JavaScript actions whose code the fixture set did not copy (its README says so).
  for (const char* field : {"main: ", "pre: ", "post: "}) {
    size_t at = 0;
    while ((at = text.find(field, at)) != std::string::npos) {
      size_t end = text.find('\n', at);
      std::string file(core::Trim(text.substr(at + 6, end - at - 6)));
      at = end;
      if (file.size() >= 2 && (file.front() == '\'' || file.front() == '"')) {
        file = file.substr(1, file.size() - 2);
      }
      if (file.ends_with(".js") && !file.starts_with("${{") &&
          std::system(
              ("find '" + repo + "' -name '" + std::string(core::Basename(file)) + "' | grep -q .")
                  .c_str()) != 0) {
        return "the JavaScript action code was not copied into the fixtures (" + file + ")";
      }
    }
  }
  // Remote actions other than the built-ins need the network.
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::string_view l = core::Trim(line);
    if (l.starts_with("- ")) l = core::Trim(l.substr(2));
    if (!l.starts_with("uses:")) continue;
    std::string uses(core::Trim(l.substr(5)));
    if (!uses.empty() && (uses.front() == '\'' || uses.front() == '"')) {
      uses = uses.substr(1, uses.size() - 2);
    }
    if (uses.starts_with("./") || uses.empty()) continue;
    std::string lower = core::ToLower(uses);
    bool builtin = false;
    for (const char* b :
         {"actions/checkout@", "actions/setup-python@", "actions/cache@", "actions/cache/restore@",
          "actions/cache/save@", "actions/upload-artifact@", "actions/download-artifact@"}) {
      builtin = builtin || lower.starts_with(b);
    }
    if (!builtin) return "needs the network (remote action " + uses + ")";
  }
  return "";
}

// The action.yml texts of the local actions (`uses: ./path`) `text` names, and of the local
// actions those name, a few levels deep.
std::string LocalActions(const std::string& repo, const std::string& text, int depth = 0) {
  if (depth > 3) return "";
  std::string out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    size_t at = line.find("uses: ./");
    if (at == std::string::npos) continue;
    std::string path(core::Trim(line.substr(at + 6)));
    if (!path.empty() && (path.back() == '\'' || path.back() == '"')) path.pop_back();
    for (const char* name : {"/action.yml", "/action.yaml"}) {
      std::string yml = ReadFile(repo + "/" + path + name);
      if (yml.empty()) continue;
      out += yml + "\n" + LocalActions(repo, yml, depth + 1);
      break;
    }
  }
  return out;
}

// The jobs of workflow `path` that run without Docker (no `container:`/`services:`, and no
// need of a job that has them), as --job options; "" when every job may run; nullopt when
// none may.
std::optional<std::string> JobsWithoutDocker(const std::string& path) {
  auto wf = workflow::LoadWorkflowFile(path);
  if (!wf.ok()) return std::string();  // the run reports the error
  std::set<std::string> docker;
  for (const workflow::Job& job : wf->jobs) {
    bool needs_docker = job.container.has_value() || !job.services.empty();
    for (const workflow::Need& need : job.needs)
      needs_docker = needs_docker || docker.count(need.id);
    if (needs_docker) docker.insert(job.id);
  }
  if (docker.empty()) return std::string();
  std::string jobs;
  for (const workflow::Job& job : wf->jobs) {
    if (!docker.count(job.id)) jobs += " --job " + job.id;
  }
  if (jobs.empty()) return std::nullopt;
  return jobs;
}

struct Case {
  std::string dir;
  std::string event;
  bool expect_failure = false;
};

class ActConformanceTest : public DvcSandbox {};

TEST_F(ActConformanceTest, FixturesEndAsActSays) {
  CAIRN_SHARED_DIR_OR_SKIP(shared);
  const std::string fixtures = shared + "/conformance/actions/nektos-act/runner";
  auto table = core::ParseJson(ReadFile(fixtures + "/expectations.json"), "expectations.json");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<Case> cases;
  for (const core::Value& c : table->Find("cases")->items()) {
    cases.push_back({c.Find("dir")->AsString(), c.Find("event")->AsString(),
                     !c.Find("expectErrorContains")->is_null()});
  }

  // One repository holding every fixture, committed (checkout clones it).
  ASSERT_EQ(Sh("cp -R '" + fixtures + "'/. . && git add -A && git commit -qm fixtures").rc, 0);

  int attempted = 0, passed = 0;
  std::map<std::string, std::vector<std::string>> skipped;  // reason -> cases
  std::vector<std::string> failures;
  for (const Case& c : cases) {
    std::string files = Sh("ls '" + c.dir + "'/*.yml '" + c.dir + "'/*.yaml 2>/dev/null").out;
    std::vector<std::string> workflows;
    for (std::string_view f : core::SplitLines(files)) {
      std::string name(core::Basename(f));
      if (!f.empty() && name != "action.yml" && name != "action.yaml") workflows.emplace_back(f);
    }
    std::string text;
    for (const std::string& w : workflows) text += ReadFile(repo_ + "/" + w);
    text += LocalActions(repo_, text);
    std::string reason = workflows.empty() ? "no workflow file" : SkipReason(c.dir, text, repo_);
    if (!reason.empty()) {
      skipped[reason].push_back(c.dir + " (" + c.event + ")");
      continue;
    }
    std::string event_path = c.dir + "/event.json";
    std::string event_opt = "--event " + c.event;
    if (Sh("test -f '" + event_path + "'").rc == 0)
      event_opt += " --event-path '" + event_path + "'";
    bool any_failed = false;
    std::string output;
    std::vector<std::pair<std::string, std::string>> runs;  // workflow, --job options
    for (const std::string& w : workflows) {
      std::optional<std::string> jobs = JobsWithoutDocker(repo_ + "/" + w);
      if (jobs) runs.emplace_back(w, *jobs);
    }
    bool some_dropped = false;
    for (const auto& run : runs) some_dropped = some_dropped || !run.second.empty();
    if (c.expect_failure && (some_dropped || runs.size() < workflows.size())) {
      skipped["needs Docker (the failure act expects may be in a job with a container)"].push_back(
          c.dir + " (" + c.event + ")");
      continue;
    }
    if (runs.empty()) {
      skipped["needs Docker (every job has a container or services)"].push_back(c.dir + " (" +
                                                                                c.event + ")");
      continue;
    }
    ++attempted;
    for (const auto& [w, jobs] : runs) {
      if (!jobs.empty()) output += "(only the jobs without Docker:" + jobs + ")\n";
      Ran r = Sh("cairn workflow run --force -j 2 " + event_opt + jobs + " '" + w + "'", "", true);
      any_failed = any_failed || r.rc != 0;
      output += "$ cairn workflow run " + w + " (exit " + std::to_string(r.rc) + ")\n" + r.out;
    }
    if (any_failed == c.expect_failure) {
      ++passed;
    } else {
      failures.push_back(c.dir + " (" + c.event + "): expected " +
                         (c.expect_failure ? "a failure" : "success") + "\n" + output);
    }
  }
  std::string summary = "act fixtures: " + std::to_string(passed) + " of " +
                        std::to_string(attempted) + " attempted end as act's table says\n";
  for (const auto& [reason, list] : skipped) {
    summary += "  skipped, " + reason + ": " + core::Join(list, ", ") + "\n";
  }
  std::printf("%s", summary.c_str());
  for (const std::string& f : failures) ADD_FAILURE() << f;
}

}  // namespace
}  // namespace cairn::testing
