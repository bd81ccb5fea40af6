// run_workflow: the public RunWorkflow, RunWorkflowWith (run.cc) with RunJob as the job runner.
// Apart from run.cc so that tests driving RunWorkflowWith with a fake runner link without
// RunJob.
#include "workflow/job_run.h"
#include "workflow/run_internal.h"
#include "workflow/runner.h"

namespace cairn::workflow {

core::Result<RunResult> RunWorkflow(const Workflow& workflow, const Event& event,
                                    const RunOptions& options, RunObserver& observer) {
  return internal::RunWorkflowWith(workflow, event, options, observer, RunJob);
}

}  // namespace cairn::workflow
