// Message digests over OpenSSL's EVP interface: MD5 (DVC's content hash), SHA-256 (S3
// request signing, hashFiles()), and HMAC-SHA256 (S3 SigV4). Hex output is lowercase.
//
// A Digest object hashes one stream; it is not thread-safe, but separate objects may be
// used from separate threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace cairn::core {

class Digest {
 public:
  enum class Algorithm { kMd5, kSha256 };

  explicit Digest(Algorithm algorithm);
  ~Digest();
  Digest(Digest&&) noexcept;
  Digest& operator=(Digest&&) noexcept;
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void Update(std::string_view data);
  void Update(const void* data, size_t size);
  /// The raw digest of everything given so far; the object starts over afterwards.
  std::string Finish();
  /// Finish(), as lowercase hex.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Lowercase hex MD5 of `data`.
std::string Md5Hex(std::string_view data);
/// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
/// Raw SHA-256 of `data`.
std::string Sha256(std::string_view data);
/// Raw HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

}  // namespace cairn::core
