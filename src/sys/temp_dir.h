// TempDir: a fresh directory, removed with everything in it when the object is destroyed.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace cairn::sys {

using core::Result;
using core::Status;

class TempDir {
 public:
  /// Creates `<parent>/<prefix>XXXXXX` (mkdtemp). An empty `parent` means $TMPDIR, or /tmp.
  static core::Result<TempDir> Create(std::string_view prefix = "cairn-",
                                      std::string_view parent = "");

  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  /// The absolute path of the directory.
  const std::string& path() const { return path_; }
  /// `path()/relative`.
  std::string Path(std::string_view relative) const;
  /// Keeps the directory on destruction (e.g. `--keep`).
  void Keep() { keep_ = true; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  void RemoveNow();

  std::string path_;  // empty once moved from
  bool keep_ = false;
};

}  // namespace cairn::sys
