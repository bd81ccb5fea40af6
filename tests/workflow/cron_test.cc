#include "workflow/cron.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace cairn::workflow {
namespace {

namespace chr = std::chrono;
using namespace std::chrono_literals;

chr::sys_seconds At(int y, unsigned mo, unsigned d, int h, int mi) {
  return chr::sys_days(chr::year(y) / mo / d) + chr::hours(h) + chr::minutes(mi);
}

std::string Fmt(std::optional<chr::sys_seconds> t) {
  if (!t) return "none";
  chr::sys_days day = chr::floor<chr::days>(*t);
  chr::year_month_day ymd(day);
  auto m = chr::duration_cast<chr::minutes>(*t - day).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(m / 60), static_cast<int>(m % 60));
  return buf;
}

struct NextCase {
  const char* cron;
  chr::sys_seconds after;
  const char* next;
};

TEST(CronTest, NextTimes) {
  // 2026-11-27 is a Friday.
  const NextCase cases[] = {
      {"30 5 * * 1-5", At(2026, 11, 27, 4, 48), "2026-11-27 05:30"},
      {"30 5 * * 1-5", At(2026, 11, 27, 5, 30), "2026-11-30 05:30"},  // Sat, Sun skipped
      {"*/15 * * * *", At(2026, 11, 27, 4, 48), "2026-11-27 05:00"},
      {"*/15 * * * *", At(2026, 11, 27, 4, 44) + 59s, "2026-11-27 04:45"},
      {"0 0 1 jan *", At(2026, 11, 27, 4, 48), "2027-01-01 00:00"},
      {"0 12 * * SUN", At(2026, 11, 27, 4, 48), "2026-11-29 12:00"},
      {"0 0 29 2 *", At(2026, 11, 27, 0, 0), "2028-02-29 00:00"},
      {"0 0 30 2 *", At(2026, 11, 27, 0, 0), "none"},
      {"5 1-5/2 * * *", At(2026, 11, 27, 1, 5), "2026-11-27 03:05"},
      {"0 0 13 * 5", At(2026, 11, 27, 0, 0), "2026-12-04 00:00"},  // dom OR dow: next Friday
      {"0 0 13 * 5", At(2026, 12, 11, 1, 0), "2026-12-13 00:00"},  // ... or the 13th
      {"0 0 * * mon-wed", At(2026, 11, 27, 0, 0), "2026-11-30 00:00"},
      {"0 9 3/10 * *", At(2026, 11, 27, 0, 0), "2026-12-03 09:00"},
      {"59 23 31 dec *", At(2026, 12, 31, 23, 59), "2027-12-31 23:59"},
      {"0,30 * * * *", At(2026, 11, 27, 4, 0), "2026-11-27 04:30"},
  };
  for (const NextCase& c : cases) {
    auto cron = CronSchedule::Parse(c.cron);
    ASSERT_TRUE(cron.ok()) << c.cron << ": " << cron.status().ToString();
    EXPECT_EQ(Fmt(cron->Next(c.after)), c.next) << c.cron;
  }
}

TEST(CronTest, Matches) {
  auto cron = CronSchedule::Parse("30 5 * * 1-5");
  ASSERT_TRUE(cron.ok());
  EXPECT_TRUE(cron->Matches(At(2026, 11, 27, 5, 30) + 42s));
  EXPECT_FALSE(cron->Matches(At(2026, 11, 28, 5, 30)));  // Saturday
  EXPECT_FALSE(cron->Matches(At(2026, 11, 27, 5, 31)));
  auto both = CronSchedule::Parse("0 0 1 * mon");
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(both->Matches(At(2026, 12, 1, 0, 0)));   // the 1st (a Tuesday)
  EXPECT_TRUE(both->Matches(At(2026, 11, 30, 0, 0)));  // a Monday
  EXPECT_FALSE(both->Matches(At(2026, 12, 2, 0, 0)));
}

TEST(CronTest, Errors) {
  struct Bad {
    const char* cron;
    const char* message;
  };
  const Bad cases[] = {
      {"61 * * * *", "cron '61 * * * *': minute: '61' is out of range 0-59"},
      {"* 24 * * *", "cron '* 24 * * *': hour: '24' is out of range 0-23"},
      {"* * 0 * *", "cron '* * 0 * *': day of month: '0' is out of range 1-31"},
      {"* * * 13 *", "cron '* * * 13 *': month: '13' is out of range 1-12"},
      {"* * * * 7", "cron '* * * * 7': day of week: '7' is out of range 0-6"},
      {"* * * foo *", "cron '* * * foo *': month: 'foo' is not a number 1-12 or a name jan..dec"},
      {"* * * * 5-1", "cron '* * * * 5-1': day of week: range '5-1' ends before it starts"},
      {"*/0 * * * *", "cron '*/0 * * * *': minute: step '0' is not a number 1-59"},
      {"* * * *",
       "cron '* * * *': expected 5 fields 'minute hour day-of-month month day-of-week' "
       "separated by spaces, got 4"},
      {"@daily",
       "cron '@daily': macros like @daily are not supported: expected 5 fields 'minute hour "
       "day-of-month month day-of-week'"},
      {"1,,2 * * * *", "cron '1,,2 * * * *': minute: an empty element in a ',' list"},
  };
  for (const Bad& c : cases) {
    auto cron = CronSchedule::Parse(c.cron);
    ASSERT_FALSE(cron.ok()) << c.cron;
    EXPECT_EQ(cron.status().message(), c.message);
  }
  EXPECT_TRUE(CronSchedule::Parse("0  0 * * *").ok());  // several spaces, as GitHub's / +/
  EXPECT_TRUE(CronSchedule::Parse("0 0 * JAN-Mar Sun,sat").ok());
}

}  // namespace
}  // namespace cairn::workflow
