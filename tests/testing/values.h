// Reading core::Value trees in tests.
#pragma once

#include <initializer_list>
#include <string_view>

#include "core/value.h"

namespace cairn::testing {

/// The member at `path` (keys from the root), or a null value when one is missing.
inline const core::Value& At(const core::Value& v, std::initializer_list<std::string_view> path) {
  static const core::Value kNull;
  const core::Value* at = &v;
  for (std::string_view key : path) {
    at = at->Find(key);
    if (at == nullptr) return kNull;
  }
  return *at;
}

}  // namespace cairn::testing
