#!/bin/sh
# The README's commands. Idempotent: packages are installed only when missing,
# Meson reconfigures only when needed, Ninja rebuilds only what changed.
#
#   build-aux/strata.sh run [FILE]   set up, build, launch Strata (demo track by default)
#   build-aux/strata.sh test         set up, build, run every test (normal + ASan/UBSan builds)
#   build-aux/strata.sh bench [NAME...]  set up, build, run the benchmarks in tests/bench/
#                                    (only NAME... when given; without names all but
#                                    the booster studies, suite 'study': name them)
#   build-aux/strata.sh fuzz         run each fuzzer for 10^6 executions (counts printed)
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

setup () {  # setup DIR [meson options...]
  dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    sh build-aux/deps.sh
    setup build
    file=${1:-$top/resources/demo/strata-demo.flac}
    exec env GSETTINGS_SCHEMA_DIR="$top/build/resources" "$top/build/app/strata" "$file"
    ;;
  test)
    sh build-aux/deps.sh --test
    setup build
    # GUI tests need a display: one Xvfb for the whole run. They fail (not
    # skip) when STRATA_REQUIRE_DISPLAY is set and no display can be opened.
    STRATA_REQUIRE_DISPLAY=1 xvfb-run -a -s '-screen 0 1280x1024x24 -nolisten tcp' \
      meson test -C build --print-errorlogs --num-processes 2
    # The core and its tests again under AddressSanitizer + UBSan.
    setup build-asan -Dgui=false -Db_sanitize=address,undefined -Db_lundef=false
    # Sanitized code runs 2-3 times slower: the timeouts scale with it.
    STRATA_TEST_TIME_SCALE=3 meson test -C build-asan --print-errorlogs --num-processes 2 \
      --suite core --timeout-multiplier 3
    # A short libFuzzer run of each fuzzer (clang, ASan, UBSan): 4 x 12 s.
    sh tests/fuzz/run-fuzz.sh 12
    echo "strata: all tests passed"
    ;;
  bench)
    sh build-aux/deps.sh --test
    setup build   # the same debugoptimized (-O2) build the tests use
    # Basic Pitch's runner (Node.js, npm packages); without it that bench skips.
    sh tests/bench/basic-pitch/install-node-modules.sh ||
      echo "strata: Basic Pitch's packages not installed; its benchmark will skip" >&2
    # With names (bench basic-pitch transcription ...), only those benchmarks.
    STRATA_REQUIRE_DISPLAY=1 xvfb-run -a -s '-screen 0 1280x1024x24 -nolisten tcp' \
      meson test -C build --benchmark --print-errorlogs --verbose --timeout-multiplier 10 \
        $([ $# -gt 0 ] && echo "$@" || echo --no-suite study)
    [ $# -gt 0 ] || sh tests/fuzz/run-fuzz.sh 300 safetensors
    ;;
  fuzz)
    sh build-aux/deps.sh --test
    sh tests/fuzz/run-fuzz.sh -runs 1000000 "$@"
    ;;
  *)
    echo "usage: $0 run [FILE] | test | bench [NAME...] | fuzz [NAME...]" >&2
    exit 2
    ;;
esac
