#!/usr/bin/env bash
# Language models side by side (issue #11): trains the same one-directional LSTM language model in Microsoft.ML.Lstm
# (the benchmarks app's `lm` mode) and in PyTorch (benchmarks/pytorch_lm.py), on characters of tinyshakespeare and on
# the words of the UCI sentences, ROUNDS times alternately (seeds 1..ROUNDS), and prints the medians and their ratios:
# training tokens per second, held-out bits per token after the same pass, generation tokens per second.
# At word level it also runs both with an adaptive softmax (ours: the featurizer's automatic cutoffs; PyTorch:
# nn.AdaptiveLogSoftmaxWithLoss with the same cutoffs and ranking), and all four for SECONDS of training each, for the
# held-out bits at equal training time ("-<S>s" cases); the last table sets ours with the adaptive softmax beside PyTorch's full one.
# which=char-time trains the character model on tinyshakespeare for SECONDS each (the first 90 % of the text, cut to
# TOKENS, trains; the last 10 % is the validation text) and reports the validation bits per character at equal time.
# EPOCHS passes instead of one let both engines warm up (ours compiles its code as it first runs: the first pass of a
# short text is up to twice as slow as the next).
#   bash benchmarks/compare-lm.sh [threads=2] [rounds=3] [tokens=200000] [data=../shared/data] [which=char,word] [seconds=15] [epochs=1]
# The peer runs at its best, as in compare.sh: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OMP_WAIT_POLICY=PASSIVE
# and OPENBLAS_NUM_THREADS the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/side-by-side.sh
threads=${1:-2}; rounds=${2:-3}; tokens=${3:-200000}; data=${4:-../shared/data}; which=${5:-char,word}; seconds=${6:-15}; epochs=${7:-1}
if [ ! -f "$data/text/tinyshakespeare.txt" ] || [ ! -f "$data/sentiment/train.tsv" ]; then
  echo "Skipped: $data/text/tinyshakespeare.txt and $data/sentiment/train.tsv are not here (the shared data set is absent)." >&2
  exit 0
fi
require_torch
build_ours
torch_peer "$threads"
ours+=(lm --threads "$threads" --tokens "$tokens" --epochs "$epochs")
peer+=(benchmarks/pytorch_lm.py --threads "$threads" --tokens "$tokens" --epochs "$epochs")
word="--level word --text $data/sentiment/train.tsv --hidden 128 --embedding 64"
cases=()
[[ ",$which," == *,char,* ]] && cases+=("--level char --text $data/text/tinyshakespeare.txt --hidden 256 --embedding 64")
[[ ",$which," == *,char-time,* ]] && cases+=("--level char --text $data/text/tinyshakespeare.txt --hidden 256 --embedding 64 --seconds $seconds")
[[ ",$which," == *,word,* ]] && cases+=("$word" "$word --softmax adaptive" "$word --seconds $seconds" "$word --softmax adaptive --seconds $seconds")
results=$(mktemp)
for round in $(seq "$rounds"); do
  for case in "${cases[@]}"; do
    echo "round $round/$rounds $case" >&2
    "${ours[@]}" --seed "$round" $case >>"$results"
    "${peer[@]}" --seed "$round" $case >>"$results"
  done
done
echo "# $(cpu_line), threads $threads, rounds $rounds, tokens $tokens, epochs $epochs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command: bash benchmarks/compare-lm.sh $threads $rounds $tokens $data $which $seconds $epochs"
median_table "$results" train_seconds heldout_bits_per_token
/usr/bin/python3 - "$results" <<'PY'
import json, re, statistics, sys
figures = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        figures.setdefault((r["engine"], r["case"], r["metric"]), []).append(r["value"])
rows = []
for (engine, case, metric), values in figures.items():
    match = re.fullmatch(r"(.*)-adaptive[0-9/]+(-[0-9.]+s)?", case)
    if engine != "mlnet-lstm" or not match or metric not in ("train_tokens_per_s", "heldout_bits_per_token"):
        continue
    full = figures.get(("pytorch", match.group(1) + (match.group(2) or ""), metric))
    if full:
        ours, peer = statistics.median(values), statistics.median(full)
        ratio = ours / peer if metric == "train_tokens_per_s" else peer / ours
        rows.append(f"| {case} | PyTorch full softmax | {metric} | {ours:.4g} | {peer:.4g} | {ratio:.2f} |")
if rows:
    print()
    print("| ours (adaptive softmax) | against | metric | Microsoft.ML.Lstm | PyTorch | ratio (>1: ours better) |")
    print("|---|---|---|---:|---:|---:|")
    print("\n".join(rows))
PY
rm -f "$results"
