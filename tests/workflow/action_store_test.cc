// actions/cache (+ restore/save) and upload/download-artifact with PruneArtifacts, across
// "jobs" with fresh workspaces sharing the run's directories.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "action_fixture.h"
#include "core/hash.h"
#include "workflow/artifacts.h"
#include "workflow/cache_store.h"

namespace cairn::workflow::testing {
namespace {

using CacheTest = ActionTest;

TEST_F(CacheTest, SaveThenExactHitRestoresFilesInANewWorkspace) {
  auto job1 = NewJob("j1");
  std::unique_ptr<Action> cache;
  std::map<std::string, std::string> with = {{"path", "deps\n~/.tool/data.bin"},
                                             {"key", "deps-v1"}};
  ASSERT_EQ(Main(*job1, "actions/cache@v4", with, &cache), Conclusion::kSuccess);
  EXPECT_EQ(job1->outputs["cache-hit"], "false");
  EXPECT_TRUE(job1->Logged("Cache not found for input keys: deps-v1"));
  Write(job1->workspace() + "/deps/lib/x.py", "print(1)\n");
  Write(home_ + "/.tool/data.bin", "bin");
  EXPECT_EQ(cache->PostIf(), "success()");
  ASSERT_TRUE(cache->Post(*job1, with).ok());
  EXPECT_TRUE(job1->Logged("Cache saved with key: deps-v1 (2 files)")) << job1->AllLines();

  ASSERT_TRUE(os_->RemoveAll(home_ + "/.tool").ok());
  auto job2 = NewJob("j2");
  ASSERT_EQ(Main(*job2, "actions/cache@v4", with, &cache), Conclusion::kSuccess);
  EXPECT_EQ(job2->outputs["cache-hit"], "true");
  EXPECT_EQ(Read(job2->workspace() + "/deps/lib/x.py"), "print(1)\n");
  EXPECT_EQ(Read(home_ + "/.tool/data.bin"), "bin");
  ASSERT_TRUE(cache->Post(*job2, with).ok());
  EXPECT_TRUE(job2->Logged("not saving cache"));

  // Other paths are another cache (a version of their own).
  auto job3 = NewJob("j3");
  ASSERT_EQ(Main(*job3, "actions/cache@v4", {{"path", "other"}, {"key", "deps-v1"}}),
            Conclusion::kSuccess);
  EXPECT_EQ(job3->outputs["cache-hit"], "false");
}

TEST_F(CacheTest, RestoreKeysMatchByPrefixNewestFirst) {
  for (const char* key : {"pip-old", "pip-new"}) {
    auto job = NewJob(std::string("save-") + key);
    Write(job->workspace() + "/c/which.txt", key);
    ASSERT_EQ(Main(*job, "actions/cache/save@v4", {{"path", "c"}, {"key", key}}),
              Conclusion::kSuccess);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto job = NewJob("restore");
  ASSERT_EQ(Main(*job, "actions/cache/restore@v4",
                 {{"path", "c"}, {"key", "pip-abc"}, {"restore-keys", "nomatch-\npip-"}}),
            Conclusion::kSuccess);
  EXPECT_EQ(job->outputs["cache-hit"], "false");
  EXPECT_EQ(job->outputs["cache-matched-key"], "pip-new");
  EXPECT_EQ(job->outputs["cache-primary-key"], "pip-abc");
  EXPECT_EQ(Read(job->workspace() + "/c/which.txt"), "pip-new");

  auto miss = NewJob("miss");
  EXPECT_EQ(Main(*miss, "actions/cache/restore@v4",
                 {{"path", "c"}, {"key", "none"}, {"fail-on-cache-miss", "true"}}),
            Conclusion::kFailure);

  // A key is saved once: the second save warns.
  auto again = NewJob("again");
  Write(again->workspace() + "/c/which.txt", "again");
  ASSERT_EQ(Main(*again, "actions/cache/save@v4", {{"path", "c"}, {"key", "pip-new"}}),
            Conclusion::kSuccess);
  EXPECT_TRUE(again->Logged("Unable to reserve cache with key pip-new")) << again->AllLines();
}

TEST_F(CacheTest, ConcurrentSavesOfOneKeyOneWins) {
  std::vector<std::string> files;
  for (int i = 0; i < 2; ++i) {
    std::string f = root_->Path("src" + std::to_string(i) + "/f.txt");
    Write(f, "content " + std::to_string(i));
    files.push_back(f);
  }
  std::vector<core::Status> results(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
      CacheStore store(*env, options_.dirs.cache);
      results[i] = store.Save("k", "v", {files[i % 2]}, root_->Path("src" + std::to_string(i % 2)),
                              static_cast<int64_t>(i));
    });
  }
  for (std::thread& t : threads) t.join();
  int ok = 0;
  for (const core::Status& s : results) {
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_TRUE(s.IsAlreadyExists()) << s.ToString();
    }
  }
  EXPECT_EQ(ok, 1);
  CacheStore store(*os_, options_.dirs.cache);
  auto entry = store.Find("k", {}, "v");
  ASSERT_TRUE(entry.ok() && entry->has_value());
  ASSERT_EQ((*entry)->files.size(), 1u);
  std::string out = root_->Path("restored");
  ASSERT_TRUE(store.Restore(**entry, out).ok());
  std::string text = Read(out + "/f.txt");
  EXPECT_TRUE(text == "content 0" || text == "content 1") << text;
}

using ArtifactTest = ActionTest;

