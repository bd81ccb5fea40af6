// RunHistory and HistoryRecorder over a real SQLite file and real log files: a run recorded
// from several job threads and read back, ids and run numbers, list order and filters,
// pruning, a run whose process died, and that no secret reaches the history.
#include "workflow/history.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/strings.h"
#include "db/db.h"
#include "sys/env.h"
#include "sys/temp_dir.h"

namespace cairn::workflow {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RunRequest Request(std::string file, std::string name = "") {
  RunRequest r;
  r.workflow_file = std::move(file);
  r.workflow_name = std::move(name);
  r.event_name = "push";
  r.ref = "refs/heads/main";
  r.sha = "0123456789abcdef0123456789abcdef01234567";
  r.actor = "dev";
  return r;
}

StepResult Step(std::string id, Conclusion c, std::string reason = "") {
  StepResult s;
  s.id = std::move(id);
  s.display_name = "Run " + s.id;
  s.outcome = c;
  s.conclusion = c;
  s.reason = std::move(reason);
  return s;
}

class HistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = sys::TempDir::Create("cairn-history-test-");
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    dir_ = std::make_unique<sys::TempDir>(std::move(*dir));
    cairn_ = dir_->Path(".cairn");
    env_ = sys::NewPosixEnv();
    auto h = RunHistory::Open(cairn_, *env_);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    history_ = std::move(*h);
  }

  BegunRun Begin(const RunRequest& request) {
    auto begun = history_->BeginRun(request);
    EXPECT_TRUE(begun.ok()) << begun.status().ToString();
    return begun.ok() ? *begun : BegunRun{};
  }

  // A run of one job with one successful step, completed with `c`.
  int64_t CompletedRun(const RunRequest& request, Conclusion c = Conclusion::kSuccess) {
    BegunRun begun = Begin(request);
    HistoryRecorder recorder(*history_, begun.id);
    JobRef job{"build", "build"};
    recorder.JobStarted(job);
    recorder.StepStarted(job, 0, "Run make");
    recorder.Line(job, 0, LineKind::kOutput, "ok");
    recorder.StepFinished(job, 0, Step("make", c));
    JobResult result;
    result.conclusion = c;
    recorder.JobFinished(job, result, "");
    RunResult run;
    run.conclusion = c;
    recorder.RunFinished(run);
    EXPECT_TRUE(recorder.status().ok()) << recorder.status().ToString();
    return begun.id;
  }

  std::unique_ptr<sys::TempDir> dir_;
  std::string cairn_;
  std::unique_ptr<sys::Env> env_;
  std::unique_ptr<RunHistory> history_;
};

TEST(SanitizeLogNameTest, KeepsSafeCharactersAndCollapsesTheRest) {
  EXPECT_EQ(SanitizeLogName("build (ubuntu-latest, 3.11)"), "build_ubuntu-latest_3.11_");
  EXPECT_EQ(SanitizeLogName("../../etc/passwd"), ".._.._etc_passwd");
  EXPECT_EQ(SanitizeLogName(".."), "job..");
  EXPECT_EQ(SanitizeLogName(""), "job");
  EXPECT_EQ(SanitizeLogName("train"), "train");
}

