#include "data/legacy_hash.h"

#include <memory>

#include "core/hash.h"

namespace cairn::data {
namespace {

constexpr size_t kChunk = 1 << 20;  // DVC's read size: part of the legacy rule
constexpr size_t kProbe = 512;

bool IsTextChunk(std::string_view chunk) {
  std::string_view probe = chunk.substr(0, kProbe);
  if (probe.empty()) return true;
  size_t non_text = 0;
  for (char ch : probe) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) return false;
    bool text =
        (c >= 0x20 && c <= 0x7e) || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\b';
    if (!text) ++non_text;
  }
  return non_text * 10 <= probe.size() * 3;  // at most 30%
}

void HashChunk(std::string_view chunk, core::Digest& digest) {
  if (!IsTextChunk(chunk)) {
    digest.Update(chunk);
    return;
  }
  size_t start = 0;
  for (size_t pos = chunk.find("\r\n"); pos != std::string_view::npos;
       pos = chunk.find("\r\n", start)) {
    digest.Update(chunk.substr(start, pos - start));  // up to the CR, which is dropped
    start = pos + 1;                                  // the LF stays
  }
  digest.Update(chunk.substr(start));
}

}  // namespace

std::string LegacyMd5(std::string_view data) {
  core::Digest digest(core::Digest::Algorithm::kMd5);
  for (size_t off = 0; off < data.size(); off += kChunk)
    HashChunk(data.substr(off, kChunk), digest);
  return digest.FinishHex();
}

core::Result<std::string> LegacyMd5File(sys::Env& env, std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<sys::SequentialFile> file, env.OpenSequential(path));
  std::string chunk(kChunk, '\0');
  core::Digest digest(core::Digest::Algorithm::kMd5);
  for (;;) {
    // Fill a whole chunk: the rule depends on chunk boundaries, not on read() sizes.
    size_t filled = 0;
    while (filled < kChunk) {
      CAIRN_ASSIGN_OR_RETURN(size_t n, file->Read(chunk.data() + filled, kChunk - filled));
      if (n == 0) break;
      filled += n;
    }
    if (filled == 0) break;
    HashChunk(std::string_view(chunk).substr(0, filled), digest);
    if (filled < kChunk) break;
  }
  return digest.FinishHex();
}

}  // namespace cairn::data
