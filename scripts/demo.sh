#!/usr/bin/env bash
# scripts/demo.sh [SCRATCH_DIR]: the README's main job. Installs what building cairn needs
# (Debian packages, only those missing), builds the cairn binary, then runs the ML CI/CD loop of
# examples/spam-filter with it (scripts/pipeline-demo.sh): a scratch git repository with a bare
# origin, data on a local DVC remote, `cairn server` on SQLite, and the training workflow for a
# pull request, a push to main that registers the champion, and a push that fails at the gate.
# SCRATCH_DIR defaults to build/demo; every run starts from a fresh one.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scratch=${1:-$root/build/demo}
start=$SECONDS
"$root/scripts/deps.sh" build
"$root/scripts/build.sh" --no-tests --target cairn
built=$SECONDS
echo "demo: built cairn in $((built - start)) s"
"$root/scripts/pipeline-demo.sh" "$root/build/src/cli/cairn" "$scratch"
echo "demo: the loop took $((SECONDS - built)) s after the build ($((SECONDS - start)) s in all)"