TEST_F(HistoryTest, OpensAnEmptyFileAndReopensAMigratedOne) {
  std::string other = dir_->Path("other");
  fs::create_directories(other);
  std::ofstream(other + "/runs.db").close();  // an empty file: SQLite treats it as new
  auto opened = RunHistory::Open(other, *env_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto runs = (*opened)->List();
  ASSERT_TRUE(runs.ok());
  EXPECT_TRUE(runs->empty());
  auto begun = (*opened)->BeginRun(Request(".github/workflows/ci.yml"));
  ASSERT_TRUE(begun.ok()) << begun.status().ToString();
  EXPECT_EQ(begun->id, 1);
  EXPECT_EQ(begun->run_number, 1);
  EXPECT_TRUE(fs::is_directory(other + "/runs/1"));
  opened->reset();
  // Opening again keeps what was recorded.
  auto again = RunHistory::Open(other, *env_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  auto run = (*again)->Get(1);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->request.workflow_file, ".github/workflows/ci.yml");
  EXPECT_EQ(run->status, RunStatus::kInProgress);
  EXPECT_EQ(run->pid, ::getpid());
}

TEST_F(HistoryTest, RecordsJobsStepsAndLogsFromSeveralThreads) {
  RunRequest request = Request(".github/workflows/train.yml", "Train");
  request.event_options_json = R"({"event":"push","ref":"refs/heads/main"})";
  request.only_jobs = {"test"};
  request.worktree = true;
  BegunRun begun = Begin(request);
  HistoryRecorder recorder(*history_, begun.id);

  constexpr int kJobs = 4, kSteps = 3, kLines = 40;
  std::vector<std::thread> threads;
  for (int j = 0; j < kJobs; ++j) {
    threads.emplace_back([&recorder, j] {
      JobRef job{"test", "test (" + std::to_string(j) + ")"};
      recorder.JobStarted(job);
      recorder.Line(job, -1, LineKind::kCommand, "job setup");
      JobResult result;
      result.job_id = job.job_id;
      result.display_name = job.display_name;
      for (int s = 0; s < kSteps; ++s) {
        recorder.StepStarted(job, s, "Run step " + std::to_string(s));
        for (int l = 0; l < kLines; ++l) {
          recorder.Line(job, s, LineKind::kOutput,
                        "job " + std::to_string(j) + " step " + std::to_string(s) + " line " +
                            std::to_string(l));
        }
        bool fails = j == 3 && s == 2;
        recorder.StepFinished(
            job, s,
            Step("s" + std::to_string(s), fails ? Conclusion::kFailure : Conclusion::kSuccess,
                 fails ? "exited with code 1" : ""));
      }
      result.conclusion = j == 3 ? Conclusion::kFailure : Conclusion::kSuccess;
      result.reason = j == 3 ? "step 'Run s2' failed: exited with code 1" : "";
      result.outputs["leg"] = std::to_string(j);
      recorder.JobFinished(job, result, j == 0 ? "## Summary of leg 0\n" : "");
    });
  }
  for (std::thread& t : threads) t.join();
  // A job skipped by its `if:` gets only JobFinished.
  JobResult skipped;
  skipped.conclusion = Conclusion::kSkipped;
  skipped.reason = "condition false: github.ref == 'refs/heads/release'";
  recorder.JobFinished(JobRef{"deploy", "deploy"}, skipped, "");
  RunResult result;
  result.conclusion = Conclusion::kFailure;
  recorder.RunFinished(result);
  ASSERT_TRUE(recorder.status().ok()) << recorder.status().ToString();

  auto run = history_->Get(begun.id);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->status, RunStatus::kCompleted);
  EXPECT_EQ(run->conclusion, "failure");
  EXPECT_TRUE(run->finished_ms.has_value());
  EXPECT_EQ(run->request.workflow_name, "Train");
  EXPECT_EQ(run->request.event_options_json, R"({"event":"push","ref":"refs/heads/main"})");
  EXPECT_EQ(run->request.only_jobs, std::vector<std::string>{"test"});
  EXPECT_TRUE(run->request.worktree);
  ASSERT_EQ(run->jobs.size(), size_t{kJobs + 1});
  int failed = 0;
  for (const JobRecord& job : run->jobs) {
    if (job.job_id == "deploy") {
      EXPECT_EQ(job.conclusion, "skipped");
      EXPECT_EQ(job.reason, "condition false: github.ref == 'refs/heads/release'");
      EXPECT_TRUE(job.steps.empty());
      continue;
    }
    ASSERT_EQ(job.steps.size(), size_t{kSteps}) << job.display_name;
    for (int s = 0; s < kSteps; ++s) {
      EXPECT_EQ(job.steps[s].index, s);
      EXPECT_EQ(job.steps[s].id, "s" + std::to_string(s));
      EXPECT_LE(job.steps[s].started_ms, job.steps[s].finished_ms);
    }
    if (job.conclusion == "failure") {
      ++failed;
      EXPECT_EQ(job.display_name, "test (3)");
      EXPECT_EQ(job.reason, "step 'Run s2' failed: exited with code 1");
      EXPECT_EQ(job.steps[2].conclusion, "failure");
      EXPECT_EQ(job.steps[2].reason, "exited with code 1");
    }
    std::string leg = job.display_name.substr(6, 1);
    EXPECT_EQ(job.outputs.at("leg"), leg);
    EXPECT_EQ(job.log_file, "test_" + leg + "_.log");
    EXPECT_EQ(job.has_summary, leg == "0");

    // The log: the job's own line, then each step's marker and lines, attributed to it.
    auto log = history_->ReadJobLog(begun.id, job.display_name);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_EQ(log->size(), size_t{1 + kSteps * (kLines + 1)});
    EXPECT_EQ((*log)[0].step, -1);
    EXPECT_EQ((*log)[0].text, "job setup");
    size_t at = 1;
    for (int s = 0; s < kSteps; ++s) {
      EXPECT_EQ((*log)[at].step, s);
      EXPECT_EQ((*log)[at++].text, "##[step] Run step " + std::to_string(s));
      for (int l = 0; l < kLines; ++l, ++at) {
        EXPECT_EQ((*log)[at].step, s);
        EXPECT_EQ((*log)[at].text,
                  "job " + leg + " step " + std::to_string(s) + " line " + std::to_string(l));
      }
    }
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(ReadAll(begun.dir + "/test_0_.summary.md"), "## Summary of leg 0\n");
  EXPECT_FALSE(fs::exists(begun.dir + "/test_1_.summary.md"));

  // A job named by its id when more than one leg has it: an error listing them.
  auto ambiguous = history_->ReadJobLog(begun.id, "test");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.status().message().find("'test (0)'"), std::string::npos);
  auto by_id = history_->ReadJobLog(begun.id, "deploy");
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_TRUE(by_id->empty());
}

