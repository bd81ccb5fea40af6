// notify: the Slack-compatible run message and its POST (notify.h).
#include "workflow/notify.h"

#include <fmt/format.h>

#include "core/json.h"
#include "core/path.h"

namespace cairn::workflow {
namespace {

core::Value Field(std::string_view title, std::string_view value, bool short_field) {
  core::Value f = core::Value::Mapping();
  f.Set("title", core::Value::String(std::string(title)));
  f.Set("value", core::Value::String(std::string(value)));
  f.Set("short", core::Value::Bool(short_field));
  return f;
}

std::string ShortSha(std::string_view sha) { return std::string(sha.substr(0, 7)); }

std::string RefName(std::string_view ref) {
  for (std::string_view prefix : {"refs/heads/", "refs/tags/"}) {
    if (ref.starts_with(prefix)) return std::string(ref.substr(prefix.size()));
  }
  return std::string(ref);
}

}  // namespace

bool ShouldNotify(const NotificationConfig& config, Conclusion conclusion) {
  if (!config.enabled()) return false;
  return config.on == NotifyOn::kAlways || conclusion != Conclusion::kSuccess;
}

core::Value BuildNotification(const RunNotice& notice, const core::SecretMasker* masker) {
  auto mask = [masker](std::string_view s) {
    return masker != nullptr ? masker->Mask(s) : std::string(s);
  };
  Conclusion conclusion = notice.result ? notice.result->conclusion : Conclusion::kSuccess;
  std::string outcome(ConclusionName(conclusion));

  // The first job that failed (in the order they finished), and its first failed step.
  const JobResult* failed_job = nullptr;
  const StepResult* failed_step = nullptr;
  if (notice.result != nullptr) {
    for (const JobResult& job : notice.result->jobs) {
      if (job.conclusion == Conclusion::kFailure) {
        failed_job = &job;
        break;
      }
    }
    if (failed_job != nullptr) {
      for (const StepResult& step : failed_job->steps) {
        if (step.conclusion == Conclusion::kFailure) {
          failed_step = &step;
          break;
        }
      }
    }
  }
  std::string view = fmt::format("cairn run view {}", notice.run_id);
  std::string where = fmt::format("{} ({})", RefName(notice.ref), ShortSha(notice.sha));
  std::string text;
  if (conclusion == Conclusion::kSuccess) {
    text = fmt::format("Workflow \"{}\" succeeded on {}.", notice.workflow, where);
  } else if (conclusion == Conclusion::kCancelled) {
    text = fmt::format("Workflow \"{}\" was cancelled on {}.", notice.workflow, where);
  } else {
    text = fmt::format("Workflow \"{}\" failed on {}", notice.workflow, where);
    if (failed_job != nullptr) {
      text += fmt::format(": job '{}'", failed_job->display_name);
      if (failed_step != nullptr) {
        text += fmt::format(", step '{}': {}", failed_step->display_name, failed_step->reason);
      } else if (!failed_job->reason.empty()) {
        text += fmt::format(": {}", failed_job->reason);
      }
    }
    text += ".";
  }
  text += fmt::format(" Details: `{}`", view);

  core::Value fields = core::Value::Sequence();
  fields.Append(Field("Workflow", mask(notice.workflow), true));
  fields.Append(Field("Conclusion", outcome, true));
  fields.Append(Field("Ref", mask(notice.ref), true));
  fields.Append(Field("Commit", notice.sha, true));
  if (!notice.event.empty()) fields.Append(Field("Event", notice.event, true));
  if (failed_job != nullptr) {
    fields.Append(Field("Failed job", mask(failed_job->display_name), true));
    if (failed_step != nullptr) {
      fields.Append(Field("Failed step", mask(failed_step->display_name), true));
      fields.Append(Field("Reason", mask(failed_step->reason), false));
    } else if (!failed_job->reason.empty()) {
      fields.Append(Field("Reason", mask(failed_job->reason), false));
    }
  }
  fields.Append(Field("Details", "`" + view + "`", false));

  core::Value attachment = core::Value::Mapping();
  attachment.Set("color", core::Value::String(conclusion == Conclusion::kSuccess     ? "#2eb886"
                                              : conclusion == Conclusion::kCancelled ? "#9e9e9e"
                                                                                     : "#d00000"));
  attachment.Set("fallback", core::Value::String(mask(text)));
  attachment.Set("title",
                 core::Value::String(mask(fmt::format("{}: {}", notice.workflow, outcome))));
  attachment.Set("fields", std::move(fields));
  attachment.Set("footer", core::Value::String("cairn"));

  core::Value message = core::Value::Mapping();
  message.Set("text", core::Value::String(mask(text)));
  core::Value attachments = core::Value::Sequence();
  attachments.Append(std::move(attachment));
  message.Set("attachments", std::move(attachments));
  return message;
}

core::Status PostRunNotification(net::HttpClient& http, std::string_view webhook_url,
                                 const RunNotice& notice, const core::SecretMasker* masker,
                                 const PostOptions& options) {
  net::Request request;
  request.method = "POST";
  request.url = std::string(webhook_url);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = core::ToJson(BuildNotification(notice, masker));
  request.timeout = options.timeout;
  net::RetryPolicy policy;
  policy.max_attempts = options.attempts < 1 ? 1 : options.attempts;
  policy.initial_backoff = std::chrono::milliseconds(100);
  policy.max_backoff = std::chrono::milliseconds(1000);
  auto response = net::SendWithRetries(http, request, policy);
  if (!response.ok()) {
    return core::Status(response.status().code(),
                        fmt::format("notification to {} not sent: {}", net::RedactUrl(webhook_url),
                                    response.status().message()));
  }
  if (!response->ok()) {
    std::string body = response->body.substr(0, 200);
    return core::Status::Unavailable(fmt::format("notification to {} refused: HTTP {} {}",
                                                 net::RedactUrl(webhook_url), response->status,
                                                 masker ? masker->Mask(body) : body));
  }
  return core::Status::Ok();
}

core::Result<std::string> WebhookUrl(const NotificationConfig& config,
                                     const std::map<std::string, std::string>& secrets) {
  if (!config.webhook.empty()) return config.webhook;
  if (config.webhook_secret.empty()) {
    return core::Status::NotFound("no notification webhook is configured");
  }
  auto it = secrets.find(config.webhook_secret);
  if (it == secrets.end() || it->second.empty()) {
    return core::Status::NotFound(fmt::format(
        "notify.webhook-secret names the secret {}, which is not set (.cairn/secrets.env)",
        config.webhook_secret));
  }
  return it->second;
}

NotifyObserver::NotifyObserver(net::HttpClient& http, NotificationConfig config,
                               std::string webhook_url, std::string run_id,
                               std::shared_ptr<core::SecretMasker> masker,
                               std::function<void(std::string_view)> warn, PostOptions options)
    : http_(http),
      config_(std::move(config)),
      webhook_url_(std::move(webhook_url)),
      run_id_(std::move(run_id)),
      masker_(std::move(masker)),
      warn_(std::move(warn)),
      options_(options) {}

void NotifyObserver::RunStarted(const Workflow& workflow, const Event& event) {
  std::lock_guard lock(mu_);
  notice_.workflow =
      workflow.name ? workflow.name->value.text() : std::string(core::Basename(workflow.file));
  notice_.run_id = run_id_;
  notice_.ref = event.ref;
  notice_.sha = event.sha;
  notice_.event = event.name;
}

void NotifyObserver::RunFinished(const RunResult& result) {
  if (!ShouldNotify(config_, result.conclusion)) return;
  RunNotice notice;
  {
    std::lock_guard lock(mu_);
    notice = notice_;
  }
  notice.result = &result;
  core::Status s = PostRunNotification(http_, webhook_url_, notice, masker_.get(), options_);
  if (!s.ok() && warn_) warn_(s.message());
}

}  // namespace cairn::workflow
