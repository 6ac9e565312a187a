#!/usr/bin/env bash
# Builds the .deb, installs it on this machine with dpkg, checks what an operator would, then
# purges it and checks that nothing is left. Changes the machine's /usr, /etc and users, so it
# runs only when asked: KAIZEN_TEST_PACKAGE=1 and root (CI machines are disposable); otherwise
# it exits 77, which ctest reports as skipped. scripts/test.sh runs it after the release tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${KAIZEN_TEST_PACKAGE:-0}" != "1" ] || [ "$(id -u)" != "0" ]; then
  echo "skipped: set KAIZEN_TEST_PACKAGE=1 and run as root to install the package here"
  exit 77
fi
if dpkg-query -W -f='${Status}' kaizen 2>/dev/null | grep -q "installed"; then
  echo "FAIL: a kaizen package is already installed; this test would remove it" >&2
  exit 1
fi
if getent passwd kaizen >/dev/null || [ -e /var/lib/kaizen ] || [ -e /etc/kaizen ]; then
  echo "FAIL: user kaizen, /var/lib/kaizen or /etc/kaizen exists without the package;" \
    "this test would remove it" >&2
  exit 1
fi

failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then
    echo "ok   $what"
  else
    echo "FAIL $what" >&2
    failures=$((failures + 1))
  fi
}

deb=$(scripts/package.sh | tail -n 1)
echo "== the package"
check "its dependencies are computed from the binaries" \
  sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libsqlite3-0.*libssl3\\|libssl3.*libsqlite3-0'"
