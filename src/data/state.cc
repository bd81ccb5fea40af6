#include "data/state.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "core/strings.h"

namespace cairn::data {
namespace {

constexpr std::string_view kHeader = "cairn-state 1";

std::string EscapePath(std::string_view p) {
  if (p.find_first_of("\\\n") == std::string_view::npos) return std::string(p);
  return core::ReplaceAll(core::ReplaceAll(p, "\\", "\\\\"), "\n", "\\n");
}

std::optional<std::string> UnescapePath(std::string_view p) {
  std::string out;
  out.reserve(p.size());
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '\\') {
      out += p[i];
      continue;
    }
    if (++i == p.size()) return std::nullopt;
    if (p[i] == '\\') {
      out += '\\';
    } else if (p[i] == 'n') {
      out += '\n';
    } else {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

State State::Load(sys::Env& env, std::string path) {
  State state(env, path);
  core::Result<std::string> text = env.ReadFile(path);
  if (!text.ok()) return state;
  std::string_view rest = *text;
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos || rest.substr(0, nl) != kHeader) return state;
  rest.remove_prefix(nl + 1);
  while (!rest.empty()) {
    nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    // md5 size mtime inode hashed path
    std::string_view fields[5];
    bool ok = true;
    for (std::string_view& f : fields) {
      size_t sp = line.find(' ');
      if (sp == std::string_view::npos) {
        ok = false;
        break;
      }
      f = line.substr(0, sp);
      line.remove_prefix(sp + 1);
    }
    if (!ok || fields[0].size() != 32) continue;
    std::optional<int64_t> size = core::ParseInt64(fields[1]);
    std::optional<int64_t> mtime = core::ParseInt64(fields[2]);
    std::optional<int64_t> inode = core::ParseInt64(fields[3]);
    std::optional<int64_t> hashed = core::ParseInt64(fields[4]);
    std::optional<std::string> p = UnescapePath(line);
    if (!size || !mtime || !inode || !hashed || !p) continue;
    state.rows_[std::move(*p)] = Row{std::string(fields[0]), static_cast<uint64_t>(*size), *mtime,
                                     static_cast<uint64_t>(*inode), *hashed};
  }
  return state;
}

State::State(State&& other) noexcept
    : env_(other.env_),
      path_(std::move(other.path_)),
      rows_(std::move(other.rows_)),
      dirty_(other.dirty_) {}

std::optional<std::string> State::Lookup(std::string_view path, const sys::FileInfo& info) const {
  std::lock_guard lock(mu_);
  auto it = rows_.find(std::string(path));
  if (it == rows_.end()) return std::nullopt;
  const Row& row = it->second;
  if (row.size != info.size || row.mtime_ns != info.mtime_ns || row.inode != info.inode) {
    return std::nullopt;
  }
  if (row.mtime_ns + kRacyWindowNs >= row.hashed_ns) return std::nullopt;  // racily clean
  return row.md5;
}

void State::Record(std::string_view path, const sys::FileInfo& info, std::string_view md5,
                   int64_t hashed_ns) {
  std::lock_guard lock(mu_);
  Row& row = rows_[std::string(path)];
  if (row.md5 == md5 && row.size == info.size && row.mtime_ns == info.mtime_ns &&
      row.inode == info.inode && row.mtime_ns + kRacyWindowNs < row.hashed_ns) {
    return;
  }
  row = Row{std::string(md5), info.size, info.mtime_ns, info.inode, hashed_ns};
  dirty_ = true;
}

core::Status State::Save() {
  std::lock_guard lock(mu_);
  if (!dirty_) return core::Status::Ok();
  std::vector<const std::pair<const std::string, Row>*> sorted;
  sorted.reserve(rows_.size());
  for (const auto& kv : rows_) sorted.push_back(&kv);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  std::string out(kHeader);
  out += '\n';
  out.reserve(rows_.size() * 90);
  for (const auto* kv : sorted) {
    const Row& r = kv->second;
    fmt::format_to(std::back_inserter(out), "{} {} {} {} {} {}\n", r.md5, r.size, r.mtime_ns,
                   r.inode, r.hashed_ns, EscapePath(kv->first));
  }
  CAIRN_RETURN_IF_ERROR(env_->WriteFile(path_, out, {.durability = sys::Durability::kRelaxed}));
  dirty_ = false;
  return core::Status::Ok();
}

size_t State::size() const {
  std::lock_guard lock(mu_);
  return rows_.size();
}

}  // namespace cairn::data
