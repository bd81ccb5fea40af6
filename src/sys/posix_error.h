// Module-private: turning errno into a Status that names the operation and the path.
#pragma once

#include <string_view>

#include "core/status.h"

namespace cairn::sys {

/// A Status for a failed system call: "<op> '<path>': <strerror>". ENOENT maps to NotFound,
/// EACCES/EPERM to PermissionDenied, EEXIST to AlreadyExists, the rest to IoError.
core::Status PosixError(std::string_view op, std::string_view path, int err);

}  // namespace cairn::sys
