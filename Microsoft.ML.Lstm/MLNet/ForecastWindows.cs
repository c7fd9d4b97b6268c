using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// The training windows of a set of series: one example per forecast origin o (the last step of a window,
/// W − 1 ≤ o ≤ n − 2), its W steps scaled by <see cref="SeriesWindow"/>, its targets the next H values in the
/// window's scaled units minus the baseline (NaN where missing or past the series' end: left out of the loss). With
/// future covariates, an origin needs the covariates of its H next steps, so the last origin is n − 1 − H.
/// For each series the latest origins whose H targets all lie in the series are the validation windows, and the
/// training windows are those whose targets end before the first validation target, so nothing validated was trained on.
/// </summary>
internal static class ForecastWindows
{
    /// <summary>One window: the example and what maps its outputs back.</summary>
    public sealed record Window(SequenceExample Example, float[] Baseline, double Level, double Scale);

    /// <summary>Every window of every series, for a final fit on all the data.</summary>
    public static List<Window> All(IReadOnlyList<ForecastSeries> series, ForecastSettings settings, Func<string, int> seasonOf)
    {
        var windows = new List<Window>();
        foreach (ForecastSeries one in series)
        {
            for (int origin = settings.WindowOf(one.Name) - 1; origin <= LastOrigin(one, settings); origin++)
                Add(windows, one, origin, settings, seasonOf(one.Name));
        }
        return windows;
    }

    /// <summary>The training and validation windows (the latest <paramref name="validationFraction"/> of each series' complete windows, at least one where the series allows).</summary>
    public static (List<Window> Training, List<Window> Validation) Split(
        IReadOnlyList<ForecastSeries> series, ForecastSettings settings, Func<string, int> seasonOf, double validationFraction)
    {
        var training = new List<Window>();
        var validation = new List<Window>();
        int h = settings.Horizon;
        foreach (ForecastSeries one in series)
        {
            int w = settings.WindowOf(one.Name);
            int firstOrigin = w - 1, lastComplete = one.Length - 1 - h;
            int complete = lastComplete - firstOrigin + 1;
            int held = validationFraction > 0 ? Math.Max(1, (int)Math.Round(complete * validationFraction)) : 0;
            int firstValidation = lastComplete - held + 1;
            // Training windows must keep at least one origin; otherwise this series only trains.
            if (held == 0 || firstValidation - h < firstOrigin)
            {
                for (int origin = firstOrigin; origin <= LastOrigin(one, settings); origin++)
                    Add(training, one, origin, settings, seasonOf(one.Name));
                continue;
            }
            for (int origin = firstOrigin; origin <= firstValidation - h; origin++)
                Add(training, one, origin, settings, seasonOf(one.Name));
            for (int origin = firstValidation; origin <= lastComplete; origin++)
                Add(validation, one, origin, settings, seasonOf(one.Name));
        }
        return (training, validation);
    }

    /// <summary>The last origin with a target: n − 2, or n − 1 − H when the forecast reads the horizon's covariates.</summary>
    private static int LastOrigin(ForecastSeries series, ForecastSettings settings) =>
        settings.FutureCovariates ? series.Length - 1 - settings.Horizon : series.Length - 2;

    private static void Add(List<Window> windows, ForecastSeries series, int origin, ForecastSettings settings, int season)
    {
        int w = settings.WindowOf(series.Name), h = settings.Horizon, c = settings.CovariateCount;
        var features = new float[w * settings.FeaturesPerStep];
        var baseline = new float[h];
        int start = origin - w + 1;
        if (!SeriesWindow.Build(
                series.Values.AsSpan(start, w), series.Covariates.AsSpan(start * c, w * c),
                settings.FutureCovariates ? series.Covariates.AsSpan((start + h) * c, w * c) : default, season, settings.Baseline,
                settings.CovariateMeans, settings.CovariateScales, features, baseline, out double level, out double scale))
            return; // nothing observed in the window: nothing to learn from
        var targets = new float[h];
        bool anyObserved = false;
        for (int step = 0; step < h; step++)
        {
            int at = origin + 1 + step;
            float y = at < series.Length ? series.Values[at] : float.NaN;
            targets[step] = float.IsNaN(y) ? float.NaN : (float)((y - level) / scale - baseline[step]);
            anyObserved |= !float.IsNaN(y);
        }
        if (anyObserved)
            windows.Add(new Window(SequenceExample.FromFeatures(features, targets), baseline, level, scale));
    }
}
