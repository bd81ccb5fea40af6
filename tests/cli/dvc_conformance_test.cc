// Recreates the cases of ../shared/conformance/dvc (written by real DVC 3.64) with cairn under
// the name `dvc`, and compares what it writes and prints, following the fixture's README:
// exact bytes for formats, text for output, sets where DVC's own order is random.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "cli/dvc_sandbox.h"
#include "core/json.h"
#include "core/path.h"
#include "core/strings.h"
#include "sys/env.h"
#include "sys/temp_dir.h"
#include "testing/paths.h"

namespace cairn {
namespace {

using testing::Ran;

// The fixture's cases, each in a sandbox.
class DvcCase : public testing::DvcSandbox {
 protected:
  void SetUp() override {
    auto shared = testing::SharedDir();
    if (!shared) GTEST_SKIP() << "../shared is absent: the DVC fixture is not available";
    fixture_ = *shared + "/conformance/dvc";
    DvcSandbox::SetUp();
  }
  std::string Expected(const std::string& rel) { return Read(fixture_ + "/" + rel); }
  int ExpectedRc(const std::string& rel) { return std::stoi(Expected(rel)); }

  std::string fixture_;
};

// The words after `git add` in DVC's hint come from a Python set: compare them as a set.
std::string NormalizeGitAddLine(const std::string& text) {
  std::string out;
  for (std::string_view line : core::SplitLines(text)) {
    std::string l(line);
    if (l.rfind("\tgit add ", 0) == 0) {
      std::vector<std::string> words;
      for (std::string_view w : core::Split(std::string_view(l).substr(9), ' '))
        words.emplace_back(w);
      std::sort(words.begin(), words.end());
      l = "\tgit add " + core::Join(words, " ");
    }
    out += l + "\n";
  }
  return out;
}

TEST_F(DvcCase, FileBasic) {
  ASSERT_EQ(Sh("dvc init -q").rc, 0);
  ASSERT_EQ(Sh("sh '" + fixture_ + "/file-basic/input/make_input.sh' .").rc, 0);
  Ran add =
      Sh("dvc add empty.txt crlf.txt binary.bin run.sh \"$(printf "
         "'caf\\303\\251-\\346\\227\\245\\346\\234\\254.txt')\" '#weird[1]!.txt'");
  EXPECT_EQ(add.rc, ExpectedRc("file-basic/expected/add.rc"));
  EXPECT_EQ(NormalizeGitAddLine(add.out),
            NormalizeGitAddLine(Expected("file-basic/expected/add.stdout")));
  for (const char* name : {"empty.txt.dvc", "crlf.txt.dvc", "binary.bin.dvc", "run.sh.dvc",
                           "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac.txt.dvc", "#weird[1]!.txt.dvc"}) {
    EXPECT_EQ(Read(repo_ + "/" + name), Expected(std::string("file-basic/expected/") + name))
        << name;
  }
  EXPECT_EQ(Read(repo_ + "/.gitignore"), Expected("file-basic/expected/_gitignore"));
  EXPECT_EQ(CacheObjects(), Expected("file-basic/expected/cache_objects.txt"));
}

TEST_F(DvcCase, DirEdge) {
  ASSERT_EQ(Sh("dvc init -q").rc, 0);
  ASSERT_EQ(Sh("sh '" + fixture_ + "/dir-edge/input/make_input.sh' .").rc, 0);
  Ran add = Sh("dvc add data");
  EXPECT_EQ(add.rc, ExpectedRc("dir-edge/expected/add.rc"));
  EXPECT_EQ(NormalizeGitAddLine(add.out),
            NormalizeGitAddLine(Expected("dir-edge/expected/add.stdout")));
  EXPECT_EQ(Read(repo_ + "/data.dvc"), Expected("dir-edge/expected/data.dvc"));
  EXPECT_EQ(Read(repo_ + "/.gitignore"), Expected("dir-edge/expected/_gitignore"));
  std::string id = Sh("sed -n 's/^- md5: \\(.*\\)$/\\1/p' data.dvc").out;
  id = std::string(core::Trim(id));
  EXPECT_EQ(Read(repo_ + "/.dvc/cache/files/md5/" + id.substr(0, 2) + "/" + id.substr(2)),
            Expected("dir-edge/expected/tree.dir"));
  EXPECT_EQ(CacheObjects(), Expected("dir-edge/expected/cache_objects.txt"));
}

TEST_F(DvcCase, Config) {
  ASSERT_EQ(Sh("dvc init -q").rc, 0);
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"1-remote-add-default", "dvc remote add -d myremote ../remote"},
      {"2-remote-add-s3r", "dvc remote add s3r s3://bucket/prefix"},
      {"3-remote-modify-endpoint", "dvc remote modify s3r endpointurl http://127.0.0.1:9000"},
      {"4-remote-modify-local-ak", "dvc remote modify --local s3r access_key_id X"},
      {"5-remote-modify-local-sk", "dvc remote modify --local s3r secret_access_key Y"},
      {"6-config-cache-type", "dvc config cache.type copy"},
      {"config-list", "dvc config --list"},
      {"config-list-show-origin", "dvc config --list --show-origin"},
  };
  for (const auto& [name, cmd] : steps) {
    Ran ran = Sh(cmd);
    std::string expected = core::ReplaceAll(Expected("config/expected/cmd/" + name + ".stdout"),
                                            "{ROOT}", scratch_->path());
    EXPECT_EQ(ran.rc, ExpectedRc("config/expected/cmd/" + name + ".rc")) << cmd;
    EXPECT_EQ(ran.out, expected) << cmd;
  }
  EXPECT_EQ(Read(repo_ + "/.dvc/config"), Expected("config/expected/config"));
  EXPECT_EQ(Read(repo_ + "/.dvc/config.local"), Expected("config/expected/config.local"));
  EXPECT_EQ(Read(repo_ + "/.dvc/.gitignore"), Expected("config/expected/dvc_gitignore"));
  EXPECT_EQ(Read(repo_ + "/.dvcignore"), Expected("config/expected/_dvcignore"));
}

