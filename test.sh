#!/usr/bin/env bash
# Runs every test in the repository. On a fresh Debian/Ubuntu machine it first installs what the tests use
# (redis-server for the Redis tests, sox for audio references, chromium for the operators' page test, afl++ for the
# frame reader's fuzzing, kubectl for the Kubernetes manifests' test, which renders k8s/ with `kubectl kustomize`: it
# needs kubectl 1.27+ (kustomize 5); the machine image has one, and Debian's kubernetes-client is the fallback when
# none is installed).
# Tests start their own Redis on a free port; nothing global is left running.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v sox >/dev/null || missing+=(sox)
command -v chromium >/dev/null || missing+=(chromium)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
command -v afl-fuzz >/dev/null || missing+=(afl++)
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# One test project at a time (-m:1): several suites run real-time calls (20 ms pacing, provider emulators), and
# on a 2-core machine they are steadier with the cores to themselves than beside another suite's clusters.
dotnet build AiAgent.Orleans.sln -c Release
dotnet test AiAgent.Orleans.sln -c Release --no-build -m:1 "$@"

# A minute of coverage-guided fuzzing of the AudioSocket frame reader from its corpus (a crash or hang fails the run).
if [ $# -eq 0 ]; then
  tools/fuzz-run.sh 60
fi
