#include "sys/subprocess.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace cairn::sys {
namespace {

using core::Result;
using namespace std::chrono_literals;

// Upper bound for "did not hang"; never a measure of speed.
constexpr auto kSafetyTimeout = 60s;

SubprocessOptions Sh(std::string script) {
  SubprocessOptions options;
  options.argv = {"/bin/sh", "-c", std::move(script)};
  options.timeout = kSafetyTimeout;
  return options;
}

LineCallback AppendTo(std::vector<std::string>* lines) {
  return [lines](std::string_view line) { lines->emplace_back(line); };
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// /proc/<pid>/stat: the state letter and the start time (clock ticks after boot).
struct ProcStat {
  char state;
  unsigned long long start_time;
};

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::string text = ReadText("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream in(text.substr(paren + 1));
  ProcStat stat{};
  in >> stat.state;
  std::string skipped;
  for (int field = 4; field <= 21; ++field) in >> skipped;  // ppid .. itrealvalue
  in >> stat.start_time;
  if (!in) return std::nullopt;
  return stat;
}

// A process seen alive once (pid + start time, so that a recycled pid is not mistaken for it).
// A zombie is not running: an orphan waits as one until init reaps it.
struct SeenProcess {
  pid_t pid = 0;
  std::optional<unsigned long long> start_time;  // unknown when it was already gone

  static SeenProcess Of(pid_t pid) {
    std::optional<ProcStat> stat = ReadProcStat(pid);
    return {pid, stat ? std::optional(stat->start_time) : std::nullopt};
  }
  bool Running() const {
    std::optional<ProcStat> stat = ReadProcStat(pid);
    if (!stat || stat->state == 'Z' || stat->state == 'X') return false;
    return !start_time || stat->start_time == *start_time;
  }
};

class SubprocessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cairn-subprocess-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = std::filesystem::canonical(tmpl).string();
  }
  void TearDown() override {
    std::filesystem::remove_all(dir_);
    // Every child was reaped: no zombie and no running child is left behind.
    siginfo_t info{};
    EXPECT_EQ(::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT), -1);
    EXPECT_EQ(errno, ECHILD);
  }
  std::string P(std::string_view name) const { return dir_ + "/" + std::string(name); }

  void WriteExecutable(const std::string& path, const std::string& text, mode_t mode = 0755) {
    std::ofstream(path) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  std::string dir_;
};

TEST_F(SubprocessTest, ReportsExitCode) {
  Result<ExitStatus> status = sys::Run(Sh("exit 3"));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->exit_code, 3);
  EXPECT_EQ(status->signal, 0);
  EXPECT_FALSE(status->timed_out);
  EXPECT_FALSE(status->cancelled);
  EXPECT_FALSE(status->ok());
  EXPECT_EQ(status->ToString(), "exited with code 3");

  status = sys::Run(Sh("true"));
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->ok());
}

TEST_F(SubprocessTest, ReportsTerminatingSignal) {
  Result<ExitStatus> status = sys::Run(Sh("kill -KILL $$"));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_FALSE(status->ok());
  EXPECT_EQ(status->ToString(), "killed by SIGKILL");
}

TEST_F(SubprocessTest, CommandNotFoundIsAnErrorNamingTheProgram) {
  SubprocessOptions options;
  options.argv = {"cairn-no-such-command-xyz", "arg"};
  Result<std::unique_ptr<Subprocess>> started = Subprocess::Start(options);
  ASSERT_FALSE(started.ok());
  EXPECT_TRUE(started.status().IsNotFound()) << started.status().ToString();
  EXPECT_NE(started.status().message().find("cairn-no-such-command-xyz"), std::string::npos);

  options.argv = {P("missing/prog")};
  Result<ExitStatus> status = sys::Run(options);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.status().IsNotFound()) << status.status().ToString();
  EXPECT_NE(status.status().message().find(P("missing/prog")), std::string::npos);
}

TEST_F(SubprocessTest, NonExecutableFileIsPermissionDenied) {
  WriteExecutable(P("script"), "#!/bin/sh\necho hi\n", 0644);
  SubprocessOptions options;
  options.argv = {P("script")};
  Result<ExitStatus> status = sys::Run(options);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.status().code(), core::Code::kPermissionDenied) << status.status().ToString();
  EXPECT_NE(status.status().message().find(P("script")), std::string::npos);
}

