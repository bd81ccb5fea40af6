#include "core/mask.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/strings.h"

namespace cairn::core {
namespace {

TEST(SecretMaskerTest, MasksEveryOccurrence) {
  SecretMasker m;
  EXPECT_TRUE(m.empty());
  m.Add("hunter2");
  EXPECT_EQ(m.Mask("pw=hunter2, again hunter2."), "pw=***, again ***.");
  EXPECT_EQ(m.Mask("nothing here"), "nothing here");
}

TEST(SecretMaskerTest, OverlappingSecretsLeaveNothing) {
  SecretMasker m;
  m.Add("abc");
  m.Add("abcdef");
  m.Add("defgh");
  EXPECT_EQ(m.Mask("xxabcdefghyy"), "xx***yy");
}

TEST(SecretMaskerTest, EachLineOfAMultiLineSecret) {
  SecretMasker m;
  m.Add("-----BEGIN KEY-----\nMIIEvQIBADANBgkq\n-----END KEY-----\n");
  EXPECT_EQ(m.Mask("MIIEvQIBADANBgkq"), "***");
  EXPECT_EQ(m.Mask("line: -----END KEY-----"), "line: ***");
}

TEST(SecretMaskerTest, EncodedForms) {
  SecretMasker m;
  std::string secret = "p@ss w/rd\"";
  m.Add(secret);
  EXPECT_EQ(m.Mask("url=https://u:" + PercentEncode(secret) + "@host"), "url=https://u:***@host");
  EXPECT_EQ(m.Mask("{\"pw\": \"p@ss w/rd\\\"\"}"), "{\"pw\": \"***\"}");
  for (const std::string& prefix : {std::string(), std::string("u:"), std::string("us:")}) {
    std::string b64 = Base64Encode(prefix + secret + "!tail");
    std::string masked = m.Mask("Authorization: Basic " + b64);
    EXPECT_NE(masked.find("***"), std::string::npos) << b64;
    // No run of the secret's own base64 characters survives.
    std::string core_b64 = Base64Encode(secret).substr(0, 8);
    EXPECT_EQ(masked.find(core_b64), std::string::npos) << masked;
  }
}

TEST(SecretMaskerTest, IgnoresBlankValues) {
  SecretMasker m;
  m.Add("");
  m.Add("  \n ");
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.Mask("a b"), "a b");
}

TEST(SecretMaskerTest, ConcurrentAddAndMask) {
  SecretMasker m;
  std::thread writer([&] {
    for (int i = 0; i < 200; ++i) m.Add("secret-" + std::to_string(i));
  });
  for (int i = 0; i < 200; ++i) (void)m.Mask("log line secret-1 secret-199");
  writer.join();
  EXPECT_EQ(m.Mask("secret-1 secret-199"), "*** ***");
}

}  // namespace
}  // namespace cairn::core