check "its description is one paragraph" sh -c "! dpkg-deb -f '$deb' Description | grep -q ';'"
echo "== installing $deb"
daemon_pid=
work=$(mktemp -d)
cleanup() {
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null || true
  rm -rf "$work"
  # Leave the machine as it was, whatever failed.
  if dpkg-query -W kaizen >/dev/null 2>&1; then dpkg --purge kaizen >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
dpkg -i "$deb" | tee "$work/install.log"

echo "== installed"
check "user kaizen exists" getent passwd kaizen
check "group kaizen exists" getent group kaizen
check "kaizen's home is /var/lib/kaizen" \
  test "$(getent passwd kaizen | cut -d: -f6)" = /var/lib/kaizen
check "kaizen cannot log in" sh -c 'getent passwd kaizen | cut -d: -f7 | grep -q nologin'
check "kaizen is a system user" test "$(id -u kaizen)" -lt 1000
check "/var/lib/kaizen belongs to kaizen" test "$(stat -c %U:%G /var/lib/kaizen)" = kaizen:kaizen
for f in /usr/bin/kaizend /usr/bin/kaizenctl /etc/kaizen/kaizen.json \
  /usr/share/kaizen/templates/monthly-review.en.json \
  /usr/share/kaizen/templates/quarterly-self-check.zh.json \
  /usr/share/man/man8/kaizend.8 /usr/share/man/man1/kaizenctl.1 \
  /usr/share/doc/kaizen/README.md /usr/share/doc/kaizen/api.md; do
  check "$f is installed" test -s "$f"
done
check "kaizend and kaizenctl carry no debug info" \
  sh -c '! readelf -S /usr/bin/kaizend /usr/bin/kaizenctl | grep -q "\.debug_info"'
check "/etc/kaizen/kaizen.json is a conffile" \
  sh -c "dpkg-query --showformat='\${Conffiles}' --show kaizen | grep -q /etc/kaizen/kaizen.json"
check "the config is readable by kaizen, not by others" \
  test "$(stat -c %U:%G:%a /etc/kaizen/kaizen.json)" = root:kaizen:640
check "the install says how to start the service" grep -q "systemctl enable --now kaizend" \
  "$work/install.log"
check "kaizend --version" sh -c 'kaizend --version | grep -q "^kaizend [0-9]"'
check "kaizenctl --version" sh -c 'kaizenctl --version | grep -q "^kaizenctl [0-9]"'
check "kaizend --check-config says ok" \
  sh -c 'kaizend --check-config /etc/kaizen/kaizen.json | grep -q "/etc/kaizen/kaizen.json: ok"'
check "kaizend --check-config as user kaizen" \
  runuser -u kaizen -- kaizend --check-config /etc/kaizen/kaizen.json
if command -v man >/dev/null 2>&1; then
  check "man finds kaizend(8)" man -w kaizend
  check "man finds kaizenctl(1)" man -w kaizenctl
fi
unit=
for dir in /usr/lib/systemd/system /lib/systemd/system; do
  [ -f "$dir/kaizend.service" ] && unit="$dir/kaizend.service"
done
if [ -f systemd/kaizend.service ]; then
  check "the unit file is installed" test -n "$unit"
  check "the unit starts /usr/bin/kaizend" grep -q "^ExecStart=/usr/bin/kaizend" "$unit"
fi
check "the service is not enabled" \
  sh -c '! ls /etc/systemd/system/*.wants/kaizend.service 2>/dev/null | grep -q .'
if [ -d /run/systemd/system ]; then
  check "the service is not running" sh -c '! systemctl is-active --quiet kaizend'
fi

echo "== reinstalling over an edited config"
echo "// edited by the operator" >>/etc/kaizen/kaizen.json
dpkg -i "$deb" >"$work/reinstall.log" 2>&1
check "reinstalling keeps the operator's edit" grep -q "edited by the operator" /etc/kaizen/kaizen.json
check "reinstalling does not repeat the first-install message" \
  sh -c "! grep -q 'systemctl enable' '$work/reinstall.log'"
check "the edited config is still valid" kaizend --check-config /etc/kaizen/kaizen.json

echo "== running as kaizen on the packaged config"
chmod 0777 "$work"  # kaizen writes its port file and a backup here
setpriv --reuid kaizen --regid kaizen --init-groups -- kaizend --config /etc/kaizen/kaizen.json \
  --listen 127.0.0.1:0 \
  --port-file "$work/port" 2>"$work/kaizend.log" &
daemon_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
check "kaizend starts as kaizen with the database in /var/lib/kaizen" test -s "$work/port"
if [ -s "$work/port" ]; then
  server="http://127.0.0.1:$(cat "$work/port")"
  check "kaizenctl reaches it" kaizenctl --server "$server" summary
  check "kaizenctl backup" kaizenctl --server "$server" backup "$work/api.db"
  check "kaizend --backup beside it" \
    runuser -u kaizen -- kaizend --backup "$work/offline.db" --config /etc/kaizen/kaizen.json
  check "the database belongs to kaizen" \
    test "$(stat -c %U /var/lib/kaizen/kaizen.db)" = kaizen
fi
kill "$daemon_pid" 2>/dev/null || true
wait "$daemon_pid" 2>/dev/null || true
daemon_pid=

echo "== removing (not purging)"
dpkg --remove kaizen
check "remove keeps the user" getent passwd kaizen
check "remove keeps the database" test -s /var/lib/kaizen/kaizen.db
check "remove keeps the config" test -s /etc/kaizen/kaizen.json
check "remove takes the programs" test ! -e /usr/bin/kaizend

echo "== purging"
dpkg --purge kaizen
check "user kaizen is gone" sh -c '! getent passwd kaizen'
check "group kaizen is gone" sh -c '! getent group kaizen'
check "/var/lib/kaizen is gone" test ! -e /var/lib/kaizen
check "/etc/kaizen is gone" test ! -e /etc/kaizen
check "/usr/bin/kaizend is gone" test ! -e /usr/bin/kaizend
check "/usr/share/kaizen is gone" test ! -e /usr/share/kaizen

if [ "$failures" -ne 0 ]; then
  echo "$failures package checks failed" >&2
  exit 1
fi
echo "== the package installs, runs and purges cleanly"
