#!/usr/bin/env bash
# Redis outage during a call: the platform with clustering and call records on one redis-server (append-only file,
# fsync always), one CallSim call that runs across the outage, and a second call started during it. Redis is killed
# (SIGKILL) after 5 s and started again on the same port after OUTAGE seconds; readiness is printed every 5 s, then
# the first call's record is read back from the history API.
#   usage: tools/redis-outage-run.sh [OUTAGE_SECONDS (60)] [--empty: restart Redis without its data]
set -euo pipefail
cd "$(dirname "$0")/.."
outage=${1:-60}
empty=${2:-}
port=16399 http=18080 audio=18090
dotnet build Silo -v q -nologo >/dev/null
dotnet build tools/CallSim -v q -nologo >/dev/null
work=$(mktemp -d -t aiagent-redis-outage.XXXXXX)
mkdir -p "$work/data" "$work/empty"
start_redis() { redis-server --port $port --bind 127.0.0.1 --save "" --appendonly yes --appendfsync always --dir "$1" >>"$work/redis.log" 2>&1 & redis=$!; }
start_redis "$work/data"
trap 'kill $silo $redis 2>/dev/null; wait 2>/dev/null || true' EXIT
sleep 1
dotnet Silo/bin/Debug/net10.0/AiAgent.Silo.dll --clustering:mode=redis --clustering:redis=127.0.0.1:$port \
  --storage:mode=redis --storage:redis=127.0.0.1:$port --silo:http_port=$http --audiosocket:port=$audio \
  --audiosocket:host=127.0.0.1 --clustering:silo_port=21111 --clustering:gateway_port=23000 >"$work/silo.log" 2>&1 &
silo=$!
for _ in $(seq 1 90); do curl -sf http://127.0.0.1:$http/health/ready >/dev/null 2>&1 && break; sleep 1; done
ready() { curl -s -w ' [%{http_code}]' http://127.0.0.1:$http/health/ready | tr '\n' '|'; }
callsim=(dotnet tools/CallSim/bin/Debug/net10.0/AiAgent.CallSim.dll --port $audio)
call=11111111-2222-3333-4444-555555555555
"${callsim[@]}" --tail $((outage + 10)) --uuid $call >"$work/call1.txt" 2>&1 &
first=$!
sleep 5
echo "$(date +%T) redis killed"; kill -9 $redis; wait $redis 2>/dev/null || true
for t in $(seq 5 5 "$outage"); do
  sleep 5
  echo "$(date +%T) +${t}s ready: $(ready)"
  [ "$t" = 20 ] && "${callsim[@]}" --tail 3 >"$work/call2.txt" 2>&1 &
done
[ "$empty" = --empty ] && start_redis "$work/empty" || start_redis "$work/data"
echo "$(date +%T) redis started again ${empty}"
for _ in 1 2 3 4 5 6; do sleep 3; echo "$(date +%T) ready: $(ready)"; done
wait $first || true
echo "--- call across the outage"; cat "$work/call1.txt"
echo "--- call started during the outage"; cat "$work/call2.txt" 2>/dev/null || true
sleep 2
echo "--- history: $(curl -s http://127.0.0.1:$http/api/calls/$call/history | head -c 300)"
echo "silo log: $work/silo.log"
