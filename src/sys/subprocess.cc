// Subprocess over posix_spawn, poll() on non-blocking pipes, and a pidfd (see subprocess.h).
#include "sys/subprocess.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <utility>

#include "core/path.h"
#include "sys/posix_error.h"

extern char** environ;

namespace cairn::sys {
namespace {

using Clock = std::chrono::steady_clock;
using core::Result;
using core::Status;

static_assert(std::atomic<bool>::is_always_lock_free, "Cancel() must be async-signal-safe");

// How much one read() takes from a pipe.
constexpr size_t kReadChunk = 64 * 1024;
// Without a pidfd (kernels before 5.3, some sandboxes), how often the child is checked for exit.
constexpr auto kNoPidfdPoll = std::chrono::milliseconds(20);
// While waiting for the members of a group to die: the first and the longest pause between
// two scans of /proc.
constexpr auto kFirstScan = std::chrono::milliseconds(2);
constexpr auto kMaxScan = std::chrono::milliseconds(100);
// execvp's search path when PATH is unset.
constexpr const char* kDefaultPath = "/bin:/usr/bin";

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Cuts a byte stream into lines for a callback, holding at most max_bytes of a partial line.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_bytes) : max_(std::max<size_t>(max_bytes, 1)) {}

  void Feed(std::string_view data, const LineCallback& callback) {
    while (!data.empty()) {
      size_t room = max_ - partial_.size();  // partial_ never holds more than max_
      // A '\n' right after `room` bytes still ends a line of exactly max_ bytes.
      size_t newline = data.substr(0, room + 1).find('\n');
      if (newline != std::string_view::npos) {
        Emit(data.substr(0, newline), callback);
        data.remove_prefix(newline + 1);
      } else if (data.size() > room) {
        Emit(data.substr(0, room), callback);  // a chunk of an over-long line
        data.remove_prefix(room);
      } else {
        partial_.append(data);
        return;
      }
    }
  }

  /// At EOF: delivers a last line that had no '\n'.
  void Finish(const LineCallback& callback) {
    if (!partial_.empty()) Emit({}, callback);
  }

 private:
  void Emit(std::string_view tail, const LineCallback& callback) {
    if (partial_.empty()) {
      if (callback) callback(tail);
      return;
    }
    partial_.append(tail);
    if (callback) callback(partial_);
    partial_.clear();
  }

  size_t max_;
  std::string partial_;
};

struct OutputPipe {
  explicit OutputPipe(size_t max_line_bytes) : lines(max_line_bytes) {}

  UniqueFd fd;  // our (read) end, non-blocking; invalid once EOF was seen
  LineSplitter lines;
  const LineCallback* callback = nullptr;  // set by Wait()
};

Status MakePipe(UniqueFd* read_end, UniqueFd* write_end) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return PosixError("pipe2", "", errno);
  *read_end = UniqueFd(fds[0]);
  *write_end = UniqueFd(fds[1]);
  return Status::Ok();
}

// Only on our end: O_NONBLOCK belongs to the open file description, which the child's end
// does not share.
Status SetNonBlocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) {
    return PosixError("fcntl(O_NONBLOCK)", "", errno);
  }
  return Status::Ok();
}

