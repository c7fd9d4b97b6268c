#!/usr/bin/env bash
# Side by side: Microsoft.ML.Lstm against PyTorch on the same CPU and thread count.
# Runs both engines alternately ROUNDS times and prints the median of each figure and their ratio, then a second table of
# each engine's fastest call (best of the rounds): on a shared host, what the CPU gives when the other tenants leave it be.
#   bash benchmarks/compare.sh [threads=2] [rounds=3] [--json FILE] [--isa native|avx2|avx|sse] [extra args for both,
#        e.g. --shapes a --kinds lstm, or --ragged: each batch's sequences of lengths spread from a tenth of the steps
#        to all of them, as text comes; PyTorch at the better of pack_padded_sequence and padding with a masked loss]
# --json FILE also writes the medians as JSON, which benchmarks/plot_throughput.py --json FILE draws.
# --isa picks the instruction-set class both engines run (native, avx2, avx or sse: benchmarks/isa.sh says
# what each runs).
# The "/ peak" columns divide by this CPU's fp32 peak on the same threads, measured by the benchmarks app's `peak`
# mode (an FMA loop, or a multiply-and-add one without FMA, at the vector width our GEMM runs under the same --isa) in every round, the best kept.
# The peer runs with OMP_WAIT_POLICY=PASSIVE so OpenMP and OpenBLAS threads do not fight.
# OPENBLAS_NUM_THREADS is the same thread count: torch.set_num_threads does not reach Debian's OpenBLAS, which
# otherwise runs its products on every core even in a "1 thread" run.
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}; rounds=${2:-3}; shift $(( $# > 2 ? 2 : $# ))
json_out=""; isa=native; extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --json) json_out=$2; shift 2 ;;
    --isa) isa=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
source benchmarks/isa.sh
isa_env "$isa" || exit 1
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "PyTorch is missing: run 'bash tools/install-torch.sh' first." >&2
  exit 1
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
app=benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll
ours=(env "${ours_env[@]}" dotnet "$app" shapes --threads "$threads" "${extra[@]}")
peak=(env "${ours_env[@]}" dotnet "$app" peak --threads "$threads")
peer=(env -u OPENBLAS_L2_SIZE "${peer_env[@]}" OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$threads" /usr/bin/python3 benchmarks/pytorch_peer.py --threads "$threads" "${extra[@]}")
results=$(mktemp)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$rounds"); do
  echo "round $round/$rounds" >&2
  "${peak[@]}" >>"$results"
  "${ours[@]}" >>"$results"
  "${peer[@]}" >>"$results"
done
lscpu_field() { lscpu | sed -n "s/^$1:[[:space:]]*//p"; }
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu_field 'Model name') (family $(lscpu_field 'CPU family'), model $(lscpu_field 'Model')), threads $threads, rounds $rounds, isa $isa, load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "# command: bash benchmarks/compare.sh $threads $rounds --isa $isa ${extra[*]}"
/usr/bin/python3 - "$results" "$json_out" "$threads" <<'PY'
import json, statistics, sys
medians = []
rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
peaks = [r for r in rows if r["engine"] == "fma-loop"]
best = max(peaks, key=lambda r: r["value"])
peak = best["value"] * 1e9
print(f"# peak: {best['value']:.0f} GFLOP/s on {best['threads']} threads ({best['per_core']:.0f} per core; "
      f"{'FMA' if best.get('fused', True) else 'multiply-and-add'} loop at {best['width']}, the {best['kernel']} GEMM kernel; best of {len(peaks)} rounds: "
      + ", ".join(f"{r['value']:.0f}" for r in peaks) + ")")
print(f"# as the GEMM sees it: {best['cpu']}; tuning {best['tuning']}")
figures = {}
for r in rows:
    if r["engine"] != "fma-loop":
        figures.setdefault((r["case"], r["metric"]), {}).setdefault(r["engine"], []).append(r["value"])
# Share of the measured fp32 peak each engine reaches, from the GEMM work per sequence-step, per layer and direction
# with G gates: forward 2·G·H·(I + H) (x·W_ihᵀ, h·W_hhᵀ); training adds ∂W_ih, ∂W_hh and ∂h_{t−1} = ∂gates·W_hh,
# 2·G·H·(I + 2H), and ∂x, 2·G·H·I, for every layer but the first (neither engine asks for the input's gradient).
# Elementwise work is not counted.
shapes = {"a": (128, 256, 1), "b": (64, 128, 2), "c": (512, 512, 1)}
def peak_share(case, metric, value):
    metric = metric.removeprefix("fastest_")
    kind, _, shape = case.rpartition("-")
    if shape not in shapes or metric.startswith("latency"):
        return float("nan")
    inputs, hidden, layers = shapes[shape]
    gates, directions = (3 if kind.startswith("gru") else 4), (2 if kind.endswith("-bi") else 1)
    training = metric.startswith("training")
    flops, width = 0, inputs
    for layer in range(layers):
        per_direction = 2 * gates * hidden * (width + hidden)
        if training:
            per_direction += 2 * gates * hidden * (width + 2 * hidden) + (2 * gates * hidden * width if layer > 0 else 0)
        flops += directions * per_direction
        width = directions * hidden
    return value * flops / peak
def table(fastest):
    print(f"| case | metric | Microsoft.ML.Lstm | PyTorch | ratio (ours/peer, >1 is better) | ours / peak | peer / peak |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (case, metric), by_engine in figures.items():
        if metric.startswith("fastest_") != fastest:
            continue
        latency = metric.removeprefix("fastest_").startswith("latency")
        # The medians' table: the median of the rounds' medians. The fastest calls': the best of the rounds' fastest.
        pick = (min if latency else max) if fastest else statistics.median
        ours = pick(by_engine.get("mlnet-lstm", [float("nan")]))
        peer = pick(by_engine.get("pytorch", [float("nan")]))
        ratio = peer / ours if latency else ours / peer
        share = lambda value: "" if latency else f"{peak_share(case, metric, value):.0%}"
        print(f"| {case} | {metric.removeprefix('fastest_')} | {ours:,.0f} | {peer:,.0f} | {ratio:.2f} | {share(ours)} | {share(peer)} |")
        if not fastest:
            medians.append({"case": case, "metric": metric, "ours": ours, "peer": peer, "ratio": ratio})
table(fastest=False)
print()
print("# Each engine's fastest call in the same runs (best of the rounds): what the CPU gives when the host leaves it alone")
table(fastest=True)
if sys.argv[2]:
    json.dump(medians, open(sys.argv[2], "w"), indent=1)
PY
rm -f "$results"
