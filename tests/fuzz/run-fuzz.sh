#!/bin/sh
# Builds the fuzzers with clang (libFuzzer + ASan + UBSan) from the source
# tree and runs each on a seed corpus made by a script. Exits non-zero when a
# fuzzer finds a crash, leak or timeout; the reproducer is left in the work
# directory it prints.
#
#   tests/fuzz/run-fuzz.sh 12 [NAME...]           each fuzzer for 12 s (test command)
#   tests/fuzz/run-fuzz.sh -runs 1000000 [NAME...] each for 10^6 executions (fuzz command)
#
# NAME: safetensors (weights reader), audio (libsndfile import: probe, info
# verdict, decode, downmix), npz (.npz writer, read back), smf (MIDI writer,
# read back); all four by default. The last line per fuzzer gives its
# execution count.
#
# STRATA_FUZZ_DIR=DIR keeps the builds, corpora and artifacts in DIR
# (default: a fresh temporary directory, removed when no crash was found).
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
limit=-max_total_time
amount=${1:-20}
if [ "${1:-}" = "-runs" ]; then
  limit=-runs
  amount=${2:-}
  shift
fi
[ $# -gt 0 ] && shift
case "$amount" in
  ''|*[!0-9]*) echo "usage: $0 SECONDS [NAME...] | $0 -runs N [NAME...]" >&2; exit 2 ;;
esac
names=${*:-safetensors audio npz smf}
src=$(cd "$(dirname "$0")/../.." && pwd)
cc=${CLANG:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "run-fuzz.sh: $cc not found (install clang)" >&2
  exit 1
fi

keep=1
if [ -z "${STRATA_FUZZ_DIR:-}" ]; then
  STRATA_FUZZ_DIR=$(mktemp -d "${TMPDIR:-/tmp}/strata-fuzz-XXXXXX")
  keep=0
fi
work=$STRATA_FUZZ_DIR
mkdir -p "$work/include" "$work/artifacts"
# The sources include config.h; nothing in it is needed by these files.
: > "$work/include/config.h"

build () {  # build NAME PKGS SOURCES...
  name=$1 pkgs=$2; shift 2
  # shellcheck disable=SC2046,SC2086
  "$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -std=gnu17 -DGETTEXT_PACKAGE='"strata"' \
    -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74 \
    -I"$work/include" -I"$src/core" $(pkg-config --cflags $pkgs) \
    "$src/tests/fuzz/fuzz-$name.c" "$@" "$src/core/io/strata-output.c" \
    -o "$work/fuzz-$name" $(pkg-config --libs $pkgs) -lm
}

status=0
for name in $names; do
  corpus=$work/corpus-$name
  mkdir -p "$corpus"
  dict= max_len=65536
  case "$name" in
    safetensors)
      build safetensors "gio-2.0 json-glib-1.0 openblas" \
        "$src/core/nn/strata-safetensors.c" "$src/core/nn/strata-nn.c"
      /usr/bin/python3 "$src/tests/fuzz/make-seeds.py" "$corpus"
      dict=-dict=$src/tests/fuzz/safetensors.dict ;;
    audio)
      build audio "gio-2.0 gstreamer-1.0 gstreamer-app-1.0 gstreamer-audio-1.0 gstreamer-pbutils-1.0 sndfile" \
        "$src/core/audio/strata-audio.c" "$src/core/audio/strata-audio-sndfile.c" \
        "$src/core/audio/strata-audio-downmix.c" "$src/core/audio/strata-audio-gst.c"
      /usr/bin/python3 "$src/tests/fuzz/make-import-seeds.py" audio "$corpus"
      max_len=16384 ;;
    npz)
      build npz "gio-2.0" "$src/core/model/strata-npz.c"
      /usr/bin/python3 "$src/tests/fuzz/make-import-seeds.py" npz "$corpus"
      max_len=4096 ;;
    smf)
      build smf "gio-2.0 openblas" "$src/core/corpus/strata-smf.c" "$src/core/corpus/strata-compose.c" \
        "$src/core/corpus/strata-compose-styles.c" "$src/core/corpus/strata-gm.c" \
        "$src/core/nn/strata-nn.c"
      /usr/bin/python3 "$src/tests/fuzz/make-import-seeds.py" smf "$corpus"
      max_len=4096 ;;
    *)
      echo "run-fuzz.sh: no fuzzer named $name" >&2
      exit 2 ;;
  esac

  echo "run-fuzz.sh: fuzzing $name ($limit=$amount) in $work"
  # -timeout: 60 s per input. Inputs that replay in under a second took over
  # 10 s under ASan on a loaded machine (allocator madvise stalls).
  log=$work/$name.log
  rc=0
  # shellcheck disable=SC2086
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0} \
    "$work/fuzz-$name" "$limit=$amount" -timeout=60 -rss_limit_mb=2048 \
    -max_len=$max_len -print_final_stats=1 $dict \
    -artifact_prefix="$work/artifacts/$name-" "$corpus" > "$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "run-fuzz.sh: $name FAILED (status $rc) after ${execs:-?} executions; reproducer in $work/artifacts/" >&2
    status=1
    keep=1
  else
    echo "run-fuzz.sh: $name: ${execs:-?} executions, no crash"
  fi
done

[ "$keep" -eq 1 ] || rm -rf "$work"
exit $status
