// Lexical path helpers for '/'-separated paths. None of them touches the file system.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::core {

/// "a" + "b" -> "a/b"; an absolute `b` wins; an empty side gives the other.
std::string JoinPath(std::string_view a, std::string_view b);
/// The part before the last '/': "a/b" -> "a", "b" -> "", "/b" -> "/", "/" -> "/".
std::string_view Dirname(std::string_view path);
/// The part after the last '/': "a/b" -> "b", "a/" -> "".
std::string_view Basename(std::string_view path);
/// The extension with its dot: "a/b.tar.gz" -> ".gz", "a/.x" -> "".
std::string_view Extension(std::string_view path);
bool IsAbsolutePath(std::string_view path);
/// Removes "." and empty components and folds "x/.." lexically: "a/./b/../c/" -> "a/c".
/// A relative path that climbs above its start keeps its leading "..": "../a". "" -> ".".
std::string NormalizePath(std::string_view path);
/// The components of a normalized path: "a/b/c" -> {"a","b","c"}; "/" and "." -> {}.
std::vector<std::string_view> PathComponents(std::string_view path);
/// True when normalized `path` is `base` or lies inside it (lexically).
bool PathIsWithin(std::string_view path, std::string_view base);
/// `path` relative to `base`, both made normal first: ("/a/b/c", "/a") -> "b/c",
/// ("/a/x", "/a/b") -> "../x". Both must be absolute or both relative.
std::string RelativePath(std::string_view path, std::string_view base);

}  // namespace cairn::core
