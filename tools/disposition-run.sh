#!/usr/bin/env bash
# Call-end harness: how long after the agent's last frame the gateway sends 00 00 00 when the platform ends a call
# (the time a dialplan waits before its next step). Starts the platform (Release, gateway co-hosted, local provider
# without its greeting, ending every call after one caller turn), runs CALLS CallSim calls at once, and prints
# CallSim's HangupAfterLastFrameMs (last audio frame received -> hangup frame received) p50/p99/max.
#   usage: tools/disposition-run.sh [CALLS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-10}
dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build tools/CallSim -c Release -v q -nologo >/dev/null
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_port=$(free_port); http_port=$(free_port)
log=$(mktemp -t aiagent-disposition-silo.XXXXXX.log)
dotnet Silo/bin/Release/net10.0/AiAgent.Silo.dll --config config/ai-agent.yaml \
  --audiosocket:host=127.0.0.1 --audiosocket:port="$as_port" --silo:http_port="$http_port" \
  --clustering:silo_port="$(free_port)" --clustering:gateway_port="$(free_port)" \
  --providers:local:greeting=false --providers:local:end_call_after_turns=1 >"$log" 2>&1 &
silo_pid=$!
trap 'kill $silo_pid 2>/dev/null || true; wait $silo_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
callsim=(dotnet tools/CallSim/bin/Release/net10.0/AiAgent.CallSim.dll --port "$as_port" --wav tools/CallSim/assets/hello.wav --leading-silence 1 --tail 8 --json)
"${callsim[@]}" >/dev/null || true # warm-up
dir=$(mktemp -d -t aiagent-disposition.XXXXXX)
pids=()
for i in $(seq 1 "$calls"); do "${callsim[@]}" >"$dir/$i.json" 2>/dev/null & pids+=($!); done
wait "${pids[@]}" 2>/dev/null || true
python3 - "$dir" <<'PY'
import json, sys, glob
rows = [json.load(open(f)) for f in sorted(glob.glob(sys.argv[1] + "/*.json")) if open(f).read().strip()]
ms = sorted(r["hangupAfterLastFrameMs"] for r in rows if r.get("hangupAfterLastFrameMs") is not None)
def pct(p):
    k = min(len(ms) - 1, max(0, -(-p * len(ms) // 100) - 1)); return ms[k]
ended = sum(1 for r in rows if r.get("outcome") == "ServerHangupFrame")
if not ms: print(f"calls {len(rows)}: no hangup frame received"); sys.exit(1)
print(f"calls {len(rows)} ended by the platform {ended}  last frame -> 00 00 00: p50 {pct(50):.1f} ms  p99 {pct(99):.1f} ms  max {ms[-1]:.1f} ms")
PY
