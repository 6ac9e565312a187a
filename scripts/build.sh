#!/usr/bin/env bash
# Configures and builds one flavour of kaizen into build/<flavour>.
#   scripts/build.sh release [targets...]   optimised with debug info, warnings as errors
#   scripts/build.sh asan [targets...]      AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-release}
shift || true
jobs=${KAIZEN_JOBS:-$(nproc)}
# Let ccache share objects between clones in different folders (a CI clone, a developer's
# tree): paths inside the tree are hashed relative to it.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) args=(-DCMAKE_BUILD_TYPE=Debug -DKAIZEN_SANITIZE=ON "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g") ;;
  *) echo "usage: scripts/build.sh release|asan [targets...]" >&2; exit 2 ;;
esac

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ ! -f "build/$flavour/CMakeCache.txt" ]; then
  cmake -S . -B "build/$flavour" "${generator[@]}" -DKAIZEN_WERROR=ON "${args[@]}"
fi
if [ $# -gt 0 ]; then
  cmake --build "build/$flavour" -j "$jobs" --target "$@"
else
  cmake --build "build/$flavour" -j "$jobs"
fi
