// Test helper: a StepHost for the action tests, independent of the job runner. It records what
// an action does to the step (log lines, outputs, exported env, PATH additions, state, masks,
// summary), runs processes for real with sys::Subprocess (with a GITHUB_OUTPUT file whose
// name=value and heredoc lines become outputs), and runs composite steps simply: each `run:`
// step's script, its `${{ }}` evaluated over `inputs` and `steps`, with `bash -e -c`.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/path.h"
#include "core/strings.h"
#include "sys/env.h"
#include "sys/subprocess.h"
#include "workflow/actions.h"

namespace cairn::workflow::testing {

class FakeStepHost : public StepHost {
 public:
  FakeStepHost(RunOptions options, Event event, std::string workspace, std::string runner_temp,
               std::map<std::string, std::string> env)
      : options_(std::move(options)),
        event_(std::move(event)),
        workspace_(std::move(workspace)),
        runner_temp_(std::move(runner_temp)),
        env_(std::move(env)) {
    job_.job_id = "test";
    job_.display_name = "test";
    env_["GITHUB_WORKSPACE"] = workspace_;
    env_["RUNNER_TEMP"] = runner_temp_;
  }

  const std::string& workspace() const override { return workspace_; }
  const std::string& runner_temp() const override { return runner_temp_; }
  const RunOptions& options() const override { return options_; }
  const Event& event() const override { return event_; }
  const JobRef& job() const override { return job_; }
  const std::map<std::string, std::string>& env() const override { return env_; }
  std::stop_token stop() const override { return {}; }

  void Log(LineKind kind, std::string_view line) override {
    lines.emplace_back(kind, std::string(line));
  }
  void SetOutput(std::string_view name, std::string_view value) override {
    outputs[std::string(name)] = std::string(value);
  }
  void ExportEnv(std::string_view name, std::string_view value) override {
    exported[std::string(name)] = std::string(value);
    env_[std::string(name)] = std::string(value);
  }
  void AddPath(std::string_view dir) override {
    paths.emplace_back(dir);
    env_["PATH"] = std::string(dir) + ":" + env_["PATH"];
  }
  void SaveState(std::string_view name, std::string_view value) override {
    state[std::string(name)] = std::string(value);
  }
  void AddMask(std::string_view value) override { masks.emplace_back(value); }
  void AppendSummary(std::string_view markdown) override { summary += markdown; }

  core::Result<Conclusion> RunProcess(const ScriptSpec& spec) override {
    std::unique_ptr<sys::Env> os = sys::NewPosixEnv();
    std::string output_file = core::JoinPath(runner_temp_, "output_" + std::to_string(++files_));
    CAIRN_RETURN_IF_ERROR(os->WriteFile(output_file, ""));
    std::map<std::string, std::string> env = env_;
    for (const auto& [k, v] : spec.env) env[k] = v;
    env["GITHUB_OUTPUT"] = output_file;
    for (const auto& [k, v] : state) env["STATE_" + k] = v;
    sys::SubprocessOptions options;
    options.argv = spec.argv;
    options.cwd = spec.cwd.empty() ? workspace_ : spec.cwd;
    options.merge_stderr = true;
    std::vector<std::string> entries;
    for (const auto& [k, v] : env) entries.push_back(k + "=" + v);
    options.env = entries;
    CAIRN_ASSIGN_OR_RETURN(sys::ExitStatus status, sys::Run(options, [&](std::string_view line) {
                             Log(LineKind::kOutput, line);
                           }));
    CAIRN_ASSIGN_OR_RETURN(std::string written, os->ReadFile(output_file));
    std::map<std::string, std::string>& target = nested_ != nullptr ? *nested_ : outputs;
    std::vector<std::string_view> lines_written = core::SplitLines(written);
    for (size_t i = 0; i < lines_written.size(); ++i) {
      std::string_view line = lines_written[i];
      size_t heredoc = line.find("<<");
      size_t eq = line.find('=');
      if (heredoc != std::string_view::npos && (eq == std::string_view::npos || heredoc < eq)) {
        std::string name(line.substr(0, heredoc));
        std::string_view delimiter = line.substr(heredoc + 2);
        std::string value;
        for (++i; i < lines_written.size() && lines_written[i] != delimiter; ++i) {
          if (!value.empty()) value += "\n";
          value += lines_written[i];
        }
        target[name] = value;
      } else if (eq != std::string_view::npos) {
        target[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
      }
    }
    return status.ok() ? Conclusion::kSuccess : Conclusion::kFailure;
  }

  core::Result<Conclusion> RunSteps(const std::vector<Step>& steps,
                                    const std::map<std::string, std::string>& inputs,
                                    const TemplateMap& output_templates,
                                    std::map<std::string, std::string>* step_outputs) override {
    std::vector<std::pair<std::string, expr::Value>> input_values;
    for (const auto& [k, v] : inputs) input_values.emplace_back(k, expr::Value::String(v));
    std::vector<std::pair<std::string, expr::Value>> steps_context;
    auto contexts = [&] {
      expr::Contexts c;
      c.Set("inputs", expr::Value::Object(input_values));
      c.Set("steps", expr::Value::Object(steps_context));
      return c;
    };
    ran_steps += static_cast<int>(steps.size());
    for (const Step& step : steps) {
      if (!step.run) continue;
      expr::Contexts c = contexts();
      CAIRN_ASSIGN_OR_RETURN(std::string script,
                             step.run->value.EvaluateString({.contexts = &c, .runtime = nullptr}));
      std::map<std::string, std::string> produced;
      nested_ = &produced;
      ScriptSpec spec;
      spec.argv = {"bash", "-e", "-c", script};
      auto result = RunProcess(spec);
      nested_ = nullptr;
      CAIRN_ASSIGN_OR_RETURN(Conclusion conclusion, std::move(result));
      if (conclusion != Conclusion::kSuccess) return conclusion;
      std::vector<std::pair<std::string, expr::Value>> outs;
      for (const auto& [k, v] : produced) outs.emplace_back(k, expr::Value::String(v));
      steps_context.emplace_back(
          step.id, expr::Value::Object({{"outputs", expr::Value::Object(outs)},
                                        {"outcome", expr::Value::String("success")},
                                        {"conclusion", expr::Value::String("success")}}));
    }
    expr::Contexts c = contexts();
    for (const NamedTemplate& t : output_templates) {
      CAIRN_ASSIGN_OR_RETURN((*step_outputs)[t.name],
                             t.value.value.EvaluateString({.contexts = &c, .runtime = nullptr}));
    }
    return Conclusion::kSuccess;
  }

  /// Whether a log line contains `text`.
  bool Logged(std::string_view text) const {
    for (const auto& [kind, line] : lines) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string AllLines() const {
    std::string out;
    for (const auto& [kind, line] : lines) out += line + "\n";
    return out;
  }

  std::vector<std::pair<LineKind, std::string>> lines;
  std::map<std::string, std::string> outputs;
  std::map<std::string, std::string> exported;
  std::vector<std::string> paths;
  std::map<std::string, std::string> state;
  std::vector<std::string> masks;
  std::string summary;
  int ran_steps = 0;

 private:
  RunOptions options_;
  Event event_;
  std::string workspace_;
  std::string runner_temp_;
  std::map<std::string, std::string> env_;
  JobRef job_;
  int files_ = 0;
  std::map<std::string, std::string>* nested_ = nullptr;
};

}  // namespace cairn::workflow::testing
