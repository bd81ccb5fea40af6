#!/usr/bin/env bash
# bench/runner_overhead.sh [CAIRN] : the runner's cost per step. A workflow of 100 steps each
# running `true` (`cairn workflow run`), side by side in one run with bash running `true` 100
# times the way a step does (a script file per step, `bash -e FILE`), and with a bare loop of
# the builtin `true`. Each runs 5 times after a warm-up; medians are reported, and the
# overhead per step = (cairn - bash scripts) / 100. Goal (issue 6): <= 5 ms per step.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cairn=${1:-$root/build/src/cli/cairn}
runs=5
work=$(mktemp -d /tmp/cairn-bench-runner.XXXXXX)
trap 'rm -rf "$work"' EXIT

cd "$work"
git init -q -b main repo && cd repo
mkdir -p .github/workflows
{
  echo "on: push"
  echo "jobs:"
  echo "  steps100:"
  echo "    runs-on: ubuntu-latest"
  echo "    steps:"
  for i in $(seq 100); do echo "      - run: 'true'"; done
} > .github/workflows/steps.yml
git add -A && git -c user.name=b -c user.email=b@b commit -qm bench

median() {
  "$@" >/dev/null 2>&1
  for _ in $(seq $runs); do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
  done | sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

scripts() {
  for i in $(seq 100); do
    printf 'true\n' > "$work/step.sh"
    bash -e "$work/step.sh"
  done
}
builtin_loop() { for i in $(seq 100); do true; done; }

c=$(median "$cairn" workflow run steps.yml --event push)
s=$(median scripts)
b=$(median builtin_loop)
echo "cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-40s %9.3fs\n' "cairn workflow run (100 steps)" "$c"
printf '%-40s %9.3fs\n' "bash -e FILE, 100 times" "$s"
printf '%-40s %9.3fs\n' "bash loop of builtin true, 100 times" "$b"
awk -v c="$c" -v s="$s" -v b="$b" 'BEGIN {
  printf "overhead per step: %.2f ms over bash scripts, %.2f ms over the builtin loop (goal <= 5 ms)\n",
         (c - s) * 10, (c - b) * 10 }'
