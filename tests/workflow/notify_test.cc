// notify: the Slack-compatible message of a finished run, posted to a real HTTP receiver on
// 127.0.0.1 (net's server), and what happens when nobody is listening.
#include "workflow/notify.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "core/json.h"
#include "net/server.h"

namespace cairn::workflow {
namespace {

// An incoming-webhook receiver: records each POST body, answers `status`.
class Receiver {
 public:
  explicit Receiver(int status = 200) {
    net::Router router;
    router.Add("POST", "/hooks/T1/B2",
               [this, status](const net::ServerRequest& req, net::ServerResponse& res) {
                 std::lock_guard lock(mu_);
                 bodies_.push_back(req.body);
                 content_types_.push_back(std::string(req.Header("content-type").value_or("")));
                 res.SetText(status, status == 200 ? "ok" : "no_service");
               });
    net::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    auto server = net::HttpServer::Start(options, std::move(router));
    EXPECT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  ~Receiver() { server_->Stop(); }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/hooks/T1/B2";
  }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard lock(mu_);
    return content_types_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> bodies_;
  std::vector<std::string> content_types_;
  std::unique_ptr<net::HttpServer> server_;
};

RunResult FailedRun() {
  RunResult run;
  run.conclusion = Conclusion::kFailure;
  JobResult lint;
  lint.job_id = "lint";
  lint.display_name = "lint";
  run.jobs.push_back(lint);
  JobResult train;
  train.job_id = "train";
  train.display_name = "train (3.11)";
  train.conclusion = Conclusion::kFailure;
  train.reason = "step 'Train model' failed: exited with code 1";
  StepResult ok;
  ok.display_name = "Checkout";
  StepResult bad;
  bad.display_name = "Train model";
  bad.outcome = bad.conclusion = Conclusion::kFailure;
  bad.reason = "exited with code 1 (token hunter2)";
  train.steps = {ok, bad};
  run.jobs.push_back(train);
  return run;
}

RunNotice Notice(const RunResult& result) {
  RunNotice n;
  n.workflow = "Train";
  n.run_id = "42";
  n.ref = "refs/heads/main";
  n.sha = "0123456789abcdef0123456789abcdef01234567";
  n.event = "push";
  n.result = &result;
  return n;
}

std::string FieldValue(const core::Value& message, std::string_view title) {
  const core::Value* attachments = message.Find("attachments");
  if (attachments == nullptr || attachments->items().empty()) return "<no attachments>";
  for (const core::Value& f : attachments->items()[0].Find("fields")->items()) {
    if (f.Find("title")->AsString() == title) return f.Find("value")->AsString();
  }
  return "<no field " + std::string(title) + ">";
}

TEST(NotifyTest, ShouldNotifyFollowsTheConfig) {
  NotificationConfig none;
  EXPECT_FALSE(ShouldNotify(none, Conclusion::kFailure));
  NotificationConfig on_failure;
  on_failure.webhook = "http://x";
  EXPECT_TRUE(ShouldNotify(on_failure, Conclusion::kFailure));
  EXPECT_TRUE(ShouldNotify(on_failure, Conclusion::kCancelled));
  EXPECT_FALSE(ShouldNotify(on_failure, Conclusion::kSuccess));
  NotificationConfig always = on_failure;
  always.on = NotifyOn::kAlways;
  EXPECT_TRUE(ShouldNotify(always, Conclusion::kSuccess));
}

TEST(NotifyTest, AFailedRunIsPostedWithItsFailedJobAndStep) {
  Receiver receiver;
  auto http = net::NewCurlHttpClient();
  ASSERT_TRUE(http.ok());
  RunResult run = FailedRun();
  core::SecretMasker masker;
  masker.Add("hunter2");
  core::Status s = PostRunNotification(**http, receiver.url(), Notice(run), &masker);
  ASSERT_TRUE(s.ok()) << s.ToString();

  ASSERT_EQ(receiver.bodies().size(), 1u);
  EXPECT_EQ(receiver.content_types()[0], "application/json");
  auto message = core::ParseJson(receiver.bodies()[0], "body");
  ASSERT_TRUE(message.ok()) << receiver.bodies()[0];
  EXPECT_EQ(message->Find("text")->AsString(),
            "Workflow \"Train\" failed on main (0123456): job 'train (3.11)', step 'Train "
            "model': exited with code 1 (token ***). Details: `cairn run view 42`");
  EXPECT_EQ(FieldValue(*message, "Workflow"), "Train");
  EXPECT_EQ(FieldValue(*message, "Conclusion"), "failure");
  EXPECT_EQ(FieldValue(*message, "Ref"), "refs/heads/main");
  EXPECT_EQ(FieldValue(*message, "Commit"), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(FieldValue(*message, "Failed job"), "train (3.11)");
  EXPECT_EQ(FieldValue(*message, "Failed step"), "Train model");
  EXPECT_EQ(FieldValue(*message, "Reason"), "exited with code 1 (token ***)");
  EXPECT_EQ(FieldValue(*message, "Details"), "`cairn run view 42`");
  EXPECT_EQ(message->Find("attachments")->items()[0].Find("color")->AsString(), "#d00000");
  EXPECT_EQ(receiver.bodies()[0].find("hunter2"), std::string::npos);
}

TEST(NotifyTest, AJobRefusedBeforeItsStepsGivesTheJobsReason) {
  RunResult run;
  run.conclusion = Conclusion::kFailure;
  JobResult deploy;
  deploy.display_name = "deploy";
  deploy.conclusion = Conclusion::kFailure;
  deploy.reason = "environment 'ml-prod' allows branches main; refs/heads/tune is not one of them";
  run.jobs.push_back(deploy);
  RunNotice n = Notice(run);
  n.ref = "refs/heads/tune";
  core::Value message = BuildNotification(n, nullptr);
  EXPECT_EQ(message.Find("text")->AsString(),
            "Workflow \"Train\" failed on tune (0123456): job 'deploy': environment 'ml-prod' "
            "allows branches main; refs/heads/tune is not one of them. Details: `cairn run view "
            "42`");
  EXPECT_EQ(FieldValue(message, "Failed step"), "<no field Failed step>");
}

TEST(NotifyTest, ObserverPostsOnlyWhenAsked) {
  Receiver receiver;
  auto http = net::NewCurlHttpClient();
  ASSERT_TRUE(http.ok());
  Workflow workflow;
  workflow.file = ".github/workflows/train.yml";
  Event event;
  event.name = "push";
  event.ref = "refs/heads/main";
  event.sha = "abcdef0123";
  std::vector<std::string> warnings;
  NotificationConfig config;
  config.webhook = receiver.url();
  NotifyObserver observer(**http, config, receiver.url(), "7", nullptr,
                          [&](std::string_view w) { warnings.emplace_back(w); });
  observer.RunStarted(workflow, event);
  RunResult success;
  observer.RunFinished(success);  // on: failure: a success is not posted
  EXPECT_TRUE(receiver.bodies().empty());
  RunResult failed = FailedRun();
  observer.RunFinished(failed);
  ASSERT_EQ(receiver.bodies().size(), 1u);
  auto message = core::ParseJson(receiver.bodies()[0], "body");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(FieldValue(*message, "Workflow"), "train.yml");
  EXPECT_EQ(FieldValue(*message, "Details"), "`cairn run view 7`");
  EXPECT_TRUE(warnings.empty());
}

TEST(NotifyTest, FailuresToPostAreReturnedForAWarning) {
  auto http = net::NewCurlHttpClient();
  ASSERT_TRUE(http.ok());
  RunResult run = FailedRun();
  PostOptions once;
  once.attempts = 1;
  {
    Receiver refusing(403);
    core::Status s =
        PostRunNotification(**http, refusing.url() + "?token=secret", Notice(run), nullptr, once);
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message().find("refused: HTTP 403 no_service"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("token=secret"), std::string::npos) << s.message();
  }
  // Nobody listening (the receiver above is gone): a warning naming the host, not a crash.
  std::string url;
  {
    Receiver gone;
    url = gone.url();
  }
  std::vector<std::string> warnings;
  NotificationConfig config;
  config.webhook = url;
  NotifyObserver observer(
      **http, config, url, "1", nullptr, [&](std::string_view w) { warnings.emplace_back(w); },
      once);
  observer.RunFinished(run);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("not sent"), std::string::npos) << warnings[0];
}

TEST(NotifyTest, WebhookFromASecret) {
  NotificationConfig c;
  c.webhook_secret = "SLACK_HOOK";
  EXPECT_EQ(*WebhookUrl(c, {{"SLACK_HOOK", "https://hooks/x"}}), "https://hooks/x");
  EXPECT_EQ(WebhookUrl(c, {}).status().message(),
            "notify.webhook-secret names the secret SLACK_HOOK, which is not set "
            "(.cairn/secrets.env)");
}

}  // namespace
}  // namespace cairn::workflow