TEST_F(SubprocessTest, MissingWorkingDirectoryIsNotFound) {
  SubprocessOptions options = Sh("true");
  options.cwd = P("nope");
  Result<ExitStatus> status = sys::Run(options);
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.status().IsNotFound()) << status.status().ToString();
  EXPECT_NE(status.status().message().find(P("nope")), std::string::npos);
}

TEST_F(SubprocessTest, HonoursWorkingDirectoryAndEnvironment) {
  SubprocessOptions options = Sh("pwd; echo \"$FOO\"; echo \"${HOME-unset}\"");
  options.cwd = dir_;
  options.env = std::vector<std::string>{"FOO=bar baz", "PATH=/usr/bin:/bin"};
  std::vector<std::string> out;
  Result<ExitStatus> status = sys::Run(options, AppendTo(&out));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->ok());
  EXPECT_EQ(out, (std::vector<std::string>{dir_, "bar baz", "unset"}));
}

TEST_F(SubprocessTest, InheritsEnvironmentWhenNoneIsGiven) {
  const char* path = std::getenv("PATH");
  ASSERT_NE(path, nullptr);
  std::vector<std::string> out;
  ASSERT_TRUE(sys::Run(Sh("echo \"$PATH\""), AppendTo(&out)).ok());
  EXPECT_EQ(out, std::vector<std::string>{path});
}

TEST_F(SubprocessTest, LooksProgramsUpInTheChildsPathAndCwd) {
  std::filesystem::create_directory(P("bin"));
  WriteExecutable(P("bin/cairn-tool"), "#!/bin/sh\necho tool \"$@\"\n");
  WriteExecutable(P("local.sh"), "#!/bin/sh\necho local\n");

  SubprocessOptions options;
  options.argv = {"cairn-tool", "x"};
  options.env = std::vector<std::string>{"PATH=/nonexistent:" + P("bin")};
  std::vector<std::string> out;
  Result<ExitStatus> status = sys::Run(options, AppendTo(&out));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(out, std::vector<std::string>{"tool x"});

  // A relative PATH entry and a relative argv[0] are relative to the child's cwd.
  options.argv = {"cairn-tool"};
  options.env = std::vector<std::string>{"PATH=bin"};
  options.cwd = dir_;
  out.clear();
  status = sys::Run(options, AppendTo(&out));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(out, std::vector<std::string>{"tool"});

  options.argv = {"./local.sh"};
  out.clear();
  status = sys::Run(options, AppendTo(&out));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(out, std::vector<std::string>{"local"});
}

TEST_F(SubprocessTest, DeliversStdinString) {
  SubprocessOptions options;
  options.argv = {"cat"};
  options.stdin_data = "hello\nworld";
  std::vector<std::string> out;
  Result<ExitStatus> status = sys::Run(options, AppendTo(&out));
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->ok());
  EXPECT_EQ(out, (std::vector<std::string>{"hello", "world"}));  // last line had no '\n'
}

TEST_F(SubprocessTest, LargeStdinAndStdoutDoNotDeadlock) {
  std::string input;
  for (int i = 0; i < 100000; ++i) input += "line " + std::to_string(i) + "\n";  // ~1 MiB
  SubprocessOptions options;
  options.argv = {"cat"};
  options.stdin_data = input;
  options.timeout = kSafetyTimeout;
  std::string echoed;
  Result<ExitStatus> status = sys::Run(options, [&](std::string_view line) {
    echoed.append(line);
    echoed += '\n';
  });
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->ok()) << status->ToString();
  EXPECT_EQ(echoed, input);
}

TEST_F(SubprocessTest, ChildThatIgnoresStdinDoesNotRaiseSigpipe) {
  SubprocessOptions options = Sh("exit 0");
  options.stdin_data = std::string(4 << 20, 'x');
  Result<ExitStatus> status = sys::Run(options);  // SIGPIPE would kill this test binary
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->ok());
}

