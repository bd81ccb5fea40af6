// The hash of DVC 2.x entries (`md5-dos2unix`): what DVC 3 computes to check an entry that has
// no `hash:` key. Each 1 MiB chunk is judged text or binary by its first 512 bytes (text: no
// NUL and at most 30% of bytes outside printable ASCII and \n \r \t \f \b; an empty chunk is
// text); in a text chunk every CR LF becomes LF before hashing. A CR LF split across two
// chunks is not folded. See docs/formats/dvc-dir.md and ../shared/reference/dvc.md section 1.2.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "sys/env.h"

namespace cairn::data {

/// The legacy md5 of `data` (as if read from a file).
std::string LegacyMd5(std::string_view data);
/// The legacy md5 of the file at `path` (symlinks followed).
core::Result<std::string> LegacyMd5File(sys::Env& env, std::string_view path);

}  // namespace cairn::data
