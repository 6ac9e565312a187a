#!/usr/bin/env bash
# The README's second command: install what is missing, build, and run the whole test suite
# twice: once optimised, once under AddressSanitizer + UndefinedBehaviorSanitizer.
#   scripts/test.sh           both
#   KAIZEN_SKIP_ASAN=1 scripts/test.sh   the optimised run only (quicker, for local work)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

start=$(date +%s)
echo "== build (release)"
scripts/build.sh release
echo "== test (release)"
ctest --test-dir build/release --output-on-failure --timeout 300 -j 2

if [ "${KAIZEN_SKIP_ASAN:-0}" != "1" ]; then
  echo "== build (asan+ubsan)"
  scripts/build.sh asan
  echo "== test (asan+ubsan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build/asan --output-on-failure --timeout 600 -j 2
fi
echo "== all tests passed in $(( $(date +%s) - start ))s"