TEST_F(SubprocessTest, StdinIsDevNullByDefault) {
  std::vector<std::string> out;
  ASSERT_TRUE(sys::Run(Sh("read x; echo \"rc=$?\""), AppendTo(&out)).ok());
  EXPECT_EQ(out, std::vector<std::string>{"rc=1"});
}

TEST_F(SubprocessTest, SeparatesOrMergesStderr) {
  const char* script = "echo 1; echo 2 >&2; echo 3; echo 4 >&2";
  std::vector<std::string> out;
  std::vector<std::string> err;
  ASSERT_TRUE(sys::Run(Sh(script), AppendTo(&out), AppendTo(&err)).ok());
  EXPECT_EQ(out, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(err, (std::vector<std::string>{"2", "4"}));

  SubprocessOptions merged = Sh(script);
  merged.merge_stderr = true;
  out.clear();
  err.clear();
  ASSERT_TRUE(sys::Run(merged, AppendTo(&out), AppendTo(&err)).ok());
  EXPECT_EQ(out, (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_TRUE(err.empty());
}

TEST_F(SubprocessTest, LongLinesArriveInChunks) {
  SubprocessOptions options = Sh("printf 'aaaaaaaaaaaaaaaaaaaaaaaaa\\nbbbbbbbbbb\\n\\ntail'");
  options.max_line_bytes = 10;
  std::vector<std::string> out;
  ASSERT_TRUE(sys::Run(options, AppendTo(&out)).ok());
  EXPECT_EQ(out, (std::vector<std::string>{"aaaaaaaaaa", "aaaaaaaaaa", "aaaaa", "bbbbbbbbbb", "",
                                           "tail"}));

  // The default limit, over several reads.
  out.clear();
  ASSERT_TRUE(
      sys::Run(Sh("head -c 200000 /dev/zero | tr '\\0' x; echo; echo end"), AppendTo(&out)).ok());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].size(), kDefaultMaxLineBytes);
  EXPECT_EQ(out[1].size(), kDefaultMaxLineBytes);
  EXPECT_EQ(out[2].size(), kDefaultMaxLineBytes);
  EXPECT_EQ(out[3].size(), 200000 - 3 * kDefaultMaxLineBytes);
  EXPECT_EQ(out[4], "end");
}

TEST_F(SubprocessTest, LinesArriveWhileTheProcessRuns) {
  // The child waits for a file that only the callback for its first line creates: it can
  // finish only if that line is delivered before it exits.
  SubprocessOptions options =
      Sh("echo ready; while [ ! -e flag ]; do sleep 0.01; done; echo done; echo err >&2");
  options.cwd = dir_;
  std::vector<std::string> lines;
  Result<ExitStatus> status = sys::Run(
      options,
      [&](std::string_view line) {
        lines.emplace_back(line);
        if (line == "ready") std::ofstream(P("flag")) << "";
      },
      [&](std::string_view line) { lines.emplace_back("E:" + std::string(line)); });
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_FALSE(status->timed_out);
  EXPECT_TRUE(status->ok());
  EXPECT_EQ(lines, (std::vector<std::string>{"ready", "done", "E:err"}));
}

// Runs `script`, which must print the pid of a background process as its first line.
struct RunWithBackground {
  Result<ExitStatus> status = core::Status::Internal("not run");
  SeenProcess background;
};

RunWithBackground RunRecordingBackground(const SubprocessOptions& options) {
  RunWithBackground run;
  run.status = sys::Run(options, [&](std::string_view line) {
    if (run.background.pid == 0) run.background = SeenProcess::Of(std::stoi(std::string(line)));
  });
  return run;
}

TEST_F(SubprocessTest, TimeoutKillsTheWholeProcessGroup) {
  // The background process notes that SIGTERM reached it (not just the SIGKILL that follows).
  SubprocessOptions options =
      Sh("sh -c 'trap \"echo > got-term; exit 0\" TERM; while :; do sleep 0.05; done' &"
         " echo $!; sleep 1000");
  options.cwd = dir_;
  options.timeout = 1s;
  RunWithBackground run = RunRecordingBackground(options);
  ASSERT_TRUE(run.status.ok()) << run.status.status().ToString();
  EXPECT_TRUE(run.status->timed_out);
  EXPECT_FALSE(run.status->cancelled);
  EXPECT_EQ(run.status->signal, SIGTERM);
  EXPECT_LT(run.status->wall_time, kSafetyTimeout);
  EXPECT_EQ(run.status->ToString(), "killed by SIGTERM (timed out)");
  ASSERT_GT(run.background.pid, 0);
  EXPECT_FALSE(run.background.Running());
  EXPECT_TRUE(std::filesystem::exists(P("got-term")));
}

TEST_F(SubprocessTest, MembersThatIgnoreSigtermAreKilledAfterTheGracePeriod) {
  SubprocessOptions options = Sh("trap '' TERM; sleep 1000 & echo $!; sleep 1000");
  options.timeout = 500ms;
  options.kill_grace = 200ms;
  RunWithBackground run = RunRecordingBackground(options);
  ASSERT_TRUE(run.status.ok()) << run.status.status().ToString();
  EXPECT_TRUE(run.status->timed_out);
  EXPECT_EQ(run.status->signal, SIGKILL);
  ASSERT_GT(run.background.pid, 0);
  EXPECT_FALSE(run.background.Running());
}

TEST_F(SubprocessTest, LeftoversAreTerminatedWhenTheMainProcessExits) {
  // Holding our stdout, with its output redirected, and ignoring SIGTERM: none survives, and
  // none makes sys::Run() wait for the safety timeout.
  for (const char* script : {"sleep 1000 & echo $!", "sleep 1000 >/dev/null 2>&1 & echo $!",
                             "trap '' TERM; sleep 1000 >/dev/null 2>&1 & echo $!"}) {
    SCOPED_TRACE(script);
    SubprocessOptions options = Sh(script);
    options.kill_grace = 200ms;
    RunWithBackground run = RunRecordingBackground(options);
    ASSERT_TRUE(run.status.ok()) << run.status.status().ToString();
    EXPECT_TRUE(run.status->ok()) << run.status->ToString();
    ASSERT_GT(run.background.pid, 0);
    EXPECT_FALSE(run.background.Running());
  }
}

TEST_F(SubprocessTest, KeptLeftoversRunUntilDestruction) {
  SubprocessOptions options = Sh("sleep 1000 >/dev/null 2>&1 & echo $!");
  options.leftovers = Leftovers::kKeep;
  Result<std::unique_ptr<Subprocess>> subprocess = Subprocess::Start(options);
  ASSERT_TRUE(subprocess.ok()) << subprocess.status().ToString();
  SeenProcess background;
  Result<ExitStatus> status = (*subprocess)
                                  ->Wait(
                                      [&](std::string_view line) {
                                        background = SeenProcess::Of(std::stoi(std::string(line)));
                                      },
                                      {});
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->ok());
  ASSERT_GT(background.pid, 0);
  EXPECT_TRUE(background.Running());
  subprocess->reset();
  EXPECT_FALSE(background.Running());
}

