#!/bin/sh
# Runs the real strata binary: --help, then a short session that opens FILE
# (when given) and quits by itself (STRATA_QUIT_AFTER_MS). Needs a display.
#   run-strata.sh STRATA [FILE]
set -u
strata=$1
file=${2:-}

if [ -z "${DISPLAY:-}" ]; then
  if [ "${STRATA_REQUIRE_DISPLAY:-}" = 1 ]; then
    echo "no display, and STRATA_REQUIRE_DISPLAY=1" >&2
    exit 1
  fi
  echo "no display: skipped" >&2
  exit 77
fi

out=$("$strata" --help) || { echo "strata --help failed" >&2; exit 1; }
case "$out" in
  *--version*|*--help*) ;;
  *) echo "unexpected --help output: $out" >&2; exit 1 ;;
esac

if [ -n "$file" ] && [ ! -f "$file" ]; then
  file=""
fi
# G_DEBUG=fatal-criticals (from the test environment): a critical aborts.
STRATA_QUIT_AFTER_MS=3000 timeout 30 "$strata" ${file:+"$file"}
rc=$?
if [ $rc -ne 0 ]; then
  echo "strata exited with $rc" >&2
  exit 1
fi
echo "strata ran and quit cleanly${file:+ with $file}"
