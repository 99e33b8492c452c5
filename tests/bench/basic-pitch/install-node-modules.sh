#!/bin/sh
# Installs what basic-pitch-run.js needs, for the benchmark only (never for
# the test command): Node.js and npm from Debian when node is missing (as
# build-aux/deps.sh does), then the versions pinned in package-lock.json
# into this folder's node_modules (git ignores it) with `npm ci`. A second
# run costs two file tests.
set -eu
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "strata: installing Debian packages: nodejs npm" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

# npm ci writes node_modules/.package-lock.json last: present and newer
# than the lock file means the pinned tree is in place.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "strata: npm ci in $(pwd)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
