#!/usr/bin/env bash
# scripts/pipeline-demo.sh CAIRN_BINARY SCRATCH_DIR
# The ML CI/CD loop of examples/spam-filter on this machine, with a built cairn (scripts/demo.sh
# builds it first; tests/cli/example_pipeline_test.cc runs this script directly):
#   SCRATCH_DIR/repo        the example as a git repository (branch main), origin = origin.git
#   SCRATCH_DIR/origin.git  a bare repository: the shared upstream (GitHub's role)
#   SCRATCH_DIR/dvc-remote  the DVC remote (S3's role), holding the data
#   SCRATCH_DIR/server      `cairn server` on SQLite with basic auth: mlflow.db, artifacts/, log
# then the workflow .github/workflows/train.yml three times, as GitHub would run it:
#   1. a pull request from branch `tune` changing params.yaml: train, evaluate, gate, report;
#      nothing registered (the register job runs only on a push to main)
#   2. the push to main merging it: version 1 of spam-filter in Production with alias
#      champion; the register job pushes the outputs to the DVC remote and dvc.lock to origin
#   3. a push to main with params that drop accuracy under 0.85: fails at the gate; nothing
#      registered
# and prints the run history, the registry and where everything is. The server is stopped at
# exit. SCRATCH_DIR is made afresh: a directory this script made before (it holds a
# .cairn-demo marker) is removed first; any other non-empty directory is refused.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: scripts/pipeline-demo.sh CAIRN_BINARY SCRATCH_DIR" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cairn_bin=$(readlink -f "$1")
if [ ! -x "$cairn_bin" ]; then
  echo "pipeline-demo: $1 is not an executable (build cairn first: scripts/demo.sh)" >&2
  exit 2
fi
scratch=$2
if [ -e "$scratch" ]; then
  if [ -f "$scratch/.cairn-demo" ]; then
    rm -rf "$scratch"
  elif [ -n "$(ls -A "$scratch")" ]; then
    echo "pipeline-demo: $scratch is not empty and not a directory this script made" \
      "(no .cairn-demo in it): refusing to remove it" >&2
    exit 2
  fi
fi
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
touch "$scratch/.cairn-demo"
start=$SECONDS

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# cairn as `cairn` on PATH, for this script, the workflow's steps and dvc.yaml's commands.
mkdir -p "$scratch/bin"
ln -s "$cairn_bin" "$scratch/bin/cairn"
export PATH="$scratch/bin:$PATH"
# Nothing from the caller's environment steers the stores; git needs no global identity.
unset MLFLOW_TRACKING_URI MLFLOW_REGISTRY_URI MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD \
  MLFLOW_TRACKING_TOKEN GITHUB_ENV GITHUB_OUTPUT GITHUB_STEP_SUMMARY RUN_ID
export GIT_AUTHOR_NAME="Demo User" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo User" GIT_COMMITTER_EMAIL="demo@example.com"
export CAIRN_HOOKS=0

repo="$scratch/repo"
server_dir="$scratch/server"
remote="$scratch/dvc-remote"

say "The example project as a git repository: $repo (origin: $scratch/origin.git)"
cp -r "$root/examples/spam-filter" "$repo"
rm -rf "$repo/.dvc/cache" "$repo/.dvc/tmp" "$repo/.dvc/config.local"
git init -q --bare -b main "$scratch/origin.git"
cd "$repo"
git init -q -b main
git remote add origin "$scratch/origin.git"

say "Data: cairn data add data/spambase.csv, cairn data push to $remote"
# The committed .dvc/config keeps its default; this clone's remote is local (config.local).
cairn data remote modify --local storage url "$remote"
cairn data add -q data/spambase.csv
cairn data push

say "Tracking server: cairn server on SQLite with basic auth"
mkdir -p "$server_dir"
password=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
printf '%s\n' "$password" |
  cairn server add-user --auth-file "$server_dir/htpasswd" spam-filter-ci >/dev/null 2>&1
cairn server --backend-store-uri "sqlite:///$server_dir/mlflow.db" \
  --artifacts-destination "$server_dir/artifacts" --host 127.0.0.1 --port 0 --workers 4 \
  --auth-file "$server_dir/htpasswd" >"$server_dir/server.log" 2>&1 &
