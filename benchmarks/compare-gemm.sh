#!/usr/bin/env bash
# Our GEMM against numpy's sgemm (OpenBLAS with its AVX-512 kernels) on the LSTM's shapes and large squares,
# alternately ROUNDS times; prints medians in GFLOP/s, the ratio, and our share of the 448 GFLOP/s two-core peak.
#   bash benchmarks/compare-gemm.sh [threads=2] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; rounds=${2:-3}
if ! /usr/bin/python3 -c "import numpy" 2>/dev/null; then
  echo "numpy is missing: run 'bash tools/install-torch.sh' first." >&2
  exit 1
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
results=$(mktemp)
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  dotnet benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll gemm --threads "$threads" >>"$results"
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 benchmarks/pytorch_gemm_peer.py --threads "$threads" >>"$results"
done
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), threads $threads, rounds $rounds"
echo "# command: bash benchmarks/compare-gemm.sh $threads $rounds"
/usr/bin/python3 - "$results" "$threads" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
peak = 224.0 * int(sys.argv[2])  # 3.5 GHz · 2 FMA pipes · 16 lanes · 2 flops per core
figures = {}
for r in rows:
    figures.setdefault(r["case"], {}).setdefault(r["engine"], []).append(r["value"])
print("| product | Microsoft.ML.Lstm GFLOP/s | numpy sgemm GFLOP/s | ratio | ours / peak |")
print("|---|---:|---:|---:|---:|")
for case, by in figures.items():
    ours, peer = statistics.median(by["mlnet-lstm"]), statistics.median(by["pytorch"])
    print(f"| {case} | {ours:.0f} | {peer:.0f} | {ours / peer:.2f} | {ours / peak:.0%} |")
PY
rm -f "$results"
