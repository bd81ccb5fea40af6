#include "core/hash.h"

#include <gtest/gtest.h>

#include "core/strings.h"

namespace cairn::core {
namespace {

TEST(HashTest, Md5KnownAnswers) {
  // RFC 1321 appendix A.5.
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  // DVC's id of an empty directory is the MD5 of "[]".
  EXPECT_EQ(Md5Hex("[]"), "d751713988987e9331980363e24189ce");
}

TEST(HashTest, Sha256KnownAnswers) {
  // FIPS 180-2 examples.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HashTest, StreamingEqualsOneShotAndRestarts) {
  std::string data(100000, 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  Digest d(Digest::Algorithm::kMd5);
  for (size_t i = 0; i < data.size(); i += 333) d.Update(std::string_view(data).substr(i, 333));
  EXPECT_EQ(d.FinishHex(), Md5Hex(data));
  d.Update("abc");
  EXPECT_EQ(d.FinishHex(), "900150983cd24fb0d6963f7d28e17f72");
}

}  // namespace
}  // namespace cairn::core
