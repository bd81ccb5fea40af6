#include "core/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <cstdlib>

#include "core/strings.h"

namespace cairn::core {
namespace {

// OpenSSL 3 looks an algorithm up on every EVP_DigestInit_ex(EVP_md5()); fetching it once
// keeps hashing many small files cheap. The fetched objects are immutable and shared.
const EVP_MD* FetchedMd(Digest::Algorithm algorithm) {
  static const EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  static const EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  const EVP_MD* md = algorithm == Digest::Algorithm::kMd5 ? md5 : sha256;
  if (md == nullptr) {
    std::fprintf(stderr, "cairn: bug: OpenSSL has no %s digest\n",
                 algorithm == Digest::Algorithm::kMd5 ? "MD5" : "SHA-256");
    std::abort();
  }
  return md;
}

}  // namespace

struct Digest::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const EVP_MD* md;
  explicit Impl(const EVP_MD* m) : md(m) { EVP_DigestInit_ex(ctx, md, nullptr); }
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Digest::Digest(Algorithm algorithm) : impl_(std::make_unique<Impl>(FetchedMd(algorithm))) {}
Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::Update(std::string_view data) { Update(data.data(), data.size()); }

void Digest::Update(const void* data, size_t size) { EVP_DigestUpdate(impl_->ctx, data, size); }

std::string Digest::Finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, out, &len);
  EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Digest::FinishHex() { return HexEncode(Finish()); }

std::string Md5Hex(std::string_view data) {
  Digest d(Digest::Algorithm::kMd5);
  d.Update(data);
  return d.FinishHex();
}

std::string Sha256Hex(std::string_view data) { return HexEncode(Sha256(data)); }

std::string Sha256(std::string_view data) {
  Digest d(Digest::Algorithm::kSha256);
  d.Update(data);
  return d.Finish();
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(FetchedMd(Digest::Algorithm::kSha256), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace cairn::core
