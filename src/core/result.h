// Result<T>: a T, or the Status saying why there is none (std::expected, before C++23).
//
//   Result<std::string> ReadFile(std::string_view path);
//   CAIRN_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//
// Accessing the value of a failed Result is a bug and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/status.h"

namespace cairn::core {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "use Status directly");

 public:
  /// A failure. `status` must not be OK.
  Result(Status status) : rep_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<0>(rep_).ok()) {
      rep_ = Status::Internal("Result constructed from an OK status without a value");
    }
  }
  Result(const T& value) : rep_(value) {}        // NOLINT(google-explicit-constructor)
  Result(T&& value) : rep_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status> && !std::is_same_v<std::decay_t<U>, Result<T>>)
      Result(U&& value)
      : rep_(std::in_place_index<1>, std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return rep_.index() == 1; }
  /// OK when there is a value.
  Status status() const { return ok() ? Status() : std::get<0>(rep_); }

  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<1>(rep_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T& Checked() {
    if (!ok()) {
      std::fprintf(stderr, "cairn: bug: value of a failed Result: %s\n",
                   std::get<0>(rep_).ToString().c_str());
      std::abort();
    }
    return std::get<1>(rep_);
  }

  std::variant<Status, T> rep_;
};

}  // namespace cairn::core

#define CAIRN_CONCAT_INNER_(a, b) a##b
#define CAIRN_CONCAT_(a, b) CAIRN_CONCAT_INNER_(a, b)

/// Evaluates `rexpr` (a Result); on failure returns its Status from the enclosing function,
/// otherwise moves the value into `lhs` (a declaration or an lvalue).
#define CAIRN_ASSIGN_OR_RETURN(lhs, rexpr) \
  CAIRN_ASSIGN_OR_RETURN_IMPL_(CAIRN_CONCAT_(cairn_result_, __LINE__), lhs, rexpr)
#define CAIRN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
