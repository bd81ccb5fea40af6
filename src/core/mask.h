// SecretMasker: replaces every registered secret in a text with "***".
//
// A secret is masked in the forms it commonly leaks in, as GitHub's runner does: as given,
// each line of a multi-line secret on its own, percent-encoded (URLs), JSON-escaped, and
// base64-encoded (at each of the three alignments it can take inside a longer base64
// text). Overlapping matches are merged, so no part of a longer secret survives because a
// shorter one was replaced first. Empty and whitespace-only values are never registered.
//
// Thread-safe: Add and Mask may be called concurrently (Mask takes a shared lock).
#pragma once

#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::core {

class SecretMasker {
 public:
  static constexpr std::string_view kMask = "***";

  /// Registers `secret` and its derived forms.
  void Add(std::string_view secret);
  /// `text` with every occurrence of a registered form replaced by kMask.
  std::string Mask(std::string_view text) const;
  /// True when no secret has been registered.
  bool empty() const;

 private:
  void AddForm(std::string_view form);  // requires mu_ held exclusively

  mutable std::shared_mutex mu_;
  std::vector<std::string> forms_;  // sorted, unique
};

}  // namespace cairn::core
