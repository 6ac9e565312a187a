#!/usr/bin/env bash
# The README's first command: install what is missing, build, and start kaizend on the embedded
# default (examples/kaizen.json, database under var/, http://127.0.0.1:8080). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release kaizend kaizenctl
mkdir -p var
echo "kaizen: starting kaizend on examples/kaizen.json; try: build/release/cli/kaizenctl tasks"
exec build/release/daemon/kaizend --config examples/kaizen.json "$@"
