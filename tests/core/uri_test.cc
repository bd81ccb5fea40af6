#include "core/uri.h"

#include <gtest/gtest.h>

namespace cairn::core {
namespace {

Uri MustParse(std::string_view text) {
  Result<Uri> uri = Uri::Parse(text);
  EXPECT_TRUE(uri.ok()) << uri.status().ToString();
  return uri.ok() ? *uri : Uri{};
}

TEST(UriTest, SqliteAbsolutePath) {
  Uri u = MustParse("sqlite:///abs/dir/mlflow.db");
  EXPECT_EQ(u.scheme, "sqlite");
  EXPECT_TRUE(u.has_authority);
  EXPECT_EQ(u.host, "");
  EXPECT_EQ(u.path, "/abs/dir/mlflow.db");
  EXPECT_EQ(u.ToString(), "sqlite:///abs/dir/mlflow.db");
}

TEST(UriTest, S3BucketAndKey) {
  Uri u = MustParse("s3://my-bucket/dvc-storage/files/md5");
  EXPECT_EQ(u.scheme, "s3");
  EXPECT_EQ(u.host, "my-bucket");
  EXPECT_EQ(u.path, "/dvc-storage/files/md5");
}

TEST(UriTest, HttpWithEverything) {
  Uri u = MustParse("HTTP://alice:p%40ss@Example.COM:5000/api/2.0?max_results=10&filter=a+b#top");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.host, "example.com");
  EXPECT_EQ(u.port, 5000);
  EXPECT_EQ(u.path, "/api/2.0");
  EXPECT_EQ(u.User(), "alice");
  EXPECT_EQ(u.Password(), "p@ss");
  EXPECT_EQ(u.QueryParam("filter"), "a b");
  EXPECT_EQ(u.QueryParam("max_results"), "10");
  EXPECT_EQ(u.QueryParam("nope"), std::nullopt);
  EXPECT_EQ(u.fragment, "top");
  EXPECT_EQ(*Uri::Parse(u.ToString()), u);
}

TEST(UriTest, Ipv6Host) {
  Uri u = MustParse("http://[::1]:8080/x");
  EXPECT_EQ(u.host, "[::1]");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.path, "/x");
}

TEST(UriTest, MlflowSchemes) {
  Uri runs = MustParse("runs:/0123abcd/model");
  EXPECT_EQ(runs.scheme, "runs");
  EXPECT_FALSE(runs.has_authority);
  EXPECT_EQ(runs.path, "/0123abcd/model");
  EXPECT_EQ(runs.ToString(), "runs:/0123abcd/model");

  Uri version = MustParse("models:/iris/3");
  EXPECT_EQ(version.scheme, "models");
  EXPECT_EQ(version.path, "/iris/3");

  Uri alias = MustParse("models:/iris@champion");
  EXPECT_EQ(alias.path, "/iris@champion");
  EXPECT_EQ(alias.userinfo, "");
}

TEST(UriTest, PlainPathHasNoScheme) {
  Uri u = MustParse("data/train.csv");
  EXPECT_EQ(u.scheme, "");
  EXPECT_EQ(u.path, "data/train.csv");
  Uri abs = MustParse("/tmp/a:b");
  EXPECT_EQ(abs.scheme, "");
  EXPECT_EQ(abs.path, "/tmp/a:b");
}

TEST(UriTest, EncodedPathDecodes) {
  Uri u = MustParse("file:///tmp/a%20b");
  EXPECT_EQ(u.path, "/tmp/a%20b");
  EXPECT_EQ(u.DecodedPath(), "/tmp/a b");
}

TEST(UriTest, BadPortsAreErrors) {
  for (const char* bad : {"http://h:99999/", "http://h:x/", "http://h:/", "http://[::1/"}) {
    Result<Uri> u = Uri::Parse(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_TRUE(u.status().IsInvalidArgument());
    EXPECT_NE(u.status().message().find(bad), std::string::npos) << u.status().message();
  }
}

}  // namespace
}  // namespace cairn::core