server_pid=$!
stop_server() {
  if [ -n "${server_pid:-}" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap stop_server EXIT
url=
for _ in $(seq 100); do
  url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$server_dir/server.log" | head -1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "pipeline-demo: cairn server did not start:" >&2
  cat "$server_dir/server.log" >&2
  exit 1
fi
echo "$url (user spam-filter-ci; store $server_dir/mlflow.db)"

say "Repository settings: .cairn/ (GitHub's environments, variables and secrets)"
cairn init
cat >.cairn/environments.yaml <<'EOF'
# Which refs may use each environment (GitHub: Settings > Environments > deployment branches).
ml-prod:          # the register job: pushes to main only
  branches: [main]
ml-ci:            # the train job: every branch and pull request
EOF
cat >.cairn/vars.env <<EOF
MLFLOW_TRACKING_URI=$url
DVC_REMOTE_URL=$remote
EOF
cat >.cairn/secrets.env <<EOF
MLFLOW_TRACKING_USERNAME=spam-filter-ci
MLFLOW_TRACKING_PASSWORD=$password
EOF
# vars.env names this machine's paths and port: not for the shared history.
echo ".cairn/vars.env" >>.git/info/exclude
cat .cairn/environments.yaml .cairn/vars.env
echo "(.cairn/secrets.env: MLFLOW_TRACKING_USERNAME, MLFLOW_TRACKING_PASSWORD)"
git add -A
git commit -q -m "Spam filter: data (DVC), pipeline, training workflow"
git push -q -u origin main
git log --oneline

failures=0
run_workflow() {  # expected-outcome, then cairn workflow run's arguments
  local expected=$1 status=0
  shift
  echo "\$ cairn workflow run $*"
  cairn workflow run "$@" || status=$?
  if [ "$expected" = success ] && [ $status -ne 0 ]; then
    echo "pipeline-demo: the run failed (exit $status); it should have succeeded" >&2
    failures=$((failures + 1))
  elif [ "$expected" = failure ] && [ $status -eq 0 ]; then
    echo "pipeline-demo: the run succeeded; it should have failed at the gate" >&2
    failures=$((failures + 1))
  fi
}
set_param() {  # key value: a key of params.yaml's train: section
  sed -i "s/^  $1: .*/  $1: $2/" params.yaml
}

say "1/3 Pull request from branch tune (params.yaml: n_estimators 300): train, evaluate," \
  "gate, report; nothing is registered"
git checkout -q -b tune
set_param n_estimators 300
git commit -q -am "Tune: 300 boosting rounds"
git push -q origin tune
run_workflow success train --event pull_request --base main --head tune

say "2/3 Push to main (the pull request merged): registers spam-filter v1 (Production," \
  "champion), pushes the outputs to the DVC remote and dvc.lock to origin"
git checkout -q main
git merge -q --no-ff tune -m "Merge branch 'tune'"
git push -q origin main
run_workflow success train --event push --ref refs/heads/main
git pull -q --ff-only origin main
git log --oneline -3

say "3/3 Push to main with params that drop accuracy under 0.85 (1 round of depth 1):" \
  "fails at the gate; nothing is registered"
set_param n_estimators 1
set_param max_depth 1
git commit -q -am "Shrink the model: 1 round of depth 1"
git push -q origin main
run_workflow failure train --event push --ref refs/heads/main

say "Runs"
cairn run list

say "Registry"
export MLFLOW_TRACKING_URI=$url MLFLOW_TRACKING_USERNAME=spam-filter-ci MLFLOW_TRACKING_PASSWORD=$password
cairn model get spam-filter

say "The champion, used: cairn data pull (dvc.lock of the register job's commit), then" \
  "cairn ml predict --model-uri models:/spam-filter@champion"
cairn data pull -q
cairn ml predict --model-uri models:/spam-filter@champion --data data/test.csv \
  --output "$scratch/predictions.csv"

say "Where things are"
cat <<EOF
repository            $repo (branches main, tune; .cairn/runs/ holds each job's log)
upstream              $scratch/origin.git: $(git -C "$scratch/origin.git" log --oneline -1 main)
workflow artifacts    $repo/.cairn/artifacts (test-results: metrics.json, plots; pipeline-outputs)
DVC remote            $remote
tracking server       $url, stopped now; its store: $server_dir/mlflow.db, artifacts in
                      $server_dir/artifacts. Serve it again with
                      cairn server --backend-store-uri sqlite:///$server_dir/mlflow.db \\
                        --artifacts-destination $server_dir/artifacts --auth-file $server_dir/htpasswd
predictions           $scratch/predictions.csv
EOF
elapsed=$((SECONDS - start))
echo
echo "pipeline-demo: done in ${elapsed} s"
if [ $failures -ne 0 ]; then
  echo "pipeline-demo: $failures run(s) did not end as expected" >&2
  exit 1
fi
