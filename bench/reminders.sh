#!/usr/bin/env bash
# Measures kaizend's reminders on this machine, in two phases:
#   1. DUE_TASKS tasks (default 100000) falling due in the same second, one reminder each (at
#      the deadline), delivered to a local webhook sink (kaizen_bench_sink) with the default
#      delivery settings: the time from the due instant until the sink has every notification,
#      the notifications delivered per second, and kaizend's peak RSS (VmHWM).
#   2. A fresh database with IDLE_TASKS tasks (default 1000000) due in 2099: kaizend is started,
#      left to settle, then its CPU time (utime + stime) over IDLE_SECONDS (default 60) of
#      idleness and its RSS are measured.
#   bench/reminders.sh [DUE_TASKS] [IDLE_TASKS (0 skips phase 2)] [IDLE_SECONDS]
# Environment: KAIZEN_BENCH_BUILD (build dir, default build/bench), KAIZEN_JOBS (default 2),
# KAIZEN_BENCH_LEAD (seconds from the start of seeding to the due instant, default 60; seeding
# and kaizend's start must fit in it), KAIZEN_BENCH_SETTLE (seconds before the idle
# measurement, default 10), KAIZEN_BENCH_DELIVERY (the config's "delivery" object, default {}:
# kaizend's defaults), KAIZEN_BENCH_KEEP=1 keeps the databases.
# Everything listens on 127.0.0.1 only; every wait is bounded; all processes are stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

due_tasks=${1:-100000}
idle_tasks=${2:-1000000}
idle_seconds=${3:-60}
lead=${KAIZEN_BENCH_LEAD:-60}
settle=${KAIZEN_BENCH_SETTLE:-10}
delivery=${KAIZEN_BENCH_DELIVERY:-"{}"}
if ! [[ "$idle_tasks" =~ ^[0-9]+$ ]]; then
  echo "bench/reminders.sh: IDLE_TASKS is a number (0 skips phase 2)" >&2
  exit 2
fi
for value in "$due_tasks" "$idle_seconds" "$lead" "$settle"; do
  if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt 1 ]; then
    echo "bench/reminders.sh: arguments and KAIZEN_BENCH_LEAD/SETTLE are positive integers" >&2
    exit 2
  fi
done
if [ "$idle_seconds" -gt 600 ] || [ "$lead" -gt 1800 ] || [ "$settle" -gt 600 ]; then
  echo "bench/reminders.sh: IDLE_SECONDS and KAIZEN_BENCH_SETTLE at most 600, LEAD 1800" >&2
  exit 2
fi
build=${KAIZEN_BENCH_BUILD:-build/bench}

echo "== build (Release) in $build"
generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
if [ -f "$build/CMakeCache.txt" ]; then generator=(); fi
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DKAIZEN_BUILD_TESTS=OFF \
  -DKAIZEN_WERROR=OFF >/dev/null
cmake --build "$build" --target kaizend kaizen_reminder_seed kaizen_bench_sink \
  -j "${KAIZEN_JOBS:-2}"
kaizend="$build/daemon/kaizend"
seed="$build/bench/kaizen_reminder_seed"
sink="$build/bench/kaizen_bench_sink"

