#!/usr/bin/env bash
# Our GEMM against numpy's sgemm (OpenBLAS) on the LSTM's shapes and large squares, alternately ROUNDS times;
# prints medians in GFLOP/s, the ratio, and each one's share of this CPU's fp32 peak on the same threads (the
# benchmarks app's `peak` mode, measured in every round, the best kept).
#   bash benchmarks/compare-gemm.sh [threads=2] [rounds=3] [--isa native|avx2|avx|sse]
# --isa as in compare.sh (benchmarks/isa.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; rounds=${2:-3}; isa=native
if [ "${3:-}" = "--isa" ]; then isa=${4:?--isa takes native, avx2, avx or sse}; fi
source benchmarks/isa.sh
isa_env "$isa" || exit 1
if ! /usr/bin/python3 -c "import numpy" 2>/dev/null; then
  echo "numpy is missing: run 'bash tools/install-torch.sh' first." >&2
  exit 1
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
app=benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll
results=$(mktemp)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  env "${ours_env[@]}" dotnet "$app" peak --threads "$threads" >>"$results"
  env "${ours_env[@]}" dotnet "$app" gemm --threads "$threads" >>"$results"
  env -u OPENBLAS_L2_SIZE "${peer_env[@]}" OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 benchmarks/pytorch_gemm_peer.py --threads "$threads" >>"$results"
done
lscpu_field() { lscpu | sed -n "s/^$1:[[:space:]]*//p"; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu_field 'Model name') (family $(lscpu_field 'CPU family'), model $(lscpu_field 'Model')), threads $threads, rounds $rounds, isa $isa, load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "# command: bash benchmarks/compare-gemm.sh $threads $rounds --isa $isa"
/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
best = max((r for r in rows if r["engine"] == "fma-loop"), key=lambda r: r["value"])
peak = best["value"]
print(f"# peak: {peak:.0f} GFLOP/s on {best['threads']} threads ({'FMA' if best.get('fused', True) else 'multiply-and-add'} loop at {best['width']}, the {best['kernel']} GEMM kernel)")
print(f"# as the GEMM sees it: {best['cpu']}; tuning {best['tuning']}")
figures = {}
for r in rows:
    if r["engine"] != "fma-loop":
        figures.setdefault(r["case"], {}).setdefault(r["engine"], []).append(r["value"])
print("| product | Microsoft.ML.Lstm GFLOP/s | numpy sgemm GFLOP/s | ratio | ours / peak | numpy / peak |")
print("|---|---:|---:|---:|---:|---:|")
for case, by in figures.items():
    ours, peer = statistics.median(by["mlnet-lstm"]), statistics.median(by["pytorch"])
    print(f"| {case} | {ours:.0f} | {peer:.0f} | {ours / peer:.2f} | {ours / peak:.0%} | {peer / peak:.0%} |")
PY
rm -f "$results"
