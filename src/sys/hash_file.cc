#include "sys/hash_file.h"

#include <memory>
#include <optional>

namespace cairn::sys {
namespace {

// 64 KiB reads: measured on a 1 GiB cached file, 1 MiB reads spent 3.5x the kernel time of
// 64 KiB ones (the copy no longer stays in the L2 cache), for the same digest.
constexpr size_t kChunk = 64 << 10;

}  // namespace

Result<std::string> HashFile(Env& env, std::string_view path, core::Digest::Algorithm algorithm) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, env.OpenSequential(path));
  // One buffer per thread: small files must not pay for an allocation each.
  thread_local std::unique_ptr<char[]> buffer(new char[kChunk]);
  core::Digest digest(algorithm);
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(size_t n, file->Read(buffer.get(), kChunk));
    if (n == 0) break;
    digest.Update(buffer.get(), n);
  }
  return digest.FinishHex();
}

std::vector<Result<std::string>> HashFiles(Env& env, const std::vector<std::string>& paths,
                                           ThreadPool& pool, core::Digest::Algorithm algorithm,
                                           const std::function<void()>& on_each) {
  std::vector<std::optional<Result<std::string>>> slots(paths.size());
  pool.ParallelFor(paths.size(), [&](size_t i) {
    slots[i].emplace(HashFile(env, paths[i], algorithm));
    if (on_each) on_each();
  });
  std::vector<Result<std::string>> out;
  out.reserve(paths.size());
  for (auto& slot : slots) out.push_back(std::move(*slot));
  return out;
}

}  // namespace cairn::sys
