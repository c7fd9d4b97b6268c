namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Finds a series' season from the autocorrelation of its first differences (differencing removes a trend that
/// would otherwise correlate every lag): the lag in [2, n/3] (at most <see cref="MaxSeason"/>) whose autocorrelation
/// is a local peak above <see cref="MinimumCorrelation"/> and the highest; 1 (no season) when none is.
/// </summary>
internal static class SeasonDetector
{
    /// <summary>Longest season looked for.</summary>
    public const int MaxSeason = 60;

    /// <summary>Weakest autocorrelation taken as a season.</summary>
    public const double MinimumCorrelation = 0.3;

    /// <summary>The season of <paramref name="values"/> (NaN where missing), 1 for none.</summary>
    public static int Detect(ReadOnlySpan<float> values)
    {
        var differences = new List<double>(values.Length);
        double previous = double.NaN;
        foreach (float value in values)
        {
            if (float.IsNaN(value))
                continue;
            if (!double.IsNaN(previous))
                differences.Add(value - previous);
            previous = value;
        }
        int n = differences.Count;
        int maxLag = Math.Min(MaxSeason, n / 3);
        if (maxLag < 2)
            return 1;
        double mean = differences.Average();
        double variance = 0;
        foreach (double d in differences)
            variance += (d - mean) * (d - mean);
        if (variance <= 0)
            return 1;
        var correlation = new double[maxLag + 2];
        for (int lag = 1; lag <= maxLag + 1 && lag < n; lag++)
        {
            double sum = 0;
            for (int t = lag; t < n; t++)
                sum += (differences[t] - mean) * (differences[t - lag] - mean);
            correlation[lag] = sum / variance;
        }
        int best = 1;
        double bestCorrelation = MinimumCorrelation;
        for (int lag = 2; lag <= maxLag; lag++)
        {
            bool peak = correlation[lag] >= correlation[lag - 1] && correlation[lag] >= correlation[lag + 1];
            // A multiple of the season correlates nearly as well; only a clearly higher peak replaces a shorter one.
            if (peak && correlation[lag] > bestCorrelation + (best > 1 ? 0.1 : 0))
            {
                best = lag;
                bestCorrelation = correlation[lag];
            }
        }
        return best;
    }
}
