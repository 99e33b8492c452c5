#!/bin/sh
# Builds the safetensors-reader fuzzer with clang (libFuzzer + ASan + UBSan)
# from the source tree and runs it for SECONDS (default 20). Exits non-zero
# when the fuzzer finds a crash, leak or timeout; the reproducer is left in
# the work directory it prints.
#
#   tests/fuzz/run-fuzz.sh 20     short run (test command)
#   tests/fuzz/run-fuzz.sh 300    long run (bench command)
#
# STRATA_FUZZ_DIR=DIR keeps the build, corpus and artifacts in DIR
# (default: a fresh temporary directory, removed when no crash was found).
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
seconds=${1:-20}
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 SECONDS" >&2; exit 2 ;;
esac
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
mkdir -p "$work/corpus" "$work/artifacts" "$work/include"
# The sources include config.h; the build tree's is not needed for them.
: > "$work/include/config.h"

# shellcheck disable=SC2046
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -std=gnu17 -DGETTEXT_PACKAGE='"strata"' \
  -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74 \
  -I"$work/include" -I"$src/core" $(pkg-config --cflags gio-2.0 json-glib-1.0 openblas) \
  "$src/tests/fuzz/fuzz-safetensors.c" \
  "$src/core/nn/strata-safetensors.c" \
  "$src/core/nn/strata-nn.c" \
  "$src/core/io/strata-output.c" \
  -o "$work/fuzz-safetensors" \
  $(pkg-config --libs gio-2.0 json-glib-1.0 openblas) -lm

/usr/bin/python3 "$src/tests/fuzz/make-seeds.py" "$work/corpus"

echo "run-fuzz.sh: fuzzing the safetensors reader for ${seconds}s in $work"
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
  "$work/fuzz-safetensors" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1 -dict="$src/tests/fuzz/safetensors.dict" \
  -artifact_prefix="$work/artifacts/" "$work/corpus" || status=$?

if [ "$status" -ne 0 ]; then
  echo "run-fuzz.sh: FAILED (status $status); reproducer in $work/artifacts/" >&2
  exit 1
fi
[ "$keep" -eq 1 ] || rm -rf "$work"
echo "run-fuzz.sh: no crash in ${seconds}s"