// write() to a pipe whose reader may be gone, without raising SIGPIPE in this process (whose
// disposition we do not own): SIGPIPE is blocked in this thread only, and one the write raised
// is consumed before the old mask comes back. No global state is touched.
ssize_t WriteWithoutSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_set;
  sigset_t old_mask;
  sigset_t pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
  sigpending(&pending);
  bool already_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t written = ::write(fd, data, size);
  int err = errno;
  if (written < 0 && err == EPIPE && !already_pending) {
    timespec zero{};
    while (sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = err;
  return written;
}

// Whether a process that is not a zombie is in process group `pgid`; nullopt when /proc cannot
// be read. Threads are not listed in /proc, so each process is looked at once.
std::optional<bool> GroupHasLiveMembers(pid_t pgid) {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir("/proc"), &::closedir);
  if (dir == nullptr) return std::nullopt;
  while (dirent* entry = ::readdir(dir.get())) {
    const char* name = entry->d_name;
    if (*name == '\0' || std::strspn(name, "0123456789") != std::strlen(name)) continue;
    char path[sizeof(entry->d_name) + 8];
    std::snprintf(path, sizeof(path), "%s/stat", name);
    int fd = ::openat(::dirfd(dir.get()), path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // it just went away
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
    ::close(fd);
    if (n <= 0) continue;
    buf[n] = '\0';
    // "pid (comm) state ppid pgrp ...": comm may hold anything, so parse after the last ')'.
    const char* rest = std::strrchr(buf, ')');
    char state = 0;
    int ppid = 0;
    int pgrp = 0;
    if (rest == nullptr || std::sscanf(rest + 1, " %c %d %d", &state, &ppid, &pgrp) != 3) continue;
    if (pgrp == pgid && state != 'Z' && state != 'X' && state != 'x') return true;
  }
  return false;
}

std::string PathVariable(const std::optional<std::vector<std::string>>& env) {
  if (env) {
    for (const std::string& entry : *env) {
      if (entry.starts_with("PATH=")) return entry.substr(5);
    }
    return kDefaultPath;
  }
  const char* path = std::getenv("PATH");
  return path != nullptr ? path : kDefaultPath;
}

// The path posix_spawn should execute for argv[0] = `name`, searched like execvp does but in
// the child's PATH. The result is relative to the child's working directory `cwd`.
Result<std::string> FindProgram(const std::string& name, std::string_view path_var,
                                const std::string& cwd) {
  if (name.empty()) return Status::InvalidArgument("cannot run a program with an empty name");
  if (name.find('/') != std::string::npos) return name;
  const std::string_view full_path_var = path_var;
  bool found_unexecutable = false;
  for (;;) {
    size_t colon = path_var.find(':');
    std::string_view dir = path_var.substr(0, colon);
    std::string candidate = core::JoinPath(dir.empty() ? "." : dir, name);
    std::string here = core::JoinPath(cwd, candidate);  // as seen from this process
    struct stat st;
    if (::stat(here.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(here.c_str(), X_OK) == 0) {
        return candidate;
      }
      found_unexecutable = true;
    }
    if (colon == std::string_view::npos) break;
    path_var.remove_prefix(colon + 1);
  }
  if (found_unexecutable) {
    return Status::PermissionDenied(
        fmt::format("command '{}' is in PATH but not executable", name));
  }
  return Status::NotFound(fmt::format("command not found: '{}' (PATH={})", name, full_path_var));
}

std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

class SpawnFileActions {
 public:
  SpawnFileActions() { ::posix_spawn_file_actions_init(&actions_); }
  ~SpawnFileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

class SpawnAttr {
 public:
  SpawnAttr() { ::posix_spawnattr_init(&attr_); }
  ~SpawnAttr() { ::posix_spawnattr_destroy(&attr_); }
  SpawnAttr(const SpawnAttr&) = delete;
  SpawnAttr& operator=(const SpawnAttr&) = delete;
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

// Reaps the child, which has exited or is about to.
void Reap(pid_t pid) {
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) != 0 && errno == EINTR) {
  }
}

}  // namespace

struct Subprocess::State {
  enum class Phase {
    kRunning,      // nothing sent yet
    kTerminating,  // SIGTERM sent; SIGKILL at kill_at
    kKilling,      // SIGKILL sent; give up waiting at give_up_at
  };

  explicit State(const SubprocessOptions& options)
      : name(options.argv.empty() ? "" : options.argv[0]),
        kill_grace(std::max(options.kill_grace, std::chrono::milliseconds(0))),
        leftovers(options.leftovers),
        out(options.max_line_bytes),
        err(options.max_line_bytes),
        stdin_data(options.stdin_data.value_or("")),
        buf(kReadChunk) {}

  std::string name;  // argv[0], for messages
  // Set by Start().
  Clock::time_point start;
  std::optional<Clock::time_point> deadline;  // from the timeout
  Clock::duration kill_grace;
  Leftovers leftovers;
  UniqueFd pidfd;  // readable when the child exits; invalid when pidfd_open is not available
  OutputPipe out;
  OutputPipe err;     // fd invalid when stderr is merged into stdout
  UniqueFd stdin_fd;  // our (write) end, non-blocking; invalid once everything is written
  std::string stdin_data;
  size_t stdin_written = 0;
  std::vector<char> buf;  // for read()

  // Wait()'s progress.
  bool waited = false;
  Phase phase = Phase::kRunning;
  bool child_exited = false;  // seen with WNOWAIT: the child is a zombie, not reaped yet
  int exit_code = 0;
  int signal = 0;
  Clock::time_point kill_at;
  Clock::time_point give_up_at;
  Clock::time_point next_scan;  // when to look at the group in /proc again
  Clock::duration scan_pause = kFirstScan;

