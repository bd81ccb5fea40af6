// Module-private: LocalBlobStore, a BlobStore in a directory. The object `key` is the file
// `<root>/<key>`. Every file access goes through sys::Env.
//
// Put and PutFile write a temporary file in the object's directory and rename it over the
// object (Env::OpenAtomic, relaxed durability: objects are content-addressed and checked on
// read), creating missing parent directories. Temporary files (".<name>.tmp.<pid>.<n>") are
// never listed, so an interrupted Put leaves nothing a List or Stat reports.
//
// Thread-safe: the store holds no mutable state.
#pragma once

#include <string>

#include "blob/blob.h"

namespace cairn::blob {

class LocalBlobStore final : public BlobStore {
 public:
  /// `root` is the directory holding the objects; `env` must outlive the store.
  LocalBlobStore(std::string root, sys::Env& env);

  std::string Describe() const override { return root_; }
  Status Check() override;
  Result<std::optional<BlobInfo>> Stat(std::string_view key) override;
  Result<std::vector<BlobInfo>> List(std::string_view prefix) override;
  Status Get(std::string_view key, const ChunkSink& sink) override;
  Status PutFile(std::string_view key, std::string_view path) override;
  Status Put(std::string_view key, std::string_view data) override;
  Status Delete(std::string_view key) override;

 private:
  std::string PathOf(std::string_view key) const;
  /// OK when the root is an existing directory.
  Status CheckRoot();
  /// Opens the atomic replacement of `key`'s file, creating its directory.
  Result<std::unique_ptr<sys::AtomicFile>> OpenForPut(std::string_view key);
  Status ListUnder(const std::string& dir, const std::string& rel, std::string_view prefix,
                   std::vector<BlobInfo>& out);

  const std::string root_;  // no trailing '/' (unless it is "/")
  sys::Env& env_;
};

}  // namespace cairn::blob
