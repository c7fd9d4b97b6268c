#!/bin/sh
# Installs R and its forecast package (Hyndman's: snaive, ets, auto.arima) from Debian, for
# benchmarks/compare-forecast.sh. Needs root (apt-get). Nothing in the library or its tests needs R.
set -e
apt-get update
apt-get install -y --no-install-recommends r-cran-forecast
Rscript -e 'library(forecast); cat("forecast", as.character(packageVersion("forecast")), "\n")'
