namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Finds a series' season from the autocorrelation of what is left after removing a quadratic trend (fitted by least
/// squares; a trend would otherwise correlate every lag): among the lags in [2, n/3] (at most <see cref="MaxSeason"/>)
/// whose autocorrelation is a local peak above <see cref="MinimumCorrelation"/>, the highest, a shorter one winning
/// unless a longer one (often its multiple) is clearly higher; 1 (no season) when there is no such peak. Missing
/// values (NaN) are left out of the fit and of every product.
/// </summary>
internal static class SeasonDetector
{
    /// <summary>Longest season looked for.</summary>
    public const int MaxSeason = 60;

    /// <summary>Weakest autocorrelation taken as a season.</summary>
    public const double MinimumCorrelation = 0.3;

    /// <summary>How much higher a longer peak must be to replace a shorter one.</summary>
    private const double LongerPeakMargin = 0.1;

    /// <summary>The season of <paramref name="values"/> (NaN where missing), 1 for none.</summary>
    public static int Detect(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        int maxLag = Math.Min(MaxSeason, n / 3);
        if (maxLag < 2)
            return 1;
        double[] residuals = Detrended(values);
        double variance = 0;
        foreach (double r in residuals)
            variance += double.IsNaN(r) ? 0 : r * r;
        if (variance <= 0)
            return 1;
        var correlation = new double[maxLag + 2];
        for (int lag = 1; lag <= maxLag + 1 && lag < n; lag++)
        {
            double sum = 0;
            for (int t = lag; t < n; t++)
            {
                double product = residuals[t] * residuals[t - lag];
                sum += double.IsNaN(product) ? 0 : product;
            }
            correlation[lag] = sum / variance;
        }
        int best = 1;
        double bestCorrelation = double.NegativeInfinity;
        for (int lag = 2; lag <= maxLag; lag++)
        {
            bool peak = correlation[lag] >= correlation[lag - 1] && correlation[lag] >= correlation[lag + 1] && correlation[lag] > MinimumCorrelation;
            if (peak && correlation[lag] > bestCorrelation + (best > 1 ? LongerPeakMargin : 0))
            {
                best = lag;
                bestCorrelation = correlation[lag];
            }
        }
        return best;
    }

    /// <summary>The values minus their least-squares quadratic trend in t, centred; NaN where a value is missing.</summary>
    private static double[] Detrended(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        // Normal equations of v ≈ a + b·s + c·s², s = t / n (kept near 1 for conditioning).
        var m = new double[3, 4];
        for (int t = 0; t < n; t++)
        {
            if (float.IsNaN(values[t]))
                continue;
            double s = (double)t / n;
            double[] basis = [1, s, s * s];
            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                    m[i, j] += basis[i] * basis[j];
                m[i, 3] += basis[i] * values[t];
            }
        }
        double[] coefficients = Solve(m);
        var residuals = new double[n];
        double mean = 0;
        int observed = 0;
        for (int t = 0; t < n; t++)
        {
            double s = (double)t / n;
            residuals[t] = float.IsNaN(values[t]) ? double.NaN : values[t] - (coefficients[0] + coefficients[1] * s + coefficients[2] * s * s);
            if (!double.IsNaN(residuals[t]))
            {
                mean += residuals[t];
                observed++;
            }
        }
        mean /= Math.Max(1, observed);
        for (int t = 0; t < n; t++)
            residuals[t] -= mean;
        return residuals;
    }

    /// <summary>Gaussian elimination with partial pivoting on a 3×4 augmented matrix; a singular system gives zeros for what it cannot fix.</summary>
    private static double[] Solve(double[,] m)
    {
        for (int column = 0; column < 3; column++)
        {
            int pivot = column;
            for (int row = column + 1; row < 3; row++)
            {
                if (Math.Abs(m[row, column]) > Math.Abs(m[pivot, column]))
                    pivot = row;
            }
            for (int k = 0; k < 4; k++)
                (m[column, k], m[pivot, k]) = (m[pivot, k], m[column, k]);
            if (Math.Abs(m[column, column]) < 1e-12)
                continue;
            for (int row = 0; row < 3; row++)
            {
                if (row == column)
                    continue;
                double factor = m[row, column] / m[column, column];
                for (int k = column; k < 4; k++)
                    m[row, k] -= factor * m[column, k];
            }
        }
        var x = new double[3];
        for (int i = 0; i < 3; i++)
            x[i] = Math.Abs(m[i, i]) < 1e-12 ? 0 : m[i, 3] / m[i, i];
        return x;
    }
}
