#include "core/path.h"

namespace cairn::core {

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty() || IsAbsolutePath(b)) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  if (out.back() != '/') out += '/';
  out += b;
  return out;
}

std::string_view Dirname(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {};
  if (slash == 0) return path.substr(0, 1);
  return path.substr(0, slash);
}

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view Extension(std::string_view path) {
  std::string_view base = Basename(path);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return base.substr(dot);
}

bool IsAbsolutePath(std::string_view path) { return !path.empty() && path[0] == '/'; }

std::vector<std::string_view> PathComponents(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = slash + 1;
  }
  return parts;
}

std::string NormalizePath(std::string_view path) {
  bool absolute = IsAbsolutePath(path);
  std::vector<std::string_view> out;
  for (std::string_view part : PathComponents(path)) {
    if (part == "..") {
      if (!out.empty() && out.back() != "..") {
        out.pop_back();
      } else if (!absolute) {
        out.push_back(part);
      }  // "/.." is "/"
    } else {
      out.push_back(part);
    }
  }
  std::string result = absolute ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  if (result.empty()) result = ".";
  return result;
}

bool PathIsWithin(std::string_view path, std::string_view base) {
  std::string p = NormalizePath(path);
  std::string b = NormalizePath(base);
  if (b == ".") return !IsAbsolutePath(p) && p != ".." && p.rfind("../", 0) != 0;
  if (p == b) return true;
  if (b == "/") return IsAbsolutePath(p);
  return p.size() > b.size() && p.compare(0, b.size(), b) == 0 && p[b.size()] == '/';
}

std::string RelativePath(std::string_view path, std::string_view base) {
  std::string p = NormalizePath(path);
  std::string b = NormalizePath(base);
  std::vector<std::string_view> pp = PathComponents(p);
  std::vector<std::string_view> bp = PathComponents(b);
  size_t common = 0;
  while (common < pp.size() && common < bp.size() && pp[common] == bp[common]) ++common;
  std::string out;
  for (size_t i = common; i < bp.size(); ++i) out += out.empty() ? ".." : "/..";
  for (size_t i = common; i < pp.size(); ++i) {
    if (!out.empty()) out += '/';
    out += pp[i];
  }
  return out.empty() ? "." : out;
}

}  // namespace cairn::core
