#include "sys/env.h"

namespace cairn::sys {

Result<std::string> Env::ReadFile(std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, OpenSequential(path));
  // Sized to the file (plus one byte, to see the end in one read); doubled if it grew.
  Result<FileInfo> info = Stat(path);
  std::string out(info.ok() ? static_cast<size_t>(info->size) + 1 : size_t{1} << 16, '\0');
  size_t filled = 0;
  for (;;) {
    if (filled == out.size()) out.resize(out.size() * 2);
    CAIRN_ASSIGN_OR_RETURN(size_t n, file->Read(out.data() + filled, out.size() - filled));
    if (n == 0) break;
    filled += n;
  }
  out.resize(filled);
  return out;
}

Status Env::WriteFile(std::string_view path, std::string_view data, const WriteOptions& options) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFile> file, OpenAtomic(path, options));
  CAIRN_RETURN_IF_ERROR(file->Append(data));
  return file->Commit();
}

Result<std::vector<DirEntryInfo>> Env::ListDirInfo(std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ListDir(path));
  std::vector<DirEntryInfo> out;
  out.reserve(entries.size());
  std::string dir(path);
  for (DirEntry& e : entries) {
    Result<FileInfo> info = LStat(dir + "/" + e.name);
    if (!info.ok()) {
      if (info.status().IsNotFound()) continue;  // removed meanwhile
      return info.status();
    }
    out.push_back(DirEntryInfo{std::move(e.name), *info});
  }
  return out;
}

bool Env::Exists(std::string_view path) { return Stat(path).ok(); }

bool Env::IsDirectory(std::string_view path) {
  Result<FileInfo> info = Stat(path);
  return info.ok() && info->is_directory();
}

}  // namespace cairn::sys
