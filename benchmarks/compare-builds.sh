#!/usr/bin/env bash
# Before and after: the benchmarks app's `profile` mode on a build of REVISION and on the working tree, alternated
# ROUNDS times per case, and the median time per call of each with their ratio (after / before; lower is better).
#   bash benchmarks/compare-builds.sh REVISION [rounds=5] [threads=2] [cases="lstm-a lstm-b gru-b lstm-bi-b"] [clock=wall] [profile options]
# REVISION is built in a temporary git worktree, removed afterwards, with this tree's profile harness. clock=cpu compares the process's CPU time per call
# instead of the wall clock's, which moves less with other work on a shared machine (spinning workers still count);
# clock=least (Linux, threads=1) the least CPU time the calling thread spent in one call, which moves least of all.
# Profile options go to every call of the profile mode (e.g. "--ragged" for sequences of uneven lengths).
set -euo pipefail
cd "$(dirname "$0")/.."
revision=$1; rounds=${2:-5}; threads=${3:-2}; cases=${4:-"lstm-a lstm-b gru-b lstm-bi-b"}; clock=${5:-wall}; options=${6:-}
before=$(mktemp -d)
trap 'git worktree remove --force "$before" >/dev/null 2>&1 || true' EXIT
git worktree add -q --detach "$before" "$revision"
# Both builds are timed by this tree's harness (the profile mode and its shapes); only the library differs.
cp benchmarks/Microsoft.ML.Lstm.Benchmarks/{ProfileRunner,RecurrentShape,SingleSequenceLatency}.cs "$before/benchmarks/Microsoft.ML.Lstm.Benchmarks/"
dotnet build "$before/benchmarks/Microsoft.ML.Lstm.Benchmarks" -c Release -v q -nologo >/dev/null
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
app=benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll
results=$(mktemp)
for case in $cases; do for work in train infer; do for round in $(seq "$rounds"); do
  echo "before $case $work $(dotnet "$before/$app" profile --case "$case" --work "$work" --threads "$threads" --seconds 1.5 $options 2>&1 | tail -1)" >>"$results"
  echo "after $case $work $(dotnet "$app" profile --case "$case" --work "$work" --threads "$threads" --seconds 1.5 $options 2>&1 | tail -1)" >>"$results"
done; done; done
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p'), model $(lscpu | sed -n 's/^Model:[[:space:]]*//p')), threads $threads, rounds $rounds"
echo "# command: bash benchmarks/compare-builds.sh $revision $rounds $threads \"$cases\" $clock${options:+ \"$options\"}, load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$results" "$revision" "$clock" <<'PY'
import re, statistics, sys
times = {}
unit = {"cpu": "µs of CPU per call", "least": "µs of the calling thread's CPU in one call"}.get(sys.argv[3], "µs per call")
for line in open(sys.argv[1]):
    m = re.match(r"(\w+) (\S+) (\w+) .*?([\d.]+) " + unit, line)
    if m:
        times.setdefault((m[2], m[3]), {}).setdefault(m[1], []).append(float(m[4]))
print(f"| case | work | before, {sys.argv[2]} ({unit}) | after ({unit}) | after / before |")
print("|---|---|---:|---:|---:|")
for (case, work), t in times.items():
    b, a = statistics.median(t["before"]), statistics.median(t["after"])
    print(f"| {case} | {work} | {b:.0f} | {a:.0f} | {a / b:.2f} |")
PY
