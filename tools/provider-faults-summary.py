#!/usr/bin/env python3
"""Provider-fault run summary (tools/load-run.sh with FAULTS=...): the emulator's injected faults, the platform's
provider-error/reconnect counters and CallSim's call endings, all as the run's growth (after minus before), into
faults.md and faults.json; prints PASS/FAIL lines and exits 1 on a FAIL. See docs/callsim.md ("Provider faults")."""
import json
import re
import sys

results = sys.argv[1]


def load(name):
    with open(f"{results}/{name}") as f:
        return f.read()


def counters(text):
    """Sums every series of the counters we read, by (name, the label that matters)."""
    sums = {}
    for line in text.splitlines():
        m = re.match(r'^(ai_agent_provider_errors_total|ai_agent_provider_reconnects_total|ai_agent_calls_ended_total)\{([^}]*)\}\s+(\S+)', line)
        if not m:
            continue
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
        key = (m.group(1), labels.get("kind") or labels.get("outcome") or "")
        sums[key] = sums.get(key, 0) + float(m.group(3))
    return sums


before_faults, after_faults = json.loads(load("faults-before.json")), json.loads(load("faults-after.json"))
faults = {k: after_faults[k] - before_faults.get(k, 0) for k in after_faults}
before_metrics, after_metrics = counters(load("metrics-before.txt")), counters(load("metrics-after.txt"))
metric = lambda name, label="": after_metrics.get((name, label), 0) - before_metrics.get((name, label), 0)
errors = {kind: metric("ai_agent_provider_errors_total", kind) for kind in ("Authentication", "RateLimited", "Disconnected", "SessionExpired", "InvalidRequest", "Server", "Other")}
reconnects = metric("ai_agent_provider_reconnects_total")
ended_provider_error = metric("ai_agent_calls_ended_total", "ProviderError")
run = json.loads(load("run.json"))["run"]
endings = run["endings"]
mid_call = faults["drop"] + faults["stall"]

checks = [
    ("(a) calls hung up by the platform == 401s injected (every 401 is final: at the first connect and at a reconnect alike)",
     endings["hungUpByPlatform"] == faults["401"], f'{endings["hungUpByPlatform"]} hung up, {faults["401"]} x 401'),
    ("(b) calls with a reply gap > 100 ms <= calls whose socket was faulted mid-call (drop + stall)",
     endings["callsWithReplyGapOver100Ms"] <= mid_call, f'{endings["callsWithReplyGapOver100Ms"]} calls, {mid_call} faults'),
    ("(c) no call failed at the socket level", endings["failedAtSocket"] == 0, f'{endings["failedAtSocket"]} failed'),
    ("(d1) every 401 is an Authentication provider error", errors["Authentication"] == faults["401"], f'{errors["Authentication"]:.0f} errors, {faults["401"]} x 401'),
    ("(d2) every 429 is a RateLimited provider error", errors["RateLimited"] == faults["429"], f'{errors["RateLimited"]:.0f} errors, {faults["429"]} x 429'),
    ("(d3) every drop and stall is a Disconnected provider error", errors["Disconnected"] == mid_call, f'{errors["Disconnected"]:.0f} errors, {mid_call} drops + stalls'),
    ("(d4) every drop and stall is followed by a reconnect (less those whose reconnect drew a 401)",
     mid_call - faults["401"] <= reconnects <= mid_call, f'{reconnects:.0f} reconnects, {mid_call} drops + stalls, {faults["401"]} x 401'),
]

lines = ["# Provider faults", "",
         f'Upgrades {faults["connections"]}; faults drawn {faults["drawn"]}, of which took effect: drop {faults["drop"]}, stall {faults["stall"]}, 429 {faults["429"]}, 401 {faults["401"]} (not fired: {faults["unfired"]}, a drop or stall drawn for a connection that spoke no response).', "",
         "| figure | value |", "| --- | --- |",
         f'| calls | {run["calls"]} |',
         f'| ended by the caller (script done) | {endings["completedByCaller"]} |',
         f'| hung up by the platform | {endings["hungUpByPlatform"]} (calls_ended_total{{outcome="ProviderError"}} +{ended_provider_error:.0f}) |',
         f'| failed at the socket | {endings["failedAtSocket"]} |',
         f'| calls with a reply gap > 100 ms | {endings["callsWithReplyGapOver100Ms"]} |',
         f'| platform provider errors | ' + ", ".join(f"{k} {v:.0f}" for k, v in errors.items() if v) + " |",
         f'| platform reconnects | {reconnects:.0f} |', "", "## Checks", ""]
for name, ok, detail in checks:
    lines.append(f'- {"PASS" if ok else "FAIL"} {name}: {detail}')
with open(f"{results}/faults.md", "w") as f:
    f.write("\n".join(lines) + "\n")
with open(f"{results}/faults.json", "w") as f:
    json.dump({"faults": faults, "providerErrors": errors, "reconnects": reconnects, "endings": endings,
               "checks": [{"check": n, "pass": ok, "detail": d} for n, ok, d in checks]}, f, indent=2)
print("\n".join(lines))
sys.exit(0 if all(ok for _, ok, _ in checks) else 1)
