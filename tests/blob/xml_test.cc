#include "blob/xml.h"

#include <gtest/gtest.h>

namespace cairn::blob::xml {
namespace {

TEST(XmlTest, ListBucketResultWithDefaultNamespace) {
  std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>files/</Prefix><KeyCount>2</KeyCount>
  <IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>files/a &amp; b</Key><Size>12</Size><ETag>&quot;abc&quot;</ETag></Contents>
  <Contents>
    <Key>files/&#x65E5;&#26412;</Key>
    <Size>0</Size>
    <Owner><ID>x</ID></Owner>
  </Contents>
</ListBucketResult>)";
  std::vector<std::string_view> contents = Elements(body, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(Text(contents[0], "Key"), "files/a & b");
  EXPECT_EQ(Text(contents[0], "Size"), "12");
  EXPECT_EQ(Text(contents[0], "ETag"), "\"abc\"");
  EXPECT_EQ(Text(contents[1], "Key"), "files/日本");
  EXPECT_EQ(Text(body, "IsTruncated"), "true");
  EXPECT_EQ(Text(body, "NextContinuationToken"), "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  EXPECT_EQ(Text(body, "Missing"), std::nullopt);
}

TEST(XmlTest, PrefixedNamesAttributesCommentsAndCdata) {
  std::string body =
      "<s3:Error xmlns:s3='urn:x' a=\"1 > 0\"><!-- <Code>no</Code> -->"
      "<s3:Code>NoSuchBucket</s3:Code><Message><![CDATA[The <bucket> & co]]> gone</Message>"
      "<Empty/><Other /></s3:Error>";
  EXPECT_EQ(Elements(body, "Error").size(), 1u);
  EXPECT_EQ(Text(body, "Code"), "NoSuchBucket");
  EXPECT_EQ(Text(body, "Message"), "The <bucket> & co gone");
  EXPECT_EQ(Text(body, "Empty"), "");
  EXPECT_EQ(Text(body, "Other"), "");
}

TEST(XmlTest, NestedSameNameElementsMatchTheirOwnEndTag) {
  std::string body = "<a><b><a>inner</a>tail</b></a><a>second</a>";
  std::vector<std::string_view> found = Elements(body, "a");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0], "<b><a>inner</a>tail</b>");
  EXPECT_EQ(found[1], "second");
}

TEST(XmlTest, TruncatedOrOddInputDoesNotCrash) {
  EXPECT_TRUE(Elements("<a><b>unterminated", "b").empty());
  EXPECT_TRUE(Elements("<a", "a").empty());
  EXPECT_TRUE(Elements("", "a").empty());
  EXPECT_EQ(DecodeText("a &bogus; &#xZZ; &#1114112; &#55296; & b"),
            "a &bogus; &#xZZ; &#1114112; &#55296; & b");
  EXPECT_EQ(DecodeText("&lt;&gt;&amp;&quot;&apos;&#65;&#x42;"), "<>&\"'AB");
}

TEST(XmlTest, EscapeRoundTrips) {
  std::string text = "a<b>&\"c'";
  EXPECT_EQ(Escape(text), "a&lt;b&gt;&amp;\"c'");
  EXPECT_EQ(DecodeText(Escape(text)), text);
}

}  // namespace
}  // namespace cairn::blob::xml
