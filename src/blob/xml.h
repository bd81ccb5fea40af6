// Module-private: just enough XML to read S3's responses (ListBucketResult, Error,
// InitiateMultipartUploadResult, CompleteMultipartUploadResult) and write its one request body
// (CompleteMultipartUpload). Elements are matched by local name, so a namespace prefix
// ("<s3:Key>") or a default namespace does not matter. Comments, processing instructions,
// CDATA sections and character references are understood; DTDs are skipped, never expanded.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::blob::xml {

/// The raw content (between the start and end tags) of every element whose local name is
/// `name`, in document order; an element inside a matched one is not matched again. A
/// self-closing element has empty content.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view name);

/// The decoded text of the first element named `name`, or nullopt when there is none.
std::optional<std::string> Text(std::string_view xml, std::string_view name);

/// Element content as text: character and entity references decoded, CDATA unwrapped, tags
/// and comments dropped.
std::string DecodeText(std::string_view content);

/// `text` escaped for element content: '&', '<' and '>' (quotes stay as they are, as S3's
/// own clients write ETags).
std::string Escape(std::string_view text);

}  // namespace cairn::blob::xml
