// run_concurrency: `concurrency:` groups and the run's job slots (see run_internal.h).
//
// Thread-safe: ConcurrencyGroups and Slots guard their state with a mutex; a Hold's watcher
// thread only reads a file and requests a stop.
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "core/hash.h"
#include "core/strings.h"
#include "sys/env.h"
#include "workflow/run_internal.h"

namespace cairn::workflow::internal {

bool Slots::Acquire(std::stop_token stop) {
  std::unique_lock lock(mu_);
  if (!cv_.wait(lock, stop, [&] { return free_ > 0; })) return false;
  --free_;
  return true;
}

void Slots::Release() {
  {
    std::lock_guard lock(mu_);
    ++free_;
  }
  cv_.notify_all();
}

namespace {

constexpr auto kPoll = std::chrono::milliseconds(50);

// A file name for a group: readable part plus a hash, so any group text is safe.
std::string LockName(const std::string& key) {
  std::string readable;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    readable.push_back(ok ? c : '_');
    if (readable.size() >= 40) break;
  }
  return "concurrency-" + readable + "-" + core::Sha256Hex(key).substr(0, 16) + ".lock";
}

}  // namespace

struct ConcurrencyGroups::Hold::State {
  ConcurrencyGroups* owner = nullptr;
  std::string key;
  uint64_t ticket = 0;
  std::optional<sys::FileLock> file_lock;
  std::jthread watcher;  // polls for `<lock>.cancel` naming this process

  ~State() {
    if (watcher.joinable()) {
      watcher.request_stop();
      watcher.join();
    }
    file_lock.reset();
    if (owner != nullptr) owner->Leave(key, ticket);
  }
};

ConcurrencyGroups::Hold::Hold(Hold&&) noexcept = default;
ConcurrencyGroups::Hold& ConcurrencyGroups::Hold::operator=(Hold&&) noexcept = default;
ConcurrencyGroups::Hold::~Hold() = default;

ConcurrencyGroups::~ConcurrencyGroups() = default;

void ConcurrencyGroups::Leave(const std::string& key, uint64_t ticket) {
  {
    std::lock_guard lock(mu_);
    Group& g = groups_[key];
    if (g.running == ticket) {
      g.running = 0;
      g.running_stop = std::stop_source(std::nostopstate);
    }
  }
  cv_.notify_all();
}

core::Result<ConcurrencyGroups::Hold> ConcurrencyGroups::Enter(std::string_view group,
                                                               bool cancel_in_progress,
                                                               std::stop_source holder,
                                                               std::stop_token wait_stop) {
  const std::string key = core::ToLower(group);
  uint64_t ticket = 0;
  {
    std::unique_lock lock(mu_);
    Group& g = groups_[key];
    ticket = ++next_ticket_;
    if (g.running != 0 || g.pending != 0) {
      g.pending = ticket;  // replaces an older pending entrant, which sees it and ends
      if (cancel_in_progress && g.running != 0) g.running_stop.request_stop();
      cv_.notify_all();
      bool ok = cv_.wait(lock, wait_stop, [&] { return g.pending != ticket || g.running == 0; });
      if (g.pending != ticket) {
        return core::Status(
            core::Code::kCancelled,
            "a newer job is pending in concurrency group '" + std::string(group) + "'");
      }
      if (!ok) {
        g.pending = 0;
        cv_.notify_all();
        return core::Status(
            core::Code::kCancelled,
            "cancelled while waiting for concurrency group '" + std::string(group) + "'");
      }
      g.pending = 0;
    }
    g.running = ticket;
    g.running_stop = holder;
  }
  Hold hold;
  hold.state_ = std::make_unique<Hold::State>();
  hold.state_->owner = this;
  hold.state_->key = key;
  hold.state_->ticket = ticket;
  if (lock_dir_.empty()) return hold;

  // Across processes: one lock file per group.
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  CAIRN_RETURN_IF_ERROR(env->CreateDirs(lock_dir_));
  const std::string path = lock_dir_ + "/" + LockName(key);
  const std::string cancel_path = path + ".cancel";
  const std::string own_pid = std::to_string(::getpid());
  bool asked_cancel = false;
  while (true) {
    core::Result<sys::FileLock> lock =
        sys::FileLock::Acquire(path, {.timeout_ms = 0, .retry_interval_ms = 50});
    if (lock.ok()) {
      hold.state_->file_lock.emplace(std::move(*lock));
      (void)env->Remove(cancel_path);  // a request meant for an earlier holder
      break;
    }
    if (lock.status().code() != core::Code::kResourceConflict) return lock.status();
    if (cancel_in_progress && !asked_cancel) {
      // Ask the holder (whose pid the lock file holds) to cancel.
      core::Result<std::string> holder_pid = env->ReadFile(path);
      if (holder_pid.ok()) {
        CAIRN_RETURN_IF_ERROR(env->WriteFile(cancel_path, std::string(core::Trim(*holder_pid))));
        asked_cancel = true;
      }
    }
    if (wait_stop.stop_requested()) {
      return core::Status(
          core::Code::kCancelled,
          "cancelled while waiting for concurrency group '" + std::string(group) + "'");
    }
    std::this_thread::sleep_for(kPoll);
  }
  // Watch for a later entrant (of any process) asking this holder to cancel.
  hold.state_->watcher = std::jthread([cancel_path, own_pid, holder](std::stop_token stop) mutable {
    std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
    while (!stop.stop_requested()) {
      core::Result<std::string> text = env->ReadFile(cancel_path);
      if (text.ok() && core::Trim(*text) == own_pid) {
        (void)env->Remove(cancel_path);
        holder.request_stop();
        return;
      }
      std::this_thread::sleep_for(kPoll);
    }
  });
  return hold;
}

}  // namespace cairn::workflow::internal