// The lines of `text`, sorted: for outputs whose order DVC leaves to a Python set.
std::multiset<std::string> LineSet(const std::string& text) {
  std::multiset<std::string> out;
  for (std::string_view line : core::SplitLines(text)) out.emplace(line);
  return out;
}

// JSON compared as parsed data, whatever the order of mapping members.
std::string SortedJson(const std::string& text) {
  core::Result<core::Value> v = core::ParseJson(text, "output");
  if (!v.ok()) return "unparsable: " + text;
  return core::ToJson(*v, {.sort_keys = true});
}

// Blocks of `dvc status` (a "name:" line and its TAB-indented lines), as a set: DVC lists
// stages in the file system's readdir order.
std::multiset<std::string> StatusBlocks(const std::string& text) {
  std::multiset<std::string> blocks;
  std::string current;
  for (std::string_view line : core::SplitLines(text)) {
    if (!line.empty() && line[0] != '\t' && !current.empty()) {
      blocks.insert(current);
      current.clear();
    }
    current += std::string(line) + "\n";
  }
  if (!current.empty()) blocks.insert(current);
  return blocks;
}

TEST_F(DvcCase, Pipeline) {
  const std::string in = fixture_ + "/pipeline/input/";
  const std::string out = "pipeline/expected/";
  ASSERT_EQ(Sh("dvc init -q && cp '" + in + "dvc.yaml' '" + in + "params.yaml' '" + in +
               "data.csv' . && git add -A && git commit -q -m baseline")
                .rc,
            0);
  Ran repro = Sh("dvc repro");
  EXPECT_EQ(repro.rc, ExpectedRc(out + "1-repro/repro.rc"));
  EXPECT_EQ(NormalizeGitAddLine(repro.out),
            NormalizeGitAddLine(Expected(out + "1-repro/repro.stdout")));
  EXPECT_EQ(Read(repo_ + "/dvc.lock"), Expected(out + "1-repro/dvc.lock"));
  EXPECT_EQ(Read(repo_ + "/.gitignore"), Expected(out + "1-repro/_gitignore"));
  EXPECT_EQ(Sh("dvc status").out, Expected(out + "1-repro/status.stdout"));
  ASSERT_EQ(Sh("git add -A && git commit -q -m 'first repro'").rc, 0);

  ASSERT_EQ(Sh("cp '" + in + "params-changed.yaml' params.yaml").rc, 0);
  const std::vector<std::pair<std::string, std::string>> step2 = {
      {"status", "dvc status"},
      {"status-json", "dvc status --json"},
      {"params-diff", "dvc params diff"},
      {"params-diff-json", "dvc params diff --json"},
  };
  for (const auto& [name, cmd] : step2) {
    Ran ran = Sh(cmd);
    EXPECT_EQ(ran.rc, ExpectedRc(out + "2-param-changed/" + name + ".rc")) << cmd;
    EXPECT_EQ(ran.out, Expected(out + "2-param-changed/" + name + ".stdout")) << cmd;
  }
  repro = Sh("dvc repro");
  EXPECT_EQ(repro.rc, ExpectedRc(out + "2-param-changed/repro.rc"));
  EXPECT_EQ(NormalizeGitAddLine(repro.out),
            NormalizeGitAddLine(Expected(out + "2-param-changed/repro.stdout")));
  EXPECT_EQ(Read(repo_ + "/dvc.lock"), Expected(out + "2-param-changed/dvc.lock"));
  EXPECT_EQ(Sh("dvc status").out, Expected(out + "2-param-changed/status-after.stdout"));

  const std::vector<std::pair<std::string, std::string>> step3 = {
      {"metrics-show", "dvc metrics show"},
      {"metrics-show-json", "dvc metrics show --json"},
      {"metrics-diff", "dvc metrics diff"},
      {"metrics-diff-json", "dvc metrics diff --json"},
      {"metrics-diff-all", "dvc metrics diff --all"},
      {"params-diff-all", "dvc params diff --all"},
  };
  for (const auto& [name, cmd] : step3) {
    Ran ran = Sh(cmd);
    EXPECT_EQ(ran.rc, ExpectedRc(out + "3-show/" + name + ".rc")) << cmd;
    EXPECT_EQ(ran.out, Expected(out + "3-show/" + name + ".stdout")) << cmd;
  }
}

