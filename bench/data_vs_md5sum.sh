#!/usr/bin/env bash
# bench/data_vs_md5sum.sh [CAIRN] : `cairn data add` and `cairn data status` against md5sum (and
# `cp -r`, the file system's floor for creating the cache objects), side by side in one run,
# on the data bench/hash_vs_md5sum.sh generates under /tmp: a 1 GiB file and 20,000 files of
# 2-10 KB. Each add runs in a fresh repository (cache objects included); the median of 3 runs
# is reported. Goals (issue 3): 1 GiB add <= 1.15x md5sum; 20,000-file add <= 1.5x md5sum;
# status of the unchanged 20,000-file tree <= 50 ms. Real DVC 3.64 on this kind of machine:
# 8-12 s (1 GiB add), 5.4 s (20k files), 1.2 s (status); md5sum 1.7 s and 0.4 s.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cairn=${1:-$root/build/src/cli/cairn}
data=${CAIRN_BENCH_DATA:-/tmp/cairn-bench-hash}
runs=3
"$root/bench/hash_vs_md5sum.sh" "$cairn" >/dev/null  # makes the data if missing
work=$(mktemp -d /tmp/cairn-bench-data.XXXXXX)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# A fresh repository holding a hard-linked view of one workload (no copy of the data).
fresh_repo() {
  rm -rf "$work/repo" && mkdir -p "$work/repo" && cd "$work/repo"
  git init -q . && "$cairn" data init -q
  cp -al "$data/$1" "$work/repo/$1"
}

time_md5sum() {  # workload
  local files=("$data/$1"); [ -d "$data/$1" ] && files=("$data/$1"/*/*)
  md5sum "${files[@]}" >/dev/null
  for _ in $(seq $runs); do
    local t0; t0=$(now); md5sum "${files[@]}" >/dev/null; secs "$t0" "$(now)"; echo
  done | median
}
time_cp() {  # workload
  for _ in $(seq $runs); do
    rm -rf "$work/cp"; sync; local t0; t0=$(now); cp -r "$data/$1" "$work/cp"; secs "$t0" "$(now)"; echo
  done | median
}
time_add() {  # workload
  for _ in $(seq $runs); do
    fresh_repo "$1"; sync
    local t0; t0=$(now); "$cairn" data add -q "$1"; secs "$t0" "$(now)"; echo
  done | median
}
time_status() {  # the repository the last add of the small files left (cwd: it)
  "$cairn" data status -q || true
  for _ in $(seq 5); do
    local t0; t0=$(now); "$cairn" data status -q >/dev/null || true; secs "$t0" "$(now)"; echo
  done | sort -n | sed -n 3p
}

echo "cores: $(nproc); runs: median of $runs"
printf '%-28s %9s %9s %9s %8s\n' workload md5sum "cp -r" cairn "vs md5"
for w in big small; do
  cd "$root"
  m=$(time_md5sum $w); c=$(time_cp $w); a=$(time_add $w)
  label=$([ $w = big ] && echo "data add, 1 GiB file" || echo "data add, 20,000 files")
  printf '%-28s %8.3fs %8.3fs %8.3fs %7sx\n' "$label" "$m" "$c" "$a" "$(ratio "$a" "$m")"
done
cd "$work/repo"
s=$(time_status)
# Peers that also stat every file of the tree: find(1) (one thread) and `git status` (with
# the 20,000 files in git's index), timed in the same repository.
f=$(for _ in $(seq 5); do t0=$(now); find small -type f -printf '%s %T@ %i\n' >/dev/null; secs "$t0" "$(now)"; echo; done | sort -n | sed -n 3p)
git add -f small >/dev/null 2>&1; git status --porcelain >/dev/null
g=$(for _ in $(seq 5); do t0=$(now); git status --porcelain >/dev/null; secs "$t0" "$(now)"; echo; done | sort -n | sed -n 3p)
ms() { awk -v s="$1" 'BEGIN{printf "%.1f", s*1000}'; }
printf '%-28s %s ms (find -printf: %s ms, git status: %s ms)\n' "data status, unchanged 20k" \
  "$(ms "$s")" "$(ms "$f")" "$(ms "$g")"
