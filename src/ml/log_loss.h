// Module-private: the binary log loss as scikit-learn's log_loss defines it (probabilities
// clipped to [1e-15, 1 - 1e-15], the mean over rows), shared by Score and Train's per-round
// losses. Pure; thread-safe.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

namespace cairn::ml {

inline constexpr double kLogLossEps = 1e-15;

/// Mean of -(y log p + (1 - y) log(1 - p)), p clipped; NaN for no rows. Computed in double.
inline double BinaryLogLoss(const float* labels, const float* probabilities, size_t n) {
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    const double p =
        std::clamp(static_cast<double>(probabilities[i]), kLogLossEps, 1.0 - kLogLossEps);
    sum -= labels[i] != 0 ? std::log(p) : std::log(1.0 - p);
  }
  return sum / static_cast<double>(n);
}

}  // namespace cairn::ml
