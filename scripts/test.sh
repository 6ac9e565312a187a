#!/usr/bin/env bash
# The README's second command: install what is missing, build, and run the whole test suite
# twice: once optimised, once under AddressSanitizer + UndefinedBehaviorSanitizer.
#   scripts/test.sh           both
#   KAIZEN_SKIP_ASAN=1 scripts/test.sh   the optimised run only (quicker, for local work)
#   KAIZEN_SKIP_PACKAGE=1 scripts/test.sh   without building and installing the .deb
# As root (CI), the release run is followed by the package test: scripts/test-package.sh
# builds the .deb, installs it here, checks it and purges it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

start=$(date +%s)
echo "== build (release)"
scripts/build.sh release
echo "== test (release)"
ctest --test-dir build/release --output-on-failure --timeout 300 -j 2 -LE package

if [ "${KAIZEN_SKIP_PACKAGE:-0}" != "1" ] && [ "$(id -u)" = "0" ]; then
  echo "== package (build the .deb, install, check, purge)"
  KAIZEN_TEST_PACKAGE=1 ctest --test-dir build/release --output-on-failure -L package
fi

if [ "${KAIZEN_SKIP_ASAN:-0}" != "1" ]; then
  echo "== build (asan+ubsan)"
  scripts/build.sh asan
  echo "== test (asan+ubsan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure --timeout 600 -j 2 -LE package
fi
echo "== all tests passed in $(( $(date +%s) - start ))s"
