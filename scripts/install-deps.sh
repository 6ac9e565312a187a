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
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
