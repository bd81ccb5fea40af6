#!/usr/bin/env bash
# scripts/build.sh [--sanitize] [--no-tests] [cmake --build args...]
# Configures and builds cairn with warnings as errors. Release build in build/; with
# --sanitize, an AddressSanitizer + UndefinedBehaviorSanitizer build in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=build
args=(-DCMAKE_BUILD_TYPE=Release -DCAIRN_WERROR=ON -DCAIRN_TESTS=ON -DCAIRN_BENCH=ON)
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) dir=build-asan
                args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAIRN_WERROR=ON -DCAIRN_SANITIZE=ON
                      -DCAIRN_TESTS=ON -DCAIRN_BENCH=OFF); shift ;;
    --no-tests) args+=(-DCAIRN_TESTS=OFF -DCAIRN_BENCH=OFF); shift ;;
    *) break ;;
  esac
done
jobs=$(nproc)
cmake -S "$root" -B "$root/$dir" -G Ninja "${args[@]}" >/dev/null
cmake --build "$root/$dir" -j "$jobs" "$@"
