// `cairn schedule [FILE...] [--once] [--now TIME] [--dry-run]`: a foreground daemon firing the
// `on: schedule` workflows on their cron, as GitHub does: at the start of every minute (UTC) it
// reads the workflow files again, and for each one with a cron entry matching that minute runs
// `cairn workflow run FILE --event schedule --ref refs/heads/<default branch>` as a child
// process, one run at a time per workflow (a run still going when its cron fires again is
// skipped, with a log line). The daemon's log goes to stdout; the runs' output is appended to
// .cairn/schedule.log (or, without a .cairn/, to stdout too). SIGINT/SIGTERM stop it: running
// children are cancelled (SIGTERM, then SIGKILL) and waited for. `--once` evaluates one minute (the
// current one, or --now's), waits for the runs it started and exits; `--dry-run` prints the command
// lines instead of running. Entries with a `timezone:` are skipped with a warning: cron is
// evaluated in UTC only.
#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/command.h"
#include "cli/setup_commands.h"
#include "cli/shell_quote.h"
#include "cli/workflow_files.h"
#include "core/path.h"
#include "core/strings.h"
#include "sys/git.h"
#include "sys/subprocess.h"
#include "workflow/workflow.h"

namespace cairn::cli {
namespace {

using Clock = std::chrono::system_clock;

struct ScheduleOptions {
  std::vector<std::string> files;
  bool once = false;
  std::string now;
  bool dry_run = false;
};

// "2026-01-05T05:30Z", "2026-01-05T05:30:00Z" (the Z may be left out: UTC either way).
core::Result<std::chrono::sys_seconds> ParseTime(std::string_view text) {
  int y, mo, d, h, mi, s = 0;
  char tail[8] = {0};
  std::string t(text);
  int n = std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &s, tail);
  if (n < 6) {
    s = 0;
    tail[0] = 0;
    n = std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d%7s", &y, &mo, &d, &h, &mi, tail);
    if (n < 5) n = -1;
  }
  std::string rest(tail);
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                  std::chrono::day(d)};
  if (n < 0 || !(rest.empty() || rest == "Z") || !ymd.ok() || h > 23 || mi > 59 || s > 59) {
    return core::Status::InvalidArgument(
        fmt::format("--now '{}': expected a UTC time like 2026-01-05T05:30Z", text));
  }
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(s);
}

std::string MinuteText(std::chrono::sys_seconds t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(t - days);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count());
}

// The default branch's ref ("refs/heads/main", else master), "" when neither exists.
std::string DefaultBranchRef(const std::string& root) {
  auto repo = sys::GitRepo::Open(root);
  if (!repo.ok()) return "";
  for (const char* ref : {"refs/heads/main", "refs/heads/master"}) {
    if ((*repo)->ResolveCommit(ref).ok()) return ref;
  }
  return "";
}

class Scheduler {
 public:
  Scheduler(Context& ctx, const ScheduleOptions& o)
      : ctx_(ctx), o_(o), root_(RepositoryRoot(ctx.cwd)), cairn_(SelfExecutable()) {
    log_path_ = workflow::LayoutAt(root_).ScheduleLog();
  }
  ~Scheduler() { Stop(); }

  // Evaluates minute `t`: starts the runs whose cron matches.
  core::Status Tick(std::chrono::sys_seconds t) {
    auto files = WorkflowFiles(o_.files, ctx_.cwd);
    if (!files.ok()) return files.status();
    std::string minute = MinuteText(t);
    for (const std::string& file : *files) {
      auto parsed = workflow::LoadWorkflowFile(file);
      if (!parsed.ok()) {
        Log(fmt::format("{} skipped {}: {}", minute, file, parsed.status().message()));
        continue;
      }
      const workflow::CronEntry* fired = nullptr;
      for (const workflow::EventTrigger& event : parsed->triggers.events) {
        if (event.name != "schedule") continue;
        for (const workflow::CronEntry& entry : event.schedule) {
          if (!entry.timezone.empty()) {
            std::string key = file + "\n" + entry.text + "\n" + entry.timezone;
            if (warned_.insert(key).second) {
              Log(
                  fmt::format("warning: {}: cron '{}' has timezone {}: only UTC is supported, so "
                              "it is skipped",
                              entry.location.ToString(), entry.text, entry.timezone));
            }
            continue;
          }
          if (fired == nullptr && entry.schedule.Matches(t)) fired = &entry;
        }
      }
      if (fired != nullptr) Fire(minute, file, fired->text);
    }
    return core::Status::Ok();
  }

  // Cancels the runs going and waits for them.
  void Stop() {
    stop_.request_stop();
    Join();
  }
  // Waits for the runs going.
  void Join() {
    std::map<std::string, std::jthread> runs;
    {
      std::lock_guard lock(mu_);
      runs.swap(runs_);
    }
    runs.clear();  // joins
  }

 private:
  void Log(const std::string& line) {
    std::lock_guard lock(out_mu_);
    fmt::print(ctx_.out, "{}\n", line);
    std::fflush(ctx_.out);
  }

