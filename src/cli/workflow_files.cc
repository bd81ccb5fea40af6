// Finding the workflow files of a repository.
#include "cli/workflow_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace cairn::cli {

core::Result<std::vector<std::string>> WorkflowFiles(const std::vector<std::string>& files,
                                                     const std::string& cwd) {
  if (!files.empty()) return files;
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::path dir = fs::path(cwd); !dir.empty(); dir = dir.parent_path()) {
    fs::path workflows = dir / ".github" / "workflows";
    if (fs::is_directory(workflows, ec)) {
      std::vector<std::string> out;
      for (const auto& entry : fs::directory_iterator(workflows, ec)) {
        std::string ext = entry.path().extension().string();
        if (entry.is_regular_file(ec) && (ext == ".yml" || ext == ".yaml")) {
          std::error_code rel_ec;
          fs::path rel = fs::relative(entry.path(), cwd, rel_ec);
          out.push_back(rel_ec || rel.empty() ? entry.path().string() : rel.string());
        }
      }
      std::sort(out.begin(), out.end());
      return out;
    }
    if (dir == dir.parent_path()) break;
  }
  return core::Status::NotFound("no .github/workflows directory in " + cwd +
                                " or above it; name the workflow files to check");
}

}  // namespace cairn::cli
