# Sourced by the compare-*.sh scripts that run one of the benchmarks app's modes beside a PyTorch script and print
# the medians of their JSON lines ({"engine", "case", "metric", "value"}) side by side.

# Stops the script when PyTorch is missing.
require_torch() {
  if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
    echo "PyTorch is missing: run 'bash tools/install-torch.sh' first." >&2
    exit 1
  fi
}

# Builds the benchmarks app; sets `ours` to the command that runs it (append the mode and its arguments).
build_ours() {
  dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
  ours=(dotnet benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll)
}

# Sets `peer` to the command that runs a PyTorch script on $1 threads at its best: OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE unset (they halve OpenBLAS's speed where this environment exports them), OMP_WAIT_POLICY=PASSIVE and
# OPENBLAS_NUM_THREADS the thread count.
torch_peer() {
  peer=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE OPENBLAS_NUM_THREADS="$1" /usr/bin/python3)
}

# The date and the CPU (name, family, model), for the first line of a result.
cpu_line() {
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p'), model $(lscpu | sed -n 's/^Model:[[:space:]]*//p'))"
}

# Prints the table of medians per case and metric from the results file $1; the metrics named after it are better
# when lower (their ratio is peer / ours), the others when higher (ours / peer).
median_table() {
  /usr/bin/python3 - "$@" <<'PY'
import json, statistics, sys
lower_is_better = set(sys.argv[2:])
figures = {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        figures.setdefault((r["case"], r["metric"]), {}).setdefault(r["engine"], []).append(r["value"])
print("| case | metric | Microsoft.ML.Lstm | PyTorch | ratio (>1: ours better) |")
print("|---|---|---:|---:|---:|")
for (case, metric), engines in figures.items():
    ours, peer = statistics.median(engines["mlnet-lstm"]), statistics.median(engines["pytorch"])
    ratio = peer / ours if metric in lower_is_better else ours / peer
    print(f"| {case} | {metric} | {ours:.4g} | {peer:.4g} | {ratio:.2f} |")
PY
}
