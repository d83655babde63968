#!/usr/bin/env bash
# Agent-action harness (hangup_call / transfer_call): how long after the farewell's last frame the gateway sends the
# hangup frame and closes, and the platform's tool round-trip overhead. Starts a provider emulator (a separate
# process, scripted to call the tool after the caller's first turn), the platform (Release, gateway co-hosted) with
# the emulator as its provider, runs CALLS one-turn CallSim calls at once, and prints, from CallSim's JSON:
# last frame -> 00 00 00 and last frame -> the gateway's close, p50/p99/max; the dispositions served; and the platform's ai_agent_tool_call_overhead histogram
# (provider event in -> result handed to the socket, minus the tool's own time) scraped from /metrics.
# slow-tool: the model says its reply (5.7 s of audio, sent faster than real time) and, in the same response, calls an
# HTTP tool that answers after 1.5 s; the gateway must keep playing the queued reply while the tool runs, so the longest
# received-frame gap inside the reply (CallSim's cycles[0].maxReplyGapMs) is printed instead of a hang-up time.
#   usage: tools/agent-actions-run.sh [openai|deepgram] [hangup|transfer|slow-tool] [CALLS=10]
set -euo pipefail
cd "$(dirname "$0")/.."
provider=${1:-openai}
action=${2:-hangup}
calls=${3:-10}
case "$provider" in openai|deepgram) ;; *) echo "provider: openai or deepgram" >&2; exit 2 ;; esac
case "$action" in
  hangup) tool_call='1:hangup_call:{"reason":"done"}'; expect=hangup ;;
  transfer) tool_call='1:transfer_call:{"destination":"sales"}'; expect=transfer:sales ;;
  slow-tool) tool_call='1:lookup_order:{"order_id":"A-1"}'; expect=caller_hangup ;;
  *) echo "action: hangup, transfer or slow-tool" >&2; exit 2 ;;
esac
tool_delay_ms=${TOOL_DELAY_MS:-1500} # the order service's answer time
for project in Silo tools/CallSim tools/Emulators; do dotnet build "$project" -c Release -v q -nologo >/dev/null; done
# Six distinct free ports, held open together while picked (one at a time, the OS may hand out the same one twice).
read -r as_port http_port emulator_port orders_port silo_port gateway_port < <(python3 -c '
import socket
held = [socket.socket() for _ in range(6)]
for s in held: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in held])')
dir=$(mktemp -d -t aiagent-actions.XXXXXX)
key=harness-key-0123456789
speak_first=false; tools_yaml=""
if [ "$action" = slow-tool ]; then
  speak_first=true
  # The order service: answers every lookup after tool_delay_ms (a slow backend), one thread per request.
  python3 - "$orders_port" "$tool_delay_ms" >"$dir/orders.log" 2>&1 <<'PY' &
import http.server, socketserver, sys, time
port, delay = int(sys.argv[1]), int(sys.argv[2]) / 1000
class Orders(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(delay)
        body = b'{"status":"shipped"}'
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("127.0.0.1", port), Orders).serve_forever()
PY
  orders_pid=$!
  tools_yaml=$(printf 'tools:
  http:
    - name: lookup_order
      description: Looks up an order by its number.
      parameters: { type: object, properties: { order_id: { type: string } }, required: [order_id] }
      method: GET
      url: "http://127.0.0.1:%s/orders/{order_id}"
      timeout_ms: 10000
      result_path: status
' "$orders_port")
fi
dotnet tools/Emulators/bin/Release/net10.0/AiAgent.Emulators.dll "$provider" --port "$emulator_port" --api-key "$key" --tool-call "$tool_call" --speak-before-tool-calls "$speak_first" >"$dir/emulator.log" 2>&1 &
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
$tools_yaml
YAML
AIAGENT_HARNESS_KEY=$key dotnet Silo/bin/Release/net10.0/AiAgent.Silo.dll --config "$dir/ai-agent.yaml" \
  --audiosocket:host=127.0.0.1 --audiosocket:port="$as_port" --silo:http_port="$http_port" \
  --clustering:silo_port="$silo_port" --clustering:gateway_port="$gateway_port" >"$dir/silo.log" 2>&1 &
silo_pid=$!
trap 'kill $silo_pid $emulator_pid ${orders_pid:-} 2>/dev/null || true; wait $silo_pid $emulator_pid ${orders_pid:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1 && break; sleep 1; done
callsim=(dotnet tools/CallSim/bin/Release/net10.0/AiAgent.CallSim.dll --port "$as_port" --wav tools/CallSim/assets/hello.wav --json)
if [ "$action" = slow-tool ]; then
  # One caller turn; the reply counts as one until 4 s of agent quiet, so a stall while the tool runs is measured.
  callsim+=(--cycles 1 --reply-timeout 10 --reply-quiet 4)
else
  callsim+=(--leading-silence 4 --tail 15)
fi
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
python3 - "$dir" "$expect" "$provider" "$action" "$tool_delay_ms" <<'PY'
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
def tool_calls(path, tool, outcome):
    pattern = r'ai_agent_tool_calls_total\{[^}]*tool="%s"[^}]*\} (\S+)' % tool
    return sum(float(m.group(1)) for line in open(path) for m in [re.match(pattern, line)] if m and f'outcome="{outcome}"' in line)
if action == "slow-tool":
    convs = [r["conversation"] for r in rows if r.get("conversation")]
    # The reply's own gaps (from its first frame to the call's end), apart from any stall in the greeting.
    stall = [y["maxReplyGapMs"] for c in convs for y in c["cycles"][:1] if y.get("maxReplyGapMs") is not None]
    speech_end = {id(c): c["cycles"][0].get("speechEndMs") or 0 for c in convs if c["cycles"]}
    over = sum(1 for c in convs for g in c.get("gapsOverLimit", []) if g["atMs"] > speech_end.get(id(c), 0))
    answered = sum(c.get("answered", 0) for c in convs)
    ok = tool_calls(d + "/metrics-after.txt", "lookup_order", "ok") - tool_calls(d + "/metrics-before.txt", "lookup_order", "ok")
    print(f"{provider} {action}: calls {len(rows)}, answered {answered}, lookup_order ok {int(ok)} (each answers after {sys.argv[5]} ms)")
    print(f"  longest gap inside the reply per call: {stats(stall)}; gaps over 60 ms in it: {over}")
    print(f"  received gap p99 per call:        {stats(gaps)}")
    print(f"  tool overhead (platform, {int(total)} calls): p50 {bound(50)}, p99 {bound(99)} (histogram bucket bounds)")
    print(f"  logs and JSON: {d}")
    sys.exit(0)
print(f"{provider} {action}: calls {len(rows)}, ended by the platform {ended}, disposition {expect} {right}/{len(disp)}")
print(f"  farewell's last frame -> 00 00 00: {stats(hang)}")
closed = [r["hangupAfterLastFrameMs"] + r["serverCloseAfterHangupFrameMs"] for r in rows
          if r.get("hangupAfterLastFrameMs") is not None and r.get("serverCloseAfterHangupFrameMs") is not None]
left_open = sum(1 for r in rows if r.get("serverCloseTimedOut"))
print(f"  farewell's last frame -> socket closed by the gateway: {stats(closed)}; left open over 2 s: {left_open}")
print(f"  received gap p99 per call:        {stats(gaps)}")
print(f"  tool overhead (platform, {int(total)} calls): p50 {bound(50)}, p99 {bound(99)} (histogram bucket bounds)")
print(f"  logs and JSON: {d}")
PY
