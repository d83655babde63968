#!/usr/bin/env bash
# Load harness: starts the platform (Release, gateway co-hosted; local provider, or the OpenAI Realtime emulator as a
# separate process), makes one warm-up call, then runs CallSim against it with the silo's pid (its CPU time and RSS),
# its /metrics (latency histograms and late/dropped/underrun counters) and writes run.json + run.md (and the logs)
# into artifacts/load/<UTC timestamp>/, which it prints. See docs/callsim.md ("Measuring a platform").
#   usage: tools/load-run.sh CALLS [extra silo arguments, e.g. --streams:pull_period_ms=5]
#   environment:
#     DURATION=30                 each call talks in cycles this long (all at once, the default arrival)
#     ARRIVAL=steady HOLD=60 RUN=120 [SEED=N]   a call centre's traffic: CALLS live on average (Poisson arrivals,
#                                 log-normal holds of mean HOLD s), arriving for RUN s
#     FIND_MAX=1 [STEP_SECONDS=30 MAX_CALLS=2000]   search the largest N that holds, starting at CALLS
#     PROVIDER=local|openai       openai: the OpenAI Realtime emulator (tools/Emulators) is the provider
#     CALLSIM_ARGS="..."          more CallSim options (e.g. "--cycle-pause 1")
#     FAULTS="ratio=0.1 mix=drop,stall,429,401 seed=1 [stall_ms=40000 after_deltas=2]"   with PROVIDER=openai: the
#                                 emulator faults that share of upgrades; faults.md (PASS/FAIL checks) compares what it
#                                 injected with the silo's provider-error/reconnect counters and the calls' endings;
#                                 DURATION defaults to 60 so a stall's pong timeout (<= 30 s) falls inside the call
#     HEAP_AT="35 55"             live managed heap per call: dotnet-gcdump (installed into artifacts/tools when not on
#                                 PATH) of the silo after the warm-up and at these seconds into the run, each after the
#                                 full collection the dump forces (it stops the silo: that run's pacing figures do not
#                                 count); heap.md gives (heap - idle heap) / CALLS
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:?usage: tools/load-run.sh CALLS [silo arguments]}
shift
provider=${PROVIDER:-local}
case "$provider" in local|openai) ;; *) echo "PROVIDER: local or openai" >&2; exit 2 ;; esac
fault_args=()
if [ -n "${FAULTS:-}" ]; then
  [ "$provider" = openai ] || { echo "FAULTS needs PROVIDER=openai" >&2; exit 2; }
  for setting in $FAULTS; do
    case "$setting" in
      ratio=*) fault_args+=(--fault-ratio "${setting#*=}") ;;
      mix=*) fault_args+=(--fault-mix "${setting#*=}") ;;
      seed=*) fault_args+=(--fault-seed "${setting#*=}") ;;
      stall_ms=*) fault_args+=(--stall-ms "${setting#*=}") ;;
      after_deltas=*) fault_args+=(--fault-after-deltas "${setting#*=}") ;;
      *) echo "FAULTS: unknown setting $setting (ratio= mix= seed= stall_ms= after_deltas=)" >&2; exit 2 ;;
    esac
  done
  DURATION=${DURATION:-60}
fi
projects=(Silo tools/CallSim)
[ "$provider" = openai ] && projects+=(tools/Emulators)
for project in "${projects[@]}"; do dotnet build "$project" -c Release -v q -nologo >/dev/null; done

results=artifacts/load/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$results"
# Five distinct free ports, held open together while picked, so another silo on this machine (default 8080/8090,
# 11111/30000) is never the one measured.
read -r as_port http_port emulator_port silo_port gateway_port < <(python3 -c '
import socket
held = [socket.socket() for _ in range(5)]
for s in held: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in held])')
silo_args=(--audiosocket:host=127.0.0.1 --audiosocket:port="$as_port" --silo:http_port="$http_port"
           --clustering:silo_port="$silo_port" --clustering:gateway_port="$gateway_port" "$@")
emulator_pid=
if [ "$provider" = openai ]; then
  # As tools/agent-actions-run.sh: the emulator on a free port, the silo's provider pointed at it by a config file.
  key=harness-key-0123456789
  dotnet tools/Emulators/bin/Release/net10.0/AiAgent.Emulators.dll openai --port "$emulator_port" --api-key "$key" \
    ${fault_args[@]+"${fault_args[@]}"} >"$results/emulator.log" 2>&1 &
  emulator_pid=$!
  printf 'default_provider: openai_realtime\nproviders:\n  openai_realtime:\n    api_key_env: AIAGENT_HARNESS_KEY\n    base_url: ws://127.0.0.1:%s/v1\n' \
    "$emulator_port" >"$results/ai-agent.yaml"
  silo_args=(--config "$results/ai-agent.yaml" "${silo_args[@]}")
  export AIAGENT_HARNESS_KEY=$key
