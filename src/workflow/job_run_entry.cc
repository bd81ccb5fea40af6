// RunJob with the real actions (ResolveAction). Kept apart from job_run.cc so a binary that
// runs jobs with its own resolver (RunJobWith) does not need the actions linked.
#include "workflow/actions.h"
#include "workflow/job_run.h"
#include "workflow/job_state.h"

namespace cairn::workflow {

core::Result<JobResult> RunJob(const JobContext& job, RunObserver& observer) {
  static const ActionResolver kResolve = [](const UsesRef& uses, std::string_view workspace) {
    return ResolveAction(uses, workspace);
  };
  return RunJobWith(job, observer, kResolve);
}

}  // namespace cairn::workflow
