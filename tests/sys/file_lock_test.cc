#include "sys/file_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/env.h"
#include "sys/temp_dir.h"

namespace cairn::sys {
namespace {

TEST(FileLockTest, ExcludesASecondHolderUntilReleased) {
  Result<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::string path = dir->Path("lock");
  {
    Result<FileLock> first = FileLock::Acquire(path);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    Result<FileLock> second = FileLock::Acquire(path, {.timeout_ms = 50, .retry_interval_ms = 10});
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), core::Code::kResourceConflict);
    EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())),
              std::string::npos)
        << second.status().message();
  }
  Result<FileLock> again = FileLock::Acquire(path, {.timeout_ms = 0});
  EXPECT_TRUE(again.ok());
}

TEST(FileLockTest, AnotherProcessSeesTheLock) {
  Result<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  std::string path = dir->Path("lock");
  Result<FileLock> held = FileLock::Acquire(path);
  ASSERT_TRUE(held.ok());
  // flock(1) from util-linux is not everywhere; a forked child trying the same lock is.
  pid_t pid = ::fork();
  if (pid == 0) {
    Result<FileLock> child = FileLock::Acquire(path, {.timeout_ms = 0});
    ::_exit(child.ok() ? 0 : 3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(WEXITSTATUS(status), 3);
}

TEST(FileLockTest, MissingDirectoryIsAClearError) {
  Result<FileLock> lock = FileLock::Acquire("/nonexistent-dir-cairn/lock");
  ASSERT_FALSE(lock.ok());
  EXPECT_NE(lock.status().message().find("/nonexistent-dir-cairn/lock"), std::string::npos);
}

}  // namespace
}  // namespace cairn::sys
