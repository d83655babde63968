#!/usr/bin/env python3
"""Soak verdict (tools/soak-run.sh): from CallSim's run.json, whether every call passed and whether the platform's
resident set, threads and open handles stayed flat over the steady part of the run (after the warm-up, up to the last
arrival). Writes soak.md and soak.json into the results folder, prints PASS/FAIL lines, exits 1 on a FAIL.
The bars, per 10 minutes of drift (least-squares slope): the managed heap after collections (the leak signal) and RSS
(which also holds the GC's reserve) each within 5 % of their peak, threads within 5, open handles within 5 % of their
peak (at least 10). See docs/performance.md ("Soak")."""
import json
import sys

results = sys.argv[1]
with open(f"{results}/run.json") as f:
    run = json.load(f)["run"]
trend = run.get("platformTrend")
if not trend:
    sys.exit("soak-summary: run.json has no platformTrend (CallSim needs --platform-pid)")

rss, threads, handles, heap = trend["rssMb"], trend["threads"], trend["openHandles"], trend.get("gcHeapMb")
if not heap:
    sys.exit("soak-summary: run.json has no gcHeapMb trend (CallSim needs --metrics)")
bars = {
    "heap": 0.05 * heap["max"],
    "rss": 0.05 * rss["max"],
    "threads": 5.0,
    "handles": max(10.0, 0.05 * handles["max"]),
}


def flat(name, figure, bar, unit, bar_format):
    """A drift check: |slope per 10 min| within the bar, with the figure's first, last and range."""
    drift = figure["slopePerTenMinutes"]
    return (f"{name} flat", abs(drift) <= bar,
            f"drift {drift:+.1f}{unit} per 10 min (bar ±{bar:{bar_format}}); {figure['first']:.0f}→{figure['last']:.0f}{unit}, "
            f"range {figure['min']:.0f}–{figure['max']:.0f}")


checks = [
    ("(a) every call passed", run["failed"] == 0 and run["connectFailed"] == 0,
     f"{run['passed']} of {run['calls']} passed, {run['failed']} failed, {run['connectFailed']} could not connect"),
    flat("(b) managed heap after collections", heap, bars["heap"], " MiB", ".1f"),
    flat("(c) RSS", rss, bars["rss"], " MiB", ".1f"),
    flat("(d) threads", threads, bars["threads"], "", ".0f"),
    flat("(e) open handles", handles, bars["handles"], "", ".1f"),
]
window = f"after the first 20 % of the samples, up to the last arrival at {trend['steadyUntilSeconds']:.0f} s" if trend.get("steadyUntilSeconds") else "after the first 20 % of the samples"
lines = [
    "# Soak",
    "",
    f"{run['calls']} calls, {run['meanLiveCalls']:.1f} live on average, {run['durationMs'] / 60000:.1f} min; "
    f"platform CPU {run.get('platformCpuPercentOfCorePerCall') or 0:.3f} % of a core per live call; "
    f"{trend['samples']} samples {trend['intervalSeconds']:.0f} s apart, drift {window}.",
    "",
    "## Checks",
    "",
]
failed = False
for name, ok, detail in checks:
    line = f"- {'PASS' if ok else 'FAIL'} {name}: {detail}"
    lines.append(line)
    print(line)
    failed |= not ok
with open(f"{results}/soak.md", "w") as f:
    f.write("\n".join(lines) + "\n")
with open(f"{results}/soak.json", "w") as f:
    json.dump({"checks": [{"check": n, "pass": ok, "detail": d} for n, ok, d in checks], "bars": bars}, f, indent=2)
sys.exit(1 if failed else 0)
