// The credentials chain and OpenBlobStore, on the in-memory Env: no disk, no network.
#include "blob/credentials.h"

#include <gtest/gtest.h>

#include "testing/mem_env.h"

namespace cairn::blob {
namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.SetVar("HOME", "/home/u");
    ASSERT_TRUE(env_.CreateDirs("/home/u/.aws").ok());
  }
  void WriteCredentials(std::string_view text, std::string_view path = "/home/u/.aws/credentials") {
    ASSERT_TRUE(env_.WriteFile(path, text).ok());
  }
  Result<ResolvedCredentials> Resolve(const BlobOptions& options = {}) {
    return ResolveCredentials(options, env_);
  }

  testing::MemEnv env_;
};

TEST_F(CredentialsTest, OptionsComeFirst) {
  env_.SetVar("AWS_ACCESS_KEY_ID", "ENVKEY");
  env_.SetVar("AWS_SECRET_ACCESS_KEY", "envsecret");
  WriteCredentials("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
  BlobOptions options;
  options.credentials = {"OPTKEY", std::string(kSecret), "opt-token"};
  Result<ResolvedCredentials> found = Resolve(options);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "OPTKEY");
  EXPECT_EQ(found->credentials.secret_access_key, kSecret);
  EXPECT_EQ(found->credentials.session_token, "opt-token");
  EXPECT_EQ(found->source, "the remote's access_key_id/secret_access_key");
}

TEST_F(CredentialsTest, ThenTheEnvironment) {
  env_.SetVar("AWS_ACCESS_KEY_ID", "ENVKEY");
  env_.SetVar("AWS_SECRET_ACCESS_KEY", "envsecret");
  env_.SetVar("AWS_SESSION_TOKEN", "envtoken");
  WriteCredentials("[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
  Result<ResolvedCredentials> found = Resolve();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ENVKEY");
  EXPECT_EQ(found->credentials.secret_access_key, "envsecret");
  EXPECT_EQ(found->credentials.session_token, "envtoken");
  EXPECT_EQ(found->source, "$AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY");
}

TEST_F(CredentialsTest, ThenTheDefaultProfile) {
  env_.SetVar("AWS_SESSION_TOKEN", "ignored: not from where the keys came");
  WriteCredentials(
      "# comment\n; another\n[other]\naws_access_key_id=OTHER\naws_secret_access_key=o\n\n"
      "[default]\r\nAWS_ACCESS_KEY_ID = FILEKEY \r\naws_secret_access_key=  filesecret\r\n");
  Result<ResolvedCredentials> found = Resolve();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "FILEKEY");
  EXPECT_EQ(found->credentials.secret_access_key, "filesecret");
  EXPECT_EQ(found->credentials.session_token, "");
  EXPECT_EQ(found->source, "profile 'default' of /home/u/.aws/credentials");
}

TEST_F(CredentialsTest, NamedProfileFromOptionsOrAwsProfile) {
  WriteCredentials(
      "[default]\naws_access_key_id=D\naws_secret_access_key=d\n"
      "[ci]\naws_access_key_id=CI\naws_secret_access_key=c\naws_session_token=t\n"
      "[profile staging]\naws_access_key_id=ST\naws_secret_access_key=s\n");
  env_.SetVar("AWS_PROFILE", "ci");
  Result<ResolvedCredentials> found = Resolve();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "CI");
  EXPECT_EQ(found->credentials.session_token, "t");

  BlobOptions options;
  options.profile = "staging";  // wins over $AWS_PROFILE
  found = Resolve(options);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ST");
}

TEST_F(CredentialsTest, SharedCredentialsFileVariable) {
  ASSERT_TRUE(env_.CreateDirs("/etc").ok());
  WriteCredentials("[default]\naws_access_key_id=ALT\naws_secret_access_key=alt\n",
                   "/etc/aws-creds");
  env_.SetVar("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws-creds");
  Result<ResolvedCredentials> found = Resolve();
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "ALT");
  EXPECT_EQ(found->source, "profile 'default' of /etc/aws-creds");

  WriteCredentials("[default]\naws_access_key_id=DVC\naws_secret_access_key=dvc\n",
                   "/etc/dvc-creds");
  BlobOptions options;
  options.credentials_file = "/etc/dvc-creds";  // DVC's credentialpath wins
  found = Resolve(options);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credentials.access_key_id, "DVC");
}

TEST_F(CredentialsTest, NoCredentialsAnywhereIsUnauthenticatedWithAHint) {
  Result<ResolvedCredentials> found = Resolve();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), core::Code::kUnauthenticated);
  EXPECT_NE(found.status().message().find("no S3 credentials"), std::string::npos);
  EXPECT_NE(found.status().message().find("\nhint: "), std::string::npos);
  EXPECT_NE(found.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST_F(CredentialsTest, AMissingNamedProfileIsNotFound) {
  WriteCredentials("[default]\naws_access_key_id=D\naws_secret_access_key=d\n");
  BlobOptions options;
  options.profile = "nope";
  Result<ResolvedCredentials> found = Resolve(options);
  ASSERT_FALSE(found.ok());
  EXPECT_TRUE(found.status().IsNotFound());
  EXPECT_NE(found.status().message().find("'nope'"), std::string::npos);
  EXPECT_NE(found.status().message().find("/home/u/.aws/credentials"), std::string::npos);
}

TEST_F(CredentialsTest, HalfAKeyPairIsAnErrorNeverShowingTheSecret) {
  BlobOptions options;
  options.credentials.secret_access_key = std::string(kSecret);
  Result<ResolvedCredentials> found = Resolve(options);
  ASSERT_FALSE(found.ok());
  EXPECT_TRUE(found.status().IsInvalidArgument());
  EXPECT_NE(found.status().message().find("access_key_id"), std::string::npos);
  EXPECT_EQ(found.status().message().find(kSecret), std::string::npos);

  env_.SetVar("AWS_SECRET_ACCESS_KEY", std::string(kSecret));
  found = Resolve();
  ASSERT_FALSE(found.ok());
  EXPECT_TRUE(found.status().IsInvalidArgument());
  EXPECT_NE(found.status().message().find("AWS_ACCESS_KEY_ID is not"), std::string::npos);
  EXPECT_EQ(found.status().message().find(kSecret), std::string::npos);

  env_.UnsetVar("AWS_SECRET_ACCESS_KEY");
  WriteCredentials(std::string("[default]\naws_secret_access_key=") + std::string(kSecret) + "\n");
  found = Resolve();
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), core::Code::kUnauthenticated);
  EXPECT_EQ(found.status().message().find(kSecret), std::string::npos);
}

