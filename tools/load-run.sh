#!/usr/bin/env bash
# Load harness: starts the platform (Release, gateway co-hosted, local provider), makes one warm-up call, then
# runs N concurrent CallSim calls and prints CallSim's figures plus the platform's own latency histograms for
# those calls (scraped from /metrics before and after).
#   usage: tools/load-run.sh CALLS [extra silo arguments, e.g. --streams:pull_period_ms=5]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:?usage: tools/load-run.sh CALLS [silo arguments]}
shift
dotnet build Silo -c Release -v q -nologo >/dev/null
dotnet build tools/CallSim -c Release -v q -nologo >/dev/null
log=$(mktemp -t aiagent-load-silo.XXXXXX.log)
dotnet Silo/bin/Release/net10.0/AiAgent.Silo.dll "$@" >"$log" 2>&1 &
silo=$!
trap 'kill $silo 2>/dev/null; wait $silo 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do
  curl -sf http://127.0.0.1:8080/health/ready >/dev/null 2>&1 && break
  sleep 1
done
callsim=(dotnet tools/CallSim/bin/Release/net10.0/AiAgent.CallSim.dll --wav tools/CallSim/assets/hello.wav)
"${callsim[@]}" --tail 4 >/dev/null
"${callsim[@]}" --port 8090 --calls "$calls" --tail 6 --metrics http://127.0.0.1:8080/metrics
echo "silo log: $log"