TEST_F(SubprocessTest, KeptLeftoverHoldingThePipesEndsAtTheTimeout) {
  SubprocessOptions options = Sh("sleep 1000 & echo $!; exit 7");
  options.leftovers = Leftovers::kKeep;
  options.timeout = 1s;
  RunWithBackground run = RunRecordingBackground(options);
  ASSERT_TRUE(run.status.ok()) << run.status.status().ToString();
  EXPECT_TRUE(run.status->timed_out);
  EXPECT_EQ(run.status->exit_code, 7);  // the main process's own status
  ASSERT_GT(run.background.pid, 0);
  EXPECT_FALSE(run.background.Running());
}

TEST_F(SubprocessTest, CancelFromAnotherThread) {
  Result<std::unique_ptr<Subprocess>> subprocess =
      Subprocess::Start(Sh("sleep 1000 & echo $!; sleep 1000"));
  ASSERT_TRUE(subprocess.ok()) << subprocess.status().ToString();
  std::promise<void> started;
  std::thread canceller([&] {
    started.get_future().wait();
    (*subprocess)->Cancel();
  });
  SeenProcess background;
  Result<ExitStatus> status = (*subprocess)
                                  ->Wait(
                                      [&](std::string_view line) {
                                        if (background.pid != 0) return;
                                        background = SeenProcess::Of(std::stoi(std::string(line)));
                                        started.set_value();
                                      },
                                      {});
  canceller.join();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_TRUE(status->cancelled);
  EXPECT_FALSE(status->timed_out);
  EXPECT_EQ(status->signal, SIGTERM);
  EXPECT_FALSE(background.Running());
}