TEST_F(ArtifactTest, UploadInOneJobDownloadInAnother) {
  auto up = NewJob("up");
  Write(up->workspace() + "/out/model/weights.bin", "w");
  Write(up->workspace() + "/out/model/debug.log", "log");
  Write(up->workspace() + "/out/metrics/score.json", "{}");
  Write(up->workspace() + "/out/model/.secret", "hidden");
  ASSERT_EQ(Main(*up, "actions/upload-artifact@v4",
                 {{"name", "model"},
                  {"path", "out/model/\nout/metrics/*.json\n!**/*.log"},
                  {"retention-days", "5"}}),
            Conclusion::kSuccess);
  EXPECT_FALSE(up->outputs["artifact-id"].empty());

  auto down = NewJob("down");
  ASSERT_EQ(Main(*down, "actions/download-artifact@v4", {{"name", "model"}, {"path", "got"}}),
            Conclusion::kSuccess);
  // Stored relative to the least common ancestor of out/model and out/metrics: out/.
  std::string got = down->workspace() + "/got";
  EXPECT_EQ(Read(got + "/model/weights.bin"), "w");
  EXPECT_EQ(Read(got + "/metrics/score.json"), "{}");
  EXPECT_FALSE(os_->Exists(got + "/model/debug.log"));
  EXPECT_FALSE(os_->Exists(got + "/model/.secret"));
  EXPECT_EQ(down->outputs["download-path"], got);

  // Without a name: every artifact, each into a directory of its name.
  auto up2 = NewJob("up2");
  Write(up2->workspace() + "/dist/pkg.whl", "whl");
  ASSERT_EQ(Main(*up2, "actions/upload-artifact@v4", {{"path", "dist"}}), Conclusion::kSuccess);
  auto all = NewJob("all");
  ASSERT_EQ(Main(*all, "actions/download-artifact@v4", {}), Conclusion::kSuccess);
  EXPECT_EQ(Read(all->workspace() + "/artifact/pkg.whl"),
            "whl");  // a single directory: its contents
  EXPECT_EQ(Read(all->workspace() + "/model/model/weights.bin"), "w");

  auto missing = NewJob("missing");
  EXPECT_EQ(Main(*missing, "actions/download-artifact@v4", {{"name", "nope"}}),
            Conclusion::kFailure);
  EXPECT_TRUE(missing->Logged("Artifact not found for name: nope"));
}

TEST_F(ArtifactTest, IfNoFilesFoundAndOverwrite) {
  auto job = NewJob("j");
  EXPECT_EQ(Main(*job, "actions/upload-artifact@v4", {{"path", "nothing/*"}}),
            Conclusion::kSuccess);
  EXPECT_TRUE(job->Logged("Warning: No files were found with the provided path: nothing/*"));
  EXPECT_EQ(Main(*job, "actions/upload-artifact@v4",
                 {{"path", "nothing/*"}, {"if-no-files-found", "error"}}),
            Conclusion::kFailure);
  EXPECT_EQ(Main(*job, "actions/upload-artifact@v4",
                 {{"path", "nothing/*"}, {"if-no-files-found", "ignore"}}),
            Conclusion::kSuccess);
  EXPECT_FALSE(os_->Exists(options_.dirs.artifacts + "/42/artifact"));

  Write(job->workspace() + "/r.txt", "1");
  EXPECT_EQ(Main(*job, "actions/upload-artifact@v4", {{"path", "r.txt"}}), Conclusion::kSuccess);
  Write(job->workspace() + "/r.txt", "2");
  EXPECT_EQ(Main(*job, "actions/upload-artifact@v4", {{"path", "r.txt"}}), Conclusion::kFailure);
  EXPECT_TRUE(job->Logged("already exists"));
  EXPECT_EQ(Main(*job, "actions/upload-artifact@v4", {{"path", "r.txt"}, {"overwrite", "true"}}),
            Conclusion::kSuccess);
  EXPECT_EQ(Read(options_.dirs.artifacts + "/42/artifact/files/r.txt"), "2");

  auto bad = ResolveAction(Uses("actions/upload-artifact@v4"), job->workspace());
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE((*bad)->Main(*job, {{"path", "r.txt"}, {"name", "a/b"}}).ok());
  EXPECT_FALSE((*bad)->Main(*job, {{"path", "r.txt"}, {"retention-days", "soon"}}).ok());
}

TEST_F(ArtifactTest, PruneRemovesExpiredArtifactsOnly) {
  auto job = NewJob("j");
  Write(job->workspace() + "/f.txt", "f");
  ASSERT_EQ(Main(*job, "actions/upload-artifact@v4",
                 {{"name", "short"}, {"path", "f.txt"}, {"retention-days", "1"}}),
            Conclusion::kSuccess);
  ASSERT_EQ(Main(*job, "actions/upload-artifact@v4",
                 {{"name", "long"}, {"path", "f.txt"}, {"retention-days", "30"}}),
            Conclusion::kSuccess);
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(PruneArtifacts(options_.dirs.artifacts, now).value_or(-1), 0);
  EXPECT_EQ(PruneArtifacts(options_.dirs.artifacts, now + std::chrono::hours(48)).value_or(-1), 1);
  EXPECT_FALSE(os_->Exists(options_.dirs.artifacts + "/42/short"));
  EXPECT_TRUE(os_->Exists(options_.dirs.artifacts + "/42/long/manifest.json"));
  EXPECT_EQ(PruneArtifacts(options_.dirs.artifacts, now + std::chrono::hours(24 * 31)).value_or(-1),
            1);
  EXPECT_FALSE(os_->Exists(options_.dirs.artifacts + "/42"));
  EXPECT_EQ(PruneArtifacts(root_->Path("absent"), now).value_or(-1), 0);
}

}  // namespace
}  // namespace cairn::workflow::testing
