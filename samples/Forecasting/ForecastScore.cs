namespace Forecasting;

/// <summary>Accuracy of one series' forecast over the held-out horizon.</summary>
internal sealed record ForecastScore(double SymmetricMape, double Mase, double Coverage)
{
    /// <summary>
    /// sMAPE = mean of 200·|y − ŷ| / (|y| + |ŷ|) (percent); MASE = mean |y − ŷ| over the in-sample mean absolute error of
    /// the seasonal naive forecast (lag <paramref name="season"/>); coverage = share of y inside [lower, upper].
    /// </summary>
    public static ForecastScore Of(float[] history, float[] actual, float[] forecast, float[] lower, float[] upper, int season)
    {
        double smape = 0, absolute = 0, covered = 0;
        int n = 0;
        for (int h = 0; h < actual.Length; h++)
        {
            if (float.IsNaN(actual[h]))
                continue;
            double error = Math.Abs(actual[h] - forecast[h]);
            double denominator = Math.Abs(actual[h]) + Math.Abs(forecast[h]);
            smape += denominator == 0 ? 0 : 200 * error / denominator;
            absolute += error;
            covered += actual[h] >= lower[h] && actual[h] <= upper[h] ? 1 : 0;
            n++;
        }
        int m = Math.Max(1, season);
        double naive = 0;
        int terms = 0;
        for (int t = m; t < history.Length; t++)
        {
            if (float.IsNaN(history[t]) || float.IsNaN(history[t - m]))
                continue;
            naive += Math.Abs(history[t] - history[t - m]);
            terms++;
        }
        double scale = terms == 0 ? double.NaN : naive / terms;
        return new ForecastScore(smape / n, absolute / n / scale, covered / n);
    }

    /// <summary>
    /// The seasonal naive forecast (the value one season before, repeated) and its interval as R's <c>snaive</c> gives it:
    /// ± z·σ·√(⌊(h − 1)/m⌋ + 1), σ the standard deviation of the in-sample seasonal differences.
    /// </summary>
    public static (float[] Forecast, float[] Lower, float[] Upper) SeasonalNaive(float[] history, int horizon, int season, double z)
    {
        int m = Math.Max(1, season);
        var differences = new List<double>();
        for (int t = m; t < history.Length; t++)
        {
            if (!float.IsNaN(history[t]) && !float.IsNaN(history[t - m]))
                differences.Add(history[t] - history[t - m]);
        }
        double sigma = Math.Sqrt(differences.Sum(d => d * d) / differences.Count); // R: residuals are the differences, mean not removed
        var forecast = new float[horizon];
        var lower = new float[horizon];
        var upper = new float[horizon];
        for (int h = 1; h <= horizon; h++)
        {
            int back = m * ((h + m - 1) / m);
            int at = history.Length - 1 + h - back;
            while (at >= 0 && float.IsNaN(history[at]))
                at -= m;
            forecast[h - 1] = at >= 0 ? history[at] : float.NaN;
            double width = z * sigma * Math.Sqrt((h - 1) / m + 1);
            lower[h - 1] = (float)(forecast[h - 1] - width);
            upper[h - 1] = (float)(forecast[h - 1] + width);
        }
        return (forecast, lower, upper);
    }
}
