// add, commit, checkout and gc as a user runs them, with what a crash or a mistake must not do.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli/dvc_sandbox.h"
#include "core/strings.h"

namespace cairn {
namespace {

using testing::Ran;

class DvcData : public testing::DvcSandbox {
 protected:
  // Every cache object's bytes hash to its name: nothing partial or corrupt is in the cache.
  void ExpectCacheConsistent() {
    Ran check =
        Sh("cd .dvc/cache/files/md5 2>/dev/null || exit 0; for f in */*; do [ -f \"$f\" ] || "
           "continue; case $f in *.dir) "
           "continue;; esac; h=$(md5sum < \"$f\" | cut -c1-32); [ \"$h\" = \"$(echo $f | tr -d "
           "/)\" ] || echo \"bad $f\"; done");
    EXPECT_EQ(check.out, "");
  }
};

TEST_F(DvcData, KilledAddLeavesNoPartialObjectAndTheNextAddCompletes) {
  ASSERT_EQ(Sh("dvc init -q && head -c 60000000 /dev/zero | tr '\\0' 'x' > big && mkdir d && "
               "for i in $(seq 1 300); do echo $i > d/f$i; done")
                .rc,
            0);
  // Kill the add part way (whenever that is: the assertion holds at any point).
  Sh("dvc add big d & pid=$!; sleep 0.1; kill -9 $pid; wait $pid; true");
  ExpectCacheConsistent();
  Ran add = Sh("dvc add -q big d");
  EXPECT_EQ(add.rc, 0);
  ExpectCacheConsistent();
  EXPECT_EQ(Sh("dvc status").out, "Data and pipelines are up to date.\n");
  // gc clears what the killed add left behind, and keeps every used object.
  Ran gc = Sh("dvc gc -w -f");
  EXPECT_EQ(gc.rc, 0);
  EXPECT_EQ(Sh("ls -A .dvc/cache/files/md5 | grep -c '^\\.'").out, "0\n");
  ASSERT_EQ(Sh("rm -rf big d && dvc checkout -q").rc, 0);
  EXPECT_EQ(Sh("dvc status").out, "Data and pipelines are up to date.\n");
}

TEST_F(DvcData, CheckoutRefusesToLoseUncachedChanges) {
  ASSERT_EQ(Sh("dvc init -q && mkdir d && echo one > d/f1 && dvc add -q d").rc, 0);
  ASSERT_EQ(Sh("echo precious > d/f1 && echo new > d/f2").rc, 0);
  Ran checkout = Sh("dvc checkout", "", true);
  EXPECT_EQ(checkout.rc, 1);
  EXPECT_NE(checkout.out.find("d/f1"), std::string::npos) << checkout.out;
  EXPECT_EQ(Read(repo_ + "/d/f1"), "precious\n");  // untouched
  EXPECT_EQ(Read(repo_ + "/d/f2"), "new\n");
  Ran forced = Sh("dvc checkout -f");
  EXPECT_EQ(forced.rc, 0);
  EXPECT_EQ(forced.out, "M       d/\n1 file modified and 1 file deleted\n");
  EXPECT_EQ(Read(repo_ + "/d/f1"), "one\n");
  EXPECT_FALSE(std::filesystem::exists(repo_ + "/d/f2"));
}

TEST_F(DvcData, GcKeepsWhatIsUsed) {
  ASSERT_EQ(Sh("dvc init -q && echo v1 > a && dvc add -q a && echo v2 > a && dvc add -q a").rc, 0);
  EXPECT_EQ(Sh("dvc gc -w -f").out,
            "Removed 1 objects from 'local' cache.\nNo unused 'legacy' cache to remove.\n");
  EXPECT_EQ(Sh("dvc gc -w -f").out,
            "No unused 'local' cache to remove.\nNo unused 'legacy' cache to remove.\n");
  Ran ask = Sh("dvc gc -w < /dev/null", "", true);
  EXPECT_EQ(ask.rc, 1);  // no terminal to ask on: refuses without -f
  ExpectCacheConsistent();
}

TEST_F(DvcData, BadInputGivesClearErrors) {
  ASSERT_EQ(Sh("dvc init -q").rc, 0);
  Ran missing = Sh("dvc add nope", "", true);
  EXPECT_EQ(missing.rc, 1);
  EXPECT_EQ(missing.out, "ERROR: 'nope' does not exist\n");
  ASSERT_EQ(Sh("printf 'outs:\\n- md5: 123\\n  size: abc\\n  path: x\\n' > x.dvc").rc, 0);
  Ran bad = Sh("dvc status", "", true);
  EXPECT_EQ(bad.rc, 1);
  EXPECT_NE(bad.out.find("x.dvc:2:"), std::string::npos) << bad.out;
  Ran outside = Sh("cd / && dvc status", "", true);
  EXPECT_EQ(outside.rc, 253);
  Ran cairn = Sh("cairn data status", "/", true);
  EXPECT_EQ(cairn.rc, 1);
  EXPECT_EQ(cairn.out.rfind("cairn: error: you are not inside of a DVC repository", 0), 0u)
      << cairn.out;
}

}  // namespace
}  // namespace cairn