# The databases live on the build directory's disk, not a tmpfs, so commits pay for fsync.
mkdir -p "$build"
work=$(mktemp -d "$(cd "$build" && pwd)/reminders.XXXXXX")
daemon_pid=""
sink_pid=""
stop() {  # stop PID: SIGTERM, then SIGKILL after 10 s
  local p=$1
  [ -n "$p" ] || return 0
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
}
cleanup() {
  stop "$daemon_pid"
  stop "$sink_pid"
  if [ "${KAIZEN_BENCH_KEEP:-0}" = 1 ]; then
    echo "== kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
# json_number FIELD FILE: a number (or null/true/false) field of the one-line JSON in FILE.
json_number() { grep -o "\"$1\":[^,}]*" "$2" | head -1 | cut -d: -f2; }
status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$daemon_pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
context_switches() {
  cat /proc/"$daemon_pid"/task/*/status 2>/dev/null |
    awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ {n += $2} END {print n + 0}'
}
clk_tck=$(getconf CLK_TCK)

# write_config DIR SINK_PORT: the people and team kaizen_reminder_seed uses, the sink as the only
# channel, the at-deadline-only policy, KAIZEN_BENCH_DELIVERY (default: kaizend's defaults), log
# level warn.
write_config() {
  local dir=$1 port=$2 people i
  people='{"id": "bench.lead", "name": "Bench Lead", "team": "ops"}'
  for i in $(seq 0 9); do
    people="$people, {\"id\": \"bench.owner.$i\", \"name\": \"Bench Owner $i\", \"team\": \"ops\","
    people="$people \"manager\": \"bench.lead\"}"
  done
  cat >"$dir/kaizen.json" <<JSON
{
  "server": {"listen": "127.0.0.1:0"},
  "storage": {"path": "$dir/kaizen.db"},
  "log": {"level": "warn"},
  "channels": {"sink": {"type": "webhook", "url": "http://127.0.0.1:$port/hook"}},
  "policies": {"bench": {"at_deadline": true}},
  "reminders": {"default_policy": "bench", "default_channels": ["sink"]},
  "delivery": $delivery,
  "teams": [{"id": "ops", "name": "Operations", "time_zone": "UTC", "channels": ["sink"]}],
  "people": [$people]
}
JSON
}

# start_daemon DIR: starts kaizend on DIR's config; waits (bounded) for its port file.
start_daemon() {
  local dir=$1
  "$kaizend" --config "$dir/kaizen.json" --listen 127.0.0.1:0 --port-file "$dir/port" \
    2>"$dir/kaizend.log" &
  daemon_pid=$!
  for _ in $(seq 1 600); do
    [ -s "$dir/port" ] && return 0
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
      echo "kaizend exited:" >&2
      cat "$dir/kaizend.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "kaizend did not start within 60 s" >&2
  exit 1
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average" \
  "$(cut -d' ' -f1-3 /proc/loadavg)"

# ---- Phase 1: DUE_TASKS due in the same second.
phase1="$work/due"
mkdir -p "$phase1"
due_s=$(($(date +%s) + lead))
due_ms=$((due_s * 1000))
due=$(date -u -d "@$due_s" +%Y-%m-%dT%H:%M:%SZ)
echo "== delivery settings: $delivery"
echo "== phase 1: seeding $due_tasks tasks due at $due (in ${lead} s)"
seed_begin=$(now_ms)
# The sink's port is not known yet; the seed needs the people and policy, not the channel.
write_config "$phase1" 9
"$seed" --config "$phase1/kaizen.json" --db "$phase1/kaizen.db" --tasks "$due_tasks" --due "$due"
seed_end=$(now_ms)
echo "== seeded $due_tasks tasks in $(((seed_end - seed_begin) / 1000)).$(((seed_end - seed_begin) % 1000 / 100)) s"

max_wait=$((lead + 900))
"$sink" --target "$due_tasks" --port-file "$phase1/sink_port" --max-seconds "$max_wait" \
  >"$phase1/sink.json" 2>"$phase1/sink.log" &
sink_pid=$!
for _ in $(seq 1 100); do
  [ -s "$phase1/sink_port" ] && break
  sleep 0.1
done
[ -s "$phase1/sink_port" ] || { echo "the sink did not start" >&2; exit 1; }
write_config "$phase1" "$(tr -d '\n' <"$phase1/sink_port")"
start_daemon "$phase1"
started=$(now_ms)
if [ "$started" -ge $((due_ms - 2000)) ]; then
  echo "bench/reminders.sh: seeding and start took until 2 s before the due instant or later;" \
    "raise KAIZEN_BENCH_LEAD (now $lead)" >&2
  exit 1
fi
echo "== kaizend pid $daemon_pid started $(((due_ms - started) / 1000)) s before the due instant;" \
  "waiting for the sink (at most $max_wait s)"
cpu_before_due=$(cpu_ticks)
sink_code=0
wait "$sink_pid" || sink_code=$?
sink_pid=""
cpu_after=$(cpu_ticks)
hwm=$(status_kb VmHWM)
rss=$(status_kb VmRSS)
cat "$phase1/sink.json"
if [ "$sink_code" -ne 0 ]; then
  echo "bench/reminders.sh: the sink did not get every notification (exit $sink_code)" >&2
  tail -20 "$phase1/kaizend.log" >&2
  exit 1
fi
first_ms=$(json_number first_at_ms "$phase1/sink.json")
done_ms=$(json_number done_at_ms "$phase1/sink.json")
requests=$(json_number requests "$phase1/sink.json")
duplicates=$(json_number duplicates "$phase1/sink.json")
# Where the time went, from the database: when the reminders were fired (the outbox rows'
# created_at) and when the last notification was marked delivered.
fired_s="n/a"
written_s="n/a"
if command -v sqlite3 >/dev/null 2>&1; then
  read -r fired_s written_s < <(sqlite3 -readonly -separator ' ' "$phase1/kaizen.db" \
    "SELECT printf('%.2f', (julianday(min(created_at)) - julianday('$due')) * 86400),
            printf('%.2f', (julianday(max(created_at)) - julianday('$due')) * 86400)
     FROM notifications;") || true
fi
stop "$daemon_pid"
daemon_pid=""
awk -v n="$due_tasks" -v due="$due_ms" -v first="$first_ms" -v done="$done_ms" \
  -v req="$requests" -v dup="$duplicates" -v hwm="$hwm" -v rss="$rss" -v fired="$fired_s" \
  -v written="$written_s" -v cpu=$((cpu_after - cpu_before_due)) -v tck="$clk_tck" 'BEGIN {
  printf "== phase 1 result: %d notifications in %d webhook requests (%.1f per request), %d duplicates\n",
    n, req, n / req, dup
  printf "   first notification at the sink  %.2f s after the due instant\n", (first - due) / 1000
  printf "   first outbox row written        %s s after it\n", fired
  printf "   last outbox row written         %s s after it (all reminders fired)\n", written
  printf "   all notifications at the sink   %.2f s after it\n", (done - due) / 1000
  printf "   delivered per second            %.0f (from the due instant), %.0f (from the first arrival)\n",
    n / ((done - due) / 1000), n / ((done - first) / 1000)
  printf "   kaizend CPU from start to done  %.1f s\n", cpu / tck
  printf "   kaizend peak RSS (VmHWM)        %d kB, RSS at the end %d kB\n", hwm, rss
}'

# ---- Phase 2: IDLE_TASKS pending reminders, nothing due.
[ "$idle_tasks" -gt 0 ] || exit 0
phase2="$work/idle"
mkdir -p "$phase2"
echo "== phase 2: seeding $idle_tasks tasks due at 2099-01-01T00:00:00Z"
seed_begin=$(now_ms)
write_config "$phase2" 9  # the sink is never called: nothing falls due
"$seed" --config "$phase2/kaizen.json" --db "$phase2/kaizen.db" --tasks "$idle_tasks" \
  --due 2099-01-01T00:00:00Z
seed_end=$(now_ms)
seed_seconds="$(((seed_end - seed_begin) / 1000)).$(((seed_end - seed_begin) % 1000 / 100))"
db_mb=$(du -m "$phase2/kaizen.db" | cut -f1)
pending="n/a"
if command -v sqlite3 >/dev/null 2>&1; then
  pending=$(sqlite3 -readonly "$phase2/kaizen.db" \
    "SELECT count(*) FROM reminders WHERE status = 'pending';")
fi
echo "== seeded $idle_tasks tasks in $seed_seconds s: $pending pending reminders, database $db_mb MB"
start_daemon "$phase2"
echo "== kaizend pid $daemon_pid: settling ${settle} s, then measuring ${idle_seconds} s of idleness"
sleep "$settle"
cpu_start=$(cpu_ticks)
switches_start=$(context_switches)
sleep "$idle_seconds"
cpu_end=$(cpu_ticks)
switches_end=$(context_switches)
hwm=$(status_kb VmHWM)
rss=$(status_kb VmRSS)
threads=$(awk '$1 == "Threads:" {print $2}' "/proc/$daemon_pid/status")
stop "$daemon_pid"
daemon_pid=""
awk -v cpu=$((cpu_end - cpu_start)) -v tck="$clk_tck" -v s="$idle_seconds" -v hwm="$hwm" \
  -v rss="$rss" -v sw=$((switches_end - switches_start)) -v th="$threads" \
  -v n="$idle_tasks" 'BEGIN {
  printf "== phase 2 result: idle with %d pending reminders\n", n
  printf "   kaizend CPU over %d s            %.2f s (%.3f%% of one core), %d context switches over %d threads\n",
    s, cpu / tck, 100 * cpu / tck / s, sw, th
  printf "   kaizend RSS                      %d kB, peak (VmHWM, start included) %d kB\n", rss, hwm
}'
