// Hashing throughput: MD5 of memory, of one file streamed from the page cache, and of many
// small files across the thread pool.  Run: build/bench/hash_bench
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/hash.h"
#include "core/path.h"
#include "sys/env.h"
#include "sys/hash_file.h"
#include "sys/temp_dir.h"
#include "sys/thread_pool.h"

namespace cairn {
namespace {

std::string Bytes(size_t n) {
  std::string data(n, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : data) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  return data;
}

void BM_Md5Memory(benchmark::State& state) {
  std::string data = Bytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(core::Md5Hex(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Md5Memory)->Arg(4 << 10)->Arg(1 << 20);

void BM_HashOneFile(benchmark::State& state) {
  auto dir = sys::TempDir::Create("cairn-bench-");
  auto env = sys::NewPosixEnv();
  std::string path = dir->Path("big");
  (void)env->WriteFile(path, Bytes(64 << 20));
  for (auto _ : state) benchmark::DoNotOptimize(sys::HashFile(*env, path));
  state.SetBytesProcessed(state.iterations() * (64 << 20));
}
BENCHMARK(BM_HashOneFile)->Unit(benchmark::kMillisecond);

void BM_HashManyFiles(benchmark::State& state) {
  auto dir = sys::TempDir::Create("cairn-bench-");
  auto env = sys::NewPosixEnv();
  std::vector<std::string> paths;
  std::string data = Bytes(10 << 10);
  for (int i = 0; i < 2000; ++i) {
    paths.push_back(dir->Path("f" + std::to_string(i)));
    (void)env->WriteFile(paths.back(), std::string_view(data).substr(0, 2048 + i * 4),
                         {.durability = sys::Durability::kRelaxed});
  }
  sys::ThreadPool pool(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(sys::HashFiles(*env, paths, pool));
  state.SetItemsProcessed(state.iterations() * 2000);
}
BENCHMARK(BM_HashManyFiles)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cairn

BENCHMARK_MAIN();
