#!/usr/bin/env bash
# Language models side by side (issue #11): trains the same one-directional LSTM language model in Microsoft.ML.Lstm
# (the benchmarks app's `lm` mode) and in PyTorch (benchmarks/pytorch_lm.py), on characters of tinyshakespeare and on
# the words of the UCI sentences, ROUNDS times alternately (seeds 1..ROUNDS), and prints the medians and their ratios:
# training tokens per second, held-out bits per token after the same pass, generation tokens per second.
#   bash benchmarks/compare-lm.sh [threads=2] [rounds=3] [tokens=200000] [data=../shared/data]
# The peer runs at its best, as in compare.sh: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OMP_WAIT_POLICY=PASSIVE
# and OPENBLAS_NUM_THREADS the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; rounds=${2:-3}; tokens=${3:-200000}; data=${4:-../shared/data}
if [ ! -f "$data/text/tinyshakespeare.txt" ] || [ ! -f "$data/sentiment/train.tsv" ]; then
  echo "Skipped: $data/text/tinyshakespeare.txt and $data/sentiment/train.tsv are not here (the shared data set is absent)." >&2
  exit 0
fi
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: run 'bash tools/install-torch.sh' first." >&2
  exit 1
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
ours=(dotnet benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll lm --threads "$threads" --tokens "$tokens")
peer=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 benchmarks/pytorch_lm.py --threads "$threads" --tokens "$tokens")
cases=("--level char --text $data/text/tinyshakespeare.txt --hidden 256 --embedding 64"
       "--level word --text $data/sentiment/train.tsv --hidden 128 --embedding 64")
results=$(mktemp)
for round in $(seq "$rounds"); do
  for case in "${cases[@]}"; do
    echo "round $round/$rounds $case" >&2
    "${ours[@]}" --seed "$round" $case >>"$results"
    "${peer[@]}" --seed "$round" $case >>"$results"
  done
done
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p'), model $(lscpu | sed -n 's/^Model:[[:space:]]*//p')), threads $threads, rounds $rounds, tokens $tokens"
echo "# command: bash benchmarks/compare-lm.sh $threads $rounds $tokens $data"
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
figures = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        figures.setdefault((r["case"], r["metric"]), {}).setdefault(r["engine"], []).append(r["value"])
print("| case | metric | Microsoft.ML.Lstm | PyTorch | ratio (>1: ours better) |")
print("|---|---|---:|---:|---:|")
for (case, metric), engines in figures.items():
    ours, peer = statistics.median(engines["mlnet-lstm"]), statistics.median(engines["pytorch"])
    ratio = peer / ours if metric in ("train_seconds", "heldout_bits_per_token") else ours / peer
    print(f"| {case} | {metric} | {ours:.4g} | {peer:.4g} | {ratio:.2f} |")
PY
