// Module-private: the body sink of a download that a retry may restart. The caller's sink sees
// every byte once, in order: when an answer starts again from a byte the sink already has, the
// bytes it has are dropped (set `skip` from the answer's headers). The caller's own failure is
// kept in `error`, so it is not mistaken for a transport failure worth retrying.
// Not thread-safe: one download, on the thread that runs it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "blob/blob.h"

namespace cairn::blob {

struct ResumableSink {
  explicit ResumableSink(const ChunkSink& sink) : sink(sink) {}

  /// Feeds `chunk` of the current answer to the caller's sink, after dropping what it has.
  Status Feed(std::string_view chunk) {
    if (skip > 0) {
      size_t drop = static_cast<size_t>(std::min<uint64_t>(skip, chunk.size()));
      chunk.remove_prefix(drop);
      skip -= drop;
      if (chunk.empty()) return Status::Ok();
    }
    Status status = sink(chunk);
    if (!status.ok()) {
      error = status;
      return status;
    }
    delivered += chunk.size();
    return Status::Ok();
  }

  const ChunkSink& sink;
  uint64_t delivered = 0;  // what the caller's sink has received
  uint64_t skip = 0;       // bytes at the start of the current answer it already has
  Status error;            // the caller's sink's failure, if any
};

}  // namespace cairn::blob
