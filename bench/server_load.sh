#!/usr/bin/env bash
# bench/server_load.sh [CAIRN] : `cairn server` under load on loopback, measured with wrk (Debian's
# wrk; its Lua scripts are in bench/server/). One server, a fresh SQLite database in a temp dir,
# default settings (synchronous=NORMAL). Each figure is one wrk run of $DURATION seconds (default
# 10) after a 2 s warm-up; wrk and the server share this machine's cores.
#
# Goals (issue 4), load generator included: log-metric >= 10,000 req/s at 4 connections;
# log-batch of 100 metrics >= 4,500 req/s at 1 connection; get-run >= 10,000 req/s; search over
# 10,000 runs ordered by metrics.acc DESC, max_results=100 <= 50 ms; log-metric on a run that
# already holds 1,000,000 metric rows no slower than 1.2x one on a fresh run. Real MLflow 2.17.2 /
# 3.6 (gunicorn, SQLite) measured on this kind of machine: log-metric ~150-210 req/s, log-batch(100)
# ~45-51 req/s, get-run ~210 req/s, that search ~5 s, log-metric 11 req/s at 88k rows.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cairn=${1:-$root/build/src/cli/cairn}
duration=${DURATION:-10}
lua=$root/bench/server
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/cairn-bench-server.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$cairn" server --backend-store-uri "sqlite:///$work/mlflow.db" \
  --artifacts-destination "$work/artifacts" --port 0 --workers "${WORKERS:-8}" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
  url=$(grep -o 'http://[^ ]*' "$work/server.log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "bench: the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }

api() {  # path json -> response
  curl -sf -H 'Content-Type: application/json' -d "$2" "$url/api/2.0/mlflow/$1"
}
field() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
new_run() {  # experiment_id -> run_id
  api runs/create "{\"experiment_id\":\"$1\"}" | field 'd["run"]["info"]["run_id"]'
}
rps() {  # wrk args... -> requests/s
  wrk --latency -d 2 "$@" >/dev/null
  wrk -d "$duration" "$@" | awk '/Requests\/sec/ { print $2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

exp_id=$(api experiments/create '{"name":"bench"}' | field 'd["experiment_id"]')
run_a=$(new_run "$exp_id")

echo "cairn server load, $(nproc) cores, wrk on the same machine, ${duration} s per figure"
lm1=$(RUN_ID=$run_a rps -t1 -c1 -s "$lua/log_metric.lua" "$url")
lm4=$(RUN_ID=$run_a rps -t2 -c4 -s "$lua/log_metric.lua" "$url")
echo "log-metric, 1 connection:        $lm1 req/s"
echo "log-metric, 4 connections:       $lm4 req/s   (goal >= 10000; MLflow ~150-210)"
run_b=$(new_run "$exp_id")
lb=$(RUN_ID=$run_b rps -t1 -c1 -s "$lua/log_batch.lua" "$url")
echo "log-batch(100), 1 connection:    $lb req/s   (goal >= 4500; MLflow ~45-51)"
gr=$(rps -t2 -c4 "$url/api/2.0/mlflow/runs/get?run_id=$run_a")
echo "get-run, 4 connections:          $gr req/s   (goal >= 10000; MLflow ~210)"

search_exp=$(api experiments/create '{"name":"search"}' | field 'd["experiment_id"]')
/usr/bin/python3 "$lua/populate.py" "$url" runs "$search_exp" 10000
sr=$(EXPERIMENT_ID=$search_exp rps -t1 -c1 -s "$lua/search.lua" "$url")
echo "search 10,000 runs (acc DESC, 100): $(awk -v r="$sr" 'BEGIN { printf "%.1f", 1000 / r }') ms each   (goal <= 50; MLflow ~5000)"

fresh=$(new_run "$exp_id")
deep=$(new_run "$exp_id")
/usr/bin/python3 "$lua/populate.py" "$url" history "$deep" 1000000
rows=$(/usr/bin/python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM metrics m JOIN runs r USING (run_key) WHERE r.run_uuid = ?', (sys.argv[2],)).fetchone()[0])" "$work/mlflow.db" "$deep")
echo "metric rows on the deep run:     $rows"
f=$(RUN_ID=$fresh rps -t1 -c1 -s "$lua/log_metric.lua" "$url")
d=$(RUN_ID=$deep rps -t1 -c1 -s "$lua/log_metric.lua" "$url")
echo "log-metric, fresh run:           $f req/s"
echo "log-metric, run with 1M rows:    $d req/s   slowdown $(ratio "$f" "$d")x (goal <= 1.2; MLflow 11 req/s at 88k rows)"
