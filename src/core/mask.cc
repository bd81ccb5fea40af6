#include "core/mask.h"

#include <algorithm>
#include <mutex>

#include "core/strings.h"

namespace cairn::core {
namespace {

// Shortest base64 piece worth masking: shorter ones would match ordinary text.
constexpr size_t kMinBase64Form = 4;

std::string JsonEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The base64 characters that encode only bytes of `secret` when it starts at byte offset
// `shift` (0, 1 or 2) of a longer text: what a grep of a base64 blob would find.
std::string Base64Core(std::string_view secret, size_t shift) {
  std::string padded(shift, '\0');
  padded += secret;
  std::string enc = Base64Encode(padded);
  // Characters fully determined by the secret's bytes: skip those touched by the prefix,
  // drop those touched by whatever follows the secret.
  size_t start = shift == 0 ? 0 : (shift == 1 ? 2 : 3);
  size_t total_bits = padded.size() * 8;
  size_t end = total_bits / 6;  // characters made only of real bits
  if (end <= start) return {};
  return enc.substr(start, end - start);
}

}  // namespace

void SecretMasker::AddForm(std::string_view form) {
  if (Trim(form).empty()) return;
  auto it = std::lower_bound(forms_.begin(), forms_.end(), form);
  if (it != forms_.end() && *it == form) return;
  forms_.insert(it, std::string(form));
}

void SecretMasker::Add(std::string_view secret) {
  if (Trim(secret).empty()) return;
  std::unique_lock lock(mu_);
  std::vector<std::string_view> values = {secret};
  for (std::string_view line : SplitLines(secret)) values.push_back(line);
  for (std::string_view v : values) {
    if (Trim(v).empty()) continue;
    AddForm(v);
    AddForm(PercentEncode(v));
    AddForm(JsonEscape(v));
    for (size_t shift = 0; shift < 3; ++shift) {
      std::string b64 = Base64Core(v, shift);
      if (b64.size() >= kMinBase64Form) AddForm(b64);
    }
  }
}

bool SecretMasker::empty() const {
  std::shared_lock lock(mu_);
  return forms_.empty();
}

std::string SecretMasker::Mask(std::string_view text) const {
  std::shared_lock lock(mu_);
  if (forms_.empty() || text.empty()) return std::string(text);
  // Mark every byte covered by some occurrence, then replace each covered run once.
  std::vector<std::pair<size_t, size_t>> spans;
  for (const std::string& form : forms_) {
    for (size_t pos = text.find(form); pos != std::string_view::npos;
         pos = text.find(form, pos + 1)) {
      spans.emplace_back(pos, pos + form.size());
    }
  }
  if (spans.empty()) return std::string(text);
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(text.size());
  size_t cursor = 0;
  size_t i = 0;
  while (i < spans.size()) {
    size_t begin = spans[i].first;
    size_t end = spans[i].second;
    for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
    out.append(text.substr(cursor, begin - cursor));
    out.append(kMask);
    cursor = end;
  }
  out.append(text.substr(cursor));
  return out;
}

}  // namespace cairn::core
