#include "sys/posix_error.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace cairn::sys {

core::Status PosixError(std::string_view op, std::string_view path, int err) {
  std::string msg = path.empty() ? fmt::format("{}: {}", op, std::strerror(err))
                                 : fmt::format("{} '{}': {}", op, path, std::strerror(err));
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return core::Status::NotFound(std::move(msg));
    case EACCES:
    case EPERM:
    case EROFS:
      return core::Status::PermissionDenied(std::move(msg));
    case EEXIST:
      return core::Status::AlreadyExists(std::move(msg));
    default:
      return core::Status::IoError(std::move(msg));
  }
}

}  // namespace cairn::sys