TEST_F(HistoryTest, IdsAndRunNumbersListOrderAndFilters) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(CompletedRun(Request(".github/workflows/train.yml")));
  ids.push_back(CompletedRun(Request(".github/workflows/deploy.yml", "Deploy")));
  ids.push_back(CompletedRun(Request(".github/workflows/train.yml"), Conclusion::kFailure));
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2, 3, 4, 5}));

  auto all = history_->List();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[0].id, 5);  // newest first
  EXPECT_EQ((*all)[0].run_number, 4);
  EXPECT_EQ((*all)[0].conclusion, "failure");
  EXPECT_EQ((*all)[1].run_number, 1);  // deploy's first
  EXPECT_EQ((*all)[4].id, 1);
  EXPECT_TRUE((*all)[0].jobs.empty());  // List leaves jobs out

  for (const char* filter : {"train.yml", "train", ".github/workflows/train.yml"}) {
    auto train = history_->List(filter);
    ASSERT_TRUE(train.ok());
    ASSERT_EQ(train->size(), 4u) << filter;
    EXPECT_EQ((*train)[0].run_number, 4);
    EXPECT_EQ((*train)[3].run_number, 1);
  }
  auto by_name = history_->List("Deploy");
  ASSERT_TRUE(by_name.ok());
  ASSERT_EQ(by_name->size(), 1u);
  EXPECT_EQ((*by_name)[0].id, 4);
  auto limited = history_->List("train", 2);
  ASSERT_TRUE(limited.ok());
  ASSERT_EQ(limited->size(), 2u);
  EXPECT_EQ((*limited)[1].id, 3);
  auto none = history_->List("nothing.yml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto missing = history_->Get(99);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::Code::kResourceDoesNotExist);
  EXPECT_NE(missing.status().message().find("no run 99"), std::string::npos);
}

TEST_F(HistoryTest, PruneByCountAndAgeKeepsRunningRunsAndNeverReusesIds) {
  for (int i = 0; i < 4; ++i) CompletedRun(Request(".github/workflows/ci.yml"));
  BegunRun running = Begin(Request(".github/workflows/ci.yml"));  // in progress (this process)
  fs::create_directories(cairn_ + "/runs/3/debris");
  fs::create_directories(cairn_ + "/runs/not-a-run");

  auto removed = history_->Prune({.days = std::nullopt, .keep = 2});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, (std::vector<int64_t>{1, 2}));
  for (int id : {1, 2}) EXPECT_FALSE(fs::exists(cairn_ + "/runs/" + std::to_string(id))) << id;
  for (int id : {3, 4, 5}) EXPECT_TRUE(fs::exists(cairn_ + "/runs/" + std::to_string(id))) << id;
  EXPECT_TRUE(fs::exists(cairn_ + "/runs/not-a-run"));  // not ours to remove
  EXPECT_FALSE(history_->Get(1).ok());
  EXPECT_TRUE(history_->Get(running.id).ok());

  // Age: run 3 started 100 days ago.
  {
    auto conn = db::OpenSqlite(history_->db_path());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)
                    ->Exec("UPDATE runs SET started_ms = started_ms - 100 * 86400000 WHERE id = 3")
                    .ok());
  }
  // An orphan directory (a crash between commit and removal) goes too.
  fs::create_directories(cairn_ + "/runs/2");
  removed = history_->Prune({.days = 90, .keep = std::nullopt});
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_EQ(*removed, (std::vector<int64_t>{3}));
  EXPECT_FALSE(fs::exists(cairn_ + "/runs/2"));
  EXPECT_FALSE(fs::exists(cairn_ + "/runs/3"));
  auto left = history_->List();
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 2u);

  // Pruning everything completed keeps counting: no id nor run number is given twice.
  ASSERT_TRUE(history_->FinishRun(running.id, Conclusion::kSuccess).ok());
  removed = history_->Prune({.days = std::nullopt, .keep = 0});
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, (std::vector<int64_t>{4, 5}));
  BegunRun next = Begin(Request(".github/workflows/ci.yml"));
  EXPECT_EQ(next.id, 6);
  EXPECT_EQ(next.run_number, 6);
}