TEST_F(SubprocessTest, CancelBeforeWaitAndStopToken) {
  Result<std::unique_ptr<Subprocess>> subprocess = Subprocess::Start(Sh("sleep 1000"));
  ASSERT_TRUE(subprocess.ok());
  (*subprocess)->Cancel();
  Result<ExitStatus> status = (*subprocess)->Wait({}, {});
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->cancelled);

  std::stop_source stop;
  SubprocessOptions options = Sh("echo started; sleep 1000");
  options.stop = stop.get_token();
  std::promise<void> started;
  std::thread stopper([&] {
    started.get_future().wait();
    stop.request_stop();
  });
  status = sys::Run(options, [&](std::string_view) { started.set_value(); });
  stopper.join();
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->cancelled);
}

TEST_F(SubprocessTest, DestroyingARunningSubprocessLeavesNoProcess) {
  SubprocessOptions options = Sh("sleep 1000 & echo $! > pid.tmp && mv pid.tmp pid; sleep 1000");
  options.cwd = dir_;
  Result<std::unique_ptr<Subprocess>> subprocess = Subprocess::Start(options);
  ASSERT_TRUE(subprocess.ok()) << subprocess.status().ToString();
  pid_t child = (*subprocess)->pid();
  auto give_up = std::chrono::steady_clock::now() + kSafetyTimeout;
  while (!std::filesystem::exists(P("pid")) && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(std::filesystem::exists(P("pid")));
  SeenProcess background = SeenProcess::Of(std::stoi(ReadText(P("pid"))));
  ASSERT_TRUE(background.Running());

  subprocess->reset();
  EXPECT_FALSE(background.Running());
  // The child was reaped: it is no longer ours to wait for.
  siginfo_t info{};
  EXPECT_EQ(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST_F(SubprocessTest, WaitTwiceIsInvalidState) {
  Result<std::unique_ptr<Subprocess>> subprocess = Subprocess::Start(Sh("true"));
  ASSERT_TRUE(subprocess.ok());
  ASSERT_TRUE((*subprocess)->Wait({}, {}).ok());
  Result<ExitStatus> again = (*subprocess)->Wait({}, {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), core::Code::kInvalidState);
}

TEST_F(SubprocessTest, ParallelRunsDoNotInterfere) {
  // Each child reads stdin to EOF: a pipe end leaked into a sibling would keep it waiting
  // (until the safety timeout). One sibling is killed by its timeout meanwhile.
  constexpr int kThreads = 8;
  std::vector<std::vector<std::string>> outs(kThreads);
  std::vector<std::vector<std::string>> errs(kThreads);
  std::vector<std::string> inputs(kThreads);
  std::vector<Result<ExitStatus>> results(kThreads, core::Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < 2000; ++i) inputs[t] += fmt::format("t{}-{}\n", t, i);
    threads.emplace_back([&, t] {
      SubprocessOptions options = Sh(t == 0 ? "sleep 1000" : "cat; echo done-$T >&2");
      options.env = std::vector<std::string>{"T=" + std::to_string(t), "PATH=/usr/bin:/bin"};
      options.stdin_data = inputs[t];
      if (t == 0) options.timeout = 500ms;
      results[t] = sys::Run(options, AppendTo(&outs[t]), AppendTo(&errs[t]));
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(results[0].ok());
  EXPECT_TRUE(results[0]->timed_out);
  for (int t = 1; t < kThreads; ++t) {
    SCOPED_TRACE(t);
    ASSERT_TRUE(results[t].ok()) << results[t].status().ToString();
    EXPECT_TRUE(results[t]->ok()) << results[t]->ToString();
    std::string echoed;
    for (const std::string& line : outs[t]) echoed += line + "\n";
    EXPECT_EQ(echoed, inputs[t]);
    EXPECT_EQ(errs[t], std::vector<std::string>{"done-" + std::to_string(t)});
  }
}

}  // namespace
}  // namespace cairn::sys
