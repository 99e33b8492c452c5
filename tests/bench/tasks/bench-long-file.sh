#!/bin/sh
# Memory on long files: strata-cli features on an hour (and optionally more)
# of 44.1 kHz stereo audio made here with GStreamer (pink noise under a
# sine), with a fresh cache. Prints wall time and peak memory (the CLI's
# own getrusage figure) beside the target.
#   bench-long-file.sh STRATA-CLI [MINUTES]
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
cli=$1
minutes=${2:-60}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/strata-long-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

gst-launch-1.0 -q audiotestsrc wave=pink-noise volume=0.2 num-buffers=$((minutes * 60)) \
    samplesperbuffer=44100 ! audio/x-raw,format=S16LE,rate=44100,channels=2 ! \
    audiomixer name=m ! wavenc ! filesink location="$tmp/long.wav" \
  audiotestsrc freq=220 volume=0.1 num-buffers=$((minutes * 60)) samplesperbuffer=44100 ! \
    audio/x-raw,format=S16LE,rate=44100,channels=2 ! m.
size=$(stat -c %s "$tmp/long.wav")

start=$(date +%s%N)
STRATA_TASK_STATS=1 "$cli" features "$tmp/long.wav" -o "$tmp/long.npz" --cache-dir "$tmp/cache" 2>"$tmp/err" \
  || { cat "$tmp/err" >&2; exit 1; }
end=$(date +%s%N)
peak=$(sed -n 's/^strata-cli: peak memory \([0-9.]*\) MB$/\1/p' "$tmp/err")

echo "strata-cli features on ${minutes} min of 44.1 kHz stereo ($((size / 1000000)) MB of WAV)"
echo "  wall time:   $(( (end - start) / 1000000 )) ms"
echo "  peak memory: ${peak} MB   (target for 60 min: < 1000 MB)"
