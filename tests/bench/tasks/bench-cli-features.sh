#!/bin/sh
# The CLI's features through the task cache: the same file twice with a
# fresh cache folder; the first run decodes and extracts, the second reads
# the cached features. Prints both wall times and their ratio.
#   bench-cli-features.sh STRATA-CLI AUDIO-FILE
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
cli=$1
audio=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run () {  # run OUT.npz: prints the wall time in ms and the cache line
  start=$(date +%s%N)
  STRATA_TASK_STATS=1 "$cli" features "$audio" -o "$1" --cache-dir "$tmp/cache" 2>"$tmp/err"
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}

cold=$(run "$tmp/cold.npz")
cold_stats=$(grep 'features computed' "$tmp/err")
warm=$(run "$tmp/warm.npz")
warm_stats=$(grep 'features computed' "$tmp/err")
cmp -s "$tmp/cold.npz" "$tmp/warm.npz" || { echo "the two .npz files differ" >&2; exit 1; }

echo "strata-cli features $(basename "$audio")"
echo "  cold cache: ${cold} ms   (${cold_stats#strata-cli: })"
echo "  warm cache: ${warm} ms   (${warm_stats#strata-cli: })"
awk -v c="$cold" -v w="$warm" 'BEGIN { if (w > 0) printf "  speed-up:   %.1fx\n", c / w }'
