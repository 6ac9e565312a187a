#!/usr/bin/env bash
# Checks systemd/kaizend.service the way systemd reads it, offline (nothing is installed or
# started): `systemd-analyze verify` must print nothing, and `systemd-analyze security` must
# rate the sandbox at or below a maximum exposure (0.0 best .. 10.0 worst). Also checks that the
# config installed beside it (systemd/kaizen.json) is valid and keeps its database in the unit's
# StateDirectory.
#
#   check_unit.sh UNIT_FILE KAIZEND_BINARY MAX_EXPOSURE
#
# verify insists that ExecStart's program exists, so the unit is checked as a copy whose
# ExecStart names the freshly built kaizend; nothing else changes. Exits 77 (ctest: skipped)
# without systemd-analyze.
set -euo pipefail

unit=$1
kaizend=$2
max_exposure=$3

config="$(dirname "$unit")/kaizen.json"
if ! "$kaizend" --check-config "$config"; then
  echo "FAIL: $config is not a valid config"
  exit 1
fi
if ! grep -q '"path": "/var/lib/kaizen/' "$config"; then
  echo "FAIL: $config keeps its database outside /var/lib/kaizen, where the unit cannot write"
  exit 1
fi

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "systemd-analyze is not installed: skipped"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s|^ExecStart=/usr/bin/kaizend |ExecStart=$kaizend |" "$unit" >"$work/kaizend.service"
if ! grep -q "^ExecStart=$kaizend " "$work/kaizend.service"; then
  echo "FAIL: $unit has no 'ExecStart=/usr/bin/kaizend ...' line to point at the build"
  exit 1
fi

status=0
# SYSTEMD_LOG_COLOR=0: plain text in the test log.
if ! verify=$(SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$work/kaizend.service" 2>&1) ||
  [ -n "$verify" ]; then
  echo "FAIL: systemd-analyze verify $unit:"
  echo "$verify"
  status=1
else
  echo "ok: systemd-analyze verify prints nothing"
fi

report=$(SYSTEMD_LOG_COLOR=0 systemd-analyze security --offline=yes --no-pager \
  "$work/kaizend.service" 2>&1) || true
exposure=$(sed -n 's/.*Overall exposure level for kaizend.service: \([0-9.]*\).*/\1/p' <<<"$report")
if [ -z "$exposure" ]; then
  echo "FAIL: no exposure level in the output of systemd-analyze security:"
  echo "$report"
  exit 1
fi
if awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
  echo "ok: exposure $exposure (at most $max_exposure)"
else
  echo "FAIL: exposure $exposure is above $max_exposure; what is left open:"
  grep '✗' <<<"$report" || echo "$report"
  status=1
fi
exit $status
