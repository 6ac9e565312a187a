#!/usr/bin/env bash
# Builds the Debian package into build/package/kaizen_<version>_<arch>.deb and prints its path
# on the last line.
#   scripts/package.sh
# Its own build directory, configured for /usr (so that the config goes to /etc) and without
# the tests; ccache makes the compile mostly hits after scripts/build.sh release. Needs
# dpkg-shlibdeps (dpkg-dev) for the dependencies, and fakeroot-free CPack (root or not).
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=${KAIZEN_JOBS:-$(nproc)}
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
build=build/package

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKAIZEN_WERROR=ON \
    -DKAIZEN_BUILD_TESTS=OFF -DBUILD_TESTING=OFF -DCMAKE_INSTALL_PREFIX=/usr \
    -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
else
  cmake "$build" >/dev/null  # picks up files other areas added (unit, completion)
fi
cmake --build "$build" -j "$jobs" --target kaizend kaizenctl
rm -f "$build"/kaizen_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/kaizen_*.deb)
dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
echo "$PWD/$deb"
