#include "sys/env.h"

namespace cairn::sys {

Result<std::string> Env::ReadFile(std::string_view path) {
  CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> file, OpenSequential(path));
  std::string out;
  constexpr size_t kChunk = 1 << 16;
  for (;;) {
    size_t old_size = out.size();
    out.resize(old_size + kChunk);
    Result<size_t> n = file->Read(out.data() + old_size, kChunk);
    if (!n.ok()) return n.status();
    out.resize(old_size + *n);
    if (*n == 0) break;
  }
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
