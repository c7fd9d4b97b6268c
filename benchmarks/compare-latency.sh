#!/usr/bin/env bash
# One-row latency side by side (issue #15, item 4): one sequence of 50 steps, input and hidden 128, batch 1, through
# our LSTM on the one-row scoring path in float32, bfloat16 and int8 weights (the benchmarks app's `compressed` mode,
# latency part) and through PyTorch's nn.LSTM and its dynamically quantized int8 LSTM (benchmarks/pytorch_peer.py's
# latency cases; the int8 one on the fastest quantized engine the build has), at each thread count,
# alternated ROUNDS times; prints the median of each figure and PyTorch's time over ours.
#   bash benchmarks/compare-latency.sh [rounds=3] [threads="1 2"] [seconds=0.5]
# The peer runs as in compare.sh: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset, OMP_WAIT_POLICY=PASSIVE and
# OPENBLAS_NUM_THREADS set to the thread count.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; threads=${2:-"1 2"}; seconds=${3:-0.5}
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: run 'bash tools/install-torch.sh' first." >&2
  exit 1
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
app=benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll
results=$(mktemp)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
  for t in $threads; do
    echo "round $round/$rounds, $t thread(s)" >&2
    dotnet "$app" compressed --part latency --latency-threads "$t" --rounds 1 --seconds "$seconds" \
      | sed -n 's/^| \(Float32\|BFloat16\|Int8\) | \([0-9]*\) | [^|]* | \([0-9.]*\) |.*/ours \1 \2 \3/p' >>"$results"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$t" /usr/bin/python3 -c "
import argparse, sys, torch
sys.path.insert(0, 'benchmarks')
import pytorch_peer
torch.set_num_threads($t)
pytorch_peer.measure_latency(argparse.Namespace(repeats=5, seconds=$seconds))
pytorch_peer.measure_latency_int8(argparse.Namespace(repeats=5, seconds=$seconds))" 2>/dev/null \
      | sed -n -e "s/.*\"lstm-latency\", \"metric\": \"latency_us\".*\"value\": \([0-9.]*\).*/pytorch Float32 $t \1/p" \
               -e "s/.*\"lstm-latency-int8\", \"metric\": \"latency_us\".*\"value\": \([0-9.]*\).*/pytorch Int8 $t \1/p" >>"$results"
  done
done
lscpu_field() { lscpu | sed -n "s/^$1:[[:space:]]*//p"; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu_field 'Model name') (family $(lscpu_field 'CPU family'), model $(lscpu_field 'Model')), rounds $rounds, load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "# command: bash benchmarks/compare-latency.sh $rounds \"$threads\" $seconds"
/usr/bin/python3 - "$results" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    engine, weights, threads, value = line.split()
    times.setdefault((int(threads), weights, engine), []).append(float(value))
print("| threads | weights | ours µs | PyTorch µs (float32) | PyTorch / ours | PyTorch µs (dynamic int8) | PyTorch int8 / ours |")
print("|---:|---|---:|---:|---:|---:|---:|")
for (threads, weights, engine) in sorted(times, key=lambda k: (k[0], ["Float32", "BFloat16", "Int8"].index(k[1]))):
    if engine != "ours":
        continue
    ours = statistics.median(times[(threads, weights, engine)])
    peer = statistics.median(times.get((threads, "Float32", "pytorch"), [float("nan")]))
    quantized = statistics.median(times.get((threads, "Int8", "pytorch"), [float("nan")]))
    # The int8 peer beside our int8 row only: the other rows' precisions are not its.
    int8 = f" {quantized:.1f} | {quantized / ours:.2f}× |" if weights == "Int8" else "  |  |"
    print(f"| {threads} | {weights} | {ours:.1f} | {peer:.1f} | {peer / ours:.2f}× |{int8}")
PY
