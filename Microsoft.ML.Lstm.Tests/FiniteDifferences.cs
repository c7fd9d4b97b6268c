namespace Microsoft.ML.Lstm.Tests;

/// <summary>Checks analytic gradients against central finite differences in double precision.</summary>
internal static class FiniteDifferences
{
    /// <summary>The step of the central difference (f(x+h) − f(x−h)) / 2h.</summary>
    public const double Step = 1e-6;

    /// <summary>
    /// Perturbs each of <paramref name="values"/> in turn (restoring it after), and asserts that the numeric
    /// derivative of <paramref name="loss"/> is within absoluteTolerance + relativeTolerance·|numeric| of
    /// <paramref name="analytic"/>; <paramref name="name"/> names an index in the failure message.
    /// </summary>
    public static void Check(
        double[] values, double[] analytic, Func<double> loss, Func<int, string> name,
        double absoluteTolerance, double relativeTolerance)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double saved = values[i];
            values[i] = saved + Step;
            double plus = loss();
            values[i] = saved - Step;
            double minus = loss();
            values[i] = saved;
            double numeric = (plus - minus) / (2 * Step);
            Assert.True(Math.Abs(numeric - analytic[i]) <= absoluteTolerance + relativeTolerance * Math.Abs(numeric),
                $"{name(i)}: analytic {analytic[i]:R}, numeric {numeric:R}.");
        }
    }
}
