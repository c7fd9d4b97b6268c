#!/usr/bin/env bash
# End to end: trains the sentiment network on ../shared/data/sentiment in Microsoft.ML.Lstm (the
# benchmarks app's `e2e` mode) and in PyTorch (benchmarks/pytorch_sentiment.py), same architecture and
# schedule, ROUNDS times alternately with seeds 1..ROUNDS, and prints the median training time of each,
# their ratio, and the mean test accuracy ± half its range.
#   bash benchmarks/compare-e2e.sh [threads=2] [rounds=3] [data=../shared/data/sentiment]
# The peer runs at its best, as in compare.sh: OPENBLAS_CORETYPE unset, OMP_WAIT_POLICY=PASSIVE, and
# OPENBLAS_NUM_THREADS the same thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; rounds=${2:-3}; data=${3:-../shared/data/sentiment}
if [ ! -f "$data/train.tsv" ] || [ ! -f "$data/test.tsv" ]; then
  echo "Skipped: $data/train.tsv and test.tsv are not here (the shared data set is absent)." >&2
  exit 0
fi
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: run 'bash tools/install-torch.sh' first." >&2
  exit 1
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
ours=(dotnet benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll e2e --data "$data" --threads "$threads")
peer=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 benchmarks/pytorch_sentiment.py --data "$data" --threads "$threads")
results=$(mktemp)
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  "${ours[@]}" --seed "$round" >>"$results"
  "${peer[@]}" --seed "$round" >>"$results"
done
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), threads $threads, rounds $rounds (seeds 1..$rounds)"
echo "# command: bash benchmarks/compare-e2e.sh $threads $rounds $data"
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
figures = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        figures.setdefault((r["engine"], r["metric"]), []).append(r["value"])
ours, peer = statistics.median(figures["mlnet-lstm", "train_seconds"]), statistics.median(figures["pytorch", "train_seconds"])
def accuracy(engine):
    values = figures[engine, "test_accuracy"]
    return f"{100 * statistics.mean(values):.1f} % ± {50 * (max(values) - min(values)):.1f}"
print("| engine | training seconds (median) | speed-up (peer/ours) | test accuracy (mean ± half range) |")
print("|---|---:|---:|---:|")
print(f"| Microsoft.ML.Lstm | {ours:.2f} | {peer / ours:.2f} | {accuracy('mlnet-lstm')} |")
print(f"| PyTorch | {peer:.2f} | 1.00 | {accuracy('pytorch')} |")
PY
rm -f "$results"
