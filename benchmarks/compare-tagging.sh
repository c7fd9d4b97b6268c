#!/usr/bin/env bash
# Tagging side by side: trains the same BiLSTM tagger on ../shared/data/ner (WNUT-17) in Microsoft.ML.Lstm (the
# benchmarks app's `tagging` mode) and in PyTorch (benchmarks/pytorch_tagger.py), with a softmax head and with a
# CRF head, ROUNDS times alternately (seeds 1..ROUNDS), and prints the medians and their ratios.
#   bash benchmarks/compare-tagging.sh [threads=2] [rounds=3] [epochs=3] [data=../shared/data/ner]
# The peer runs at its best, as in compare.sh: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OMP_WAIT_POLICY=PASSIVE
# and OPENBLAS_NUM_THREADS the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/side-by-side.sh
threads=${1:-2}; rounds=${2:-3}; epochs=${3:-3}; data=${4:-../shared/data/ner}
if [ ! -f "$data/wnut17-train.conll" ] || [ ! -f "$data/wnut17-test.conll" ]; then
  echo "Skipped: $data/wnut17-train.conll and wnut17-test.conll are not here (the shared data set is absent)." >&2
  exit 0
fi
require_torch
build_ours
torch_peer "$threads"
ours+=(tagging --data "$data" --threads "$threads" --epochs "$epochs")
peer+=(benchmarks/pytorch_tagger.py --data "$data" --threads "$threads" --epochs "$epochs")
results=$(mktemp)
for round in $(seq "$rounds"); do
  for head in "" "--crf"; do
    echo "round $round/$rounds ${head:---softmax}" >&2
    "${ours[@]}" --seed "$round" $head >>"$results"
    "${peer[@]}" --seed "$round" $head >>"$results"
  done
done
echo "# $(cpu_line), threads $threads, rounds $rounds, epochs $epochs"
echo "# command: bash benchmarks/compare-tagging.sh $threads $rounds $epochs $data"
median_table "$results" train_seconds
rm -f "$results"
