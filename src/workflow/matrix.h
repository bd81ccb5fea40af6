// matrix: expands a job's `strategy.matrix` into its legs (one job per combination), with
// GitHub's rules (those of the official parser's MatrixBuilder):
//
//   * the vectors (every key but `include` and `exclude`) form a cartesian product in the order
//     they are written, the first key varying slowest;
//   * `exclude` removes a combination when every leaf of an entry equals the combination's value
//     at the same path (GitHub builds `matrix.<key>... == <literal>` per leaf and uses the
//     expression `==`: strings compare case-insensitively, mixed kinds as numbers; a nested
//     mapping or sequence matches when every leaf written in the entry matches);
//   * `include` splits each entry into its keys that are vectors (a filter) and the others
//     (extra values). Every combination the filter matches gets the extra values, a later entry
//     overwriting what an earlier one added; original values are never overwritten, since a
//     filter only matches combinations that already hold its values. An entry that matches no
//     combination becomes a new combination (its filter keys, then its extra keys);
//   * a matrix with only `include` is the list of its entries.
//
// Each leg's display name is GitHub's: the job name, then in parentheses every non-empty scalar
// of the combination as it was before `include` added values (depth first, keys left out;
// numbers printed .NET "G15" style, so YAML `3.10` shows as 3.1; booleans "true"/"false"),
// joined with ", ": `build (ubuntu-latest, 3.11)`. Names are cut to 100 characters ("...").
//
// All functions are pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/value.h"

namespace cairn::workflow {

/// GitHub's limit of jobs per matrix.
inline constexpr size_t kMaxMatrixLegs = 256;

/// One combination of a matrix.
struct MatrixLeg {
  /// A mapping: the `matrix` context of the leg (vector keys in order, then keys added by
  /// `include`). Values keep the locations they were written at.
  core::Value values;
  /// The scalars shown in the display name, in order ("ubuntu-latest", "3.11").
  std::vector<std::string> name_segments;
  /// The leg comes from an `include` entry that matched no combination.
  bool from_include = false;

  /// "ubuntu-latest, 3.11" (empty when there are no segments).
  std::string NameSuffix() const;
  /// "build (ubuntu-latest, 3.11)", or just `job_name` when there are no segments; cut to 100
  /// characters as GitHub does ("..." ending the 100).
  std::string DisplayName(std::string_view job_name) const;
};

/// The legs of a matrix, in GitHub's order (the product's, then the new include entries').
struct Matrix {
  std::vector<MatrixLeg> legs;
};

/// Expands `matrix` (the value of `strategy.matrix` with its expressions already evaluated: a
/// mapping). Errors are INVALID_PARAMETER_VALUE "file:line:col: <what>; expected <what>" about
/// the offending node: not a mapping, a vector that is not a sequence or is empty, `include` or
/// `exclude` not a sequence of mappings, an empty entry, an exclude key that is not a vector,
/// more than kMaxMatrixLegs legs. An empty mapping gives no legs.
core::Result<Matrix> ExpandMatrix(const core::Value& matrix);

/// GitHub's `==` (expr::LooseEquals) on two scalars (null, boolean, number, string): same kinds
/// by value (strings ignoring case), mixed kinds converted to numbers; a sequence or mapping
/// equals nothing.
bool MatrixValuesEqual(const core::Value& a, const core::Value& b);

}  // namespace cairn::workflow
