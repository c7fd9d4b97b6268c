# R's forecast package on the same series and split as the `forecast-quality` mode of the benchmarks app: monthly
# series hold out their last 12 points, quarterly their last 8. Prints one CSV line per series and method,
#   series,method,smape,mase,coverage80,seconds
# (MASE scaled by the in-sample seasonal naive MAE; seconds: the fit's time). Used by compare-forecast.sh.
#   Rscript benchmarks/r_forecast.R [../shared/data/forecast/all-series.csv]
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args) > 0) args[1] else "../shared/data/forecast/all-series.csv"
data <- read.csv(path, stringsAsFactors = FALSE)
if (!("series" %in% names(data))) data$series <- tools::file_path_sans_ext(basename(path))
for (name in unique(data$series)) {
  rows <- data[data$series == name, ]
  dates <- as.Date(rows$date)
  months <- (as.integer(format(dates[2], "%Y")) - as.integer(format(dates[1], "%Y"))) * 12 +
    as.integer(format(dates[2], "%m")) - as.integer(format(dates[1], "%m"))
  m <- if (months == 3) 4 else 12
  h <- if (months == 3) 8 else 12
  n <- nrow(rows)
  train <- ts(rows$value[1:(n - h)], frequency = m)
  actual <- rows$value[(n - h + 1):n]
  scale <- mean(abs(diff(as.numeric(train), lag = m)))
  for (method in c("snaive", "ets", "auto.arima")) {
    started <- proc.time()[["elapsed"]]
    fc <- switch(method,
      snaive = snaive(train, h = h, level = 80),
      ets = forecast(ets(train), h = h, level = 80),
      auto.arima = forecast(auto.arima(train), h = h, level = 80))
    seconds <- proc.time()[["elapsed"]] - started
    f <- as.numeric(fc$mean); lo <- as.numeric(fc$lower); hi <- as.numeric(fc$upper)
    smape <- mean(200 * abs(actual - f) / (abs(actual) + abs(f)))
    mase <- mean(abs(actual - f)) / scale
    coverage <- mean(actual >= lo & actual <= hi)
    cat(sprintf("%s,R-%s,%.4f,%.4f,%.4f,%.3f\n", name, method, smape, mase, coverage, seconds))
  }
}
