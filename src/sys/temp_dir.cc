#include "sys/temp_dir.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "core/path.h"
#include "sys/posix_error.h"

namespace cairn::sys {

core::Result<TempDir> TempDir::Create(std::string_view prefix, std::string_view parent) {
  std::string dir(parent);
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string tmpl = core::JoinPath(dir, std::string(prefix) + "XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr)
    return PosixError("create temporary directory", tmpl, errno);
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(tmpl, ec);
  return TempDir(ec ? tmpl : abs.lexically_normal().string());
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)), keep_(other.keep_) {
  other.path_.clear();
}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    RemoveNow();
    path_ = std::move(other.path_);
    keep_ = other.keep_;
    other.path_.clear();
  }
  return *this;
}

TempDir::~TempDir() { RemoveNow(); }

std::string TempDir::Path(std::string_view relative) const {
  return core::JoinPath(path_, relative);
}

void TempDir::RemoveNow() {
  if (path_.empty() || keep_) return;
  std::error_code ec;
  // Read-only directories inside (e.g. a copied cache) would stop remove_all: open them up.
  for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      ::chmod(it->path().c_str(), 0700);
    }
  }
  std::filesystem::remove_all(path_, ec);
  path_.clear();
}

}  // namespace cairn::sys
