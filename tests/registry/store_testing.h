// Helpers for the registry tests: assertions on Status/Result and short ways to build models
// and versions.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "registry/registry.h"

namespace cairn::registry::testing {

inline core::Status StatusOf(const core::Status& status) { return status; }
template <class T>
core::Status StatusOf(const core::Result<T>& result) {
  return result.status();
}

/// Success, or a failure that shows the status.
inline ::testing::AssertionResult IsOk(const core::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status.ToString();
}

/// A failure with `code` whose message contains `part`.
inline ::testing::AssertionResult HasError(const core::Status& status, core::Code code,
                                           std::string_view part = "") {
  if (status.code() != code) {
    return ::testing::AssertionFailure()
           << "expected " << core::CodeName(code) << ", got " << status.ToString();
  }
  if (status.message().find(part) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message \"" << status.message() << "\" lacks \"" << part << "\"";
  }
  return ::testing::AssertionSuccess();
}

#define ASSERT_OK(expr) \
  ASSERT_TRUE(::cairn::registry::testing::IsOk(::cairn::registry::testing::StatusOf(expr)))
#define EXPECT_OK(expr) \
  EXPECT_TRUE(::cairn::registry::testing::IsOk(::cairn::registry::testing::StatusOf(expr)))
#define EXPECT_CODE(expr, code) \
  EXPECT_TRUE(                  \
      ::cairn::registry::testing::HasError(::cairn::registry::testing::StatusOf(expr), code))
#define EXPECT_ERROR(expr, code, part)                                                         \
  EXPECT_TRUE(::cairn::registry::testing::HasError(::cairn::registry::testing::StatusOf(expr), \
                                                   code, part))

#define REG_CONCAT_INNER_(a, b) a##b
#define REG_CONCAT_(a, b) REG_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(REG_CONCAT_(reg_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

inline constexpr core::Code kInvalid = core::Code::kInvalidParameterValue;
inline constexpr core::Code kNotFound = core::Code::kResourceDoesNotExist;
inline constexpr core::Code kExists = core::Code::kResourceAlreadyExists;

/// Lets the millisecond clock move on, so two writes get different timestamps.
inline void Tick() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }

inline CreateModelVersionRequest VersionOf(std::string name, std::string source = "s3://b/model",
                                           std::string run_id = "") {
  CreateModelVersionRequest request;
  request.name = std::move(name);
  request.source = std::move(source);
  request.run_id = std::move(run_id);
  return request;
}

}  // namespace cairn::registry::testing
