#!/bin/sh
# Installs the Debian 12 packages Strata needs, only the ones that are missing,
# so a second run costs one dpkg query.
#   build-aux/deps.sh          build and run
#   build-aux/deps.sh --test   build, run and test (Xvfb, clang for fuzzing, numpy)
set -eu

PKGS="
  gcc pkg-config meson ninja-build gettext libglib2.0-dev-bin desktop-file-utils
  appstream
  libgtk-4-dev libadwaita-1-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  libsndfile1-dev libopenblas-dev libfftw3-dev libjson-glib-dev libfluidsynth-dev
  timgm6mb-soundfont
"
TEST_PKGS="
  xvfb xauth clang libclang-rt-14-dev python3-numpy gstreamer1.0-tools
"

want="$PKGS"
[ "${1:-}" = "--test" ] && want="$want $TEST_PKGS"

missing=""
for p in $want; do
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$st" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "strata: installing Debian packages:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
