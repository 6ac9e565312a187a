#!/usr/bin/env bash
# `cmake --install` into a scratch DESTDIR: every file an operator needs lands where
# cmake/install.cmake says, and the installed config is valid once its absolute paths point into
# the scratch tree (templates included). Used by ctest (install_layout); no root needed.
#   scripts/check-install.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: scripts/check-install.sh BUILD_DIR}
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

DESTDIR="$stage" cmake --install "$build" --strip >/dev/null
root="$stage$prefix"
# GNUInstallDirs puts the config in /etc for the /usr prefix, else under the prefix.
if [ "$prefix" = "/usr" ]; then etc="$stage/etc"; else etc="$root/etc"; fi

status=0
for f in "$root/bin/kaizend" "$root/bin/kaizenctl" "$etc/kaizen/kaizen.json" \
  "$root/share/kaizen/templates/monthly-review.en.json" "$root/share/man/man8/kaizend.8" \
  "$root/share/man/man1/kaizenctl.1" "$root/share/doc/kaizen/README.md" \
  "$root/share/doc/kaizen/api.md" "$root/share/doc/kaizen/examples/kaizen.json"; do
  if [ ! -s "$f" ]; then
    echo "missing: ${f#"$stage"}"
    status=1
  fi
done
# Installed only when the tree has them (other areas add them).
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
if [ -f "$src/systemd/kaizend.service" ] && [ ! -f "$root/lib/systemd/system/kaizend.service" ]; then
  echo "missing: the systemd unit"
  status=1
fi
if [ -f "$src/cli/completion/kaizenctl.bash" ] &&
  [ ! -f "$root/share/bash-completion/completions/kaizenctl" ]; then
  echo "missing: the bash completion"
  status=1
fi

config="$etc/kaizen/kaizen.json"
grep -q "\"path\": \"/var/lib/kaizen/kaizen.db\"" "$config" ||
  grep -q "\"path\": \"$prefix/var/lib/kaizen/kaizen.db\"" "$config" || {
  echo "the installed config does not keep its database in the state directory"
  status=1
}
if ! out=$("$root/bin/kaizend" --check-config "$config" 2>&1); then
  echo "the installed config is not valid: $out"
  status=1
fi
# The full example names its templates by absolute path: check it with those paths in the stage.
sed "s|\"$prefix/share/kaizen/templates/|\"$root/share/kaizen/templates/|" \
  "$root/share/doc/kaizen/examples/kaizen.json" >"$stage/staged.json"
if ! out=$("$root/bin/kaizend" --check-config "$stage/staged.json" 2>&1); then
  echo "the installed example config is not valid: $out"
  status=1
fi
[ "$status" -eq 0 ] && echo "install layout ok under $prefix"
exit "$status"
