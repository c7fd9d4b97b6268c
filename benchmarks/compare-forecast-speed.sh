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
source benchmarks/side-by-side.sh
threads=${1:-2}; rounds=${2:-3}; epochs=${3:-5}
require_torch
build_ours
torch_peer "$threads"
ours+=(forecast --threads "$threads" --epochs "$epochs")
peer+=(benchmarks/pytorch_forecast.py --threads "$threads" --epochs "$epochs")
results=$(mktemp)
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  "${ours[@]}" --seed "$round" >>"$results"
  "${peer[@]}" --seed "$round" >>"$results"
done
echo "# $(cpu_line), threads $threads, rounds $rounds, epochs $epochs"
echo "# command: bash benchmarks/compare-forecast-speed.sh $threads $rounds $epochs"
median_table "$results" final_pinball_loss
rm -f "$results"
