#!/usr/bin/env bash
# Agent-action harness (hangup_call / transfer_call): how long after the farewell's last frame the gateway sends the
# hangup frame and closes, and the platform's tool round-trip overhead. Starts a provider emulator (a separate
# process, scripted to call the tool after the caller's first turn), the platform (Release, gateway co-hosted) with
# the emulator as its provider, runs CALLS one-turn CallSim calls at once, and prints, from CallSim's JSON:
# last frame -> 00 00 00 p50/p99/max (the gateway closes the socket in the same step), the dispositions served, and the platform's ai_agent_tool_call_overhead histogram
# (provider event in -> result handed to the socket, minus the tool's own time) scraped from /metrics.
#   usage: tools/agent-actions-run.sh [openai|deepgram] [hangup|transfer] [CALLS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
provider=${1:-openai}
action=${2:-hangup}
calls=${3:-10}
case "$provider" in openai|deepgram) ;; *) echo "provider: openai or deepgram" >&2; exit 2 ;; esac
case "$action" in
  hangup) tool_call='1:hangup_call:{"reason":"done"}'; expect=hangup ;;
  transfer) tool_call='1:transfer_call:{"destination":"sales"}'; expect=transfer:sales ;;
  *) echo "action: hangup or transfer" >&2; exit 2 ;;
esac
for project in Silo tools/CallSim tools/Emulators; do dotnet build "$project" -c Release -v q -nologo >/dev/null; done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_port=$(free_port); http_port=$(free_port); emulator_port=$(free_port)
dir=$(mktemp -d -t aiagent-actions.XXXXXX)
key=harness-key-0123456789
dotnet tools/Emulators/bin/Release/net10.0/AiAgent.Emulators.dll "$provider" --port "$emulator_port" --api-key "$key" --tool-call "$tool_call" >"$dir/emulator.log" 2>&1 &
emulator_pid=$!
if [ "$provider" = openai ]; then
  provider_yaml=$(printf 'default_provider: openai_realtime\nproviders:\n  openai_realtime:\n    api_key_env: AIAGENT_HARNESS_KEY\n    base_url: ws://127.0.0.1:%s/v1\n' "$emulator_port")
else
  provider_yaml=$(printf 'default_provider: deepgram\nproviders:\n  deepgram:\n    api_key_env: AIAGENT_HARNESS_KEY\n    base_url: ws://127.0.0.1:%s\n' "$emulator_port")
fi
cat >"$dir/ai-agent.yaml" <<YAML
$provider_yaml
transfer:
  destinations:
    - name: sales
      description: Sales team, for new orders and prices.
      kind: queue
YAML
AIAGENT_HARNESS_KEY=$key dotnet Silo/bin/Release/net10.0/AiAgent.Silo.dll --config "$dir/ai-agent.yaml" \
  --audiosocket:host=127.0.0.1 --audiosocket:port="$as_port" --silo:http_port="$http_port" \
  --clustering:silo_port="$(free_port)" --clustering:gateway_port="$(free_port)" >"$dir/silo.log" 2>&1 &
silo_pid=$!
trap 'kill $silo_pid $emulator_pid 2>/dev/null || true; wait $silo_pid $emulator_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
callsim=(dotnet tools/CallSim/bin/Release/net10.0/AiAgent.CallSim.dll --port "$as_port" --wav tools/CallSim/assets/hello.wav --leading-silence 4 --tail 15 --json)
"${callsim[@]}" >"$dir/warmup.json" 2>/dev/null || true
curl -sf "http://127.0.0.1:$http_port/metrics" >"$dir/metrics-before.txt"
pids=()
for i in $(seq 1 "$calls"); do "${callsim[@]}" >"$dir/call-$i.json" 2>/dev/null & pids+=($!); done
wait "${pids[@]}" 2>/dev/null || true
curl -sf "http://127.0.0.1:$http_port/metrics" >"$dir/metrics-after.txt"
for f in "$dir"/call-*.json; do
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["callId"])' "$f" 2>/dev/null || true)
  [ -n "$id" ] && echo "$id $(curl -s "http://127.0.0.1:$http_port/api/calls/$id/disposition")" >>"$dir/dispositions.txt"
done
python3 - "$dir" "$expect" "$provider" "$action" <<'PY'
import json, sys, glob, re
d, expect, provider, action = sys.argv[1:5]
rows = [json.loads(open(f).read()) for f in sorted(glob.glob(d + "/call-*.json")) if open(f).read().strip()]
def pct(xs, p):
    xs = sorted(xs); k = min(len(xs) - 1, max(0, -(-p * len(xs) // 100) - 1)); return xs[k]
def stats(xs): return f"p50 {pct(xs,50):.1f} ms  p99 {pct(xs,99):.1f} ms  max {max(xs):.1f} ms" if xs else "none"
hang = [r["hangupAfterLastFrameMs"] for r in rows if r.get("hangupAfterLastFrameMs") is not None]
gaps = [r["gaps"]["p99Ms"] for r in rows if r.get("gaps", {}).get("p99Ms") is not None]
ended = sum(1 for r in rows if r.get("outcome") == "ServerHangupFrame")
disp = [l.split(" ", 1)[1].strip() for l in open(d + "/dispositions.txt")] if glob.glob(d + "/dispositions.txt") else []
right = sum(1 for x in disp if x == expect)
def buckets(path):
    out = {}
    for line in open(path):
        m = re.match(r'ai_agent_tool_call_overhead_seconds_bucket\{([^}]*)\} (\S+)', line)
        if m:
            le = re.search(r'le="([^"]+)"', m.group(1)).group(1)
            out[le] = out.get(le, 0) + float(m.group(2))
    return out
before, after = buckets(d + "/metrics-before.txt"), buckets(d + "/metrics-after.txt")
delta = sorted(((float("inf") if le == "+Inf" else float(le)), after[le] - before.get(le, 0)) for le in after)
total = delta[-1][1] if delta else 0
def bound(p):
    for le, n in delta:
        if total and n >= p / 100 * total: return "≤ %s ms" % ("inf" if le == float("inf") else f"{le*1000:g}")
    return "n/a"
print(f"{provider} {action}: calls {len(rows)}, ended by the platform {ended}, disposition {expect} {right}/{len(disp)}")
print(f"  farewell's last frame -> 00 00 00: {stats(hang)}")
print(f"  received gap p99 per call:        {stats(gaps)}")
print(f"  tool overhead (platform, {int(total)} calls): p50 {bound(50)}, p99 {bound(99)} (histogram bucket bounds)")
print(f"  logs and JSON: {d}")
PY
