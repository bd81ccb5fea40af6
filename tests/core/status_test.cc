#include "core/status.h"

#include <gtest/gtest.h>

#include <string>

#include "core/result.h"

namespace cairn::core {
namespace {

TEST(StatusTest, OkHasNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, FailureCarriesCodeAndMessage) {
  Status s = Status::NotFound("Run with id=nope not found");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.ToString(), "RESOURCE_DOES_NOT_EXIST: Run with id=nope not found");
  Status copy = s;
  EXPECT_EQ(copy, s);
  EXPECT_EQ(s.WithContext("reading run").message(), "reading run: Run with id=nope not found");
  EXPECT_TRUE(Status().WithContext("x").ok());
}

TEST(StatusTest, HttpStatusFollowsMlflow) {
  EXPECT_EQ(HttpStatus(Code::kInvalidParameterValue), 400);
  EXPECT_EQ(HttpStatus(Code::kResourceAlreadyExists), 400);  // not 409
  EXPECT_EQ(HttpStatus(Code::kResourceDoesNotExist), 404);
  EXPECT_EQ(HttpStatus(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatus(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatus(Code::kResourceConflict), 409);
  EXPECT_EQ(HttpStatus(Code::kRequestLimitExceeded), 429);
  EXPECT_EQ(HttpStatus(Code::kCancelled), 499);
  EXPECT_EQ(HttpStatus(Code::kInternalError), 500);
  EXPECT_EQ(HttpStatus(Code::kCorruption), 500);
  EXPECT_EQ(HttpStatus(Code::kNotImplemented), 501);
  EXPECT_EQ(HttpStatus(Code::kTemporarilyUnavailable), 503);
  EXPECT_EQ(HttpStatus(Code::kDeadlineExceeded), 504);
}

TEST(StatusTest, CodeNamesRoundTrip) {
  for (Code c : {Code::kIoError, Code::kCorruption, Code::kResourceAlreadyExists,
                 Code::kInvalidParameterValue, Code::kDataLoss}) {
    EXPECT_EQ(CodeFromName(CodeName(c)), c) << CodeName(c);
  }
  EXPECT_EQ(CodeFromName("NO_SUCH_CODE"), Code::kInternalError);
}

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  CAIRN_ASSIGN_OR_RETURN(int half, Half(x));
  return Half(half);
}

Status CheckEven(int x) {
  CAIRN_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(ResultTest, ValueOrStatus) {
  Result<int> ok = Quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  Result<int> bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "3 is odd");
  EXPECT_EQ(bad.value_or(-1), -1);
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_TRUE(CheckEven(5).IsInvalidArgument());
}

TEST(ResultTest, OkStatusWithoutValueIsAnError) {
  Result<std::string> r{Status::Ok()};
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInternalError);
}

TEST(ResultTest, MovesValuesOut) {
  Result<std::string> r = std::string(100, 'x');
  std::string s = std::move(r).value();
  EXPECT_EQ(s.size(), 100u);
}

TEST(ResultDeathTest, ValueOfFailureAborts) {
  Result<int> r = Status::IoError("disk on fire");
  EXPECT_DEATH((void)r.value(), "disk on fire");
}

}  // namespace
}  // namespace cairn::core