  // One read(): delivers complete lines; at EOF delivers the last partial line and closes the
  // pipe. Returns the bytes read, 0 at EOF, -1 when nothing was there.
  ssize_t ReadOnce(OutputPipe& pipe) {
    for (;;) {
      ssize_t n = ::read(pipe.fd.get(), buf.data(), buf.size());
      if (n > 0) {
        pipe.lines.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), *pipe.callback);
        return n;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return -1;
      // EOF, or an error nothing can be done about: either way this stream has ended.
      pipe.lines.Finish(*pipe.callback);
      pipe.fd.Reset();
      return 0;
    }
  }

  // Delivers what is in the pipe now and closes it. Bounded by the pipe's capacity: what the
  // dead members wrote fits in it, and an escaped writer must not keep us here.
  void Drain(OutputPipe& pipe) {
    if (!pipe.fd.valid()) return;
    int capacity = ::fcntl(pipe.fd.get(), F_GETPIPE_SZ);
    ssize_t budget = capacity > 0 ? capacity : 1 << 20;
    while (pipe.fd.valid() && budget > 0) {
      ssize_t n = ReadOnce(pipe);
      if (n <= 0) break;
      budget -= n;
    }
    if (pipe.fd.valid()) {
      pipe.lines.Finish(*pipe.callback);
      pipe.fd.Reset();
    }
  }

  void WriteStdin() {
    while (stdin_written < stdin_data.size()) {
      size_t n = std::min(stdin_data.size() - stdin_written, kReadChunk);
      ssize_t w = WriteWithoutSigpipe(stdin_fd.get(), stdin_data.data() + stdin_written, n);
      if (w > 0) {
        stdin_written += static_cast<size_t>(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) return;
      break;  // EPIPE: the child stopped reading; the rest is dropped
    }
    stdin_fd.Reset();
    std::string().swap(stdin_data);
  }

  // Looks whether the child has exited, without reaping it.
  Status CheckChild(pid_t pid) {
    siginfo_t info{};
    int rc;
    do {
      rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      return PosixError("waitid", fmt::format("pid {}", pid), errno)
          .WithContext("the child was reaped elsewhere (waitpid(-1)? SIGCHLD ignored?)");
    }
    if (info.si_pid == 0) return Status::Ok();  // still running
    child_exited = true;
    if (info.si_code == CLD_EXITED) {
      exit_code = info.si_status;
    } else {
      signal = info.si_status;
    }
    return Status::Ok();
  }
};

Subprocess::Subprocess(const SubprocessOptions& options)
    : state_(std::make_unique<State>(options)) {}

