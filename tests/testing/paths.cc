#include "testing/paths.h"

#include <cstdlib>
#include <filesystem>

namespace cairn::testing {

std::string SourceDir() {
  if (const char* dir = std::getenv("CAIRN_SOURCE_DIR")) return dir;
  return CAIRN_SOURCE_DIR;
}

std::string BinaryDir() {
  if (const char* dir = std::getenv("CAIRN_BINARY_DIR")) return dir;
  return CAIRN_BINARY_DIR;
}

std::optional<std::string> SharedDir() {
  std::filesystem::path shared = std::filesystem::path(SourceDir()).parent_path() / "shared";
  std::error_code ec;
  if (std::filesystem::is_directory(shared / "conformance", ec)) return shared.string();
  return std::nullopt;
}

}  // namespace cairn::testing
