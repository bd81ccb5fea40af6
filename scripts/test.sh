#!/usr/bin/env bash
# scripts/test.sh [--asan|--tsan]
# The README's test command: installs what the tests need, builds with warnings as errors,
# and runs every test. With --asan, builds under ASan+UBSan and runs the unit tests; with
# --tsan, builds under TSan and runs the unit tests of the threaded modules (sys, dag, db,
# track, server).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/deps.sh" test
jobs=$(nproc)
case "${1:-}" in
  --asan)
    "$root/scripts/build.sh" --asan
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
    export LSAN_OPTIONS=suppressions=$root/scripts/lsan.supp:print_suppressions=0
    ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" -L unit ;;
  --tsan)
    "$root/scripts/build.sh" --tsan --target sys_test --target dag_test --target db_test \
      --target track_test --target server_test
    export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
    ctest --test-dir "$root/build-tsan" --output-on-failure -j "$jobs" -R '^(sys|dag|db|track|server)$' ;;
  "")
    "$root/scripts/build.sh"
    ctest --test-dir "$root/build" --output-on-failure -j "$jobs" ;;
  *) echo "usage: scripts/test.sh [--asan|--tsan]" >&2; exit 2 ;;
esac
