#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/strings.h"
#include "net/net.h"
#include "net/server.h"
#include "sys/temp_dir.h"

namespace cairn::net {
namespace {

// Small costs keep the tests fast; htpasswd -B uses 5 by default.
constexpr int kCost = 4;

sys::TempDir MakeTempDir() {
  Result<sys::TempDir> dir = sys::TempDir::Create();
  EXPECT_TRUE(dir.ok()) << dir.status().ToString();
  return std::move(*dir);
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

std::shared_ptr<const Htpasswd> LoadOrDie(const std::string& path) {
  Result<std::unique_ptr<Htpasswd>> users = Htpasswd::Load(path);
  EXPECT_TRUE(users.ok()) << users.status().ToString();
  if (!users.ok()) return nullptr;
  return std::shared_ptr<const Htpasswd>(std::move(*users));
}

TEST(BcryptTest, HashAndVerifyRoundTrip) {
  Result<std::string> hash = BcryptHash("s3cret pass", kCost);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(hash->starts_with("$2y$04$")) << *hash;
  EXPECT_EQ(hash->size(), 60u);
  Result<std::string> again = BcryptHash("s3cret pass", kCost);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*hash, *again) << "every hash gets its own salt";

  sys::TempDir dir = MakeTempDir();
  WriteText(dir.Path("users"), "# users\n\nada:" + *hash + "\nbob:" + *again + "\n");
  auto users = LoadOrDie(dir.Path("users"));
  ASSERT_TRUE(users);
  EXPECT_TRUE(users->Verify("ada", "s3cret pass"));
  EXPECT_TRUE(users->Verify("ada", "s3cret pass")) << "the remembered answer";
  EXPECT_TRUE(users->Verify("bob", "s3cret pass"));
  EXPECT_FALSE(users->Verify("ada", "s3cret pas"));
  EXPECT_FALSE(users->Verify("ada", "s3cret pass "));
  EXPECT_FALSE(users->Verify("ada", ""));
  EXPECT_FALSE(users->Verify("carol", "s3cret pass")) << "an unknown user";
}

TEST(BcryptTest, RejectsBadCostAndNul) {
  EXPECT_TRUE(BcryptHash("x", 3).status().IsInvalidArgument());
  EXPECT_TRUE(BcryptHash("x", 32).status().IsInvalidArgument());
  EXPECT_TRUE(BcryptHash(std::string_view("a\0b", 3), kCost).status().IsInvalidArgument());
}

TEST(HtpasswdTest, VerifiesAFileWrittenByApacheHtpasswd) {
  if (::access("/usr/bin/htpasswd", X_OK) != 0) {
    GTEST_SKIP() << "/usr/bin/htpasswd is absent (Debian package apache2-utils): skipping the "
                    "check against Apache's own bcrypt entries";
  }
  sys::TempDir dir = MakeTempDir();
  std::string file = dir.Path("htpasswd");
  std::string command =
      "/usr/bin/htpasswd -B -C 4 -b -c '" + file + "' alice 'pa:ss wörd' 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  command = "/usr/bin/htpasswd -B -b '" + file + "' bob hunter2 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  EXPECT_TRUE(ReadText(file).starts_with("alice:$2y$04$")) << ReadText(file);

  auto users = LoadOrDie(file);
  ASSERT_TRUE(users);
  EXPECT_TRUE(users->Verify("alice", "pa:ss wörd"));
  EXPECT_TRUE(users->Verify("bob", "hunter2"));
  EXPECT_FALSE(users->Verify("bob", "hunter3"));
  EXPECT_FALSE(users->Verify("alice", "hunter2"));
}

TEST(HtpasswdTest, ANonBcryptEntryIsAnErrorNamingFileAndLine) {
  sys::TempDir dir = MakeTempDir();
  Result<std::string> hash = BcryptHash("pw", kCost);
  ASSERT_TRUE(hash.ok());
  std::string file = dir.Path("htpasswd");
  WriteText(file, "ada:" + *hash + "\n# md5 below\nbob:$apr1$abcdefgh$0123456789012345678901\n");
  Result<std::unique_ptr<Htpasswd>> users = Htpasswd::Load(file);
  ASSERT_FALSE(users.ok());
  EXPECT_TRUE(users.status().IsInvalidArgument());
  EXPECT_NE(users.status().message().find(file + ":3: "), std::string::npos)
      << users.status().message();
  EXPECT_NE(users.status().message().find("'bob'"), std::string::npos);
  EXPECT_NE(users.status().message().find("bcrypt"), std::string::npos);

  WriteText(file, "just-a-name\n");
  users = Htpasswd::Load(file);
  ASSERT_FALSE(users.ok());
  EXPECT_NE(users.status().message().find(file + ":1: "), std::string::npos);

  users = Htpasswd::Load(dir.Path("missing"));
  ASSERT_FALSE(users.ok());
  EXPECT_TRUE(users.status().IsNotFound()) << users.status().ToString();
}

class BasicAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(HtpasswdSetUser(dir_.Path("users"), "ada", "lovelace", kCost).ok());
    users_ = LoadOrDie(dir_.Path("users"));
    ASSERT_TRUE(users_);
    auth_ = Htpasswd::Basic(users_, "cairn \"test\"", {"/health"});
  }

  // Runs the authenticator on a GET of `path` with an optional Authorization header.
  bool Run(std::string path, std::optional<std::string> authorization, ServerRequest& request,
           ServerResponse& response) {
    request.method = "GET";
    request.path = request.raw_path = std::move(path);
    if (authorization) request.headers.emplace_back("authorization", *authorization);
    return auth_(request, response);
  }

  static std::string BasicHeader(std::string_view user, std::string_view password) {
    return "Basic " + core::Base64Encode(std::string(user) + ":" + std::string(password));
  }

