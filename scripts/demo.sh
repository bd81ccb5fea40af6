#!/usr/bin/env bash
# scripts/demo.sh: the README's main job. Installs what cairn needs, builds it and runs it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/deps.sh" build
"$root/scripts/build.sh" --no-tests --target cairn
cairn="$root/build/src/cli/cairn"
"$cairn" --version
"$cairn" --help
