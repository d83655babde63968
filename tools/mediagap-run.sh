#!/usr/bin/env bash
# Caller media-gap harness: the effect of audiosocket.caller_gap_fill_ms on turn latency. Starts the platform
# (Release, gateway co-hosted, local provider without its greeting, free ports), then runs CALLS CallSim calls at
# once in each mode and prints the caller-side turn latency (CallSim's ReplyAfterSpeechMs: from the end of the
# caller's speech to the first agent speech frame) p50/p99 and how many calls got an answer:
#   silence-frames  a caller that streams silence frames, as most channels do (fill on, never triggered)
#   silent-gaps     a caller that sends no frame while silent (CallSim --silent-gaps), fill on (the default)
#   fill-off        the same silent-gap caller, platform restarted with caller_gap_fill_ms: 0 (expect no answer)
#   usage: tools/mediagap-run.sh [CALLS=6]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-6}
dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build tools/CallSim -c Release -v q -nologo >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
silo_pid=
stop_silo() { if [[ -n $silo_pid ]]; then kill "$silo_pid" 2>/dev/null || true; wait "$silo_pid" 2>/dev/null || true; silo_pid=; fi; }
trap stop_silo EXIT
start_silo() {
  as_port=$(free_port); http_port=$(free_port)
  log=$(mktemp -t aiagent-mediagap-silo.XXXXXX.log)
  dotnet Silo/bin/Release/net10.0/AiAgent.Silo.dll --config config/ai-agent.yaml \
    --audiosocket:host=127.0.0.1 --audiosocket:port="$as_port" --silo:http_port="$http_port" \
    --clustering:silo_port="$(free_port)" --clustering:gateway_port="$(free_port)" \
    --providers:local:greeting=false "$@" >"$log" 2>&1 &
  silo_pid=$!
  for _ in $(seq 1 90); do
    curl -sf "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "silo did not become ready (log: $log)" >&2; exit 1
}
callsim=(dotnet tools/CallSim/bin/Release/net10.0/AiAgent.CallSim.dll --wav tools/CallSim/assets/hello.wav --leading-silence 1 --tail 4 --json)
run_mode() { # name, extra CallSim args...
  local name=$1; shift
  local dir; dir=$(mktemp -d -t aiagent-mediagap.XXXXXX)
  for i in $(seq 1 "$calls"); do "${callsim[@]}" --port "$as_port" "$@" >"$dir/$i.json" 2>/dev/null & done
  wait $(jobs -p | grep -v "^$silo_pid\$") 2>/dev/null || true
  python3 - "$name" "$dir" <<'PY'
import json, sys, glob, statistics
name, d = sys.argv[1], sys.argv[2]
rows = [json.load(open(f)) for f in sorted(glob.glob(d + "/*.json")) if open(f).read().strip()]
lat = sorted(r["replyAfterSpeechMs"] for r in rows if r.get("replyAfterSpeechMs") is not None)
def pct(p):  # nearest rank
    if not lat: return "   none"
    k = min(len(lat) - 1, max(0, -(-p * len(lat) // 100) - 1))
    return f"{lat[k]:7.1f}"
withheld = sum(r.get("framesWithheld", 0) for r in rows)
passed = sum(1 for r in rows if r.get("outcome") in ("CallerHangup", "ServerHangupFrame", "ServerClosed"))
print(f"{name:15} calls {len(rows)} ({passed} ended normally)  answered {len(lat)}  turn latency p50 {pct(50)} ms  p99 {pct(99)} ms  (frames withheld {withheld})")
PY
}
start_silo
"${callsim[@]}" --port "$as_port" >/dev/null # warm-up
run_mode silence-frames
run_mode silent-gaps --silent-gaps
stop_silo
start_silo --audiosocket:caller_gap_fill_ms=0
run_mode fill-off --silent-gaps
