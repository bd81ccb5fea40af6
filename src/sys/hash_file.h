// Hashing files: one file streamed with large reads, many files across a thread pool.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hash.h"
#include "sys/env.h"
#include "sys/thread_pool.h"

namespace cairn::sys {

/// Lowercase hex digest of the bytes of `path` (symlinks followed).
Result<std::string> HashFile(Env& env, std::string_view path,
                             core::Digest::Algorithm algorithm = core::Digest::Algorithm::kMd5);

/// HashFile for each path, run on `pool`; results in the order of `paths`. `on_each`, when
/// set, is called (from a worker thread) after each file.
std::vector<Result<std::string>> HashFiles(
    Env& env, const std::vector<std::string>& paths, ThreadPool& pool,
    core::Digest::Algorithm algorithm = core::Digest::Algorithm::kMd5,
    const std::function<void()>& on_each = nullptr);

}  // namespace cairn::sys