Result<std::unique_ptr<Subprocess>> Subprocess::Start(const SubprocessOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("Subprocess: argv is empty");
  if (!options.cwd.empty()) {
    struct stat st;
    if (::stat(options.cwd.c_str(), &st) != 0) {
      return PosixError("working directory", options.cwd, errno);
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument(
          fmt::format("working directory '{}' is not a directory", options.cwd));
    }
  }
  const std::string& name = options.argv[0];
  CAIRN_ASSIGN_OR_RETURN(std::string program,
                         FindProgram(name, PathVariable(options.env), options.cwd));

  std::unique_ptr<Subprocess> subprocess(new Subprocess(options));
  State& s = *subprocess->state_;
  subprocess->wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (subprocess->wake_fd_ < 0) return PosixError("eventfd", "", errno);

  // Every fd is O_CLOEXEC, so a child spawned at the same time by another thread does not
  // inherit our ends; dup2 in the child clears the flag on its 0, 1 and 2.
  UniqueFd out_write;
  UniqueFd err_write;
  UniqueFd stdin_read;
  CAIRN_RETURN_IF_ERROR(MakePipe(&s.out.fd, &out_write));
  CAIRN_RETURN_IF_ERROR(SetNonBlocking(s.out.fd.get()));
  if (!options.merge_stderr) {
    CAIRN_RETURN_IF_ERROR(MakePipe(&s.err.fd, &err_write));
    CAIRN_RETURN_IF_ERROR(SetNonBlocking(s.err.fd.get()));
  }
  if (options.stdin_data) {
    CAIRN_RETURN_IF_ERROR(MakePipe(&stdin_read, &s.stdin_fd));
    CAIRN_RETURN_IF_ERROR(SetNonBlocking(s.stdin_fd.get()));
  }

  SpawnFileActions actions;
  int err = 0;
  auto check = [&err](int rc) {
    if (rc != 0 && err == 0) err = rc;
  };
  if (options.stdin_data) {
    check(::posix_spawn_file_actions_adddup2(actions.get(), stdin_read.get(), 0));
  } else {
    check(::posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0));
  }
  check(::posix_spawn_file_actions_adddup2(actions.get(), out_write.get(), 1));
  check(::posix_spawn_file_actions_adddup2(
      actions.get(), options.merge_stderr ? out_write.get() : err_write.get(), 2));
  if (!options.cwd.empty()) {
    check(::posix_spawn_file_actions_addchdir_np(actions.get(), options.cwd.c_str()));
  }
  // Also closes fds that other code opened without O_CLOEXEC.
  check(::posix_spawn_file_actions_addclosefrom_np(actions.get(), 3));

  SpawnAttr attr;
  sigset_t no_signals;
  sigset_t all_signals;
  sigemptyset(&no_signals);
  sigfillset(&all_signals);
  check(::posix_spawnattr_setflags(
      attr.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  check(::posix_spawnattr_setpgroup(attr.get(), 0));  // a new group, whose id is the child's pid
  check(::posix_spawnattr_setsigmask(attr.get(), &no_signals));
  check(::posix_spawnattr_setsigdefault(attr.get(), &all_signals));
  if (err != 0) return PosixError("posix_spawn setup", name, err);

  std::vector<char*> argv = CStrings(options.argv);
  std::vector<char*> envp;
  char** env = environ;
  if (options.env) {
    envp = CStrings(*options.env);
    env = envp.data();
  }
  s.start = Clock::now();
  pid_t pid = -1;
  // glibc reports a failed chdir or exec as the return value, and reaps that child itself.
  err = ::posix_spawn(&pid, program.c_str(), actions.get(), attr.get(), argv.data(), env);
  if (err != 0) {
    return PosixError("run", program, err);
  }
  subprocess->pid_ = pid;
  if (options.timeout.count() > 0) s.deadline = s.start + options.timeout;
  s.next_scan = s.start;
  // Without a pidfd (ENOSYS, a seccomp filter), Wait() polls the child instead.
  // (glibc 2.36's <sys/pidfd.h> lacks extern "C", hence the raw system call.)
  s.pidfd = UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (options.stdin_data && options.stdin_data->empty()) s.stdin_fd.Reset();
  if (options.stop.stop_possible()) {
    subprocess->stop_callback_.emplace(options.stop, CancelOnStop{subprocess.get()});
  }
  return subprocess;
}

Subprocess::~Subprocess() {
  stop_callback_.reset();
  if (pid_ > 0 && !reaped_) {
    ::kill(-pid_, SIGKILL);
    // Until the child is reaped, the group id stays ours: wait there for the members to die.
    Clock::time_point give_up = Clock::now() + kKillWait;
    Clock::duration pause = kFirstScan;
    while (GroupHasLiveMembers(pid_).value_or(false) && Clock::now() < give_up) {
      std::this_thread::sleep_for(pause);
      pause = std::min<Clock::duration>(pause * 2, kMaxScan);
    }
    Reap(pid_);
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Subprocess::Cancel() {
  cancel_requested_.store(true);
  uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof(one)) < 0) {
    // EAGAIN: the counter is already huge, and Wait() will wake anyway.
  }
}

Result<ExitStatus> Subprocess::Wait(const LineCallback& on_stdout, const LineCallback& on_stderr) {
  using Phase = State::Phase;
  State& s = *state_;
  if (s.waited) return Status::InvalidState("Subprocess::Wait called twice");
  s.waited = true;
  s.out.callback = &on_stdout;
  s.err.callback = &on_stderr;
  ExitStatus result;

  auto send_term = [&](Clock::time_point now) {
    ::kill(-pid_, SIGTERM);
    ::kill(-pid_, SIGCONT);  // a stopped member acts on SIGTERM only once continued
    s.phase = Phase::kTerminating;
    s.kill_at = now + s.kill_grace;
    s.next_scan = now + kFirstScan;
    s.scan_pause = kFirstScan;
  };
  auto send_kill = [&](Clock::time_point now) {
    ::kill(-pid_, SIGKILL);
    s.phase = Phase::kKilling;
    s.give_up_at = now + kKillWait;
    s.next_scan = now;
    s.scan_pause = kFirstScan;
  };
  // kKeep, after the child's exit: the leftovers are left alone, the pipes are waited for.
  auto keeping = [&] { return s.child_exited && s.leftovers == Leftovers::kKeep; };

  for (;;) {
    Clock::time_point now = Clock::now();
    if (s.phase == Phase::kRunning) {
      if (cancel_requested_.load()) {
        result.cancelled = true;
        send_term(now);
      } else if (s.deadline && now >= *s.deadline) {
        result.timed_out = true;
        send_term(now);
      }
    }
    if (s.phase == Phase::kTerminating && now >= s.kill_at) send_kill(now);
    if (s.child_exited) {
      bool pipes_open = s.out.fd.valid() || s.err.fd.valid();
      if (s.phase == Phase::kRunning && keeping()) {
        if (!pipes_open) break;
      } else if (now >= s.next_scan) {
        // Without /proc, a member counts as alive while the pipes are open.
        if (!GroupHasLiveMembers(pid_).value_or(pipes_open)) break;
        if (s.phase == Phase::kRunning) send_term(now);  // leftovers of an exited child
        s.next_scan = now + s.scan_pause;
        s.scan_pause = std::min<Clock::duration>(s.scan_pause * 2, kMaxScan);
      }
      if (s.phase == Phase::kKilling && now >= s.give_up_at) break;
    }

    // Sleep in poll() until output, stdin space, the child's exit, Cancel(), or a deadline.
    std::optional<Clock::time_point> wake_at;
    auto wake_by = [&](Clock::time_point t) {
      if (!wake_at || t < *wake_at) wake_at = t;
    };
    if (s.phase == Phase::kRunning && s.deadline) wake_by(*s.deadline);
    if (s.phase == Phase::kTerminating) wake_by(s.kill_at);
    if (s.phase == Phase::kKilling && s.child_exited) wake_by(s.give_up_at);
    if (s.child_exited && !(s.phase == Phase::kRunning && keeping())) wake_by(s.next_scan);
    if (!s.child_exited && !s.pidfd.valid()) wake_by(now + kNoPidfdPoll);
    int timeout_ms = -1;
    if (wake_at) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wake_at - now).count();
      timeout_ms = static_cast<int>(std::clamp<decltype(ms)>(ms, 0, INT_MAX));
    }

    std::array<pollfd, 5> fds{};
    size_t n = 0;
    auto watch = [&](int fd, short events) -> pollfd* {
      if (fd < 0) return nullptr;
      fds[n] = pollfd{fd, events, 0};
      return &fds[n++];
    };
    pollfd* out_poll = watch(s.out.fd.get(), POLLIN);
    pollfd* err_poll = watch(s.err.fd.get(), POLLIN);
    pollfd* stdin_poll = watch(s.stdin_fd.get(), POLLOUT);
    pollfd* child_poll = watch(s.child_exited ? -1 : s.pidfd.get(), POLLIN);
    pollfd* wake_poll = watch(wake_fd_, POLLIN);
    if (::poll(fds.data(), n, timeout_ms) < 0) {
      if (errno == EINTR) continue;
      return PosixError("poll", s.name, errno);
    }

    if (out_poll && out_poll->revents != 0) s.ReadOnce(s.out);
    if (err_poll && err_poll->revents != 0) s.ReadOnce(s.err);
    if (stdin_poll && stdin_poll->revents != 0) s.WriteStdin();
    if (!s.child_exited && (!s.pidfd.valid() || (child_poll && child_poll->revents != 0))) {
      Status status = s.CheckChild(pid_);
      if (!status.ok()) {
        reaped_ = true;  // not ours any more: never signal that pid again
        return status;
      }
    }
    if (wake_poll && wake_poll->revents != 0) {
      uint64_t count;
      if (::read(wake_fd_, &count, sizeof(count)) < 0) {
        // EAGAIN: another wake-up was read already.
      }
    }
  }

  s.Drain(s.out);
  s.Drain(s.err);
  s.stdin_fd.Reset();
  // With kKeep, a child that left members running stays a zombie until destruction, holding
  // the group id for the destructor's SIGKILL.
  if (!keeping() || !GroupHasLiveMembers(pid_).value_or(false)) {
    Reap(pid_);
    reaped_ = true;
  }
  result.exit_code = s.exit_code;
  result.signal = s.signal;
  result.wall_time = Clock::now() - s.start;
  return result;
}

std::string ExitStatus::ToString() const {
  std::string text;
  if (signal != 0) {
    const char* abbrev = ::sigabbrev_np(signal);
    text = abbrev != nullptr ? fmt::format("killed by SIG{}", abbrev)
                             : fmt::format("killed by signal {}", signal);
  } else {
    text = fmt::format("exited with code {}", exit_code);
  }
  if (timed_out) text += " (timed out)";
  if (cancelled) text += " (cancelled)";
  return text;
}

Result<ExitStatus> Run(const SubprocessOptions& options, const LineCallback& on_stdout,
                       const LineCallback& on_stderr) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<Subprocess> subprocess, Subprocess::Start(options));
  return subprocess->Wait(on_stdout, on_stderr);
}

}  // namespace cairn::sys
