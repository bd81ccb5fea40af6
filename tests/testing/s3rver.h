// S3rver: an s3rver process (the S3-compatible test server pinned in tests/package.json) on a
// free port of 127.0.0.1, with its buckets created, for the tests of every module that talks
// to S3 (blob, data).
//
//   Result<std::unique_ptr<S3rver>> server = S3rver::Start({"bucket"});
//   ASSERT_TRUE(server.ok()) << server.status().ToString();
//   options.endpoint_url = (*server)->endpoint();  // "http://127.0.0.1:<port>"
//   options.credentials = {S3rver::kAccessKeyId, S3rver::kSecretAccessKey};
//
// s3rver 3.7.1 accepts only the key pair S3RVER/S3RVER (InvalidAccessKeyId for any other id),
// answers NoSuchBucket for a bucket it does not have, requires x-amz-content-sha256 on every
// request and does not check signatures (see tests/blob/sigv4*_test.cc for those).
//
// It runs as `<source>/.deps/bin/node --openssl-legacy-provider
// <source>/tests/node_modules/.bin/s3rver -d <tmp> -a 127.0.0.1 -p 0 --silent
// --configure-bucket <name>...`, installed by `scripts/deps.sh test`. The legacy provider is
// needed on Node >= 17: s3rver encrypts ListObjectsV2 continuation tokens with DES, and
// without it every truncated listing fails with InternalError.
//
// Ownership: an S3rver owns the node process (its whole process group, ended on destruction)
// and the data directory (removed on destruction). A shell in the same group ends the server
// within a second should the test process die without destroying it (a crash). Its
// accessors are thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "sys/subprocess.h"
#include "sys/temp_dir.h"

namespace cairn::testing {

class S3rver {
 public:
  static constexpr std::string_view kAccessKeyId = "S3RVER";
  static constexpr std::string_view kSecretAccessKey = "S3RVER";

  /// Starts s3rver with `buckets` created and returns once it accepts connections (or fails,
  /// with its output, after 60 s). NotFound when node or s3rver is not installed.
  static core::Result<std::unique_ptr<S3rver>> Start(const std::vector<std::string>& buckets);

  ~S3rver();
  S3rver(const S3rver&) = delete;
  S3rver& operator=(const S3rver&) = delete;

  /// "http://127.0.0.1:<port>".
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }
  /// Where s3rver keeps the buckets.
  const std::string& data_dir() const { return data_dir_.path(); }
  /// What the server printed so far (for failure messages).
  std::string Output() const;

 private:
  explicit S3rver(sys::TempDir data_dir) : data_dir_(std::move(data_dir)) {}

  sys::TempDir data_dir_;
  int port_ = 0;
  std::unique_ptr<sys::Subprocess> process_;
  std::thread waiter_;  // runs process_->Wait(), collecting the output

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> output_;    // guarded by mu_
  std::optional<int> listening_port_;  // guarded by mu_: from "S3rver listening on ..."
  bool exited_ = false;                // guarded by mu_
};

}  // namespace cairn::testing
