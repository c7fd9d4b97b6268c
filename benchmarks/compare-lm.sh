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
source benchmarks/side-by-side.sh
threads=${1:-2}; rounds=${2:-3}; tokens=${3:-200000}; data=${4:-../shared/data}
if [ ! -f "$data/text/tinyshakespeare.txt" ] || [ ! -f "$data/sentiment/train.tsv" ]; then
  echo "Skipped: $data/text/tinyshakespeare.txt and $data/sentiment/train.tsv are not here (the shared data set is absent)." >&2
  exit 0
fi
require_torch
build_ours
torch_peer "$threads"
ours+=(lm --threads "$threads" --tokens "$tokens")
peer+=(benchmarks/pytorch_lm.py --threads "$threads" --tokens "$tokens")
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
echo "# $(cpu_line), threads $threads, rounds $rounds, tokens $tokens"
echo "# command: bash benchmarks/compare-lm.sh $threads $rounds $tokens $data"
median_table "$results" train_seconds heldout_bits_per_token
rm -f "$results"