TEST_F(HistoryTest, ARunWhoseProcessDiedIsMarkedInterrupted) {
  // A child process begins a run, starts a job, logs a line and dies without finishing.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::unique_ptr<sys::Env> env = sys::NewPosixEnv();
    auto h = RunHistory::Open(cairn_, *env);
    if (!h.ok()) ::_exit(2);
    auto begun = (*h)->BeginRun(Request(".github/workflows/ci.yml"));
    if (!begun.ok()) ::_exit(3);
    HistoryRecorder recorder(**h, begun->id);
    JobRef job{"build", "build"};
    recorder.JobStarted(job);
    recorder.StepStarted(job, 0, "Run make");
    recorder.Line(job, 0, LineKind::kOutput, "compiling");
    ::_exit(recorder.status().ok() ? 0 : 4);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);

  // Listing shows it as it was left: in progress.
  auto runs = history_->List();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].status, RunStatus::kInProgress);
  EXPECT_EQ((*runs)[0].pid, child);

  // The next run marks it: completed, cancelled, interrupted; its running job too.
  BegunRun next = Begin(Request(".github/workflows/ci.yml"));
  EXPECT_EQ(next.run_number, 2);
  auto dead = history_->Get((*runs)[0].id);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(dead->status, RunStatus::kCompleted);
  EXPECT_EQ(dead->conclusion, "cancelled");
  EXPECT_NE(dead->reason.find("interrupted"), std::string::npos) << dead->reason;
  EXPECT_NE(dead->reason.find(std::to_string(child)), std::string::npos) << dead->reason;
  ASSERT_EQ(dead->jobs.size(), 1u);
  EXPECT_EQ(dead->jobs[0].conclusion, "cancelled");
  EXPECT_EQ(dead->jobs[0].reason, "interrupted");
  auto log = history_->ReadJobLog(dead->id, "build");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[1].text, "compiling");

  // This process's own run is alive: neither BeginRun nor Prune touches it.
  ASSERT_TRUE(history_->Prune({.days = std::nullopt, .keep = 0}).ok());
  auto mine = history_->Get(next.id);
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->status, RunStatus::kInProgress);
}

TEST_F(HistoryTest, NoSecretReachesTheHistoryAndNothingElseIsWritten) {
  const std::string secret = "hunter2-Sup3r-S3cret";
  auto masker = std::make_shared<core::SecretMasker>();
  masker->Add(secret);
  BegunRun begun = Begin(Request(".github/workflows/ci.yml"));
  HistoryRecorder recorder(*history_, begun.id, masker);
  JobRef job{"deploy", "deploy"};

  // The runner hands over lines it masked; they land exactly as given, and only they.
  std::vector<std::string> raw = {"token=" + secret, "b64 " + core::Base64Encode(secret),
                                  "url " + core::PercentEncode("a b " + secret), "plain"};
  std::string expected = "[0] ##[step] Run deploy\n";
  recorder.JobStarted(job);
  recorder.StepStarted(job, 0, "Run deploy");
  for (const std::string& line : raw) {
    std::string masked = masker->Mask(line);
    if (line != "plain") {
      EXPECT_NE(masked, line);
    }
    recorder.Line(job, 0, LineKind::kOutput, masked);
    expected += "[0] " + masked + "\n";
  }
  // Reasons and outputs the runner did not mask are masked by the recorder.
  StepResult step = Step("deploy", Conclusion::kFailure, "curl -H 'token " + secret + "' failed");
  recorder.StepFinished(job, 0, step);
  JobResult result;
  result.conclusion = Conclusion::kFailure;
  result.reason = "step failed: " + secret;
  result.outputs["url"] = "https://x/?t=" + secret;
  recorder.JobFinished(job, result, masker->Mask("summary " + secret));
  recorder.RunFinished(RunResult{Conclusion::kFailure, {}, {}});
  ASSERT_TRUE(recorder.status().ok()) << recorder.status().ToString();
  history_.reset();  // checkpoint and close the database, so every byte is in runs.db

  EXPECT_EQ(ReadAll(begun.dir + "/deploy.log"), expected);
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(cairn_)) {
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  }
  EXPECT_EQ(files.size(), 3u);  // runs.db, deploy.log, deploy.summary.md
  for (const std::string& file : files) {
    std::string bytes = ReadAll(file);
    for (const std::string& form : {secret, core::Base64Encode(secret)}) {
      EXPECT_EQ(bytes.find(form), std::string::npos) << file << " holds " << form;
    }
  }
  auto reopened = RunHistory::Open(cairn_, *env_);
  ASSERT_TRUE(reopened.ok());
  auto run = (*reopened)->Get(begun.id);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(run->jobs.size(), 1u);
  EXPECT_EQ(run->jobs[0].reason, "step failed: ***");
  EXPECT_EQ(run->jobs[0].outputs.at("url"), "https://x/?t=***");
  EXPECT_EQ(run->jobs[0].steps.at(0).reason, "curl -H 'token ***' failed");
}

}  // namespace
}  // namespace cairn::workflow