TEST_F(DvcCase, RemoteLayout) {
  const std::string cases = fixture_;
  ASSERT_EQ(
      Sh("dvc init -q && sh '" + cases + "/file-basic/input/make_input.sh' . && sh '" + cases +
         "/dir-edge/input/make_input.sh' . && dvc add -q empty.txt crlf.txt binary.bin "
         "run.sh \"$(printf 'caf\\303\\251-\\346\\227\\245\\346\\234\\254.txt')\" "
         "'#weird[1]!.txt' && dvc add -q data")
          .rc,
      0);
  const std::string out = "remote-layout/expected/";
  for (const auto& [name, cmd] : std::vector<std::pair<std::string, std::string>>{
           {"remote-add", "dvc remote add -d myremote ../remote"},
           {"push", "dvc push"},
           {"push-again", "dvc push"},
           {"status-c", "dvc status -c"}}) {
    Ran ran = Sh(cmd);
    EXPECT_EQ(ran.rc, ExpectedRc(out + name + ".rc")) << cmd;
    EXPECT_EQ(ran.out, Expected(out + name + ".stdout")) << cmd;
  }
  EXPECT_EQ(Sh("cd ../remote && find . -type f | sed 's|^\\./||' | LC_ALL=C sort").out,
            Expected(out + "remote_files.txt"));
}

