#!/usr/bin/env bash
# Scoring a data set side by side: the sentiment network at the trainer's defaults (BiLSTM of 64 over an embedding of
# 64, max pooling), trained briefly on ../shared/data/sentiment, then the 600 test sentences scored from their text in
# Microsoft.ML.Lstm (the benchmarks app's `scoring` mode: Transform with a cursor, and a PredictionEngine one sentence at
# a time) and in PyTorch (benchmarks/pytorch_sentiment.py --pooling max --score-seconds: batches of 64 padded and packed
# sentences, and one sentence at a time), and each network alone on its batches built beforehand (ours on one thread),
# ROUNDS times alternately; prints the medians of the wall time per sentence.
# Both run on THREADS cores: DOTNET_PROCESSOR_COUNT for ours (Transform scores a batch per core), torch's threads for
# the peer, at its best as in compare.sh (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OMP_WAIT_POLICY=PASSIVE).
#   bash benchmarks/compare-scoring.sh [threads=2] [rounds=3] [seconds=3] [data=../shared/data/sentiment]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/side-by-side.sh
threads=${1:-2}; rounds=${2:-3}; seconds=${3:-3}; data=${4:-../shared/data/sentiment}
if [ ! -f "$data/train.tsv" ] || [ ! -f "$data/test.tsv" ]; then
  echo "Skipped: $data/train.tsv and test.tsv are not here (the shared data set is absent)." >&2
  exit 0
fi
require_torch
build_ours
torch_peer "$threads"
results=$(mktemp)
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  DOTNET_PROCESSOR_COUNT="$threads" "${ours[@]}" scoring --data "$data" --seconds "$seconds" >>"$results"
  "${peer[@]}" benchmarks/pytorch_sentiment.py --data "$data" --threads "$threads" --epochs 1 --pooling max --score-seconds "$seconds" >>"$results"
done
echo "# $(cpu_line), threads $threads, $rounds rounds alternated, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command: bash benchmarks/compare-scoring.sh $threads $rounds $seconds"
grep '"sentiment-scoring"' "$results" >"$results.scoring"  # the peer's training lines are not compared here
median_table "$results.scoring" dataset_us_per_row one_row_us_per_row model_us_per_row
rm -f "$results" "$results.scoring"
