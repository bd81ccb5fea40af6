// The names of runner.h's result values.
#include "workflow/runner.h"

namespace cairn::workflow {

std::string_view ConclusionName(Conclusion c) {
  switch (c) {
    case Conclusion::kSuccess:
      return "success";
    case Conclusion::kFailure:
      return "failure";
    case Conclusion::kCancelled:
      return "cancelled";
    case Conclusion::kSkipped:
      return "skipped";
  }
  return "failure";
}

}  // namespace cairn::workflow
