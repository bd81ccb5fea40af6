// push, pull, fetch and status --cloud as a user runs them (under the `dvc` name), against a
// local directory and against an S3-compatible server (s3rver), including what must fail
// loudly: bad credentials, an unreachable endpoint, a missing bucket, a corrupt object, a
// partial pull. Nothing half-written may remain in the cache or the workspace.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/dvc_sandbox.h"
#include "testing/s3rver.h"

namespace cairn {
namespace {

using testing::Ran;

class DvcRemote : public testing::DvcSandbox {
 protected:
  // A repository with a file and a directory added.
  void MakeRepo() {
    ASSERT_EQ(Sh("dvc init -q && printf 'hello\\n' > a.txt && mkdir d && printf 'one\\n' > d/f1 "
                 "&& printf 'two\\n' > d/f2 && head -c 300000 /dev/urandom > d/big && "
                 "dvc add -q a.txt d")
                  .rc,
              0);
  }
  // Drops the cache and the tracked data, as on a fresh clone.
  void Forget() { ASSERT_EQ(Sh("rm -rf .dvc/cache a.txt d").rc, 0); }
};

TEST_F(DvcRemote, LocalRoundTrip) {
  MakeRepo();
  std::string before = Sh("md5sum a.txt d/*").out;
  ASSERT_EQ(Sh("dvc remote add -q -d myremote ../remote").rc, 0);
  Ran push = Sh("dvc push");
  EXPECT_EQ(push.rc, 0);
  EXPECT_EQ(push.out, "5 files pushed\n");  // a.txt, f1, f2, big, and d's .dir
  EXPECT_EQ(Sh("dvc push").out, "Everything is up to date.\n");
  EXPECT_EQ(Sh("dvc status -c").out, "Cache and remote 'myremote' are in sync.\n");
  Forget();
  EXPECT_EQ(Sh("dvc status -c --json").out,
            "{\"a.txt\": \"deleted\", \"d/big\": \"deleted\", \"d/f1\": \"deleted\", \"d/f2\": "
            "\"deleted\", \"d\": \"deleted\"}\n");
  Ran pull = Sh("dvc pull");
  EXPECT_EQ(pull.rc, 0);
  EXPECT_EQ(pull.out, "A       a.txt\nA       d/\n4 files added\n");
  EXPECT_EQ(Sh("md5sum a.txt d/*").out, before);
  EXPECT_EQ(Sh("dvc status").out, "Data and pipelines are up to date.\n");
  ASSERT_EQ(Sh("rm -rf .dvc/cache").rc, 0);
  EXPECT_EQ(Sh("dvc fetch").out, "5 files fetched\n");
}

TEST_F(DvcRemote, CorruptObjectIsAnErrorNotData) {
  MakeRepo();
  ASSERT_EQ(Sh("dvc remote add -q -d r ../remote && dvc push -q").rc, 0);
  std::string object = "../remote/files/md5/b1/946ac92492d2347c6235b4d2611184";  // a.txt
  ASSERT_EQ(Sh("chmod u+w " + object + " && printf 'evil\\n' > " + object).rc, 0);
  Forget();
  Ran pull = Sh("dvc pull", "", /*with_stderr=*/true);
  EXPECT_EQ(pull.rc, 1);
  EXPECT_NE(pull.out.find("a.txt (b1946ac92492d2347c6235b4d2611184): the remote's object is "
                          "corrupt: its bytes hash to"),
            std::string::npos)
      << pull.out;
  EXPECT_NE(pull.out.find("1 files failed to download"), std::string::npos) << pull.out;
  // Nothing corrupt was placed, nothing was checked out, no temporary file is left.
  EXPECT_EQ(CacheObjects().find("b1/946ac"), std::string::npos) << CacheObjects();
  EXPECT_EQ(CacheObjects().find(".tmp"), std::string::npos) << CacheObjects();
  EXPECT_FALSE(std::filesystem::exists(repo_ + "/a.txt"));
}

TEST_F(DvcRemote, PartialPullFailsAndNamesWhatIsMissing) {
  MakeRepo();
  ASSERT_EQ(Sh("dvc remote add -q -d r ../remote && dvc push -q").rc, 0);
  ASSERT_EQ(Sh("rm -f ../remote/files/md5/b1/946ac92492d2347c6235b4d2611184").rc, 0);
  Forget();
  Ran pull = Sh("dvc pull", "", true);
  EXPECT_EQ(pull.rc, 1);
  EXPECT_NE(pull.out.find("a.txt (b1946ac92492d2347c6235b4d2611184)"), std::string::npos)
      << pull.out;
  EXPECT_EQ(Sh("dvc status -c --json").out.find("\"a.txt\": \"missing\""), 1u);
}

TEST_F(DvcRemote, NoRemoteConfigured) {
  MakeRepo();
  Ran push = Sh("dvc push", "", true);
  EXPECT_EQ(push.rc, 1);
  EXPECT_NE(push.out.find("no remote specified"), std::string::npos) << push.out;
}

class DvcS3 : public DvcRemote {
 protected:
  void SetUp() override {
    DvcRemote::SetUp();
    core::Result<std::unique_ptr<testing::S3rver>> server = testing::S3rver::Start({"bucket"});
    if (!server.ok() && server.status().IsNotFound()) {
      GTEST_SKIP() << "s3rver is not installed (scripts/deps.sh test installs it): "
                   << server.status().ToString();
    }
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    MakeRepo();
    // The seed's steps: the remote's url and endpoint in .dvc/config, secrets in config.local.
    ASSERT_EQ(Sh("dvc remote add -q -d myremote s3://bucket/dvc-storage && dvc remote modify "
                 "myremote endpointurl " +
                 server_->endpoint() +
                 " && dvc remote modify --local myremote access_key_id S3RVER && dvc remote "
                 "modify --local myremote secret_access_key S3RVER")
                  .rc,
              0);
  }
  std::unique_ptr<testing::S3rver> server_;
};

TEST_F(DvcS3, PushPullFetchStatus) {
  std::string before = Sh("md5sum a.txt d/*").out;
  Ran push = Sh("dvc push", "", true);
  EXPECT_EQ(push.rc, 0) << push.out;
  EXPECT_EQ(push.out, "5 files pushed\n");
  EXPECT_EQ(Sh("dvc status -c").out, "Cache and remote 'myremote' are in sync.\n");
  Forget();
  Ran pull = Sh("dvc pull", "", true);
  EXPECT_EQ(pull.rc, 0) << pull.out;
  EXPECT_EQ(Sh("md5sum a.txt d/*").out, before);
  ASSERT_EQ(Sh("rm -rf .dvc/cache").rc, 0);
  EXPECT_EQ(Sh("dvc fetch").out, "5 files fetched\n");
}

TEST_F(DvcS3, CredentialsFromTheEnvironment) {
  ASSERT_EQ(Sh("rm .dvc/config.local").rc, 0);
  Ran push = Sh("dvc push", "", true, "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER");
  EXPECT_EQ(push.rc, 0) << push.out;
  EXPECT_EQ(push.out, "5 files pushed\n");
}

TEST_F(DvcS3, BadCredentialsFailFastAndSayWhatToFix) {
  ASSERT_EQ(Sh("dvc remote modify --local myremote access_key_id WRONG").rc, 0);
  Ran push = Sh("dvc push", "", true);
  EXPECT_EQ(push.rc, 1);
  EXPECT_NE(push.out.find("remote 'myremote'"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("s3://bucket/dvc-storage"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("access_key_id"), std::string::npos) << push.out;
  EXPECT_EQ(push.out.find("S3RVER"), std::string::npos) << "a secret was printed: " << push.out;
  Forget();
  Ran pull = Sh("dvc pull", "", true);
  EXPECT_EQ(pull.rc, 1);
  EXPECT_EQ(CacheObjects(), "");
}

TEST_F(DvcS3, UnreachableEndpoint) {
  ASSERT_EQ(Sh("dvc remote modify myremote endpointurl http://127.0.0.1:1").rc, 0);
  Ran push = Sh("dvc push", "", true);
  EXPECT_EQ(push.rc, 1);
  EXPECT_NE(push.out.find("remote 'myremote'"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("127.0.0.1:1"), std::string::npos) << push.out;
}

TEST_F(DvcS3, MissingBucket) {
  ASSERT_EQ(Sh("dvc remote modify myremote url s3://no-such-bucket/x").rc, 0);
  Ran push = Sh("dvc push", "", true);
  EXPECT_EQ(push.rc, 1);
  EXPECT_NE(push.out.find("no-such-bucket"), std::string::npos) << push.out;
  EXPECT_NE(push.out.find("NoSuchBucket"), std::string::npos) << push.out;
}

TEST_F(DvcS3, CorruptObjectOnS3) {
  ASSERT_EQ(Sh("dvc push -q").rc, 0);
  // s3rver keeps each object's bytes in <key>._S3rver_object.
  Ran found = Sh("find '" + server_->data_dir() +
                 "' -path '*b1/946ac92492d2347c6235b4d2611184._S3rver_object' -type f");
  std::string object(core::Trim(found.out));
  ASSERT_FALSE(object.empty()) << Sh("find '" + server_->data_dir() + "'").out;
  ASSERT_EQ(Sh("printf 'evil\\n' > '" + object + "'").rc, 0);
  Forget();
  Ran pull = Sh("dvc pull", "", true);
  EXPECT_EQ(pull.rc, 1);
  EXPECT_NE(pull.out.find("corrupt"), std::string::npos) << pull.out;
  EXPECT_EQ(CacheObjects().find("b1/946ac"), std::string::npos);
}

}  // namespace
}  // namespace cairn