fi
dotnet Silo/bin/Release/net10.0/AiAgent.Silo.dll "${silo_args[@]}" >"$results/silo.log" 2>&1 &
silo=$!
trap 'kill $silo $emulator_pid 2>/dev/null || true; wait $silo $emulator_pid 2>/dev/null || true' EXIT
ready=
for _ in $(seq 1 90); do
  kill -0 "$silo" 2>/dev/null || break
  curl -sf "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1 && { ready=1; break; }
  sleep 1
done
if [ -z "$ready" ]; then
  echo "the silo did not become ready; its log: $results/silo.log" >&2
  tail -5 "$results/silo.log" >&2
  exit 1
fi

callsim=(dotnet tools/CallSim/bin/Release/net10.0/AiAgent.CallSim.dll --wav tools/CallSim/assets/hello.wav --port "$as_port")
"${callsim[@]}" --tail 4 >"$results/warmup.txt" 2>&1 || true

load=(--calls "$calls" --metrics "http://127.0.0.1:$http_port/metrics" --platform-pid "$silo"
      --json-out "$results/run.json" --markdown "$results/run.md")
if [ "${FIND_MAX:-0}" = 1 ]; then
  load+=(--find-max --step-seconds "${STEP_SECONDS:-30}" --max-calls "${MAX_CALLS:-2000}")
fi
if [ "${ARRIVAL:-all}" = steady ]; then
  load+=(--arrival steady --hold "${HOLD:-60}")
  [ "${FIND_MAX:-0}" = 1 ] || load+=(--run "${RUN:-120}")
  [ -n "${SEED:-}" ] && load+=(--seed "$SEED")
elif [ "${FIND_MAX:-0}" != 1 ]; then
  load+=(--duration "${DURATION:-30}")
fi
# shellcheck disable=SC2206 # CALLSIM_ARGS is split into words on purpose
load+=(${CALLSIM_ARGS:-})
echo "callsim ${load[*]}" >"$results/command.txt"
snapshot() { # the emulator's fault counters and the silo's metrics, before or after the run (the warm-up drew too)
  curl -sf "http://127.0.0.1:$emulator_port/emulator/faults" >"$results/faults-$1.json"
  curl -sf "http://127.0.0.1:$http_port/metrics" >"$results/metrics-$1.txt"
}
[ -n "${FAULTS:-}" ] && snapshot before
heap_pid=
if [ -n "${HEAP_AT:-}" ]; then
  gcdump=$(command -v dotnet-gcdump || true)
  if [ -z "$gcdump" ]; then
    gcdump=artifacts/tools/dotnet-gcdump
    [ -x "$gcdump" ] || dotnet tool install dotnet-gcdump --version 10.0.750501 --tool-path artifacts/tools >/dev/null
  fi
  heap_bytes() { # the live heap after the dump's full collection, in bytes
    "$gcdump" collect -p "$silo" -o "$results/heap-$1.gcdump" >/dev/null 2>&1
    "$gcdump" report "$results/heap-$1.gcdump" | awk '/GC Heap bytes/ { gsub(",", "", $1); print $1; exit }'
  }
  idle=$(heap_bytes idle)
  printf '# Live managed heap per call\n\n%s calls; idle after the warm-up: %s MiB\n\n| seconds into the run | heap | per call |\n| --- | --- | --- |\n' \
    "$calls" "$(awk -v b="$idle" 'BEGIN { printf "%.1f", b / 1048576 }')" >"$results/heap.md"
  (
    elapsed=0
    for at in $HEAP_AT; do
      sleep $((at - elapsed)); elapsed=$at
      bytes=$(heap_bytes "$at")
      awk -v t="$at" -v b="$bytes" -v i="$idle" -v n="$calls" \
        'BEGIN { printf "| %s | %.1f MiB | %.0f KB |\n", t, b / 1048576, (b - i) / n / 1024 }' >>"$results/heap.md"
    done
  ) &
  heap_pid=$!
fi
status=0
"${callsim[@]}" "${load[@]}" | tee "$results/summary.txt" || status=$?
[ -n "$heap_pid" ] && { wait "$heap_pid" || true; cat "$results/heap.md"; }
if [ -n "${FAULTS:-}" ]; then
  # Hang-ups and reconnects still under way settle first (a reconnect's backoff is at most 4 s).
  sleep 5
  snapshot after
  # CallSim's verdict counts a stalled call's unanswered turn as a failure; with faults the checks below decide.
  status=0
  tools/provider-faults-summary.py "$results" || status=$?
fi
# The silo's last scrape, for what the summaries do not break down (e.g. the GC pause histogram by generation).
curl -sf "http://127.0.0.1:$http_port/metrics" >"$results/metrics-end.txt" || true
echo "results: $results (run.md, run.json, silo.log, metrics-end.txt${FAULTS:+, faults.md}${HEAP_AT:+, heap.md})"
exit "$status"
