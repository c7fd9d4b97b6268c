#!/usr/bin/env bash
# Issue #13's quality figures on the UCI sentiment sentences, through the catalog entries as a user runs them: the
# README's first snippet (the trainer reading the text column) beside the former keys pipeline and FeaturizeText +
# SDCA (seeds 1..3), then the learning curve (100, 300, 1,000 and 2,400 training rows) of the defaults beside
# FeaturizeText + SDCA. Prints Markdown tables; skips with one line when the shared data set is absent.
#   bash benchmarks/text-quality.sh [data=../shared/data/sentiment] [seeds=1,2,3] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/sentiment}; seeds=${2:-1,2,3}; threads=${3:-2}
if [ ! -f "$data/train.tsv" ] || [ ! -f "$data/test.tsv" ]; then
  echo "Skipped: $data/train.tsv and test.tsv are not here (the shared data set is absent)."
  exit 0
fi
dotnet build benchmarks/Microsoft.ML.Lstm.Benchmarks -c Release -v q -nologo >/dev/null
app=(dotnet benchmarks/Microsoft.ML.Lstm.Benchmarks/bin/Release/net10.0/Microsoft.ML.Lstm.Benchmarks.dll)
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), threads $threads, seeds $seeds"
echo "# command: bash benchmarks/text-quality.sh $data $seeds $threads"
"${app[@]}" text-quality --data "$data" --seeds "$seeds" --threads "$threads"
echo
"${app[@]}" learning-curve --data "$data" --seeds "$seeds" --threads "$threads"
