// dotenv: the parser of .cairn/secrets.env, vars.env, secrets.<env>.env and --secret-file, and
// the merging of a run's secrets and variables (settings.h).
#include <fmt/format.h>

#include <memory>

#include "core/strings.h"
#include "workflow/settings.h"

namespace cairn::workflow {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

bool IsValidName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// Walks a text keeping line and column (columns count code points).
class Cursor {
 public:
  Cursor(std::string_view text, std::shared_ptr<const std::string> file)
      : text_(text), file_(std::move(file)) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  char peek(size_t ahead) const { return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0'; }
  std::string_view rest() const { return text_.substr(pos_); }

  void Advance() {
    if (done()) return;
    char c = text_[pos_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if (pos_ >= text_.size() || (static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) {
      ++column_;  // the end of a code point (the next byte is not a continuation byte)
    }
  }
  void SkipBlanks() {
    while (IsBlank(peek())) Advance();
  }
  // Skips to just after the end of the line (or to the end).
  void SkipLine() {
    while (!done() && peek() != '\n') Advance();
    Advance();
  }

  core::Location Here() const { return core::Location{file_, line_, column_}; }
  core::Status Error(std::string_view message) const { return Here().Error(message); }

 private:
  std::string_view text_;
  std::shared_ptr<const std::string> file_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
};

// After a value: only blanks, then a comment or the end of the line.
core::Status EndOfValue(Cursor& c) {
  c.SkipBlanks();
  if (c.peek() == '#' || c.peek() == '\n' || c.done()) {
    c.SkipLine();
    return core::Status::Ok();
  }
  if (c.peek() == '\r' && (c.peek(1) == '\n' || c.peek(1) == '\0')) {
    c.SkipLine();
    return core::Status::Ok();
  }
  return c.Error(
      fmt::format("expected the end of the line or a # comment after the closing "
                  "quote, got '{}'",
                  c.peek()));
}

core::Result<std::string> SingleQuoted(Cursor& c) {
  core::Location open = c.Here();
  c.Advance();
  std::string value;
  while (!c.done() && c.peek() != '\'') {
    value += c.peek();
    c.Advance();
  }
  if (c.done()) return open.Error("unterminated single-quoted value: expected a closing '");
  c.Advance();
  CAIRN_RETURN_IF_ERROR(EndOfValue(c));
  return value;
}

core::Result<std::string> DoubleQuoted(Cursor& c) {
  core::Location open = c.Here();
  c.Advance();
  std::string value;
  while (!c.done() && c.peek() != '"') {
    char ch = c.peek();
    if (ch == '\\') {
      char next = c.peek(1);
      switch (next) {
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case '"':
          value += '"';
          break;
        case '\\':
          value += '\\';
          break;
        case '$':
          value += '$';
          break;
        default:
          value += '\\';
          c.Advance();
          continue;
      }
      c.Advance();
      c.Advance();
      continue;
    }
    value += ch;
    c.Advance();
  }
  if (c.done()) return open.Error("unterminated double-quoted value: expected a closing \"");
  c.Advance();
  CAIRN_RETURN_IF_ERROR(EndOfValue(c));
  return value;
}

std::string Unquoted(Cursor& c) {
  std::string value;
  while (!c.done() && c.peek() != '\n') {
    // A '#' after a blank (or first) starts a comment.
    if (c.peek() == '#' && (value.empty() || IsBlank(value.back()))) break;
    value += c.peek();
    c.Advance();
  }
  c.SkipLine();
  return std::string(core::Trim(value));
}

}  // namespace

core::Result<std::vector<DotenvEntry>> ParseDotenv(std::string_view text,
                                                   std::string_view filename) {
  auto file = std::make_shared<const std::string>(filename);
  Cursor c(text, file);
  std::vector<DotenvEntry> entries;
  while (!c.done()) {
    c.SkipBlanks();
    if (c.peek() == '#' || c.peek() == '\n' || c.done() ||
        (c.peek() == '\r' && c.peek(1) == '\n')) {
      c.SkipLine();
      continue;
    }
    if (c.rest().starts_with("export") && IsBlank(c.peek(6))) {
      for (int i = 0; i < 6; ++i) c.Advance();
      c.SkipBlanks();
    }
    DotenvEntry entry;
    entry.location = c.Here();
    while (IsNameChar(c.peek())) {
      entry.key += c.peek();
      c.Advance();
    }
    if (entry.key.empty() || !IsNameStart(entry.key[0])) {
      return entry.location.Error(
          "expected a variable name ([A-Za-z_][A-Za-z0-9_]*) at the start of the line");
    }
    c.SkipBlanks();
    if (c.peek() != '=') {
      return c.Error(fmt::format("expected '=' after the name {}", entry.key));
    }
    c.Advance();
    c.SkipBlanks();
    if (c.peek() == '\'') {
      CAIRN_ASSIGN_OR_RETURN(entry.value, SingleQuoted(c));
    } else if (c.peek() == '"') {
      CAIRN_ASSIGN_OR_RETURN(entry.value, DoubleQuoted(c));
    } else {
      entry.value = Unquoted(c);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::map<std::string, std::string> ToMap(const std::vector<DotenvEntry>& entries) {
  std::map<std::string, std::string> out;
  for (const DotenvEntry& e : entries) out[e.key] = e.value;
  return out;
}

core::Result<std::map<std::string, std::string>> LoadDotenvFile(sys::Env& env,
                                                                std::string_view path,
                                                                bool missing_ok) {
  if (!env.Exists(path)) {
    if (missing_ok) return std::map<std::string, std::string>{};
    return core::Status::NotFound(fmt::format("{}: no such file", path));
  }
  CAIRN_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  CAIRN_ASSIGN_OR_RETURN(std::vector<DotenvEntry> entries, ParseDotenv(text, path));
  return ToMap(entries);
}

namespace {

// Applies `NAME=value` (or, when `from_env`, a bare `NAME` read from the environment).
core::Status Assign(sys::Env& env, std::string_view option, std::string_view arg, bool from_env,
                    std::map<std::string, std::string>& out) {
  size_t eq = arg.find('=');
  std::string_view name = arg.substr(0, eq);
  if (!IsValidName(name)) {
    return core::Status::InvalidArgument(
        fmt::format("{} '{}': expected NAME=value with NAME of [A-Za-z_][A-Za-z0-9_]*", option,
                    eq == std::string_view::npos ? arg : name));
  }
  if (eq != std::string_view::npos) {
    out[std::string(name)] = std::string(arg.substr(eq + 1));
    return core::Status::Ok();
  }
  if (!from_env) {
    return core::Status::InvalidArgument(fmt::format("{} {}: expected NAME=value", option, name));
  }
  std::optional<std::string> value = env.GetVar(name);
  if (!value.has_value()) {
    return core::Status::InvalidArgument(
        fmt::format("{} {}: the environment variable {} is not set (give {}=value, or export it)",
                    option, name, name, name));
  }
  out[std::string(name)] = *value;
  return core::Status::Ok();
}

}  // namespace

core::Result<std::map<std::string, std::string>> LoadSecrets(
    sys::Env& env, const CairnLayout* layout, const std::vector<std::string>& secret_files,
    const std::vector<std::string>& secret_args) {
  std::map<std::string, std::string> out;
  if (layout != nullptr) {
    CAIRN_ASSIGN_OR_RETURN(out, LoadDotenvFile(env, layout->Secrets(), /*missing_ok=*/true));
  }
  for (const std::string& file : secret_files) {
    auto loaded = LoadDotenvFile(env, file, /*missing_ok=*/false);
    if (!loaded.ok()) {
      return core::Status(loaded.status().code(),
                          fmt::format("--secret-file: {}", loaded.status().message()));
    }
    for (auto& [k, v] : *loaded) out[k] = std::move(v);
  }
  for (const std::string& arg : secret_args) {
    CAIRN_RETURN_IF_ERROR(Assign(env, "--secret", arg, /*from_env=*/true, out));
  }
  return out;
}

core::Result<std::map<std::string, std::string>> LoadVars(
    sys::Env& env, const CairnLayout* layout, const std::vector<std::string>& var_args) {
  std::map<std::string, std::string> out;
  if (layout != nullptr) {
    CAIRN_ASSIGN_OR_RETURN(out, LoadDotenvFile(env, layout->Vars(), /*missing_ok=*/true));
  }
  for (const std::string& arg : var_args) {
    CAIRN_RETURN_IF_ERROR(Assign(env, "--var", arg, /*from_env=*/false, out));
  }
  return out;
}

}  // namespace cairn::workflow
