using Microsoft.ML.Lstm.Networks;

namespace Microsoft.ML.Lstm.MLNet;

/// <summary>
/// Split-conformal calibration of the interval: on held-out windows, the factor k by which each forecast's distances
/// from its median to its two quantiles must be scaled for a held-out value to fall inside, and then the smallest k
/// that covers the confidence level's share of them (the ⌈(n + 1)·c⌉-th smallest of n). Computed in each window's scaled units.
/// </summary>
internal static class IntervalCalibration
{
    /// <summary>Smallest and largest scale applied, so a handful of windows cannot collapse or explode the interval.</summary>
    private const float MinScale = 0.25f, MaxScale = 20f;

    public static float Scale(SequenceModel model, IReadOnlyList<ForecastWindows.Window> windows, int horizon, float confidence)
    {
        var needed = new List<double>();
        var outputs = new float[horizon * 3];
        foreach (ForecastWindows.Window window in windows)
        {
            model.Predict(window.Example.Features!, outputs);
            for (int h = 0; h < horizon; h++)
            {
                float target = window.Example.Targets[h];
                if (float.IsNaN(target))
                    continue;
                var (low, middle, high) = WindowForecaster.Ordered(outputs[h], outputs[horizon + h], outputs[2 * horizon + h]);
                double distance = target < middle ? middle - low : high - middle;
                double gap = Math.Abs(target - middle);
                needed.Add(gap == 0 ? 0 : distance > 0 ? gap / distance : double.PositiveInfinity);
            }
        }
        if (needed.Count == 0)
            return 1;
        needed.Sort();
        int rank = Math.Min(needed.Count, (int)Math.Ceiling((needed.Count + 1) * (double)confidence)) - 1;
        return (float)Math.Clamp(needed[Math.Max(0, rank)], MinScale, MaxScale);
    }
}
