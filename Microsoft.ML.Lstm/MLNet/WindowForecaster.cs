using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Forecasts one series from its window: builds the scaled steps (<see cref="SeriesWindow"/>), runs the network, puts
/// the quantiles in order, widens the interval by the calibrated scale and brings everything back to the series' units.
/// Owns its buffers: one per cursor or engine (the network itself is shared; <see cref="SequenceModel"/> is thread-safe).
/// </summary>
internal sealed class WindowForecaster
{
    private readonly SequenceModel model;
    private readonly ForecastSettings settings;
    private readonly float[] features;
    private readonly float[] baseline;
    private readonly float[] outputs;
    private readonly float[] lead;

    public WindowForecaster(SequenceModel model, ForecastSettings settings)
    {
        this.model = model;
        this.settings = settings;
        features = new float[settings.WindowSize * settings.FeaturesPerStep];
        baseline = new float[settings.Horizon];
        outputs = new float[settings.Horizon * settings.QuantileLevels.Length];
        lead = new float[settings.WindowSize * settings.FutureCovariateCount];
    }

    /// <summary>
    /// Writes the forecast and the interval's bounds [H] for the step after the last of <paramref name="series"/>'
    /// <paramref name="history"/>; NaN in each when the history is shorter than the series' window or holds no observed
    /// value in it, or when the model reads future covariates and <paramref name="futureCovariates"/> is empty.
    /// </summary>
    /// <param name="history">The series' last observations.</param>
    /// <param name="series">The series' name.</param>
    /// <param name="futureCovariates">The covariates of the H forecast steps [H, C] when the model reads them (<see cref="ForecastSettings.FutureCovariates"/>); else empty.</param>
    /// <param name="point">Receives the point forecast [H].</param>
    /// <param name="lower">Receives the interval's lower bounds [H].</param>
    /// <param name="upper">Receives the interval's upper bounds [H].</param>
    public void Forecast(SeriesHistory history, string series, ReadOnlySpan<float> futureCovariates, Span<float> point, Span<float> lower, Span<float> upper)
    {
        int window = settings.WindowOf(series), c = settings.CovariateCount, h = settings.Horizon;
        Span<float> steps = features.AsSpan(0, window * settings.FeaturesPerStep);
        Span<float> leads = Span<float>.Empty;
        bool known = true;
        if (settings.FutureCovariates)
        {
            // Step t's lead channels hold the covariates of step t + H: those of the window's later steps, then the horizon's.
            known = futureCovariates.Length == h * c && history.Count >= window;
            if (known)
            {
                leads = lead.AsSpan(0, window * c);
                history.Covariates[^(window * c)..][(h * c)..].CopyTo(leads);
                futureCovariates.CopyTo(leads[((window - h) * c)..]);
            }
        }
        if (!known || history.Count < window || !SeriesWindow.Build(
                history.Values[^window..], history.Covariates[^(window * c)..], leads, settings.SeasonOf(series), settings.Baseline,
                settings.CovariateMeans, settings.CovariateScales, steps, baseline, out double level, out double scale))
        {
            point.Fill(float.NaN);
            lower.Fill(float.NaN);
            upper.Fill(float.NaN);
            return;
        }
        model.Predict(steps, outputs);
        for (int step = 0; step < h; step++)
        {
            var (low, middle, high) = Ordered(outputs[step], outputs[h + step], outputs[2 * h + step]);
            double k = settings.IntervalScale;
            double b = baseline[step];
            point[step] = (float)(level + scale * (b + middle));
            lower[step] = (float)(level + scale * (b + middle - k * (middle - low)));
            upper[step] = (float)(level + scale * (b + middle + k * (high - middle)));
        }
    }

    /// <summary>Three quantile outputs in increasing order (the network's levels may cross; sorting is the usual repair).</summary>
    public static (double Low, double Middle, double High) Ordered(float median, float lowLevel, float highLevel)
    {
        double a = lowLevel, b = median, c = highLevel;
        if (a > b)
            (a, b) = (b, a);
        if (b > c)
            (b, c) = (c, b);
        if (a > b)
            (a, b) = (b, a);
        return (a, b, c);
    }
}
