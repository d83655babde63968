#!/usr/bin/env bash
# Soak: N calls live on average (a call centre's steady arrivals, mean hold HOLD s) for MINUTES, the platform sampled
# every 10 s; then tools/soak-summary.py judges it (every call passed; RSS, threads and open handles flat over the
# steady part) into soak.md/soak.json beside run.md. See docs/performance.md ("Soak").
#   usage: tools/soak-run.sh N [MINUTES=10]   (environment as tools/load-run.sh: HOLD=60, SEED=, PROVIDER=, ...)
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:?usage: tools/soak-run.sh N [MINUTES]}
minutes=${2:-10}
status=0
out=$(ARRIVAL=steady RUN=$((minutes * 60)) tools/load-run.sh "$calls" | tee /dev/stderr | tail -1) || status=$?
results=$(awk '{print $2}' <<<"$out")
tools/soak-summary.py "$results" || status=$?
echo "soak: $results/soak.md"
exit "$status"
