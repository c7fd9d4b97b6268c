namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Turns the last W observations of one series into the network's input and back. Each window is scaled by its own
/// level and spread, so series of any magnitude, and series whose level shifts, look alike to the network:
/// <code>
/// x̃_t      = x_t, a missing (NaN) value replaced by the last observed one before it (the first observed one at the start)
/// level    = mean of the last s values x̃ (s: the season; 4 without one, at most W)
/// scale    = standard deviation of the W values x̃ (at least 1e-3·|level|; 1 for a constant window at 0)
/// step t   = [ (x̃_t − level) / scale,  1 if x_t was missing else 0,  (c_t,j − mean_j) / std_j for each covariate j,
///              with future covariates: (c_t+H,j − mean_j) / std_j for each j (the lead channels; the last H steps'
///              are the covariates of the H forecast steps) ]
/// base_h   = (x̃ one season before step W−1+h − level) / scale   (seasonal naive; the last value without a season)
/// target_h = (y_h − level) / scale − base_h      and back:  ŷ_h = level + scale · (base_h + output_h)
/// </code>
/// </summary>
internal static class SeriesWindow
{
    /// <summary>Values per step before the covariates: the scaled value and the missing indicator.</summary>
    public const int ValueFeatures = 2;

    /// <summary>
    /// Writes the window's steps [W, 2 + C (+ C)] and baseline [H]; false when no value of the window is observed.
    /// </summary>
    /// <param name="values">The window's values [W], NaN where missing.</param>
    /// <param name="covariates">The window's covariates [W, C].</param>
    /// <param name="leadCovariates">The covariates H steps after each step of the window [W, C] (the last H rows are the forecast steps'), or empty without future covariates.</param>
    /// <param name="season">The series' season (1 for none).</param>
    /// <param name="baselineKind">What the outputs are added to.</param>
    /// <param name="covariateMeans">Training mean of each covariate [C].</param>
    /// <param name="covariateScales">Training standard deviation of each covariate [C].</param>
    /// <param name="features">Receives the steps.</param>
    /// <param name="baseline">Receives base_h for h = 1…H (zeros without a baseline).</param>
    /// <param name="level">The window's level.</param>
    /// <param name="scale">The window's scale.</param>
    public static bool Build(
        ReadOnlySpan<float> values, ReadOnlySpan<float> covariates, ReadOnlySpan<float> leadCovariates, int season, ForecastBaseline baselineKind,
        ReadOnlySpan<float> covariateMeans, ReadOnlySpan<float> covariateScales,
        Span<float> features, Span<float> baseline, out double level, out double scale)
    {
        int w = values.Length, c = covariateMeans.Length, lead = leadCovariates.IsEmpty ? 0 : c, width = ValueFeatures + c + lead;
        level = 0;
        scale = 1;
        int first = values.IndexOfAnyExcept(float.NaN);
        if (first < 0)
            return false;
        Span<double> filled = w <= 512 ? stackalloc double[w] : new double[w];
        double last = values[first];
        for (int t = 0; t < w; t++)
        {
            if (!float.IsNaN(values[t]))
                last = values[t];
            filled[t] = last;
        }

        int levelSpan = Math.Min(w, season > 1 ? season : 4);
        double sum = 0;
        for (int t = w - levelSpan; t < w; t++)
            sum += filled[t];
        level = sum / levelSpan;
        double mean = 0;
        for (int t = 0; t < w; t++)
            mean += filled[t];
        mean /= w;
        double variance = 0;
        for (int t = 0; t < w; t++)
            variance += (filled[t] - mean) * (filled[t] - mean);
        scale = Math.Max(Math.Sqrt(variance / w), 1e-3 * Math.Abs(level));
        if (scale == 0)
            scale = 1;

        for (int t = 0; t < w; t++)
        {
            Span<float> step = features.Slice(t * width, width);
            step[0] = (float)((filled[t] - level) / scale);
            step[1] = float.IsNaN(values[t]) ? 1f : 0f;
            for (int j = 0; j < c; j++)
                step[ValueFeatures + j] = (covariates[t * c + j] - covariateMeans[j]) / covariateScales[j];
            for (int j = 0; j < lead; j++)
                step[ValueFeatures + c + j] = (leadCovariates[t * c + j] - covariateMeans[j]) / covariateScales[j];
        }
        for (int h = 1; h <= baseline.Length; h++)
        {
            if (baselineKind == ForecastBaseline.None)
            {
                baseline[h - 1] = 0;
                continue;
            }
            int back = season > 1 ? season * ((h + season - 1) / season) : h; // whole seasons back from step W−1+h
            baseline[h - 1] = (float)((filled[w - 1 + h - back] - level) / scale);
        }
        return true;
    }

    /// <summary>The steps back the baseline reaches from the last step: W must be at least this.</summary>
    public static int BaselineReach(int season, ForecastBaseline baselineKind) => baselineKind == ForecastBaseline.SeasonalNaive && season > 1 ? season : 1;
}
