#!/bin/sh
# Replays a fuzz harness (built without libFuzzer by meson) over a fresh seed
# corpus and over the inputs that once made it fail. Run by meson test.
#
#   replay.sh KIND REPLAY-BINARY
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
kind=$1 bin=$2
here=$(cd "$(dirname "$0")" && pwd)
seeds=$(mktemp -d "${TMPDIR:-/tmp}/strata-replay-XXXXXX")
trap 'rm -rf "$seeds"' EXIT
if [ "$kind" = safetensors ]; then
  /usr/bin/python3 "$here/make-seeds.py" "$seeds"
else
  /usr/bin/python3 "$here/make-import-seeds.py" "$kind" "$seeds"
fi
set -- "$seeds"
[ -d "$here/regressions/$kind" ] && set -- "$@" "$here/regressions/$kind"
"$bin" "$@"
