// Execute: a Plan driven by worker threads that share one mutex.
//
// Each worker loops: under the lock, take the earliest ready node and Start() it; unlock, run
// the work; lock, Finished(), wake the others. A worker with nothing to start sleeps on the
// condition variable until some node finishes. The Plan is touched only under the lock; the work
// function only outside it. The parallelism limit is the number of workers.
#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "dag/dag.h"

namespace cairn::dag {
namespace {

NodeResult RunWork(const Work& work, NodeId node) {
  try {
    return work(node);
  } catch (const std::exception& e) {
    return NodeResult::Failed(std::string("exception: ") + e.what());
  } catch (...) {
    return NodeResult::Failed("exception of unknown type");
  }
}

class Executor {
 public:
  Executor(Plan& plan, const ExecuteOptions& options, const Work& work)
      : plan_(plan), options_(options), work_(work) {}

  void Worker() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (options_.cancel != nullptr && options_.cancel->load() && !plan_.cancelled()) {
        plan_.Cancel();
      }
      if (plan_.done()) break;
      std::optional<NodeId> node = plan_.NextReady();
      if (!node) {
        // Not done and nothing ready: some node is running, and its Finished() will wake us.
        cv_.wait(lock);
        continue;
      }
      Status started = plan_.Start(*node);  // cannot fail: the node is ready
      if (!started.ok()) break;
      lock.unlock();
      NodeResult result = RunWork(work_, *node);
      lock.lock();
      const bool failed = result.failed();
      Status finished = plan_.Finished(*node, std::move(result));  // cannot fail: it runs
      if (!finished.ok()) break;
      if (failed && options_.fail_fast) {
        plan_.Cancel("cancelled: '" + plan_.graph().name(*node) + "' failed");
      }
      cv_.notify_all();
    }
    cv_.notify_all();
  }

 private:
  Plan& plan_;
  const ExecuteOptions& options_;
  const Work& work_;
  std::mutex mu_;               // guards plan_
  std::condition_variable cv_;  // signalled when a node finishes
};

}  // namespace

Status Execute(Plan& plan, const ExecuteOptions& options, const Work& work) {
  if (options.parallelism == 0) return Status::InvalidArgument("parallelism must be at least 1");
  if (plan.running() != 0) {
    return Status::InvalidState("cannot execute a plan with " + std::to_string(plan.running()) +
                                " node(s) already running");
  }
  Executor executor(plan, options, work);
  const size_t workers = std::max<size_t>(1, std::min(options.parallelism, plan.graph().size()));
  std::vector<std::thread> threads;
  threads.reserve(workers - 1);
  for (size_t i = 1; i < workers; ++i) {
    try {
      threads.emplace_back([&executor] { executor.Worker(); });
    } catch (const std::system_error&) {
      break;  // out of threads: run with the workers we have
    }
  }
  executor.Worker();
  for (std::thread& thread : threads) thread.join();
  return Status::Ok();
}

}  // namespace cairn::dag
