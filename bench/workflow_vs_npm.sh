#!/usr/bin/env bash
# bench/workflow_vs_npm.sh : times cairn's workflow engine against GitHub's own TypeScript
# packages (@actions/expressions, @actions/workflow-parser 0.3.61 in tests/node_modules), side by
# side in one run, on the same inputs, one process each:
#   (a) N (default 100,000) generated expressions, a fixed mix of conditions, string functions
#       and property access, each a JSON line with its contexts (written once to a temp file):
#       `cairn workflow eval --batch < FILE` vs bench/workflow_vs_npm.mjs eval FILE;
#   (b) every workflow file of ../shared/conformance/actions/nektos-act x REPS (default 20):
#       one `cairn workflow check FILE...` over the list repeated REPS times vs one node process
#       parsing and converting each file REPS times.
# Each side runs once to warm up, then RUNS (default 3) times, alternating with the other side;
# the median wall time is printed. Each process's startup (an empty input) is timed the same way
# and reported; the ratio cairn/TS is printed with and without it. Builds nothing: cairn is
# $CAIRN_BIN, else build/src/cli/cairn; node is $NODE, else .deps/bin/node.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cairn=${CAIRN_BIN:-$root/build/src/cli/cairn}
node=${NODE:-$root/.deps/bin/node}
n=${N:-100000}
reps=${REPS:-20}
runs=${RUNS:-3}
act=${CAIRN_ACT_DIR:-$root/../shared/conformance/actions/nektos-act}
mjs=$root/bench/workflow_vs_npm.mjs

for tool in "$cairn" "$node"; do
  [ -x "$tool" ] || { echo "not executable: $tool (set CAIRN_BIN / NODE)" >&2; exit 1; }
done
[ -d "$root/tests/node_modules/@actions/expressions" ] ||
  { echo "no tests/node_modules/@actions/expressions: npm ci in tests/" >&2; exit 1; }
work=$(mktemp -d /tmp/cairn-bench-workflow.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Runs a command with its output discarded; `cairn workflow check` exits 2 when a file is
# invalid (some act fixtures are, on purpose), which is not a failure here.
quiet() {
  local rc=0
  "$@" >/dev/null || rc=$?
  [ "$rc" -le 2 ] || { echo "failed ($rc): $*" >&2; exit 1; }
}

# wall seconds of one command
wall() {
  local t0 t1
  t0=$(date +%s.%N); quiet "$@"; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }

# pair NAME -- CAIRN_CMD... -- TS_CMD... : warm-up, then `runs` alternating runs of each; sets
# the globals c_med and t_med (median seconds).
pair() {
  local -a c_cmd=() t_cmd=()
  shift  # NAME
  shift  # --
  while [ "$1" != "--" ]; do c_cmd+=("$1"); shift; done
  shift
  t_cmd=("$@")
  quiet "${c_cmd[@]}"; quiet "${t_cmd[@]}"
  local c_times="" t_times=""
  for _ in $(seq "$runs"); do
    c_times+="$(wall "${c_cmd[@]}")"$'\n'
    t_times+="$(wall "${t_cmd[@]}")"$'\n'
  done
  c_med=$(printf '%s' "$c_times" | median)
  t_med=$(printf '%s' "$t_times" | median)
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "n/a"; else printf "%.2f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a - b }'; }

row() {  # label cairn ts
  printf '%-34s %9.3fs %9.3fs   cairn/TS = %s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"
}

echo "cairn: $cairn"
echo "node:  $node ($("$node" --version)); cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "median of $runs alternating runs after a warm-up"

# ---------------------------------------------------------------------------------------------
# (a) expressions

"$node" "$mjs" gen "$n" > "$work/exprs.jsonl"
: > "$work/empty"
echo
echo "(a) $n expressions ($(( $(wc -c < "$work/exprs.jsonl") / 1024 / 1024 )) MiB of JSON lines with contexts)"
# Same answers on both sides (not timed).
"$cairn" workflow eval --batch < "$work/exprs.jsonl" > "$work/cairn.out"
"$node" "$mjs" eval "$work/exprs.jsonl" > "$work/ts.out"
echo "check: $("$node" "$mjs" compare "$work/ts.out" "$work/cairn.out")"
printf '%-34s %10s %10s\n' "" cairn TS

pair startup -- sh -c '"$0" workflow eval --batch < "$1"' "$cairn" "$work/empty" \
  -- "$node" "$mjs" eval "$work/empty"
c_start=$c_med; t_start=$t_med
row "startup (empty input)" "$c_start" "$t_start"
pair eval -- sh -c '"$0" workflow eval --batch < "$1"' "$cairn" "$work/exprs.jsonl" \
  -- "$node" "$mjs" eval "$work/exprs.jsonl"
row "eval, with startup" "$c_med" "$t_med"
c_net=$(minus "$c_med" "$c_start"); t_net=$(minus "$t_med" "$t_start")
row "eval, without startup" "$c_net" "$t_net"
awk -v n="$n" -v c="$c_net" -v t="$t_net" \
  'BEGIN { printf "%-34s %8.2fus %8.2fus\n", "per expression, without startup", c / n * 1e6, t / n * 1e6 }'

# ---------------------------------------------------------------------------------------------
# (b) workflow files

if [ ! -d "$act" ]; then
  echo; echo "(b) skipped: no $act"; exit 0
fi
# The workflows of the fixtures, as tests/compat/workflow_parser_test.mjs picks them.
find "$act" -type f \( -name '*.yml' -o -name '*.yaml' \) ! -name action.yml ! -name action.yaml \
  ! -name config.yml | LC_ALL=C sort > "$work/files"
mapfile -t files < "$work/files"
args=()
for _ in $(seq "$reps"); do args+=("${files[@]}"); done
echo
echo "(b) ${#files[@]} workflow files x $reps = ${#args[@]} parses ($(cat "${files[@]}" | wc -c) bytes a pass)"
echo "check: cairn $(
  "$cairn" workflow check "${files[@]}" | awk '/^ok: /{ok++} END { printf "ok %d of '"${#files[@]}"'", ok }'
); TS $("$node" "$mjs" parse 1 "$work/files")"
printf '%-34s %10s %10s\n' "" cairn TS
pair startup -- sh -c '"$0" workflow eval --batch < "$1"' "$cairn" "$work/empty" \
  -- "$node" "$mjs" parse 1 "$work/empty"
c_start=$c_med; t_start=$t_med
row "startup (no file)" "$c_start" "$t_start"
pair parse -- "$cairn" workflow check "${args[@]}" -- "$node" "$mjs" parse "$reps" "$work/files"
row "parse, with startup" "$c_med" "$t_med"
c_net=$(minus "$c_med" "$c_start"); t_net=$(minus "$t_med" "$t_start")
row "parse, without startup" "$c_net" "$t_net"
awk -v n="${#args[@]}" -v c="$c_net" -v t="$t_net" \
  'BEGIN { printf "%-34s %8.1fus %8.1fus\n", "per file, without startup", c / n * 1e6, t / n * 1e6 }'
