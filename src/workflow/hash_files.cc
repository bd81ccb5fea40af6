// hashFiles(): @actions/glob's patterns and traversal order, the runner's digest of digests.
#include "workflow/hash_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "core/hash.h"
#include "core/strings.h"

namespace cairn::workflow {
namespace {

using core::Status;

struct Pattern {
  bool negate = false;
  bool trailing_separator = false;    // matches directories only
  bool implicit = false;              // the `<pattern>/**` added for a pattern
  std::vector<std::string> segments;  // absolute: segments[0] is "" (the root)
  std::string search_path;
};

bool HasGlob(std::string_view segment) {
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\') {
      ++i;
    } else if (segment[i] == '*' || segment[i] == '?' || segment[i] == '[') {
      return true;
    }
  }
  return false;
}

std::string Unescape(std::string_view segment) {
  std::string out;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\' && i + 1 < segment.size()) ++i;
    out += segment[i];
  }
  return out;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments = {""};
  for (std::string_view part : core::Split(path, '/')) {
    if (!part.empty()) segments.emplace_back(part);
  }
  return segments;
}

// minimatch's matchOne over segments: `**` (a whole segment) matches any number of segments;
// with `partial`, running out of path while the pattern still matches is a match.
bool MatchSegments(const std::vector<std::string>& pattern, size_t pi,
                   const std::vector<std::string>& path, size_t si, bool partial) {
  while (pi < pattern.size()) {
    if (pattern[pi] == "**") {
      for (size_t skip = si; skip <= path.size(); ++skip) {
        if (MatchSegments(pattern, pi + 1, path, skip, partial)) return true;
      }
      return false;
    }
    if (si == path.size()) return partial;
    if (fnmatch(pattern[pi].c_str(), path[si].c_str(), 0) != 0) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

enum MatchKind : unsigned { kNone = 0, kDirectory = 1, kFile = 2, kAll = 3 };

unsigned MatchOne(const Pattern& p, const std::vector<std::string>& path, bool path_is_dir) {
  std::vector<std::string> item = path;
  // A pattern ending in `**` matches the directory it names too (minimatch sees "dir/").
  if (!p.implicit && p.segments.back() == "**" && path_is_dir) item.emplace_back("");
  if (!MatchSegments(p.segments, 0, item, 0, false)) return kNone;
  return p.trailing_separator ? kDirectory : kAll;
}

unsigned Match(const std::vector<Pattern>& patterns, const std::vector<std::string>& path,
               bool is_dir) {
  unsigned result = kNone;
  for (const Pattern& p : patterns) {
    unsigned m = MatchOne(p, path, is_dir);
    if (p.negate) {
      result &= ~m;
    } else {
      result |= m;
    }
  }
  return result;
}

bool PartialMatch(const std::vector<Pattern>& patterns, const std::vector<std::string>& path) {
  for (const Pattern& p : patterns) {
    if (!p.negate && MatchSegments(p.segments, 0, path, 0, true)) return true;
  }
  return false;
}

core::Result<std::vector<Pattern>> ParsePatterns(std::string_view workspace,
                                                 std::span<const std::string> args) {
  std::vector<Pattern> patterns;
  for (const std::string& arg : args) {
    for (std::string_view raw : core::SplitLines(arg)) {
      std::string_view text = core::Trim(raw);
      if (text.empty() || text.starts_with('#')) continue;
      Pattern p;
      while (text.starts_with('!')) {
        p.negate = !p.negate;
        text.remove_prefix(1);
      }
      std::string absolute;
      if (text == "." || text.starts_with("./")) {
        absolute = std::string(workspace) + std::string(text.substr(1));
      } else if (text == "~" || text.starts_with("~/")) {
        const char* home = getenv("HOME");
        absolute = std::string(home ? home : "") + std::string(text.substr(1));
      } else if (text.starts_with('/')) {
        absolute = std::string(text);
      } else {
        absolute = fmt::format("{}/{}", workspace, text);
      }
      p.trailing_separator = absolute.ends_with('/');
      p.segments = SplitPath(absolute);
      for (size_t i = 1; i < p.segments.size(); ++i) {
        if (p.segments[i] == "." || p.segments[i] == "..") {
          return Status::InvalidArgument(fmt::format(
              "hashFiles: invalid pattern '{}': relative pathing '.' and '..' is not allowed",
              raw));
        }
      }
      std::string search;
      for (size_t i = 1; i < p.segments.size() && !HasGlob(p.segments[i]); ++i) {
        search += "/" + Unescape(p.segments[i]);
      }
      p.search_path = search.empty() ? "/" : search;
      bool add_descendants = p.trailing_separator || p.segments.back() != "**";
      patterns.push_back(p);
      if (add_descendants) {
        Pattern descendants = p;
        descendants.implicit = true;
        descendants.trailing_separator = false;
        descendants.segments.emplace_back("**");
        patterns.push_back(std::move(descendants));
      }
    }
  }
  return patterns;
}

// getSearchPaths: the include patterns' roots, in order, without one under another.
std::vector<std::string> SearchPaths(const std::vector<Pattern>& patterns) {
  std::set<std::string> candidates;
  for (const Pattern& p : patterns) {
    if (!p.negate) candidates.insert(p.search_path);
  }
  std::vector<std::string> result;
  std::set<std::string> included;
  for (const Pattern& p : patterns) {
    if (p.negate || included.contains(p.search_path)) continue;
    bool ancestor = false;
    std::string key = p.search_path;
    while (key != "/" && !key.empty()) {
      size_t slash = key.rfind('/');
      key = slash == 0 ? "/" : key.substr(0, slash);
      if (candidates.contains(key)) {
        ancestor = true;
        break;
      }
    }
    if (!ancestor) {
      result.push_back(p.search_path);
      included.insert(p.search_path);
    }
  }
  return result;
}

class Walker {
 public:
  Walker(const std::vector<Pattern>& patterns, bool follow)
      : patterns_(patterns), follow_(follow) {}

  // Depth first, children sorted by byte value (libuv's scandir order), as the globber does.
  void Visit(const std::string& path, std::vector<std::string>* files) {
    std::vector<std::string> segments = SplitPath(path);
    struct stat st;
    int rc = follow_ ? stat(path.c_str(), &st) : lstat(path.c_str(), &st);
    if (rc != 0) return;
    bool is_dir = S_ISDIR(st.st_mode);
    unsigned match = Match(patterns_, segments, is_dir);
    bool partial = match != kNone || PartialMatch(patterns_, segments);
    if (!partial) return;
    if (!is_dir) {
      if (match & kFile) files->push_back(path);
      return;
    }
    std::pair<dev_t, ino_t> id{st.st_dev, st.st_ino};
    if (chain_.contains(id)) return;  // a symlink loop
    DIR* dir = opendir(path.c_str());
    if (dir == nullptr) return;
    std::vector<std::string> names;
    while (dirent* entry = readdir(dir)) {
      if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
        names.emplace_back(entry->d_name);
      }
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    chain_.insert(id);
    for (const std::string& name : names) {
      Visit(path == "/" ? "/" + name : path + "/" + name, files);
    }
    chain_.erase(id);
  }

 private:
  const std::vector<Pattern>& patterns_;
  bool follow_;
  std::set<std::pair<dev_t, ino_t>> chain_;
};

core::Result<std::string> Sha256OfFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IoError(fmt::format("hashFiles: cannot read '{}': {}", path, strerror(errno)));
  }
  core::Digest digest(core::Digest::Algorithm::kSha256);
  std::vector<char> buffer(1 << 16);
  while (true) {
    ssize_t n = read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return Status::IoError(fmt::format("hashFiles: cannot read '{}': {}", path, strerror(err)));
    }
    if (n == 0) break;
    digest.Update(buffer.data(), static_cast<size_t>(n));
  }
  close(fd);
  return digest.Finish();
}

}  // namespace

core::Result<std::string> HashFiles(std::string_view workspace,
                                    std::span<const std::string> patterns) {
  bool follow = false;
  if (!patterns.empty() && core::Trim(patterns[0]) == "--follow-symbolic-links") {
    follow = true;
    patterns = patterns.subspan(1);
  }
  std::string root(workspace);
  while (root.size() > 1 && root.ends_with('/')) root.pop_back();
  CAIRN_ASSIGN_OR_RETURN(std::vector<Pattern> parsed, ParsePatterns(root, patterns));
  std::vector<std::string> files;
  Walker walker(parsed, follow);
  for (const std::string& search : SearchPaths(parsed)) walker.Visit(search, &files);

  core::Digest outer(core::Digest::Algorithm::kSha256);
  bool any = false;
  for (const std::string& file : files) {
    if (!file.starts_with(root + "/")) continue;
    struct stat st;
    if (stat(file.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;
    CAIRN_ASSIGN_OR_RETURN(std::string digest, Sha256OfFile(file));
    outer.Update(digest);
    any = true;
  }
  return any ? outer.FinishHex() : std::string();
}

}  // namespace cairn::workflow
