// The seeded stratified choice of rows (see sampling.h).
#include "ml/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cairn::ml {

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::Below(uint64_t bound) {
  const uint64_t threshold = (0 - bound) % bound;  // (2^64 - bound) mod bound
  uint64_t x = Next();
  while (x < threshold) x = Next();
  return x % bound;
}

size_t HeldOutCount(size_t n, double fraction) {
  return static_cast<size_t>(std::ceil(static_cast<double>(n) * fraction));
}

std::vector<bool> StratifiedChoice(const std::vector<uint32_t>& class_of_row, size_t num_classes,
                                   size_t k, uint64_t seed) {
  const size_t n = class_of_row.size();
  std::vector<bool> chosen(n, false);
  if (n == 0 || k == 0) return chosen;
  k = std::min(k, n);

  // The rows of each class, in file order.
  std::vector<std::vector<size_t>> rows(num_classes);
  for (size_t i = 0; i < n; ++i) rows[class_of_row[i]].push_back(i);

  // Per-class quotas: floors, then the remainders largest first (ties to the lower class).
  std::vector<size_t> quota(num_classes);
  std::vector<uint64_t> remainder(num_classes);
  size_t assigned = 0;
  for (size_t c = 0; c < num_classes; ++c) {
    const uint64_t scaled = static_cast<uint64_t>(k) * rows[c].size();
    quota[c] = static_cast<size_t>(scaled / n);
    remainder[c] = scaled % n;
    assigned += quota[c];
  }
  std::vector<size_t> order(num_classes);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t i = 0; assigned < k && i < order.size(); ++i) {
    if (quota[order[i]] < rows[order[i]].size()) {
      ++quota[order[i]];
      ++assigned;
    }
  }

  SplitMix64 rng(seed);
  for (size_t c = 0; c < num_classes; ++c) {
    std::vector<size_t>& r = rows[c];
    for (size_t i = 0; i < quota[c]; ++i) {
      const size_t j = i + static_cast<size_t>(rng.Below(r.size() - i));
      std::swap(r[i], r[j]);
      chosen[r[i]] = true;
    }
  }
  return chosen;
}

}  // namespace cairn::ml