TEST_F(CredentialsTest, Region) {
  BlobOptions options;
  EXPECT_EQ(ResolveRegion(options, env_), "us-east-1");
  env_.SetVar("AWS_DEFAULT_REGION", "eu-west-1");
  EXPECT_EQ(ResolveRegion(options, env_), "eu-west-1");
  env_.SetVar("AWS_REGION", "eu-central-1");
  EXPECT_EQ(ResolveRegion(options, env_), "eu-central-1");
  options.region = "ap-south-1";
  EXPECT_EQ(ResolveRegion(options, env_), "ap-south-1");
}

TEST(IniTest, Sections) {
  auto sections = ParseIni("top=ignored\n[ a ]\nk = v = w\n[profile b]\nK=1\n[a]\nx=2\n");
  EXPECT_EQ(sections.size(), 2u);
  EXPECT_EQ(sections["a"]["k"], "v = w");
  EXPECT_EQ(sections["a"]["x"], "2");
  EXPECT_EQ(sections["b"]["k"], "1");
}

// --- OpenBlobStore: the backend by URI, no request made ---

Result<std::unique_ptr<BlobStore>> Open(std::string_view text, const BlobOptions& options,
                                        sys::Env& env) {
  Result<core::Uri> uri = core::Uri::Parse(text);
  if (!uri.ok()) return uri.status();
  return OpenBlobStore(*uri, options, env);
}

TEST(OpenBlobStoreTest, LocalPathsAndFileUris) {
  testing::MemEnv env;
  for (auto [text, describe] : std::vector<std::pair<std::string, std::string>>{
           {"/srv/remote", "/srv/remote"},
           {"/srv/remote/", "/srv/remote"},
           {"file:///srv/my%20remote", "/srv/my remote"},
           {"file://localhost/srv/r", "/srv/r"},
           {"relative/dir", "relative/dir"}}) {
    Result<std::unique_ptr<BlobStore>> store = Open(text, {}, env);
    ASSERT_TRUE(store.ok()) << text << ": " << store.status().ToString();
    EXPECT_EQ((*store)->Describe(), describe);
  }
  EXPECT_TRUE(Open("file://otherhost/x", {}, env).status().IsInvalidArgument());
}

TEST(OpenBlobStoreTest, S3UrisDescribeBucketPrefixAndEndpoint) {
  testing::MemEnv env;
  BlobOptions options;
  options.credentials = {"AKID", "secret", ""};
  Result<std::unique_ptr<BlobStore>> store = Open("s3://bucket/some/prefix/", options, env);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Describe(), "s3://bucket/some/prefix");
  options.endpoint_url = "http://127.0.0.1:4568/";
  store = Open("s3://bucket", options, env);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->Describe(), "s3://bucket at http://127.0.0.1:4568");
}

TEST(OpenBlobStoreTest, RejectsWhatItCannotServe) {
  testing::MemEnv env;
  BlobOptions options;
  options.credentials = {"AKID", "secret", ""};
  Result<std::unique_ptr<BlobStore>> store = Open("gs://bucket/x", options, env);
  EXPECT_TRUE(store.status().IsInvalidArgument());
  EXPECT_NE(store.status().message().find("'gs:'"), std::string::npos) << store.status().message();

  EXPECT_TRUE(Open("s3://bucket/a/../b", options, env).status().IsInvalidArgument());
  EXPECT_TRUE(Open("s3://bucket:9000/x", options, env).status().IsInvalidArgument());

  BlobOptions bad = options;
  bad.multipart_part_size = 1 << 20;
  store = Open("s3://bucket", bad, env);
  EXPECT_TRUE(store.status().IsInvalidArgument());
  EXPECT_NE(store.status().message().find("multipart_part_size"), std::string::npos);

  bad = options;
  bad.list_page_size = 5000;
  EXPECT_TRUE(Open("s3://bucket", bad, env).status().IsInvalidArgument());

  bad = options;
  bad.endpoint_url = "ftp://host";
  store = Open("s3://bucket", bad, env);
  EXPECT_TRUE(store.status().IsInvalidArgument());
  EXPECT_NE(store.status().message().find("endpoint_url"), std::string::npos);

  // No credentials anywhere: refused before any request, naming the remote.
  store = Open("s3://bucket/p", {}, env);
  EXPECT_EQ(store.status().code(), core::Code::kUnauthenticated);
  EXPECT_TRUE(store.status().message().starts_with("s3://bucket/p: no S3 credentials"))
      << store.status().message();
}

}  // namespace
}  // namespace cairn::blob
