#!/usr/bin/env bash
# Before and after for issue #15, item 5: the benchmarks app's `mlnet-path` mode (time outside the engine on the
# sentiment network: Fit, Transform, PredictionEngine) run on the library at REVISION and on the working tree's,
# alternated ROUNDS times. Both runs use the working tree's benchmark code (REVISION must have NetworkTrainer's
# TrainOnBatch and BatchObserver, which the mode replays the engine with: 2d9fdaf or later), so only the library
# differs. Prints the median over the runs of each phase's total, engine and share outside, and the bytes allocated
# per scored row. Needs ../shared/data/sentiment (or DATA); skips without it.
#   bash benchmarks/compare-mlnet-path.sh REVISION [rounds=3] [threads=2] [epochs=2] [data=../shared/data/sentiment]
set -euo pipefail
cd "$(dirname "$0")/.."
revision=$1; rounds=${2:-3}; threads=${3:-2}; epochs=${4:-2}; data=${5:-../shared/data/sentiment}
if [[ ! -f "$data/train.tsv" || ! -f "$data/test.tsv" ]]; then
  echo "Skipped: $data/train.tsv and $data/test.tsv are not here (the shared data set is absent)."
  exit 0
fi
data=$(cd "$data" && pwd)
before=$(mktemp -d)
trap 'git worktree remove --force "$before" >/dev/null 2>&1 || true' EXIT
git worktree add -q --detach "$before" "$revision"
cp benchmarks/Microsoft.ML.Lstm.Benchmarks/*.cs "$before/benchmarks/Microsoft.ML.Lstm.Benchmarks/"
dotnet build "$before/benchmarks/Microsoft.ML.Lstm.Benchmarks" -c Release -v q -nologo >/dev/null
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
app=benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll
results=$(mktemp)
for round in $(seq "$rounds"); do
  dotnet "$before/$app" mlnet-path --data "$data" --threads "$threads" --epochs "$epochs" --rounds 1 | sed 's/^/before /' >>"$results"
  dotnet "$app" mlnet-path --data "$data" --threads "$threads" --epochs "$epochs" --rounds 1 | sed 's/^/after /' >>"$results"
done
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p'), model $(lscpu | sed -n 's/^Model:[[:space:]]*//p')), threads $threads, epochs $epochs, $rounds runs of each build alternated, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command: bash benchmarks/compare-mlnet-path.sh $revision $rounds $threads $epochs"
/usr/bin/python3 - "$results" "$revision" <<'PY'
import re, statistics, sys
rows = {}
def number(text):
    m = re.match(r"\s*(-?[\d,.]+)", text)
    return float(m[1].replace(",", "")) if m else None
for line in open(sys.argv[1]):
    build, _, rest = line.partition(" ")
    cells = [c.strip() for c in rest.strip().strip("|").split("|")]
    if len(cells) != 7 or not cells[0] or cells[0] == "form" or cells[0].startswith("---"):
        continue
    key = (cells[0], re.sub(r"(; share outside in each round: [^)]*|; \d+ passes)", "", cells[1]))
    rows.setdefault(key, {}).setdefault(build, []).append((cells[2], number(cells[2]), number(cells[3]), number(cells[5]), number(cells[6])))
print(f"| form | phase | before ({sys.argv[2]}): total, engine alone, share outside, bytes per row | after: total, engine alone, share outside, bytes per row |")
print("|---|---|---|---|")
for (form, phase), builds in rows.items():
    cells = []
    for build in ("before", "after"):
        runs = builds.get(build, [])
        unit = "s" if runs and runs[0][0].endswith(" s") else "µs"
        med = lambda i: statistics.median(r[i] for r in runs if r[i] is not None)
        alloc = [r[4] for r in runs if r[4] is not None]
        cells.append(f"{med(1):.3g} {unit}, {med(2):.3g} {unit}, {med(3):.1f} %" + (f", {statistics.median(alloc):.0f} B" if alloc else ""))
    print(f"| {form} | {phase} | {cells[0]} | {cells[1]} |")
PY
