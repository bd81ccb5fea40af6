#!/usr/bin/env bash
# scripts/deps.sh build|test
# Installs the Debian packages that building (and, with `test`, testing) cairn needs.
# Idempotent: asks apt only for what is missing, and downloads nothing when all is present.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
what=${1:-build}

lists=("$here/packages/apt-build.txt")
[ "$what" = test ] && lists+=("$here/packages/apt-test.txt")

missing=()
for pkg in $(grep -hv '^\s*#' "${lists[@]}"); do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "deps: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
