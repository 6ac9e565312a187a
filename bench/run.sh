#!/usr/bin/env bash
# Measures kaizend on this machine: builds kaizend and kaizen_bench (Release), starts kaizend on
# a fresh database in a temporary directory and port 0 (127.0.0.1 only), runs kaizen_bench in
# both modes, wrk on GET /api/v1/tasks/{id} when wrk is installed, and prints kaizend's peak RSS.
#   bench/run.sh [DURATION_SECONDS (default 10, at most 120)] [CONNECTIONS (default 8)]
# Environment: KAIZEN_BENCH_BUILD (build dir, default build/bench), KAIZEN_JOBS (default 2),
# KAIZEN_BENCH_LOG_LEVEL (kaizend's log level, default warn), KAIZEN_BENCH_TASKS (default 200).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-10}
connections=${2:-8}
if ! [[ "$duration" =~ ^[0-9]+$ ]] || [ "$duration" -lt 1 ] || [ "$duration" -gt 120 ]; then
  echo "bench/run.sh: duration must be 1..120 seconds" >&2
  exit 2
fi
build=${KAIZEN_BENCH_BUILD:-build/bench}
tasks=${KAIZEN_BENCH_TASKS:-200}
log_level=${KAIZEN_BENCH_LOG_LEVEL:-warn}

echo "== build (Release) in $build"
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ -f "$build/CMakeCache.txt" ]; then generator=(); fi
# Warnings stay on but do not stop a measurement: g++ 12 at -O3 reports false positives
# (-Wrestrict inside libstdc++) that the -O2 flavours of scripts/build.sh do not.
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DKAIZEN_BUILD_TESTS=OFF \
  -DKAIZEN_WERROR=OFF >/dev/null
cmake --build "$build" --target kaizend kaizen_bench -j "${KAIZEN_JOBS:-2}"

# The database lives on the build directory's disk, not a tmpfs, so commits pay for fsync.
mkdir -p "$build"
work=$(mktemp -d "$(cd "$build" && pwd)/run.XXXXXX")
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/kaizen.json" <<JSON
{
  "server": {"listen": "127.0.0.1:0"},
  "storage": {"path": "$work/kaizen.db"},
  "log": {"level": "$log_level"},
  "teams": [{"id": "ops", "name": "Operations", "time_zone": "UTC"}],
  "people": [{"id": "bench.owner", "name": "Bench Owner", "team": "ops"}]
}
JSON

"$build/daemon/kaizend" --config "$work/kaizen.json" --listen 127.0.0.1:0 \
  --port-file "$work/port" 2>"$work/kaizend.log" &
pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/port" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "kaizend exited:" >&2
    cat "$work/kaizend.log" >&2
    exit 1
  fi
  sleep 0.1
done
port=$(tr -d '\n' <"$work/port")
echo "== kaizend pid $pid on 127.0.0.1:$port, database $work/kaizen.db, log level $log_level"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"

bench="$build/bench/kaizen_bench"
echo "== kaizen_bench get-task: $connections connections, ${duration}s, $tasks tasks"
"$bench" --port "$port" --mode get-task --connections "$connections" --duration "$duration" \
  --tasks "$tasks" --ids-file "$work/ids"
echo "== kaizen_bench transition: $connections connections, ${duration}s, $tasks tasks"
"$bench" --port "$port" --mode transition --connections "$connections" \
  --duration "$duration" --tasks "$tasks"

if command -v wrk >/dev/null 2>&1; then
  cat >"$work/get_task.lua" <<LUA
local ids = {}
for line in io.lines("$work/ids") do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/api/v1/tasks/" .. ids[(n % #ids) + 1])
end
LUA
  echo "== wrk get-task: 2 threads, $connections connections, ${duration}s"
  wrk -t2 -c "$connections" -d "${duration}s" --latency -s "$work/get_task.lua" \
    "http://127.0.0.1:$port" | sed -n '1,20p'
else
  echo "== wrk not installed: skipped"
fi

echo "== kaizend peak RSS (VmHWM): $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)," \
  "now (VmRSS): $(awk '/VmRSS/ {print $2, $3}' /proc/$pid/status)"
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
echo "== kaizend exited with $code on SIGTERM"
