// Subprocess: runs a program (argv, no shell) in a new process group of its own, streams its
// stdout and stderr line by line while it runs, and ends the whole group on timeout, on
// Cancel() and on destruction. This is how the workflow runner runs every step.
//
// Ownership: a Subprocess owns its child (the "main process"), the child's process group and
// the pipes to it. The group id is the child's pid, and the child is not reaped until the
// group has been dealt with, so the id cannot be reused by an unrelated group while we may
// still signal it. Destroying a Subprocess SIGKILLs whatever is left of the group, waits for
// it to die (up to kKillWait) and reaps the child: no zombie, no running member is left.
//
// How a run ends:
//   - timeout (from Start) or Cancel() while the main process runs: SIGTERM (and SIGCONT, for
//     stopped members) to the group, SIGKILL to the group `kill_grace` later. timed_out or
//     cancelled is set in the ExitStatus; the exit code/signal are the main process's own.
//   - the main process exits, with Leftovers::kTerminate (the default): members it left in the
//     group (`server &`, with or without their own redirections) get the same SIGTERM, then
//     SIGKILL after kill_grace. Wait() returns once no live member remains; output they wrote
//     before dying is delivered. So a backgrounded process holding the pipes never makes Wait()
//     hang, and never outlives the step.
//   - the main process exits, with Leftovers::kKeep: Wait() returns when both output pipes are
//     closed (what GitHub's runner does), bounded by the timeout; members left in the group keep
//     running until the Subprocess is destroyed. For steps that start a service (`mlflow server
//     > log 2>&1 &`) used by later steps: keep the Subprocess until the job ends.
// Once the timeout has passed (or, with kTerminate, the main process has exited), Wait()
// returns within kill_grace + kKillWait. With no timeout and kKeep, a background member that
// keeps the pipes open keeps Wait() waiting, as on GitHub.
// Timeout and Cancel() act only while no SIGTERM has been sent yet.
//
// Limits:
//   - Lines are delivered without their '\n' ("\r" stays). A line longer than max_line_bytes is
//     delivered in chunks of max_line_bytes, so memory per stream is bounded; a final line
//     without '\n' is delivered at EOF. Callbacks cannot tell a chunk from a whole line.
//   - Membership is by process group. A process that leaves the group (setsid(), setpgid(),
//     `setsid -f`, classic daemons) escapes the kill. If it keeps our pipes open, Wait() (with
//     kTerminate) stops reading once the group is gone; its further output is lost.
//   - Live members (not zombies: an orphan stays one until init reaps it) are found by
//     scanning /proc, once when the main process exits and then while they are dying. Without
//     /proc, a member counts as alive while the output pipes are open.
//   - Children start with all signals at their default action and an empty signal mask, with
//     only fds 0, 1 and 2 open.
//
// Thread safety: Start() and Run() may be called from many threads at once; no global state
// is used (no SIGCHLD handler, no waitpid(-1)): each child is watched with a pidfd and reaped
// with waitid() on its own pid. The rest of the process must not reap children it did not
// spawn (waitpid(-1), SIGCHLD set to SIG_IGN). One thread drives a Subprocess (Wait(), the
// destructor); Cancel() may be called from any thread, and is async-signal-safe, until the
// object is destroyed. Callbacks run on the thread that calls Wait().
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace cairn::sys {

/// Receives one line of output, without its '\n'; the view is valid during the call only.
using LineCallback = std::function<void(std::string_view line)>;

/// A line longer than this (the default of SubprocessOptions::max_line_bytes) is delivered
/// in chunks of this size.
inline constexpr size_t kDefaultMaxLineBytes = 64 * 1024;

/// After SIGKILL, how long we wait for the members of the group to die before giving up
/// (only a process stuck in the kernel, e.g. on a dead NFS server, takes that long).
inline constexpr std::chrono::seconds kKillWait{10};

/// What happens to the processes the main process leaves running in its group when it exits.
enum class Leftovers {
  kTerminate,  // SIGTERM, then SIGKILL after kill_grace; Wait() returns when they are gone
  kKeep,       // they run until the Subprocess is destroyed; Wait() waits for the pipes
};

struct SubprocessOptions {
  /// The program and its arguments. argv[0] without a '/' is looked up in the PATH of `env`
  /// (of this process when `env` is unset; "/bin:/usr/bin" when there is none); with a '/', a
  /// relative argv[0] is relative to `cwd`.
  std::vector<std::string> argv;
  /// The child's whole environment, as NAME=VALUE entries; unset inherits this process's.
  std::optional<std::vector<std::string>> env;
  /// The child's working directory; empty means this process's.
  std::string cwd;
  /// Written to the child's stdin, which is then closed; unset means stdin is /dev/null. If
  /// the child stops reading, the rest is dropped (no SIGPIPE reaches this process).
  std::optional<std::string> stdin_data;
  /// Gives the child one pipe for stdout and stderr (like `2>&1`), so their lines keep their
  /// relative order and all arrive through on_stdout.
  bool merge_stderr = false;
  /// Ends the group this long after Start(); zero means no timeout.
  std::chrono::milliseconds timeout{0};
  /// Time between SIGTERM and SIGKILL.
  std::chrono::milliseconds kill_grace{5000};
  /// Longer lines are delivered in chunks of this many bytes (at least 1).
  size_t max_line_bytes = kDefaultMaxLineBytes;
  Leftovers leftovers = Leftovers::kTerminate;
  /// When stop is requested, the Subprocess is cancelled as by Cancel().
  std::stop_token stop;
};

/// How a run ended.
struct ExitStatus {
  /// The main process's exit code; meaningful when `signal` is 0.
  int exit_code = 0;
  /// The signal that killed the main process, or 0 when it exited.
  int signal = 0;
  /// The timeout ended the run (whatever the main process then reported).
  bool timed_out = false;
  /// Cancel() ended the run (before the timeout or the main process did).
  bool cancelled = false;
  /// From Start() until Wait() returned.
  std::chrono::nanoseconds wall_time{0};

  /// Exit code 0, no signal, neither timed out nor cancelled.
  bool ok() const { return signal == 0 && exit_code == 0 && !timed_out && !cancelled; }
  /// "exited with code 3", "killed by SIGTERM (timed out)", ...
  std::string ToString() const;
};

class Subprocess {
 public:
  /// Starts the program. Fails (NotFound, PermissionDenied, InvalidArgument, IoError) when it
  /// cannot be run: no such command, no such working directory, not executable... naming the
  /// program or directory; a program that cannot be found never shows up as exit code 127.
  static core::Result<std::unique_ptr<Subprocess>> Start(const SubprocessOptions& options);

  /// Kills what is left of the group (SIGKILL), waits up to kKillWait for it, reaps the child.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  /// Streams output to the callbacks (either may be empty, to drop that stream) until the
  /// run ends (see the header comment), then reports it. Callbacks run on this thread and
  /// delay timeouts while they run. Call at most once; a second call is InvalidState.
  core::Result<ExitStatus> Wait(const LineCallback& on_stdout, const LineCallback& on_stderr);

  /// Asks the running Wait() (or the next one) to end the group: SIGTERM, then SIGKILL after
  /// kill_grace. Any thread, any number of times; async-signal-safe. No effect once the group
  /// is being ended anyway, or after Wait() has returned.
  void Cancel();

  /// The main process's pid, which is also its process group id.
  pid_t pid() const { return pid_; }

 private:
  struct State;
  struct CancelOnStop {
    Subprocess* subprocess;
    void operator()() const noexcept { subprocess->Cancel(); }
  };

  explicit Subprocess(const SubprocessOptions& options);

  pid_t pid_ = -1;       // -1 until spawned
  bool reaped_ = false;  // the child was reaped: pid_ is no longer ours to signal
  std::atomic<bool> cancel_requested_{false};
  int wake_fd_ = -1;              // eventfd, written by Cancel() to wake Wait()'s poll
  std::unique_ptr<State> state_;  // pipes, buffers, timers: used by Wait() only
  std::optional<std::stop_callback<CancelOnStop>> stop_callback_;  // last: destroyed first
};

/// Start() then Wait(): runs the program to its end.
core::Result<ExitStatus> Run(const SubprocessOptions& options, const LineCallback& on_stdout = {},
                             const LineCallback& on_stderr = {});

}  // namespace cairn::sys
