#include "data/state.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/strings.h"

namespace cairn::data {
namespace {

constexpr std::string_view kHeader = "cairn-state 2";

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

template <typename T>
bool ParseNumber(std::string_view s, T* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Takes the text before the next space off `line`.
bool NextField(std::string_view& line, std::string_view* field) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  *field = line.substr(0, sp);
  line.remove_prefix(sp + 1);
  return true;
}

// A row is trusted only when the file was hashed well after its last change.
bool Trusted(int64_t mtime_ns, int64_t hashed_ns) {
  return mtime_ns + State::kRacyWindowNs < hashed_ns;
}

}  // namespace

State State::Load(sys::Env& env, std::string path) {
  State state(env, path);
  core::Result<std::string> text = env.ReadFile(path);
  if (!text.ok()) return state;
  state.text_ = std::move(*text);
  std::string_view rest = state.text_;
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos || rest.substr(0, nl) != kHeader) return state;
  rest.remove_prefix(nl + 1);
  state.rows_.reserve(std::count(rest.begin(), rest.end(), '\n'));
  bool sorted = true;
  while (!rest.empty()) {
    nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    Row row;
    std::string_view size, mtime, inode, hashed;
    if (!NextField(line, &row.md5) || !NextField(line, &size) || !NextField(line, &mtime) ||
        !NextField(line, &inode) || !NextField(line, &hashed) || line.empty() ||
        (row.md5.size() != 32 && row.md5.size() != 36) || !ParseNumber(size, &row.size) ||
        !ParseNumber(mtime, &row.mtime_ns) || !ParseNumber(inode, &row.inode) ||
        !ParseNumber(hashed, &row.hashed_ns)) {
      continue;
    }
    row.path = line;
    if (line.find('\\') != std::string_view::npos) {
      std::optional<std::string> unescaped = UnescapePath(line);
      if (!unescaped) continue;
      state.escaped_.push_back(std::move(*unescaped));
    }
    if (!state.rows_.empty() && !(state.rows_.back().path < row.path)) sorted = false;
    state.rows_.push_back(row);
  }
  // Point escaped rows at their unescaped text (escaped_ no longer grows).
  size_t next_escaped = 0;
  for (Row& row : state.rows_) {
    if (row.path.find('\\') != std::string_view::npos) row.path = state.escaped_[next_escaped++];
  }
  if (!sorted || next_escaped > 0) {
    std::sort(state.rows_.begin(), state.rows_.end(),
              [](const Row& a, const Row& b) { return a.path < b.path; });
  }
  return state;
}

State::State(State&& other) noexcept
    : env_(other.env_),
      path_(std::move(other.path_)),
      text_(std::move(other.text_)),
      rows_(std::move(other.rows_)),
      escaped_(std::move(other.escaped_)),
      changed_(std::move(other.changed_)) {}

const State::Row* State::Find(std::string_view path) const {
  if (!changed_.empty()) {
    auto it = changed_.find(std::string(path));
    if (it != changed_.end()) return &it->second.second;
  }
  auto it = std::lower_bound(rows_.begin(), rows_.end(), path,
                             [](const Row& r, std::string_view p) { return r.path < p; });
  if (it == rows_.end() || it->path != path) return nullptr;
  return &*it;
}

void State::Put(Row row) {
  auto& slot = changed_[std::string(row.path)];
  slot.first = std::string(row.md5);
  row.md5 = slot.first;
  slot.second = row;
  // Point the row's path at the map's own key.
  slot.second.path = changed_.find(std::string(row.path))->first;
}

std::optional<std::string> State::Lookup(std::string_view path, const sys::FileInfo& info) const {
  std::shared_lock lock(mu_);
  const Row* row = Find(path);
  if (row == nullptr || row->md5.size() != 32) return std::nullopt;
  if (row->size != info.size || row->mtime_ns != info.mtime_ns || row->inode != info.inode) {
    return std::nullopt;
  }
  if (!Trusted(row->mtime_ns, row->hashed_ns)) return std::nullopt;  // racily clean
  return std::string(row->md5);
}

void State::Record(std::string_view path, const sys::FileInfo& info, std::string_view md5,
                   int64_t hashed_ns) {
  std::lock_guard lock(mu_);
  const Row* row = Find(path);
  if (row != nullptr && row->md5 == md5 && row->size == info.size &&
      row->mtime_ns == info.mtime_ns && row->inode == info.inode &&
      Trusted(row->mtime_ns, row->hashed_ns)) {
    return;
  }
  Put(Row{path, md5, info.size, info.mtime_ns, info.inode, hashed_ns});
}

std::optional<std::string> State::LookupDir(std::string_view path, uint64_t fingerprint) const {
  std::shared_lock lock(mu_);
  const Row* row = Find(path);
  if (row == nullptr || row->md5.size() != 36 || row->size != fingerprint) return std::nullopt;
  return std::string(row->md5);
}

void State::RecordDir(std::string_view path, uint64_t fingerprint, std::string_view tree_id) {
  std::lock_guard lock(mu_);
  const Row* row = Find(path);
  if (row != nullptr && row->md5 == tree_id && row->size == fingerprint) return;
  Put(Row{path, tree_id, fingerprint, 0, 0, 0});
}

core::Status State::Save() {
  std::lock_guard lock(mu_);
  if (changed_.empty()) return core::Status::Ok();
  std::vector<const Row*> all;
  all.reserve(rows_.size() + changed_.size());
  for (const Row& r : rows_) {
    if (!changed_.count(std::string(r.path))) all.push_back(&r);
  }
  for (const auto& kv : changed_) all.push_back(&kv.second.second);
  std::sort(all.begin(), all.end(), [](const Row* a, const Row* b) { return a->path < b->path; });
  std::string out(kHeader);
  out += '\n';
  out.reserve(all.size() * 96);
  for (const Row* r : all) {
    fmt::format_to(std::back_inserter(out), "{} {} {} {} {} {}\n", r->md5, r->size, r->mtime_ns,
                   r->inode, r->hashed_ns, EscapePath(r->path));
  }
  return env_->WriteFile(path_, out, {.durability = sys::Durability::kRelaxed});
}

size_t State::size() const {
  std::shared_lock lock(mu_);
  size_t n = changed_.size();
  for (const Row& r : rows_) n += changed_.count(std::string(r.path)) ? 0 : 1;
  return n;
}

}  // namespace cairn::data
