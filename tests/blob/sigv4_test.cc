// SigV4 against AWS's published examples: the "get-vanilla" family of AWS's SigV4 test suite
// (credentials AKIDEXAMPLE, 20150830T123600Z, us-east-1, service "service") and the S3 API
// reference's "Signature Calculations for the Authorization Header: Transferring Payload in a
// Single Chunk" (examplebucket, 20130524T000000Z).
#include "blob/sigv4.h"

#include <gtest/gtest.h>

#include "core/hash.h"
#include "core/strings.h"

namespace cairn::blob::sigv4 {
namespace {

const S3Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const S3Credentials kS3Example{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                               ""};
constexpr std::string_view kSuiteDate = "20150830T123600Z";
constexpr std::string_view kS3Date = "20130524T000000Z";

std::string SignatureOf(const std::string& authorization) {
  size_t at = authorization.find("Signature=");
  return at == std::string::npos ? "" : authorization.substr(at + 10);
}

Request SuiteRequest(std::string method, std::vector<std::pair<std::string, std::string>> query) {
  Request request;
  request.method = std::move(method);
  request.path = "/";
  request.query = std::move(query);
  request.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", std::string(kSuiteDate)}};
  request.payload_hash = std::string(kEmptySha256);
  return request;
}

TEST(SigV4SuiteTest, GetVanilla) {
  Request request = SuiteRequest("GET", {});
  EXPECT_EQ(CanonicalRequest(request, "service"),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StringToSign(kSuiteDate, CredentialScope(kSuiteDate, "us-east-1", "service"),
                         CanonicalRequest(request, "service")),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(Authorization(request, kSuite, "us-east-1", "service", kSuiteDate),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4SuiteTest, PostVanilla) {
  Request request = SuiteRequest("POST", {});
  EXPECT_EQ(SignatureOf(Authorization(request, kSuite, "us-east-1", "service", kSuiteDate)),
            "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4SuiteTest, GetVanillaQueryOrderKeyCase) {
  Request request = SuiteRequest("GET", {{"Param2", "value2"}, {"Param1", "value1"}});
  EXPECT_EQ(CanonicalQuery(request.query), "Param1=value1&Param2=value2");
  EXPECT_EQ(SignatureOf(Authorization(request, kSuite, "us-east-1", "service", kSuiteDate)),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4S3ExampleTest, GetObjectWithRange) {
  Request request;
  request.method = "GET";
  request.path = "/test.txt";
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                     {"Range", "bytes=0-9"},
                     {"x-amz-content-sha256", std::string(kEmptySha256)},
                     {"x-amz-date", std::string(kS3Date)}};
  request.payload_hash = std::string(kEmptySha256);
  std::string canonical = CanonicalRequest(request, "s3");
  EXPECT_EQ(
      canonical,
      "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StringToSign(kS3Date, CredentialScope(kS3Date, "us-east-1", "s3"), canonical),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(Authorization(request, kS3Example, "us-east-1", "s3", kS3Date),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3ExampleTest, PutObject) {
  std::string payload = "Welcome to Amazon S3.";
  ASSERT_EQ(core::Sha256Hex(payload),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  Request request;
  request.method = "PUT";
  request.path = "/test$file.text";
  request.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"Host", "examplebucket.s3.amazonaws.com"},
                     {"x-amz-date", std::string(kS3Date)},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                     {"x-amz-content-sha256", core::Sha256Hex(payload)}};
  request.payload_hash = core::Sha256Hex(payload);
  std::string canonical = CanonicalRequest(request, "s3");
  EXPECT_EQ(
      canonical,
      "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"
      "host:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
      "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
      "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
      "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(StringToSign(kS3Date, CredentialScope(kS3Date, "us-east-1", "s3"), canonical),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(SignatureOf(Authorization(request, kS3Example, "us-east-1", "s3", kS3Date)),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

Request S3BucketGet(std::vector<std::pair<std::string, std::string>> query) {
  Request request;
  request.method = "GET";
  request.path = "/";
  request.query = std::move(query);
  request.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                     {"x-amz-date", std::string(kS3Date)},
                     {"x-amz-content-sha256", std::string(kEmptySha256)}};
  request.payload_hash = std::string(kEmptySha256);
  return request;
}

TEST(SigV4S3ExampleTest, GetBucketLifecycle) {
  Request request = S3BucketGet({{"lifecycle", ""}});
  EXPECT_EQ(
      CanonicalRequest(request, "s3"),
      "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\n"
      "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
      "x-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n"
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(SignatureOf(Authorization(request, kS3Example, "us-east-1", "s3", kS3Date)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3ExampleTest, ListObjects) {
  Request request = S3BucketGet({{"prefix", "J"}, {"max-keys", "2"}});
  EXPECT_EQ(CanonicalQuery(request.query), "max-keys=2&prefix=J");
  EXPECT_EQ(SignatureOf(Authorization(request, kS3Example, "us-east-1", "s3", kS3Date)),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, SigningKeyIsTheHmacChain) {
  // From AWS's "Derive a signing key" example: the same secret, 20150830, us-east-1, iam.
  EXPECT_EQ(core::HexEncode(SigningKey(kSuite.secret_access_key, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4Test, SignAddsDateTokenAndAuthorization) {
  Request request;
  request.method = "GET";
  request.path = "/bucket/key";
  request.headers = {{"host", "h:1"}, {"X-Amz-Date", "stale"}, {"Authorization", "old"}};
  request.payload_hash = std::string(kEmptySha256);
  S3Credentials credentials{"AKID", "secret", "the-session-token"};
  Sign(request, credentials, "eu-west-1", "s3", "20240102T030405Z");
  auto value = [&](std::string_view name) {
    std::vector<std::string> values;
    for (const auto& [key, v] : request.headers) {
      if (key == name) values.push_back(v);
    }
    return values;
  };
  EXPECT_EQ(value("x-amz-date"), std::vector<std::string>{"20240102T030405Z"});
  EXPECT_TRUE(value("X-Amz-Date").empty()) << "the stale field was replaced";
  EXPECT_EQ(value("x-amz-security-token"), std::vector<std::string>{"the-session-token"});
  ASSERT_EQ(value("authorization").size(), 1u);
  const std::string authorization = value("authorization")[0];
  EXPECT_TRUE(authorization.starts_with(
      "AWS4-HMAC-SHA256 Credential=AKID/20240102/eu-west-1/s3/aws4_request, "
      "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature="))
      << authorization;
  EXPECT_EQ(authorization.find("secret"), std::string::npos);
}

TEST(SigV4Test, AmzDate) {
  EXPECT_EQ(AmzDate(0), "19700101T000000Z");
  EXPECT_EQ(AmzDate(1'369'353'600'000'000), "20130524T000000Z");
  EXPECT_EQ(AmzDate(1'440'938'160'999'999), "20150830T123600Z");
}

TEST(SigV4Test, EncodePathEncodesEachSegmentOnce) {
  EXPECT_EQ(EncodePath(""), "/");
  EXPECT_EQ(EncodePath("/"), "/");
  EXPECT_EQ(EncodePath("/bucket/files/md5/ab/cdef"), "/bucket/files/md5/ab/cdef");
  EXPECT_EQ(EncodePath("/b/a key+x=y&z"), "/b/a%20key%2Bx%3Dy%26z");
  EXPECT_EQ(EncodePath("/b/é/日本"), "/b/%C3%A9/%E6%97%A5%E6%9C%AC");
  EXPECT_EQ(EncodePath("/b/~-._!*'()"), "/b/~-._%21%2A%27%28%29");
  EXPECT_EQ(EncodePath("/b//c/./d/../"), "/b//c/./d/../") << "S3 keys are not normalized";
}

TEST(SigV4Test, CanonicalUriOfOtherServicesIsNormalizedAndEncodedTwice) {
  EXPECT_EQ(CanonicalUri("/", "service"), "/");
  EXPECT_EQ(CanonicalUri("//example//", "service"), "/example/");
  EXPECT_EQ(CanonicalUri("/example/..", "service"), "/");
  EXPECT_EQ(CanonicalUri("/./example", "service"), "/example");
  EXPECT_EQ(CanonicalUri("/a b", "service"), "/a%2520b");
  EXPECT_EQ(CanonicalUri("/a b", "s3"), "/a%20b");
}

TEST(SigV4Test, CanonicalQuerySortsByNameThenValue) {
  EXPECT_EQ(CanonicalQuery({}), "");
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"a", ""}}), "a=&a=y&a=z&b=2");
  EXPECT_EQ(CanonicalQuery({{"prefix", "files/md5/"}, {"continuation-token", "1/a+b="}}),
            "continuation-token=1%2Fa%2Bb%3D&prefix=files%2Fmd5%2F");
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQuery({{"k", "a b~é"}}), "k=a%20b~%C3%A9");
  // Sorted by the encoded name: "%" (0x25) sorts before letters.
  EXPECT_EQ(CanonicalQuery({{"a", "1"}, {" ", "2"}}), "%20=2&a=1");
}

TEST(SigV4Test, CanonicalHeadersTrimFoldAndMerge) {
  CanonicalHeaders headers = Canonicalize({{"X-Amz-Meta-B", "  two   words\there  "},
                                           {"Host", "h"},
                                           {"x-amz-meta-a", "1"},
                                           {"X-AMZ-META-A", "2"},
                                           {"x-empty", ""}});
  EXPECT_EQ(headers.text, "host:h\nx-amz-meta-a:1,2\nx-amz-meta-b:two words here\nx-empty:\n");
  EXPECT_EQ(headers.signed_headers, "host;x-amz-meta-a;x-amz-meta-b;x-empty");
}

}  // namespace
}  // namespace cairn::blob::sigv4
