// One s3rver for the whole blob_test binary, started on first use (so tests that do not
// need it do not pay its start-up), with the bucket kTestBucket. Tests keep apart by using
// a prefix of their own (UniquePrefix). Header-only: tests/<m>/ only compiles *_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "blob/blob.h"
#include "testing/s3rver.h"

namespace cairn::blob::testing_s3 {

inline constexpr std::string_view kTestBucket = "cairn-test";

/// The shared server, or nullptr with `*error` set when it cannot start.
inline cairn::testing::S3rver* SharedS3rver(std::string* error) {
  static core::Result<std::unique_ptr<cairn::testing::S3rver>> server =
      cairn::testing::S3rver::Start({std::string(kTestBucket)});
  if (!server.ok()) {
    *error = server.status().ToString();
    return nullptr;
  }
  return server->get();
}

/// A prefix no other test of this run uses: "<test name>-<n>".
inline std::string UniquePrefix() {
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? info->name() : "test";
  for (char& c : name) {
    if (c == '/') c = '-';
  }
  return name + "-" + std::to_string(++counter);
}

/// Options for the shared server: its credentials, small multipart sizes and list pages,
/// quick retries.
inline BlobOptions S3rverOptions(const cairn::testing::S3rver& server) {
  BlobOptions options;
  options.endpoint_url = server.endpoint();
  options.credentials = {std::string(cairn::testing::S3rver::kAccessKeyId),
                         std::string(cairn::testing::S3rver::kSecretAccessKey), ""};
  options.multipart_threshold = 5 << 20;
  options.multipart_part_size = 5 << 20;
  options.list_page_size = 7;
  options.max_attempts = 2;
  options.retry_backoff = std::chrono::milliseconds(10);
  return options;
}

}  // namespace cairn::blob::testing_s3

/// Binds `var` (an S3rver*) to the shared server; fails the test when it cannot start.
#define CAIRN_SHARED_S3RVER_OR_FAIL(var)                                               \
  std::string var##_error;                                                             \
  cairn::testing::S3rver* var = ::cairn::blob::testing_s3::SharedS3rver(&var##_error); \
  ASSERT_NE(var, nullptr) << "cannot start s3rver: " << var##_error
