#!/usr/bin/env bash
# Forecasting network speed side by side (issue #10): ForecastByLstm's default network shape (windows of 24 steps,
# LSTM 32, 12 steps × 3 quantile levels, the linear skip, pinball loss) trained on the same synthetic windows in
# Microsoft.ML.Lstm (the benchmarks app's `forecast` mode) and in PyTorch (benchmarks/pytorch_forecast.py), ROUNDS times
# alternately (seeds 1..ROUNDS); prints the medians and their ratios.
#   bash benchmarks/compare-forecast-speed.sh [threads=2] [rounds=3] [epochs=5]
# The peer runs at its best, as in compare.sh: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OMP_WAIT_POLICY=PASSIVE
# and OPENBLAS_NUM_THREADS the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; rounds=${2:-3}; epochs=${3:-5}
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: run 'bash tools/install-torch.sh' first." >&2
  exit 1
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
ours=(dotnet benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll forecast --threads "$threads" --epochs "$epochs")
peer=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 benchmarks/pytorch_forecast.py --threads "$threads" --epochs "$epochs")
results=$(mktemp)
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  "${ours[@]}" --seed "$round" >>"$results"
  "${peer[@]}" --seed "$round" >>"$results"
done
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p'), model $(lscpu | sed -n 's/^Model:[[:space:]]*//p')), threads $threads, rounds $rounds, epochs $epochs"
echo "# command: bash benchmarks/compare-forecast-speed.sh $threads $rounds $epochs"
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
    ratio = peer / ours if metric == "final_pinball_loss" else ours / peer
    print(f"| {case} | {metric} | {ours:.4g} | {peer:.4g} | {ratio:.2f} |")
PY
