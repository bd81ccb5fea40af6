// Test helper: a Workflow from YAML through the real parser (ParseWorkflow), failing the test
// when the text is not a valid workflow.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "workflow/parse.h"

namespace cairn::workflow::testing {

inline Workflow Parsed(std::string_view text, std::string_view file = "ci.yml") {
  core::Result<Workflow> wf = ParseWorkflow(text, file);
  EXPECT_TRUE(wf.ok()) << wf.status().ToString();
  return wf.ok() ? *wf : Workflow();
}

}  // namespace cairn::workflow::testing
