// cron: the `on.schedule[*].cron` expressions of GitHub Actions (POSIX 5-field cron, in UTC).
//
// Fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan..dec, day of week 0-6
// or sun..sat (7 is not accepted, as in GitHub's parser); names are case-insensitive and
// may not start or end a range with a number (`mon-5` is fine, as GitHub allows). Each field
// is a list (`,`) of `*`, a value, a range `a-b`, optionally stepped (`*/15`, `1-5/2`, `3/10`
// = 3-max/10). When both day of month and day of week are restricted (neither is `*`), a day
// matches if either matches (standard cron).
//
// A CronSchedule is immutable after Parse: share a const one between threads.
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace cairn::workflow {

class CronSchedule {
 public:
  /// Parses 5 fields separated by spaces. InvalidArgument naming the field and what was
  /// expected: "cron '61 * * * *': minute: '61' is out of range 0-59".
  static core::Result<CronSchedule> Parse(std::string_view text);

  /// Whether the schedule fires in the minute of `t` (UTC; seconds are ignored).
  bool Matches(std::chrono::sys_seconds t) const;
  /// The first minute strictly after `after` at which the schedule fires; nullopt when none
  /// within 8 years (e.g. `0 0 30 2 *`, February 30th with day of week `*`).
  std::optional<std::chrono::sys_seconds> Next(std::chrono::sys_seconds after) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // bits 1..31
  std::bitset<13> months_;         // bits 1..12
  std::bitset<7> days_of_week_;    // 0 = Sunday
  bool dom_star_ = false;          // day of month field starts with '*'
  bool dow_star_ = false;          // day of week field starts with '*'
};

}  // namespace cairn::workflow
