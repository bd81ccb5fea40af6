// Module-private: the seeded random choices of ml (the train/test split of SplitCsv and the
// validation rows of Train), defined so that a seed gives the same rows on every platform and
// standard library: splitmix64 as the generator, rejection sampling for bounded integers, and a
// partial Fisher-Yates shuffle per class. No std::shuffle or <random> distributions (their
// output differs between standard libraries).
//
// Pure functions and a value-type generator: thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace cairn::ml {

/// splitmix64 (Steele, Lea and Flood, 2014; Vigna's reference code): the state advances by
/// 0x9E3779B97F4A7C15 and is mixed into each output.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  /// Uniform in [0, bound) for bound > 0: draws until the draw is >= (2^64 - bound) mod bound
  /// (so no value is favoured), then takes it modulo bound.
  uint64_t Below(uint64_t bound);

 private:
  uint64_t state_;
};

/// How many of `n` rows are held out for a fraction: ceil(n * fraction), scikit-learn's rule in
/// train_test_split (4601 rows, 0.2 -> 921).
size_t HeldOutCount(size_t n, double fraction);

/// Chooses `k` of the rows (k <= class_of_row.size()), stratified: row i is of class
/// class_of_row[i] (in [0, num_classes)). Class c of n_c rows gets floor(k * n_c / n) rows, and
/// the rows still missing go one each to the classes with the largest remainders
/// (k * n_c mod n), ties to the lower class. Within a class, its rows in file order are
/// partially Fisher-Yates shuffled (for i < k_c: swap i with i + Below(n_c - i)) by one
/// SplitMix64(seed) that serves the classes in order 0, 1, ...; the first k_c are chosen.
/// Returns a mask: true for a chosen row. Assumes k * n < 2^64.
std::vector<bool> StratifiedChoice(const std::vector<uint32_t>& class_of_row, size_t num_classes,
                                   size_t k, uint64_t seed);

}  // namespace cairn::ml
