#!/usr/bin/env bash
# Renders every man page under DIR (default docs/man) with groff and fails on any warning, so
# that a roff mistake never reaches `man`. Exit 77 (skipped, for ctest) without groff.
set -euo pipefail
dir=${1:-"$(dirname "$0")/../docs/man"}
if ! command -v groff >/dev/null 2>&1; then
  echo "groff is not installed: man pages not checked"
  exit 77
fi
status=0
checked=0
for page in "$dir"/*.[0-9]; do
  [ -e "$page" ] || continue
  checked=$((checked + 1))
  # -ww: every warning; -z: no output, only diagnostics. man(7) macros, UTF-8 like `man`.
  warnings=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1) || status=1
  if [ -n "$warnings" ]; then
    echo "$page:"
    echo "$warnings"
    status=1
  fi
  # The page must name itself the way `man` looks it up: .TH NAME SECTION.
  base=$(basename "$page")
  name=${base%.*}
  section=${base##*.}
  if ! grep -q "^\.TH ${name^^} ${section} " "$page"; then
    echo "$page: .TH does not say ${name^^} ${section}"
    status=1
  fi
done
if [ "$checked" -eq 0 ]; then
  echo "no man pages in $dir"
  exit 1
fi
[ "$status" -eq 0 ] && echo "$checked man pages render without warnings"
exit "$status"
