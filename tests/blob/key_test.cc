#include "blob/key.h"

#include <gtest/gtest.h>

namespace cairn::blob {
namespace {

TEST(KeyTest, ValidKeys) {
  for (std::string_view key :
       {"a", "files/md5/ab/cdef0123", "dir/with space/é.txt", ".dvc", "a.b/c..d/...x"}) {
    EXPECT_TRUE(ValidateKey(key).ok()) << key;
  }
}

TEST(KeyTest, InvalidKeysSayWhy) {
  struct Bad {
    std::string_view key;
    std::string_view why;
  };
  for (const Bad& bad : {Bad{"", "empty"}, Bad{"/abs", "relative"}, Bad{"dir/", "ends with"},
                         Bad{"a//b", "empty segment"}, Bad{"a/../b", "'..'"}, Bad{"./a", "'.'"},
                         Bad{"..", "'..'"}}) {
    core::Status status = ValidateKey(bad.key);
    EXPECT_TRUE(status.IsInvalidArgument()) << bad.key;
    EXPECT_NE(status.message().find(bad.why), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("'" + std::string(bad.key) + "'"), std::string::npos);
  }
  EXPECT_TRUE(ValidateKey(std::string_view("a\0b", 3)).IsInvalidArgument());
}

TEST(KeyTest, Prefixes) {
  for (std::string_view prefix : {"", "files/", "files/md5/ab", "a"}) {
    EXPECT_TRUE(ValidatePrefix(prefix).ok()) << prefix;
  }
  for (std::string_view prefix : {"/", "/files", "../x", "a//", "a/./"}) {
    EXPECT_TRUE(ValidatePrefix(prefix).IsInvalidArgument()) << prefix;
  }
}

}  // namespace
}  // namespace cairn::blob
