// notify: tells a chat channel how a run ended, by posting a Slack-compatible message to an
// incoming webhook (.cairn/config.yaml `notify:`, settings.h). The message is
//   {"text": "<one line>", "attachments": [{"color", "title", "fields": [{title, value,
//    short}], "footer"}]}
// naming the workflow, ref, sha, conclusion, the first failed job and its failed step with the
// reason, and `cairn run view <id>`. Mattermost, Rocket.Chat and Discord's /slack endpoint
// take the same shape.
//
// Posting never fails a run: PostRunNotification returns a Status the caller prints as a
// warning. NotifyObserver is immutable after construction apart from what RunStarted records
// (under a mutex): thread-safe as a RunObserver must be.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/mask.h"
#include "core/status.h"
#include "core/value.h"
#include "net/net.h"
#include "workflow/runner.h"
#include "workflow/settings.h"

namespace cairn::workflow {

/// What the message says about a finished run.
struct RunNotice {
  std::string workflow;  // the workflow's name (or its file when it has none)
  std::string run_id;    // for `cairn run view <id>`
  std::string ref;       // "refs/heads/main"
  std::string sha;
  std::string event;  // "push"
  const RunResult* result = nullptr;
};

/// Whether a run that ended with `conclusion` is to be posted under `config` (a webhook is set,
/// and the run failed or `on: always`). A cancelled run counts as not succeeded.
bool ShouldNotify(const NotificationConfig& config, Conclusion conclusion);

/// The JSON message for `notice` (every string masked with `masker` when given).
core::Value BuildNotification(const RunNotice& notice, const core::SecretMasker* masker);

struct PostOptions {
  std::chrono::milliseconds timeout{10'000};  // per attempt
  int attempts = 3;                           // connection failures and 5xx are tried again
};

/// POSTs BuildNotification(notice) as JSON to `webhook_url`. Fails (for a warning) when the
/// receiver could not be reached or answered other than 2xx; the URL in messages is redacted.
core::Status PostRunNotification(net::HttpClient& http, std::string_view webhook_url,
                                 const RunNotice& notice, const core::SecretMasker* masker,
                                 const PostOptions& options = {});

/// The webhook URL of `config`: its `webhook`, or the secret `webhook_secret` names (NotFound
/// when that secret is not set).
core::Result<std::string> WebhookUrl(const NotificationConfig& config,
                                     const std::map<std::string, std::string>& secrets);

/// A RunObserver posting the notification when the run finishes (if ShouldNotify), and
/// handing a failure to `warn` ("notification not sent: ...").
class NotifyObserver : public RunObserver {
 public:
  NotifyObserver(net::HttpClient& http, NotificationConfig config, std::string webhook_url,
                 std::string run_id, std::shared_ptr<core::SecretMasker> masker,
                 std::function<void(std::string_view)> warn, PostOptions options = {});

  void RunStarted(const Workflow& workflow, const Event& event) override;
  void RunFinished(const RunResult& result) override;

 private:
  net::HttpClient& http_;
  NotificationConfig config_;
  std::string webhook_url_;
  std::string run_id_;
  std::shared_ptr<core::SecretMasker> masker_;
  std::function<void(std::string_view)> warn_;
  PostOptions options_;
  std::mutex mu_;
  RunNotice notice_;  // guarded by mu_ (filled by RunStarted)
};

}  // namespace cairn::workflow
