// Htpasswd (server.h): bcrypt entries of an htpasswd file, checked with libxcrypt's crypt_rn,
// and basic authentication against them; BcryptHash and HtpasswdSetUser write such entries.
//
// A successful check is remembered as the SHA-256 of user + '\0' + password (never the
// password), in a set bounded at kMaxCached entries (emptied when full), so bcrypt's cost is
// paid once per user and password, not once per request. Failures are not remembered: a
// wrong password costs bcrypt every time, which is the point.
//
// Thread safety: an Htpasswd is immutable but for its cache, which a mutex guards; Verify and
// the Basic authenticator may run on many threads at once.
#include <crypt.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/hash.h"
#include "core/strings.h"
#include "net/server.h"
#include "sys/env.h"

namespace cairn::net {
namespace {

constexpr size_t kMaxCached = 10'000;

bool IsBcrypt(std::string_view hash) {
  return hash.starts_with("$2a$") || hash.starts_with("$2b$") || hash.starts_with("$2y$");
}

// Equal strings, in time that depends on the lengths only.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

// crypt_rn(password, setting): the hash, or nullopt when libxcrypt refuses (bad setting).
std::optional<std::string> Crypt(std::string_view password, const std::string& setting) {
  if (password.find('\0') != std::string_view::npos) return std::nullopt;
  auto data = std::make_unique<crypt_data>();  // zeroed, as crypt_rn wants the first time
  std::string phrase(password);
  const char* out =
      crypt_rn(phrase.c_str(), setting.c_str(), data.get(), static_cast<int>(sizeof(crypt_data)));
  if (out == nullptr || out[0] == '*') return std::nullopt;
  return std::string(out);
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class HtpasswdFile final : public Htpasswd {
 public:
  explicit HtpasswdFile(
      std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> entries)
      : entries_(std::move(entries)) {}

  bool Verify(std::string_view user, std::string_view password) const override {
    auto it = entries_.find(user);
    if (it == entries_.end()) return false;
    std::string key(user);
    key += '\0';
    key += password;
    key = core::Sha256(key);
    {
      std::lock_guard lock(mu_);
      if (verified_.contains(key)) return true;
    }
    std::optional<std::string> hash = Crypt(password, it->second);
    if (!hash || !ConstantTimeEquals(*hash, it->second)) return false;
    std::lock_guard lock(mu_);
    if (verified_.size() >= kMaxCached) verified_.clear();
    verified_.insert(std::move(key));
    return true;
  }

 private:
  const std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> entries_;
  mutable std::mutex mu_;
  mutable std::unordered_set<std::string> verified_;  // guarded by mu_: SHA-256 of user\0password
};

// `value` quoted for an HTTP quoted-string.
std::string Quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\r' || c == '\n') continue;
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

Result<std::unique_ptr<Htpasswd>> Htpasswd::Load(const std::string& path) {
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  CAIRN_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> entries;
  std::vector<std::string_view> lines = core::SplitLines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = core::Trim(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    std::string where = fmt::format("{}:{}", path, i + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Status::InvalidArgument(
          fmt::format("{}: expected 'user:bcrypt-hash', got a line without a user name", where));
    }
    std::string_view user = line.substr(0, colon);
    std::string_view hash = line.substr(colon + 1);
    if (!IsBcrypt(hash)) {
      return Status::InvalidArgument(fmt::format(
          "{}: the entry of user '{}' is not a bcrypt hash (expected $2y$, $2b$ or $2a$; "
          "write entries with `htpasswd -B` or `cairn server add-user`)",
          where, user));
    }
    entries.emplace(std::string(user), std::string(hash));  // the first entry wins, as in Apache
  }
  return std::unique_ptr<Htpasswd>(std::make_unique<HtpasswdFile>(std::move(entries)));
}

Authenticator Htpasswd::Basic(std::shared_ptr<const Htpasswd> users, std::string realm,
                              std::vector<std::string> open_paths) {
  std::string challenge = "Basic realm=" + Quoted(realm);
  return [users = std::move(users), challenge = std::move(challenge),
          open_paths = std::move(open_paths)](ServerRequest& request,
                                              ServerResponse& response) -> bool {
    for (const std::string& open : open_paths) {
      if (request.path == open) return true;
    }
    std::optional<std::string_view> header = request.Header("authorization");
    bool offered = false;
    if (header && core::StartsWithIgnoreCase(core::Trim(*header), "basic ")) {
      offered = true;
      std::optional<std::string> credentials =
          core::Base64Decode(core::Trim(core::Trim(*header).substr(6)));
      if (credentials) {
        size_t colon = credentials->find(':');
        if (colon != std::string::npos) {
          std::string_view user = std::string_view(*credentials).substr(0, colon);
          std::string_view password = std::string_view(*credentials).substr(colon + 1);
          if (users->Verify(user, password)) {
            request.user = std::string(user);
            return true;
          }
        }
      }
    }
    response.SetError(Status::Unauthenticated(
        offered ? "Invalid username or password"
                : "Authentication required: send HTTP basic credentials (Authorization: Basic)"));
    response.headers.emplace_back("WWW-Authenticate", challenge);
    return false;
  };
}

Result<std::string> BcryptHash(std::string_view password, int cost) {
  if (cost < 4 || cost > 31) {
    return Status::InvalidArgument(fmt::format("bcrypt cost {} is out of range (4 to 31)", cost));
  }
  if (password.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("a password must not contain a NUL character");
  }
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2y$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof salt) ==
      nullptr) {
    return Status::Internal(fmt::format("cannot make a bcrypt salt: {}", std::strerror(errno)));
  }
  std::optional<std::string> hash = Crypt(password, salt);
  if (!hash) return Status::Internal("bcrypt (libxcrypt's crypt_rn) failed");
  return std::move(*hash);
}

core::Status HtpasswdSetUser(const std::string& path, std::string_view user,
                             std::string_view password, int cost) {
  if (user.empty() || user.find_first_of(":\r\n") != std::string_view::npos) {
    return Status::InvalidArgument(
        fmt::format("user name '{}' must be non-empty and hold no ':' or line break", user));
  }
  CAIRN_ASSIGN_OR_RETURN(std::string hash, BcryptHash(password, cost));
  std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
  std::string text;
  sys::WriteOptions options;
  options.mode = 0600;  // a new file; an existing one keeps its mode
  if (Result<std::string> existing = env->ReadFile(path); existing.ok()) {
    text = std::move(*existing);
    if (Result<sys::FileInfo> info = env->Stat(path); info.ok()) options.mode = info->mode;
  } else if (!existing.status().IsNotFound()) {
    return existing.status();
  }

  std::string entry = fmt::format("{}:{}", user, hash);
  std::string out;
  bool replaced = false;
  for (std::string_view line : core::SplitLines(text)) {
    std::string_view trimmed = core::Trim(line);
    if (trimmed.starts_with(user) && trimmed.size() > user.size() && trimmed[user.size()] == ':') {
      if (replaced) continue;  // a later duplicate of the user's entry goes
      out += entry;
      replaced = true;
    } else {
      out += line;
    }
    out += '\n';
  }
  if (!replaced) out += entry + '\n';
  return env->WriteFile(path, out, options);
}

}  // namespace cairn::net
