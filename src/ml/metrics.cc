// Classification metrics as scikit-learn defines them (accuracy_score, precision/recall/f1 of
// class 1 with zero_division=0, roc_auc_score with tied scores averaged, log_loss with clipping),
// the ROC curve, metrics.json, and reading metrics files back.
//
// Everything is computed in double from the float probabilities. Pure apart from
// ReadMetricsFile's Env; thread-safe.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/json.h"
#include "data/params.h"
#include "ml/log_loss.h"
#include "ml/ml.h"

namespace cairn::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Row indices by probability, highest first (NaN last); ties stay in row order.
std::vector<size_t> ByScoreDescending(const std::vector<float>& p, size_t n) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  auto key = [&](size_t i) {
    return std::isnan(p[i]) ? -std::numeric_limits<double>::infinity() : static_cast<double>(p[i]);
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  return order;
}

/// Walks the distinct thresholds from the highest: calls `corner(fp, tp)` with the cumulative
/// counts after each group of tied scores.
template <typename F>
void ForEachThreshold(const std::vector<float>& labels, const std::vector<float>& p, size_t n,
                      F corner) {
  const std::vector<size_t> order = ByScoreDescending(p, n);
  int64_t tp = 0, fp = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t row = order[i];
    (labels[row] == 1 ? tp : fp) += 1;
    const bool group_ends = i + 1 == n || !(p[order[i + 1]] == p[row] ||
                                            (std::isnan(p[order[i + 1]]) && std::isnan(p[row])));
    if (group_ends) corner(fp, tp);
  }
}

/// The ratio, or 0 when the denominator is 0 (scikit-learn's zero_division=0).
double Ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

void Flatten(const core::Value& value, const std::string& prefix,
             std::map<std::string, double>* out) {
  if (value.is_number()) {
    (*out)[prefix] = value.AsDouble();
  } else if (value.is_mapping()) {
    for (const core::Member& m : value.members()) {
      Flatten(m.value, prefix.empty() ? m.key : prefix + "." + m.key, out);
    }
  }
}

}  // namespace

Metrics Score(const std::vector<float>& labels, const std::vector<float>& probabilities) {
  const size_t n = std::min(labels.size(), probabilities.size());
  Metrics m;
  m.n = static_cast<int64_t>(n);
  ConfusionMatrix& c = m.confusion;
  for (size_t i = 0; i < n; ++i) {
    const bool actual = labels[i] == 1;
    const bool predicted = probabilities[i] >= 0.5f;
    (actual ? (predicted ? c.tp : c.fn) : (predicted ? c.fp : c.tn)) += 1;
  }
  if (n == 0) {
    m.accuracy = m.roc_auc = m.log_loss = kNaN;
    return m;
  }
  m.accuracy = static_cast<double>(c.tp + c.tn) / static_cast<double>(n);
  m.precision = Ratio(c.tp, c.tp + c.fp);
  m.recall = Ratio(c.tp, c.tp + c.fn);
  // As scikit-learn computes it (from precision and recall, not from the counts), so the last
  // bit agrees.
  const double denom = m.precision + m.recall;
  m.f1 = denom == 0 ? 0.0 : 2 * m.precision * m.recall / denom;
  m.log_loss = BinaryLogLoss(labels.data(), probabilities.data(), n);

  // ROC AUC: the trapezoids under the curve, exactly, in units of 1 / (2 * P * N).
  const int64_t positives = c.tp + c.fn, negatives = c.tn + c.fp;
  if (positives == 0 || negatives == 0) {
    m.roc_auc = kNaN;
  } else {
    int64_t twice_area = 0, last_fp = 0, last_tp = 0;
    ForEachThreshold(labels, probabilities, n, [&](int64_t fp, int64_t tp) {
      twice_area += (fp - last_fp) * (tp + last_tp);
      last_fp = fp;
      last_tp = tp;
    });
    m.roc_auc = static_cast<double>(twice_area) /
                (2.0 * static_cast<double>(positives) * static_cast<double>(negatives));
  }
  return m;
}

std::vector<RocPoint> RocCurve(const std::vector<float>& labels,
                               const std::vector<float>& probabilities) {
  const size_t n = std::min(labels.size(), probabilities.size());
  int64_t positives = 0;
  for (size_t i = 0; i < n; ++i) positives += labels[i] == 1 ? 1 : 0;
  const int64_t negatives = static_cast<int64_t>(n) - positives;
  std::vector<RocPoint> curve;
  if (positives == 0 || negatives == 0) return curve;
  curve.push_back({0, 0});
  ForEachThreshold(labels, probabilities, n, [&](int64_t fp, int64_t tp) {
    curve.push_back({static_cast<double>(fp) / static_cast<double>(negatives),
                     static_cast<double>(tp) / static_cast<double>(positives)});
  });
  return curve;
}

std::string MetricsJson(const Metrics& metrics) {
  core::Value v = core::Value::Mapping();
  v.AppendMember("accuracy", core::Value::Double(metrics.accuracy));
  v.AppendMember("precision", core::Value::Double(metrics.precision));
  v.AppendMember("recall", core::Value::Double(metrics.recall));
  v.AppendMember("f1", core::Value::Double(metrics.f1));
  v.AppendMember("roc_auc", core::Value::Double(metrics.roc_auc));
  v.AppendMember("log_loss", core::Value::Double(metrics.log_loss));
  v.AppendMember("n", core::Value::Int(metrics.n));
  return core::ToPrettyJson(v, 2) + "\n";
}

Result<std::map<std::string, double>> ReadMetricsFile(sys::Env& env, std::string_view path) {
  const std::string file(path);
  auto text = env.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound("metrics file '" + file + "' does not exist");
    }
    return text.status().WithContext("reading metrics file " + file);
  }
  // JSON for .json, TOML for .toml, YAML otherwise (DVC's rule for metrics and params files).
  CAIRN_ASSIGN_OR_RETURN(core::Value root, data::ParseParams(*text, path));
  std::map<std::string, double> out;
  Flatten(root, "", &out);
  if (out.empty()) {
    return Status::InvalidArgument(file +
                                   ": no numeric metrics (expected a mapping of names to "
                                   "numbers, such as {\"accuracy\": 0.95})");
  }
  return out;
}

}  // namespace cairn::ml
