#include "core/utf8.h"

#include <gtest/gtest.h>

namespace cairn::core {
namespace {

TEST(Utf8Test, EncodeDecodeRoundTripAtEveryLengthBoundary) {
  for (char32_t cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFFu, 0x10000u,
                      0x1F600u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(cp, &s);
    char32_t back = 0;
    ASSERT_EQ(DecodeUtf8(s, 0, &back), s.size()) << std::hex << static_cast<uint32_t>(cp);
    EXPECT_EQ(static_cast<uint32_t>(back), static_cast<uint32_t>(cp));
  }
}

TEST(Utf8Test, FindsTheFirstBadByte) {
  EXPECT_EQ(FindInvalidUtf8("caf\xc3\xa9"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xe0\x80\x80"), 2u);  // overlong
  EXPECT_EQ(FindInvalidUtf8("a\xed\xb0\x80"), 1u);   // lone low surrogate
  EXPECT_EQ(FindInvalidUtf8("ok\xf0\x9f\x98"), 2u);  // truncated emoji
  EXPECT_EQ(FindInvalidUtf8("\x80"), 0u);            // continuation byte first
}

}  // namespace
}  // namespace cairn::core
