#!/usr/bin/env bash
# Forecasting side by side (issue #10): ForecastByLstm with the short overload's defaults and R's forecast package
# (snaive, ets, auto.arima) on the same series and split: the classic R series in ../shared/data/forecast, monthly
# ones holding out their last 12 points, quarterly ones their last 8. Prints sMAPE, MASE, 80 % interval coverage and
# training seconds per series and method, then the means.
#   bash benchmarks/compare-forecast.sh [mode=per-series|global] [seed=1] [data=../shared/data/forecast/all-series.csv]
# per-series fits one model per series (as on the single files); global one model across all nine (one horizon of 12,
# quarterly series scored on its first 8 steps). R comes from tools/install-r-forecast.sh; without it only ours and
# seasonal naive are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-per-series}; seed=${2:-1}; data=${3:-../shared/data/forecast/all-series.csv}
if [ ! -f "$data" ]; then
  echo "Skipped: $data is not here (the shared data set is absent)." >&2
  exit 0
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
results=$(mktemp)
flag=""; [ "$mode" = "per-series" ] && flag="--per-series"
dotnet benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll forecast-quality --data "$data" --seed "$seed" $flag >>"$results"
if command -v Rscript >/dev/null && Rscript -e 'library(forecast)' >/dev/null 2>&1; then
  Rscript benchmarks/r_forecast.R "$data" | grep -v ',R-snaive,' >>"$results"
  r_version=$(Rscript -e 'cat(R.version$major, R.version$minor, sep = "."); cat(" forecast", as.character(packageVersion("forecast")))')
else
  echo "R's forecast package is not installed (bash tools/install-r-forecast.sh, as root): R's columns are left out." >&2
  r_version="not installed"
fi
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p') (family $(lscpu | sed -n 's/^CPU family:[[:space:]]*//p'), model $(lscpu | sed -n 's/^Model:[[:space:]]*//p')), $(nproc) cores, R $r_version"
echo "# command: bash benchmarks/compare-forecast.sh $mode $seed $data"
/usr/bin/python3 - "$results" <<'PY'
import sys
rows = [line.strip().split(",") for line in open(sys.argv[1]) if line.count(",") == 5]
methods = []
table = {}
for series, method, smape, mase, coverage, seconds in rows:
    if method not in methods:
        methods.append(method)
    table.setdefault(series, {})[method] = tuple(float(x) for x in (smape, mase, coverage, seconds))
names = {"lstm": "ForecastByLstm", "snaive": "seasonal naive", "R-ets": "R ets", "R-auto.arima": "R auto.arima"}
print("| series | " + " | ".join(f"{names.get(m, m)} sMAPE / MASE / cover / s" for m in methods) + " |")
print("|---|" + "---:|" * len(methods))
for series, by in table.items():
    cells = []
    best = min(by[m][0] for m in methods if m in by)
    for m in methods:
        s, a, c, t = by[m]
        text = f"{s:.2f} / {a:.2f} / {c:.0%} / {t:.2f}"
        cells.append(f"**{text}**" if s == best else text)
    print(f"| {series} | " + " | ".join(cells) + " |")
means = []
for m in methods:
    values = [by[m] for by in table.values() if m in by]
    means.append(tuple(sum(v[i] for v in values) / len(values) for i in range(4)))
print("| **mean** | " + " | ".join(f"**{s:.2f}** / {a:.2f} / {c:.0%} / {t:.2f}" for s, a, c, t in means) + " |")
PY
