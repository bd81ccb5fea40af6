// Random identifiers and run names (ids.h). Thread-safe: one generator per thread.
#include "track/ids.h"

#include <array>
#include <cstdint>
#include <random>
#include <string_view>

namespace cairn::track {
namespace {

constexpr std::array<std::string_view, 40> kAdjectives = {
    "able",  "agile",   "amber",  "bold",  "brave",  "bright", "calm",   "clever",
    "crisp", "curious", "daring", "eager", "fancy",  "gentle", "glad",   "golden",
    "grand", "happy",   "honest", "jolly", "keen",   "kind",   "lively", "lucky",
    "merry", "mighty",  "nimble", "noble", "polite", "proud",  "quick",  "quiet",
    "rare",  "shy",     "silent", "smart", "steady", "sunny",  "swift",  "witty",
};

constexpr std::array<std::string_view, 40> kNouns = {
    "ant",   "badger", "bass",  "bear",  "bee",  "bird",  "cat",   "crab", "crane", "deer",
    "dove",  "eel",    "elk",   "finch", "fox",  "frog",  "gnu",   "hare", "hawk",  "heron",
    "ibis",  "koala",  "lark",  "lemur", "lynx", "mole",  "moth",  "newt", "otter", "owl",
    "panda", "puma",   "quail", "robin", "seal", "shrew", "sloth", "swan", "toad",  "wolf",
};

std::mt19937_64& Generator() {
  thread_local std::mt19937_64 generator = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(),
                       device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return generator;
}

}  // namespace

std::string NewHexId() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  std::mt19937_64& gen = Generator();
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = gen();
    for (int i = 0; i < 16; ++i) {
      id[static_cast<size_t>(half * 16 + i)] = kHex[bits & 0xF];
      bits >>= 4;
    }
  }
  return id;
}

std::string NewLoggedModelId() { return "m-" + NewHexId(); }

std::string NewRunName() {
  std::mt19937_64& gen = Generator();
  std::string name(kAdjectives[gen() % kAdjectives.size()]);
  name += '-';
  name += kNouns[gen() % kNouns.size()];
  name += '-';
  name += std::to_string(gen() % 1000);
  return name;
}

}  // namespace cairn::track
