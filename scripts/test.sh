#!/usr/bin/env bash
# scripts/test.sh [--sanitize]
# The README's test command: installs what the tests need, builds with warnings as errors,
# and runs every test. With --sanitize, builds under ASan+UBSan and runs the unit tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/deps.sh" test
if [ "${1:-}" = --sanitize ]; then
  "$root/scripts/build.sh" --sanitize
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
  ctest --test-dir "$root/build-asan" --output-on-failure -j "$(nproc)" -L unit
else
  "$root/scripts/build.sh"
  ctest --test-dir "$root/build" --output-on-failure -j "$(nproc)"
fi
