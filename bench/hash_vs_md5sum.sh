#!/usr/bin/env bash
# bench/hash_vs_md5sum.sh [CAIRN] : times `cairn hash` against md5sum, side by side in one run,
# on a 1 GiB file and on 20,000 files of 2-10 KB, generated under /tmp (kept between runs).
# Each command runs 5 times after a warm-up; the median wall time is reported, with the
# ratio cairn / md5sum. Goals (issue 2): 1 GiB <= 1.1x md5sum; 20,000 files <= 1.0x md5sum
# (one md5sum process), using every core.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cairn=${1:-$root/build/src/cli/cairn}
data=${CAIRN_BENCH_DATA:-/tmp/cairn-bench-hash}
runs=5

mkdir -p "$data"
if [ ! -s "$data/big" ]; then
  echo "generating $data/big (1 GiB)" >&2
  head -c $((1 << 30)) /dev/urandom > "$data/big.tmp" && mv "$data/big.tmp" "$data/big"
fi
if [ ! -f "$data/small.done" ]; then
  echo "generating $data/small (20,000 files of 2-10 KB)" >&2
  rm -rf "$data/small" && mkdir -p "$data/small"
  # 100 directories of 200 files; directory d holds files of 2048 + 82*d bytes (2-10 KB).
  for d in $(seq 0 99); do
    size=$(( 2048 + 82 * d ))
    mkdir -p "$data/small/d$d"
    head -c $(( size * 200 )) /dev/urandom | split -b "$size" -a 3 - "$data/small/d$d/f"
  done
  touch "$data/small.done"
fi

# median wall seconds of `runs` runs of a command (after one warm-up run)
median() {
  "$@" >/dev/null
  for _ in $(seq $runs); do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
  done | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

cd "$data"
files=(small/*/*)
echo "files: ${#files[@]}; cores: $(nproc)"
printf '%-22s %10s %10s %8s\n' workload md5sum cairn ratio
big_m=$(median md5sum big); big_c=$(median "$cairn" hash big)
printf '%-22s %9.3fs %9.3fs %7.2fx\n' "1 GiB file" "$big_m" "$big_c" "$(awk -v a="$big_c" -v b="$big_m" 'BEGIN { print a / b }')"
small_m=$(median md5sum "${files[@]}"); small_c=$(median "$cairn" hash "${files[@]}")
printf '%-22s %9.3fs %9.3fs %7.2fx\n' "20,000 files" "$small_m" "$small_c" "$(awk -v a="$small_c" -v b="$small_m" 'BEGIN { print a / b }')"
# Both must print the same digests.
if ! diff <(md5sum "${files[@]}" | sort) <("$cairn" hash "${files[@]}" | sort) >/dev/null; then
  echo "MISMATCH: cairn and md5sum disagree" >&2
  exit 1
fi
