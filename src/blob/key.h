// Module-private: the rules for object keys and list prefixes that every backend shares (see
// blob.h), so a key means the same object on a local directory and on S3.
#pragma once

#include <string_view>

#include "core/status.h"

namespace cairn::blob {

/// OK when `key` can name an object: not empty, no leading or trailing '/', no empty, "." or
/// ".." segment, no NUL. Otherwise InvalidArgument "bad object key '<key>': <why>".
core::Status ValidateKey(std::string_view key);

/// Like ValidateKey, but the prefix may be empty and may end with '/'.
core::Status ValidatePrefix(std::string_view prefix);

}  // namespace cairn::blob
