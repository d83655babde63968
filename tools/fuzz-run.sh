#!/usr/bin/env bash
# Coverage-guided fuzzing of the AudioSocket frame reader (tools/Fuzz: SharpFuzz instruments AiAgent.Gateway.dll,
# AFL++ drives it). Starts from tools/Fuzz/corpus, runs SECONDS (default 60), then replays everything AFL kept in
# process; exits 1 on a crash, a hang or a finding, with the inputs left in the printed directory. Needs afl++
# (apt-get install afl++); installs the sharpfuzz tool into the work directory.
#   usage: tools/fuzz-run.sh [SECONDS=60]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v afl-fuzz >/dev/null || { echo "fuzz-run.sh: afl-fuzz not found: apt-get install afl++" >&2; exit 2; }
dir=$(mktemp -d -t aiagent-fuzz.XXXXXX)
dotnet build tools/Fuzz -c Release -v q -nologo >/dev/null
cp -r tools/Fuzz/bin/Release/net10.0 "$dir/bin"
dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$dir/tool" >/dev/null
"$dir/tool/sharpfuzz" "$dir/bin/AiAgent.Gateway.dll"
# SharpFuzz reports coverage through AFL's shared memory from inside the .NET process, so the dotnet host itself
# carries no instrumentation for afl-fuzz to find.
stats="$dir/findings/default/fuzzer_stats"
if ! AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
  afl-fuzz -V "$seconds" -i tools/Fuzz/corpus -o "$dir/findings" -t 10000 -m none -- dotnet "$dir/bin/AiAgent.Fuzz.dll" >"$dir/afl.log" 2>&1 \
  || [ ! -f "$stats" ]; then
  # afl-fuzz could not run here (no shared memory, a sandbox): say so, and still throw mutated input at the reader.
  echo "fuzz-run.sh: afl-fuzz did not run (last lines of its log below); falling back to in-process mutation, without coverage feedback" >&2
  tail -5 "$dir/afl.log" >&2
  dotnet tools/Fuzz/bin/Release/net10.0/AiAgent.Fuzz.dll --mutate 2000000 "${FUZZ_SEED:-$RANDOM}" tools/Fuzz/corpus
  rm -rf "$dir"
  exit 0
fi
grep -E "^(execs_done|execs_per_sec|corpus_count|edges_found|saved_crashes|saved_hangs) " "$stats"
crashes=$(awk '/^saved_crashes/ {print $3}' "$stats"); hangs=$(awk '/^saved_hangs/ {print $3}' "$stats")
dotnet tools/Fuzz/bin/Release/net10.0/AiAgent.Fuzz.dll --replay "$dir/findings/default/queue"
if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
  echo "fuzz-run.sh: $crashes crashes, $hangs hangs: inputs in $dir/findings/default/crashes and hangs; reproduce with" >&2
  echo "  dotnet tools/Fuzz/bin/Release/net10.0/AiAgent.Fuzz.dll --replay $dir/findings/default/crashes" >&2
  exit 1
fi
rm -rf "$dir"
