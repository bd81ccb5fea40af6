#!/usr/bin/env bash
# scripts/build.sh [--asan|--tsan] [--no-tests] [cmake --build args...]
# Configures and builds cairn with warnings as errors: a Release build in build/; with
# --asan, AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/; with --tsan,
# ThreadSanitizer in build-tsan/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=build
args=(-DCMAKE_BUILD_TYPE=Release -DCAIRN_WERROR=ON -DCAIRN_SANITIZE= -DCAIRN_TESTS=ON
      -DCAIRN_BENCH=ON)
while [ $# -gt 0 ]; do
  case "$1" in
    --asan|--tsan)
      [ "$1" = --asan ] && kind=address || kind=thread
      dir=build-${1#--}
      # -O0 -g1: line tables for the reports; -O0 compiles in about half the time of -O1
      # under the sanitizers (measured: 35 s against 65 s for tests/workflow/job_run_test.cc),
      # and the unit tests are bound by processes and I/O more than by CPU.
      args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 -g1"
            -DCAIRN_WERROR=ON -DCAIRN_SANITIZE=$kind -DCAIRN_TESTS=ON -DCAIRN_BENCH=OFF); shift ;;
    --no-tests) args+=(-DCAIRN_TESTS=OFF -DCAIRN_BENCH=OFF); shift ;;
    *) break ;;
  esac
done
cmake -S "$root" -B "$root/$dir" -G Ninja "${args[@]}" >/dev/null
cmake --build "$root/$dir" -j "$(nproc)" "$@"
