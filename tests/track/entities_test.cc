// The wire names of track.h's enums and their parsers.
#include <gtest/gtest.h>

#include "track/track.h"

namespace cairn::track {
namespace {

TEST(EntitiesTest, RunStatusNamesRoundTrip) {
  for (RunStatus s : {RunStatus::kRunning, RunStatus::kScheduled, RunStatus::kFinished,
                      RunStatus::kFailed, RunStatus::kKilled}) {
    Result<RunStatus> parsed = ParseRunStatus(RunStatusName(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(RunStatusName(RunStatus::kFinished), "FINISHED");
  EXPECT_FALSE(ParseRunStatus("finished").ok());  // the proto enum's exact names
  EXPECT_EQ(ParseRunStatus("DONE").status().code(), core::Code::kInvalidParameterValue);
}

TEST(EntitiesTest, ViewTypesParseInAnyCase) {
  EXPECT_EQ(ViewTypeName(ViewType::kDeletedOnly), "DELETED_ONLY");
  EXPECT_EQ(*ParseViewType("active_only", "view_type"), ViewType::kActiveOnly);
  EXPECT_EQ(*ParseViewType("ALL", "view_type"), ViewType::kAll);
  Result<ViewType> bad = ParseViewType("SOME", "run_view_type");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("run_view_type"), std::string::npos);
}

TEST(EntitiesTest, LifecycleAndLoggedModelStatusNames) {
  EXPECT_EQ(LifecycleStageName(LifecycleStage::kActive), "active");
  EXPECT_EQ(LifecycleStageName(LifecycleStage::kDeleted), "deleted");
  EXPECT_EQ(LoggedModelStatusName(LoggedModelStatus::kReady), "LOGGED_MODEL_READY");
  EXPECT_EQ(*ParseLoggedModelStatus("LOGGED_MODEL_UPLOAD_FAILED"),
            LoggedModelStatus::kUploadFailed);
  EXPECT_EQ(*ParseLoggedModelStatus("LOGGED_MODEL_STATUS_UNSPECIFIED"),
            LoggedModelStatus::kUnspecified);
  EXPECT_FALSE(ParseLoggedModelStatus("READY").ok());
}

}  // namespace
}  // namespace cairn::track
