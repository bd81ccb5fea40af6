// ThreadPool: a fixed set of worker threads running submitted tasks in FIFO order.
//
// Thread-safe: Submit, Wait and ParallelFor may be called from any thread except a worker
// of the same pool (a task that waits on its own pool would deadlock). The destructor
// finishes every submitted task, then joins the workers.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace cairn::sys {

class ThreadPool {
 public:
  /// `threads` workers; 0 means one per hardware thread.
  explicit ThreadPool(size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t size() const { return workers_.size(); }

  void Submit(std::function<void()> task);
  /// Blocks until every task submitted so far has finished.
  void Wait();
  /// Runs fn(0) .. fn(n-1) on the workers, each index once, and returns when all are done.
  /// Indices are handed out in increasing order, one at a time.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

  /// The number of hardware threads (at least 1).
  static size_t HardwareThreads();

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable work_cv_;  // a task arrived, or stopping
  std::condition_variable idle_cv_;  // pending_ reached zero
  std::deque<std::function<void()>> queue_;
  size_t pending_ = 0;  // queued + running tasks
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace cairn::sys