TEST_F(DvcCase, StatusOutput) {
  const std::string in = fixture_ + "/status-output/input/";
  const std::string out = "status-output/expected/";
  ASSERT_EQ(Sh("dvc init -q && cp -R '" + in + "a.txt' '" + in + "d' '" + in + "src.txt' '" + in +
               "dvc.yaml' . && dvc add -q a.txt d && dvc repro -q && dvc remote add -q -d "
               "myremote ../remote && dvc push -q && git add -A && git commit -q -m base")
                .rc,
            0);
  auto scen = [&](const std::string& name, bool several) {
    Ran status = Sh("dvc status");
    EXPECT_EQ(status.rc, ExpectedRc(out + name + "/status.rc")) << name;
    if (several) {
      EXPECT_EQ(StatusBlocks(status.out), StatusBlocks(Expected(out + name + "/status.stdout")));
    } else {
      EXPECT_EQ(status.out, Expected(out + name + "/status.stdout")) << name;
    }
    Ran json = Sh("dvc status --json");
    std::string expected_json = Expected(out + name + "/status-json.stdout");
    if (several) {  // the same members in any order
      EXPECT_EQ(SortedJson(json.out), SortedJson(expected_json)) << json.out;
    } else {
      EXPECT_EQ(json.out, expected_json) << name;
    }
    EXPECT_EQ(Sh("dvc status -q").rc, ExpectedRc(out + name + "/status-q.rc")) << name;
  };
  auto scenc = [&](const std::string& name) {
    Ran status = Sh("dvc status -c");
    EXPECT_EQ(status.rc, ExpectedRc(out + name + "/status-c.rc")) << name;
    EXPECT_EQ(LineSet(status.out), LineSet(Expected(out + name + "/status-c.stdout"))) << name;
  };
  scen("01-clean", false);
  scenc("01-clean");
  Sh("printf 'hello, changed\\n' > a.txt");
  scen("02-modified-file", false);
  Sh("printf 'hello\\n' > a.txt && rm a.txt");
  scen("03-deleted-file", false);
  Sh("printf 'hello\\n' > a.txt && printf 'one changed\\n' > d/f1");
  scen("04-modified-file-in-dir", false);
  Sh("printf 'one\\n' > d/f1 && printf 'three\\n' > d/f3");
  scen("05-new-file-in-dir", false);
  Sh("rm d/f3 && printf 'source v2\\n' > src.txt");
  scen("06-changed-dep", false);
  Sh("printf 'source v1\\n' > src.txt && rm out.txt");
  scen("07-deleted-out", false);
  Sh("printf 'source v1\\n' > out.txt && cp '" + in + "dvc-changed-cmd.yaml' dvc.yaml");
  scen("08-changed-cmd", false);
  Sh("cp '" + in + "dvc.yaml' dvc.yaml");
  std::string obj =
      "h=$(sed -n 's/^- md5: \\(.*\\)$/\\1/p' a.txt.dvc); o=.dvc/cache/files/md5/$(echo $h | cut "
      "-c1-2)/$(echo $h | cut -c3-)";
  Sh(obj + " && mv $o ../a.obj");
  scen("09-not-in-cache", false);
  Sh(obj +
     " && mv ../a.obj $o && printf 'hello, changed\\n' > a.txt && printf 'one changed\\n' > d/f1 "
     "&& printf 'source v2\\n' > src.txt");
  scen("10-several-changes", true);
  Sh("printf 'hello\\n' > a.txt && printf 'one\\n' > d/f1 && printf 'source v1\\n' > src.txt");
  scen("11-clean-again", false);
  Sh("printf 'bee\\n' > b.txt && dvc add -q b.txt && mkdir e && printf 'e1\\n' > e/e1 && "
     "printf 'e2\\n' > e/e2 && dvc add -q e && printf 'sea\\n' > c.txt && dvc add -q c.txt");
  Sh(obj +
     " && mv $o ../a.obj && h=$(sed -n 's/^- md5: \\(.*\\)$/\\1/p' c.txt.dvc) && rm -f "
     ".dvc/cache/files/md5/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-)");
  scenc("12-cloud-new-deleted-missing");
  Ran json = Sh("dvc status -c --json");
  EXPECT_EQ(LineSet(core::ReplaceAll(json.out, ", ", ",\n")),
            LineSet(core::ReplaceAll(
                Expected(out + "12-cloud-new-deleted-missing/status-c-json.stdout"), ", ", ",\n")));
}

}  // namespace
}  // namespace cairn
