#include "sys/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "core/strings.h"
#include "sys/env.h"
#include "sys/temp_dir.h"

namespace cairn::sys {
namespace {

TEST(LogTest, MaskingSinkMasksBeforeTerminalAndFile) {
  Result<TempDir> dir = TempDir::Create();
  ASSERT_TRUE(dir.ok());
  Result<std::unique_ptr<FileSink>> file = FileSink::Open(dir->Path("run.log"));
  ASSERT_TRUE(file.ok());
  MemorySink memory;
  TeeSink tee({file->get(), &memory});
  core::SecretMasker masker;
  MaskingSink out(masker, tee);

  masker.Add("s3cr3t-value");
  masker.Add("line one\nline two");
  out.WriteLine("token=s3cr3t-value\n");
  out.WriteLines("a: line one\nb: line two\nc: fine");
  masker.Add("late");
  out.WriteLine("late secret");

  std::vector<std::string> expected = {"token=***", "a: ***", "b: ***", "c: fine", "*** secret"};
  EXPECT_EQ(memory.lines(), expected);
  file->reset();  // close
  std::unique_ptr<Env> env = NewPosixEnv();
  EXPECT_EQ(*env->ReadFile(dir->Path("run.log")),
            "token=***\na: ***\nb: ***\nc: fine\n*** secret\n");
  EXPECT_EQ(env->Stat(dir->Path("run.log"))->mode, 0600u);
}

TEST(LogTest, LinesFromManyThreadsStayWhole) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string received;
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof(buf))) > 0) received.append(buf, n);
  });
  {
    FdSink sink(fds[1]);
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&sink, t] {
        for (int i = 0; i < 200; ++i) sink.WriteLine(std::string(100, static_cast<char>('a' + t)));
      });
    }
    for (auto& w : writers) w.join();
  }
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  size_t lines = 0;
  for (std::string_view line : core::SplitLines(received)) {
    ASSERT_EQ(line.size(), 100u);
    ASSERT_EQ(line.find_first_not_of(line[0]), std::string_view::npos) << "mixed line";
    ++lines;
  }
  EXPECT_EQ(lines, 800u);
}

}  // namespace
}  // namespace cairn::sys
