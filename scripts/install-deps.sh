#!/usr/bin/env bash
# Installs what kaizen needs to build and test on Debian 12, and nothing that is already there.
# Idempotent: a second run installs nothing and takes a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libssl-dev libsqlite3-dev nlohmann-json3-dev libspdlog-dev
  libhowardhinnant-date-dev libkainjow-mustache-dev libgtest-dev libsystemd-dev
  tzdata ca-certificates sqlite3 curl openssl wrk
  dpkg-dev groff-base
  prometheus
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# prometheus is here for promtool (the metrics test checks /metrics with `promtool check
# metrics`). Its package would also enable and start a Prometheus server; a policy-rc.d that
# answers 101 ("action forbidden") keeps any service from starting during the install, which
# also makes the install work in a container without systemd. An existing policy is left alone.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# install-deps.sh: no service starts while packages install\nexit 101\n' |
    "${sudo_cmd[@]}" tee "$policy" >/dev/null
  "${sudo_cmd[@]}" chmod 755 "$policy"
  own_policy=1
fi
status=0
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
if [ "$own_policy" -eq 1 ]; then "${sudo_cmd[@]}" rm -f "$policy"; fi
# Newly installed for promtool only: do not start a Prometheus server at the next boot either.
if [ "$status" -eq 0 ] && [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl disable prometheus >/dev/null 2>&1 || true
fi
exit "$status"
