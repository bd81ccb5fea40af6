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

// A DVC 2.x entry (no `hash:` key; md5-dos2unix) is read, checked and checked out as DVC 3
// does: the CRLF text hashes as if its line ends were LF, the object is in the legacy layout.
TEST_F(DvcData, Legacy2xEntries) {
  ASSERT_EQ(Sh("dvc init -q && printf 'a\r\nb\r\n' > t.txt && h=$(printf 'a\nb\n' | md5sum | "
               "cut -c1-32) && printf 'outs:\n- md5: %s\n  size: 6\n  path: t.txt\n' $h > "
               "t.txt.dvc && mkdir -p .dvc/cache/$(echo $h | cut -c1-2) && cp t.txt "
               ".dvc/cache/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-)")
                .rc,
            0);
  EXPECT_EQ(Sh("dvc status").out, "Data and pipelines are up to date.\n");
  ASSERT_EQ(Sh("rm t.txt && dvc checkout -q").rc, 0);
  EXPECT_EQ(Read(repo_ + "/t.txt"), "a\r\nb\r\n");
  ASSERT_EQ(Sh("printf 'changed\r\n' > t.txt").rc, 0);
  EXPECT_EQ(Sh("dvc status --json").out,
            "{\"t.txt.dvc\": [{\"changed outs\": {\"t.txt\": \"modified\"}}]}\n");
  // Saving it again writes a 3.x entry, with the raw bytes' md5.
  ASSERT_EQ(Sh("dvc commit -q").rc, 0);
  EXPECT_NE(Read(repo_ + "/t.txt.dvc").find("hash: md5"), std::string::npos);
  EXPECT_EQ(Sh("dvc status").out, "Data and pipelines are up to date.\n");
}

TEST_F(DvcData, ReproRunsIndependentStagesInParallelWithJobs) {
  // `a` succeeds only if `b` starts while `a` runs: true with -j 2, impossible with -j 1.
  ASSERT_EQ(Sh("dvc init -q && cat > dvc.yaml <<'EOF'\n"
               "stages:\n"
               "  a:\n"
               "    cmd: for i in $(seq 20); do [ -f b.started ] && break; sleep 0.1; done; "
               "test -f b.started && echo ok > a.out\n"
               "    outs: [a.out]\n"
               "  b:\n"
               "    cmd: touch b.started && sleep 0.5 && echo done > b.out\n"
               "    outs: [b.out]\n"
               "EOF")
                .rc,
            0);
  Ran serial = Sh("rm -f b.started; timeout 30 dvc repro -j 1 a b", "", true);
  EXPECT_EQ(serial.rc, 1) << serial.out;
  Ran parallel = Sh("rm -f b.started; dvc repro -j 2", "", true);
  EXPECT_EQ(parallel.rc, 0) << parallel.out;
  EXPECT_EQ(Read(repo_ + "/a.out"), "ok\n");
  EXPECT_EQ(Sh("dvc status").out, "Data and pipelines are up to date.\n");
}

TEST_F(DvcData, ReproStopsAtAFailureAndRecordsNothingForIt) {
  ASSERT_EQ(Sh("dvc init -q && echo in > in.txt && cat > dvc.yaml <<'EOF'\n"
               "stages:\n"
               "  first:\n"
               "    cmd: cp in.txt mid.txt\n"
               "    deps: [in.txt]\n"
               "    outs: [mid.txt]\n"
               "  broken:\n"
               "    cmd: cat mid.txt > out.txt && exit 3\n"
               "    deps: [mid.txt]\n"
               "    outs: [out.txt]\n"
               "  after:\n"
               "    cmd: cp out.txt final.txt\n"
               "    deps: [out.txt]\n"
               "    outs: [final.txt]\n"
               "EOF")
                .rc,
            0);
  Ran repro = Sh("dvc repro", "", true);
  EXPECT_EQ(repro.rc, 1);
  EXPECT_NE(repro.out.find("ERROR: failed to reproduce 'broken': failed to run: cat mid.txt > "
                           "out.txt && exit 3, exited with code 3"),
            std::string::npos)
      << repro.out;
  EXPECT_FALSE(std::filesystem::exists(repo_ + "/final.txt"));  // `after` never ran
  std::string lock = Read(repo_ + "/dvc.lock");
  EXPECT_NE(lock.find("  first:"), std::string::npos) << lock;
  EXPECT_EQ(lock.find("  broken:"), std::string::npos) << lock;
  // Fixed, the next repro runs only what is left.
  ASSERT_EQ(Sh("sed -i 's/ && exit 3//' dvc.yaml").rc, 0);
  Ran again = Sh("dvc repro");
  EXPECT_EQ(again.rc, 0);
  EXPECT_NE(again.out.find("Stage 'first' didn't change, skipping"), std::string::npos)
      << again.out;
  EXPECT_EQ(Read(repo_ + "/final.txt"), "in\n");
}

TEST_F(DvcData, ReproAlwaysChangedFrozenAndForce) {
  ASSERT_EQ(Sh("dvc init -q && cat > dvc.yaml <<'EOF'\n"
               "stages:\n"
               "  clock:\n"
               "    cmd: echo tick >> ticks.txt\n"
               "    always_changed: true\n"
               "  frozen:\n"
               "    cmd: echo ran >> frozen.txt\n"
               "    frozen: true\n"
               "EOF")
                .rc,
            0);
  ASSERT_EQ(Sh("dvc repro -q && dvc repro -q").rc, 0);
  EXPECT_EQ(Read(repo_ + "/ticks.txt"), "tick\ntick\n");  // always changed: runs every time
  EXPECT_FALSE(std::filesystem::exists(repo_ + "/frozen.txt"));
  ASSERT_EQ(Sh("dvc repro -q -f frozen").rc, 0);
  EXPECT_EQ(Read(repo_ + "/frozen.txt"), "ran\n");
}

}  // namespace
}  // namespace cairn
