#include "sys/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace cairn::sys {
namespace {

TEST(ThreadPoolTest, RunsEverySubmittedTask) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  std::atomic<int> sum{0};
  for (int i = 1; i <= 100; ++i) pool.Submit([&sum, i] { sum += i; });
  pool.Wait();
  EXPECT_EQ(sum.load(), 5050);
}

TEST(ThreadPoolTest, ParallelForVisitsEachIndexOnce) {
  ThreadPool pool(4);
  std::vector<std::atomic<int>> hits(10000);
  pool.ParallelFor(hits.size(), [&](size_t i) { hits[i]++; });
  for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  pool.ParallelFor(0, [&](size_t) { FAIL(); });
}

TEST(ThreadPoolTest, UsesSeveralThreads) {
  ThreadPool pool(2);
  // Both workers must be inside the loop at once: the first index waits for the second.
  std::atomic<bool> second_started{false};
  std::atomic<bool> saw_overlap{false};
  pool.ParallelFor(2, [&](size_t i) {
    if (i == 1) {
      second_started = true;
      return;
    }
    for (int spin = 0; spin < 100000000 && !second_started; ++spin) std::this_thread::yield();
    saw_overlap = second_started.load();
  });
  EXPECT_TRUE(saw_overlap.load());
}

TEST(ThreadPoolTest, DestructorFinishesQueuedTasks) {
  std::atomic<int> done{0};
  {
    ThreadPool pool(1);
    for (int i = 0; i < 50; ++i) pool.Submit([&] { done++; });
  }
  EXPECT_EQ(done.load(), 50);
}

}  // namespace
}  // namespace cairn::sys
