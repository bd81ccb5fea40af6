// cron: parsing the five fields of a schedule into bit sets, and walking forward in time to the
// next minute they match.
#include "workflow/cron.h"

#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <vector>

namespace cairn::workflow {
namespace {

using core::Result;
using core::Status;
namespace chr = std::chrono;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::array<const char*, 13> names;  // names[v] for value v; null where none
};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month",
     1,
     12,
     {nullptr, "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Expected(const FieldSpec& f) {
  std::string s = "a number " + std::to_string(f.min) + "-" + std::to_string(f.max);
  if (f.names[f.min == 0 ? 0 : 1] != nullptr) {
    s += f.min == 0 ? " or a name sun..sat" : " or a name jan..dec";
  }
  return s;
}

// One value: a number within the field's range, or (names allowed) a name.
Result<int> ParseValue(const FieldSpec& f, std::string_view text, bool allow_names) {
  if (allow_names) {
    std::string lower = Lower(text);
    for (int v = 0; v < 13; ++v) {
      if (f.names[v] != nullptr && lower == f.names[v]) return v;
    }
  }
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("'" + std::string(text) + "' is not " + Expected(f));
  }
  if (v < f.min || v > f.max) {
    return Status::InvalidArgument("'" + std::string(text) + "' is out of range " +
                                   std::to_string(f.min) + "-" + std::to_string(f.max));
  }
  return v;
}

// One element of a list: *, v, a-b, each optionally /step. Sets the bits it covers.
Status ParseElement(const FieldSpec& f, std::string_view text, std::vector<bool>& bits) {
  if (text.empty()) return Status::InvalidArgument("an empty element in a ',' list");
  int lo = f.min, hi = f.max, step = 1;
  std::string_view range = text;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    range = text.substr(0, slash);
    std::string_view step_text = text.substr(slash + 1);
    if (range.empty())
      return Status::InvalidArgument("'" + std::string(text) + "' has no start before '/'");
    auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
    if (step_text.empty() || ec != std::errc() || end != step_text.data() + step_text.size() ||
        step < 1 || step > f.max) {
      return Status::InvalidArgument("step '" + std::string(step_text) + "' is not a number 1-" +
                                     std::to_string(f.max));
    }
  }
  if (range != "*") {
    size_t dash = range.find('-');
    if (dash == std::string_view::npos) {
      auto v = ParseValue(f, range, true);
      if (!v.ok()) return v.status();
      lo = *v;
      hi = slash == std::string_view::npos ? *v : f.max;  // "3/10" = 3-max/10
    } else {
      auto a = ParseValue(f, range.substr(0, dash), true);
      if (!a.ok()) return a.status();
      auto b = ParseValue(f, range.substr(dash + 1), true);
      if (!b.ok()) return b.status();
      if (*b < *a) {
        return Status::InvalidArgument("range '" + std::string(range) + "' ends before it starts");
      }
      lo = *a;
      hi = *b;
    }
  }
  for (int v = lo; v <= hi; v += step) bits[v] = true;
  return Status::Ok();
}

template <size_t N>
Status ParseField(const FieldSpec& f, std::string_view text, std::bitset<N>& out) {
  std::vector<bool> bits(N, false);
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view element = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    Status s = ParseElement(f, element, bits);
    if (!s.ok()) return s;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  for (size_t i = 0; i < N; ++i) out[i] = bits[i];
  return Status::Ok();
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(std::string_view text) {
  CronSchedule cron;
  cron.text_ = std::string(text);
  auto fail = [&](std::string_view what) {
    return Status::InvalidArgument("cron '" + std::string(text) + "': " + std::string(what));
  };
  std::vector<std::string_view> fields;
  size_t i = 0;
  if (!text.empty() && text[0] == ' ') return fail("starts with a space");
  while (i < text.size()) {
    size_t sp = text.find(' ', i);
    if (sp == std::string_view::npos) sp = text.size();
    fields.push_back(text.substr(i, sp - i));
    i = sp;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i == text.size() && sp < text.size()) return fail("ends with a space");
  }
  if (fields.size() != 5) {
    if (!text.empty() && text[0] == '@') {
      return fail(
          "macros like @daily are not supported: expected 5 fields 'minute hour "
          "day-of-month month day-of-week'");
    }
    return fail(
        "expected 5 fields 'minute hour day-of-month month day-of-week' separated by "
        "spaces, got " +
        std::to_string(fields.size()));
  }
  Status statuses[5] = {
      ParseField(kFields[0], fields[0], cron.minutes_),
      ParseField(kFields[1], fields[1], cron.hours_),
      ParseField(kFields[2], fields[2], cron.days_of_month_),
      ParseField(kFields[3], fields[3], cron.months_),
      ParseField(kFields[4], fields[4], cron.days_of_week_),
  };
  for (int f = 0; f < 5; ++f) {
    if (!statuses[f].ok()) return fail(std::string(kFields[f].name) + ": " + statuses[f].message());
  }
  cron.dom_star_ = fields[2].substr(0, 1) == "*";
  cron.dow_star_ = fields[4].substr(0, 1) == "*";
  return cron;
}

namespace {

struct Civil {
  chr::year_month_day ymd;
  int weekday;  // 0 = Sunday
};

Civil CivilOf(chr::sys_days day) {
  return {chr::year_month_day(day), static_cast<int>(chr::weekday(day).c_encoding())};
}

}  // namespace

bool CronSchedule::Matches(chr::sys_seconds t) const {
  chr::sys_days day = chr::floor<chr::days>(t);
  Civil c = CivilOf(day);
  auto since_midnight = chr::duration_cast<chr::minutes>(t - day).count();
  int hour = static_cast<int>(since_midnight / 60), minute = static_cast<int>(since_midnight % 60);
  if (!minutes_[minute] || !hours_[hour]) return false;
  if (!months_[static_cast<unsigned>(c.ymd.month())]) return false;
  bool dom = days_of_month_[static_cast<unsigned>(c.ymd.day())];
  bool dow = days_of_week_[c.weekday];
  if (dom_star_ || dow_star_) return dom && dow;
  return dom || dow;
}

std::optional<chr::sys_seconds> CronSchedule::Next(chr::sys_seconds after) const {
  // The first whole minute after `after`.
  chr::sys_seconds t = chr::floor<chr::minutes>(after) + chr::minutes(1);
  chr::sys_days day = chr::floor<chr::days>(t);
  const chr::sys_days limit = day + chr::days(366 * 8 + 2);
  int start_minute = static_cast<int>(chr::duration_cast<chr::minutes>(t - day).count());
  for (; day < limit; day += chr::days(1), start_minute = 0) {
    Civil c = CivilOf(day);
    if (!months_[static_cast<unsigned>(c.ymd.month())]) continue;
    bool dom = days_of_month_[static_cast<unsigned>(c.ymd.day())];
    bool dow = days_of_week_[c.weekday];
    bool day_ok = (dom_star_ || dow_star_) ? (dom && dow) : (dom || dow);
    if (!day_ok) continue;
    for (int m = start_minute; m < 24 * 60; ++m) {
      if (hours_[m / 60] && minutes_[m % 60]) return day + chr::minutes(m);
    }
  }
  return std::nullopt;
}

}  // namespace cairn::workflow