  static void ExpectChallenge(const ServerResponse& response, std::string_view message_part) {
    EXPECT_EQ(response.status, 401);
    ASSERT_EQ(response.headers.size(), 1u);
    EXPECT_EQ(response.headers[0].first, "WWW-Authenticate");
    EXPECT_EQ(response.headers[0].second, R"(Basic realm="cairn \"test\"")");
    EXPECT_NE(response.body.find(R"("error_code":"UNAUTHENTICATED")"), std::string::npos)
        << response.body;
    EXPECT_NE(response.body.find(message_part), std::string::npos) << response.body;
  }

  sys::TempDir dir_ = MakeTempDir();
  std::shared_ptr<const Htpasswd> users_;
  Authenticator auth_;
};

TEST_F(BasicAuthTest, NoCredentialsGet401WithAChallenge) {
  ServerRequest request;
  ServerResponse response;
  EXPECT_FALSE(Run("/api/2.0/mlflow/experiments/search", std::nullopt, request, response));
  ExpectChallenge(response, "Authentication required");
}

TEST_F(BasicAuthTest, WrongOrMalformedCredentialsGet401) {
  for (std::string header :
       {BasicHeader("ada", "babbage"), BasicHeader("eve", "lovelace"),
        std::string("Basic !!notbase64"), BasicHeader("ada", ""),
        "Basic " + core::Base64Encode("ada-without-colon"), std::string("Bearer abc")}) {
    ServerRequest request;
    ServerResponse response;
    EXPECT_FALSE(Run("/x", header, request, response)) << header;
    EXPECT_EQ(response.status, 401) << header;
    EXPECT_EQ(request.user, "") << header;
  }
  ServerRequest request;
  ServerResponse response;
  EXPECT_FALSE(Run("/x", BasicHeader("ada", "babbage"), request, response));
  ExpectChallenge(response, "Invalid username or password");
}

TEST_F(BasicAuthTest, OpenPathsPassWithoutCredentials) {
  ServerRequest request;
  ServerResponse response;
  EXPECT_TRUE(Run("/health", std::nullopt, request, response));
  EXPECT_EQ(request.user, "");
  EXPECT_EQ(response.status, 200) << "untouched";
  ServerRequest other;
  EXPECT_FALSE(Run("/health/x", std::nullopt, other, response)) << "exact paths only";
}

TEST_F(BasicAuthTest, RightCredentialsPassAndSetTheUser) {
  for (std::string header :
       {BasicHeader("ada", "lovelace"), "basic " + core::Base64Encode("ada:lovelace")}) {
    ServerRequest request;
    ServerResponse response;
    EXPECT_TRUE(Run("/x", header, request, response)) << header;
    EXPECT_EQ(request.user, "ada");
    EXPECT_TRUE(response.headers.empty());
  }
}

TEST_F(BasicAuthTest, ThroughTheServer) {
  Router router;
  router.Add("GET", "/who", [](const ServerRequest& request, ServerResponse& response) {
    response.SetText(200, request.user);
  });
  ServerOptions options;
  options.port = 0;
  options.authenticate = auth_;
  Result<std::unique_ptr<HttpServer>> server = HttpServer::Start(options, std::move(router));
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Result<std::unique_ptr<HttpClient>> client = NewCurlHttpClient();
  ASSERT_TRUE(client.ok());

  Request request;
  request.url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/who";
  Result<Response> refused = (*client)->Send(request);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->Header("www-authenticate"), R"(Basic realm="cairn \"test\"")");

  request.headers = {{"Authorization", BasicHeader("ada", "lovelace")}};
  Result<Response> allowed = (*client)->Send(request);
  ASSERT_TRUE(allowed.ok());
  EXPECT_EQ(allowed->status, 200);
  EXPECT_EQ(allowed->body, "ada");
  client->reset();
}

TEST(HtpasswdSetUserTest, AddsAndReplacesEntriesKeepingTheRest) {
  sys::TempDir dir = MakeTempDir();
  std::string file = dir.Path("users");
  ASSERT_TRUE(HtpasswdSetUser(file, "ada", "one", kCost).ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "a new file is private";

  ASSERT_TRUE(HtpasswdSetUser(file, "bob", "two", kCost).ok());
  std::string with_comment = "# managed by cairn\n" + ReadText(file);
  WriteText(file, with_comment);
  ASSERT_TRUE(HtpasswdSetUser(file, "ada", "three", kCost).ok());

  std::vector<std::string_view> lines;
  std::string text = ReadText(file);
  lines = core::SplitLines(text);
  ASSERT_EQ(lines.size(), 3u) << text;
  EXPECT_EQ(lines[0], "# managed by cairn");
  EXPECT_TRUE(lines[1].starts_with("ada:$2y$04$")) << "replaced in place";
  EXPECT_TRUE(lines[2].starts_with("bob:$2y$04$"));

  auto users = LoadOrDie(file);
  ASSERT_TRUE(users);
  EXPECT_TRUE(users->Verify("ada", "three"));
  EXPECT_FALSE(users->Verify("ada", "one"));
  EXPECT_TRUE(users->Verify("bob", "two"));
}

TEST(HtpasswdSetUserTest, RejectsBadUserNames) {
  sys::TempDir dir = MakeTempDir();
  for (std::string user : {"", "a:b", "a\nb", "a\rb"}) {
    core::Status status = HtpasswdSetUser(dir.Path("users"), user, "pw", kCost);
    EXPECT_EQ(status.code(), core::Code::kInvalidParameterValue) << user;
  }
  EXPECT_EQ(::access(dir.Path("users").c_str(), F_OK), -1) << "nothing written";
}

}  // namespace
}  // namespace cairn::net