  void Fire(const std::string& minute, const std::string& file, const std::string& cron) {
    std::vector<std::string> argv = {cairn_, "workflow", "run", file, "--event", "schedule"};
    std::string ref = DefaultBranchRef(root_);
    if (!ref.empty()) {
      argv.push_back("--ref");
      argv.push_back(ref);
    }
    std::vector<std::string> quoted;
    for (const std::string& a : argv) quoted.push_back(ShellQuote(a));
    std::string command = core::Join(quoted, " ");
    if (o_.dry_run) {
      Log(fmt::format("{} {} (cron '{}'): would run: {}", minute, file, cron, command));
      return;
    }
    std::lock_guard lock(mu_);
    if (auto it = running_.find(file); it != running_.end() && *it->second) {
      Log(fmt::format("{} {} (cron '{}'): skipped, its previous run is still going", minute, file,
                      cron));
      return;
    }
    if (auto it = runs_.find(file); it != runs_.end()) runs_.erase(it);  // finished: join
    auto going = std::make_shared<std::atomic<bool>>(true);
    running_[file] = going;
    Log(fmt::format("{} {} (cron '{}'): run: {}", minute, file, cron, command));
    runs_[file] = std::jthread([this, argv, file, going, minute] {
      sys::SubprocessOptions options;
      options.argv = argv;
      options.cwd = root_;
      options.merge_stderr = true;
      options.stop = stop_.get_token();
      std::string result;
      auto child = sys::Subprocess::Start(options);
      if (!child.ok()) {
        result = child.status().message();
      } else {
        std::FILE* log = std::fopen(log_path_.c_str(), "a");
        if (log != nullptr) fmt::print(log, "== {} {}\n", minute, file);
        // Without a .cairn/ to log into, the runs' lines go to the daemon's own output.
        auto status = (*child)->Wait(
            [this, log, &file](std::string_view line) {
              if (log != nullptr) {
                fmt::print(log, "{}\n", line);
              } else {
                Log(fmt::format("{}: {}", file, line));
              }
            },
            nullptr);
        if (log != nullptr) std::fclose(log);
        result = status.ok() ? status->ToString() : status.status().message();
      }
      Log(fmt::format("{} {}: finished: {}", minute, file, result));
      *going = false;
    });
  }

  Context& ctx_;
  const ScheduleOptions& o_;
  std::string root_;
  std::string cairn_;
  std::string log_path_;
  std::stop_source stop_;
  std::set<std::string> warned_;
  std::mutex out_mu_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> running_;  // guarded by mu_
  std::map<std::string, std::jthread> runs_;                           // guarded by mu_
};

core::Status RunSchedule(Context& ctx, const ScheduleOptions& o) {
  if (!o.now.empty() && !o.once) {
    return UsageError("--now needs --once", "cairn schedule --once --now 2026-01-05T05:30Z");
  }
  std::chrono::sys_seconds now = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
  if (!o.now.empty()) {
    CAIRN_ASSIGN_OR_RETURN(now, ParseTime(o.now));
  }
  Scheduler scheduler(ctx, o);
  if (o.once) {
    CAIRN_RETURN_IF_ERROR(scheduler.Tick(std::chrono::floor<std::chrono::minutes>(now)));
    scheduler.Join();
    return core::Status::Ok();
  }
  // The daemon: SIGINT/SIGTERM are taken with sigtimedwait between minutes (blocked in every
  // thread, so children get them only from the Subprocess's own cancellation).
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  fmt::print(ctx.out, "cairn schedule: watching the schedule: workflows of {} (Ctrl-C stops)\n",
             RepositoryRoot(ctx.cwd));
  std::fflush(ctx.out);
  core::Status status;
  auto minute = std::chrono::floor<std::chrono::minutes>(
      std::chrono::time_point_cast<std::chrono::seconds>(Clock::now()));
  while (true) {
    status = scheduler.Tick(minute);
    if (!status.ok()) break;
    minute += std::chrono::minutes(1);
    bool stopped = false;
    while (true) {  // sleep until `minute` starts, or a stop signal
      auto left = minute - Clock::now();
      if (left <= std::chrono::nanoseconds(0)) break;
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
      timespec timeout{static_cast<time_t>(ns / 1'000'000'000),
                       static_cast<long>(ns % 1'000'000'000)};
      int sig = sigtimedwait(&stop_signals, nullptr, &timeout);
      if (sig == SIGINT || sig == SIGTERM) {
        stopped = true;
        break;
      }
    }
    if (stopped) break;
  }
  fmt::print(ctx.out, "cairn schedule: stopping (cancelling the runs going)\n");
  scheduler.Stop();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return status;
}

}  // namespace

void AddScheduleCommand(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ScheduleOptions>();
  CLI::App* cmd = app.add_subcommand(
      "schedule", "Run the `on: schedule` workflows on their cron (UTC), in the foreground");
  cmd->add_option("files", o->files, "Workflow files (default: .github/workflows/*.yml|*.yaml)");
  cmd->add_flag("--once", o->once, "Evaluate one minute, wait for the runs it started, exit");
  cmd->add_option("--now", o->now, "With --once: the minute to evaluate (2026-01-05T05:30Z)");
  cmd->add_flag("--dry-run", o->dry_run, "Print the command lines instead of running them");
  cmd->callback([&ctx, o] { ctx.status = RunSchedule(ctx, *o); });
}

}  // namespace cairn::cli
